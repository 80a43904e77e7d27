//! The history scan: every unique blob of the selected commits once, then provenance (commit,
//! path, date) attached to its findings.

use std::path::Path;
use std::time::Instant;

use super::{Progress, Scanner};
use crate::config::Config;
use crate::detect::mask::fingerprint;
use crate::detect::{Detector, Screen};
use crate::finding::{Finding, Outcome, Problem};
use crate::rules::{RuleSet, Severity};
use crate::source::history::{read_blob, LFS_POINTER};
use crate::source::pack::BlobClass;
use crate::source::{self, Skip, Visitor};

/// What one blob of history gave: its findings per path, and the fingerprints of every secret
/// in it (suppressed or not), for "still present at HEAD".
struct BlobResult {
    blob: gix::ObjectId,
    findings: Vec<(u32, Finding)>,
    fingerprints: Vec<String>,
}

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
    let started = Instant::now();
    progress.phase("walking commits", None);
    let mut scanner = Scanner::new(rules, config);
    scanner.record_skips = record_skips;
    // History is scanned for keys: the configuration rules do not run on it.
    scanner.config_checks = false;
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
    let workdir = source::clean_absolute(&workdir);
    let blobs = BlobScan {
        history: &history,
        scanner: &scanner,
        workdir: &workdir,
        progress,
        max,
    };
    let results = blobs.run(threads);
    let head_fps = head_fingerprints(&history, &results, &scanner.detector, max);
    progress.finish();
    // A range reports the keys it introduced: not those its base already held.
    let base_fps: std::collections::HashSet<String> = results
        .iter()
        .filter(|r| history.base_blobs.contains(&r.blob))
        .flat_map(|r| r.fingerprints.iter().cloned())
        .collect();
    let results = results
        .into_iter()
        .map(|mut r| {
            r.findings
                .retain(|(_, f)| !base_fps.contains(&f.fingerprint));
            r
        })
        .collect();
    let final_findings = with_provenance(&history, results, &head_fps);
    if let Ok(mut f) = scanner.findings.lock() {
        *f = final_findings;
    }
    note_history_problems(&scanner, &history);
    if selection.since.is_some() || selection.range.is_some() {
        // The keys from before the range are out of its view.
        scanner.coverage = crate::finding::Coverage::Paths(Vec::new());
    }
    let commits = history.commit_count();
    let blobs = history.blobs.len();
    let refs = crate::finding::RefsScanned::new(&history.refs);
    let partial_clone = history.partial_clone;
    let missing = history.missing.len();
    let mut outcome = scanner.finish(started);
    outcome.summary.commits_scanned = Some(commits);
    outcome.summary.blobs_scanned = Some(blobs);
    outcome.summary.refs_scanned = Some(refs);
    // Any object of the selected history that could not be read leaves keys unchecked.
    let unreadable = outcome
        .summary
        .skipped
        .get(Skip::Unreadable.as_str())
        .copied()
        .unwrap_or(0);
    if missing > 0 || unreadable > 0 {
        let shown = start.display().to_string();
        outcome
            .problems
            .push(incomplete(&shown, missing, unreadable, partial_clone));
        outcome.unread.push(shown);
    }
    Ok(outcome)
}

/// The blob pass of a history scan: what every blob needs to be scanned and counted.
struct BlobScan<'s> {
    history: &'s source::history::History,
    scanner: &'s Scanner<'s>,
    /// The absolute work directory (or git directory of a bare repository).
    workdir: &'s Path,
    progress: &'s dyn Progress,
    max: u64,
}

