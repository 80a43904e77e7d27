//! Precision and recall of the configuration rules (C001–C009) on a labelled corpus of real
//! files from public repositories (`fixtures/real/labelled/`, described in
//! `docs/real-corpus.md`).
//!
//! Every repository folder (`<format>/<owner>__<repo>/`) is scanned on its own, as its own
//! root, the way its repository would be. The expected findings are written in the files
//! (`wsl-expect: C001` on the line, or alone in a comment on the line above; `wsl-expect-next:`
//! always means the next line) or, for formats without comments, in a sidecar
//! `<file>.expect` of `line:rule` lines. A finding matches an expectation of the same file,
//! line and rule; an expected C002 or C004 is also met by S001 on its line (a literal that
//! is a recognised key is reported as a secret, whose message names the C rule).
//!
//! The test prints the table per rule and per format, then the unexpected and missing
//! findings, and fails when a rule's precision or recall falls below its floor in
//! `fixtures/real/labelled/floors.toml`. Run `cargo test --test real_corpus -- --nocapture`
//! to see the table.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The corpus, relative to the repository root.
const CORPUS: &str = "fixtures/real/labelled";

/// The rules measured.
const RULES: &[&str] = &[
    "C001", "C002", "C003", "C004", "C005", "C006", "C007", "C008", "C009",
];

/// (path relative to the repository folder, line, rule).
type Key = (String, usize, String);

/// One repository folder of the corpus.
struct Repo {
    /// `<format>`.
    format: String,
    /// `<format>/<owner>__<repo>`, relative to [`CORPUS`].
    dir: String,
}

/// The repository folders, sorted.
fn repos() -> Vec<Repo> {
    let base = common::root().join(CORPUS);
    let mut out = Vec::new();
    for format in sorted_dirs(&base) {
        let fname = name_of(&format);
        for repo in sorted_dirs(&format) {
            out.push(Repo {
                format: fname.clone(),
                dir: format!("{fname}/{}", name_of(&repo)),
            });
        }
    }
    out
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sorted_dirs(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every file under `dir`, as (path relative to `dir`, absolute path).
fn files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.expect("walk corpus");
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, e.path().to_path_buf()));
        }
    }
    out
}

/// The rule ids after `marker` on `line`, if the marker is there.
fn rules_after(line: &str, marker: &str) -> Option<Vec<String>> {
    let at = line.find(marker)?;
    let rest = &line[at + marker.len()..];
    let ids: Vec<String> = rest
        .split(|c: char| c.is_whitespace() || c == ',')
        .take_while(|t| is_rule_id(t) || t.is_empty())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    Some(ids)
}

fn is_rule_id(t: &str) -> bool {
    t.len() == 4
        && t.as_bytes()[0].is_ascii_uppercase()
        && t.as_bytes()[1..].iter().all(u8::is_ascii_digit)
}

/// Whether the text before a marker is only a comment opener (`#`, `//`): the annotation
/// stands alone and speaks of the next line.
fn alone(line: &str, marker_at: usize) -> bool {
    let before = line[..marker_at].trim();
    matches!(before, "#" | "//" | "--" | ";" | "rem" | "REM") || before.is_empty()
}

/// The expectations of one repository folder, and the malformed annotations found.
fn expectations(dir: &Path) -> (BTreeSet<Key>, Vec<String>) {
    let mut exp = BTreeSet::new();
    let mut bad = Vec::new();
    for (rel, abs) in files(dir) {
        let Ok(bytes) = std::fs::read(&abs) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if let Some(target) = rel.strip_suffix(".expect") {
            for (i, l) in text.lines().enumerate() {
                let l = l.trim();
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                match l.split_once(':') {
                    Some((n, r)) if n.trim().parse::<usize>().is_ok() && is_rule_id(r.trim()) => {
                        exp.insert((
                            target.to_string(),
                            n.trim().parse().unwrap_or(0),
                            r.trim().to_string(),
                        ));
                    }
                    _ => bad.push(format!("{rel}:{}: not `line:rule`", i + 1)),
                }
            }
            continue;
        }
        for (i, l) in text.split('\n').enumerate() {
            let n = i + 1;
            for (marker, next) in [("wsl-expect-next:", true), ("wsl-expect:", false)] {
                let Some(ids) = rules_after(l, marker) else {
                    continue;
                };
                if ids.is_empty() {
                    bad.push(format!("{rel}:{n}: `{marker}` without a rule id"));
                }
                let at = l.find(marker).unwrap_or(0);
                let target = if next || alone(l, at) { n + 1 } else { n };
                for id in ids {
                    if !RULES.contains(&id.as_str()) {
                        bad.push(format!("{rel}:{n}: `{id}` is not a measured rule"));
                    }
                    exp.insert((rel.clone(), target, id));
                }
                break;
            }
        }
    }
    (exp, bad)
}

