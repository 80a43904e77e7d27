//! Baselines: the findings a team has accepted for now, recorded so that only new ones fail a
//! run. An entry is a finding's stable identity (a hash of its fingerprint, path or account,
//! and rank; never a secret, never a line number), with the rule and path or account for
//! people reading the file. The file is JSON with one entry per line, sorted, so it merges
//! like code. Entries that match nothing any more are reported so the baseline can shrink.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::detect::mask::stable_ids;
use crate::finding::{Outcome, Problem};
use crate::rules::Severity;

/// The format version written and read.
pub const VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Where (for readers; the identity already includes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The account, for account findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The rule id.
    pub rule: String,
    /// The finding's stable identity.
    pub id: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    tool: String,
    entries: Vec<Entry>,
}

/// Why a baseline file could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    /// Unreadable.
    #[error("cannot read baseline `{path}`: {message}")]
    #[diagnostic(code(baseline::read))]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Not a baseline.
    #[error("invalid baseline `{path}`: {message}")]
    #[diagnostic(
        code(baseline::invalid),
        help("write a new one with `wandb-sa-lint baseline [scan options] -o FILE`")
    )]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong (with line and column).
        message: String,
    },
}

/// The entries of the outcome's findings, sorted.
pub fn entries(outcome: &Outcome) -> Vec<Entry> {
    let mut v: Vec<Entry> = outcome
        .findings
        .iter()
        .zip(stable_ids(&outcome.findings))
        .map(|(f, id)| Entry {
            path: f.location.as_ref().map(|l| l.path.clone()),
            account: f.account().map(str::to_string),
            rule: f.rule.id.clone(),
            id,
        })
        .collect();
    v.sort();
    v
}

/// The baseline file for the outcome's findings: one entry per line.
pub fn render(outcome: &Outcome) -> String {
    let mut s = format!(
        "{{\"version\": {VERSION}, \"tool\": \"{}\", \"entries\": [\n",
        env!("CARGO_PKG_NAME")
    );
    let list = entries(outcome);
    for (i, e) in list.iter().enumerate() {
        let line = serde_json::to_string(e).unwrap_or_default();
        let comma = if i + 1 < list.len() { "," } else { "" };
        let _ = writeln!(s, "{line}{comma}");
    }
    s.push_str("]}\n");
    s
}

/// Loads a baseline file.
pub fn load(path: &Path) -> Result<Vec<Entry>, BaselineError> {
    let shown = path.display().to_string();
    let text = crate::source::files::read_to_string(path).map_err(|e| BaselineError::Read {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    parse(&text, &shown)
}

/// Parses a baseline's text; `shown` names the file in errors (a path, or `REV:path` for a
/// baseline read from a git revision).
pub fn parse(text: &str, shown: &str) -> Result<Vec<Entry>, BaselineError> {
    let file: File = serde_json::from_str(text).map_err(|e| BaselineError::Invalid {
        path: shown.to_string(),
        message: e.to_string(),
    })?;
    if file.version != VERSION {
        return Err(BaselineError::Invalid {
            path: shown.to_string(),
            message: format!("version {} (this build reads {VERSION})", file.version),
        });
    }
    Ok(file.entries)
}

/// The entries of `baseline` that `base` does not hold (counted: an entry twice in
/// `baseline` and once in `base` is one added entry), in `baseline`'s order.
pub fn added<'a>(baseline: &'a [Entry], base: &[Entry]) -> Vec<&'a Entry> {
    let mut left: BTreeMap<&str, usize> = BTreeMap::new();
    for e in base {
        *left.entry(e.id.as_str()).or_default() += 1;
    }
    baseline
        .iter()
        .filter(|e| match left.get_mut(e.id.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

/// Hides the findings the baseline accepts, counts them, and reports the entries that match
/// nothing among those about what the run covered (its coverage). Each entry hides one finding.
pub fn apply(outcome: &mut Outcome, baseline: &[Entry], file: &str) {
    let mut wanted: BTreeMap<&str, usize> = BTreeMap::new();
    for e in baseline {
        *wanted.entry(e.id.as_str()).or_default() += 1;
    }
    let ids = stable_ids(&outcome.findings);
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let mut keep = Vec::with_capacity(outcome.findings.len());
    let mut hidden = 0;
    for (f, id) in std::mem::take(&mut outcome.findings).into_iter().zip(ids) {
        let allowed = wanted.get(id.as_str()).copied().unwrap_or(0);
        let n = used.entry(id).or_default();
        if *n < allowed {
            *n += 1;
            hidden += 1;
        } else {
            keep.push(f);
        }
    }
    outcome.findings = keep;
    outcome.summary.baselined = hidden;
    for e in baseline {
        // A stale id is named whole in the warning; 32 hex is the fingerprint shape, never a
        // W&B key's, so only that is let through the output mask.
        crate::detect::mask::trust_fingerprint(&e.id);
        let n = used.get_mut(&e.id);
        match n {
            Some(n) if *n > 0 => *n -= 1,
            // An entry about what this run did not cover, or about a rule that did not run,
            // cannot be judged by it.
            _ if !covered(&outcome.coverage, e) || !outcome.rules_run.contains(&e.rule) => {}
            _ => {
                let what = e
                    .account
                    .as_deref()
                    .map(|a| format!("account `{a}`"))
                    .or_else(|| e.path.as_deref().map(|p| format!("`{p}`")))
                    .unwrap_or_default();
                outcome.problems.push(Problem {
                    level: Severity::Warning,
                    path: Some(file.to_string()),
                    message: format!(
                        "baseline `{file}`: entry {} {what} (id {}) matches no finding any more; regenerate the baseline to drop it",
                        e.rule, e.id
                    ),
                });
            }
        }
    }
    outcome.count();
}

/// Whether the entry `e` is about what a run with `coverage` covered.
fn covered(coverage: &crate::finding::Coverage, e: &Entry) -> bool {
    match (&e.path, &e.account) {
        (Some(path), None) => coverage.covers(path),
        _ => *coverage == crate::finding::Coverage::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            path: None,
            account: None,
            rule: "S001".into(),
            id: id.into(),
        }
    }

    #[test]
    fn added_counts_duplicates() {
        let base = [entry("a"), entry("b")];
        let head = [entry("b"), entry("a"), entry("a"), entry("c")];
        let ids: Vec<&str> = added(&head, &base).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert!(added(&base[..1], &base).is_empty());
    }
}
