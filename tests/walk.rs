//! File discovery: in a git repository the files git would commit; outside one every file,
//! hidden ones included; never `.git/`; skips counted by reason.

mod common;
use common::*;

use wandb_sa_lint::rules::fakes::Fakes;

fn scan(dir: &std::path::Path) -> serde_json::Value {
    let out = bin()
        .args(["scan", "--isolated", "--format", "json", "--verbose"])
        .arg(dir)
        .output()
        .expect("run");
    json(&out)
}

/// The names of the files with secret findings (what the walk reached and read).
fn paths(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "secret")
        .map(|f| {
            f["path"]
                .as_str()
                .expect("path")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn git_repository_scans_what_git_would_commit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(21);
    let line = |k: String| format!("WANDB_API_KEY={k}\n");
    git(d, &["init", "-q"]);
    write(d, ".gitignore", ".env\nbuild/\n");
    write(d, "tracked.env", &line(f.v1()));
    write(d, ".env", &line(f.v1())); // ignored, then force-added: committed, so scanned
    write(d, "build/out.env", &line(f.v1())); // ignored and untracked: not scanned
    write(d, "untracked.sh", &format!("export {}", line(f.v1()))); // untracked, not ignored: scanned
    write(d, ".git/leak.env", &line(f.v1())); // never scanned
    git(d, &["add", "tracked.env", ".gitignore"]);
    git(d, &["add", "-f", ".env"]);
    let doc = scan(d);
    assert_eq!(paths(&doc), vec![".env", "tracked.env", "untracked.sh"]);
}

#[test]
fn outside_git_every_file_including_hidden() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(22);
    write(d, ".gitignore", "*.env\n"); // not a repository: no effect
    write(
        d,
        ".github/workflows/ci.yml",
        &format!("env:\n  WANDB_API_KEY: {}\n", f.hex(40)),
    );
    write(d, "a.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    write(
        d,
        ".netrc",
        &format!("machine api.wandb.ai login user password {}\n", f.hex(40)),
    );
    let doc = scan(d);
    assert_eq!(paths(&doc), vec![".netrc", "a.env", "ci.yml"]);
}

#[test]
fn skips_are_counted_by_reason() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(23);
    let key = f.v1();
    let mut bin_content = format!("WANDB_API_KEY={key}\n").into_bytes();
    bin_content.insert(3, 0);
    std::fs::write(d.join("blob.bin"), bin_content).expect("write");
    write(
        d,
        "big.env",
        &format!("WANDB_API_KEY={key}\n{}", "x".repeat(2048)),
    );
    write(d, "ok.env", &format!("WANDB_API_KEY={key}\n"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.join("ok.env"), d.join("link.env")).expect("symlink");
        let fifo = d.join("pipe.env");
        let st = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(st.success());
    }
    let out = bin()
        .args([
            "scan",
            "--isolated",
            "--format",
            "json",
            "--verbose",
            "--max-file-size",
            "1KiB",
        ])
        .arg(d)
        .output()
        .expect("run");
    let doc = json(&out);
    assert_eq!(paths(&doc), vec!["ok.env"]);
    let skipped = &doc["summary"]["skipped"];
    assert_eq!(skipped["binary"], 1);
    assert_eq!(skipped["too-large"], 1);
    #[cfg(unix)]
    {
        assert_eq!(skipped["symlink"], 1);
        assert_eq!(skipped["special"], 1);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("skipped (binary):") && stderr.contains("blob.bin"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped (too-large):") && stderr.contains("big.env"),
        "{stderr}"
    );
    let human = bin()
        .args(["scan", "--isolated", "--max-file-size", "1KiB"])
        .arg(d)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("skipped 4 (binary 1, special 1, symlink 1, too-large 1)") || !cfg!(unix),
        "{text}"
    );
}

