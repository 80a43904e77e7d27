//! The scan: sources hand files to [`Scanner`], which runs the detector, applies inline and
//! configured suppressions, and turns hits into findings with masked snippets.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use regex::Regex;

use crate::config::{Config, RuleSetting};
use crate::detect::mask::{fingerprint, redact, Snippet};
use crate::detect::{Detector, Hit, Screen};
use crate::finding::{Finding, Location, Outcome, Problem, Summary};
use crate::rules::{Rule, RuleSet, Severity};
use crate::source::pack::BlobClass;
use crate::source::{self, Sink, Skip};

/// Applies `[rules]` settings: drops disabled rules and sets severities. Settings name rules by
/// id or name; a setting that names no rule is reported.
pub fn configure_rules(rules: &RuleSet, config: &Config) -> (RuleSet, Vec<Problem>) {
    let mut problems = Vec::new();
    for key in config.rules.keys() {
        if rules.get(key).is_none() {
            problems.push(Problem {
                level: Severity::Warning,
                path: None,
                message: format!("config names unknown rule `{key}` in [rules]"),
            });
        }
    }
    let mut out = Vec::new();
    for rule in rules.iter() {
        let setting = config
            .rules
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&rule.id) || **k == rule.name)
            .map(|(_, v)| *v);
        match setting {
            Some(RuleSetting::Off) => {}
            Some(RuleSetting::On(sev)) => {
                let mut r = Rule::clone(rule);
                r.severity = sev;
                out.push(r);
            }
            None => out.push(Rule::clone(rule)),
        }
    }
    (RuleSet::new(out), problems)
}

/// Line starts of a file, for 1-based line and character-column positions. Every lookup costs
/// a binary search and at most [`CHAR_BLOCK`] bytes of counting, whatever the line's length:
/// a file of one long line with many findings is positioned in linear total time.
pub struct LineIndex<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
    /// Characters before each [`CHAR_BLOCK`]-aligned byte offset (a checkpoint table).
    chars_before: Vec<usize>,
    /// Inline allow comments by 0-based line, read once per line.
    allows: Mutex<std::collections::HashMap<usize, InlineAllow>>,
}

/// An inline allow comment's rules, and whether it gives a reason.
type InlineAllow = Option<(Vec<String>, bool)>;

/// Bytes between two checkpoints of [`LineIndex`]'s character counts.
const CHAR_BLOCK: usize = 256;

fn is_char_start(b: u8) -> bool {
    (b & 0xC0) != 0x80
}

impl<'a> LineIndex<'a> {
    /// Indexes `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let mut chars_before = Vec::with_capacity(bytes.len() / CHAR_BLOCK + 1);
        let mut n = 0;
        for block in bytes.chunks(CHAR_BLOCK) {
            chars_before.push(n);
            n += block.iter().filter(|b| is_char_start(**b)).count();
        }
        chars_before.push(n);
        Self {
            bytes,
            starts,
            chars_before,
            allows: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Characters in `bytes[..pos]`, from the nearest checkpoint.
    fn chars_upto(&self, pos: usize) -> usize {
        let pos = pos.min(self.bytes.len());
        let block = pos / CHAR_BLOCK;
        let base = self.chars_before.get(block).copied().unwrap_or(0);
        let from = block * CHAR_BLOCK;
        base + self
            .bytes
            .get(from..pos)
            .unwrap_or(&[])
            .iter()
            .filter(|b| is_char_start(**b))
            .count()
    }

    /// 0-based line of byte `pos`.
    pub fn line0(&self, pos: usize) -> usize {
        self.starts.partition_point(|s| *s <= pos).saturating_sub(1)
    }

    /// `span` clamped to the file, and its location under the display `path`. Readers and
    /// checks compute spans; this keeps them inside the file whatever happens.
    pub fn locate(
        &self,
        path: &str,
        span: &std::ops::Range<usize>,
    ) -> (std::ops::Range<usize>, Location) {
        let end = span.end.min(self.bytes.len());
        let span = span.start.min(end)..end;
        let (line, column) = self.position(span.start);
        let (end_line, end_column) = self.position(span.end);
        let loc = Location {
            path: path.to_string(),
            line,
            column,
            end_line,
            end_column,
        };
        (span, loc)
    }

    /// 1-based (line, column in characters) of byte `pos`.
    pub fn position(&self, pos: usize) -> (usize, usize) {
        let l = self.line0(pos);
        let start = self.starts.get(l).copied().unwrap_or(0);
        let pos = pos.min(self.bytes.len()).max(start.min(self.bytes.len()));
        let chars = self
            .chars_upto(pos)
            .saturating_sub(self.chars_upto(start.min(pos)));
        (l + 1, chars + 1)
    }

    /// The inline allow comment on 0-based line `l` (see [`inline_allow`]), read once per line
    /// however many findings the line holds.
    pub fn inline_allow(&self, l: usize) -> InlineAllow {
        if let Ok(mut memo) = self.allows.lock() {
            return memo
                .entry(l)
                .or_insert_with(|| inline_allow(self.line_text(l)))
                .clone();
        }
        inline_allow(self.line_text(l))
    }

    /// The text of 0-based line `l` (without the line break).
    pub fn line_text(&self, l: usize) -> &'a [u8] {
        let start = self.starts.get(l).copied().unwrap_or(self.bytes.len());
        let end = self
            .starts
            .get(l + 1)
            .map_or(self.bytes.len(), |e| e.saturating_sub(1));
        self.bytes.get(start..end.max(start)).unwrap_or(&[])
    }
}

/// An inline `wandb-sa-lint: allow S001 -- reason` comment on a line.
pub(crate) fn inline_allow(line: &[u8]) -> Option<(Vec<String>, bool)> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE
        .get_or_init(|| {
            Regex::new(
                r"wandb-sa-lint:\s*allow\s+([A-Za-z0-9][A-Za-z0-9_, -]*?)\s*(?:--\s*(\S.*))?$",
            )
            .ok()
        })
        .as_ref()?;
    let text = String::from_utf8_lossy(line);
    let caps = re.captures(text.trim_end())?;
    let rules = caps
        .get(1)?
        .as_str()
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Some((rules, caps.get(2).is_some()))
}

