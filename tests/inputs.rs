//! Inputs the user names and files that other files name: scan roots (a symlink is followed,
//! a FIFO or a pipe is refused with exit 2), GitLab `include: local:` and compose `env_file:`
//! (read from the scan's own snapshot: inside the repository, regular files only, the staged
//! blob in `--staged`), audit logs and scan results (refused, never dropped silently). Every
//! child runs under a time and memory bound, so a regression fails instead of hanging.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{bin, git, write};
use wandb_sa_lint::rules::fakes::Fakes;

/// Generous bounds: these machines are shared and noisy.
const WALL: Duration = Duration::from_secs(60);
const RSS_MIB: i64 = 1024;

struct Run {
    doc: serde_json::Value,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Everything the run showed: the JSON document (errors included) and stderr.
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    fn errors(&self) -> String {
        format!("{}{}", self.doc["errors"], self.stderr)
    }

    fn finding_paths(&self, rule: &str) -> Vec<String> {
        let mut v: Vec<String> = self.doc["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|f| f["rule"] == rule)
                    .filter_map(|f| f["path"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
}

/// Runs the binary in `dir` with `args` (JSON output unless `human`), bounded in time and
/// memory; `stdin` is piped in when given.
fn run_with(dir: &Path, args: &[&str], json: bool, stdin: Option<&str>) -> Run {
    let started = Instant::now();
    let mut cmd = bin();
    cmd.current_dir(dir)
        .args(args)
        .args(["--isolated", "--no-progress"])
        .timeout(WALL);
    if json && args.first() != Some(&"report") {
        cmd.args(["--format", "json"]);
    }
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_string());
    }
    let out = cmd.output().expect("run");
    let took = started.elapsed();
    assert!(took < WALL, "{args:?} took {took:?}");
    let rss = common::children_peak_rss_mib();
    assert!(rss < RSS_MIB, "{args:?}: a child peaked at {rss} MiB");
    Run {
        doc: serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_with(dir, args, true, None)
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

fn key_line(seed: u64) -> (String, String) {
    let key = Fakes::new(seed).v1();
    (format!("WANDB_API_KEY={key}\n"), key)
}

// ---- Item 11: scan roots ----------------------------------------------------------------

#[test]
fn a_symlinked_root_directory_repository_or_file_is_followed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (line, key) = key_line(1101);
    write(d, "plain/x.env", &line);
    // Inside the tree a symlink is still not followed (its target holds a second key).
    let (outside_line, outside_key) = key_line(1102);
    write(d, "elsewhere/y.env", &outside_line);
    symlink("../elsewhere/y.env", &d.join("plain/inner-link.env"));
    symlink("plain", &d.join("dir-link"));
    symlink("plain/x.env", &d.join("file-link.env"));
    write(d, "repo/tracked.env", &line);
    git(&d.join("repo"), &["init", "-q"]);
    git(&d.join("repo"), &["add", "tracked.env"]);
    symlink("repo", &d.join("repo-link"));

    for (root, want) in [("dir-link", 1), ("file-link.env", 1), ("repo-link", 1)] {
        let r = run(d, &["scan", root, "--verbose"]);
        assert_eq!(r.code, Some(1), "{root}: {}", r.all());
        assert_eq!(r.finding_paths("S001").len(), want, "{root}: {}", r.stdout);
        assert!(r.stdout.contains(&key[..4]), "{root}");
        assert!(!r.all().contains(&key), "{root}: whole key shown");
        assert!(!r.all().contains(&outside_key[..30]), "{root}");
    }
    let r = run(d, &["scan", "dir-link", "--verbose"]);
    assert_eq!(r.doc["summary"]["skipped"]["symlink"], 1, "{}", r.stdout);
}

#[test]
fn a_fifo_a_device_and_a_pipe_as_root_are_exit_2_naming_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (line, _) = key_line(1103);
    mkfifo(&d.join("a-fifo"));
    for root in ["a-fifo", "/dev/null", "does-not-exist"] {
        let r = run(d, &["scan", root]);
        assert_eq!(r.code, Some(2), "{root}: {}", r.all());
        assert!(r.stderr.contains(root), "{root}: {}", r.stderr);
    }
    // `scan /dev/stdin` fed by a pipe (as `<(cmd)` or `cmd | scan /dev/stdin` are).
    let r = run_with(d, &["scan", "/dev/stdin"], true, Some(&line));
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("/dev/stdin"), "{}", r.stderr);
    // A named regular file that cannot be read (on Linux, reading one's own memory at
    // offset 0 fails even for root).
    if Path::new("/proc/self/mem").exists() {
        let r = run(d, &["scan", "/proc/self/mem"]);
        assert_eq!(r.code, Some(2), "{}", r.all());
        assert!(r.errors().contains("/proc/self/mem"), "{}", r.errors());
    }
    // One bad root among good ones still fails the run.
    write(d, "ok.env", &line);
    let r = run(d, &["scan", "ok.env", "a-fifo"]);
    assert_eq!(r.code, Some(2), "{}", r.all());
}

// ---- Item 4: files other files name -------------------------------------------------------

/// A repository whose pipeline and compose file name `/dev/zero` through a committed
/// symlink and through `../`, next to a plainly planted key.
fn zero_repo() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (line, key) = key_line(401);
    write(d, "plain.env", &line);
    write(
        d,
        ".gitlab-ci.yml",
        "include:\n  - local: zero.yml\n  - local: ../../../../../../../../../../dev/zero\ntrain:\n  variables:\n    WANDB_API_KEY: $K\n  script: [python train.py]\n",
    );
    write(
        d,
        "docker-compose.yml",
        "services:\n  app:\n    env_file: [zero.env, ../../../../../../../../../../dev/zero]\n    environment: [WANDB_API_KEY]\n",
    );
    symlink("/dev/zero", &d.join("zero.yml"));
    symlink("/dev/zero", &d.join("zero.env"));
    git(d, &["init", "-q"]);
    git(d, &["add", "."]);
    (tmp, key)
}

