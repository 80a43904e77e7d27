//! The binary as a user meets it: snapshots of stdout + stderr + status (no colour, fixed
//! width), exit codes with `--fail-on`, configuration layering and errors, suppression.

mod common;
use common::*;

use std::path::Path;

use wandb_sa_lint::rules::fakes::Fakes;

fn run(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().expect("run");
    format!(
        "status: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A small project in a temp dir with one key of each shape.
fn project(dir: &Path, seed: u64) -> Vec<String> {
    let mut f = Fakes::new(seed);
    let (v1, hex, pre) = (f.v1(), f.hex(40), f.prefixed("local"));
    write(
        dir,
        "train.py",
        &format!("import wandb\n\nwandb.login(key=\"{hex}\")\nrun = wandb.init(project=\"p\")\n"),
    );
    write(
        dir,
        ".env",
        &format!("WANDB_API_KEY={v1}\nWANDB_PROJECT=p\nWANDB_ENTITY=ml-team\n"),
    );
    write(
        dir,
        "ops/.netrc",
        &format!("machine wandb.acme.internal\n  login user\n  password {pre}\n"),
    );
    vec![v1, hex, pre]
}

#[test]
fn human_output_snapshot() {
    let text = run(bin().args([
        "scan",
        "--isolated",
        "--color",
        "never",
        "fixtures/demo-repo",
    ]));
    insta::assert_snapshot!(text);
}

#[test]
fn json_output_snapshot() {
    let out = bin()
        .args([
            "scan",
            "--isolated",
            "--format",
            "json",
            "fixtures/demo-repo",
        ])
        .output()
        .expect("run");
    let mut doc = json(&out);
    doc["tool"]["version"] = serde_json::json!("X");
    insta::assert_json_snapshot!(doc);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn exit_codes_follow_fail_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    project(tmp.path(), 11);
    let p = tmp.path().to_str().expect("utf8");
    bin().args(["scan", "--isolated", p]).assert().code(1);
    bin()
        .args(["scan", "--isolated", "--fail-on", "never", p])
        .assert()
        .code(0);
    bin()
        .args(["scan", "--isolated", "--fail-on", "info", p])
        .assert()
        .code(1);
    bin()
        .env("WANDB_SA_LINT_FAIL_ON", "never")
        .args(["scan", "--isolated", p])
        .assert()
        .code(0);
    // Flags beat the environment.
    bin()
        .env("WANDB_SA_LINT_FAIL_ON", "never")
        .args(["scan", "--isolated", "--fail-on", "error", p])
        .assert()
        .code(1);
    // Severity lowered to warning: the default `--fail-on error` passes, `warning` fails.
    write(tmp.path(), "lower.toml", "[rules]\nS001 = \"warning\"\n");
    let cfg = tmp.path().join("lower.toml");
    bin()
        .args(["scan", "--isolated", "--config"])
        .arg(&cfg)
        .arg(p)
        .assert()
        .code(0);
    bin()
        .args(["scan", "--isolated", "--fail-on", "warning", "--config"])
        .arg(&cfg)
        .arg(p)
        .assert()
        .code(1);
    // Clean tree: 0.
    let clean = tempfile::tempdir().expect("tmp");
    write(clean.path(), "a.py", "import wandb\nwandb.login()\n");
    bin()
        .args(["scan", "--isolated"])
        .arg(clean.path())
        .assert()
        .code(0);
}

#[test]
fn tool_errors_exit_2_with_a_named_input() {
    let out = bin()
        .args(["scan", "--isolated", "no/such/dir"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such path `no/such/dir`"));

    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        ".wandb-sa-lint.toml",
        "max-file-size = \"1MiB\"\nexlcude = [\"x\"]\n",
    );
    let text = run(bin().args(["scan", "--color", "never"]).arg(tmp.path()));
    assert!(text.contains("status: Some(2)"), "{text}");
    assert!(text.contains("unknown field `exlcude`"), "{text}");
    // The snippet shows the file and points at the key's line.
    assert!(text.contains(".wandb-sa-lint.toml:2:1"), "{text}");

    write(
        tmp.path(),
        ".wandb-sa-lint.toml",
        "[[allow]]\npath = \"x/**\"\n",
    );
    let text = run(bin().args(["scan", "--color", "never"]).arg(tmp.path()));
    assert!(
        text.contains("status: Some(2)") && text.contains("missing field `reason`"),
        "{text}"
    );

    bin()
        .args(["scan", "--isolated", "--config", "missing.toml", "."])
        .assert()
        .code(2);
    bin()
        .args(["scan", "--isolated", "--max-file-size", "big", "."])
        .assert()
        .code(2);
    bin().args(["scan", "--format", "yaml"]).assert().code(2);
}

#[test]
fn config_is_discovered_upward_and_layered() {
    let tmp = tempfile::tempdir().expect("tmp");
    let keys = project(&tmp.path().join("repo/sub"), 12);
    assert_eq!(keys.len(), 3);
    write(
        tmp.path(),
        "repo/.wandb-sa-lint.toml",
        "extend-exclude = [\"*.py\"]\n",
    );
    let sub = tmp.path().join("repo/sub");
    // Discovered from the scanned path upward: train.py excluded, two findings remain.
    let out = bin()
        .args(["scan", "--format", "json"])
        .arg(&sub)
        .output()
        .expect("run");
    let doc = json(&out);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["summary"]["skipped"]["excluded"], 1);
    // --isolated ignores it.
    let out = bin()
        .args(["scan", "--isolated", "--format", "json"])
        .arg(&sub)
        .output()
        .expect("run");
    let doc = json(&out);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(3));
    // --config layers on top: disable S001 entirely.
    write(
        tmp.path(),
        "off.toml",
        "[rules]\ncommitted-api-key = \"off\"\n",
    );
    let out = bin()
        .args(["scan", "--format", "json", "--config"])
        .arg(tmp.path().join("off.toml"))
        .arg(&sub)
        .output()
        .expect("run");
    let doc = json(&out);
    // Only the configuration rule's view of the literal key in `.env` is left.
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, vec!["C002"]);
    assert!(doc["findings"][0]["path"]
        .as_str()
        .is_some_and(|p| p.ends_with("/.env")));
    // --show-config prints the layers.
    let out = bin()
        .args(["scan", "--show-config", "--config"])
        .arg(tmp.path().join("off.toml"))
        .arg(&sub)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("committed-api-key = \"off\"")
            && text.contains("*.py")
            && text.contains("loaded-from"),
        "{text}"
    );
}

