//! What users of ruff, gitleaks and pre-commit expect around the linter itself: "did you
//! mean" for misspelt rule ids and names.

mod common;
use common::*;

use std::path::Path;

/// `scan` in `dir` on a terminal too wide to wrap the diagnostic: (stderr, exit code).
fn scan_wide(dir: &Path) -> (String, Option<i32>) {
    let out = bin()
        .current_dir(dir)
        .env("COLUMNS", "1000")
        .arg("scan")
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn explain_suggests_the_rule_meant() {
    for (typed, meant) in [
        ("S0001", "did you mean `S001` (committed-api-key)?"),
        (
            "comitted-api-key",
            "did you mean `S001` (committed-api-key)?",
        ),
        (
            "Committed-API-Key",
            "did you mean `S001` (committed-api-key)?",
        ),
        ("a02", "did you mean `A002` (unused-service-account)?"),
    ] {
        let (_, err, code) = run_in(&root(), &["explain", typed]);
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.contains(&format!("unknown rule `{typed}`; {meant}")),
            "{typed}: {err}"
        );
    }
    // Nothing close: no guess.
    let (_, err, code) = run_in(&root(), &["explain", "frobnicate"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown rule `frobnicate`"), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
}

#[test]
fn config_rule_names_get_suggestions() {
    let dir = tempfile::tempdir().expect("dir");
    write(
        dir.path(),
        ".wandb-sa-lint.toml",
        "[rules]\nS0002 = \"warning\"\n\n[params.unused-service-acount]\nunused-after = 30\n",
    );
    let (err, code) = scan_wide(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("did you mean `S002` (committed-access-token)?"),
        "[rules]: {err}"
    );
    write(
        dir.path(),
        ".wandb-sa-lint.toml",
        "[params.unused-service-acount]\nunused-after = 30\n",
    );
    let (err, code) = scan_wide(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("did you mean `A002` (unused-service-account)?"),
        "[params.X]: {err}"
    );
    write(
        dir.path(),
        ".wandb-sa-lint.toml",
        "[[allow]]\npath = \"x/**\"\nrules = [\"commited-api-key\"]\nreason = \"fixtures\"\n",
    );
    let (err, code) = scan_wide(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("did you mean `S001` (committed-api-key)?"),
        "[[allow]]: {err}"
    );
}