#[test]
fn an_include_or_env_file_on_dev_zero_is_refused_in_bounded_time_and_memory() {
    let (tmp, key) = zero_repo();
    let d = tmp.path();
    for mode in [&["scan", "."][..], &["scan", "--staged"][..]] {
        let r = run(d, mode);
        assert_eq!(r.code, Some(1), "{mode:?}: {}", r.all());
        assert_eq!(r.finding_paths("S001"), vec!["plain.env"], "{mode:?}");
        let e = r.errors();
        for named in ["zero.yml", "zero.env", "dev/zero"] {
            assert!(e.contains(named), "{mode:?} {named}: {e}");
        }
        assert!(!r.all().contains(&key), "{mode:?}: whole key shown");
    }
}

#[test]
fn a_fifo_include_or_env_file_does_not_hang() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (line, _) = key_line(402);
    write(d, "plain.env", &line);
    write(
        d,
        ".gitlab-ci.yml",
        "include:\n  - local: pipe.yml\ntrain:\n  variables:\n    WANDB_API_KEY: $K\n  script: [python train.py]\n",
    );
    write(
        d,
        "compose.yaml",
        "services:\n  app:\n    env_file: pipe.env\n    environment: [WANDB_API_KEY]\n",
    );
    mkfifo(&d.join("pipe.yml"));
    mkfifo(&d.join("pipe.env"));
    let r = run(d, &["scan", "."]);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert_eq!(r.finding_paths("S001"), vec!["plain.env"]);
    let e = r.errors();
    assert!(e.contains("pipe.yml") && e.contains("pipe.env"), "{e}");
}

#[test]
fn includes_and_env_files_outside_the_repository_are_not_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let top = tmp.path();
    let outside_key = Fakes::new(403).v1();
    // Outside the repository: an env file that would set the entity, and a pipeline file
    // whose job holds a key.
    write(
        top,
        "outside/team.env",
        "WANDB_ENTITY=outside-team-marker\n",
    );
    write(
        top,
        "outside/jobs.yml",
        &format!(
            "leak:\n  variables:\n    WANDB_API_KEY: {outside_key}\n    WANDB_ENTITY: outside-job-marker\n  script: [python x.py]\n"
        ),
    );
    let abs_env = top.join("outside/team.env");
    let abs_env = abs_env.to_str().expect("utf-8");
    let d = top.join("repo");
    write(
        &d,
        ".gitlab-ci.yml",
        "include:\n  - local: ../outside/jobs.yml\ntrain:\n  variables:\n    WANDB_API_KEY: $K\n  script: [python train.py]\n",
    );
    write(
        &d,
        "compose.yaml",
        &format!(
            "services:\n  rel:\n    env_file: ../outside/team.env\n    environment: [WANDB_API_KEY]\n  abs:\n    env_file: {abs_env}\n    environment: [WANDB_API_KEY]\n"
        ),
    );
    // A symlink inside the repository that leads out of it.
    symlink("../outside/team.env", &d.join("linked.env"));
    write(
        &d,
        "svc/compose.yaml",
        "services:\n  linked:\n    env_file: ../linked.env\n    environment: [WANDB_API_KEY]\n",
    );
    git(&d, &["init", "-q"]);
    git(&d, &["add", "."]);
    for mode in [&["scan", "."][..], &["scan", "--staged"][..]] {
        let r = run(&d, mode);
        let all = r.all();
        assert!(
            !all.contains("marker"),
            "{mode:?}: outside content shown: {all}"
        );
        assert!(!all.contains(&outside_key[..8]), "{mode:?}: {all}");
        // Not read, so the entity is not known: every service still lacks it.
        let c001 = r.finding_paths("C001");
        assert_eq!(c001, vec![".gitlab-ci.yml"], "{mode:?}: {all}");
        let e = r.errors();
        assert!(e.contains("../outside/jobs.yml"), "{mode:?}: {e}");
        assert!(e.contains("../outside/team.env"), "{mode:?}: {e}");
        assert!(e.contains(abs_env), "{mode:?}: {e}");
        assert!(e.contains("linked.env"), "{mode:?}: {e}");
    }
}