#[test]
fn context_window_is_configurable() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let hex = Fakes::new(21).hex(40);
    // The only W&B context is "wandb" 2,000 bytes before the key on its line.
    write(
        dir,
        "notes.txt",
        &format!("# wandb {} token = \"{hex}\"\n", "x ".repeat(1000)),
    );
    let findings = |dir: &Path| {
        let out = bin()
            .args(["scan", "--format", "json"])
            .arg(dir)
            .output()
            .expect("run");
        json(&out)["findings"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(findings(dir), 1, "the default 4 KiB window reaches wandb");
    write(dir, ".wandb-sa-lint.toml", "context-window = \"256B\"\n");
    assert_eq!(findings(dir), 0, "a 256-byte window does not");
    let out = bin()
        .args(["scan", "--show-config"])
        .arg(dir)
        .output()
        .expect("run");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("context-window = 256"), "{shown}");
    // Out of range: an error naming the key and the file, exit 2.
    write(dir, ".wandb-sa-lint.toml", "context-window = 64\n");
    let text = run(bin().args(["scan", "--color", "never"]).arg(dir));
    assert!(text.contains("status: Some(2)"), "{text}");
    assert!(
        text.contains("`context-window` must be") && text.contains(".wandb-sa-lint.toml:1:"),
        "{text}"
    );
}