impl BlobScan<'_> {
    /// Scans every unique blob once, on `threads` threads.
    fn run(&self, threads: usize) -> Vec<BlobResult> {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
        let run = || -> Vec<BlobResult> {
            self.history
                .blobs
                .par_iter()
                .map_init(
                    || (self.history.repo(), self.scanner.detector.clone()),
                    |state, item| self.blob(state, item),
                )
                .flatten()
                .collect()
        };
        match &pool {
            Ok(p) => p.install(run),
            Err(_) => run(),
        }
    }

    /// Scans one blob (held at the paths `path_ids`), unless the pack pass settled it.
    fn blob(
        &self,
        (repo, detector): &mut (gix::Repository, Detector),
        (blob, path_ids): &(gix::ObjectId, Vec<u32>),
    ) -> Option<BlobResult> {
        let (history, scanner, progress) = (self.history, self.scanner, self.progress);
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
                    scanner.count_file(first, &self.workdir.join(first), note.size as usize);
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
            .and_then(|p| p.candidates.get(blob));
        let read = match kept {
            Some(b) => Ok(b),
            None => read_blob(repo, *blob, self.max).map(std::borrow::Cow::Owned),
        };
        progress.advance(1, read.as_ref().map_or(0, |b| b.len() as u64));
        let bytes = match read {
            Ok(b) => b,
            Err((reason, message)) => {
                if let Some(m) = message {
                    // The blob id in the message is git's own, not the input's: it may be
                    // printed whole.
                    crate::detect::mask::trust(&blob.to_string());
                    scanner.error(first, m);
                }
                scanner.skipped(first, reason);
                return None;
            }
        };
        let abs = self.workdir.join(first);
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
            let abs = self.workdir.join(path);
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
    }
}

/// Secrets still present at HEAD: fingerprints of the HEAD tree's blobs (scanned in
/// `results`, or now if the selection did not reach HEAD's blobs).
fn head_fingerprints(
    history: &source::history::History,
    results: &[BlobResult],
    detector: &Detector,
    max: u64,
) -> std::collections::HashSet<String> {
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
            if let Ok(bytes) = read_blob(&repo, *blob, max) {
                for h in detector.scan(path, &bytes) {
                    head_fps.insert(fingerprint(
                        &h.rule.id,
                        bytes.get(h.span.clone()).unwrap_or(&[]),
                    ));
                }
            }
        }
    }
    head_fps
}

/// Provenance, then one finding per (secret, path): the oldest introduction, all commits;
/// whether it is still at HEAD (`head_fps`) is said in the message.
fn with_provenance(
    history: &source::history::History,
    results: Vec<BlobResult>,
    head_fps: &std::collections::HashSet<String>,
) -> Vec<Finding> {
    let mut prov = source::history::Provenance::new(history);
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
    for ((_, path, mut f), origin) in pending.into_iter().zip(origins) {
        let (time, count) = (origin.time, origin.count);
        if let Some(c) = &origin.commit {
            // The id is git's, not the input's: it may be printed whole.
            crate::detect::mask::trust(&c.id);
        }
        if let Some(h) = f.history_mut() {
            h.commit = origin.commit;
            h.reference = origin.reference;
        }
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
        if let Some(h) = f.history_mut() {
            h.in_head = in_head;
            h.commit_count = count;
        }
        if let Some(c) = f.commit().cloned() {
            let short: String = c.id.chars().take(10).collect();
            let reachable = f
                .history()
                .and_then(|h| h.reference.as_deref())
                .map(|r| format!(" (reachable from {r})"))
                .unwrap_or_default();
            f.message.push_str(&format!(
                "; first committed in {short} by {} on {}{reachable}, held by {count} commit(s)",
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
    final_findings
}

/// What the history walk could not cover: a shallow clone, missing objects, submodules.
fn note_history_problems(scanner: &Scanner<'_>, history: &source::history::History) {
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
}

/// The error for a history (`shown`) not scanned completely: `missing` commits, trees or
/// references and `unreadable` blobs, in a partial clone or not.
fn incomplete(shown: &str, missing: usize, unreadable: usize, partial_clone: bool) -> Problem {
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
    Problem {
        level: Severity::Error,
        path: Some(shown.to_string()),
        message: format!("the history of `{shown}` was not scanned completely: {what}; {help}"),
    }
}
