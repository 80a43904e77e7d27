//! A004 `stale-key`: an API key created more than `rotate-after` days ago.

use super::account::{days_between, AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::rules::{Kind, ParamDef, Rule};

/// The age in days after which a key should have been rotated.
const ROTATE_AFTER: ParamDef = ParamDef::number("rotate-after", 90);

/// The table row.
pub const CHECK: Check = Check {
    name: "stale-key",
    kind: Kind::Account,
    params: &[ROTATE_AFTER],
    run: Run::Account(run),
};

fn run(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let days = i64::try_from(ROTATE_AFTER.number_in(rule)).unwrap_or(i64::MAX);
    for a in &input.registry.accounts {
        for k in &a.api_keys {
            match k.created {
                Some(c) => {
                    let age = days_between(c, input.as_of);
                    if age > days {
                        out.hits.push(AccountHit {
                            account: a.name.clone(),
                            key: Some(k.name.clone()),
                            span: k.span.clone(),
                            message: format!(
                                "API key `{}` of `{}` was created {c}, {age} days before {} (rotate after {days})",
                                k.name, a.name, input.as_of
                            ),
                            help: None,
                        });
                    }
                }
                None => out.unjudged.push((
                    format!("{} (key `{}`)", a.name, k.name),
                    "the key has no `created` date".to_string(),
                )),
            }
        }
    }
}
