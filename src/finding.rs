//! The finding model every output format renders. A finding holds no secret: only a redacted
//! form, a fingerprint and a masked snippet.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

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
    /// Masked source window for the terminal.
    pub snippet: Option<Snippet>,
    /// Help specific to this finding (the snippet to add); the rule's remediation otherwise.
    pub help: Option<String>,
    /// What only this kind of finding has.
    pub detail: Detail,
}

/// The part of a finding that depends on its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A secret in a file.
    Secret {
        /// The secret redacted (`wand…(86)`).
        redacted: String,
        /// The key shape.
        shape: String,
        /// Where the secret came from, for history scans.
        history: Option<History>,
        /// What W&B said about the key (`scan --verify`).
        verified: Option<Box<Verification>>,
    },
    /// A configuration finding: nothing beyond the common fields.
    Config,
    /// A finding about a service account.
    Account {
        /// The service account (or audit-log actor) concerned.
        account: String,
    },
}

/// What W&B said about a found key when asked who it belongs to (`scan --verify`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// `live`, `revoked` or `unknown`.
    pub status: String,
    /// Why the status is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The owner's W&B username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The owner's default entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Whether the owner is a service account, when W&B tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<bool>,
    /// The registry's account the owner is, when the registry names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry_account: Option<String>,
}

impl Verification {
    /// One clause for a message: `W&B: live, owner `x` (entity `y`, service account), the
    /// registry's `z``.
    pub fn describe(&self) -> String {
        match self.status.as_str() {
            "live" => {
                let mut about = Vec::new();
                if let Some(e) = &self.entity {
                    about.push(format!("entity `{e}`"));
                }
                match self.service_account {
                    Some(true) => about.push("service account".to_string()),
                    Some(false) => about.push("a person's key".to_string()),
                    None => {}
                }
                let mut s = format!(
                    "W&B: live, owner `{}`",
                    self.username.as_deref().unwrap_or("?")
                );
                if !about.is_empty() {
                    s.push_str(&format!(" ({})", about.join(", ")));
                }
                if let Some(r) = &self.registry_account {
                    s.push_str(&format!(", the registry's account `{r}`"));
                }
                s
            }
            "revoked" => "W&B: revoked (the key is no longer accepted)".to_string(),
            _ => format!(
                "W&B: unknown ({})",
                self.reason.as_deref().unwrap_or("not asked")
            ),
        }
    }
}

/// The keys behind a scan's secret findings, by fingerprint, kept only so that `scan
/// --verify` can ask W&B about them. Nothing renders them; `Debug` shows only the count.
#[derive(Clone, Default)]
pub struct FoundKeys(pub Vec<(String, String)>);

impl std::fmt::Debug for FoundKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FoundKeys({} keys)", self.0.len())
    }
}

/// Provenance of a secret found by a history scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// The commit that first introduced the secret at this path, when known.
    pub commit: Option<CommitInfo>,
    /// Whether the secret is still present at HEAD.
    pub in_head: bool,
    /// How many scanned commits hold the secret at this path.
    pub commit_count: usize,
    /// A reference (branch, tag, pull-request ref...) the commit is reachable from.
    pub reference: Option<String>,
}

/// A commit as shown in findings.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full commit id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// First line of the message.
    pub summary: String,
}

/// A masked window of a file around one hit, ready for miette: no secret, at most a few
/// lines, long lines clipped around the hit. Built by `Snippet::new` in
/// [`crate::detect::mask`], which does the masking.
#[derive(Debug, Clone)]
pub struct Snippet {
    /// Display name (the path).
    pub name: String,
    /// The masked window text.
    pub text: String,
    /// 0-based line number of the window's first line in the file.
    pub first_line: usize,
    /// Characters clipped from the start of the hit's line (added back to columns).
    pub col_offset: usize,
    /// 0-based line of the hit within the window.
    pub hit_line: usize,
    /// The hit's byte range within `text`.
    pub span: Range<usize>,
}

impl miette::SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // Columns in characters (miette counts bytes), plus what clipping removed.
        let offset = span.offset().min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let mut column = before.get(line_start..).map_or(0, |t| t.chars().count());
        if inner.line() == self.hit_line {
            column += self.col_offset;
        }
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