/// Adds a file's configuration findings to its secret findings. One location, one finding: a
/// configuration finding on a value a secret rule found is only mentioned in the secret
/// finding (and goes away with it when that one is suppressed).
fn merge_config(
    findings: &mut Vec<Finding>,
    config: Vec<Finding>,
    mentions: &[(usize, usize, String)],
) {
    // The secret findings of each line, by column: a mention looks at its own line only.
    let mut by_line: std::collections::HashMap<usize, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.rule.kind == crate::rules::Kind::Secret {
            if let Some(l) = &f.location {
                by_line.entry(l.line).or_default().push(i);
            }
        }
    }
    for on_line in by_line.values_mut() {
        on_line.sort_by_key(|i| {
            findings
                .get(*i)
                .and_then(|f| f.location.as_ref())
                .map(|l| l.column)
        });
    }
    for (line, column, text) in mentions {
        // Secret findings on one line do not overlap: sorted by column, their ends are sorted
        // too, and the first one ending after `column` is the only candidate.
        let end_of = |i: &usize| {
            findings
                .get(*i)
                .and_then(|f| f.location.as_ref())
                .map_or(0, |l| l.end_column)
        };
        let target = by_line.get(line).and_then(|on_line| {
            let k = on_line.partition_point(|i| end_of(i) <= *column);
            on_line.get(k).copied().filter(|i| {
                findings
                    .get(*i)
                    .and_then(|f| f.location.as_ref())
                    .is_some_and(|l| l.column <= *column + 2 && *column < l.end_column)
            })
        });
        if let Some(f) = target.and_then(|i| findings.get_mut(i)) {
            f.message.push_str(&format!(" ({text})"));
        }
    }
    findings.extend(config);
}

/// Whether `span` overlaps one of `spans`, which are sorted by start and disjoint (a
/// detector's hits): a binary search, not a scan of every span.
fn overlaps_any(spans: &[std::ops::Range<usize>], span: &std::ops::Range<usize>) -> bool {
    let i = spans.partition_point(|s| s.start < span.end);
    i.checked_sub(1)
        .and_then(|j| spans.get(j))
        .is_some_and(|s| span.start < s.end)
}

/// Collects findings from files, in parallel.
pub struct Scanner<'a> {
    detector: Detector,
    config: &'a Config,
    findings: Mutex<Vec<Finding>>,
    problems: Mutex<Vec<Problem>>,
    summary: Mutex<Summary>,
    files: AtomicUsize,
    bytes: AtomicU64,
    suppressed: AtomicUsize,
    allow_used: Vec<AtomicUsize>,
    allow_in_scope: Vec<AtomicUsize>,
    /// Record every skipped file's path (for `--verbose`), not only the counts.
    pub record_skips: bool,
    skipped_files: Mutex<Vec<(String, String)>>,
    /// The enabled configuration rules, by check name.
    config_rules: Vec<(&'static str, Arc<Rule>)>,
    /// Cross-file state of the configuration rules.
    config_state: Mutex<ConfigState>,
    /// Unique per scanner (see [`DETECTOR`]).
    id: usize,
    /// Inputs (or folders under them) that could not be read at all.
    unread: Mutex<Vec<String>>,
    /// Where files that other files name (includes, env files) are read from.
    snapshot: &'a dyn source::named::Snapshot,
}

/// What the configuration rules settle once every file is read.
#[derive(Default)]
struct ConfigState {
    /// Missing-entity findings with the directory of their file.
    missing_entity: Vec<(String, Finding)>,
    /// Directories whose `wandb/settings` sets the entity.
    settings_dirs: Vec<String>,
    /// Secret uses (with a ready finding for each) for the shared-secret rule.
    secret_uses: Vec<(crate::checks::SecretUse, String, Finding)>,
    /// GitLab local includes, read once every file is scanned.
    includes: Vec<Include>,
    /// GitLab CI files that are not a pipeline's main file (`.gitlab/ci/*.yml`): read once
    /// every include is known, with the file that includes them.
    gitlab_deferred: Vec<Deferred>,
}

/// A GitLab `include: local:` seen in a file.
struct Include {
    /// The including file's display path, absolute path and text.
    from: String,
    from_abs: PathBuf,
    from_text: Arc<String>,
    /// The path as written (leading `/` removed).
    name: String,
}

/// A GitLab CI file whose configuration rules wait for the file that includes it.
struct Deferred {
    path: String,
    abs: PathBuf,
    bytes: Vec<u8>,
    /// The spans secret rules found in it.
    secret_spans: Vec<std::ops::Range<usize>>,
}

/// The directory part of a display path (`""` for the root).
fn display_dir(path: &str) -> String {
    path.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string())
}

fn relative_to(abs: &Path, base: &Path, display: &str) -> String {
    match abs.strip_prefix(base) {
        Ok(rel) => source::display_path(rel),
        Err(_) => display.to_string(),
    }
}

impl<'a> Scanner<'a> {
    /// A scanner for the (already configured) `rules` under `config`.
    pub fn new(rules: &RuleSet, config: &'a Config) -> Self {
        Self {
            detector: Detector::new(rules).with_window(config.context_window),
            config,
            findings: Mutex::new(Vec::new()),
            problems: Mutex::new(Vec::new()),
            summary: Mutex::new(Summary::default()),
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            suppressed: AtomicUsize::new(0),
            allow_used: config.allow.iter().map(|_| AtomicUsize::new(0)).collect(),
            allow_in_scope: config.allow.iter().map(|_| AtomicUsize::new(0)).collect(),
            record_skips: false,
            skipped_files: Mutex::new(Vec::new()),
            config_rules: rules
                .iter()
                .filter(|r| r.kind == crate::rules::Kind::Config)
                .filter_map(|r| {
                    let check = r.check.as_deref()?;
                    let name = crate::checks::CHECKS.iter().find(|c| **c == check)?;
                    Some((*name, Arc::clone(r)))
                })
                .collect(),
            config_state: Mutex::new(ConfigState::default()),
            id: SCANNER_IDS.fetch_add(1, Ordering::Relaxed),
            snapshot: &source::named::NoSnapshot,
            unread: Mutex::new(Vec::new()),
        }
    }

    /// Reads the files that scanned files name (GitLab includes, compose env files) from
    /// `snapshot`; without one, they are not read.
    pub fn with_snapshot(mut self, snapshot: &'a dyn source::named::Snapshot) -> Self {
        self.snapshot = snapshot;
        self
    }

