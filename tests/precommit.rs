//! The pre-commit hooks this repository publishes (`.pre-commit-hooks.yaml`) work in both of
//! pre-commit's modes: at commit time (the staged files are passed, the unstaged changes are
//! stashed away) and with `pre-commit run --all-files` (every tracked file is passed). Each hook
//! is run here as pre-commit runs it: its `entry`, its `args`, then the file names unless
//! `pass_filenames: false`. The documented `rev:` is the crate's version tag.

mod common;

use std::path::Path;

use common::{bin, git, write};
use saphyr::{LoadableYamlNode, Yaml};
use wandb_sa_lint::rules::fakes::Fakes;

/// One hook as pre-commit reads it.
#[derive(Debug)]
struct Hook {
    id: String,
    entry: Vec<String>,
    args: Vec<String>,
    pass_filenames: bool,
    stages: Vec<String>,
}

fn text(node: &Yaml, key: &str) -> Option<String> {
    node.as_mapping_get(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn hooks() -> Vec<Hook> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let src = std::fs::read_to_string(path).expect("the hooks file");
    let docs = Yaml::load_from_str(&src).expect("valid YAML");
    let list = docs
        .first()
        .and_then(|d| d.as_sequence())
        .expect("a list of hooks");
    let hooks: Vec<Hook> = list
        .iter()
        .map(|h| {
            let strings = |key: &str| -> Vec<String> {
                h.as_mapping_get(key)
                    .and_then(|v| v.as_sequence())
                    .map(|s| {
                        s.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            Hook {
                id: text(h, "id").expect("id"),
                entry: text(h, "entry")
                    .expect("entry")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                args: strings("args"),
                pass_filenames: h
                    .as_mapping_get("pass_filenames")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(true),
                stages: strings("stages"),
            }
        })
        .collect();
    assert!(!hooks.is_empty(), "no hooks in .pre-commit-hooks.yaml");
    hooks
}

/// Runs `hook` in `dir` as pre-commit does, with `files` passed; the exit code.
fn run_hook(hook: &Hook, dir: &Path, files: &[String]) -> (Option<i32>, String) {
    assert_eq!(
        hook.entry.first().map(String::as_str),
        Some("wandb-sa-lint"),
        "hook {} runs something else",
        hook.id
    );
    let mut cmd = bin();
    cmd.current_dir(dir)
        .args(hook.entry.iter().skip(1))
        .args(&hook.args);
    if hook.pass_filenames {
        cmd.args(files);
    }
    let out = cmd.output().expect("hook runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), said)
}

fn lines(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Hooks that run when pre-commit runs the commit stage (no `stages` means every stage).
fn commit_hooks() -> Vec<Hook> {
    let all = hooks();
    let runs = all
        .into_iter()
        .filter(|h| h.stages.is_empty() || h.stages.iter().any(|s| s == "pre-commit"))
        .collect::<Vec<_>>();
    assert!(!runs.is_empty(), "no hook runs at commit time");
    runs
}

#[test]
fn every_hook_fails_a_run_over_all_files_when_head_holds_a_key() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    write(dir, "train.py", "import wandb\nwandb.init(project='p')\n");
    write(
        dir,
        "deploy/.env",
        &format!("WANDB_API_KEY={}\n", Fakes::new(3).v1()),
    );
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "one"]);
    // `pre-commit run --all-files` with nothing staged: every tracked file is passed.
    let files = lines(dir, &["ls-files"]);
    assert_eq!(files.len(), 2);
    for hook in commit_hooks() {
        let (code, said) = run_hook(&hook, dir, &files);
        assert_eq!(
            code,
            Some(1),
            "hook {} passed over all files: {said}",
            hook.id
        );
        assert!(said.contains("S001"), "hook {}: {said}", hook.id);
    }
}

#[test]
fn every_hook_fails_a_commit_that_stages_a_key_and_passes_a_clean_one() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    write(dir, "README.md", "# demo\n");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "one"]);
    // A clean staged change passes.
    write(dir, "train.py", "import wandb\nwandb.init(project='p')\n");
    git(dir, &["add", "train.py"]);
    let staged = lines(dir, &["diff", "--cached", "--name-only"]);
    assert_eq!(staged, ["train.py"]);
    for hook in commit_hooks() {
        let (code, said) = run_hook(&hook, dir, &staged);
        assert_eq!(
            code,
            Some(0),
            "hook {} blocked a clean commit: {said}",
            hook.id
        );
    }
    // A staged key is blocked (pre-commit has stashed unstaged changes, so the working tree
    // holds what is staged).
    write(
        dir,
        "configs/run.sh",
        &format!("export WANDB_API_KEY={}\n", Fakes::new(4).v1()),
    );
    git(dir, &["add", "configs/run.sh"]);
    let staged = lines(dir, &["diff", "--cached", "--name-only"]);
    for hook in commit_hooks() {
        let (code, said) = run_hook(&hook, dir, &staged);
        assert_eq!(
            code,
            Some(1),
            "hook {} let a staged key in: {said}",
            hook.id
        );
        assert!(said.contains("configs/run.sh"), "hook {}: {said}", hook.id);
    }
}

#[test]
fn the_documented_rev_is_this_version_tag() {
    let want = format!("rev: v{}", env!("CARGO_PKG_VERSION"));
    for doc in ["README.md", "docs/usage.md"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
        let text = std::fs::read_to_string(path).expect("doc");
        for line in text.lines().filter(|l| l.trim_start().starts_with("rev:")) {
            assert_eq!(line.trim(), want, "{doc} names another release");
        }
    }
}
