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

/// Every file under `dir` that is UTF-8 text rewritten with CRLF line endings (compressed
/// logs stay as they are).
fn to_crlf_in_place(dir: &Path) {
    let files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    for p in files {
        let bytes = std::fs::read(&p).expect("read");
        if let Ok(text) = String::from_utf8(bytes) {
            std::fs::write(&p, text.replace("\r\n", "\n").replace('\n', "\r\n")).expect("write");
        }
    }
}

/// (rule, account, message) of every finding and the message of every problem of `audit`.
fn audit(dir: &Path) -> (BTreeSet<(String, String, String)>, BTreeSet<String>) {
    let out = bin()
        .current_dir(dir)
        .arg("audit")
        .args(common::audit_org::INPUTS)
        .args(["--isolated", "--format", "json"])
        .output()
        .expect("run");
    let doc = json(&out);
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let findings = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (s(&f["rule"]), s(&f["account"]), s(&f["message"])))
        .collect();
    let errors = doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| s(&e["message"]))
        .collect();
    (findings, errors)
}

#[test]
fn a_crlf_registry_and_crlf_audit_logs_give_the_same_audit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (lf, crlf) = (tmp.path().join("lf"), tmp.path().join("crlf"));
    common::audit_org::write(&lf, 5, 0).expect("generate");
    common::audit_org::write(&crlf, 5, 0).expect("generate");
    to_crlf_in_place(&crlf);
    let (want, want_errors) = audit(&lf);
    assert!(!want.is_empty());
    let (got, got_errors) = audit(&crlf);
    let missed: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:#?}\nextra {extra:#?}"
    );
    assert_eq!(want_errors, got_errors);
}

#[test]
fn crlf_configuration_baseline_and_inline_allows_work_as_in_lf() {
    let tmp = tempfile::tempdir().expect("tmp");
    let fakes: Vec<String> = (7..11)
        .map(|n| wandb_sa_lint::rules::fakes::Fakes::new(n).v1())
        .collect();
    let mut results = Vec::new();
    for crlf in [false, true] {
        let d = tmp.path().join(if crlf { "crlf" } else { "lf" });
        // The baseline holds the first key (written by the tool, before the others came).
        write(
            &d,
            "train.py",
            &format!("import wandb\nwandb.login(key=\"{}\")\n", fakes[0]),
        );
        let out = bin()
            .current_dir(&d)
            .args(["baseline", ".", "--isolated", "-o", "base.json"])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        write(
            &d,
            "train.py",
            &format!(
                "import wandb\nwandb.login(key=\"{}\")\nwandb.login(key=\"{}\")\nwandb.login(key=\"{}\")  # wandb-sa-lint: allow S001 -- test fixture\n",
                fakes[0], fakes[2], fakes[1]
            ),
        );
        write(
            &d,
            "vendor/keys.py",
            &format!("import wandb\nKEY = \"{}\"\n", fakes[3]),
        );
        write(
            &d,
            ".wandb-sa-lint.toml",
            "# the project's settings\n[rules]\nC001 = \"off\"\n\n[[allow]]\npath = \"vendor/**\"\nrules = [\"S001\"]\nreason = \"vendored test data\"\n",
        );
        if crlf {
            to_crlf_in_place(&d);
        }
        let out = bin()
            .current_dir(&d)
            .args(["scan", ".", "--format", "json", "--no-progress"])
            .args(["--baseline", "base.json"])
            .output()
            .expect("run");
        let doc = json(&out);
        let rows: Vec<(String, u64, u64)> = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or("").to_string(),
                    f["line"].as_u64().unwrap_or(0),
                    f["column"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        results.push((rows, doc["errors"].to_string(), out.status.code()));
    }
    // Only the key on line 3: line 2's is in the baseline, line 4's allowed inline, the
    // vendored one allowed by path.
    assert_eq!(
        results[0].0,
        vec![("S001".to_string(), 3, 18)],
        "{:?}",
        results[0]
    );
    assert_eq!(results[0], results[1], "LF, then CRLF");
}
