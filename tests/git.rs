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

/// The `path:line` places with findings (a `.env` key is both a secret and a credential
/// without an entity: one place).
fn paths(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| format!("{}:{}", f["path"].as_str().expect("path"), f["line"]))
        .collect();
    v.sort();
    v.dedup();
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
fn unchanged_directories_are_skipped_and_changed_ones_compared() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    // Committed keys stay out of a staged scan; names share prefixes on purpose.
    for dir in ["pkg", "pkg-2", "pkg/sub", "pkg.d", "z"] {
        write(
            d,
            &format!("{dir}/old.env"),
            &format!("WANDB_API_KEY={}\n", f.v1()),
        );
        write(d, &format!("{dir}/plain.py"), "import wandb\n");
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    let (doc, code) = staged(d);
    assert_eq!((paths(&doc), code), (Vec::<String>::new(), Some(0)));
    write(d, "pkg/sub/new.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    write(
        d,
        "pkg-2/plain.py",
        &format!("import wandb\nwandb.login(key=\"{}\")\n", f.hex(40)),
    );
    git(d, &["add", "-A"]);
    let (doc, code) = staged(d);
    assert_eq!(paths(&doc), vec!["pkg-2/plain.py:2", "pkg/sub/new.env:1"]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["summary"]["files_scanned"], 2);
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

// ----- history -----------------------------------------------------------------------------

fn history(dir: &Path, extra: &[&str]) -> (serde_json::Value, Option<i32>, String) {
    let out = bin()
        .args(["scan", "--history", "--isolated", "--format", "json"])
        .args(extra)
        .current_dir(dir)
        .output()
        .expect("run");
    (
        json(&out),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn commit_all(d: &Path, msg: &str) {
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", msg]);
}

fn rev(d: &Path, spec: &str) -> String {
    let out = std::process::Command::new("git")
        .args(["rev-parse", spec])
        .current_dir(d)
        .output()
        .expect("rev-parse");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn history_finds_removed_keys_with_their_commit() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    let (gone, kept) = (f.hex(40), f.v1());
    write(d, "train.py", "import wandb\n");
    commit_all(d, "init");
    write(
        d,
        "train.py",
        &format!("import wandb\nwandb.login(key=\"{gone}\")\n"),
    );
    write(d, "ci.env", &format!("WANDB_API_KEY={kept}\n"));
    commit_all(d, "add training");
    let added = rev(d, "HEAD");
    write(d, "train.py", "import wandb\nwandb.login()\n");
    commit_all(d, "use env var");
    let (doc, code, _) = history(d, &[]);
    assert_eq!(code, Some(1));
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 2, "{findings:#?}");
    let by_path = |p: &str| findings.iter().find(|x| x["path"] == p).expect("finding");
    let removed = by_path("train.py");
    assert_eq!(removed["in_head"], false);
    assert_eq!(removed["commit"]["id"], added.as_str());
    assert_eq!(removed["commit"]["summary"], "add training");
    assert_eq!(removed["commit"]["author"], "t");
    assert_eq!(removed["commits"], 1);
    assert!(removed["message"]
        .as_str()
        .is_some_and(|m| m.contains("must be rotated")));
    assert_eq!(removed["line"], 2);
    let present = by_path("ci.env");
    assert_eq!(present["in_head"], true);
    assert_eq!(present["commits"], 2);
    assert!(present["message"]
        .as_str()
        .is_some_and(|m| m.contains("still present at HEAD")));
    // No output format holds a secret.
    for format in ["human", "json"] {
        let out = bin()
            .args(["scan", "--history", "--isolated", "--format", format])
            .current_dir(d)
            .output()
            .expect("run");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_secret(&all, &[gone.clone(), kept.clone()], format);
    }
}

#[test]
fn each_blob_is_scanned_once_however_many_commits_and_paths_hold_it() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    let key = f.v1();
    let content = format!("WANDB_API_KEY={key}\n");
    write(d, "a/.env", &content);
    write(d, "b/.env", &content);
    commit_all(d, "two copies");
    for i in 0..12 {
        write(d, "log.txt", &format!("{i}\n"));
        commit_all(d, &format!("c{i}"));
    }
    let (doc, _, _) = history(d, &[]);
    // Unique blobs: the shared .env blob once, plus 12 versions of log.txt.
    assert_eq!(doc["summary"]["blobs_scanned"], 13);
    assert_eq!(doc["summary"]["files_scanned"], 13);
    assert_eq!(doc["summary"]["commits_scanned"], 13);
    // Reported once per path, with the number of commits holding it.
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 2);
    for x in findings {
        assert_eq!(x["commits"], 13);
        assert_eq!(x["commit"]["summary"], "two copies");
    }
}

