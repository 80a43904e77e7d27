//! Runs each rule's examples and counter-examples through the real scanner and the real audit
//! analysis: every example must produce a finding of the rule (exactly `expect` of them when
//! given), every counter-example none. Used by `rules check`, the fuzz target of the rule-file
//! loader and the test suite (which also snapshots each example's findings).
//!
//! This runner sits above [`crate::scan`] and [`crate::audit`] so that [`crate::rules`], the
//! catalogue they both read, imports neither.

use crate::detect::{Detector, Screen};
use crate::finding::Finding;
use crate::rules::fakes::{expand, Fakes};
use crate::rules::{Example, Kind, Rule, RuleSet};

/// One example that did not behave.
#[derive(Debug, Clone)]
pub struct ExampleFailure {
    /// The rule.
    pub rule: String,
    /// The rule file.
    pub source: String,
    /// 1-based line of the example in the rule file.
    pub line: usize,
    /// What went wrong (never a secret: placeholders are named, not expanded).
    pub message: String,
}

/// The findings of one example of a rule.
#[derive(Debug, Clone)]
pub struct ExampleFindings {
    /// 1-based line of the example in the rule file.
    pub line: usize,
    /// The example's path (the file it stands for).
    pub path: String,
    /// The findings of the rule on it (the scanner's or the audit analysis's order), with
    /// secrets masked as in any other output.
    pub findings: Vec<Finding>,
}

/// The seed of the fake keys of the `i`-th (0-based) example: fixed, so a run is repeatable.
fn example_seed(i: usize) -> u64 {
    i as u64 + 1
}

/// The seed of the fake keys of the `i`-th (0-based) counter-example.
fn counter_example_seed(i: usize) -> u64 {
    1000 + i as u64
}

/// The findings of `rule` in the example, and whether the path-less screen used by history
/// scans ([`Detector::screen`]) would have let the file through to the full scan.
fn run(rule: &Rule, catalogue: &RuleSet, ex: &Example, seed: u64) -> (Vec<Finding>, bool) {
    if rule.kind == Kind::Account {
        return (run_account(rule, catalogue, ex), true);
    }
    let mut fakes = Fakes::new(seed);
    let (content, _) = expand(&ex.content, &mut fakes);
    let mut config = crate::config::Config::default();
    if let Some(text) = &ex.registry {
        config.registry = crate::registry::parse("registry", text)
            .ok()
            .map(std::sync::Arc::new);
    }
    let found: Vec<Finding> =
        crate::scan::scan_bytes_with(&ex.path, content.as_bytes(), catalogue, &config)
            .into_iter()
            .filter(|f| f.rule.id == rule.id)
            .collect();
    let screened_in = match Detector::new(catalogue).screen(content.as_bytes()) {
        Screen::MayHit => true,
        Screen::NoKeyword => Detector::keyword_free(&ex.path),
        Screen::NoShape => false,
    };
    (found, screened_in)
}

/// The findings of an account rule on an example's registry, audit-log lines and date.
fn run_account(rule: &Rule, catalogue: &RuleSet, ex: &Example) -> Vec<Finding> {
    let Some(registry) = ex
        .registry
        .as_deref()
        .and_then(|t| crate::registry::parse("registry.yaml", t).ok())
    else {
        return Vec::new();
    };
    let Some(as_of) = ex.as_of.as_deref().and_then(crate::registry::parse_date) else {
        return Vec::new();
    };
    let mut activity = crate::auditlog::activity::Activity::new(&registry);
    let mut stats = crate::auditlog::ReadStats::default();
    for line in ex.audit_log.iter().flat_map(|l| l.lines()) {
        if let Ok(ev) = crate::auditlog::parse_line(line.as_bytes()) {
            stats.events += 1;
            activity.add(&ev);
        }
    }
    crate::audit::run::analyze(
        &registry,
        std::path::Path::new("registry.yaml"),
        catalogue,
        &crate::config::Config::default(),
        &activity,
        ex.audit_log.is_some(),
        &stats,
        as_of,
    )
    .findings
    .into_iter()
    .filter(|f| f.rule.id == rule.id)
    .collect()
}

/// The findings of `rule` on each of its examples (not the counter-examples), in the rule
/// file's order, with the same fake keys as [`check`] uses.
pub fn findings(rule: &Rule, catalogue: &RuleSet) -> Vec<ExampleFindings> {
    rule.examples
        .iter()
        .enumerate()
        .map(|(i, ex)| ExampleFindings {
            line: ex.line,
            path: ex.path.clone(),
            findings: run(rule, catalogue, ex, example_seed(i)).0,
        })
        .collect()
}

/// Checks every example of every rule of `catalogue`.
pub fn check(catalogue: &RuleSet) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    for rule in catalogue.iter() {
        let secret = rule.kind == Kind::Secret;
        for (i, ex) in rule.examples.iter().enumerate() {
            let (found, screened_in) = run(rule, catalogue, ex, example_seed(i));
            let n = found.len();
            if secret && n > 0 && !screened_in {
                failures.push(ExampleFailure {
                    rule: rule.id.clone(),
                    source: rule.source.clone(),
                    line: ex.line,
                    message: format!(
                        "example `{}` is found by the scan but dropped by the path-less screen of history scans",
                        ex.path
                    ),
                });
            }
            let ok = match ex.expect {
                Some(e) => n == e,
                None => n > 0,
            };
            if !ok {
                let want = ex
                    .expect
                    .map_or("at least 1".to_string(), |e| e.to_string());
                failures.push(ExampleFailure {
                    rule: rule.id.clone(),
                    source: rule.source.clone(),
                    line: ex.line,
                    message: format!(
                        "example `{}` gave {n} finding(s) of {}, expected {want}",
                        ex.path, rule.id
                    ),
                });
            }
        }
        for (i, ex) in rule.counter_examples.iter().enumerate() {
            let n = run(rule, catalogue, ex, counter_example_seed(i)).0.len();
            if n > 0 {
                failures.push(ExampleFailure {
                    rule: rule.id.clone(),
                    source: rule.source.clone(),
                    line: ex.line,
                    message: format!(
                        "counter-example `{}` gave {n} finding(s) of {}, expected none",
                        ex.path, rule.id
                    ),
                });
            }
        }
    }
    failures
}
