//! What leaves the program cannot be turned against its reader: no write through a planted
//! symbolic link, no terminal escapes or forged CI workflow commands from file and job names,
//! no HTML or links from input in the Markdown report, no path that a SARIF viewer takes for
//! another file.

mod common;

use common::{run_in as run, write};
use wandb_sa_lint::rules::fakes::Fakes;

fn key() -> String {
    Fakes::new(7).v1()
}

#[test]
fn outputs_are_not_written_through_a_planted_symlink() {
    let outside = tempfile::tempdir().expect("dir");
    let target = outside.path().join("victim.txt");
    std::fs::write(&target, "precious").expect("write");
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    write(dir, "app.env", &format!("WANDB_API_KEY={}\n", key()));
    write(
        dir,
        "org/registry.yaml",
        "service_accounts:\n  - {name: ci-model-training, created: 2025-01-10}\n",
    );
    std::os::unix::fs::symlink(&target, dir.join("out.json")).expect("link");
    // A folder link inside the checkout is refused too.
    std::fs::create_dir(outside.path().join("sub")).expect("mkdir");
    std::os::unix::fs::symlink(outside.path().join("sub"), dir.join("reports")).expect("link");
    for args in [
        &["scan", "--format", "json", "-o", "out.json"][..],
        &["baseline", "-o", "out.json"][..],
        &[
            "report",
            "--registry",
            "org/registry.yaml",
            "--format",
            "json",
            "-o",
            "out.json",
        ][..],
        &["scan", "-o", "reports/scan.txt"][..],
    ] {
        let (_, err, code) = run(dir, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("symbolic link"), "{args:?}: {err}");
        assert_eq!(
            std::fs::read_to_string(&target).expect("read"),
            "precious",
            "{args:?} wrote into the link's target"
        );
        assert!(
            !outside.path().join("sub/scan.txt").exists(),
            "{args:?} wrote through the folder link"
        );
    }
    // A plain path is written, and replacing a regular file works.
    let (_, err, code) = run(dir, &["scan", "--format", "json", "-o", "plain.json"]);
    assert_eq!(code, Some(1), "{err}");
    let body = std::fs::read_to_string(dir.join("plain.json")).expect("written");
    assert!(body.contains("\"S001\""));
}

#[test]
fn names_cannot_forge_lines_or_drive_the_terminal() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    let k = key();
    let forged = "x\n::error file=README.md,line=1::forged\n.env";
    write(dir, forged, &format!("WANDB_API_KEY={k}\n"));
    write(
        dir,
        "e\u{1b}[2J\u{1b}]0;pwned\u{7}.env",
        &format!("WANDB_API_KEY={k}\n"),
    );
    write(
        dir,
        ".github/workflows/train.yml",
        "on: push\njobs:\n  \"a\\n::warning::forged job\\u001b[31m\":\n    runs-on: ubuntu-latest\n    env:\n      WANDB_API_KEY: ${{ secrets.K }}\n    steps:\n      - run: python train.py\n",
    );
    for format in ["human", "github", "json", "sarif", "junit", "gitlab"] {
        let (out, err, code) = run(dir, &["scan", "--color", "never", "--format", format]);
        assert_eq!(code, Some(1), "{format}: {err}");
        for (what, text) in [("stdout", &out), ("stderr", &err)] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{format} {what} carries a raw escape"
            );
            for line in text.lines() {
                assert!(
                    !line.trim_start().starts_with("::error file=README.md")
                        && !line.trim_start().starts_with("::warning::forged"),
                    "{format} {what} has a forged workflow command: {line}"
                );
            }
        }
        if format == "human" {
            assert!(out.contains("\\n::error file=README.md"), "{out}");
            assert!(out.contains("\\x1b[2J"), "{out}");
        }
    }
    // With colour on, our colours pass but the file's escapes still do not.
    let (out, _, _) = run(dir, &["scan", "--color", "always"]);
    assert!(out.contains("\u{1b}["), "coloured output has colour");
    assert!(
        !out.contains("\u{1b}[2J") && !out.contains("\u{1b}]0;"),
        "{out}"
    );
}

#[test]
fn sarif_uris_keep_backslashes_in_names() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    write(dir, "C:\\evil.env", &format!("WANDB_API_KEY={}\n", key()));
    let (out, err, code) = run(dir, &["scan", "--format", "sarif"]);
    assert_eq!(code, Some(1), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("sarif");
    let uri = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "C%3A%5Cevil.env");
    let (json, _, _) = run(dir, &["scan", "--format", "json"]);
    assert!(json.contains(r#""path": "C:\\evil.env""#), "{json}");
}

#[test]
fn markdown_report_shows_input_as_text() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    write(
        dir,
        "org/registry.yaml",
        "organization: \"<details open><summary>x</summary>\"\nteams:\n  ml-team: {members: [alice@acme.com]}\nservice_accounts:\n  - name: \"bot`<img src=x onerror=alert(1)>`\"\n    scope: team\n    team: ml-team\n    owner: \"[click](https://evil.example/phish) <img src=https://evil.example/t.png>\"\n    created: 2025-01-10\n",
    );
    let (_, err, code) = run(
        dir,
        &[
            "report",
            "--registry",
            "org/registry.yaml",
            "--as-of",
            "2026-11-01",
            "--format",
            "markdown",
            "-o",
            "r.md",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let md = std::fs::read_to_string(dir.join("r.md")).expect("report");
    assert!(md.contains("service accounts"), "{md}");
    assert!(!md.contains("<img"), "{md}");
    assert!(!md.contains("<details open>"), "{md}");
    // `[click](…)` is shown as text: its brackets are escaped.
    assert!(!md.replace(r"\]", "").contains("](https://evil"), "{md}");
    assert!(md.contains(r"\[click\](https://evil"), "{md}");
    assert!(
        md.contains(r"bot\`&lt;img src=x onerror=alert(1)&gt;\`"),
        "{md}"
    );
}

#[test]
fn writing_to_a_pipe_or_device_keeps_it_one() {
    use std::os::unix::fs::FileTypeExt;
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    write(dir, "app.env", &format!("WANDB_API_KEY={}\n", key()));
    let fifo = dir.join("out.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // A reader waits on the pipe, as a `-o` to a named pipe or `/dev/null` expects.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the pipe"))
    };
    let (_, err, code) = run(dir, &["scan", "--format", "json", "-o", "out.pipe"]);
    assert_eq!(code, Some(1), "{err}");
    // Judged before joining: a reader of a replaced pipe would wait for ever.
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(kind.is_fifo(), "the pipe was replaced by {kind:?}");
    let body = reader.join().expect("reader");
    assert!(body.contains("\"S001\""), "{body}");
    // A folder is refused by name, not replaced.
    std::fs::create_dir(dir.join("out")).expect("mkdir");
    let (_, err, code) = run(dir, &["scan", "--format", "json", "-o", "out"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is a folder"), "{err}");
    assert!(dir.join("out").is_dir());
}

#[test]
fn no_folder_is_made_through_a_link() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    let outside = tempfile::tempdir().expect("dir");
    std::os::unix::fs::symlink(outside.path(), dir.join("link")).expect("link");
    for args in [
        &["man", "--dir", "link/sub"][..],
        &["rules", "docs", "link/sub"][..],
    ] {
        let (_, err, code) = run(dir, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("symbolic link"), "{args:?}: {err}");
        assert!(
            !outside.path().join("sub").exists(),
            "{args:?} made a folder through the link"
        );
    }
}
