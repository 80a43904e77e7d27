//! `scan --history` starts from every reference by default: keys only on a side branch, only
//! in a tag, only in a pull-request ref or only in a remote-tracking ref are found, and each
//! finding names a reference its commit is reachable from. `--ref` limits the walk.

mod common;
use common::*;

use std::path::Path;

use wandb_sa_lint::rules::fakes::Fakes;

fn history(dir: &Path, extra: &[&str]) -> (serde_json::Value, Option<i32>) {
    let out = bin()
        .args(["scan", "--history", "--isolated", "--format", "json"])
        .args(extra)
        .current_dir(dir)
        .output()
        .expect("run");
    (json(&out), out.status.code())
}

/// (path, ref) of each finding, sorted.
fn found(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|x| {
            (
                x["path"].as_str().unwrap_or("").to_string(),
                x["ref"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn paths(doc: &serde_json::Value) -> Vec<String> {
    found(doc).into_iter().map(|(p, _)| p).collect()
}

/// A commit holding `file` (a key) on a detached HEAD off main, pointed at by `reference`
/// (made by `make_ref`), then back on main.
fn off_main(d: &Path, file: &str, key: &str, make_ref: &[&str]) {
    git(d, &["checkout", "-q", "--detach", "main"]);
    write(d, file, &format!("WANDB_API_KEY={key}\n"));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", &format!("add {file}")]);
    git(d, make_ref);
    git(d, &["checkout", "-q", "main"]);
}

/// main (a key in main.env), a side branch, an annotated tag on a commit of no branch, a
/// pull-request ref and a remote-tracking ref, each with a key of its own.
fn repo_with_refs() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(19);
    git(d, &["init", "-q"]);
    write(d, "train.py", "import wandb\n");
    write(d, "main.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["checkout", "-qb", "side"]);
    write(d, "side.env", &format!("WANDB_API_KEY={}\n", f.hex(40)));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "side"]);
    git(d, &["checkout", "-q", "main"]);
    off_main(d, "tag.env", &f.v1(), &["tag", "-a", "-m", "t", "v-leak"]);
    off_main(
        d,
        "pr.env",
        &f.v1(),
        &["update-ref", "refs/pull/1/head", "HEAD"],
    );
    off_main(
        d,
        "remote.env",
        &f.hex(40),
        &["update-ref", "refs/remotes/origin/feature", "HEAD"],
    );
    tmp
}

fn all_five() -> Vec<(String, String)> {
    [
        ("main.env", "refs/heads/main"),
        ("pr.env", "refs/pull/1/head"),
        ("remote.env", "refs/remotes/origin/feature"),
        ("side.env", "refs/heads/side"),
        ("tag.env", "refs/tags/v-leak"),
    ]
    .iter()
    .map(|(p, r)| (p.to_string(), r.to_string()))
    .collect()
}

#[test]
fn every_ref_is_scanned_by_default_and_findings_name_one() {
    let tmp = repo_with_refs();
    let d = tmp.path();
    let (doc, code) = history(d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(found(&doc), all_five());
    let refs = &doc["summary"]["refs_scanned"];
    assert_eq!(refs["count"], 5);
    assert_eq!(
        refs["names"],
        serde_json::json!([
            "refs/heads/main",
            "refs/heads/side",
            "refs/tags/v-leak",
            "refs/remotes/origin/feature",
            "refs/pull/1/head"
        ])
    );
    assert_eq!(
        refs["kinds"],
        serde_json::json!({"branch": 2, "tag": 1, "remote": 1, "pull": 1})
    );
    // The message says where the commit is reachable from; so does SARIF.
    let pr = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|x| x["path"] == "pr.env")
        .expect("pr.env");
    assert!(pr["message"]
        .as_str()
        .is_some_and(|m| m.contains("(reachable from refs/pull/1/head)")));
    assert_eq!(pr["in_head"], false);
    let out = bin()
        .args(["scan", "--history", "--isolated", "--format", "sarif"])
        .current_dir(d)
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"ref\": \"refs/pull/1/head\""));
    // The human summary names the refs.
    let out = bin()
        .args(["scan", "--history", "--isolated", "--no-progress"])
        .current_dir(d)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("from 5 refs (refs/heads/main, refs/heads/side, refs/tags/v-leak,"),
        "{text}"
    );
}

#[test]
fn ref_limits_the_walk() {
    let tmp = repo_with_refs();
    let d = tmp.path();
    assert_eq!(paths(&history(d, &["--ref", "main"]).0), vec!["main.env"]);
    let (doc, _) = history(d, &["--ref", "refs/pull/1/head"]);
    assert_eq!(paths(&doc), vec!["main.env", "pr.env"]);
    assert_eq!(
        doc["summary"]["refs_scanned"]["names"],
        serde_json::json!(["refs/pull/1/head"])
    );
    // Short names are resolved to full ones; `--branch` is the same option; repeatable.
    let (doc, _) = history(d, &["--branch", "side", "--ref", "v-leak"]);
    assert_eq!(paths(&doc), vec!["main.env", "side.env", "tag.env"]);
    assert_eq!(
        doc["summary"]["refs_scanned"]["names"],
        serde_json::json!(["refs/heads/side", "refs/tags/v-leak"])
    );
    // --since keeps to HEAD unless --all-refs says otherwise.
    let base = {
        let out = std::process::Command::new("git")
            .args(["rev-parse", "main"])
            .current_dir(d)
            .output()
            .expect("rev-parse");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(
        paths(&history(d, &["--since", &base]).0),
        Vec::<String>::new()
    );
    assert_eq!(
        paths(&history(d, &["--since", &base, "--all-refs"]).0),
        vec!["pr.env", "remote.env", "side.env", "tag.env"]
    );
    // A ref that does not exist is a tool error.
    let out = bin()
        .args(["scan", "--history", "--isolated", "--ref", "nope"])
        .current_dir(d)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot resolve revision `nope`"));
    let out = bin()
        .args([
            "scan",
            "--history",
            "--ref",
            "main",
            "--range",
            "main..side",
        ])
        .current_dir(d)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "--ref and --range conflict");
}

#[test]
fn a_mirror_has_every_ref_and_many_refs_are_counted_by_kind() {
    let tmp = repo_with_refs();
    let d = tmp.path();
    let mirror = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    git(mirror.path(), &["clone", "-q", "--mirror", &url, "m.git"]);
    let m = mirror.path().join("m.git");
    let (doc, _) = history(&m, &[]);
    assert_eq!(found(&doc), all_five());
    for i in 0..8 {
        git(&m, &["tag", &format!("t{i}"), "main"]);
    }
    let (doc, _) = history(&m, &[]);
    assert_eq!(found(&doc), all_five(), "more refs to the same commits");
    let refs = &doc["summary"]["refs_scanned"];
    assert_eq!(refs["count"], 13);
    assert!(refs.get("names").is_none(), "{refs}");
    assert_eq!(refs["kinds"]["tag"], 9);
    let out = bin()
        .args(["scan", "--history", "--isolated", "--no-progress"])
        .current_dir(&m)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains(
            "from 13 refs (2 branches, 1 pull-request ref, 1 remote-tracking ref, 9 tags)"
        ),
        "{text}"
    );
}
