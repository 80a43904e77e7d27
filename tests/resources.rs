//! Resource limits that a user or an attacker chooses: thread counts, huge packed blobs,
//! unreadable history. Each runs the real binary with a time bound; RSS is measured for
//! the tool's own process, spawned from a fresh copy of this test binary.

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

/// A registry of `n` valid accounts, each with two keys (the shape of bench/gen_registry.py),
/// and `n` teams.
fn registry_text(n: usize) -> String {
    let mut s = String::from("organization: acme\nteams:\n");
    // As many teams as accounts: a mapping of many thousand keys.
    for t in 0..n.max(20) {
        s.push_str(&format!("  team-{t}: {{members: [lead-{t}@acme.com]}}\n"));
    }
    s.push_str("service_accounts:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  - name: svc-{i:06}-runner\n    scope: team\n    team: team-{}\n    auth: api-key\n    purpose: Training job {i}\n    owner: owner-{}@acme.com\n    used_by: [k8s/job-{i}/*.yaml]\n    api_keys:\n      - {{name: k1, id: id-{i}-a, created: 2026-01-01}}\n      - {{name: k2, id: id-{i}-b, created: 2026-02-01}}\n",
            i % 20,
            i % 977
        ));
    }
    s
}

/// Best of two loads of a registry of `n` accounts.
fn load_time(n: usize) -> Duration {
    let text = registry_text(n);
    let mut best = WALL;
    for _ in 0..2 {
        let started = Instant::now();
        let reg = wandb_sa_lint::registry::parse("registry.yaml", &text).expect("valid registry");
        best = best.min(started.elapsed());
        assert_eq!(reg.accounts.len(), n);
    }
    best
}

/// Item 10 of issue 14: loading compared every account's name and key ids with all the
/// accounts before it, and every mapping key with the keys before it (50k accounts took
/// 9.5 s, 100k 57 s). Four times the accounts (and teams) must take about four times as
/// long, far from sixteen.
#[test]
fn registry_loading_is_linear_in_the_accounts() {
    let n = 5_000;
    let small = load_time(n);
    let large = load_time(4 * n);
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-3);
    assert!(
        ratio < 8.0,
        "{n} accounts loaded in {small:?}, {} in {large:?}: {ratio:.1}x (quadratic would be 16x)",
        4 * n
    );
}

/// Item 18 of issue 14 (registry part): a second YAML document was ignored silently; it is
/// an error naming the file and the line, and the run exits 2.
#[test]
fn a_second_registry_document_is_an_error_naming_file_and_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        "registry.yaml",
        "organization: acme\nservice_accounts:\n  - name: a\n---\nservice_accounts:\n  - name: hidden\n",
    );
    let r = run(tmp.path(), &["scan", ".", "--registry", "registry.yaml"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("second YAML document"), "{}", r.stderr);
    assert!(
        r.stderr.contains("at line 5 of `registry.yaml`"),
        "{}",
        r.stderr
    );
}

/// Set for a fresh copy of this test binary that runs [`measuring_launcher`] alone: the
/// directory, the stderr file and the tool's arguments, one per line.
const LAUNCH: &str = "WSL_RESOURCES_LAUNCH";

/// Runs the binary in `dir` with `args` (plus the machine-format flags) and returns (exit
/// code, stderr, its own peak RSS in MiB).
fn run_measured(dir: &Path, args: &[&str]) -> (Option<i32>, String, i64) {
    let mut full: Vec<&str> = args.to_vec();
    full.extend(["--isolated", "--no-progress", "--format", "json"]);
    launch_measured(dir, &full)
}

/// Runs the binary in `dir` with exactly `args` from a fresh copy of this test binary and
/// returns (exit code, stderr, peak RSS in MiB). A child's `ru_maxrss` starts from the
/// high-water mark of the address space it replaced at exec: spawned from this process, it
/// would count what the in-process tests running beside it (a 20,000-account registry)
/// once held. The fresh copy is small when it spawns the tool.
fn launch_measured(dir: &Path, args: &[&str]) -> (Option<i32>, String, i64) {
    let err = tempfile::NamedTempFile::new().expect("stderr file");
    let spec = [
        dir.to_str().expect("utf-8 dir"),
        err.path().to_str().expect("utf-8"),
    ]
    .into_iter()
    .chain(args.iter().copied())
    .collect::<Vec<_>>()
    .join("\n");
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "measuring_launcher",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LAUNCH, spec)
        .output()
        .expect("launcher");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = std::fs::read_to_string(err.path()).unwrap_or_default();
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("measured: ").map(|(_, m)| m))
        .unwrap_or_else(|| panic!("launcher printed no measure: {stdout}"));
    let mut f = line.split(' ');
    let code = f.next().and_then(|c| c.parse().ok());
    let rss = f.next().and_then(|r| r.parse().ok()).expect("rss");
    (code, stderr, rss)
}

