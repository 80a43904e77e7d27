//! Runs a rule's examples and counter-examples through the real scanner: every example must
//! produce a finding of the rule (exactly `expect` of them when given), every counter-example
//! none. Used by the test suite and by `rules check`.

use super::fakes::{expand, Fakes};
use super::{Example, Rule, RuleSet};
use crate::detect::{Detector, Screen};

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

/// The findings of `rule` in the example, and whether the path-less screen used by history
/// scans ([`Detector::screen`]) would have let the file through to the full scan.
fn count(rule: &Rule, catalogue: &RuleSet, ex: &Example, seed: u64) -> (usize, bool) {
    if rule.kind == super::Kind::Account {
        return (count_account(rule, catalogue, ex), true);
    }
    let mut fakes = Fakes::new(seed);
    let (content, _) = expand(&ex.content, &mut fakes);
    let mut config = crate::config::Config::default();
    if let Some(text) = &ex.registry {
        config.registry = crate::registry::parse("registry", text)
            .ok()
            .map(std::sync::Arc::new);
    }
    let n = crate::scan::scan_bytes_with(&ex.path, content.as_bytes(), catalogue, &config)
        .iter()
        .filter(|f| f.rule.id == rule.id)
        .count();
    let screened_in = match Detector::new(catalogue).screen(content.as_bytes()) {
        Screen::MayHit => true,
        Screen::NoKeyword => Detector::keyword_free(&ex.path),
        Screen::NoShape => false,
    };
    (n, screened_in)
}

/// The findings of an account rule on an example's registry, audit-log lines and date.
fn count_account(rule: &Rule, catalogue: &RuleSet, ex: &Example) -> usize {
    let Some(registry) = ex
        .registry
        .as_deref()
        .and_then(|t| crate::registry::parse("registry.yaml", t).ok())
    else {
        return 0;
    };
    let Some(as_of) = ex.as_of.as_deref().and_then(crate::registry::parse_date) else {
        return 0;
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
    .iter()
    .filter(|f| f.rule.id == rule.id)
    .count()
}

/// Checks every example of every rule of `catalogue`.
pub fn check(catalogue: &RuleSet) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    for rule in catalogue.iter() {
        let secret = rule.kind == super::Kind::Secret;
        for (i, ex) in rule.examples.iter().enumerate() {
            let (n, screened_in) = count(rule, catalogue, ex, i as u64 + 1);
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
            let (n, _) = count(rule, catalogue, ex, 1000 + i as u64);
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
