//! What the account checks share: their input (the registry, the audit-log activity, the
//! date judged on), what they return, and day arithmetic. A check that lacks the data to
//! decide (logs too short, no dates) returns a note saying so instead of guessing.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::auditlog::activity::{Activity, ActorActivity};
use crate::registry::{Account, Registry};
use crate::yaml::ByteSpan;

/// The UTC date of an instant.
pub fn day_of(t: Timestamp) -> Date {
    t.to_zoned(TimeZone::UTC).date()
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map_or(0, |s| i64::from(s.get_days()))
}

/// `" on DAY"` or `" from DAY to DAY"` for a span of events (empty without times).
pub fn between(first: Option<Timestamp>, last: Option<Timestamp>) -> String {
    match (first.map(day_of), last.map(day_of)) {
        (Some(f), Some(l)) if f == l => format!(" on {f}"),
        (Some(f), Some(l)) => format!(" from {f} to {l}"),
        _ => String::new(),
    }
}

/// What the checks look at.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The registry.
    pub registry: &'a Registry,
    /// What the audit logs say (empty when no logs were given).
    pub activity: &'a Activity,
    /// Whether audit logs were given at all.
    pub logs_given: bool,
    /// "Today".
    pub as_of: Date,
}

impl Input<'_> {
    /// The observed window as dates, and its length in days.
    pub fn window(&self) -> Option<(Date, Date, i64)> {
        self.activity
            .window
            .map(|(a, b)| (day_of(a), day_of(b), self.activity.observed_days()))
    }

    /// What the logs say `account` did.
    pub fn of(&self, account: &Account) -> Option<&ActorActivity> {
        self.activity.accounts.get(&account.name)
    }
}

/// One account that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountHit {
    /// The service account (registry name) or audit-log actor.
    pub account: String,
    /// The API key concerned, for key rules.
    pub key: Option<String>,
    /// Where in the registry file.
    pub span: ByteSpan,
    /// The evidence, one line.
    pub message: String,
    /// Help specific to this hit (the rule's remediation otherwise).
    pub help: Option<String>,
}

impl AccountHit {
    /// A hit on `account` at `span` (no key, the rule's remediation as help).
    pub fn new(account: &Account, span: ByteSpan, message: String) -> Self {
        Self {
            account: account.name.clone(),
            key: None,
            span,
            message,
            help: None,
        }
    }
}

/// What a check returns: hits, and notes about accounts it could not judge.
#[derive(Debug, Clone, Default)]
pub struct CheckResult {
    /// Accounts that break the rule.
    pub hits: Vec<AccountHit>,
    /// (account, why it could not be judged).
    pub unjudged: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::parse_date;

    #[test]
    fn dates_and_days() {
        let a = parse_date("2026-04-03").expect("date");
        let b = parse_date("2026-11-01").expect("date");
        assert_eq!(days_between(a, b), 212);
        assert_eq!(days_between(b, a), -212);
        assert!(parse_date("2026-4-3").is_none());
        assert!(parse_date("2026-02-30").is_none());
    }
}