#[test]
fn allow_entries_and_inline_comments() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    project(dir, 13);
    // Fingerprint of the .env finding.
    let out = bin()
        .args(["scan", "--isolated", "--format", "json"])
        .arg(dir)
        .output()
        .expect("run");
    let doc = json(&out);
    let env = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(".env")))
        .expect(".env finding");
    let fp = env["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    write(
        dir,
        ".wandb-sa-lint.toml",
        &format!(
            "[[allow]]\nfingerprint = \"{fp}\"\nreason = \"revoked\"\n\n[[allow]]\npath = \"ops/**\"\nrules = [\"S001\"]\nreason = \"fixture\"\n\n[[allow]]\nfingerprint = \"00000000000000000000000000000000\"\nreason = \"stale\"\n\n[[allow]]\npath = \"nowhere/**\"\nreason = \"not scanned\"\n"
        ),
    );
    let out = bin()
        .args(["scan", "--format", "json"])
        .arg(dir)
        .output()
        .expect("run");
    let doc = json(&out);
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("train.py"));
    assert_eq!(doc["summary"]["suppressed"], 2);
    let errors = doc["errors"].to_string();
    assert!(
        errors.contains("matched nothing")
            && errors.contains("fingerprint 00000000000000000000000000000000"),
        "{errors}"
    );
    // A path entry whose files were not scanned is not judged.
    assert!(!errors.contains("nowhere"), "{errors}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: allow entry at"), "{stderr}");

    // Inline: on the line above, with a reason; and on the same line, without one.
    let mut f = Fakes::new(14);
    let (a, b) = (f.hex(40), f.hex(40));
    write(
        dir,
        "train.py",
        &format!("import wandb\n# wandb-sa-lint: allow S001 -- revoked demo key\nwandb.login(key=\"{a}\")\nwandb.login(key=\"{b}\")  # wandb-sa-lint: allow committed-api-key\n"),
    );
    let out = bin()
        .args(["scan", "--format", "json"])
        .arg(dir)
        .output()
        .expect("run");
    let doc = json(&out);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(doc["summary"]["suppressed"], 4);
    assert!(doc["errors"].to_string().contains("gives no reason"));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn findings_point_at_line_and_character_column() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut f = Fakes::new(15);
    let k = f.v1();
    // Two-byte characters before the key: the column counts characters.
    write(
        tmp.path(),
        "notes.md",
        &format!("# Déploiement — clé\n\nclé: «{k}»\n"),
    );
    let out = bin()
        .args(["scan", "--isolated", "--format", "json"])
        .arg(tmp.path())
        .output()
        .expect("run");
    let doc = json(&out);
    let finding = &doc["findings"][0];
    assert_eq!(finding["line"], 3);
    assert_eq!(finding["column"], 7);
    assert_eq!(finding["end_column"], 7 + 86);
    assert_eq!(finding["secret"], "wand…(86)");
}

#[test]
fn output_file_and_quiet() {
    let tmp = tempfile::tempdir().expect("tmp");
    project(tmp.path(), 16);
    let report = tmp.path().join("out/report.json");
    std::fs::create_dir_all(report.parent().expect("parent")).expect("mkdir");
    let out = bin()
        .args(["scan", "--isolated", "--format", "json", "-o"])
        .arg(&report)
        .arg(tmp.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("written")).expect("json");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"]["name"], "wandb-sa-lint");
    let out = bin()
        .args(["scan", "--isolated", "-q"])
        .arg(tmp.path())
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("scanned"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("S001"));
    // Unwritable output file: exit 2.
    bin()
        .args(["scan", "--isolated", "-o", "/nonexistent-dir/x.json"])
        .arg(tmp.path())
        .assert()
        .code(2);
}

#[test]
fn the_project_scans_itself_clean() {
    let out = bin().args(["scan", "."]).output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn terminal_header_column_matches_json_on_clipped_and_non_ascii_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut f = Fakes::new(17);
    let (hex, v1) = (f.hex(40), f.v1());
    // A minified line far past the graphical handler's 65,535-column limit.
    write(
        tmp.path(),
        "min.json",
        &format!(
            "{{\"x\":\"{}\",\"wandb\":{{\"api_key\":\"{hex}\"}}}}\n",
            "a".repeat(70_000)
        ),
    );
    write(tmp.path(), "u.md", &format!("clé: «{v1}»\n"));
    for (file, col) in [("min.json", 70_029), ("u.md", 7)] {
        let p = tmp.path().join(file);
        let out = bin()
            .args(["scan", "--isolated", "--format", "json"])
            .arg(&p)
            .output()
            .expect("run");
        let doc = json(&out);
        assert_eq!(doc["findings"][0]["column"], col, "{file}");
        let out = bin()
            .args(["scan", "--isolated", "--color", "never"])
            .arg(&p)
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("{file}:1:{col}]")), "{file}: {text}");
        // The drawn line stays short.
        assert!(text.lines().all(|l| l.chars().count() < 200), "{text}");
    }
}

