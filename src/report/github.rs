//! `--format github`: GitHub Actions workflow commands, one per finding
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`), which the runner
//! turns into annotations on the pull request's diff.

use std::fmt::Write as _;

use crate::finding::{Finding, Outcome};
use crate::rules::Severity;

/// Escapes a command's message as the runner expects (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`, which delimit properties).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One finding as a workflow command line.
pub fn command(f: &Finding) -> String {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if let Some(l) = &f.location {
        props.push(format!("file={}", escape_property(&l.path)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
        props.push(format!("endLine={}", l.end_line));
        if l.end_line == l.line {
            props.push(format!("endColumn={}", l.end_column));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("{} {}", f.rule.id, f.rule.name))
    ));
    let help = f
        .help
        .clone()
        .unwrap_or_else(|| super::help_line(&f.rule.remediation));
    let message = format!("{}\n{help}\n{}", f.message, f.rule.url());
    format!("::{level} {}::{}", props.join(","), escape_data(&message))
}

/// `--format github`.
#[derive(Debug, Clone, Copy)]
pub struct Github;

impl super::Renderer for Github {
    fn render(&self, outcome: &Outcome, _: &super::Context<'_>) -> String {
        render(outcome)
    }
}

/// Every finding, one command per line.
pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        let _ = writeln!(out, "{}", command(f));
    }
    out
}
