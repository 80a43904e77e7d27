//! An `audit` run: reads the audit logs into the activity model, runs the account rules, and
//! turns their hits into findings that point at the account's entry in the registry file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use jiff::civil::Date;

use crate::auditlog::activity::Activity;
use crate::checks::{day_of, days_between, evaluate, AccountHit, Input};
use crate::config::Config;
use crate::detect::mask::{fingerprint, Snippet};
use crate::finding::{AuditSummary, Detail, Finding, Outcome, Problem};
use crate::registry::Registry;
use crate::rules::{Kind, Rule, RuleSet, Severity};
use crate::scan::LineIndex;
use crate::suppress::{Judge, Subject, Suppressor};

/// Malformed lines reported one by one per file; the rest are counted in one line.
const PROBLEMS_PER_FILE: usize = 20;

/// Reads the logs under `logs`, analyses the accounts of `registry` (loaded from
/// `registry_file`) with the account rules of `rules` as of `as_of`.
pub fn audit(
    registry: &Registry,
    registry_file: &Path,
    rules: &RuleSet,
    config: &Config,
    logs: &[PathBuf],
    as_of: Date,
) -> Outcome {
    audit_with_activity(registry, registry_file, rules, config, logs, as_of).0
}

/// [`audit`], also returning the activity model (for the compliance report's charts).
pub fn audit_with_activity(
    registry: &Registry,
    registry_file: &Path,
    rules: &RuleSet,
    config: &Config,
    logs: &[PathBuf],
    as_of: Date,
) -> (Outcome, Activity) {
    let started = Instant::now();
    let mut activity = Activity::new(registry);
    let mut problems = Vec::new();
    let mut per_file: BTreeMap<String, usize> = BTreeMap::new();
    let stats = crate::auditlog::read(logs, &mut |ev| activity.add(&ev), &mut |p| {
        let n = per_file.entry(p.path.clone()).or_default();
        *n += 1;
        if *n <= PROBLEMS_PER_FILE {
            let at = p.line.map(|l| format!(" line {l}")).unwrap_or_default();
            problems.push(Problem {
                level: Severity::Warning,
                path: Some(p.path.clone()),
                message: format!("audit log `{}`{at}: {}", p.path, p.message),
            });
        }
    });
    for (path, n) in &per_file {
        if *n > PROBLEMS_PER_FILE {
            problems.push(Problem {
                level: Severity::Warning,
                path: Some(path.clone()),
                message: format!(
                    "audit log `{path}`: {} more unreadable line(s) not listed",
                    n - PROBLEMS_PER_FILE
                ),
            });
        }
    }
    let mut outcome = analyze(
        registry,
        registry_file,
        rules,
        config,
        &activity,
        !logs.is_empty(),
        &stats,
        as_of,
    );
    problems.append(&mut outcome.problems);
    outcome.problems = problems;
    // A named log of which nothing could be read: the run did not see what it was asked to
    // judge, and exits 2 (as any unreadable input).
    for path in &stats.unread_files {
        outcome.problems.push(Problem {
            level: Severity::Error,
            path: Some(path.clone()),
            message: format!(
                "audit log `{path}`: nothing in it could be read as audit events; the audit is incomplete"
            ),
        });
        outcome.unread.push(path.clone());
    }
    outcome.summary.elapsed_ms = started.elapsed().as_millis();
    (outcome, activity)
}

