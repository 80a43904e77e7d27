//! What users of ruff, gitleaks and pre-commit expect around the linter itself: shell
//! completions and a man page, `init` for a starter configuration and registry, and "did you
//! mean" for misspelt rule ids and names.

mod common;
use common::*;

use std::path::Path;

/// The subcommands a user can type.
const SUBCOMMANDS: &[&str] = &[
    "scan",
    "audit",
    "report",
    "rules",
    "baseline",
    "explain",
    "init",
    "completions",
    "man",
];

#[test]
fn bash_completion_names_every_subcommand_and_fail_on() {
    let (out, err, code) = run_in(&root(), &["completions", "bash"]);
    assert_eq!(code, Some(0), "{err}");
    for sub in SUBCOMMANDS {
        assert!(out.contains(sub), "bash completion lacks `{sub}`");
    }
    assert!(out.contains("--fail-on"), "bash completion lacks --fail-on");
    assert!(
        out.contains("complete -F"),
        "not a bash completion script:\n{out}"
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let (out, err, code) = run_in(&root(), &["completions", shell]);
        assert_eq!(code, Some(0), "{shell}: {err}");
        assert!(
            out.contains("fail-on"),
            "{shell} completion lacks --fail-on"
        );
    }
    let (_, err, code) = run_in(&root(), &["completions", "tcsh"]);
    assert_eq!(code, Some(2), "{err}");
}

/// What bash completes for `wandb-sa-lint WORDS... CUR<TAB>` with the generated script, or
/// `None` where bash is not installed.
fn bash_completes(script: &Path, words: &[&str], cur: &str) -> Option<String> {
    let line = format!("wandb-sa-lint {} {cur}", words.join(" "));
    let prev = words.last().copied().unwrap_or("wandb-sa-lint");
    let program = format!(
        "source {script}; COMP_WORDS=({line}); COMP_CWORD={n}; COMP_LINE='{line}'; \
         COMP_POINT=${{#COMP_LINE}}; _wandb__sa__lint wandb-sa-lint '{cur}' '{prev}'; \
         echo \"${{COMPREPLY[@]}}\"",
        script = script.display(),
        n = words.len() + 1,
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "-c", &program])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn bash_completes_subcommands_and_their_options() {
    let (out, err, code) = run_in(&root(), &["completions", "bash"]);
    assert_eq!(code, Some(0), "{err}");
    let dir = tempfile::tempdir().expect("dir");
    let script = dir.path().join("wandb-sa-lint.bash");
    std::fs::write(&script, out).expect("write");
    let Some(top) = bash_completes(&script, &[], "sc") else {
        return; // no bash here
    };
    assert_eq!(top.trim(), "scan");
    // Past the subcommand (clap_complete misnames these states for a hyphenated binary).
    let fail = bash_completes(&script, &["scan"], "--fail").unwrap_or_default();
    assert_eq!(fail.trim(), "--fail-on", "scan --fail<TAB>");
    let staged = bash_completes(&script, &["scan"], "--sta").unwrap_or_default();
    assert_eq!(staged.trim(), "--staged", "scan --sta<TAB>");
    let shells = bash_completes(&script, &["completions"], "fi").unwrap_or_default();
    assert_eq!(shells.trim(), "fish", "completions fi<TAB>");
}