#[test]
fn since_range_and_all_refs_select_commits() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    write(d, "a.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    commit_all(d, "one");
    let one = rev(d, "HEAD");
    write(d, "a.env", "WANDB_PROJECT=x\n");
    write(d, "b.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    commit_all(d, "two");
    let two = rev(d, "HEAD");
    git(d, &["checkout", "-qb", "side"]);
    write(d, "c.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    commit_all(d, "side");
    git(d, &["checkout", "-q", "main"]);
    let names = |doc: &serde_json::Value| {
        let mut v: Vec<String> = doc["findings"]
            .as_array()
            .expect("f")
            .iter()
            .map(|x| x["path"].as_str().unwrap_or("").to_string())
            .collect();
        v.sort();
        v
    };
    // Every ref by default (the side branch too); HEAD's branch alone with --ref.
    assert_eq!(names(&history(d, &[]).0), vec!["a.env", "b.env", "c.env"]);
    assert_eq!(
        names(&history(d, &["--ref", "main"]).0),
        vec!["a.env", "b.env"]
    );
    assert_eq!(names(&history(d, &["--since", &one]).0), vec!["b.env"]);
    assert_eq!(
        names(&history(d, &["--range", &format!("{one}..{two}")]).0),
        vec!["b.env"]
    );
    assert_eq!(
        names(&history(d, &["--all-refs"]).0),
        vec!["a.env", "b.env", "c.env"]
    );
    let (doc, _, _) = history(d, &["--all-refs"]);
    let side = doc["findings"]
        .as_array()
        .expect("f")
        .iter()
        .find(|x| x["path"] == "c.env")
        .expect("c.env");
    assert_eq!(side["in_head"], false, "only on another branch");
    // A bad revision is a tool error.
    let out = bin()
        .args(["scan", "--history", "--isolated", "--since", "nope"])
        .current_dir(d)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot resolve revision `nope`"));
}

#[test]
fn shallow_clones_lfs_pointers_and_empty_repositories() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    write(d, "old.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    commit_all(d, "old");
    write(d, "old.env", "WANDB_PROJECT=p\n");
    write(
        d,
        "model.bin",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12\n",
    );
    commit_all(d, "new");
    let clone = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    let st = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, "c"])
        .current_dir(clone.path())
        .output()
        .expect("clone");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let (doc, code, stderr) = history(&clone.path().join("c"), &[]);
    assert_eq!(
        code,
        Some(0),
        "the key is only in the commit the shallow clone lacks"
    );
    assert!(stderr.contains("shallow clone"), "{stderr}");
    assert_eq!(doc["summary"]["skipped"]["lfs-pointer"], 1);
    // The full repository finds it.
    let (doc, code, _) = history(d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["findings"][0]["in_head"], false);
    // An empty repository: nothing to scan, no error.
    let (empty, _) = repo();
    let (doc, code, _) = history(empty.path(), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["summary"]["commits_scanned"], 0);
    // Not a repository: exit 2.
    let plain = tempfile::tempdir().expect("tmp");
    let out = bin()
        .args(["scan", "--history", "--isolated"])
        .arg(plain.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_object_is_reported_and_the_scan_goes_on() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    write(d, "keep.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    write(
        d,
        "lost.txt",
        "this blob will be deleted from the object store\n",
    );
    commit_all(d, "one");
    let lost = {
        let out = std::process::Command::new("git")
            .args(["rev-parse", "HEAD:lost.txt"])
            .current_dir(d)
            .output()
            .expect("rev-parse");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    std::fs::remove_file(d.join(".git/objects").join(&lost[..2]).join(&lost[2..]))
        .expect("remove loose object");
    let (doc, code, _) = history(d, &[]);
    // The scan goes on and still finds the other blob's key, but a history it could not read
    // completely is exit 2 (issue 14, item 12).
    assert_eq!(code, Some(2), "an unreadable object is exit 2");
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(1));
    assert!(
        doc["errors"].to_string().contains(&lost),
        "{}",
        doc["errors"]
    );
    assert_eq!(doc["summary"]["skipped"]["unreadable"], 1);
}

#[test]
fn bare_repositories_have_history() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    write(d, "a.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    commit_all(d, "one");
    let bare = tempfile::tempdir().expect("tmp");
    let st = std::process::Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(d)
        .arg(bare.path().join("b.git"))
        .output()
        .expect("clone");
    assert!(st.status.success());
    let out = bin()
        .args(["scan", "--history", "--isolated", "--format", "json"])
        .arg(bare.path().join("b.git"))
        .output()
        .expect("run");
    let doc = json(&out);
    assert_eq!(doc["findings"][0]["path"], "a.env");
    assert_eq!(doc["findings"][0]["in_head"], true);
}

/// What a history scan reports, without timings: each finding's identity and provenance, and
/// the summary's counts.
fn history_digest(d: &Path) -> (Vec<String>, serde_json::Value) {
    let (mut doc, _, _) = history(d, &[]);
    let mut found: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|x| {
            format!(
                "{} {}:{} {} in_head={} commits={}",
                x["fingerprint"],
                x["path"],
                x["line"],
                x["commit"]["id"],
                x["in_head"],
                x["commits"]
            )
        })
        .collect();
    found.sort();
    let summary = doc["summary"].as_object_mut().expect("summary");
    summary.remove("elapsed_ms");
    (found, doc["summary"].clone())
}