impl Finding {
    /// A finding at a file position that holds no secret: a configuration finding, which an
    /// account finding turns into by setting [`Detail::Account`].
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
            snippet: Some(snippet),
            help,
            detail: Detail::Config,
        }
    }

    /// Account findings: the service account (or audit-log actor) concerned.
    pub fn account(&self) -> Option<&str> {
        match &self.detail {
            Detail::Account { account } => Some(account),
            _ => None,
        }
    }

    /// Secret findings: the secret redacted (`wand…(86)`).
    pub fn redacted(&self) -> Option<&str> {
        match &self.detail {
            Detail::Secret { redacted, .. } => Some(redacted),
            _ => None,
        }
    }

    /// Secret findings: the key shape.
    pub fn shape(&self) -> Option<&str> {
        match &self.detail {
            Detail::Secret { shape, .. } => Some(shape),
            _ => None,
        }
    }

    /// History findings: where the secret came from.
    pub fn history(&self) -> Option<&History> {
        match &self.detail {
            Detail::Secret { history, .. } => history.as_ref(),
            _ => None,
        }
    }

    /// Secret findings checked with W&B (`scan --verify`): what W&B said.
    pub fn verified(&self) -> Option<&Verification> {
        match &self.detail {
            Detail::Secret { verified, .. } => verified.as_deref(),
            _ => None,
        }
    }

    /// Records what W&B said about a secret finding's key, and says it in the message (so
    /// every format shows it). Findings that hold no secret are left as they are.
    pub fn set_verified(&mut self, v: Verification) {
        if let Detail::Secret { verified, .. } = &mut self.detail {
            self.message.push_str("; ");
            self.message.push_str(&v.describe());
            *verified = Some(Box::new(v));
        }
    }

    /// History findings: the commit that first introduced the secret at this path.
    pub fn commit(&self) -> Option<&CommitInfo> {
        self.history().and_then(|h| h.commit.as_ref())
    }

    /// Secret findings: their provenance, made empty on first use, to be filled by a
    /// history scan. `None` for findings that hold no secret.
    pub fn history_mut(&mut self) -> Option<&mut History> {
        match &mut self.detail {
            Detail::Secret { history, .. } => Some(history.get_or_insert_with(History::default)),
            _ => None,
        }
    }

    /// Sort key: path, line, column, rule.
    pub fn sort_key(&self) -> (Option<&Location>, &str) {
        (self.location.as_ref(), self.rule.id.as_str())
    }
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
    /// Configuration files that name W&B variables but could not be read (their YAML does not
    /// parse): their configuration rules did not run (`unreadable-wandb-config`).
    #[serde(skip_serializing_if = "is_zero")]
    pub unreadable_wandb_configs: usize,
    /// History scans: commits walked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commits_scanned: Option<usize>,
    /// History scans: unique blobs read and scanned (each once, however many commits hold it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blobs_scanned: Option<usize>,
    /// History scans: the references the walk started from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refs_scanned: Option<RefsScanned>,
    /// Audit runs: what was analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditSummary>,
    /// Wall time in milliseconds: shown in the human summary only, so that the JSON of one
    /// input is the same from run to run.
    #[serde(skip)]
    pub elapsed_ms: u128,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The references a history scan started from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RefsScanned {
    /// How many.
    pub count: usize,
    /// How many of each kind: `branch`, `tag`, `remote`, `pull` (pull- and merge-request
    /// refs), `other` (HEAD, revisions, notes, stash...).
    pub kinds: BTreeMap<String, usize>,
    /// Their names, when there are at most [`RefsScanned::NAMED`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

impl RefsScanned {
    /// Up to this many references are named.
    pub const NAMED: usize = 10;

    /// The summary of `refs` (full names, or revisions as given).
    pub fn new(refs: &[String]) -> Self {
        let mut kinds = BTreeMap::new();
        for r in refs {
            let kind = if r.starts_with("refs/heads/") {
                "branch"
            } else if r.starts_with("refs/tags/") {
                "tag"
            } else if r.starts_with("refs/remotes/") {
                "remote"
            } else if r.starts_with("refs/pull/") || r.starts_with("refs/merge-requests/") {
                "pull"
            } else {
                "other"
            };
            *kinds.entry(kind.to_string()).or_default() += 1;
        }
        let names = if refs.len() <= Self::NAMED {
            refs.to_vec()
        } else {
            Vec::new()
        };
        Self {
            count: refs.len(),
            kinds,
            names,
        }
    }
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

/// What a run covered. Only an entry about what it covered (a baseline entry, an allow entry)
/// can be said to match nothing: a scan of `src/`, of the staged change or of a commit range
/// cannot know whether the keys elsewhere are still there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Coverage {
    /// Everything the entries can be about: a whole repository, history or audit.
    #[default]
    Whole,
    /// Only these places, each as a display path (a folder covers what is under it) and the
    /// same place as a clean absolute path. None at all for a commit range: the keys from
    /// before it are out of its view.
    Paths(Vec<(String, std::path::PathBuf)>),
}

impl Coverage {
    /// Whether the file or folder at display path `path` lies in what was covered.
    pub fn covers(&self, path: &str) -> bool {
        match self {
            Coverage::Whole => true,
            Coverage::Paths(places) => places.iter().any(|(shown, _)| {
                path == shown
                    || path
                        .strip_prefix(shown.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            }),
        }
    }

    /// Whether the file or folder at the clean absolute path `abs` lies in what was covered.
    pub fn covers_abs(&self, abs: &std::path::Path) -> bool {
        match self {
            Coverage::Whole => true,
            Coverage::Paths(places) => places.iter().any(|(_, p)| abs.starts_with(p)),
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
    /// Skipped files and why: those skipped for a reason that leaves them unchecked (too
    /// large, a submodule), and every one when the run was asked to record them (`--verbose`).
    pub skipped_files: Vec<(String, String)>,
    /// Inputs named for the run, or whole folders under them, that could not be read at all
    /// (each also has a problem): the run could not check what it was asked to, and exits 2.
    pub unread: Vec<String>,
    /// The ids of the rules that ran, in catalogue order: a rule turned off, one whose input
    /// was not given (the registry rules without a registry, the account rules in a scan) or
    /// one the kind of run does not use (configuration rules on history) did not run.
    pub rules_run: Vec<String>,
    /// What the run covered (for judging entries that match nothing).
    pub coverage: Coverage,
    /// The keys of the secret findings (for `scan --verify` only; never rendered).
    pub keys: FoundKeys,
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