/// `explain ID` as a user runs it through a pipe: stdout.
fn explain(id: &str) -> String {
    let out = bin().args(["explain", id]).output().expect("explain");
    assert_eq!(out.status.code(), Some(0), "explain {id}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn explain_shows_the_registry_and_audit_log_of_account_and_registry_examples() {
    let ids: Vec<String> = (1..=11)
        .map(|n| format!("A{n:03}"))
        .chain((101..=104).map(|n| format!("C{n}")))
        .collect();
    for id in &ids {
        let text = explain(id);
        let examples = text
            .split("Examples (keys shown as placeholders)")
            .nth(1)
            .unwrap_or_else(|| panic!("{id} shows no examples:\n{text}"));
        assert!(
            examples.contains("# registry (--registry)\n  "),
            "{id}'s examples do not show their registry:\n{text}"
        );
        // No example is an empty block: a header line followed by a blank line.
        let lines: Vec<&str> = examples.lines().collect();
        for pair in lines.windows(2) {
            assert!(
                !(pair[0].starts_with("  # ")
                    && pair[1].trim().is_empty()
                    && !pair[0].contains("judged as of")),
                "{id} shows an empty example `{}`:\n{text}",
                pair[0]
            );
        }
    }
    // Account rules judged on logs show the log lines and the date.
    let a002 = explain("A002");
    assert!(a002.contains("# audit log (--audit-log)"), "{a002}");
    assert!(
        a002.contains("# judged as of 2026-11-01 (--as-of)"),
        "{a002}"
    );
}

#[test]
fn explain_prints_no_terminal_control_whatever_the_examples_hold() {
    let (set, _) = wandb_sa_lint::rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    let mut seen = 0;
    for rule in set.iter() {
        for color in ["never", "always"] {
            let out = bin()
                .args(["explain", &rule.id, "--color", color])
                .output()
                .expect("explain");
            let bad = out
                .stdout
                .iter()
                .position(|b| (*b < 0x20 && *b != b'\n' && *b != b'\t') || *b == 0x7f);
            assert!(
                bad.is_none(),
                "explain {} --color {color} prints a control byte",
                rule.id
            );
            seen += 1;
        }
    }
    assert!(seen >= 50, "only {seen} runs");
}

#[test]
fn explain_pages_on_a_terminal_and_not_through_a_pipe() {
    let tmp = tempfile::tempdir().expect("dir");
    let paged = tmp.path().join("paged.txt");
    let pager = format!("cat > '{}'", paged.display());
    let exe = assert_cmd::cargo::cargo_bin("wandb-sa-lint");
    // `script` gives the program a terminal as its standard output.
    let on_terminal = |extra: &str| {
        let _ = std::fs::remove_file(&paged);
        let out = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("'{}' explain S001 {extra}", exe.display()),
                "/dev/null",
            ])
            .env("WANDB_SA_LINT_PAGER", &pager)
            .env_remove("PAGER")
            .output()
            .expect("script runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal("");
    let text = std::fs::read_to_string(&paged).expect("the pager got the text");
    assert!(text.starts_with("S001 committed-api-key"), "{text}");
    assert!(
        !shown.contains("committed-api-key"),
        "printed past the pager: {shown}"
    );
    // A pager that cannot be started does not swallow the text.
    let _ = std::fs::remove_file(&paged);
    let out = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("'{}' explain S001", exe.display()),
            "/dev/null",
        ])
        .env("WANDB_SA_LINT_PAGER", "no-such-pager-anywhere")
        .env_remove("PAGER")
        .output()
        .expect("script runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("S001 committed-api-key"), "{shown}");
    // --no-pager prints straight to the terminal.
    let shown = on_terminal("--no-pager");
    assert!(!paged.exists(), "--no-pager used the pager");
    assert!(shown.contains("S001 committed-api-key"), "{shown}");
    // A pipe never gets a pager.
    let out = bin()
        .args(["explain", "S001"])
        .env("WANDB_SA_LINT_PAGER", &pager)
        .output()
        .expect("explain");
    assert!(!paged.exists(), "a pipe went through the pager");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("S001 committed-api-key"));
}