#[test]
fn includes_and_env_files_inside_the_repository_are_still_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(
        d,
        ".gitlab-ci.yml",
        "include:\n  - local: /ci/vars.yml\ntrain:\n  variables:\n    WANDB_API_KEY: $K\n  script: [python train.py]\n",
    );
    write(d, "ci/vars.yml", "variables:\n  WANDB_ENTITY: ml-team\n");
    write(d, "svc/team.env", "WANDB_ENTITY=ml-team\n");
    write(
        d,
        "svc/app/compose.yaml",
        "services:\n  app:\n    env_file: ../team.env\n    environment: [WANDB_API_KEY]\n",
    );
    let r = run(d, &["scan", "."]);
    assert_eq!(r.finding_paths("C001"), Vec::<String>::new(), "{}", r.all());
    assert!(!r.errors().contains("team.env"), "{}", r.errors());
}

#[test]
fn staged_mode_reads_the_staged_include_not_the_working_tree() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    git(d, &["init", "-q"]);
    write(
        d,
        ".gitlab-ci.yml",
        "include:\n  - local: ci/vars.yml\ntrain:\n  variables:\n    WANDB_API_KEY: $K\n  script: [python train.py]\n",
    );
    write(d, "ci/vars.yml", "variables:\n  WANDB_PROJECT: p\n");
    write(d, "team.env", "WANDB_PROJECT=p\n");
    write(
        d,
        "compose.yaml",
        "services:\n  app:\n    env_file: team.env\n    environment: [WANDB_API_KEY]\n",
    );
    git(d, &["add", "."]);
    // Not staged: the working tree sets the entity; the commit would not.
    write(d, "ci/vars.yml", "variables:\n  WANDB_ENTITY: ml-team\n");
    write(d, "team.env", "WANDB_ENTITY=ml-team\n");
    let r = run(d, &["scan", "--staged"]);
    assert_eq!(
        r.finding_paths("C001"),
        vec![".gitlab-ci.yml", "compose.yaml"],
        "{}",
        r.all()
    );
    // The working tree scan reads the working tree.
    let r = run(d, &["scan", "."]);
    assert_eq!(r.finding_paths("C001"), Vec::<String>::new(), "{}", r.all());

    // An include that is not staged at all is not read from the working tree either.
    write(d, "ci/extra.yml", "variables:\n  WANDB_ENTITY: ml-team\n");
    write(
        d,
        ".gitlab-ci.yml",
        "include:\n  - local: ci/extra.yml\ntrain:\n  variables:\n    WANDB_API_KEY: $K\n  script: [python train.py]\n",
    );
    git(d, &["add", ".gitlab-ci.yml"]);
    let r = run(d, &["scan", "--staged"]);
    assert!(
        r.finding_paths("C001")
            .contains(&".gitlab-ci.yml".to_string()),
        "{}",
        r.all()
    );
    assert!(r.errors().contains("ci/extra.yml"), "{}", r.errors());
}

// ---- Item 13: audit logs, scan results, deep trees ----------------------------------------

const REGISTRY: &str = "service_accounts:\n  - name: ci-training\n    audit_ids: [VXNlcjox]\n    api_keys:\n      - {name: k, id: a, created: 2026-01-01, last_used: 2026-10-30}\n";
const GOOD_LOG: &str = "{\"timestamp\":\"2026-10-30T10:00:00Z\",\"action\":\"run:update\",\"actor_user_id\":\"VXNlcjox\"}\n";

fn audit_args<'a>(logs: &'a [&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "audit",
        "--registry",
        "registry.yaml",
        "--as-of",
        "2026-11-01",
    ];
    for l in logs {
        v.push("--audit-log");
        v.push(l);
    }
    v
}

