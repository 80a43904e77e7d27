//! Line endings: every fixture tree scanned as written (LF) and converted to CRLF gives the
//! same findings at the same places (rule, path, line, column), with the same messages.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::path::Path;

/// Copies every file under `from` into `to`, turning each `\n` not already preceded by `\r`
/// into `\r\n` when `crlf` is set (files that are not UTF-8 are copied as they are).
fn copy_tree(from: &Path, to: &Path, crlf: bool) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(from).expect("under from");
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        let bytes = std::fs::read(entry.path()).expect("read fixture");
        let out = match String::from_utf8(bytes) {
            Ok(text) if crlf => text
                .replace("\r\n", "\n")
                .replace('\n', "\r\n")
                .into_bytes(),
            Ok(text) => text.into_bytes(),
            Err(e) => e.into_bytes(),
        };
        std::fs::write(dest, out).expect("write copy");
    }
}

type Row = (String, String, u64, u64, u64, String, String);

/// (rule, path relative to `dir`, line, column, end column, severity, message) of every
/// finding, and the input problems, of `scan dir`.
fn scan(dir: &Path) -> (BTreeSet<Row>, Vec<String>) {
    let out = bin()
        .args(["scan", "--isolated", "--no-progress", "--format", "json"])
        .arg(dir)
        .output()
        .expect("run");
    let doc = json(&out);
    let prefix = format!("{}/", dir.display());
    let rows = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").replace(&prefix, "");
            let n = |k: &str| f[k].as_u64().unwrap_or(0);
            (
                s("rule"),
                s("path"),
                n("line"),
                n("column"),
                n("end_column"),
                s("severity"),
                s("message"),
            )
        })
        .collect();
    let problems = doc["errors"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| p.to_string().replace(&prefix, ""))
                .collect()
        })
        .unwrap_or_default();
    (rows, problems)
}

fn same_findings_in_both_line_endings(fixture: &str) {
    let tmp = tempfile::tempdir().expect("tmp");
    let lf = tmp.path().join("lf");
    let crlf = tmp.path().join("crlf");
    copy_tree(&root().join("fixtures").join(fixture), &lf, false);
    copy_tree(&root().join("fixtures").join(fixture), &crlf, true);
    let (want, want_problems) = scan(&lf);
    let (got, got_problems) = scan(&crlf);
    assert!(!want.is_empty(), "{fixture}: no findings in the LF copy");
    let missed: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{fixture} in CRLF: missed {missed:#?}\nextra {extra:#?}"
    );
    assert_eq!(want_problems, got_problems, "{fixture}: input problems");
}

#[test]
fn config_fixtures_give_the_same_findings_in_crlf() {
    same_findings_in_both_line_endings("config");
}

#[test]
fn demo_repo_gives_the_same_findings_in_crlf() {
    same_findings_in_both_line_endings("demo-repo");
}

#[test]
fn context_fixtures_give_the_same_findings_in_crlf() {
    same_findings_in_both_line_endings("contexts");
}

#[test]
fn holdout_fixtures_give_the_same_findings_in_crlf() {
    same_findings_in_both_line_endings("holdout");
}
