//! Shared helpers for the integration tests: run the real binary, read expectation files,
//! recover planted keys from fixtures (never stored in the tests themselves), and the
//! generated audit organization ([`audit_org`]).
#![allow(dead_code)]

pub mod audit_org;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, with a fixed, colourless, timing-free environment.
pub fn bin() -> Command {
    let mut c = Command::cargo_bin("wandb-sa-lint").expect("binary built");
    c.env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_GRAPHICS")
        .env_remove("WANDB_SA_LINT_CONFIG")
        .env_remove("WANDB_SA_LINT_FAIL_ON")
        .env_remove("WANDB_SA_LINT_FORMAT")
        .env_remove("WANDB_SA_LINT_REGISTRY")
        .env("COLUMNS", "100")
        .env("WANDB_SA_LINT_NO_TIMING", "1")
        .current_dir(root());
    c
}

/// One expected finding: (path relative to the tree, line, column, rule, shape).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub rule: String,
    pub shape: String,
}

/// Reads `tests/expected/NAME.tsv`.
pub fn expected(name: &str) -> Vec<Expected> {
    let text = std::fs::read_to_string(root().join("tests/expected").join(format!("{name}.tsv")))
        .expect("expectation file");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Expected {
                path: f[0].to_string(),
                line: f[1].parse().expect("line"),
                column: f[2].parse().expect("column"),
                rule: f[3].to_string(),
                shape: f[4].to_string(),
            }
        })
        .collect()
}

/// Runs `scan DIR --format json --isolated` and returns (document, output).
pub fn scan_json(dir: &str) -> (serde_json::Value, Output) {
    let out = bin()
        .args([
            "scan",
            dir,
            "--format",
            "json",
            "--isolated",
            "--no-progress",
        ])
        .output()
        .expect("run");
    let doc = json(&out);
    (doc, out)
}

/// (path relative to `dir`, line, column, rule) of every finding in a JSON document.
pub fn found(doc: &serde_json::Value, dir: &str) -> BTreeSet<(String, usize, usize, String)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().expect("path");
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .trim_start_matches('/');
            (
                rel.to_string(),
                f["line"].as_u64().expect("line") as usize,
                f["column"].as_u64().expect("column") as usize,
                f["rule"].as_str().expect("rule").to_string(),
            )
        })
        .collect()
}

/// The planted secret at each expected location, read back from the fixture file.
pub fn planted_keys(dir: &str, expected: &[Expected]) -> Vec<String> {
    expected
        .iter()
        .map(|e| {
            let text = std::fs::read_to_string(root().join(dir).join(&e.path)).expect("fixture");
            let line = text.split('\n').nth(e.line - 1).expect("line");
            let rest: String = line.chars().skip(e.column - 1).collect();
            let key: String = rest
                .chars()
                .take_while(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '_' | '-' | '.' | '~' | '+' | '/' | '=')
                })
                .collect();
            key.trim_end_matches('.').to_string()
        })
        .collect()
}

/// Asserts that `text` holds no planted key nor the last 30 characters of one.
pub fn assert_no_secret(text: &str, keys: &[String], what: &str) {
    for k in keys {
        assert!(k.len() >= 30, "planted key too short to check: {}", k.len());
        assert!(
            !text.contains(k.as_str()),
            "{what}: a whole planted key appears in the output"
        );
        let tail = &k[k.len() - 30..];
        assert!(
            !text.contains(tail),
            "{what}: the last 30 characters of a planted key appear in the output"
        );
    }
}

/// Creates `path` (and parents) with `content` under `dir`.
pub fn write(dir: &Path, path: &str, content: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, content).expect("write");
}

/// Runs git in `dir`, panicking on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let st = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        st.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

/// The (account, rule) pairs of an audit's JSON findings.
pub fn finding_pairs(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["account"].as_str().expect("account").to_string(),
                f["rule"].as_str().expect("rule").to_string(),
            )
        })
        .collect()
}

/// A finished run as (JSON document on stdout or null, exit code, stderr).
pub fn parts(out: &Output) -> (serde_json::Value, Option<i32>, String) {
    (
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the binary in `dir`: (stdout, stderr, exit code).
pub fn run_in(dir: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    let out = bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("binary runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// The JSON document a run printed on stdout.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("json on stdout")
}

/// Peak RSS (MiB) of the largest child process this test binary has waited for.
pub fn children_peak_rss_mib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a rusage into the pointer we own; RUSAGE_CHILDREN is valid.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: initialised by the successful call above (zeroed before in any case).
    let usage = unsafe { usage.assume_init() };
    usage.ru_maxrss / 1024
}
