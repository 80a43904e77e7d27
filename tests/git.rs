//! Git sources: the staged change (pre-commit) in repositories the tests build in temp dirs.

mod common;
use common::*;

use std::path::Path;

use wandb_sa_lint::rules::fakes::Fakes;

fn staged(dir: &Path) -> (serde_json::Value, Option<i32>) {
    let out = bin()
        .args(["scan", "--staged", "--isolated", "--format", "json"])
        .current_dir(dir)
        .output()
        .expect("run");
    (json(&out), out.status.code())
}

fn paths(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| format!("{}:{}", f["path"].as_str().expect("path"), f["line"]))
        .collect();
    v.sort();
    v
}

fn repo() -> (tempfile::TempDir, Fakes) {
    let tmp = tempfile::tempdir().expect("tmp");
    git(tmp.path(), &["init", "-q"]);
    (tmp, Fakes::new(31))
}

#[test]
fn staged_content_not_working_tree() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    write(d, "train.py", "import wandb\n");
    git(d, &["add", "train.py"]);
    git(d, &["commit", "-qm", "init"]);
    // Stage a key, then clean the working copy: the staged blob still holds it.
    write(
        d,
        "train.py",
        &format!("import wandb\nwandb.login(key=\"{}\")\n", f.hex(40)),
    );
    git(d, &["add", "train.py"]);
    write(d, "train.py", "import wandb\nwandb.login()\n");
    // A key only in the working tree is not staged: not reported.
    write(d, "notes.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    let (doc, code) = staged(d);
    assert_eq!(paths(&doc), vec!["train.py:2"]);
    assert_eq!(code, Some(1));
    // Unchanged files are not rescanned.
    assert_eq!(doc["summary"]["files_scanned"], 1);
}

#[test]
fn first_commit_renames_deletions_and_subdirectories() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    // No commit yet: everything staged is new.
    write(d, "ci/.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    write(d, "ok.py", "import wandb\n");
    git(d, &["add", "."]);
    let (doc, code) = staged(d);
    assert_eq!(paths(&doc), vec!["ci/.env:1"]);
    assert_eq!(code, Some(1));
    // From a subdirectory: paths stay relative to the repository root.
    let out = bin()
        .args(["scan", "--staged", "--isolated", "--format", "json"])
        .current_dir(d.join("ci"))
        .output()
        .expect("run");
    assert_eq!(paths(&json(&out)), vec!["ci/.env:1"]);
    git(d, &["commit", "-qm", "first"]);
    // Rename of a file with a key: the blob is unchanged but its path is new, so it is staged.
    git(d, &["mv", "ci/.env", "ci/prod.env"]);
    let (doc, _) = staged(d);
    assert_eq!(paths(&doc), vec!["ci/prod.env:1"]);
    git(d, &["commit", "-qm", "rename"]);
    // Deletion: nothing to scan.
    git(d, &["rm", "-q", "ci/prod.env"]);
    let (doc, code) = staged(d);
    assert_eq!(paths(&doc), Vec::<String>::new());
    assert_eq!(code, Some(0));
}

#[test]
fn merge_conflicts_are_skipped_with_a_note() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    write(d, "a.env", "WANDB_PROJECT=x\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["checkout", "-qb", "other"]);
    write(d, "a.env", "WANDB_PROJECT=y\n");
    git(d, &["commit", "-qam", "other"]);
    git(d, &["checkout", "-q", "main"]);
    write(d, "a.env", "WANDB_PROJECT=z\n");
    write(d, "b.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "main"]);
    let st = std::process::Command::new("git")
        .args(["merge", "other"])
        .current_dir(d)
        .output()
        .expect("merge");
    assert!(!st.status.success(), "the merge conflicts");
    write(d, "c.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    git(d, &["add", "c.env"]);
    let (doc, code) = staged(d);
    assert_eq!(paths(&doc), vec!["c.env:1"]);
    assert_eq!(code, Some(1));
    assert!(
        doc["errors"]
            .to_string()
            .contains("1 conflicted path(s) not scanned"),
        "{}",
        doc["errors"]
    );
}

#[test]
fn hook_blocks_a_commit_with_a_key_and_lets_a_clean_one_through() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    let bin_path = assert_cmd::cargo::cargo_bin("wandb-sa-lint");
    let hook = d.join(".git/hooks/pre-commit");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec \"{}\" scan --staged --isolated --color never\n",
            bin_path.display()
        ),
    )
    .expect("hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let commit = |msg: &str| {
        std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-qm",
                msg,
            ])
            .current_dir(d)
            .output()
            .expect("commit")
    };
    write(d, "train.py", "import wandb\nwandb.login()\n");
    git(d, &["add", "."]);
    let out = commit("clean");
    assert!(
        out.status.success(),
        "clean commit passes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = f.v1();
    write(
        d,
        "train.py",
        &format!("import wandb\nwandb.login(key=\"{key}\")\n"),
    );
    git(d, &["add", "."]);
    let out = commit("leak");
    assert!(!out.status.success(), "the hook blocks the commit");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("S001"), "{shown}");
    assert!(!shown.contains(&key[10..]), "no secret in hook output");
    let log = std::process::Command::new("git")
        .args(["log", "--oneline"])
        .current_dir(d)
        .output()
        .expect("log");
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 1);
}

#[test]
fn staged_outside_a_repository_is_a_tool_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = bin()
        .args(["scan", "--staged", "--isolated"])
        .arg(tmp.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not in a git repository"));
}
