//! Differential test of the YAML loaders against PyYAML (libyaml) over real files
//! (`fixtures/real/yaml/`, listed with their sources in its SOURCES.md): every file PyYAML reads,
//! both loaders read (the rule-file loader may still refuse a key given twice, on purpose). PyYAML's verdicts come from `tests/yaml/pyyaml_verdicts.py`.
//!
//! Without python3 or PyYAML the test is skipped with a note, except under CI (`CI` set), where
//! it fails: .ci/run installs PyYAML.

use std::path::{Path, PathBuf};
use std::process::Command;

use wandb_sa_lint::yaml::{self, Limits};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// PyYAML's verdict per file (`ok`, `err`, `skip`), or why there is none.
fn pyyaml_verdicts(dir: &Path) -> Result<(String, Vec<(String, PathBuf)>), String> {
    let out = Command::new("python3")
        .arg(root().join("tests/yaml/pyyaml_verdicts.py"))
        .arg(dir)
        .output()
        .map_err(|e| format!("python3 could not run: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() == Some(3) {
        return Err("PyYAML is not installed (python3 -m pip install pyyaml)".into());
    }
    if !out.status.success() {
        return Err(format!(
            "pyyaml_verdicts.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut loader = String::new();
    let mut verdicts = Vec::new();
    for line in stdout.lines() {
        let mut cells = line.split('\t');
        match (cells.next(), cells.next()) {
            (Some("loader"), Some(name)) => loader = name.to_string(),
            (Some(v @ ("ok" | "err" | "skip")), Some(path)) => {
                verdicts.push((v.to_string(), PathBuf::from(path)))
            }
            _ => return Err(format!("unexpected line from pyyaml_verdicts.py: {line:?}")),
        }
    }
    Ok((loader, verdicts))
}

#[test]
fn every_real_file_pyyaml_reads_loads() {
    let dir = root().join("fixtures/real/yaml");
    let (loader, verdicts) = match pyyaml_verdicts(&dir) {
        Ok(v) => v,
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the YAML differential test: {why} (.ci/run installs PyYAML)"
            );
            eprintln!("skipped: {why}");
            return;
        }
    };
    let limits = Limits::default();
    let (mut read, mut refused_by_both, mut only_we_read) = (0, 0, Vec::new());
    let mut disagree = Vec::new();
    for (verdict, path) in &verdicts {
        let text = std::fs::read_to_string(path).expect("a UTF-8 fixture");
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let tree = yaml::tree::load(&text, &limits);
        let typed = yaml::load_with(&text, &limits);
        // The typed loader reads the linter's own rule files, where a key given twice is a
        // mistake it reports (saphyr's loader refuses it; PyYAML keeps the last value).
        let typed = typed
            .err()
            .filter(|e| !e.message.contains("duplicated key"));
        match (verdict.as_str(), tree.err().or(typed)) {
            ("ok", None) => read += 1,
            ("ok", Some(e)) => {
                disagree.push(format!("{rel}: {} (byte {})", e.message, e.offset));
            }
            ("err", Some(_)) => refused_by_both += 1,
            ("err", None) => only_we_read.push(rel),
            _ => {}
        }
    }
    eprintln!(
        "PyYAML ({loader}) and the loaders read {read} files; both refuse {refused_by_both}; only the loaders read {}: {only_we_read:?}",
        only_we_read.len()
    );
    assert!(
        disagree.is_empty(),
        "PyYAML ({loader}) reads {} file(s) the loaders refuse:\n  {}",
        disagree.len(),
        disagree.join("\n  ")
    );
    // The corpus is there (not an empty folder passing by default), with the files that were
    // refused before saphyr-parser's libyaml_indentation option.
    assert!(read >= 500, "only {read} files read");
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).expect("SOURCES.md");
    let before = sources
        .lines()
        .filter(|l| l.ends_with("| rejected before |"))
        .count();
    assert!(before >= 41, "{before} files marked rejected before");
}
