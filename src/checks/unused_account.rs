//! A002 `unused-account`: a service account with no activity (in the audit logs or its keys'
//! `last_used`) for longer than `unused-after` days.

use jiff::civil::Date;

use super::account::{day_of, days_between, AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::auditlog::activity::ActorActivity;
use crate::registry::Account;
use crate::rules::{Kind, ParamDef, Rule};

/// Days without activity after which an account counts as unused.
pub const UNUSED_AFTER: ParamDef = ParamDef::number("unused-after", 90);

/// The table row.
pub const CHECK: Check = Check {
    name: "unused-account",
    kind: Kind::Account,
    params: &[UNUSED_AFTER],
    run: Run::Account(run),
};

/// Whether an account was active within a number of days of the date judged on.
pub enum Usage {
    /// Active (or new) within the period.
    Active,
    /// Unused: the evidence.
    Unused(String),
    /// Cannot tell: why.
    Unknown(String),
}

/// An account's latest activity: its last event in the audit logs (`activity`) or the latest
/// `last_used` of its keys, whichever is later, with where it comes from.
pub fn last_activity(a: &Account, activity: Option<&ActorActivity>) -> Option<(Date, String)> {
    let mut last: Option<(Date, String)> = None;
    if let Some(t) = activity.and_then(|act| act.last) {
        last = Some((day_of(t), "in the audit logs".to_string()));
    }
    for k in &a.api_keys {
        if let Some(d) = k.last_used {
            if last.as_ref().is_none_or(|(l, _)| d > *l) {
                last = Some((d, format!("API key `{}` last used", k.name)));
            }
        }
    }
    last
}

/// The account was deactivated (`user:deactivate`), or uninvited from its own team
/// (`team:uninvite`), and did nothing after: it cannot work, yet the registry lists it.
fn removed(a: &Account, act: Option<&ActorActivity>) -> Option<String> {
    let act = act?;
    let r = act
        .removals
        .iter()
        .rev()
        .find(|r| r.action == "user:deactivate" || (r.team.is_some() && r.team == a.team))?;
    let at = r.at?;
    if act.last.is_some_and(|l| l > at) {
        return None;
    }
    let from = r
        .team
        .as_deref()
        .filter(|_| r.action == "team:uninvite")
        .map(|t| format!(" from team {t}"))
        .unwrap_or_default();
    Some(format!(
        "{} on {}{from} ({}) and no activity since",
        if r.action == "team:uninvite" {
            "uninvited"
        } else {
            "deactivated"
        },
        day_of(at),
        r.action
    ))
}

/// Whether `a` was active within `days` of the date judged on.
pub fn usage(a: &Account, input: &Input<'_>, days: u64) -> Usage {
    if let Some(evidence) = removed(a, input.of(a)) {
        return Usage::Unused(evidence);
    }
    let days = i64::try_from(days).unwrap_or(i64::MAX);
    if let Some((d, source)) = last_activity(a, input.of(a)) {
        let age = days_between(d, input.as_of);
        return if age > days {
            Usage::Unused(format!(
                "last activity {d} ({source}), {age} days before {}",
                input.as_of
            ))
        } else {
            Usage::Active
        };
    }
    if let Some(created) = a.created {
        if days_between(created, input.as_of) <= days {
            return Usage::Active;
        }
    }
    match input.window() {
        Some((start, end, n)) if days_between(start, input.as_of) >= days => {
            Usage::Unused(format!(
                "no activity in the {n} days the audit logs cover ({start} to {end}) and no key use recorded"
            ))
        }
        Some((start, end, n)) => Usage::Unknown(format!(
            "the audit logs cover {n} day{} ({start} to {end}), {days} are needed, and no key use is recorded",
            if n == 1 { "" } else { "s" }
        )),
        None if input.logs_given => Usage::Unknown(
            "the audit logs hold no dated event and no key use is recorded".to_string(),
        ),
        None => Usage::Unknown(
            "no audit logs were given (--audit-log) and no key `last_used` is recorded".to_string(),
        ),
    }
}

fn run(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let days = UNUSED_AFTER.number_in(rule);
    for a in &input.registry.accounts {
        match usage(a, input, days) {
            Usage::Active => {}
            Usage::Unused(evidence) => out.hits.push(AccountHit::new(
                a,
                a.field_span("name"),
                format!("service account `{}` looks unused: {evidence}", a.name),
            )),
            Usage::Unknown(why) => out.unjudged.push((a.name.clone(), why)),
        }
    }
}
