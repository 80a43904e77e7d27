//! The CI mode against fail-open configuration (`--config-from REV`, `--no-weaken`): a pull
//! request that commits a weaker `.wandb-sa-lint.toml`, rule file or baseline cannot switch
//! off its own check. Every case runs the real binary on a git repository built here: a base
//! commit on `main`, then the pull request's commit on `pr`.

mod common;
use common::*;

use std::path::Path;

use wandb_sa_lint::rules::fakes::Fakes;

const CONFIG: &str = ".wandb-sa-lint.toml";
const BASELINE: &str = ".wandb-sa-lint-baseline.json";

/// A repository whose `main` holds `base` (path, content) files and whose checked-out `pr`
/// branch then writes `head` files (an empty content deletes the file) and commits them.
fn repo(base: &[(&str, &str)], head: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    git(d, &["init", "-q"]);
    write(d, "README.md", "demo\n");
    for (path, content) in base {
        write(d, path, content);
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["checkout", "-qb", "pr"]);
    for (path, content) in head {
        if content.is_empty() {
            std::fs::remove_file(d.join(path)).expect("rm");
        } else {
            write(d, path, content);
        }
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "pr", "--allow-empty"]);
    tmp
}

/// Runs the binary in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = bin()
        .args(args)
        .arg("--no-progress")
        .current_dir(dir)
        .output()
        .expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scan(dir: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["scan", "."];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// A committed key in a `.env` file (an S001 error).
fn leak(seed: u64) -> String {
    format!("WANDB_API_KEY={}\n", Fakes::new(seed).v1())
}

/// `text` with miette's wrapped lines joined.
fn flat(text: &str) -> String {
    text.replace("\n  │ ", " ")
}

/// Asserts a refusal: exit 2, with a diagnostic naming `at` and saying `what`.
fn assert_refused(out: &(Option<i32>, String, String), at: &str, what: &str, case: &str) {
    let (code, _, err) = out;
    assert_eq!(*code, Some(2), "{case}: expected exit 2; stderr:\n{err}");
    assert!(
        err.contains("weakens the checks"),
        "{case}: not a weakening refusal:\n{err}"
    );
    let line = err
        .lines()
        .find(|l| l.contains(at))
        .unwrap_or_else(|| panic!("{case}: `{at}` not named:\n{err}"));
    // miette wraps long messages: read the diagnostic from its line on.
    let rest: String = err
        .split(line)
        .nth(1)
        .map(|r| format!("{line}{r}"))
        .unwrap_or_default()
        .replace("\n  │ ", " ");
    assert!(
        rest.contains(what),
        "{case}: `{what}` not said at `{at}`:\n{err}"
    );
}

#[test]
fn unknown_rule_ids_in_rules_and_allow_are_errors_pointing_at_the_entry() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "a.txt", "x\n");
    write(d, CONFIG, "[rules]\nS0001 = \"off\"\n");
    let (code, _, err) = scan(d, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("unknown rule `S0001`"), "{err}");
    assert!(err.contains("2 │ S0001 = \"off\""), "{err}");

    write(
        d,
        CONFIG,
        "[[allow]]\npath = \"fixtures/**\"\nrules = [\"S001\", \"S0002\"]\nreason = \"fakes\"\n",
    );
    let (code, _, err) = scan(d, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("unknown rule `S0002` in `rules`") && err.contains(":1)"),
        "{err}"
    );
    assert!(err.contains("3 │ rules = [\"S001\", \"S0002\"]"), "{err}");

    // Ids in any case and rule names are known.
    write(
        d,
        CONFIG,
        "[rules]\ns002 = \"warning\"\ncommitted-api-key = \"error\"\n[[allow]]\npath = \"x/**\"\nrules = [\"committed-access-token\", \"c001\"]\nreason = \"r\"\n",
    );
    let (code, _, err) = scan(d, &[]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_pull_request_turning_s001_off_is_refused_and_the_base_config_applies() {
    let key = leak(1);
    let tmp = repo(
        &[],
        &[
            ("app/.env", key.as_str()),
            (
                CONFIG,
                "# quiet\nfail-on = \"never\"\n[rules]\nS001 = \"off\"\n",
            ),
        ],
    );
    let d = tmp.path();
    // The attack: a plain run trusts the pull request's configuration.
    let plain = scan(d, &[]);
    assert_eq!(plain.0, Some(0), "{}", plain.2);
    let out = scan(d, &["--config-from", "main"]);
    assert_refused(
        &out,
        ".wandb-sa-lint.toml:4",
        "rule S001 (committed-api-key) is turned off (base: error)",
        "S001 off",
    );
    assert!(
        out.2.contains("weakens the checks of `main`: 2 setting(s)"),
        "{}",
        out.2
    );
    assert_no_secret(
        &out.2,
        &[key.trim_start_matches("WANDB_API_KEY=").trim().to_string()],
        "stderr",
    );
}

#[test]
fn each_weakening_setting_is_refused_naming_its_line() {
    let base = "fail-on = \"warning\"\nextend-exclude = [\"vendor/**\"]\n\n[[allow]]\npath = \"fixtures/**\"\nrules = [\"S001\"]\nreason = \"generated fakes\"\n";
    // (case, head configuration, the line it is named at, what is said)
    let cases: &[(&str, &str, &str, &str)] = &[
        ("fail-on never", "fail-on = \"never\"\n", ":1", "`fail-on` is `never` (base: `warning`)"),
        ("fail-on raised", "fail-on = \"error\"\n", ":1", "`fail-on` is `error` (base: `warning`)"),
        (
            "fail-on removed",
            "extend-exclude = [\"vendor/**\"]\n",
            "`fail-on` removed (set at main:.wandb-sa-lint.toml:1)",
            "`fail-on` is `error` (base: `warning`)",
        ),
        ("max-file-size", "fail-on = \"warning\"\nmax-file-size = 1\n", ":2", "`max-file-size` is 1 (base: 10485760)"),
        ("max-file-size text", "fail-on = \"warning\"\nmax-file-size = \"1KiB\"\n", ":2", "`max-file-size` is 1024"),
        ("max-yaml-depth", "fail-on = \"warning\"\nmax-yaml-depth = 2\n", ":2", "`max-yaml-depth` is 2 (base: 256)"),
        ("max-yaml-aliases", "fail-on = \"warning\"\nmax-yaml-aliases = 1\n", ":2", "`max-yaml-aliases` is 1"),
        ("context-window", "fail-on = \"warning\"\ncontext-window = 256\n", ":2", "`context-window` is 256"),
        ("exclude everything", "fail-on = \"warning\"\nexclude = [\"**\"]\n", ":2", "exclude `**` is new"),
        (
            "extend-exclude",
            "fail-on = \"warning\"\nextend-exclude = [\"vendor/**\",\n  \"app/**\"]\n",
            ":3",
            "exclude `app/**` is new",
        ),
        ("rule off by name", "fail-on = \"warning\"\n[rules]\ncommitted-api-key = \"off\"\n", ":3", "rule S001 (committed-api-key) is turned off"),
        ("rule lowered", "fail-on = \"warning\"\n[rules]\nS002 = \"info\"\n", ":3", "rule S002 (committed-access-token) is lowered to info (base: error)"),
        ("config rule off", "fail-on = \"warning\"\n[rules]\nC007 = \"off\"\n", ":3", "rule C007 (ssl-verification-disabled) is turned off (base: warning)"),
        (
            "new allow by path",
            "fail-on = \"warning\"\n[[allow]]\npath = \"app/**\"\nreason = \"mine\"\n",
            ":2",
            "allow entry (path `app/**`, every rule) is new or wider",
        ),
        (
            "allow widened to every rule",
            "fail-on = \"warning\"\n[[allow]]\npath = \"fixtures/**\"\nreason = \"generated fakes\"\n",
            ":2",
            "allow entry (path `fixtures/**`, every rule) is new or wider",
        ),
        (
            "allow widened path",
            "fail-on = \"warning\"\n[[allow]]\npath = \"**\"\nrules = [\"S001\"]\nreason = \"generated fakes\"\n",
            ":2",
            "allow entry (path `**`, rules S001) is new or wider",
        ),
        (
            "new allow by fingerprint",
            "fail-on = \"warning\"\n\n[[allow]]\nfingerprint = \"00112233445566778899aabbccddeeff\"\nreason = \"mine\"\n",
            ":3",
            "allow entry (fingerprint 00112233445566778899aabbccddeeff, every rule) is new",
        ),
        (
            "parameter",
            "fail-on = \"warning\"\n[params.A001]\nmin-length = 1\n",
            ":3",
            "parameter `min-length` of A001 is 1 (base: 6)",
        ),
    ];
    for (case, head, at, what) in cases {
        let tmp = repo(&[(CONFIG, base)], &[(CONFIG, head)]);
        let out = scan(tmp.path(), &["--config-from", "main"]);
        let at = if at.starts_with(':') {
            format!("{CONFIG}{at}")
        } else {
            (*at).to_string()
        };
        assert_refused(&out, &at, what, case);
        assert!(
            out.2.contains("1 setting(s) refused"),
            "{case}: one weakening expected:\n{}",
            out.2
        );
        // The same change against the built-in defaults (`--no-weaken` alone), where
        // `fail-on = "error"` is the default itself.
        if !case.starts_with("fail-on r") {
            let alone = scan(tmp.path(), &["--no-weaken"]);
            assert_eq!(alone.0, Some(2), "{case}: --no-weaken\n{}", alone.2);
        }
    }
}

#[test]
fn settings_that_only_add_checks_pass_and_the_base_config_is_the_one_applied() {
    let base = "fail-on = \"error\"\nextend-exclude = [\"vendor/**\"]\n[rules]\nC007 = \"info\"\n\n[[allow]]\npath = \"fixtures/**\"\nreason = \"generated fakes\"\n\n[[allow]]\naccount = \"legacy\"\nreason = \"retired soon\"\n";
    let head = "fail-on = \"warning\"\nmax-file-size = \"20MiB\"\nmax-yaml-depth = 512\nexclude = []\n[rules]\nC007 = \"error\"\nS002 = \"error\"\n\n[[allow]]\npath = \"fixtures/**\"\nrules = [\"S001\"]\nreason = \"narrowed\"\n\n[[allow]]\naccount = \"LEGACY\"\nrules = [\"A002\"]\nreason = \"narrowed\"\n";
    let tmp = repo(
        &[(CONFIG, base), ("fixtures/.env", &leak(2))],
        &[(CONFIG, head), ("vendor/.env", &leak(3))],
    );
    let d = tmp.path();
    let (code, _, err) = scan(d, &["--config-from", "main", "--format", "json"]);
    // The base's exclude still applies (the key under vendor/ is not scanned) and so does its
    // allow: nothing to report.
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(d, &["scan", ".", "--config-from", "main", "--show-config"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("main:.wandb-sa-lint.toml"), "{out}");
    assert!(out.contains("fail-on = \"error\""), "{out}");
    // The working tree's copy applies once it is on the base branch.
    let (code, _, err) = scan(d, &["--config-from", "pr"]);
    assert_eq!(code, Some(1), "{err}");
}

#[test]
fn no_weaken_without_a_revision_allows_only_additions_to_the_defaults() {
    let tmp = repo(
        &[],
        &[(CONFIG, "fail-on = \"info\"\n[rules]\nC007 = \"error\"\n")],
    );
    let (code, _, err) = scan(tmp.path(), &["--no-weaken"]);
    assert_eq!(code, Some(0), "{err}");
    let tmp = repo(
        &[],
        &[(
            CONFIG,
            "[[allow]]\npath = \"fixtures/**\"\nreason = \"fakes\"\n",
        )],
    );
    let out = scan(tmp.path(), &["--no-weaken"]);
    assert_refused(
        &out,
        ".wandb-sa-lint.toml:1",
        "allow entry (path `fixtures/**`, every rule) is new",
        "defaults",
    );
    assert!(out.2.contains("the built-in defaults"), "{}", out.2);
}

/// A baseline recording the findings of `dir` as they are.
fn record_baseline(dir: &Path) {
    let (code, _, err) = run(dir, &["baseline", ".", "-o", BASELINE]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_pull_request_adding_baseline_entries_is_refused_and_the_base_baseline_applies() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    git(d, &["init", "-q"]);
    write(d, "old/.env", &leak(4));
    record_baseline(d);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base: one accepted finding"]);
    git(d, &["checkout", "-qb", "pr"]);
    write(d, "new/.env", &leak(5));
    record_baseline(d);
    git(d, &["commit", "-qam", "pr: a new key, baselined"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "pr: the key"]);

    // The attack: the pull request's baseline hides its own key.
    let plain = scan(d, &["--baseline", BASELINE]);
    assert_eq!(plain.0, Some(0), "{}", plain.2);
    let out = scan(d, &["--config-from", "main", "--baseline", BASELINE]);
    assert_refused(
        &out,
        ".wandb-sa-lint-baseline.json:",
        "baseline entry S001 (id ",
        "baseline",
    );
    assert!(
        flat(&out.2).contains("is not in the base's baseline"),
        "{}",
        out.2
    );

    // The base's baseline is the one applied: with the pull request's baseline put back,
    // the new key fails the run and the old one stays accepted.
    git(d, &["checkout", "-q", "main", "--", BASELINE]);
    let (code, stdout, err) = scan(
        d,
        &[
            "--config-from",
            "main",
            "--baseline",
            BASELINE,
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(paths.iter().all(|p| p.contains("new/")), "{paths:?}");
    // The old key's S001 and C001 (no entity next to the key) findings.
    assert_eq!(doc["summary"]["baselined"], 2, "{stdout}");

    // Removing an entry (the finding was fixed) only adds checks.
    std::fs::remove_file(d.join("old/.env")).expect("rm");
    std::fs::remove_file(d.join("new/.env")).expect("rm");
    write(
        d,
        BASELINE,
        "{\"version\": 1, \"tool\": \"wandb-sa-lint\", \"entries\": [\n]}\n",
    );
    let (code, _, err) = scan(d, &["--config-from", "main", "--baseline", BASELINE]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn the_baseline_is_read_from_the_revision_even_when_the_working_copy_is_gone_or_a_symlink() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    git(d, &["init", "-q"]);
    write(d, "old/.env", &leak(6));
    record_baseline(d);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    std::fs::remove_file(d.join(BASELINE)).expect("rm");
    let (code, _, err) = scan(d, &["--config-from", "main", "--baseline", BASELINE]);
    assert_eq!(code, Some(0), "the revision's baseline applies: {err}");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/dev/zero", d.join(BASELINE)).expect("symlink");
        let (code, _, err) = scan(d, &["--config-from", "main", "--baseline", BASELINE]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("not a regular file"), "{err}");
    }
}

/// A copy of the built-in C007 rule file under another id and severity.
fn custom_rule(id: &str, severity: &str) -> String {
    let text =
        std::fs::read_to_string(root().join("rules/config/C007-ssl-verification-disabled.yaml"))
            .expect("rule file");
    text.replace("id: C007", &format!("id: {id}"))
        .replace(
            "name: ssl-verification-disabled",
            &format!("name: {}-ssl", id.to_lowercase()),
        )
        .replace("severity: warning", &format!("severity: {severity}"))
}

#[test]
fn rule_files_that_remove_or_lower_a_rule_are_refused() {
    let base = "rule-dirs = [\"policy\"]\n";
    // A base rule file lowered in the working tree (the configuration untouched).
    let tmp = repo(
        &[
            (CONFIG, base),
            ("policy/C901.yaml", &custom_rule("C901", "error")),
        ],
        &[("policy/C901.yaml", &custom_rule("C901", "info"))],
    );
    let out = scan(tmp.path(), &["--config-from", "main"]);
    assert_refused(
        &out,
        "policy/C901.yaml",
        "rule C901 (c901-ssl) is lowered to info (base: error)",
        "lowered file",
    );
    // Deleted.
    let tmp = repo(
        &[
            (CONFIG, base),
            ("policy/C901.yaml", &custom_rule("C901", "error")),
        ],
        &[("policy/C901.yaml", "")],
    );
    let out = scan(tmp.path(), &["--config-from", "main"]);
    assert_refused(
        &out,
        ".wandb-sa-lint.toml:1",
        "rule C901 (c901-ssl) is no longer in the catalogue",
        "deleted file",
    );
    // A rule file replacing a built-in rule with another check.
    let s001 =
        std::fs::read_to_string(root().join("rules/config/C004-api-key-on-command-line.yaml"))
            .expect("rule file");
    let fake = s001.replace("id: C004", "id: C007").replace(
        "name: api-key-on-command-line",
        "name: ssl-verification-disabled",
    );
    let tmp = repo(
        &[(CONFIG, base), ("policy/.keep", "x\n")],
        &[("policy/C007.yaml", &fake)],
    );
    let out = scan(tmp.path(), &["--config-from", "main"]);
    assert_refused(
        &out,
        "policy/C007.yaml",
        "rule C007 (ssl-verification-disabled) is redefined",
        "redefined",
    );
    // A new rule only adds checks.
    let tmp = repo(
        &[(CONFIG, base), ("policy/.keep", "x\n")],
        &[("policy/C902.yaml", &custom_rule("C902", "info"))],
    );
    let (code, _, err) = scan(tmp.path(), &["--config-from", "main"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn an_unusable_revision_or_working_config_is_exit_2() {
    let tmp = repo(&[], &[]);
    let d = tmp.path();
    let (code, _, err) = scan(d, &["--config-from", "origin/main"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot resolve revision `origin/main`") && err.contains("git fetch"),
        "{err}"
    );

    let outside = tempfile::tempdir().expect("tmp");
    write(outside.path(), "a.txt", "x\n");
    let (code, _, err) = scan(outside.path(), &["--config-from", "main"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not in a git working tree"), "{err}");

    // A broken working-tree configuration cannot be compared: refused, not ignored.
    let tmp = repo(&[], &[(CONFIG, "fail-on = \n")]);
    let (code, _, err) = scan(tmp.path(), &["--config-from", "main"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot compare the working tree's configuration"),
        "{err}"
    );

    // `--config` inside the repository is read from the revision too; absent there, exit 2.
    let tmp = repo(&[], &[("ci/strict.toml", "fail-on = \"warning\"\n")]);
    let (code, _, err) = scan(
        tmp.path(),
        &["--config-from", "main", "--config", "ci/strict.toml"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("main:ci/strict.toml") && err.contains("no such file at this revision"),
        "{err}"
    );
}

#[test]
fn audit_reads_its_configuration_and_baseline_from_the_revision() {
    let registry = "service_accounts:\n  - name: temp\n    audit_ids: [VXNlcjox]\n    api_keys:\n      - {name: k, id: a, created: 2026-01-01, last_used: 2026-10-30}\n";
    let tmp = repo(
        &[
            ("registry.yaml", registry),
            (CONFIG, "fail-on = \"warning\"\n"),
        ],
        &[(CONFIG, "fail-on = \"warning\"\n[rules]\nA001 = \"off\"\n")],
    );
    let d = tmp.path();
    let audit = [
        "audit",
        "--registry",
        "registry.yaml",
        "--as-of",
        "2026-11-01",
    ];
    let (code, _, err) = run(d, &audit);
    assert_eq!(code, Some(1), "{err}");
    let mut args = audit.to_vec();
    args.extend(["--config-from", "main"]);
    let out = run(d, &args);
    assert_refused(
        &out,
        ".wandb-sa-lint.toml:3",
        "rule A001 (generic-service-account-name) is turned off",
        "audit",
    );

    // A baseline written on the pull request's branch hides nothing in CI mode.
    let tmp = repo(&[("registry.yaml", registry)], &[]);
    let d = tmp.path();
    let mut write_args = audit.to_vec();
    write_args.extend(["--write-baseline", BASELINE]);
    let (code, _, err) = run(d, &write_args);
    assert_eq!(code, Some(0), "{err}");
    let mut args = audit.to_vec();
    args.extend(["--baseline", BASELINE]);
    assert_eq!(run(d, &args).0, Some(0));
    args.extend(["--config-from", "main"]);
    let out = run(d, &args);
    assert_refused(
        &out,
        ".wandb-sa-lint-baseline.json:",
        "baseline entry A001",
        "audit baseline",
    );
}

#[cfg(unix)]
#[test]
fn a_config_file_that_is_a_fifo_or_device_is_refused_not_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "a.txt", "x\n");
    let fifo = d.join("fifo.toml");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(st.success());
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.toml")).expect("symlink");
    for name in ["fifo.toml", "zero.toml"] {
        let out = bin()
            .args(["--config", name, "scan", ".", "--no-progress"])
            .current_dir(d)
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("not a regular file"), "{name}: {err}");
    }
}

#[test]
fn globs_of_the_revision_config_are_relative_to_the_path_as_scanned() {
    let key = leak(7);
    let tmp = repo(
        &[
            (
                CONFIG,
                "[[allow]]\npath = \"fixtures/**\"\nreason = \"generated fakes\"\n",
            ),
            ("fixtures/.env", key.as_str()),
        ],
        &[],
    );
    let d = tmp.path();
    let name = d.file_name().expect("name").to_string_lossy().into_owned();
    let roundabout = format!("{}/../{name}", d.display());
    let file = format!("{}/fixtures/../fixtures/.env", d.display());
    for path in [".", "fixtures/..", roundabout.as_str(), file.as_str()] {
        let (code, _, err) = run(d, &["scan", path, "--config-from", "main"]);
        assert_eq!(code, Some(0), "{path}: {err}");
    }
}

#[test]
fn inline_allows_added_by_the_change_are_refused() {
    let old = format!(
        "# wandb-sa-lint: allow S001, C002 -- revoked key kept for the tutorial\n{}",
        leak(8)
    );
    let new = format!("{}# wandb-sa-lint: allow S001 -- mine\n{}", old, leak(9));
    let tmp = repo(
        &[("docs/.env", old.as_str())],
        &[("docs/.env", new.as_str())],
    );
    let d = tmp.path();
    // The attack: a plain run honours the new comment.
    let plain = scan(d, &["--fail-on", "error", "--exclude", "README.md"]);
    assert_eq!(plain.0, Some(0), "{}", plain.2);
    let out = scan(d, &["--config-from", "main"]);
    assert_refused(
        &out,
        "docs/.env:3",
        "inline allow of S001 is not in `main`",
        "inline",
    );
    assert!(out.2.contains("1 setting(s) refused"), "{}", out.2);
    assert_no_secret(
        &out.2,
        &[new
            .lines()
            .nth(3)
            .unwrap_or_default()
            .replace("WANDB_API_KEY=", "")],
        "stderr",
    );

    // A comment already on the base branch, in a file the change edits elsewhere, passes.
    let edited = format!("{old}WANDB_ENTITY=ml-team\n");
    let tmp = repo(
        &[("docs/.env", old.as_str())],
        &[("docs/.env", edited.as_str())],
    );
    let (code, _, err) = scan(tmp.path(), &["--config-from", "main"]);
    assert_ne!(code, Some(2), "{err}");
}