/// The findings of one scan of `dir` (relative to the repository root): the measured rules,
/// plus S001 (which stands in for C002 on a recognised key).
fn findings(dir: &str) -> BTreeSet<Key> {
    let (doc, out) = common::scan_json(dir);
    assert!(
        matches!(out.status.code(), Some(0..=1)),
        "scan {dir} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::found(&doc, dir)
        .into_iter()
        .filter(|(_, _, _, r)| RULES.contains(&r.as_str()) || r == "S001")
        .map(|(p, l, _, r)| (p, l, r))
        .collect()
}

/// Counts for one cell of the table.
#[derive(Default, Clone, Copy)]
struct Count {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Count {
    fn precision(self) -> Option<f64> {
        let d = self.tp + self.fp;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }
    fn recall(self) -> Option<f64> {
        let d = self.tp + self.fn_;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }
}

fn ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"))
}

/// The outcome of matching one folder: (true, unexpected, missing) keys, paths prefixed by
/// the folder.
fn compare(dir: &str, exp: &BTreeSet<Key>, got: &BTreeSet<Key>) -> [Vec<Key>; 3] {
    let mut tp = Vec::new();
    let mut fp = Vec::new();
    let mut missing = Vec::new();
    let full = |k: &Key| (format!("{dir}/{}", k.0), k.1, k.2.clone());
    for k in exp {
        let met = got.contains(k)
            || (matches!(k.2.as_str(), "C002" | "C004")
                && got.contains(&(k.0.clone(), k.1, "S001".to_string())));
        if met {
            tp.push(full(k));
        } else {
            missing.push(full(k));
        }
    }
    for k in got {
        if k.2 == "S001" {
            continue;
        }
        if !exp.contains(k) {
            fp.push(full(k));
        }
    }
    [tp, fp, missing]
}

/// Floors per rule: (precision, recall).
fn floors() -> BTreeMap<String, (f64, f64)> {
    let path = common::root().join(CORPUS).join("floors.toml");
    let text = std::fs::read_to_string(&path).expect("floors.toml");
    let doc: toml::Table = toml::from_str(&text).expect("floors.toml is TOML");
    doc.iter()
        .map(|(rule, v)| {
            let get = |k: &str| {
                v.get(k)
                    .and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
                    .unwrap_or(0.0)
            };
            (rule.clone(), (get("precision"), get("recall")))
        })
        .collect()
}

fn table(title: &str, rows: &BTreeMap<String, Count>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n{title}");
    let _ = writeln!(
        s,
        "{:<16} {:>4} {:>4} {:>4} {:>9} {:>7}",
        "", "TP", "FP", "FN", "precision", "recall"
    );
    for (k, c) in rows {
        let _ = writeln!(
            s,
            "{:<16} {:>4} {:>4} {:>4} {:>9} {:>7}",
            k,
            c.tp,
            c.fp,
            c.fn_,
            ratio(c.precision()),
            ratio(c.recall())
        );
    }
    s
}

fn list(title: &str, keys: &[Key]) -> String {
    let mut s = format!("\n{title} ({}):\n", keys.len());
    for (p, l, r) in keys {
        let _ = writeln!(s, "  {CORPUS}/{p}:{l} {r}");
    }
    s
}

#[test]
fn corpus_precision_and_recall_meet_the_floors() {
    let repos = repos();
    assert!(!repos.is_empty(), "the corpus is empty");
    let mut by_rule: BTreeMap<String, Count> = RULES
        .iter()
        .map(|r| (r.to_string(), Count::default()))
        .collect();
    let mut by_format: BTreeMap<String, Count> = BTreeMap::new();
    let mut by_format_c001: BTreeMap<String, Count> = BTreeMap::new();
    let mut files_per_format: BTreeMap<String, usize> = BTreeMap::new();
    let (mut all_fp, mut all_fn, mut malformed) = (Vec::new(), Vec::new(), Vec::new());
    for repo in &repos {
        let abs = common::root().join(CORPUS).join(&repo.dir);
        *files_per_format.entry(repo.format.clone()).or_default() += files(&abs)
            .iter()
            .filter(|(rel, _)| !rel.ends_with(".expect"))
            .count();
        let (exp, bad) = expectations(&abs);
        malformed.extend(bad.into_iter().map(|b| format!("{}/{b}", repo.dir)));
        let got = findings(&format!("{CORPUS}/{}", repo.dir));
        let [tp, fp, missing] = compare(&repo.dir, &exp, &got);
        let fmt = by_format.entry(repo.format.clone()).or_default();
        fmt.tp += tp.len();
        fmt.fp += fp.len();
        fmt.fn_ += missing.len();
        let c1 = by_format_c001.entry(repo.format.clone()).or_default();
        for (set, slot) in [(&tp, 0), (&fp, 1), (&missing, 2)] {
            for k in set {
                let c = by_rule.entry(k.2.clone()).or_default();
                let one = |c: &mut Count| match slot {
                    0 => c.tp += 1,
                    1 => c.fp += 1,
                    _ => c.fn_ += 1,
                };
                one(c);
                if k.2 == "C001" {
                    one(c1);
                }
            }
        }
        all_fp.extend(fp);
        all_fn.extend(missing);
    }
    let total_files: usize = files_per_format.values().sum();
    let mut report = format!(
        "real corpus: {} repository folders, {total_files} files\n",
        repos.len()
    );
    let _ = writeln!(
        report,
        "files per format: {}",
        files_per_format
            .iter()
            .map(|(f, n)| format!("{f} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    report += &table("per rule", &by_rule);
    report += &table("per format (all C rules)", &by_format);
    report += &table("C001 per format", &by_format_c001);
    report += &list("unexpected findings (false positives)", &all_fp);
    report += &list("missing findings (false negatives)", &all_fn);
    println!("{report}");

    assert!(
        malformed.is_empty(),
        "malformed expectations:\n{}",
        malformed.join("\n")
    );
    let mut below = Vec::new();
    for (rule, (p_floor, r_floor)) in floors() {
        let c = by_rule.get(&rule).copied().unwrap_or_default();
        if let Some(p) = c.precision() {
            if p + 1e-9 < p_floor {
                below.push(format!("{rule} precision {p:.2} < floor {p_floor:.2}"));
            }
        }
        if let Some(r) = c.recall() {
            if r + 1e-9 < r_floor {
                below.push(format!("{rule} recall {r:.2} < floor {r_floor:.2}"));
            }
        }
    }
    assert!(
        below.is_empty(),
        "below the floors of {CORPUS}/floors.toml:\n{}\n{report}",
        below.join("\n")
    );
}

#[test]
fn every_corpus_file_has_a_source() {
    let sources = std::fs::read_to_string(common::root().join(CORPUS).join("SOURCES.md"))
        .expect("SOURCES.md");
    let mut missing = Vec::new();
    for repo in repos() {
        let abs = common::root().join(CORPUS).join(&repo.dir);
        for (rel, _) in files(&abs) {
            if rel.ends_with(".expect") {
                continue;
            }
            let row = format!("| `{}/{rel}` |", repo.dir);
            if !sources.contains(&row) {
                missing.push(format!("{}/{rel}", repo.dir));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "files without a SOURCES.md row:\n{}",
        missing.join("\n")
    );
}

#[test]
fn annotations_are_read_as_documented() {
    assert_eq!(
        rules_after("  WANDB_API_KEY: x # wsl-expect: C001 C002", "wsl-expect:"),
        Some(vec!["C001".to_string(), "C002".to_string()])
    );
    assert_eq!(
        rules_after("# wsl-expect: C001,C004 -- why", "wsl-expect:"),
        Some(vec!["C001".to_string(), "C004".to_string()])
    );
    assert!(alone("    # wsl-expect: C001", 6));
    assert!(!alone("x: 1 # wsl-expect: C001", 7));
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(
        dir.path(),
        "a.sh",
        "#!/bin/sh\n# wsl-expect: C001\nexport WANDB_API_KEY=$K\nwandb login k # wsl-expect: C004\n",
    );
    common::write(dir.path(), "b.json", "{}\n");
    common::write(dir.path(), "b.json.expect", "1:C002\n");
    let (exp, bad) = expectations(dir.path());
    assert!(bad.is_empty(), "{bad:?}");
    let want: BTreeSet<Key> = [
        ("a.sh".to_string(), 3, "C001".to_string()),
        ("a.sh".to_string(), 4, "C004".to_string()),
        ("b.json".to_string(), 1, "C002".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(exp, want);
}
