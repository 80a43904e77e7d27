//! The finding model every output format renders. A finding holds no secret: only a redacted
//! form, a fingerprint and a masked snippet.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::detect::mask::Snippet;
use crate::rules::{Rule, Severity};

/// Where a finding is: a file position (1-based lines and character columns).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Path as displayed (relative to where the scan started, `/`-separated).
    pub path: String,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column of the start, in characters.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column just past the end, in characters.
    pub end_column: usize,
}

/// One problem found.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule.
    pub rule: Arc<Rule>,
    /// Effective severity (the rule's, or the configured override).
    pub severity: Severity,
    /// One line naming the object.
    pub message: String,
    /// File position, if the finding is in a file.
    pub location: Option<Location>,
    /// Rule-and-secret hash: stable across files, lines and commits.
    pub fingerprint: String,
    /// The secret redacted (`wand…(86)`), for secret findings.
    pub redacted: Option<String>,
    /// Key shape, for secret findings.
    pub shape: Option<String>,
    /// Masked source window for the terminal.
    pub snippet: Option<Snippet>,
    /// History findings: the commit that first introduced the secret at this path.
    pub commit: Option<crate::source::history::CommitInfo>,
    /// History findings: whether the secret is still present at HEAD.
    pub in_head: Option<bool>,
    /// History findings: how many scanned commits hold the secret at this path.
    pub commit_count: Option<usize>,
    /// Help specific to this finding (the snippet to add); the rule's remediation otherwise.
    pub help: Option<String>,
    /// Account findings: the service account (or audit-log actor) concerned.
    pub account: Option<String>,
}

impl Finding {
    /// A finding at a file position that holds no secret (configuration and account findings).
    pub fn located(
        rule: &Arc<Rule>,
        message: String,
        location: Location,
        fingerprint: String,
        snippet: Snippet,
        help: Option<String>,
    ) -> Self {
        Finding {
            rule: Arc::clone(rule),
            severity: rule.severity,
            message,
            location: Some(location),
            fingerprint,
            redacted: None,
            shape: None,
            snippet: Some(snippet),
            commit: None,
            in_head: None,
            commit_count: None,
            help,
            account: None,
        }
    }

    /// Sort key: path, line, column, rule.
    pub fn sort_key(&self) -> (Option<&Location>, &str) {
        (self.location.as_ref(), self.rule.id.as_str())
    }
}

/// A stable identity for each finding, in order: a hash of its fingerprint (rule and secret,
/// or rule and object), its path and its rank among identical findings of that path. It has no
/// line or column, so it survives lines moving and reformatting; SARIF, GitLab Code Quality and
/// baselines use it.
pub fn stable_ids(findings: &[Finding]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    findings
        .iter()
        .map(|f| {
            let path = f.location.as_ref().map_or("", |l| l.path.as_str());
            let account = f.account.as_deref().unwrap_or("");
            let base = format!("{}|{path}|{account}", f.fingerprint);
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            crate::detect::mask::fingerprint("stable", format!("{base}|{n}").as_bytes())
        })
        .collect()
}

/// A problem with the input that is not a finding: an unreadable file, a bad config entry, an
/// allow entry that matched nothing. It never turns a run into exit 2 by itself.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// `error`, `warning` or `info`.
    pub level: Severity,
    /// The input it concerns (a path), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What happened, lowercase, naming the input.
    pub message: String,
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files read and scanned.
    pub files_scanned: usize,
    /// Bytes read and scanned.
    pub bytes_scanned: u64,
    /// Files not scanned, by reason (`binary`, `too-large`, `symlink`, `excluded`, ...).
    pub skipped: BTreeMap<String, usize>,
    /// Findings reported, by severity.
    pub findings: BTreeMap<String, usize>,
    /// Findings hidden by allow entries or inline comments.
    pub suppressed: usize,
    /// Findings hidden because the baseline (`--baseline`) accepts them.
    #[serde(skip_serializing_if = "is_zero")]
    pub baselined: usize,
    /// History scans: commits walked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commits_scanned: Option<usize>,
    /// History scans: unique blobs read and scanned (each once, however many commits hold it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blobs_scanned: Option<usize>,
    /// Audit runs: what was analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditSummary>,
    /// Wall time in milliseconds.
    pub elapsed_ms: u128,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What an `audit` run analysed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditSummary {
    /// Registry accounts checked.
    pub accounts: usize,
    /// The date the accounts were judged on.
    pub as_of: String,
    /// Audit-log files read.
    pub log_files: usize,
    /// Non-blank audit-log lines read.
    pub log_lines: usize,
    /// Events analysed.
    pub events: usize,
    /// Lines skipped as malformed.
    pub malformed_lines: usize,
    /// First day of the observed window (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_start: Option<String>,
    /// Last day of the observed window (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_end: Option<String>,
    /// Days the window covers.
    pub observed_days: i64,
}

impl Summary {
    /// Counts one skipped file.
    pub fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
    }

    /// Adds another summary's counts (from a parallel worker).
    pub fn merge(&mut self, other: Summary) {
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.suppressed += other.suppressed;
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        for (k, v) in other.findings {
            *self.findings.entry(k).or_default() += v;
        }
    }
}

/// Everything a run produced, handed to an output format.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Findings, sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    /// Input problems.
    pub problems: Vec<Problem>,
    /// Counts.
    pub summary: Summary,
    /// Skipped files and why, when the run was asked to record them (`--verbose`).
    pub skipped_files: Vec<(String, String)>,
    /// Inputs named for the run, or whole folders under them, that could not be read at all
    /// (each also has a problem): the run could not check what it was asked to, and exits 2.
    pub unread: Vec<String>,
}

impl Outcome {
    /// The most severe finding's severity.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Recounts findings by severity (after filtering).
    pub fn count(&mut self) {
        self.summary.findings.clear();
        for sev in [Severity::Error, Severity::Warning, Severity::Info] {
            self.summary.findings.insert(sev.as_str().to_string(), 0);
        }
        for f in &self.findings {
            *self
                .summary
                .findings
                .entry(f.severity.as_str().to_string())
                .or_default() += 1;
        }
    }
}
