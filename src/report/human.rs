//! `--format human`: one miette diagnostic per finding (masked snippet, rule code, help, link)
//! and a closing summary.

use std::fmt::{self, Display, Write as _};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::escape::one_line;
use crate::finding::{Finding, Outcome, Problem, Snippet};
use crate::rules::Severity;

/// How to draw.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Line width.
    pub width: usize,
    /// Screen-reader layout (miette's narratable handler), asked for with `NO_GRAPHICS`.
    pub narratable: bool,
}

struct FindingDiag<'a> {
    f: &'a Finding,
    /// The message on one line, keys masked.
    message: String,
    help: String,
    /// The snippet with its name (the path) on one line.
    snippet: Option<Snippet>,
}

impl fmt::Debug for FindingDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Display for FindingDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiag<'_> {}

impl Diagnostic for FindingDiag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn Display + 'b>> {
        Some(Box::new(format!("{}/{}", self.f.rule.id, self.f.rule.name)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn Display + 'b>> {
        Some(Box::new(&self.help))
    }
    fn url<'b>(&'b self) -> Option<Box<dyn Display + 'b>> {
        Some(Box::new(self.f.rule.url()))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let s = self.snippet.as_ref()?;
        let label = match (self.f.shape(), self.f.account()) {
            (Some(shape), _) => format!("{shape} shape"),
            (None, Some(account)) => format!("`{}`", one_line(account)),
            (None, None) => "here".to_string(),
        };
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label), s.span.clone()),
        )))
    }
}

fn handler(style: Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        // A long token is never cut across lines: a key split in two would escape masking.
        .with_break_words(false)
        .with_links(false)
        .with_urls(true)
        .with_primary_span_start()
        .with_context_lines(1)
}

/// Renders one finding as a miette diagnostic.
pub fn render_finding(f: &Finding, style: Style) -> String {
    let help = f
        .help
        .clone()
        .unwrap_or_else(|| super::help_line(&f.rule.remediation));
    let diag = FindingDiag {
        f,
        message: one_line(&f.message),
        // Help may span lines (a snippet to add); the output layer masks and escapes it.
        help,
        snippet: f.snippet.as_ref().map(|s| Snippet {
            name: one_line(&s.name),
            ..s.clone()
        }),
    };
    let mut out = String::new();
    let rendered = if style.narratable {
        miette::NarratableReportHandler::new().render_report(&mut out, &diag)
    } else {
        handler(style).render_report(&mut out, &diag)
    };
    if rendered.is_err() {
        // Rendering is best effort; the plain line still says everything essential.
        out.clear();
        if let Some(l) = &f.location {
            let _ = writeln!(
                out,
                "{}:{}:{}: {} {}",
                one_line(&l.path),
                l.line,
                l.column,
                f.rule.id,
                diag.message
            );
        }
    }
    out
}

/// One problem line: `warning: cannot read ...`.
pub fn render_problem(p: &Problem) -> String {
    format!("{}: {}\n", p.level, one_line(&p.message))
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS.get(u).copied().unwrap_or("B"))
    }
}

/// Info notes printed without `-v`: a screenful. Each says something was not checked (a file
/// whose configuration rules were skipped, an include not read), so they are shown by
/// default; past this many the summary says how many more `-v` lists.
pub const NOTES_SHOWN: usize = 20;

/// The problems to print, in order: every error and warning, and the first [`NOTES_SHOWN`]
/// info notes (all with `verbose`, none with `quiet`); and how many info notes that leaves out.
pub fn shown_problems(outcome: &Outcome, verbose: bool, quiet: bool) -> (Vec<&Problem>, usize) {
    let room = match (verbose, quiet) {
        (true, _) => usize::MAX,
        (false, true) => 0,
        (false, false) => NOTES_SHOWN,
    };
    let mut notes = 0;
    let mut hidden = 0;
    let mut shown = Vec::new();
    for p in &outcome.problems {
        if p.level >= Severity::Warning {
            shown.push(p);
        } else if notes < room {
            notes += 1;
            shown.push(p);
        } else {
            hidden += 1;
        }
    }
    (shown, hidden)
}

/// The closing summary. `timing` false leaves out the elapsed time (for snapshots).
pub fn render_summary(outcome: &Outcome, timing: bool) -> String {
    render_summary_hiding(outcome, timing, 0)
}

