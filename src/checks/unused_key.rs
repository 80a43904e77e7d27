//! A005 `unused-key`: an API key not used for `unused-after` days, or a spare key never used
//! (after a grace period of `new-key-grace` days). A wholly unused account is A002's finding.

use super::account::{days_between, AccountHit, CheckResult, Input};
use super::unused_account::{usage, Usage};
use super::{Check, Run};
use crate::rules::{Kind, ParamDef, Rule};

/// Days without use after which a key counts as unused.
const UNUSED_AFTER: ParamDef = ParamDef::number("unused-after", 90);
/// Days a new spare key may stay unused.
const NEW_KEY_GRACE: ParamDef = ParamDef::number("new-key-grace", 7);

/// The table row.
pub const CHECK: Check = Check {
    name: "unused-key",
    kind: Kind::Account,
    params: &[UNUSED_AFTER, NEW_KEY_GRACE],
    run: Run::Account(run),
};

fn run(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let days = UNUSED_AFTER.number_in(rule);
    let grace = i64::try_from(NEW_KEY_GRACE.number_in(rule)).unwrap_or(i64::MAX);
    let limit = i64::try_from(days).unwrap_or(i64::MAX);
    for a in &input.registry.accounts {
        // A wholly unused account is one finding (A002), not one per key.
        if matches!(usage(a, input, days), Usage::Unused(_)) {
            continue;
        }
        let spares = a.api_keys.len() > 1;
        for k in &a.api_keys {
            let message = match k.last_used {
                Some(d) => {
                    let age = days_between(d, input.as_of);
                    (age > limit).then(|| {
                        format!(
                            "API key `{}` of `{}` was last used {d}, {age} days before {}",
                            k.name, a.name, input.as_of
                        )
                    })
                }
                None if spares => match k.created {
                    Some(c) if days_between(c, input.as_of) <= grace => None,
                    Some(c) => Some(format!(
                        "spare API key `{}` of `{}` has never been used (created {c})",
                        k.name, a.name
                    )),
                    None => Some(format!(
                        "spare API key `{}` of `{}` has never been used",
                        k.name, a.name
                    )),
                },
                None => None,
            };
            if let Some(message) = message {
                out.hits.push(AccountHit {
                    account: a.name.clone(),
                    key: Some(k.name.clone()),
                    span: k.span.clone(),
                    message,
                    help: None,
                });
            }
        }
    }
}
