//! `--format junit`: JUnit XML for Jenkins and GitLab test reports. One test suite per rule
//! that ran (the outcome's `rules_run`), one failed test case per finding (named after the file
//! and line, or the account); a rule that ran without findings is one passing case, so the
//! report shows what was checked, and a rule that did not run is not in it.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::finding::{Finding, Outcome};
use crate::rules::RuleSet;

/// The case name on one line: a newline in a path or account name must not start a line of
/// its own (JUnit on stdout lands in CI logs, where `::command::` lines are obeyed).
fn case_name(f: &Finding) -> String {
    super::escape::one_line(&case_label(f))
}

fn case_label(f: &Finding) -> String {
    match (&f.location, f.account()) {
        (Some(l), Some(a)) => format!("{a} ({}:{})", l.path, l.line),
        (Some(l), None) => format!("{}:{}:{}", l.path, l.line, l.column),
        (None, Some(a)) => a.to_string(),
        (None, None) => f.rule.id.clone(),
    }
}

/// `--format junit`.
#[derive(Debug, Clone, Copy)]
pub struct Junit;

impl super::Renderer for Junit {
    fn render(&self, outcome: &Outcome, cx: &super::Context<'_>) -> String {
        render(outcome, cx.rules)
    }
}

/// Renders the outcome as a JUnit XML report.
pub fn render(outcome: &Outcome, rules: &RuleSet) -> String {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &outcome.findings {
        by_rule.entry(f.rule.id.as_str()).or_default().push(f);
    }
    let mut report = Report::new("wandb-sa-lint");
    // Only what ran: a rule that did not run is no passing test (one with findings ran).
    for rule in rules.iter() {
        let findings = by_rule.remove(rule.id.as_str()).unwrap_or_default();
        if findings.is_empty() && !outcome.rules_run.contains(&rule.id) {
            continue;
        }
        let mut suite = TestSuite::new(format!("{} {}", rule.id, rule.name));
        if findings.is_empty() {
            let mut case = TestCase::new(
                format!("{} {}", rule.id, rule.name),
                TestCaseStatus::success(),
            );
            case.set_classname(format!("wandb-sa-lint.{}", rule.kind.as_str()));
            suite.add_test_case(case);
        }
        for f in findings {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let message = super::escape::one_line(&f.message);
            status.set_message(message.clone());
            status.set_type(f.severity.as_str());
            let help = f
                .help
                .clone()
                .unwrap_or_else(|| super::help_line(&f.rule.remediation));
            status.set_description(format!(
                "{}\n\n{help}\n{}\nfingerprint: {}",
                message,
                f.rule.url(),
                f.fingerprint
            ));
            let mut case = TestCase::new(case_name(f), status);
            case.set_classname(format!("wandb-sa-lint.{}.{}", rule.kind.as_str(), rule.id));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}