/// [`render_summary`] when `hidden` of the outcome's problems were not printed: the count of
/// input problems says so and points at `-v`.
pub fn render_summary_hiding(outcome: &Outcome, timing: bool, hidden: usize) -> String {
    let s = &outcome.summary;
    let mut out = String::new();
    let skipped: usize = s.skipped.values().sum();
    let read = format!(
        "{} ({})",
        count(s.files_scanned, "file"),
        size(s.bytes_scanned)
    );
    let _ = match (&s.audit, s.commits_scanned, s.blobs_scanned) {
        (Some(a), _, _) => {
            let window = match (&a.window_start, &a.window_end) {
                (Some(from), Some(to)) => {
                    format!(", {from} to {to} ({})", count(a.observed_days, "day"))
                }
                _ => String::new(),
            };
            let bad = if a.malformed_lines > 0 {
                format!(", {} malformed", a.malformed_lines)
            } else {
                String::new()
            };
            write!(
                out,
                "audited {} as of {}: {} from {} ({}{bad}){window}",
                count(a.accounts, "service account"),
                a.as_of,
                count(a.events, "event"),
                count(a.log_files, "log file"),
                count(a.log_lines, "line"),
            )
        }
        (None, Some(c), Some(b)) => write!(
            out,
            "scanned {}{}: {}, {read} read",
            count(c, "commit"),
            s.refs_scanned.as_ref().map(refs_line).unwrap_or_default(),
            count(b, "unique blob")
        ),
        _ => write!(out, "scanned {read}"),
    };
    if timing {
        let _ = write!(out, " in {} ms", s.elapsed_ms);
    }
    if skipped > 0 {
        let reasons: Vec<String> = s.skipped.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = write!(out, "; skipped {skipped} ({})", reasons.join(", "));
    }
    out.push('\n');
    let n = outcome.findings.len();
    let by = |k: &str| s.findings.get(k).copied().unwrap_or(0);
    let _ = write!(
        out,
        "{}: {} error, {} warning, {} info",
        count(n, "finding"),
        by("error"),
        by("warning"),
        by("info")
    );
    if s.suppressed > 0 {
        let _ = write!(out, " ({} suppressed)", s.suppressed);
    }
    if s.baselined > 0 {
        let _ = write!(out, " ({} in the baseline)", s.baselined);
    }
    if !outcome.problems.is_empty() {
        let _ = write!(out, "; {}", count(outcome.problems.len(), "input problem"));
        if hidden > 0 {
            let _ = write!(out, " ({hidden} not shown; -v lists them)");
        }
    }
    out.push('\n');
    let unreadable = s.unreadable_wandb_configs;
    if unreadable > 0 {
        let _ = writeln!(
            out,
            "not checked: {} naming W&B variables could not be read, so the configuration rules did not run on {} (see `unreadable-wandb-config`)",
            count(unreadable, "configuration file"),
            if unreadable == 1 { "it" } else { "them" }
        );
    }
    out
}

/// ` from 3 refs (refs/heads/main, ...)`, or by kind when there are many.
fn refs_line(r: &crate::finding::RefsScanned) -> String {
    let what = if r.names.is_empty() {
        r.kinds
            .iter()
            .map(|(kind, n)| match kind.as_str() {
                "branch" if *n != 1 => format!("{n} branches"),
                "remote" => count(n, "remote-tracking ref"),
                "pull" => count(n, "pull-request ref"),
                "other" => count(n, "other ref"),
                k => count(n, k),
            })
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        r.names.join(", ")
    };
    format!(" from {} ({what})", count(r.count, "ref"))
}

/// `1 file`, `2 files`: a count with its noun in agreement.
pub fn count(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    let s = if n == "1" { "" } else { "s" };
    format!("{n} {noun}{s}")
}

/// Every finding, each followed by a blank line.
pub fn render_findings(outcome: &Outcome, style: Style) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        out.push_str(&render_finding(f, style));
        out.push('\n');
    }
    out
}

/// All findings, then the summary.
pub fn render(outcome: &Outcome, style: Style, timing: bool) -> String {
    let mut out = render_findings(outcome, style);
    out.push_str(&render_summary(outcome, timing));
    out
}

/// `--format human`: the findings as diagnostics; the caller prints the summary after them.
#[derive(Debug, Clone, Copy)]
pub struct Human;

impl super::Renderer for Human {
    fn render(&self, outcome: &Outcome, cx: &super::Context<'_>) -> String {
        render_findings(outcome, cx.style)
    }

    fn for_people(&self) -> bool {
        true
    }
}
