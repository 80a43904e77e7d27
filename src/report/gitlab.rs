//! `--format gitlab`: the GitLab Code Quality report (a JSON array of issues with
//! `description`, `check_name`, `fingerprint`, `severity`, `location.path`,
//! `location.lines.begin`), shown in merge requests when uploaded as
//! `artifacts:reports:codequality`.

use serde::Serialize;

use crate::detect::mask::stable_ids;
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

/// `--format gitlab`.
#[derive(Debug, Clone, Copy)]
pub struct Gitlab;

impl super::Renderer for Gitlab {
    fn render(&self, outcome: &Outcome, _: &super::Context<'_>) -> String {
        render(outcome)
    }
}

/// Renders the findings as a Code Quality report. GitLab compares reports by fingerprint:
/// ours is the finding's stable identity (no line in it), so an issue keeps its identity when
/// lines move.
pub fn render(outcome: &Outcome) -> String {
    let issues: Vec<Issue<'_>> = outcome
        .findings
        .iter()
        .zip(stable_ids(&outcome.findings))
        .filter_map(|(f, fingerprint)| {
            let loc = f.location.as_ref()?;
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