#[test]
fn packed_history_reads_the_same_as_loose_objects() {
    // Full-history scans decode packs in one pass and settle most blobs without their paths;
    // the result must not differ from reading loose objects one by one.
    let (tmp, mut f) = repo();
    let d = tmp.path();
    let filler: String = (0..400)
        .map(|i| format!("metric_{i} = {}\n", i * 7))
        .collect();
    let (gone, host_key) = (f.hex(40), f.prefixed("local"));
    write(d, "train.py", &format!("import wandb\n{filler}"));
    commit_all(d, "init");
    for i in 0..15 {
        let extra = if i == 5 {
            format!("wandb.login(key=\"{gone}\")\n")
        } else {
            String::new()
        };
        write(
            d,
            "train.py",
            &format!("import wandb\n{extra}{filler}step = {i}\n"),
        );
        commit_all(d, &format!("step {i}"));
    }
    // A netrc for a self-managed host never says "wandb": no keyword, found by its path. A
    // copy of the same bytes elsewhere holds the same key and is reported with it.
    let netrc = format!("machine ml.acme.internal\n  login ci\n  password {host_key}\n");
    write(d, "deploy/.netrc", &netrc);
    write(d, "docs/example.txt", &netrc);
    write(d, "weights.bin", "\0\u{1}\u{2}binary");
    write(
        d,
        "model.ckpt",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12\n",
    );
    commit_all(d, "deploy");
    let loose = history_digest(d);
    let packed_objects = std::process::Command::new("git")
        .args(["count-objects", "-v"])
        .current_dir(d)
        .output()
        .expect("count-objects");
    assert!(String::from_utf8_lossy(&packed_objects.stdout).contains("in-pack: 0"));
    git(d, &["repack", "-adfq", "--depth=50", "--window=250"]);
    let after = std::process::Command::new("git")
        .args(["count-objects", "-v"])
        .current_dir(d)
        .output()
        .expect("count-objects");
    assert!(String::from_utf8_lossy(&after.stdout).contains("count: 0"));
    let packed = history_digest(d);
    assert_eq!(loose, packed);
    // And what both found is right.
    let (found, summary) = packed;
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found
        .iter()
        .any(|x| x.contains("\"train.py\":2") && x.contains("in_head=false")));
    for path in ["deploy/.netrc", "docs/example.txt"] {
        assert!(found
            .iter()
            .any(|x| x.contains(&format!("\"{path}\":3")) && x.contains("in_head=true")));
    }
    assert_eq!(summary["skipped"]["binary"], 1);
    assert_eq!(summary["skipped"]["lfs-pointer"], 1);
    assert_eq!(summary["commits_scanned"], 17);
}