    fn config_rule(&self, check: &str) -> Option<&Arc<Rule>> {
        self.config_rules
            .iter()
            .find(|(c, _)| *c == check)
            .map(|(_, r)| r)
    }

    /// Whether a finding of `rule` at 0-based `line0` with fingerprint `fp` is suppressed
    /// inline or by an allow entry (and counts the suppression).
    fn suppressed(
        &self,
        path: &str,
        abs: &Path,
        lines: &LineIndex<'_>,
        rule: &Rule,
        fp: &str,
        line0: usize,
    ) -> bool {
        for l in [Some(line0), line0.checked_sub(1)].into_iter().flatten() {
            if let Some((rules, has_reason)) = lines.inline_allow(l) {
                if rules
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&rule.id) || *r == rule.name)
                {
                    if !has_reason {
                        self.problem(Problem {
                            level: Severity::Warning,
                            path: Some(path.to_string()),
                            message: format!(
                                "inline allow at `{path}:{}` gives no reason (`-- reason`)",
                                l + 1
                            ),
                        });
                    }
                    self.suppressed.fetch_add(1, Ordering::Relaxed);
                    return true;
                }
            }
        }
        let mut allowed = false;
        for (i, a) in self.config.allow.iter().enumerate() {
            let rel = relative_to(abs, &a.base, path);
            if a.matches(&rule.id, &rule.name, fp, Some(&rel)) {
                if let Some(c) = self.allow_used.get(i) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
                allowed = true;
            }
        }
        if allowed {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
        }
        allowed
    }

    /// A configuration finding, unless suppressed.
    fn config_finding(
        &self,
        rule: &Arc<Rule>,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        lines: &LineIndex<'_>,
        hit: &crate::checks::ConfigHit,
    ) -> Option<Finding> {
        let fp = fingerprint(&rule.id, format!("{path}|{}", hit.identity).as_bytes());
        let (span, loc) = lines.locate(path, &hit.span);
        let line0 = loc.line.saturating_sub(1);
        if self.suppressed(path, abs, lines, rule, &fp, line0) {
            return None;
        }
        let snippet = Snippet::new(
            path,
            bytes,
            span,
            line0,
            loc.column.saturating_sub(1),
            &hit.mask,
        );
        Some(Finding::located(
            rule,
            hit.message.clone(),
            loc,
            fp,
            snippet,
            hit.help.clone(),
        ))
    }

    /// Runs the configuration rules on one file of a known format. Returns the findings
    /// ready now; cross-file ones are kept for `finish`.
    /// Runs the configuration rules on one file of a known format. A finding on a value that
    /// a secret rule also found (`secret_spans`) is not reported on its own: it comes back as
    /// a mention (position, text) for the secret finding.
    fn config_file(
        &self,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        secret_spans: &[std::ops::Range<usize>],
    ) -> (Vec<Finding>, Vec<(usize, usize, String)>) {
        match crate::formats::Format::of(path) {
            Some(format) => self.config_file_as(path, abs, bytes, format, secret_spans, None),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn config_file_as(
        &self,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        format: crate::formats::Format,
        secret_spans: &[std::ops::Range<usize>],
        gitlab_context: Option<&[String]>,
    ) -> (Vec<Finding>, Vec<(usize, usize, String)>) {
        let none = (Vec::new(), Vec::new());
        if self.config_rules.is_empty()
            || !crate::formats::worth_parsing(format, bytes, self.config.registry.is_some())
        {
            return none;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            return none;
        };
        let gitlab = format == crate::formats::Format::GitlabCi;
        let mut doc = if gitlab {
            let name = path.rsplit('/').next().unwrap_or(path);
            let main = name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml";
            let context: Vec<String> = match gitlab_context {
                Some(c) => c.to_vec(),
                None if main => {
                    // The files it includes hold templates and variables its jobs use (a
                    // file that cannot be read is reported when the include is settled).
                    crate::formats::gitlab::read(text)
                        .includes
                        .iter()
                        .filter_map(|inc| self.snapshot.named(path, abs, inc).ok())
                        .filter_map(|n| String::from_utf8(n.bytes).ok())
                        .collect()
                }
                None => {
                    // Read later, with the file that includes it.
                    if let Ok(mut st) = self.config_state.lock() {
                        st.gitlab_deferred.push(Deferred {
                            path: path.to_string(),
                            abs: abs.to_path_buf(),
                            bytes: bytes.to_vec(),
                            secret_spans: secret_spans.to_vec(),
                        });
                    }
                    return none;
                }
            };
            crate::formats::gitlab::read_with_context(text, &context)
        } else {
            crate::formats::read(format, text)
        };
        if let Some((message, offset)) = &doc.error {
            let lines = LineIndex::new(bytes);
            let (line, column) = lines.position(*offset);
            self.problem(Problem {
                level: Severity::Info,
                path: Some(path.to_string()),
                message: format!(
                    "cannot read `{path}` as {}: {message} (line {line}, column {column}); configuration rules skipped, secret rules ran on its text",
                    if format.is_yaml() { "YAML" } else { "its format" }
                ),
            });
        }
        let dir = display_dir(path);
        if let Ok(mut st) = self.config_state.lock() {
            if doc.settings_entity.is_some() {
                // `a/wandb/settings` covers the jobs run in `a`.
                st.settings_dirs.push(display_dir(&dir));
            }
            if gitlab && !doc.includes.is_empty() {
                let from_text = Arc::new(text.to_string());
                for inc in &doc.includes {
                    st.includes.push(Include {
                        from: path.to_string(),
                        from_abs: abs.to_path_buf(),
                        from_text: Arc::clone(&from_text),
                        name: inc.clone(),
                    });
                }
            }
        }
        // Env files named by compose: read them from the scan's snapshot if they are in the
        // repository; one that is not stays unknown content.
        for scope in &mut doc.scopes {
            let mut known = Vec::new();
            scope.unknown.retain(|u| {
                let Some(file) = &u.file else { return true };
                let read = self.snapshot.named(path, abs, file);
                let text = match &read {
                    Ok(n) => std::str::from_utf8(&n.bytes).ok(),
                    Err(_) => None,
                };
                match (text, &read) {
                    (_, Err(e)) => {
                        if !e.is_missing() {
                            self.problem(Problem {
                                level: Severity::Warning,
                                path: Some(path.to_string()),
                                message: format!("env_file in `{path}`: {e}"),
                            });
                        }
                        true
                    }
                    (None, Ok(n)) => {
                        self.problem(Problem {
                            level: Severity::Warning,
                            path: Some(path.to_string()),
                            message: format!(
                                "env_file in `{path}`: `{}` is not UTF-8 text: it is not read",
                                n.display
                            ),
                        });
                        true
                    }
                    (Some(t), Ok(_)) => {
                        for mut v in crate::formats::text::read_dotenv(t)
                            .scopes
                            .into_iter()
                            .flat_map(|s| s.vars)
                        {
                            v.origin = format!("env_file `{file}`");
                            v.name_span = u.span.clone();
                            v.value_span = u.span.clone();
                            known.push(v);
                        }
                        false
                    }
                }
            });
            // An env file's variables come before `environment` ones, which override them.
            known.append(&mut scope.vars);
            scope.vars = known;
        }
        let mut result = crate::checks::check(format, &doc);
        if let Some(registry) = &self.config.registry {
            result
                .hits
                .extend(crate::checks::registry_checks(path, &doc, registry));
        }
        let lines = LineIndex::new(bytes);
        let sorted_secrets = crate::detect::mask::sorted_disjoint(secret_spans.iter().cloned());
        let mut out = Vec::new();
        let mut mentions = Vec::new();
        for hit in &result.hits {
            let Some(rule) = self.config_rule(hit.check) else {
                continue;
            };
            let on_secret = overlaps_any(&sorted_secrets, &hit.span);
            if on_secret {
                let (line, column) = lines.position(hit.span.start);
                mentions.push((
                    line,
                    column,
                    format!("also {} {}: {}", rule.id, rule.name, hit.message),
                ));
                continue;
            }
            out.extend(self.config_finding(rule, path, abs, bytes, &lines, hit));
        }
        for note in result.incomplete {
            self.problem(Problem {
                level: Severity::Info,
                path: Some(path.to_string()),
                message: format!("`{path}`: {note}"),
            });
        }
        let missing: Vec<Finding> = match self.config_rule("missing-entity") {
            Some(rule) => result
                .missing_entity
                .iter()
                .filter_map(|h| self.config_finding(rule, path, abs, bytes, &lines, h))
                .collect(),
            None => Vec::new(),
        };
        let uses: Vec<(crate::checks::SecretUse, String, Finding)> =
            match self.config_rule("shared-secret") {
                Some(rule) => result
                    .secret_uses
                    .iter()
                    .filter_map(|u| {
                        let hit = crate::checks::ConfigHit {
                            check: "shared-secret",
                            span: u.span.clone(),
                            message: String::new(),
                            help: None,
                            mask: Vec::new(),
                            identity: format!("{}|{}", u.scope, u.secret),
                        };
                        let f = self.config_finding(rule, path, abs, bytes, &lines, &hit)?;
                        Some((u.clone(), path.to_string(), f))
                    })
                    .collect(),
                None => Vec::new(),
            };
        if let Ok(mut st) = self.config_state.lock() {
            st.missing_entity
                .extend(missing.into_iter().map(|f| (dir.clone(), f)));
            st.secret_uses.extend(uses);
        }
        (out, mentions)
    }

    fn problem(&self, p: Problem) {
        if let Ok(mut v) = self.problems.lock() {
            v.push(p);
        }
    }

    fn to_finding(
        &self,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        lines: &LineIndex<'_>,
        hit: &Hit,
        others: &FileHits,
    ) -> Option<Finding> {
        let secret = bytes.get(hit.span.clone()).unwrap_or(&[]);
        let fp = fingerprint(&hit.rule.id, secret);
        let (line, column) = lines.position(hit.span.start);
        let (end_line, end_column) = lines.position(hit.span.end);
        let line0 = line - 1;

        if self.suppressed(path, abs, lines, &hit.rule, &fp, line0) {
            return None;
        }

        let redacted = redact(secret);
        let mut message = format!(
            "{} `{redacted}` ({} shape)",
            hit.rule.name.replace('-', " "),
            hit.shape
        );
        if !hit.why.is_empty() {
            message.push_str(", ");
            message.push_str(&hit.why);
        }
        if path.ends_with(".ipynb") && !hit.why.contains("cell") {
            let cells = others.cells.get_or_init(|| notebook_cells(bytes));
            if let Some(cell) = notebook_cell_name(cells, hit.span.start) {
                message.push_str(&format!(" (in the {cell})"));
            }
        }
        let near = crate::detect::mask::near(&others.spans, &hit.span);
        let snippet = Snippet::new(path, bytes, hit.span.clone(), line0, column - 1, near);
        Some(Finding {
            rule: Arc::clone(&hit.rule),
            severity: hit.rule.severity,
            message,
            location: Some(Location {
                path: path.to_string(),
                line,
                column,
                end_line,
                end_column,
            }),
            fingerprint: fp,
            redacted: Some(redacted),
            shape: Some(hit.shape.clone()),
            snippet: Some(snippet),
            commit: None,
            in_head: None,
            commit_count: None,
            account: None,
            help: None,
        })
    }

    /// Counts a file as scanned, and as in scope of the path allow entries that match it.
    fn count_file(&self, path: &str, abs: &Path, len: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        for (i, a) in self.config.allow.iter().enumerate() {
            if a.path.is_some() && a.path_matches(&relative_to(abs, &a.base, path)) {
                if let Some(c) = self.allow_in_scope.get(i) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Turns the detector's hits in one file into findings, dropping suppressed ones.
    fn findings_for(&self, path: &str, abs: &Path, bytes: &[u8], hits: &[Hit]) -> Vec<Finding> {
        if hits.is_empty() {
            return Vec::new();
        }
        let lines = LineIndex::new(bytes);
        let others = FileHits {
            spans: crate::detect::mask::sorted_disjoint(hits.iter().map(|h| h.span.clone())),
            cells: OnceLock::new(),
        };
        hits.iter()
            .filter_map(|h| self.to_finding(path, abs, bytes, &lines, h, &others))
            .collect()
    }

    /// Settles the cross-file configuration rules: local GitLab includes not read yet, the
    /// entity set by `wandb/settings` files, secrets shared across purposes.
    fn settle_config(&self) {
        let (includes, deferred) = match self.config_state.lock() {
            Ok(mut st) => (
                std::mem::take(&mut st.includes),
                std::mem::take(&mut st.gitlab_deferred),
            ),
            Err(_) => return,
        };
        let mut read: Vec<String> = Vec::new();
        let run = |shown: &str, abs: &Path, bytes: &[u8], context: &[String]| {
            let spans = deferred
                .iter()
                .find(|d| d.path == shown)
                .map(|d| d.secret_spans.clone())
                .unwrap_or_default();
            let (new, _) = self.config_file_as(
                shown,
                abs,
                bytes,
                crate::formats::Format::GitlabCi,
                &spans,
                Some(context),
            );
            if let Ok(mut f) = self.findings.lock() {
                f.extend(new);
            }
        };
        // Included files, read with the file that includes them, from the scan's snapshot.
        for inc in &includes {
            let named = match self.snapshot.named(&inc.from, &inc.from_abs, &inc.name) {
                Ok(n) => n,
                Err(e) => {
                    self.problem(Problem {
                        level: if e.is_missing() {
                            Severity::Info
                        } else {
                            Severity::Warning
                        },
                        path: Some(inc.from.clone()),
                        message: format!("GitLab include in `{}`: {e}", inc.from),
                    });
                    continue;
                }
            };
            if read.contains(&named.display) {
                continue;
            }
            read.push(named.display.clone());
            let context = [inc.from_text.as_ref().clone()];
            // A file the scan read already is taken as read (the same snapshot).
            match deferred.iter().find(|d| d.path == named.display) {
                Some(d) => run(&d.path, &d.abs, &d.bytes, &context),
                None => run(&named.display, &named.abs, &named.bytes, &context),
            }
        }
        // GitLab files nothing includes: on their own.
        for d in &deferred {
            if !read.contains(&d.path) {
                read.push(d.path.clone());
                run(&d.path, &d.abs, &d.bytes, &[]);
            }
        }
        let Ok(mut st) = self.config_state.lock() else {
            return;
        };
        let settings = std::mem::take(&mut st.settings_dirs);
        let covered = |dir: &str| {
            settings
                .iter()
                .any(|d| d.is_empty() || dir == d || dir.starts_with(&format!("{d}/")))
        };
        let mut out: Vec<Finding> = std::mem::take(&mut st.missing_entity)
            .into_iter()
            .filter(|(dir, _)| !covered(dir))
            .map(|(_, f)| f)
            .collect();
        let mut uses = std::mem::take(&mut st.secret_uses);
        uses.sort_by(|a, b| {
            (&a.0.secret, &a.1, a.0.span.start).cmp(&(&b.0.secret, &b.1, b.0.span.start))
        });
        let mut i = 0;
        while i < uses.len() {
            let secret = uses.get(i).map(|u| u.0.secret.clone()).unwrap_or_default();
            let group: Vec<&(crate::checks::SecretUse, String, Finding)> = uses
                .iter()
                .skip(i)
                .take_while(|u| u.0.secret == secret)
                .collect();
            i += group.len().max(1);
            // Purposes over every scope the secret reaches (jobs sharing one line count each).
            let mut purposes: Vec<&str> = group.iter().filter_map(|u| u.0.purpose).collect();
            purposes.sort_unstable();
            purposes.dedup();
            if purposes.len() < 2 {
                continue;
            }
            let mut all: Vec<String> = group
                .iter()
                .map(|u| {
                    format!(
                        "{} in `{}` ({})",
                        u.0.scope,
                        u.1,
                        u.0.purpose.unwrap_or("other")
                    )
                })
                .collect();
            all.sort();
            all.dedup();
            // One finding per place the secret is referenced, naming the scopes it feeds there.
            let mut k = 0;
            while k < group.len() {
                let Some(first) = group.get(k) else { break };
                let here: Vec<&&(crate::checks::SecretUse, String, Finding)> = group
                    .iter()
                    .skip(k)
                    .take_while(|u| u.1 == first.1 && u.0.span == first.0.span)
                    .collect();
                k += here.len().max(1);
                let mut scopes: Vec<String> = here
                    .iter()
                    .map(|u| format!("{} ({})", u.0.scope, u.0.purpose.unwrap_or("other")))
                    .collect();
                scopes.dedup();
                let mut f = first.2.clone();
                f.message = format!(
                    "secret `{secret}` gives W&B credentials to automations with different purposes ({}); here it feeds {}",
                    purposes.join(", "),
                    scopes.join(", "),
                );
                f.help = Some(format!(
                    "create one service account per use case and a secret for each; the uses: {}",
                    all.join("; ")
                ));
                out.push(f);
            }
        }
        drop(st);
        if let Ok(mut f) = self.findings.lock() {
            f.extend(out);
        }
    }

    /// Finishes the run: settles the cross-file rules, sorts findings, reports allow entries
    /// that matched nothing, counts.
    pub fn finish(self, started: Instant) -> Outcome {
        self.settle_config();
        let mut findings = self.findings.into_inner().unwrap_or_default();
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut problems = self.problems.into_inner().unwrap_or_default();
        for (i, a) in self.config.allow.iter().enumerate() {
            let used = self
                .allow_used
                .get(i)
                .map_or(0, |c| c.load(Ordering::Relaxed));
            let in_scope = self
                .allow_in_scope
                .get(i)
                .map_or(0, |c| c.load(Ordering::Relaxed));
            // A path entry whose files were not part of this scan cannot be judged.
            // Entries about accounts are judged by `audit` runs.
            let judged = !a.about_accounts() && (a.path.is_none() || in_scope > 0);
            if used == 0 && judged {
                let what = a
                    .fingerprint
                    .as_ref()
                    .map(|f| {
                        crate::detect::mask::trust_fingerprint(f);
                        format!("fingerprint {f}")
                    })
                    .or_else(|| a.path.as_ref().map(|p| format!("path `{p}`")))
                    .unwrap_or_default();
                problems.push(Problem {
                    level: Severity::Warning,
                    path: Some(a.origin.clone()),
                    message: format!(
                        "allow entry at `{}` ({what}) matched nothing; remove it",
                        a.origin
                    ),
                });
            }
        }
        problems.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
        let mut summary = self.summary.into_inner().unwrap_or_default();
        summary.files_scanned = self.files.load(Ordering::Relaxed);
        summary.bytes_scanned = self.bytes.load(Ordering::Relaxed);
        summary.suppressed = self.suppressed.load(Ordering::Relaxed);
        summary.elapsed_ms = started.elapsed().as_millis();
        let mut skipped_files = self.skipped_files.into_inner().unwrap_or_default();
        skipped_files.sort();
        let mut unread = self.unread.into_inner().unwrap_or_default();
        unread.sort();
        let mut outcome = Outcome {
            findings,
            problems,
            summary,
            skipped_files,
            unread,
        };
        outcome.count();
        outcome
    }
}

/// What every finding of one file looks up: computed once per file, searched per finding.
struct FileHits {
    /// Every hit's span, sorted and disjoint (for masking snippets).
    spans: Vec<std::ops::Range<usize>>,
    /// Notebook cell offsets, found on first use.
    cells: OnceLock<Vec<usize>>,
}

/// Offsets of a notebook's `"cell_type"` keys, found once per file.
fn notebook_cells(bytes: &[u8]) -> Vec<usize> {
    memchr::memmem::find_iter(bytes, b"\"cell_type\"").collect()
}

/// `cell N` for a position after the `N`th `"cell_type"` of `cells` (sorted offsets).
fn notebook_cell_name(cells: &[usize], pos: usize) -> Option<String> {
    // A key ending before `pos` counts, as a search of the bytes before `pos` would find it.
    let n = cells.partition_point(|c| c + b"\"cell_type\"".len() <= pos);
    (n > 0).then(|| format!("cell {n}"))
}

thread_local! {
    /// This thread's copy of the running scanner's detector (by scanner id): a regex used
    /// from many threads goes through its cache pool's slow path on every call.
    static DETECTOR: std::cell::RefCell<Option<(usize, Detector)>> = const { std::cell::RefCell::new(None) };
}

/// Tells scanners apart for [`DETECTOR`].
static SCANNER_IDS: AtomicUsize = AtomicUsize::new(0);

impl Sink for Scanner<'_> {
    fn file(&self, path: &str, abs: &Path, bytes: &[u8]) {
        self.count_file(path, abs, bytes.len());
        let hits = DETECTOR.with(|cell| match cell.try_borrow_mut() {
            Ok(mut slot) => {
                if slot.as_ref().is_none_or(|(id, _)| *id != self.id) {
                    *slot = Some((self.id, self.detector.clone()));
                }
                match slot.as_ref() {
                    Some((_, d)) => d.scan(path, bytes),
                    None => self.detector.scan(path, bytes),
                }
            }
            Err(_) => self.detector.scan(path, bytes),
        });
        let mut new = self.findings_for(path, abs, bytes, &hits);
        let spans: Vec<std::ops::Range<usize>> = hits.iter().map(|h| h.span.clone()).collect();
        let (config, mentions) = self.config_file(path, abs, bytes, &spans);
        merge_config(&mut new, config, &mentions);
        if !new.is_empty() {
            if let Ok(mut f) = self.findings.lock() {
                f.extend(new);
            }
        }
    }

    fn skipped(&self, path: &str, reason: Skip) {
        if let Ok(mut s) = self.summary.lock() {
            s.skip(reason.as_str());
        }
        if self.record_skips {
            if let Ok(mut v) = self.skipped_files.lock() {
                v.push((path.to_string(), reason.as_str().to_string()));
            }
        }
    }

    fn error(&self, path: &str, message: String) {
        self.problem(Problem {
            level: Severity::Error,
            path: Some(path.to_string()),
            message,
        });
    }

    fn unread(&self, path: &str, message: String) {
        if let Ok(mut u) = self.unread.lock() {
            u.push(path.to_string());
        }
        self.error(path, message);
    }

    fn excluded(&self, path: &str, abs: &Path) -> bool {
        self.config
            .exclude
            .iter()
            .any(|e| e.is_match(&relative_to(abs, &e.base, path)) || e.is_match(path))
    }
}

/// Scans `paths` in the working tree with `rules` (already configured) under `config`.
pub fn scan_worktree(
    paths: &[PathBuf],
    rules: &RuleSet,
    config: &Config,
    threads: usize,
    record_skips: bool,
) -> Outcome {
    let started = Instant::now();
    let mut scanner = Scanner::new(rules, config);
    scanner.record_skips = record_skips;
    let opts = source::worktree::WalkOptions {
        max_file_size: config.max_file_size,
        threads,
    };
    let snapshot = source::named::Worktree::new(paths, config.max_file_size);
    let scanner = scanner.with_snapshot(&snapshot);
    source::worktree::walk(paths, &opts, &scanner);
    scanner.finish(started)
}

/// Scans the staged change of the repository holding `start` (pre-commit).
pub fn scan_staged(
    start: &Path,
    rules: &RuleSet,
    config: &Config,
    record_skips: bool,
) -> Result<Outcome, source::staged::StagedError> {
    let started = Instant::now();
    let snapshot = source::staged::open(start, config.max_file_size)?;
    let mut scanner = Scanner::new(rules, config).with_snapshot(&snapshot);
    scanner.record_skips = record_skips;
    let info = source::staged::walk(start, &snapshot, config.max_file_size, &scanner)?;
    if !info.conflicted.is_empty() {
        scanner.problem(Problem {
            level: Severity::Info,
            path: None,
            message: format!(
                "merge in progress: {} conflicted path(s) not scanned until resolved ({})",
                info.conflicted.len(),
                info.conflicted.join(", ")
            ),
        });
    }
    Ok(scanner.finish(started))
}

/// What one blob of history gave: its findings per path, and the fingerprints of every secret
/// in it (suppressed or not), for "still present at HEAD".
struct BlobResult {
    blob: gix::ObjectId,
    findings: Vec<(u32, Finding)>,
    fingerprints: Vec<String>,
}

/// Reads a blob for scanning, or says why not.
/// What a blob is, judged without its path, the way [`read_blob`] and the detector would.
fn classify_blob(detector: &Detector, bytes: &[u8], max: u64) -> BlobClass {
    if bytes.len() as u64 > max {
        BlobClass::TooLarge
    } else if source::is_binary(bytes) {
        BlobClass::Binary
    } else if bytes.starts_with(LFS_POINTER) {
        BlobClass::LfsPointer
    } else {
        match detector.screen(bytes) {
            Screen::NoKeyword => BlobClass::NoKeyword,
            Screen::NoShape => BlobClass::Clean,
            Screen::MayHit => BlobClass::Candidate,
        }
    }
}

/// How a Git LFS pointer file starts.
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/";

/// The problem text for a blob git could not give; the id is git's own, not the input's, so
/// it may be printed whole.
fn unreadable_blob(id: gix::ObjectId, e: &dyn std::fmt::Display) -> String {
    let id = id.to_string();
    crate::detect::mask::trust(&id);
    format!("cannot read blob {id}: {e}")
}

fn read_blob(
    repo: &gix::Repository,
    id: gix::ObjectId,
    max: u64,
) -> Result<Vec<u8>, (Skip, Option<String>)> {
    match repo.find_header(id) {
        Ok(h) if h.size() > max => return Err((Skip::TooLarge, None)),
        Ok(_) => {}
        Err(e) => return Err((Skip::Unreadable, Some(unreadable_blob(id, &e)))),
    }
    let obj = repo
        .find_object(id)
        .map_err(|e| (Skip::Unreadable, Some(unreadable_blob(id, &e))))?;
    if obj.data.starts_with(LFS_POINTER) {
        return Err((Skip::LfsPointer, None));
    }
    source::decode::text_owned(obj.detach().data).ok_or((Skip::Binary, None))
}

/// Scans the git history of the repository holding `start`: each unique blob once, then
/// provenance for the findings. One finding per secret and path.
pub fn scan_history(
    start: &Path,
    selection: &source::history::Selection,
    rules: &RuleSet,
    config: &Config,
    threads: usize,
    record_skips: bool,
    progress: &dyn Progress,
) -> Result<Outcome, source::history::HistoryError> {
    use rayon::prelude::*;
    let started = Instant::now();
    progress.phase("walking commits", None);
    let mut scanner = Scanner::new(rules, config);
    scanner.record_skips = record_skips;
    let detector = scanner.detector.clone();
    let max = config.max_file_size;
    let history = source::history::collect(
        start,
        selection,
        Some(source::history::PackPass {
            threads,
            max_object: max,
            classify: move |bytes: &[u8]| classify_blob(&detector, bytes, max),
        }),
    )?;
    progress.phase(
        &format!("scanning blobs of {} commits", history.commit_count()),
        Some(history.blobs.len() as u64),
    );
    let workdir = {
        let repo = history.repo();
        repo.workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| repo.git_dir().to_path_buf())
    };
    let workdir = std::path::absolute(&workdir).unwrap_or(workdir);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    let scan_blob = |(repo, detector): &mut (gix::Repository, Detector),
                     (blob, path_ids): &(gix::ObjectId, Vec<u32>)|
     -> Option<BlobResult> {
        // A blob is scanned once, as its first path, or as a path scanned without keywords
        // (a netrc) if it has one.
        let paths = || {
            path_ids
                .iter()
                .filter_map(|p| history.paths.get(*p as usize))
        };
        let keyword_free = paths().find(|p| Detector::keyword_free(p));
        let first = keyword_free.or_else(|| paths().next())?;
        // Blobs the pack pass settled are not read again.
        let note = history
            .preload
            .as_ref()
            .and_then(|p| p.blobs.get(blob).copied());
        if let Some(note) = note {
            let skip = match note.class {
                BlobClass::Clean => None,
                BlobClass::NoKeyword if keyword_free.is_some() => Some(None),
                BlobClass::NoKeyword => None,
                BlobClass::Candidate => Some(None),
                BlobClass::Binary => Some(Some(Skip::Binary)),
                BlobClass::LfsPointer => Some(Some(Skip::LfsPointer)),
                BlobClass::TooLarge => Some(Some(Skip::TooLarge)),
            };
            match skip {
                None => {
                    progress.advance(1, note.size);
                    scanner.count_file(first, &workdir.join(first), note.size as usize);
                    return None;
                }
                Some(Some(reason)) => {
                    progress.advance(1, 0);
                    scanner.skipped(first, reason);
                    return None;
                }
                Some(None) => {}
            }
        }
        let kept = history
            .preload
            .as_ref()
            .and_then(|p| p.candidates.get(blob))
            .map(|b| std::borrow::Cow::Borrowed(b.as_slice()));
        let read = match kept {
            Some(b) => Ok(b),
            None => read_blob(repo, *blob, config.max_file_size).map(std::borrow::Cow::Owned),
        };
        progress.advance(1, read.as_ref().map_or(0, |b| b.len() as u64));
        let bytes = match read {
            Ok(b) => b,
            Err((reason, message)) => {
                if let Some(m) = message {
                    scanner.error(first, m);
                }
                scanner.skipped(first, reason);
                return None;
            }
        };
        let abs = workdir.join(first);
        scanner.count_file(first, &abs, bytes.len());
        let hits = detector.scan(first, &bytes);
        if hits.is_empty() {
            return None;
        }
        let fingerprints = hits
            .iter()
            .map(|h| fingerprint(&h.rule.id, bytes.get(h.span.clone()).unwrap_or(&[])))
            .collect();
        let mut findings = Vec::new();
        for p in path_ids {
            let Some(path) = history.paths.get(*p as usize) else {
                continue;
            };
            let abs = workdir.join(path);
            findings.extend(
                scanner
                    .findings_for(path, &abs, &bytes, &hits)
                    .into_iter()
                    .map(|f| (*p, f)),
            );
        }
        Some(BlobResult {
            blob: *blob,
            findings,
            fingerprints,
        })
    };
    let run = || -> Vec<BlobResult> {
        history
            .blobs
            .par_iter()
            .map_init(|| (history.repo(), scanner.detector.clone()), scan_blob)
            .flatten()
            .collect()
    };
    let results = match &pool {
        Ok(p) => p.install(run),
        Err(_) => run(),
    };

    // Secrets still present at HEAD: fingerprints of the HEAD tree's blobs (scanned above, or
    // now if the selection did not reach HEAD's blobs).
    let by_blob: std::collections::HashMap<gix::ObjectId, &Vec<String>> =
        results.iter().map(|r| (r.blob, &r.fingerprints)).collect();
    let scanned: std::collections::HashSet<gix::ObjectId> =
        history.blobs.iter().map(|b| b.0).collect();
    let mut head_fps: std::collections::HashSet<String> = std::collections::HashSet::new();
    let repo = history.repo();
    for (p, blob) in &history.head_blobs {
        if let Some(fps) = by_blob.get(blob) {
            head_fps.extend(fps.iter().cloned());
        } else if !scanned.contains(blob) {
            let path = history.paths.get(*p as usize).map_or("", String::as_str);
            if let Ok(bytes) = read_blob(&repo, *blob, config.max_file_size) {
                for h in scanner.detector.scan(path, &bytes) {
                    head_fps.insert(fingerprint(
                        &h.rule.id,
                        bytes.get(h.span.clone()).unwrap_or(&[]),
                    ));
                }
            }
        }
    }

    progress.finish();
    // Provenance, then one finding per (secret, path): the oldest introduction, all commits.
    let mut prov = source::history::Provenance::new(&history);
    let mut pending: Vec<(gix::ObjectId, String, Finding)> = Vec::new();
    for r in results {
        for (p, f) in r.findings {
            let path = history.paths.get(p as usize).cloned().unwrap_or_default();
            pending.push((r.blob, path, f));
        }
    }
    let wanted: Vec<(gix::ObjectId, String)> =
        pending.iter().map(|(b, p, _)| (*b, p.clone())).collect();
    let origins = prov.origins(&wanted);
    let mut grouped: std::collections::BTreeMap<(String, String), (Finding, i64, usize)> =
        std::collections::BTreeMap::new();
    for ((_, path, mut f), (commit, time, count)) in pending.into_iter().zip(origins) {
        f.commit = commit;
        let key = (f.fingerprint.clone(), path);
        match grouped.get_mut(&key) {
            Some((kept, kept_time, kept_count)) => {
                *kept_count += count;
                if time < *kept_time {
                    *kept = f;
                    *kept_time = time;
                }
            }
            None => {
                grouped.insert(key, (f, time, count));
            }
        }
    }
    let mut final_findings = Vec::new();
    for ((fp, _), (mut f, _, count)) in grouped {
        let in_head = head_fps.contains(&fp);
        f.in_head = Some(in_head);
        f.commit_count = Some(count);
        if let Some(c) = &f.commit {
            let short: String = c.id.chars().take(10).collect();
            f.message.push_str(&format!(
                "; first committed in {short} by {} on {}, held by {count} commit(s)",
                c.author,
                c.date.get(..10).unwrap_or(&c.date)
            ));
        }
        f.message.push_str(if in_head {
            "; still present at HEAD"
        } else {
            "; removed since, but the key remains exposed in git history and must be rotated"
        });
        final_findings.push(f);
    }
    if let Ok(mut f) = scanner.findings.lock() {
        *f = final_findings;
    }

    if history.shallow {
        scanner.problem(Problem {
            level: Severity::Warning,
            path: None,
            message: "shallow clone: only the commits present were scanned; older history may still hold keys".to_string(),
        });
    }
    for m in &history.missing {
        scanner.problem(Problem {
            level: Severity::Error,
            path: None,
            message: m.clone(),
        });
    }
    if history.submodules > 0 {
        scanner.problem(Problem {
            level: Severity::Info,
            path: None,
            message: format!(
                "{} submodule entr(ies) not followed; scan each submodule on its own",
                history.submodules
            ),
        });
    }
    let commits = history.commit_count();
    let blobs = history.blobs.len();
    let partial_clone = history.partial_clone;
    let missing = history.missing.len();
    let mut outcome = scanner.finish(started);
    outcome.summary.commits_scanned = Some(commits);
    outcome.summary.blobs_scanned = Some(blobs);
    // Any object of the selected history that could not be read leaves keys unchecked.
    let unreadable = outcome
        .summary
        .skipped
        .get(Skip::Unreadable.as_str())
        .copied()
        .unwrap_or(0);
    if missing > 0 || unreadable > 0 {
        let shown = start.display().to_string();
        let what = match (missing, unreadable) {
            (0, b) => format!("{b} blob(s) cannot be read"),
            (m, 0) => format!("{m} commit(s), tree(s) or reference(s) cannot be read"),
            (m, b) => {
                format!("{m} commit(s), tree(s) or reference(s) and {b} blob(s) cannot be read")
            }
        };
        let help = if partial_clone {
            "this is a partial clone (cloned with `--filter`), whose objects are fetched on \
             demand: fetch them all (`git fetch --refetch`, or clone without `--filter`), or \
             scan the checked-out files without --history"
        } else {
            "the repository is damaged or incomplete (a missing pack?); `git fsck` names the \
             missing objects"
        };
        outcome.problems.push(Problem {
            level: Severity::Error,
            path: Some(shown.clone()),
            message: format!("the history of `{shown}` was not scanned completely: {what}; {help}"),
        });
        outcome.unread.push(shown);
    }
    Ok(outcome)
}

/// Most worker threads per available core: beyond it more threads only cost memory and
/// scheduling (and a huge `--threads` would spend minutes starting them).
pub const THREADS_PER_CORE: usize = 4;

/// The worker threads to use for `requested` (0: one per core), at most
/// [`THREADS_PER_CORE`] per available core; with a warning when the request was capped.
pub fn capped_threads(requested: usize) -> (usize, Option<Problem>) {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let max = cores.saturating_mul(THREADS_PER_CORE);
    if requested <= max {
        return (requested, None);
    }
    let note = Problem {
        level: Severity::Warning,
        path: None,
        message: format!(
            "--threads {requested} capped at {max} ({THREADS_PER_CORE} per available core, {cores} core(s))"
        ),
    };
    (max, Some(note))
}

/// Scans one in-memory file (used by rule examples and tests): findings of `rules` in
/// `content` scanned as `path`, with no configuration.
pub fn scan_bytes(path: &str, content: &[u8], rules: &RuleSet) -> Vec<Finding> {
    scan_bytes_with(path, content, rules, &Config::default())
}

/// [`scan_bytes`] under a given configuration (with a registry, say).
pub fn scan_bytes_with(
    path: &str,
    content: &[u8],
    rules: &RuleSet,
    config: &Config,
) -> Vec<Finding> {
    let scanner = Scanner::new(rules, config);
    scanner.file(path, Path::new(path), content);
    scanner.finish(Instant::now()).findings
}

/// Receives progress of long scans (history); the CLI draws it, tests ignore it.
pub trait Progress: Sync {
    /// A new phase starts (`walking commits`, `scanning blobs`), with a known total if any.
    fn phase(&self, name: &str, total: Option<u64>);
    /// `items` more done, `bytes` more read.
    fn advance(&self, items: u64, bytes: u64);
    /// The scan is over: clear what was drawn.
    fn finish(&self);
}

/// Progress that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64, _: u64) {}
    fn finish(&self) {}
}
