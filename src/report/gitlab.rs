//! `--format gitlab`: the GitLab Code Quality report (a JSON array of issues with
//! `description`, `check_name`, `fingerprint`, `severity`, `location.path`,
//! `location.lines.begin`), shown in merge requests when uploaded as
//! `artifacts:reports:codequality`.

use std::collections::HashMap;

use serde::Serialize;

use crate::finding::Outcome;
use crate::rules::Severity;

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: String,
    categories: [&'static str; 1],
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

/// Renders the findings as a Code Quality report. GitLab compares reports by fingerprint:
/// ours hashes the finding's own fingerprint (rule and secret, or rule and object) with its
/// path, so an issue keeps its identity when lines move; two identical findings in one file
/// are told apart by their order.
pub fn render(outcome: &Outcome) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Issue<'_>> = outcome
        .findings
        .iter()
        .filter_map(|f| {
            let loc = f.location.as_ref()?;
            let base = format!("{}|{}", f.fingerprint, loc.path);
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            let identity = format!("{base}|{n}");
            let fingerprint = crate::detect::mask::fingerprint("gitlab", identity.as_bytes());
            Some(Issue {
                kind: "issue",
                description: format!("{}: {}", f.rule.id, f.message),
                check_name: format!("{}/{}", f.rule.id, f.rule.name),
                categories: ["Security"],
                fingerprint,
                severity: match f.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "major",
                    Severity::Info => "info",
                },
                location: IssueLocation {
                    path: &loc.path,
                    lines: Lines {
                        begin: loc.line,
                        end: loc.end_line,
                    },
                },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