#[test]
fn symlinked_and_fifo_logs_in_a_folder_are_reported_not_dropped() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "registry.yaml", REGISTRY);
    write(d, "logs/2026-10-30.jsonl", GOOD_LOG);
    write(d, "elsewhere/2026-10-29.jsonl", GOOD_LOG);
    symlink(
        "../elsewhere/2026-10-29.jsonl",
        &d.join("logs/2026-10-29.jsonl"),
    );
    symlink("/dev/zero", &d.join("logs/2026-10-28.jsonl"));
    mkfifo(&d.join("logs/2026-10-27.jsonl"));
    let r = run(d, &audit_args(&["logs"]));
    assert!(matches!(r.code, Some(0 | 1)), "{}", r.all());
    let e = r.errors();
    for name in ["2026-10-29.jsonl", "2026-10-28.jsonl", "2026-10-27.jsonl"] {
        assert!(e.contains(name), "{name}: {e}");
    }
    assert_eq!(r.doc["summary"]["audit"]["events"], 1, "{}", r.stdout);
    // A symlink the user names (to the folder, or to a log) is followed.
    symlink("logs", &d.join("logs-link"));
    symlink("elsewhere/2026-10-29.jsonl", &d.join("named-link.jsonl"));
    let r = run(d, &audit_args(&["logs-link", "named-link.jsonl"]));
    assert!(matches!(r.code, Some(0 | 1)), "{}", r.all());
    assert_eq!(r.doc["summary"]["audit"]["events"], 2, "{}", r.stdout);
    assert!(r.errors().contains("2026-10-27.jsonl"), "{}", r.errors());
}

#[test]
fn a_named_audit_log_that_is_not_a_file_or_folder_is_exit_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "registry.yaml", REGISTRY);
    write(d, "logs/2026-10-30.jsonl", GOOD_LOG);
    mkfifo(&d.join("pipe.jsonl"));
    for bad in ["/dev/zero", "pipe.jsonl", "missing.jsonl"] {
        let r = run(d, &audit_args(&["logs", bad]));
        assert_eq!(r.code, Some(2), "{bad}: {}", r.all());
        assert!(r.stderr.contains(bad), "{bad}: {}", r.stderr);
    }
    // The same through `report`.
    let r = run(
        d,
        &[
            "report",
            "--registry",
            "registry.yaml",
            "--audit-log",
            "/dev/zero",
            "--format",
            "json",
            "-o",
            "r.json",
        ],
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("/dev/zero"), "{}", r.stderr);
}

#[test]
fn a_named_scan_result_that_cannot_be_read_is_exit_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "not-json.json", "this is not json\n");
    write(d, "ok.json", "{\"findings\": []}\n");
    for bad in ["missing.json", "not-json.json"] {
        let r = run(
            d,
            &[
                "report", "--scan", "ok.json", "--scan", bad, "--format", "json", "-o", "r.json",
            ],
        );
        assert_eq!(r.code, Some(2), "{bad}: {}", r.all());
        assert!(r.stderr.contains(bad), "{bad}: {}", r.stderr);
    }
    let r = run(
        d,
        &[
            "report", "--scan", "ok.json", "--format", "json", "-o", "r.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
}

/// Creates `levels` nested directories named `name` under `dir` (with `*at` calls, since the
/// whole path is longer than PATH_MAX) and a file `k.env` with `content` at the bottom.
fn deep_tree(dir: &Path, name: &str, levels: usize, content: &str) {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let c_name = std::ffi::CString::new(name).expect("name");
    let mut fd = std::fs::File::open(dir).expect("open").into();
    for _ in 0..levels {
        let cur: &OwnedFd = &fd;
        // SAFETY: a valid directory descriptor and NUL-terminated name.
        let rc = unsafe { libc::mkdirat(cur.as_raw_fd(), c_name.as_ptr(), 0o755) };
        assert_eq!(rc, 0, "mkdirat");
        // SAFETY: as above; the new descriptor is owned below.
        let next = unsafe {
            libc::openat(
                cur.as_raw_fd(),
                c_name.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY,
            )
        };
        assert!(next >= 0, "openat");
        // SAFETY: `next` is a fresh descriptor nobody else owns.
        fd = unsafe { OwnedFd::from_raw_fd(next) };
    }
    let file = std::ffi::CString::new("k.env").expect("name");
    // SAFETY: a valid directory descriptor and NUL-terminated name.
    let f = unsafe {
        libc::openat(
            fd.as_raw_fd(),
            file.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT,
            0o644,
        )
    };
    assert!(f >= 0, "create");
    // SAFETY: `f` is a fresh descriptor nobody else owns.
    let mut f = unsafe { std::fs::File::from_raw_fd(f) };
    std::io::Write::write_all(&mut f, content.as_bytes()).expect("write");
}

#[test]
fn a_tree_deeper_than_path_max_is_exit_2_naming_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let (line, _) = key_line(1301);
    write(d, "plain.env", &line);
    deep_tree(d, &"d".repeat(200), 30, &line);
    let r = run(d, &["scan", "."]);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert_eq!(r.finding_paths("S001"), vec!["plain.env"]);
    assert!(r.errors().contains("File name too long"), "{}", r.errors());
}
