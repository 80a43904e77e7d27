//! `--format json`: `{"version": 1, "tool": {...}, "findings": [...], "summary": {...},
//! "errors": [...]}` with 1-based lines and character columns.

use serde::Serialize;

use crate::finding::{CommitInfo, Outcome, Problem, Summary};

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    name: &'a str,
    kind: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shape: Option<&'a str>,
    help: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a CommitInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_head: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commits: Option<usize>,
    /// What W&B said about the key (`scan --verify`).
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<&'a crate::finding::Verification>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
    errors: &'a [Problem],
}

/// `--format json`.
#[derive(Debug, Clone, Copy)]
pub struct Json;

impl super::Renderer for Json {
    fn render(&self, outcome: &Outcome, _: &super::Context<'_>) -> String {
        render(outcome)
    }
}

/// Renders the whole outcome as one pretty-printed JSON document.
pub fn render(outcome: &Outcome) -> String {
    let findings = outcome
        .findings
        .iter()
        .map(|f| {
            let loc = f.location.as_ref();
            JsonFinding {
                rule: &f.rule.id,
                name: &f.rule.name,
                kind: f.rule.kind.as_str(),
                severity: f.severity.as_str(),
                message: &f.message,
                account: f.account(),
                path: loc.map(|l| l.path.as_str()),
                line: loc.map(|l| l.line),
                column: loc.map(|l| l.column),
                end_line: loc.map(|l| l.end_line),
                end_column: loc.map(|l| l.end_column),
                fingerprint: &f.fingerprint,
                secret: f.redacted(),
                shape: f.shape(),
                help: f
                    .help
                    .clone()
                    .unwrap_or_else(|| super::help_line(&f.rule.remediation)),
                url: f.rule.url(),
                commit: f.commit(),
                in_head: f.history().map(|h| h.in_head),
                commits: f.history().map(|h| h.commit_count),
                verification: f.verified(),
                reference: f.history().and_then(|h| h.reference.as_deref()),
            }
        })
        .collect();
    let doc = Document {
        version: 1,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        findings,
        summary: &outcome.summary,
        errors: &outcome.problems,
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
