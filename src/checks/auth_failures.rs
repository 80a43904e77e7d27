//! A010 `auth-failures`: an account refused (401/403) more than `max-auth-failures` times a
//! day.

use jiff::civil::Date;

use super::account::{AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::rules::{Kind, ParamDef, Rule};

/// The most refusals a day that pass.
const MAX_AUTH_FAILURES: ParamDef = ParamDef::number("max-auth-failures", 20);

/// The table row.
pub const CHECK: Check = Check {
    name: "auth-failures",
    kind: Kind::Account,
    params: &[MAX_AUTH_FAILURES],
    run: Run::Account(run),
};

fn run(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let max = usize::try_from(MAX_AUTH_FAILURES.number_in(rule)).unwrap_or(usize::MAX);
    for a in &input.registry.accounts {
        let Some(act) = input.of(a) else { continue };
        let over: Vec<(Date, usize)> = act
            .refusals_per_day()
            .into_iter()
            .filter(|(_, n)| *n > max)
            .collect();
        let Some((worst_day, worst)) = over.iter().max_by_key(|(d, n)| (*n, *d)).copied() else {
            continue;
        };
        let (first, last) = (over.first().map(|(d, _)| *d), over.last().map(|(d, _)| *d));
        let spread = match (first, last) {
            (Some(f), Some(l)) if over.len() > 1 => {
                format!("; more than {max} on {} days from {f} to {l}", over.len())
            }
            _ => String::new(),
        };
        out.hits.push(AccountHit::new(
            a,
            a.field_span("name"),
            format!(
                "`{}` was refused {worst} times (401/403) on {worst_day}, more than {max} a day{spread}",
                a.name
            ),
        ));
    }
}
