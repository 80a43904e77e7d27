//! The account checks behind rules A001–A011: each reads the registry, the activity model and
//! the rule's parameters, and returns the accounts that break the practice, with the evidence
//! in the message. A check that lacks the data to decide (logs too short, no dates) returns a
//! note saying so instead of guessing.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::activity::{Activity, ActorActivity};
use crate::registry::{Account, Auth, Registry, Scope, Visibility};
use crate::rules::Rule;
use crate::yaml::ByteSpan;

/// The checks account rules may name.
pub const CHECKS: &[&str] = &[
    "generic-name",
    "unused-account",
    "over-scoped-organization",
    "stale-key",
    "unused-key",
    "undocumented-account",
    "organization-without-default-team",
    "federated-with-keys",
    "shared-account",
    "auth-failures",
    "restricted-project-denied",
];

/// A `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    s.parse::<Date>().ok()
}

/// The UTC date of an instant.
pub fn day_of(t: Timestamp) -> Date {
    t.to_zoned(TimeZone::UTC).date()
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map_or(0, |s| i64::from(s.get_days()))
}

/// `" on DAY"` or `" from DAY to DAY"` for a span of events (empty without times).
fn between(first: Option<Timestamp>, last: Option<Timestamp>) -> String {
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
    fn window(&self) -> Option<(Date, Date, i64)> {
        self.activity
            .window
            .map(|(a, b)| (day_of(a), day_of(b), self.activity.observed_days()))
    }

    fn of(&self, account: &Account) -> Option<&ActorActivity> {
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

/// What a check returns: hits, and notes about accounts it could not judge.
#[derive(Debug, Clone, Default)]
pub struct CheckResult {
    /// Accounts that break the rule.
    pub hits: Vec<AccountHit>,
    /// (account, why it could not be judged).
    pub unjudged: Vec<(String, String)>,
}

/// Runs the check of `rule` (an account rule) on the input.
pub fn evaluate(rule: &Rule, input: &Input<'_>) -> CheckResult {
    let mut out = CheckResult::default();
    match rule.check.as_deref() {
        Some("generic-name") => generic_name(rule, input, &mut out),
        Some("unused-account") => unused_account(rule, input, &mut out),
        Some("over-scoped-organization") => over_scoped(rule, input, &mut out),
        Some("stale-key") => stale_key(rule, input, &mut out),
        Some("unused-key") => unused_key(rule, input, &mut out),
        Some("undocumented-account") => undocumented(input, &mut out),
        Some("organization-without-default-team") => without_default_team(input, &mut out),
        Some("federated-with-keys") => federated_with_keys(input, &mut out),
        Some("shared-account") => shared_account(rule, input, &mut out),
        Some("auth-failures") => auth_failures(rule, input, &mut out),
        Some("restricted-project-denied") => restricted_denied(input, &mut out),
        _ => {}
    }
    out
}

fn hit(account: &Account, span: ByteSpan, message: String) -> AccountHit {
    AccountHit {
        account: account.name.clone(),
        key: None,
        span,
        message,
        help: None,
    }
}

// ---------------------------------------------------------------- A001

/// The naming policy of A001, compiled from the rule's parameters.
pub struct NamingPolicy {
    deny: Vec<(String, regex::Regex)>,
    shape: Option<(String, regex::Regex)>,
    min_length: usize,
    purpose_words: Vec<String>,
}

impl NamingPolicy {
    /// Compiles the policy; a pattern that is not a valid regex is returned as an error
    /// naming it.
    pub fn new(rule: &Rule) -> Result<Self, String> {
        let compile = |src: &str| {
            regex::RegexBuilder::new(src)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    let first = e.to_string();
                    let last = first.lines().last().unwrap_or("invalid").trim().to_string();
                    format!(
                        "pattern `{src}` of {} is not a valid regex: {last}",
                        rule.id
                    )
                })
        };
        let deny = rule
            .list("deny")
            .iter()
            .map(|p| compile(p).map(|re| (p.clone(), re)))
            .collect::<Result<Vec<_>, _>>()?;
        let shape = match rule.text("shape") {
            Some(src) if !src.is_empty() => {
                // The shape is case-sensitive: it is what decides lowercase.
                let re = regex::Regex::new(src).map_err(|e| {
                    let msg = e.to_string();
                    let last = msg.lines().last().unwrap_or("invalid").trim().to_string();
                    format!(
                        "`shape` `{src}` of {} is not a valid regex: {last}",
                        rule.id
                    )
                })?;
                Some((src.to_string(), re))
            }
            _ => None,
        };
        Ok(Self {
            deny,
            shape,
            min_length: usize::try_from(rule.number("min-length", 0)).unwrap_or(usize::MAX),
            purpose_words: rule
                .list("purpose-words")
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect(),
        })
    }

    /// Why `name` breaks the policy (empty when it does not).
    pub fn problems(&self, name: &str) -> Vec<String> {
        let mut why = Vec::new();
        if let Some((src, _)) = self.deny.iter().find(|(_, re)| re.is_match(name)) {
            why.push(format!(
                "is generic, numbered or temporary (matches `{src}`)"
            ));
        }
        if let Some((src, re)) = &self.shape {
            if !re.is_match(name) {
                why.push(format!("is not lowercase kebab-case (`{src}`)"));
            }
        }
        let len = name.chars().count();
        if len < self.min_length {
            why.push(format!(
                "is {len} characters long, shorter than {}",
                self.min_length
            ));
        }
        if !self.purpose_words.is_empty() {
            let lower = name.to_ascii_lowercase();
            let names_purpose = lower
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .any(|w| self.purpose_words.iter().any(|p| w.starts_with(p.as_str())));
            if !names_purpose {
                why.push("names no purpose (no word of the policy's purpose list)".to_string());
            }
        }
        why
    }
}