#[test]
fn a_single_file_and_several_paths() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(24);
    write(d, "a/x.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    write(d, "b/y.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    write(d, "c/z.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    let out = bin()
        .args(["scan", "--isolated", "--format", "json"])
        .arg(d.join("a/x.env"))
        .arg(d.join("b"))
        .output()
        .expect("run");
    let doc = json(&out);
    assert_eq!(paths(&doc), vec!["x.env", "y.env"]);
}

#[test]
fn invalid_utf8_and_unreadable_files_do_not_stop_the_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(25);
    let mut bytes = b"\xff\xfe garbage \xc3\x28 WANDB_API_KEY=".to_vec();
    bytes.extend(f.v1().as_bytes());
    bytes.extend(b"\n\xe2\x82\n");
    std::fs::write(d.join("latin.env"), bytes).expect("write");
    write(d, "locked.env", &format!("WANDB_API_KEY={}\n", f.v1()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("locked.env"), std::fs::Permissions::from_mode(0o000))
            .expect("chmod");
    }
    let out = bin()
        .args(["scan", "--isolated", "--format", "json"])
        .arg(d)
        .output()
        .expect("run");
    let doc = json(&out);
    assert!(paths(&doc).contains(&"latin.env".to_string()));
    // Root can read mode-000 files; elsewhere the file is reported as unreadable.
    let errors = doc["errors"].to_string();
    let read_locked = paths(&doc).contains(&"locked.env".to_string());
    assert!(read_locked || errors.contains("cannot read"), "{errors}");
    assert_eq!(out.status.code(), Some(1));
}

/// Every finding's `path`, sorted (duplicates kept).
fn all_paths(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "secret")
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn a_scan_covers_exactly_its_path_and_names_files_from_the_repository_root() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(1601);
    git(d, &["init", "-q"]);
    let key = |f: &mut Fakes| format!("import wandb\nwandb.login(key=\"{}\")\n", f.hex(40));
    write(d, "src/pkg/mod.py", &key(&mut f));
    write(d, "src/pkg/allowed.py", &key(&mut f));
    write(d, "src/pkg/gen/out.py", &key(&mut f));
    write(d, "src/other.py", &key(&mut f));
    write(d, "top.py", &key(&mut f));
    // Globs relative to the configuration's folder (the root), whatever the working directory.
    write(
        d,
        ".wandb-sa-lint.toml",
        "extend-exclude = [\"src/pkg/gen/**\"]\n\n[[allow]]\npath = \"src/pkg/allowed.py\"\nreason = \"fixture\"\n",
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "init"]);
    let run = |cwd: &std::path::Path, args: &[&str]| {
        let out = bin()
            .current_dir(cwd)
            .args(["scan", "--format", "json", "--no-progress"])
            .args(args)
            .output()
            .expect("run");
        json(&out)
    };
    let want = vec!["src/pkg/mod.py".to_string()];
    // From the folder itself (the default path), from the root, and by absolute path from
    // elsewhere: the same files, once each, named from the repository root.
    let pkg = d.join("src/pkg");
    assert_eq!(all_paths(&run(&pkg, &[])), want);
    assert_eq!(all_paths(&run(&pkg, &["."])), want);
    assert_eq!(all_paths(&run(d, &["src/pkg"])), want);
    assert_eq!(all_paths(&run(&d.join("src"), &["pkg"])), want);
    let elsewhere = tempfile::tempdir().expect("tmp");
    let abs = pkg.to_string_lossy().into_owned();
    assert_eq!(all_paths(&run(elsewhere.path(), &[&abs])), want);
    // A file named from a subdirectory, too.
    assert_eq!(all_paths(&run(&pkg, &["mod.py"])), want);
    // The whole repository from a subdirectory: every file under the root, once.
    assert_eq!(
        all_paths(&run(&pkg, &["../.."])),
        vec!["src/other.py", "src/pkg/mod.py", "top.py"]
    );
    let doc = run(&pkg, &[]);
    assert_eq!(doc["summary"]["files_scanned"], 2, "{}", doc["summary"]);
}