/// Issue 16, item 10: `--show-config` is global (it works before or without a subcommand) and
/// its output reads back as a configuration that shows the same effective config again.
#[test]
fn show_config_is_global_and_round_trips() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(
        d,
        ".wandb-sa-lint.toml",
        "fail-on = \"warning\"\nexclude = [\"vendor/\"]\nmax-file-size = \"1MiB\"\n\
         [rules]\nC007 = \"off\"\nS002 = \"warning\"\n\
         [params]\nunused-after = 120\n[params.A001]\nmin-length = 8\n\
         purpose-words = [\"ci\", \"train\"]\n\
         [[allow]]\npath = \"tests/**\"\nrules = [\"S001\", \"C002\"]\nreason = \"fixtures\"\n\
         [[allow]]\naccount = \"legacy-exporter\"\nrules = [\"A002\"]\nreason = \"yearly\"\n",
    );
    let (first, err, code) = run_in(d, &["--show-config"]);
    assert_eq!(code, Some(0), "without a subcommand: {err}");
    let (before, err, code) = run_in(d, &["--show-config", "scan"]);
    assert_eq!(code, Some(0), "before the subcommand: {err}");
    assert_eq!(first, before);
    write(d, "c.toml", &first);
    // Read back alone (the discovered file ignored), from the same folder.
    let (again, err, code) = run_in(
        d,
        &["scan", "--isolated", "--config", "c.toml", "--show-config"],
    );
    assert_eq!(code, Some(0), "the shown config reads back: {err}");
    let settings = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(settings(&first), settings(&again), "{first}\n---\n{again}");
    for want in [
        "min-length = 8",
        "unused-after = 120",
        "rules = [\"S001\", \"C002\"]",
    ] {
        assert!(first.contains(want), "{want}: {first}");
    }
    // The shown config is the one a scan uses: it scans with it.
    let (_, err, code) = run_in(d, &["scan", "--isolated", "--config", "c.toml", "."]);
    assert_eq!(code, Some(0), "{err}");
    // Without a subcommand or --show-config: a usage error that says what is needed.
    let (_, err, code) = run_in(d, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("subcommand"), "{err}");
}

/// The suite names (rule ids) of a JUnit report.
fn junit_rules(text: &str) -> Vec<String> {
    let suites = junit_parser::from_reader(std::io::Cursor::new(text.as_bytes()))
        .unwrap_or_else(|e| panic!("not JUnit XML: {e}\n{text}"));
    suites
        .suites
        .iter()
        .map(|s| s.name.split(' ').next().unwrap_or("").to_string())
        .collect()
}

/// Issue 16, item 8: JUnit lists only the rules that ran: no account rules in a scan, the
/// registry rules only with `--registry`, no rule the configuration turned off, and no
/// secret or configuration rule in an audit.
#[test]
fn junit_lists_only_the_rules_that_ran() {
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let scan_rules = ids(&[
        "S001", "S002", "C001", "C002", "C003", "C004", "C005", "C006", "C007", "C008", "C009",
    ]);
    let (out, err, _) = run_in(
        &root(),
        &[
            "scan",
            "--isolated",
            "--format",
            "junit",
            "fixtures/demo-repo",
        ],
    );
    let mut got = junit_rules(&out);
    got.sort();
    let mut want = scan_rules.clone();
    want.sort();
    assert_eq!(got, want, "{err}");

    let org = tempfile::tempdir().expect("tmp");
    let o = org.path();
    audit_org::write(o, 5, 0).expect("org");
    write(o, "repo/.env", "WANDB_PROJECT=p\n");
    write(o, "off.toml", "[rules]\nC007 = \"off\"\nS002 = \"off\"\n");
    let (out, err, _) = run_in(
        o,
        &[
            "scan",
            "--isolated",
            "--config",
            "off.toml",
            "--format",
            "junit",
            "--registry",
            "registry.yaml",
            "repo",
        ],
    );
    let mut got = junit_rules(&out);
    got.sort();
    let mut want: Vec<String> = scan_rules
        .iter()
        .filter(|r| *r != "C007" && *r != "S002")
        .cloned()
        .chain(ids(&["C101", "C102", "C103", "C104"]))
        .collect();
    want.sort();
    assert_eq!(got, want, "{err}");

    let (out, err, _) = run_in(
        o,
        &[
            &["audit", "--isolated", "--format", "junit"],
            audit_org::INPUTS,
        ]
        .concat(),
    );
    let got = junit_rules(&out);
    assert_eq!(got.len(), 11, "{got:?} {err}");
    assert!(got.iter().all(|r| r.starts_with('A')), "{got:?}");
}

