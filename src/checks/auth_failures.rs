//! A010 `auth-failures`: an account refused (401/403) more than `max-auth-failures` times a
//! day. Refusals that name no actor (a revoked or wrong key: W&B cannot tell whose) count per
//! caller, the address and SDK version they came from.

use jiff::civil::Date;

use super::account::{AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::auditlog::activity::ActorActivity;
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
        if let Some(evidence) = over(act, max) {
            out.hits.push(AccountHit::new(
                a,
                a.field_span("name"),
                format!("`{}` was refused {evidence}", a.name),
            ));
        }
    }
    let at = input.registry.accounts_key.clone().unwrap_or(0..0);
    for (caller, act) in &input.activity.refused_callers {
        if let Some(evidence) = over(act, max) {
            out.hits.push(AccountHit {
                account: format!("unidentified key from {caller}"),
                key: None,
                span: at.clone(),
                message: format!(
                    "requests without an actor (a revoked or wrong key) from {caller} were refused {evidence}"
                ),
                help: Some(
                    "find the job at that address still using a revoked or mistyped key (the SDK version narrows it down), then give it its account's current key or stop it".to_string(),
                ),
            });
        }
    }
}

/// "N times (401/403) on DAY, more than MAX a day[; ...]" when some day is over `max`.
fn over(act: &ActorActivity, max: usize) -> Option<String> {
    let over: Vec<(Date, usize)> = act
        .refusals_per_day()
        .into_iter()
        .filter(|(_, n)| *n > max)
        .collect();
    let (worst_day, worst) = over.iter().max_by_key(|(d, n)| (*n, *d)).copied()?;
    let (first, last) = (over.first().map(|(d, _)| *d), over.last().map(|(d, _)| *d));
    let spread = match (first, last) {
        (Some(f), Some(l)) if over.len() > 1 => {
            format!("; more than {max} on {} days from {f} to {l}", over.len())
        }
        _ => String::new(),
    };
    Some(format!(
        "{worst} times (401/403) on {worst_day}, more than {max} a day{spread}"
    ))
}