fn generic_name(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let policy = match NamingPolicy::new(rule) {
        Ok(p) => p,
        Err(e) => {
            out.unjudged.push((String::new(), e));
            return;
        }
    };
    for a in &input.registry.accounts {
        let why = policy.problems(&a.name);
        if !why.is_empty() {
            out.hits.push(hit(
                a,
                a.field_span("name"),
                format!("service account name `{}` {}", a.name, why.join("; ")),
            ));
        }
    }
}

// ---------------------------------------------------------------- A002 / A005

/// Whether an account was active within `days` of `as_of`.
enum Usage {
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
        if let Some(d) = k.last_used.as_deref().and_then(parse_date) {
            if last.as_ref().is_none_or(|(l, _)| d > *l) {
                last = Some((d, format!("API key `{}` last used", k.name)));
            }
        }
    }
    last
}

fn usage(a: &Account, input: &Input<'_>, days: u64) -> Usage {
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
    if let Some(created) = a.created.as_deref().and_then(parse_date) {
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
            "the audit logs cover {n} day(s) ({start} to {end}), {days} are needed, and no key use is recorded"
        )),
        None if input.logs_given => Usage::Unknown(
            "the audit logs hold no dated event and no key use is recorded".to_string(),
        ),
        None => Usage::Unknown(
            "no audit logs were given (--audit-log) and no key `last_used` is recorded".to_string(),
        ),
    }
}

fn unused_account(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let days = rule.number("unused-after", 90);
    for a in &input.registry.accounts {
        match usage(a, input, days) {
            Usage::Active => {}
            Usage::Unused(evidence) => out.hits.push(hit(
                a,
                a.field_span("name"),
                format!("service account `{}` looks unused: {evidence}", a.name),
            )),
            Usage::Unknown(why) => out.unjudged.push((a.name.clone(), why)),
        }
    }
}