#[test]
fn the_man_page_is_roff_naming_every_subcommand() {
    let (out, err, code) = run_in(&root(), &["man"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with(".ie") || out.contains("\n.TH "),
        "no .TH:\n{out}"
    );
    assert!(out.contains(".TH wandb-sa-lint 1"), "no title line:\n{out}");
    for sub in SUBCOMMANDS {
        assert!(
            out.contains(&format!("wandb\\-sa\\-lint\\-{sub}(1)")),
            "man page lacks `{sub}`"
        );
    }
    // `man -l` renders it without a warning, where man is installed (CI installs it, and there
    // a missing `man` fails the test).
    let dir = tempfile::tempdir().expect("dir");
    let page = dir.path().join("wandb-sa-lint.1");
    std::fs::write(&page, &out).expect("write");
    let man = std::process::Command::new("man")
        .env("MANWIDTH", "80")
        .env("MAN_KEEP_STDERR", "1")
        .env("GROFF_NO_SGR", "1")
        .args(["-l", "-Tutf8", "--warnings=all"])
        .arg(&page)
        .output();
    assert!(
        man.is_ok() || std::env::var_os("CI").is_none(),
        "CI must render the man page: install man-db (.ci/run does)"
    );
    if let Ok(r) = man {
        // Without a terminal, man shows bold as `c\x08c`: keep the characters.
        let text = regex::Regex::new(".\x08")
            .expect("re")
            .replace_all(&String::from_utf8_lossy(&r.stdout), "")
            .into_owned();
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(r.status.success(), "man -l failed: {err}");
        assert!(err.trim().is_empty(), "man -l warned: {err}");
        assert!(text.contains("SUBCOMMANDS"), "{text}");
        assert!(text.contains("--fail-on"), "{text}");
    }
}

/// `--show-config` in `dir` without its first line (which names the files loaded).
fn effective_config(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["--show-config"];
    args.extend_from_slice(extra);
    let (out, err, code) = run_in(dir, &args);
    assert_eq!(code, Some(0), "{err}");
    out.lines()
        .filter(|l| !l.starts_with("# loaded-from"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The file with every commented setting (`# key = value`, `# [table]`) uncommented.
fn uncommented(text: &str) -> String {
    let setting =
        regex::Regex::new(r"^# (\[[A-Za-z0-9.-]+\](  # .*)?|[A-Za-z0-9-]+ = .*)$").expect("re");
    text.lines()
        .map(|l| match setting.captures(l) {
            Some(c) => c[1].to_string(),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn init_writes_a_starter_config_that_means_the_defaults() {
    let dir = tempfile::tempdir().expect("dir");
    let defaults = effective_config(dir.path(), &["--isolated"]);
    let (out, err, code) = run_in(dir.path(), &["init"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(".wandb-sa-lint.toml"),
        "names what it wrote: {out}"
    );
    let file = dir.path().join(".wandb-sa-lint.toml");
    let text = std::fs::read_to_string(&file).expect("written");
    for key in [
        "max-file-size",
        "max-yaml-depth",
        "max-yaml-aliases",
        "context-window",
        "fail-on",
        "exclude",
        "extend-exclude",
        "rule-dirs",
        "[rules]",
        "[[allow]]",
        "[params.A002]",
        "unused-after",
    ] {
        assert!(text.contains(key), "starter config lacks `{key}`:\n{text}");
    }
    assert_eq!(effective_config(dir.path(), &[]), defaults, "as written");
    // Every documented default is the real one: uncommenting every setting changes nothing.
    // (`[rules]` and `[params]` then list the defaults: compare the catalogue they give.)
    let catalogue = |d: &Path| {
        let (out, err, code) = run_in(d, &["rules", "--format", "json"]);
        assert_eq!(code, Some(0), "{err}");
        out
    };
    let default_rules = catalogue(dir.path());
    std::fs::write(&file, uncommented(&text)).expect("rewrite");
    let top = |c: &str| c.split("[rules]").next().unwrap_or_default().to_string();
    assert_eq!(top(&effective_config(dir.path(), &[])), top(&defaults));
    assert!(effective_config(dir.path(), &[]).contains("[params.A002]"));
    assert_eq!(catalogue(dir.path()), default_rules);
}

#[test]
fn init_never_overwrites_or_follows_a_link() {
    let dir = tempfile::tempdir().expect("dir");
    write(dir.path(), ".wandb-sa-lint.toml", "fail-on = \"warning\"\n");
    let (_, err, code) = run_in(dir.path(), &["init"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    let kept = std::fs::read_to_string(dir.path().join(".wandb-sa-lint.toml")).expect("read");
    assert_eq!(kept, "fail-on = \"warning\"\n");
    let (_, err, code) = run_in(dir.path(), &["init", "--force"]);
    assert_eq!(code, Some(0), "{err}");
    let replaced = std::fs::read_to_string(dir.path().join(".wandb-sa-lint.toml")).expect("read");
    assert!(replaced.contains("# fail-on = \"error\""), "{replaced}");

    let other = tempfile::tempdir().expect("dir");
    let target = other.path().join("elsewhere.toml");
    std::fs::write(&target, "keep").expect("write");
    let linked = tempfile::tempdir().expect("dir");
    std::os::unix::fs::symlink(&target, linked.path().join(".wandb-sa-lint.toml")).expect("ln");
    let (_, err, code) = run_in(linked.path(), &["init", "--force"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
}

#[test]
fn init_registry_writes_a_skeleton_the_loader_accepts() {
    let dir = tempfile::tempdir().expect("dir");
    let (out, err, code) = run_in(dir.path(), &["init", "--registry", "registry.yaml"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("registry.yaml"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("registry.yaml")).expect("written");
    for field in [
        "organization:",
        "teams:",
        "members:",
        "projects:",
        "visibility:",
        "service_accounts:",
        "name:",
        "scope:",
        "team:",
        "auth:",
        "purpose:",
        "owner:",
        "used_by:",
        "audit_ids:",
        "created:",
        "api_keys:",
        "last_used:",
    ] {
        assert!(text.contains(field), "skeleton lacks `{field}`:\n{text}");
    }
    let reg = wandb_sa_lint::registry::parse("registry.yaml", &text).expect("loads cleanly");
    assert_eq!(reg.accounts.len(), 1);
    assert!(!reg.teams.is_empty());
    // And the tool itself takes it, without a registry problem.
    let (_, err, code) = run_in(
        dir.path(),
        &[
            "audit",
            "--registry",
            "registry.yaml",
            "--as-of",
            "2026-01-01",
        ],
    );
    assert!(code == Some(0) || code == Some(1), "{err}");
    assert!(!err.contains("problem(s) in registry"), "{err}");
    // A second run refuses to overwrite it.
    let (_, err, code) = run_in(dir.path(), &["init", "--registry", "registry.yaml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn explain_suggests_the_rule_meant() {
    for (typed, meant) in [
        ("S0001", "did you mean `S001` (committed-api-key)?"),
        (
            "comitted-api-key",
            "did you mean `S001` (committed-api-key)?",
        ),
        (
            "Committed-API-Key",
            "did you mean `S001` (committed-api-key)?",
        ),
        ("a02", "did you mean `A002` (unused-service-account)?"),
    ] {
        let (_, err, code) = run_in(&root(), &["explain", typed]);
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.contains(&format!("unknown rule `{typed}`; {meant}")),
            "{typed}: {err}"
        );
    }
    // Nothing close: no guess.
    let (_, err, code) = run_in(&root(), &["explain", "frobnicate"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown rule `frobnicate`"), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
}

/// `scan` in `dir` on a terminal too wide to wrap the diagnostic: (stderr, exit code).
fn scan_wide(dir: &Path) -> (String, Option<i32>) {
    let out = bin()
        .current_dir(dir)
        .env("COLUMNS", "1000")
        .arg("scan")
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn config_rule_names_get_suggestions() {
    let dir = tempfile::tempdir().expect("dir");
    write(
        dir.path(),
        ".wandb-sa-lint.toml",
        "[rules]\nS0002 = \"warning\"\n\n[params.unused-service-acount]\nunused-after = 30\n",
    );
    let (err, code) = scan_wide(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("did you mean `S002` (committed-access-token)?"),
        "[rules]: {err}"
    );
    write(
        dir.path(),
        ".wandb-sa-lint.toml",
        "[params.unused-service-acount]\nunused-after = 30\n",
    );
    let (err, code) = scan_wide(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("did you mean `A002` (unused-service-account)?"),
        "[params.X]: {err}"
    );
    write(
        dir.path(),
        ".wandb-sa-lint.toml",
        "[[allow]]\npath = \"x/**\"\nrules = [\"commited-api-key\"]\nreason = \"fixtures\"\n",
    );
    let (err, code) = scan_wide(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("did you mean `S001` (committed-api-key)?"),
        "[[allow]]: {err}"
    );
}