/// Issue 16, item 15: notes that something was not checked are shown without `-v` (a file
/// whose configuration rules were skipped, a file skipped as too large), so a summary that
/// counts input problems has shown them; past a screenful the summary says `-v` lists the
/// rest.
#[test]
fn notes_that_change_what_was_checked_are_shown_without_verbose() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(
        d,
        ".github/workflows/train.yml",
        "jobs:\n  train: [\n    env: {WANDB_API_KEY: x\n",
    );
    write(
        d,
        "big.env",
        &format!("WANDB_PROJECT=p\n# {}\n", "x".repeat(300)),
    );
    write(d, "ok.env", "WANDB_PROJECT=p\n");
    let p = d.to_str().expect("utf8");
    let (out, err, code) = run_in(d, &["scan", "--isolated", "--max-file-size", "200", p]);
    let err = format!("{out}{err}");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("train.yml") && err.contains("configuration rules skipped"),
        "the note is shown: {err}"
    );
    assert!(err.contains("1 input problem"), "{err}");
    assert!(
        err.contains("skipped (too-large):") && err.contains("big.env"),
        "a file skipped as too large is named: {err}"
    );
    assert!(!err.contains("-v"), "nothing is left out: {err}");

    // Many notes: a screenful is shown, and the summary says how many more `-v` lists. (These
    // name no W&B variable: one that does is a warning, always shown; tests/unreadable_config.rs.)
    for i in 0..30 {
        write(
            d,
            &format!(".github/workflows/w{i:02}.yml"),
            "jobs:\n  train: [\n    steps: {run: wandb login\n",
        );
    }
    let (out, err, _) = run_in(d, &["scan", "--isolated", p]);
    let err = format!("{out}{err}");
    let notes = err.matches("configuration rules skipped").count();
    assert!((1..31).contains(&notes), "{notes} shown: {err}");
    let hidden = 31 - notes;
    assert!(
        err.contains("31 input problems")
            && err.contains(&format!("{hidden} not shown; -v lists them")),
        "{err}"
    );
    let (out, err, _) = run_in(d, &["scan", "--isolated", "-v", p]);
    let err = format!("{out}{err}");
    assert_eq!(
        err.matches("configuration rules skipped").count(),
        31,
        "{err}"
    );
    assert!(!err.contains("not shown"), "{err}");
}

/// A configuration above the repository is not the repository's: discovery stops at the
/// repository's root, so a `.wandb-sa-lint.toml` in a shared parent folder cannot switch rules
/// off.
#[test]
fn config_discovery_stops_at_the_repository_root() {
    let tmp = tempfile::tempdir().expect("tmp");
    let parent = tmp.path();
    write(parent, ".wandb-sa-lint.toml", "[rules]\nS001 = \"off\"\n");
    let repo = parent.join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    git(&repo, &["init", "-q"]);
    write(
        &repo,
        "src/app.env",
        &format!("WANDB_API_KEY={}\n", Fakes::new(9).v1()),
    );
    for (dir, args) in [
        (&repo, &["scan"][..]),
        (&repo.join("src"), &["scan", "."][..]),
    ] {
        let out = bin().current_dir(dir).args(args).output().expect("scan");
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{args:?} in {dir:?}: {said}");
        assert!(said.contains("S001"), "{said}");
    }
    // Outside a repository the nearest file above still applies.
    let plain = parent.join("plain");
    write(
        &plain,
        "app.env",
        &format!("WANDB_API_KEY={}\n", Fakes::new(9).v1()),
    );
    let out = bin()
        .current_dir(&plain)
        .args(["scan"])
        .output()
        .expect("scan");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("C002"), "{said}");
    assert!(
        !said.contains("S001"),
        "the file above did not apply: {said}"
    );
}