fn unused_key(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let days = rule.number("unused-after", 90);
    let grace = i64::try_from(rule.number("new-key-grace", 7)).unwrap_or(i64::MAX);
    let limit = i64::try_from(days).unwrap_or(i64::MAX);
    for a in &input.registry.accounts {
        // A wholly unused account is one finding (A002), not one per key.
        if matches!(usage(a, input, days), Usage::Unused(_)) {
            continue;
        }
        let spares = a.api_keys.len() > 1;
        for k in &a.api_keys {
            let message = match k.last_used.as_deref().and_then(parse_date) {
                Some(d) => {
                    let age = days_between(d, input.as_of);
                    (age > limit).then(|| {
                        format!(
                            "API key `{}` of `{}` was last used {d}, {age} days before {}",
                            k.name, a.name, input.as_of
                        )
                    })
                }
                None if spares => match k.created.as_deref().and_then(parse_date) {
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

// ---------------------------------------------------------------- A003

fn over_scoped(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let min = i64::try_from(rule.number("min-observed-days", 30)).unwrap_or(i64::MAX);
    for a in &input.registry.accounts {
        if a.scope != Some(Scope::Organization) {
            continue;
        }
        let Some(act) = input.of(a).filter(|act| act.events > 0) else {
            continue;
        };
        let Some((start, end, n)) = input.window() else {
            continue;
        };
        if n < min {
            out.unjudged.push((
                a.name.clone(),
                format!(
                    "the audit logs cover {n} day(s) ({start} to {end}), {min} are needed to judge its scope"
                ),
            ));
            continue;
        }
        if act.teams.len() > 1 {
            continue;
        }
        let (message, help) = match act.teams.iter().next() {
            Some(team) => (
                format!(
                    "organization-scoped `{}` touched only team {team} in {n} observed days ({start} to {end})",
                    a.name
                ),
                format!(
                    "replace it with a team-scoped service account in `{team}` (least privilege), move its jobs to the new key, then delete this account"
                ),
            ),
            None => (
                format!(
                    "organization-scoped `{}` touched no team's projects in {n} observed days ({start} to {end})",
                    a.name
                ),
                "replace it with a team-scoped service account in the team its jobs log to"
                    .to_string(),
            ),
        };
        let mut h = hit(a, a.field_span("scope"), message);
        h.help = Some(help);
        out.hits.push(h);
    }
}

// ---------------------------------------------------------------- A004

fn stale_key(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let days = i64::try_from(rule.number("rotate-after", 90)).unwrap_or(i64::MAX);
    for a in &input.registry.accounts {
        for k in &a.api_keys {
            match k.created.as_deref().and_then(parse_date) {
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

// ---------------------------------------------------------------- A006

fn undocumented(input: &Input<'_>, out: &mut CheckResult) {
    let reg = input.registry;
    for a in &reg.accounts {
        let mut missing = Vec::new();
        if a.purpose.as_deref().is_none_or(|p| p.trim().is_empty()) {
            missing.push("purpose");
        }
        if a.owner.as_deref().is_none_or(|p| p.trim().is_empty()) {
            missing.push("owner");
        }
        if a.used_by.is_empty() {
            missing.push("used_by");
        }
        if !missing.is_empty() {
            out.hits.push(hit(
                a,
                a.field_span("name"),
                format!(
                    "service account `{}` documents no {}",
                    a.name,
                    missing.join(", no ")
                ),
            ));
        }
    }
    // Accounts the logs show that the registry does not list.
    let known: BTreeSet<String> = reg
        .accounts
        .iter()
        .flat_map(|a| std::iter::once(a.name.clone()).chain(a.audit_ids.iter().cloned()))
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let listed = |id: &str| {
        let id = id.to_ascii_lowercase();
        let local = id.split('@').next().unwrap_or(&id).to_string();
        known.contains(&id) || known.contains(&local)
    };
    let at = reg.accounts_key.clone().unwrap_or(0..0);
    let mut seen: BTreeMap<String, AccountHit> = BTreeMap::new();
    for c in &input.activity.creations {
        let when = c.at.map(|t| day_of(t).to_string()).unwrap_or_default();
        let team = c.team.as_deref().unwrap_or("an unnamed team");
        match &c.account {
            Some(name) if !listed(name) => {
                seen.entry(name.to_ascii_lowercase()).or_insert(AccountHit {
                    account: name.clone(),
                    key: None,
                    span: at.clone(),
                    message: format!(
                        "service account `{name}` was created in team {team} on {when} (team:create_service_account) but the registry does not list it"
                    ),
                    help: None,
                });
            }
            Some(_) => {}
            None => out.unjudged.push((
                format!("a service account created in team {team} on {when}"),
                "the audit event does not name the new account; check that the registry lists it"
                    .to_string(),
            )),
        }
    }
    for (actor, act) in &input.activity.unknown_actors {
        let span = between(act.first, act.last);
        let teams = if act.teams.is_empty() {
            String::new()
        } else {
            format!(
                " in {}",
                act.teams.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        let acting = format!("acted {} time(s){teams}{span}", act.events);
        let key = actor.to_ascii_lowercase();
        match seen.get_mut(&key) {
            Some(h) => h.message.push_str(&format!(", and {acting}")),
            None => {
                seen.insert(
                    key,
                    AccountHit {
                        account: actor.clone(),
                        key: None,
                        span: at.clone(),
                        message: format!(
                            "`{actor}` {acting} in the audit logs, but the registry lists it neither as a service account nor as a team member"
                        ),
                        help: Some(
                            "add the service account to the registry (purpose, owner, used_by, audit_ids), or the person to their team's members".to_string(),
                        ),
                    },
                );
            }
        }
    }
    out.hits.extend(seen.into_values());
}

// ---------------------------------------------------------------- A007 / A008

fn without_default_team(input: &Input<'_>, out: &mut CheckResult) {
    for a in &input.registry.accounts {
        if a.scope == Some(Scope::Organization)
            && a.team.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            out.hits.push(hit(
                a,
                a.field_span("scope"),
                format!(
                    "organization-scoped `{}` has no default team (`team`)",
                    a.name
                ),
            ));
        }
    }
}

fn federated_with_keys(input: &Input<'_>, out: &mut CheckResult) {
    for a in &input.registry.accounts {
        if a.auth == Some(Auth::Federated) && !a.api_keys.is_empty() {
            let names: Vec<&str> = a.api_keys.iter().map(|k| k.name.as_str()).collect();
            out.hits.push(hit(
                a,
                a.field_span("api_keys"),
                format!(
                    "`{}` authenticates by identity federation but lists {} API key(s): {}",
                    a.name,
                    a.api_keys.len(),
                    names.join(", ")
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------- A009

/// The automation system a `used_by` entry names, if it says.
pub fn system_of(entry: &str) -> Option<&'static str> {
    let e = entry.trim().to_ascii_lowercase();
    if e.starts_with("secrets.") || e.starts_with("${{") {
        return Some("GitHub Actions");
    }
    let table: &[(&[&str], &str)] = &[
        (&[".github/workflows", ".github/actions"], "GitHub Actions"),
        (&[".gitlab-ci", ".gitlab/"], "GitLab CI"),
        (&["jenkinsfile", "jenkins/"], "Jenkins"),
        (&[".circleci/"], "CircleCI"),
        (&["azure-pipelines"], "Azure Pipelines"),
        (&["bitbucket-pipelines"], "Bitbucket Pipelines"),
        (&["dags/", "airflow"], "Airflow"),
        (&["prefect"], "Prefect"),
        (&["dagster"], "Dagster"),
        (&["argo"], "Argo Workflows"),
        (&[".ipynb", "notebooks/", "jupyter", "colab"], "notebooks"),
        (
            &["docker-compose", "compose.yaml", "compose.yml"],
            "Docker Compose",
        ),
        (&["dockerfile"], "container images"),
        (
            &[
                "k8s/",
                "kubernetes/",
                "helm/",
                "charts/",
                "manifests/",
                "kustomize",
            ],
            "Kubernetes",
        ),
        (&["crontab", "cron/", "systemd/"], "host cron jobs"),
    ];
    table
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| e.contains(n)))
        .map(|(_, system)| *system)
}

fn shared_account(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let max = usize::try_from(rule.number("max-systems", 1)).unwrap_or(usize::MAX);
    for a in &input.registry.accounts {
        let mut systems: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for u in &a.used_by {
            if let Some(s) = system_of(u) {
                systems.entry(s).or_default().push(u);
            }
        }
        if systems.len() > max {
            let list: Vec<String> = systems
                .iter()
                .map(|(s, uses)| format!("{s} ({})", uses.join(", ")))
                .collect();
            out.hits.push(hit(
                a,
                a.field_span("used_by"),
                format!(
                    "`{}` is declared for {} systems: {}",
                    a.name,
                    systems.len(),
                    list.join("; ")
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------- A010 / A011

fn auth_failures(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let max = usize::try_from(rule.number("max-auth-failures", 20)).unwrap_or(usize::MAX);
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
        out.hits.push(hit(
            a,
            a.field_span("name"),
            format!(
                "`{}` was refused {worst} times (401/403) on {worst_day}, more than {max} a day{spread}",
                a.name
            ),
        ));
    }
}

fn restricted_denied(input: &Input<'_>, out: &mut CheckResult) {
    let reg = input.registry;
    for a in &reg.accounts {
        let Some(act) = input.of(a) else { continue };
        for ((team, project), r) in &act.refused_projects {
            let Some(p) = reg
                .team(team)
                .and_then(|t| t.projects.iter().find(|p| p.name == *project))
            else {
                continue;
            };
            if p.visibility != Visibility::Restricted {
                continue;
            }
            let when = between(r.first, r.last);
            let listed = p
                .members
                .iter()
                .any(|m| m == &a.name || a.audit_ids.iter().any(|id| id.eq_ignore_ascii_case(m)));
            let note = if listed {
                " (the registry lists it on the project's access list, W&B does not)"
            } else {
                ""
            };
            out.hits.push(hit(
                a,
                a.field_span("name"),
                format!(
                    "`{}` was refused {} time(s) on restricted project {team}/{project}{when}{note}",
                    a.name, r.count
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_days() {
        let a = parse_date("2026-04-03").expect("date");
        let b = parse_date("2026-11-01").expect("date");
        assert_eq!(days_between(a, b), 212);
        assert_eq!(days_between(b, a), -212);
        assert!(parse_date("2026-4-3").is_none());
        assert!(parse_date("2026-02-30").is_none());
    }

    #[test]
    fn the_default_naming_policy() {
        let (rules, problems) = crate::rules::load_embedded();
        assert!(problems.is_empty());
        let rule = rules.get("A001").expect("A001");
        let policy = NamingPolicy::new(rule).expect("valid policy");
        for bad in [
            "service-account-1",
            "sa2",
            "bot",
            "default",
            "test-sa",
            "temp",
            "tmp-export",
            "churn-exporter-old",
            "trainer-2",
            "Prod_Monitor",
            "CI-Training",
            "team-helper",
            "x",
        ] {
            assert!(!policy.problems(bad).is_empty(), "{bad} passes");
        }
        for good in [
            "ci-model-training",
            "nightly-eval-pipeline",
            "prod-inference-monitor",
            "gha-release-2025",
            "churn-model-uploader",
        ] {
            assert_eq!(policy.problems(good), Vec::<String>::new(), "{good}");
        }
        assert_eq!(policy.problems("temp").len(), 3, "deny, length and purpose");
    }

    #[test]
    fn systems_of_uses() {
        assert_eq!(
            system_of(".github/workflows/train.yml"),
            Some("GitHub Actions")
        );
        assert_eq!(system_of("secrets.WANDB_KEY"), Some("GitHub Actions"));
        assert_eq!(system_of("k8s/monitor.yaml"), Some("Kubernetes"));
        assert_eq!(system_of("dags/nightly_eval.py"), Some("Airflow"));
        assert_eq!(system_of("scripts/run.sh"), None);
    }
}