/// Runs the account rules of `rules` on `registry` (loaded from `registry_file`) and the
/// activity read from the logs (`logs_given` false when there were none), as of `as_of`.
#[allow(clippy::too_many_arguments)]
pub fn analyze(
    registry: &Registry,
    registry_file: &Path,
    rules: &RuleSet,
    config: &Config,
    activity: &Activity,
    logs_given: bool,
    stats: &crate::auditlog::ReadStats,
    as_of: Date,
) -> Outcome {
    let mut problems = Vec::new();
    let window = activity.window.map(|(a, b)| (day_of(a), day_of(b)));
    if let Some((_, end)) = window {
        let gap = days_between(end, as_of);
        if gap > 1 {
            problems.push(Problem {
                level: Severity::Warning,
                path: None,
                message: format!(
                    "the audit logs end on {end}, {gap} days before the date judged on ({as_of}): activity after {end} is not seen (set --as-of to judge as of the logs' end)"
                ),
            });
        }
    }
    let input = Input {
        registry,
        activity,
        logs_given,
        as_of,
    };
    let mut builder = Builder::new(registry, registry_file, config);
    for rule in rules.iter().filter(|r| r.kind == Kind::Account) {
        let result = evaluate(rule, &input);
        for hit in result.hits {
            builder.add(rule, hit);
        }
        let mut by_reason: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (account, why) in result.unjudged {
            by_reason.entry(why).or_default().push(account);
        }
        for (why, accounts) in by_reason {
            let accounts: Vec<String> = accounts.into_iter().filter(|a| !a.is_empty()).collect();
            let message = if accounts.is_empty() {
                format!("{} {} could not be evaluated: {why}", rule.id, rule.name)
            } else {
                format!(
                    "{} {} could not be judged for {}: {why}",
                    rule.id,
                    rule.name,
                    accounts.join(", ")
                )
            };
            problems.push(Problem {
                level: Severity::Warning,
                path: Some(registry.path.clone()),
                message,
            });
        }
    }
    let (mut findings, suppressed) = builder.finish();
    problems.extend(suppressed.problems);
    findings.sort_by(|a, b| {
        (a.sort_key(), a.account(), &a.message).cmp(&(b.sort_key(), b.account(), &b.message))
    });
    let mut outcome = Outcome {
        findings,
        problems,
        rules_run: rules
            .iter()
            .filter(|r| r.kind == Kind::Account)
            .map(|r| r.id.clone())
            .collect(),
        ..Outcome::default()
    };
    outcome.summary.suppressed = suppressed.count;
    outcome.summary.audit = Some(AuditSummary {
        accounts: registry.accounts.len(),
        as_of: as_of.to_string(),
        log_files: stats.files,
        log_lines: stats.lines,
        events: stats.events,
        malformed_lines: stats.malformed,
        window_start: window.map(|(a, _)| a.to_string()),
        window_end: window.map(|(_, b)| b.to_string()),
        observed_days: activity.observed_days(),
    });
    outcome.count();
    outcome
}

/// Turns hits into findings located in the registry file, passing each through the
/// suppressor (inline allows in the registry, allow entries).
struct Builder<'a> {
    registry: &'a Registry,
    abs: PathBuf,
    lines: LineIndex<'a>,
    findings: Vec<Finding>,
    suppressor: Suppressor<'a>,
}

impl<'a> Builder<'a> {
    fn new(registry: &'a Registry, file: &Path, config: &'a Config) -> Self {
        Self {
            registry,
            abs: std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()),
            lines: LineIndex::new(registry.text.as_bytes()),
            findings: Vec::new(),
            suppressor: Suppressor::new(config),
        }
    }

    fn add(&mut self, rule: &std::sync::Arc<Rule>, hit: AccountHit) {
        let bytes = self.registry.text.as_bytes();
        let (span, loc) = self.lines.locate(&self.registry.path, &hit.span);
        let line0 = loc.line.saturating_sub(1);
        let identity = format!(
            "account|{}|{}",
            hit.account.to_ascii_lowercase(),
            hit.key.as_deref().unwrap_or("")
        );
        let fp = fingerprint(&rule.id, identity.as_bytes());
        let subject = Subject::Account {
            account: &hit.account,
            path: &self.registry.path,
            abs: &self.abs,
        };
        if self
            .suppressor
            .suppresses(rule, &fp, subject, &self.lines, line0)
        {
            return;
        }
        let snippet = Snippet::whole(
            &self.registry.path,
            bytes,
            span,
            line0,
            loc.column.saturating_sub(1),
        );
        let mut finding = Finding::located(rule, hit.message, loc, fp, snippet, hit.help);
        finding.detail = Detail::Account {
            account: hit.account,
        };
        self.findings.push(finding);
    }

    /// The findings, and what suppression did (the account allow entries that matched
    /// nothing among its problems).
    fn finish(self) -> (Vec<Finding>, crate::suppress::Suppressed) {
        (
            self.findings,
            self.suppressor
                .finish(Judge::Accounts, &crate::finding::Coverage::Whole, None),
        )
    }
}