/// Under [`LAUNCH`]: runs the tool as told, waits for it with `wait4` and prints its exit
/// code and peak RSS. On its own: `--version`, measured that way, is a small process.
#[test]
fn measuring_launcher() {
    use std::os::unix::process::ExitStatusExt;
    let Ok(spec) = std::env::var(LAUNCH) else {
        let tmp = tempfile::tempdir().expect("tmp");
        let (code, stderr, rss) = launch_measured(tmp.path(), &["--version"]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(rss > 0 && rss < 64, "peak RSS {rss} MiB for --version");
        return;
    };
    let mut lines = spec.split('\n');
    let (dir, err) = (
        lines.next().expect("dir"),
        lines.next().expect("stderr file"),
    );
    let err = std::fs::File::create(err).expect("stderr file");
    // Reaped by the `wait4` below, which also gives this child's own resource usage.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wandb-sa-lint"))
        .current_dir(dir)
        .args(lines)
        .env("WANDB_SA_LINT_NO_TIMING", "1")
        .stdout(std::process::Stdio::null())
        .stderr(err)
        .spawn()
        .expect("spawn");
    let pid = i32::try_from(child.id()).expect("pid");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: waits for our own child; status and usage point to memory we own.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(rc, pid, "wait4");
    // SAFETY: filled by the successful wait4 (zeroed before in any case).
    let usage = unsafe { usage.assume_init() };
    let code = std::process::ExitStatus::from_raw(status).code();
    let code = code.map_or_else(|| "signal".to_string(), |c| c.to_string());
    println!("measured: {code} {}", usage.ru_maxrss / 1024);
}

/// Item 7 of issue 14: a history scan inflated a huge packed blob completely before
/// skipping it as too large (a 1 GB blob in a 4.3 MB pack took 990 MB). Its size is read
/// from the object header first; 200 MB of zeros never reach memory.
#[test]
fn a_huge_packed_blob_is_skipped_without_inflating_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    git(d, &["init", "-q"]);
    // Git itself streams big files instead of reading them whole.
    git(d, &["config", "core.bigFileThreshold", "1m"]);
    let key = Fakes::new(7).v1();
    write(d, "a.env", &format!("WANDB_API_KEY={key}\n"));
    let zeros = std::fs::File::create(d.join("zeros.bin")).expect("create");
    zeros.set_len(200 << 20).expect("200 MB of zeros");
    drop(zeros);
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "big"]);
    git(d, &["gc", "-q"]);
    std::fs::remove_file(d.join("zeros.bin")).expect("rm");
    let pack_bytes: u64 = std::fs::read_dir(d.join(".git/objects/pack"))
        .expect("packs")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum();
    assert!(
        pack_bytes < 10 << 20,
        "the pack is small ({pack_bytes} bytes)"
    );
    let (code, stderr, rss) = run_measured(d, &["scan", "--history"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        rss < 128,
        "peak RSS {rss} MiB for a 200 MB blob that is skipped"
    );
}

/// Item 9 of issue 14: two audit-log lines dated `0001-01-01` and `9999-12-30` made the
/// activity chart one cell per week of ten thousand years (a 698 MB HTML report). The chart
/// covers at most the last `CHART_DAYS` days up to the report date: every format stays small.
#[test]
fn report_size_does_not_grow_with_the_log_window() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut registry = String::from("organization: acme\nservice_accounts:\n");
    let mut log = String::new();
    for i in 0..3 {
        registry.push_str(&format!(
            "  - name: svc-{i}\n    audit_ids: [\"VXNlcjo{i}\"]\n    scope: team\n    auth: api-key\n    purpose: p\n    owner: o@acme.com\n    used_by: [a.yml]\n"
        ));
        for day in ["0001-01-01", "2026-10-20", "9999-12-30"] {
            log.push_str(&format!(
                "{{\"timestamp\":\"{day}T10:00:00Z\",\"action\":\"run:create\",\"actor_user_id\":\"VXNlcjo{i}\",\"response_code\":200}}\n"
            ));
        }
    }
    write(d, "registry.yaml", &registry);
    write(d, "logs/audit.jsonl", &log);
    for (format, out, limit) in [
        ("html", "report.html", 1 << 20),
        ("markdown", "report.md", 256 << 10),
        ("json", "report.json", 256 << 10),
    ] {
        let o = bin()
            .current_dir(d)
            .args(["report", "--isolated", "--registry", "registry.yaml"])
            .args(["--audit-log", "logs", "--as-of", "2026-11-01"])
            .args(["--format", format, "-o", out])
            .timeout(WALL)
            .output()
            .expect("report");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let size = std::fs::metadata(d.join(out)).expect("written").len();
        assert!(size < limit, "{format} report is {size} bytes");
    }
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("report.json")).expect("json"))
            .expect("json");
    let w = &doc["window"];
    assert_eq!(w["start"], "0001-01-01", "{w}");
    assert_eq!(w["chart_days"], 366, "{w}");
    assert_eq!(w["chart_start"], "2025-11-01", "{w}");
    for a in doc["accounts"].as_array().expect("accounts") {
        let activity = a["activity"].as_array().expect("activity");
        assert_eq!(activity.len(), 366);
        // The event inside the charted days is counted on its day.
        assert_eq!(
            activity
                .iter()
                .filter_map(serde_json::Value::as_u64)
                .sum::<u64>(),
            1
        );
    }
    let html = std::fs::read_to_string(d.join("report.html")).expect("html");
    assert!(html.contains("the last 366 days charted"));
}

/// A registry broken on every one of many accounts: each problem copied the whole file (for
/// its snippet), so memory grew with problems times file size. The file is shared, and
/// the first 100 problems are shown with a count of the rest.
#[test]
fn a_registry_with_a_problem_on_every_account_stays_small() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut text = String::from("service_accounts:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  - {{name: svc-{i}, colour: blue}}\n"));
    }
    write(tmp.path(), "registry.yaml", &text);
    let (code, stderr, rss) =
        run_measured(tmp.path(), &["scan", ".", "--registry", "registry.yaml"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown key `colour`"), "{stderr}");
    assert!(
        stderr.contains("19900 more problems in `registry.yaml` not shown"),
        "{}",
        stderr
            .get(stderr.len().saturating_sub(2000)..)
            .unwrap_or("")
    );
    assert!(rss < 256, "peak RSS {rss} MiB");
}
