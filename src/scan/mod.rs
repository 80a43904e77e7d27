//! The scan: sources hand files to [`Scanner`], which runs the detector, passes every hit
//! through the run's [`Suppressor`] (inline and configured allows, see `crate::suppress`), and
//! turns the rest into findings with masked snippets. The configuration rules' per-file and
//! cross-file work is in `config_rules`, line positions in `positions`, the history scan in
//! `history`.

mod config_rules;
mod history;
mod positions;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::config::Config;
use crate::detect::mask::{fingerprint, redact, Snippet};
use crate::detect::{Detector, Hit};
use crate::finding::{Coverage, Detail, Finding, Location, Outcome, Problem, Summary};
use crate::rules::{Rule, RuleSet, Severity};
use crate::source::{self, Skip, Visitor};
use crate::suppress::{Judge, Subject, Suppressor};

use config_rules::{merge_config, ConfigState};
pub use history::scan_history;
pub use positions::LineIndex;

/// Collects findings from files, in parallel.
pub struct Scanner<'a> {
    detector: Detector,
    config: &'a Config,
    findings: Mutex<Vec<Finding>>,
    problems: Mutex<Vec<Problem>>,
    summary: Mutex<Summary>,
    files: AtomicUsize,
    bytes: AtomicU64,
    /// Inline allows and allow entries: every finding passes it.
    suppressor: Suppressor<'a>,
    /// Record every skipped file's path (for `--verbose`), not only the counts (the paths of
    /// files skipped for a reason that leaves them unchecked are always recorded).
    pub record_skips: bool,
    /// Whether the configuration rules run on the files (not on history blobs).
    config_checks: bool,
    /// The ids of the secret rules, in catalogue order.
    secret_rules: Vec<String>,
    /// Every rule's name, by id (allow entries may name rules either way).
    rule_names: std::collections::HashMap<String, String>,
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
    /// What the run covers (a sub-path, the staged change and a commit range are partial).
    coverage: Coverage,
    /// The keys behind the secret findings, by fingerprint (for `scan --verify`).
    keys: Mutex<std::collections::BTreeMap<String, String>>,
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
            detector: Detector::new(rules)
                .with_window(config.context_window)
                .with_yaml_limits(config.yaml_limits()),
            config,
            findings: Mutex::new(Vec::new()),
            problems: Mutex::new(Vec::new()),
            summary: Mutex::new(Summary::default()),
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            suppressor: Suppressor::new(config),
            record_skips: false,
            config_checks: true,
            secret_rules: rules
                .iter()
                .filter(|r| r.kind == crate::rules::Kind::Secret)
                .map(|r| r.id.clone())
                .collect(),
            rule_names: rules
                .iter()
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect(),
            skipped_files: Mutex::new(Vec::new()),
            config_rules: rules
                .iter()
                .filter(|r| r.kind == crate::rules::Kind::Config)
                .filter_map(|r| {
                    let check = r.check.as_deref()?;
                    let name = crate::checks::get(check)?.name;
                    Some((name, Arc::clone(r)))
                })
                .collect(),
            config_state: Mutex::new(ConfigState::default()),
            id: SCANNER_IDS.fetch_add(1, Ordering::Relaxed),
            snapshot: &source::named::NoSnapshot,
            unread: Mutex::new(Vec::new()),
            coverage: Coverage::Whole,
            keys: Mutex::new(std::collections::BTreeMap::new()),
        }
    }

    /// Reads the files that scanned files name (GitLab includes, compose env files) from
    /// `snapshot`; without one, they are not read.
    pub fn with_snapshot(mut self, snapshot: &'a dyn source::named::Snapshot) -> Self {
        self.snapshot = snapshot;
        self
    }

    /// Whether a finding of `rule` at 0-based `line0` with fingerprint `fp` is suppressed
    /// (see [`Suppressor::suppresses`]).
    fn suppressed(
        &self,
        path: &str,
        abs: &Path,
        lines: &LineIndex<'_>,
        rule: &Rule,
        fp: &str,
        line0: usize,
    ) -> bool {
        self.suppressor
            .suppresses(rule, fp, Subject::File { path, abs }, lines, line0)
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

        if let (Ok(key), Ok(mut keys)) = (std::str::from_utf8(secret), self.keys.lock()) {
            keys.entry(fp.clone()).or_insert_with(|| key.to_string());
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
                message.push_str(&format!(" (in {cell})"));
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
            snippet: Some(snippet),
            help: None,
            detail: Detail::Secret {
                redacted,
                shape: hit.shape.clone(),
                history: None,
                verified: None,
            },
        })
    }

    /// Counts a file as scanned, and as in scope of the path allow entries that match it.
    fn count_file(&self, path: &str, abs: &Path, len: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        self.suppressor.scanned(path, abs);
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

    /// The ids of the rules this scanner runs: the secret rules, and unless it scans history
    /// the configuration rules (the registry ones only with a registry).
    fn rules_run(&self) -> Vec<String> {
        let mut ran = self.secret_rules.clone();
        if self.config_checks {
            let with_registry = self.config.registry.is_some();
            ran.extend(
                self.config_rules
                    .iter()
                    .filter(|(check, _)| {
                        with_registry
                            || !crate::checks::get(check)
                                .is_some_and(|c| matches!(c.run, crate::checks::Run::Registry(_)))
                    })
                    .map(|(_, r)| r.id.clone()),
            );
        }
        ran
    }

    /// Finishes the run: settles the cross-file rules, sorts findings, reports allow entries
    /// that matched nothing, counts.
    pub fn finish(self, started: Instant) -> Outcome {
        self.settle_config();
        let rules_run = self.rules_run();
        let mut findings = self.findings.into_inner().unwrap_or_default();
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut problems = self.problems.into_inner().unwrap_or_default();
        let ran: Vec<(String, String)> = rules_run
            .iter()
            .map(|id| {
                let name = self.rule_names.get(id).cloned().unwrap_or_default();
                (id.clone(), name)
            })
            .collect();
        let suppressed = self
            .suppressor
            .finish(Judge::Files, &self.coverage, Some(&ran));
        problems.extend(suppressed.problems);
        problems.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
        let mut summary = self.summary.into_inner().unwrap_or_default();
        summary.files_scanned = self.files.load(Ordering::Relaxed);
        summary.bytes_scanned = self.bytes.load(Ordering::Relaxed);
        summary.suppressed = suppressed.count;
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
            rules_run,
            coverage: self.coverage,
            keys: crate::finding::FoundKeys(
                self.keys
                    .into_inner()
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
            ),
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

impl Visitor for Scanner<'_> {
    fn file(&self, path: &str, abs: &Path, bytes: &[u8]) {
        self.count_file(path, abs, bytes.len());
        let (hits, may_name_wandb) = DETECTOR.with(|cell| match cell.try_borrow_mut() {
            Ok(mut slot) => {
                if slot.as_ref().is_none_or(|(id, _)| *id != self.id) {
                    *slot = Some((self.id, self.detector.clone()));
                }
                match slot.as_ref() {
                    Some((_, d)) => d.scan_and_screen(path, bytes),
                    None => self.detector.scan_and_screen(path, bytes),
                }
            }
            Err(_) => self.detector.scan_and_screen(path, bytes),
        });
        let mut new = self.findings_for(path, abs, bytes, &hits);
        let spans: Vec<std::ops::Range<usize>> = hits.iter().map(|h| h.span.clone()).collect();
        let (config, mentions) = self.config_file(path, abs, bytes, &spans, may_name_wandb);
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
        if self.record_skips || reason.leaves_unchecked() {
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
    let mut scanner = scanner.with_snapshot(&snapshot);
    if let Some(places) = source::worktree::covered(paths) {
        scanner.coverage = Coverage::Paths(places);
    }
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
    // Only the staged files were read: the rest of the repository is out of view.
    scanner.coverage = Coverage::Paths(
        info.paths
            .iter()
            .map(|p| (p.clone(), info.workdir.join(p)))
            .collect(),
    );
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
