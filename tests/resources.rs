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
