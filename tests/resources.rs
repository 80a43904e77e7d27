//! Resource limits that a user or an attacker chooses: thread counts, huge packed blobs,
//! unreadable history. Each runs the real binary with a time bound; RSS is measured for
//! the child processes of this test binary.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{bin, git, write};
use wandb_sa_lint::rules::fakes::Fakes;

const WALL: Duration = Duration::from_secs(120);

struct Run {
    doc: serde_json::Value,
    code: Option<i32>,
    stderr: String,
    took: Duration,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let out = bin()
        .current_dir(dir)
        .args(args)
        .args(["--isolated", "--format", "json", "--no-progress"])
        .timeout(WALL)
        .output()
        .expect("run");
    let took = started.elapsed();
    assert!(took < WALL, "{args:?} took {took:?}");
    Run {
        doc: serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    }
}

fn finds(r: &Run, path: &str) -> bool {
    r.doc["findings"]
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f["path"] == path && f["rule"] == "S001"))
}

/// Item 8 of issue 14: `--threads 100000` started a hundred thousand threads (over ten
/// minutes at full CPU). It is capped at four per core, with a warning saying so.
#[test]
fn a_huge_thread_count_is_capped_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    let key = Fakes::new(8).v1();
    write(tmp.path(), "a.env", &format!("WANDB_API_KEY={key}\n"));
    let r = run(tmp.path(), &["scan", ".", "--threads", "100000"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(finds(&r, "a.env"));
    assert!(
        r.stderr.contains("--threads 100000 capped at"),
        "{}",
        r.stderr
    );
    assert!(r.took < Duration::from_secs(60), "took {:?}", r.took);
    // A count within the cap says nothing.
    let r = run(tmp.path(), &["scan", ".", "--threads", "2"]);
    assert_eq!(r.code, Some(1));
    assert!(!r.stderr.contains("capped"), "{}", r.stderr);
    // History scans are capped too.
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "."]);
    git(tmp.path(), &["commit", "-qm", "one"]);
    let r = run(tmp.path(), &["scan", "--history", "--threads", "100000"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("capped at"), "{}", r.stderr);
}

/// A repository of three commits, each adding an env file with a key; packed by `git gc`.
fn packed_repo(dir: &Path) {
    let mut f = Fakes::new(12);
    for i in 0..3 {
        write(
            dir,
            &format!("f{i}.env"),
            &format!("WANDB_API_KEY={}\n", f.v1()),
        );
        git(dir, &["add", "."]);
        git(dir, &["commit", "-qm", &format!("c{i}")]);
    }
    git(dir, &["gc", "-q"]);
}

/// Item 12 of issue 14: a repository whose pack is gone scanned "0 commits" and exited 0; a
/// blobless partial clone had every blob unreadable and exited 0. Both are exit 2 with a
/// message saying what could not be read and what to do.
#[test]
fn unreadable_history_is_exit_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let origin = tmp.path().join("origin");
    std::fs::create_dir_all(&origin).expect("mkdir");
    git(&origin, &["init", "-q"]);
    packed_repo(&origin);
    let r = run(&origin, &["scan", "--history"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.doc["summary"]["commits_scanned"], 3);

    // The pack removed: nothing can be read.
    let broken = tmp.path().join("broken");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--no-local",
            origin.to_str().expect("utf-8"),
            "broken",
        ],
    );
    for e in std::fs::read_dir(broken.join(".git/objects/pack")).expect("pack dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "pack") {
            std::fs::remove_file(p).expect("rm pack");
        }
    }
    let r = run(&broken, &["scan", "--history"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("was not scanned completely"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("git fsck"), "{}", r.stderr);

    // A blobless partial clone: commits and trees, no blobs.
    git(&origin, &["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", origin.display());
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            "partial",
        ],
    );
    let partial = tmp.path().join("partial");
    let r = run(&partial, &["scan", "--history"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("3 blob(s) cannot be read"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("partial clone"), "{}", r.stderr);
    assert!(r.stderr.contains("git fetch --refetch"), "{}", r.stderr);
    // An empty repository has nothing to read: not an error.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    git(&empty, &["init", "-q"]);
    let r = run(&empty, &["scan", "--history"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}