#[test]
fn a_range_reports_only_the_keys_it_introduces_with_the_commit_that_did() {
    let (tmp, mut f) = repo();
    let d = tmp.path();
    let (old, moved, gone, new) = (f.v1(), f.v1(), f.v1(), f.v1());
    write(d, "a.env", &format!("WANDB_API_KEY={old}\n"));
    write(d, "m.env", &format!("WANDB_API_KEY={moved}\n"));
    write(d, "c.env", &format!("WANDB_API_KEY={gone}\n"));
    write(d, "train.py", "import wandb\n");
    commit_all(d, "base");
    let base = rev(d, "HEAD");
    git(d, &["checkout", "-qb", "feature"]);
    // The branch edits a file around an old key, moves another, and adds one new key.
    write(
        d,
        "a.env",
        &format!("WANDB_API_KEY={old}\nWANDB_PROJECT=p\n"),
    );
    std::fs::remove_file(d.join("m.env")).expect("rm");
    write(d, "moved/m.env", &format!("WANDB_API_KEY={moved}\n"));
    write(d, "b.env", &format!("WANDB_API_KEY={new}\n"));
    commit_all(d, "add b");
    let added = rev(d, "HEAD");
    write(d, "train.py", "import wandb\nwandb.init()\n");
    commit_all(d, "touch train");
    // Meanwhile main drops c.env: it is still in the branch's base, so not new either.
    git(d, &["checkout", "-q", "main"]);
    std::fs::remove_file(d.join("c.env")).expect("rm");
    commit_all(d, "drop c");
    git(d, &["checkout", "-q", "feature"]);
    for selection in [
        vec!["--range".to_string(), "main..HEAD".to_string()],
        vec!["--since".to_string(), base.clone()],
    ] {
        let args: Vec<&str> = selection.iter().map(String::as_str).collect();
        let (doc, code, err) = history(d, &args);
        let findings = doc["findings"].as_array().expect("findings");
        let secrets: Vec<_> = findings.iter().filter(|x| x["kind"] == "secret").collect();
        assert_eq!(secrets.len(), 1, "{args:?}: {findings:#?}\n{err}");
        assert_eq!(secrets[0]["path"], "b.env");
        assert_eq!(secrets[0]["commit"]["id"], added.as_str(), "{args:?}");
        assert_eq!(secrets[0]["commit"]["summary"], "add b");
        assert!(
            findings.iter().all(|x| x["path"] == "b.env"),
            "{args:?}: {findings:#?}"
        );
        assert_eq!(code, Some(1));
    }
    // The whole history still reports every key.
    let (doc, _, _) = history(d, &[]);
    let mut all: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|x| x["kind"] == "secret")
        .map(|x| x["path"].as_str().unwrap_or("").to_string())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all, ["a.env", "b.env", "c.env", "m.env", "moved/m.env"]);
}
