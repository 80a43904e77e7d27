//! What users read: summaries whose nouns agree with their numbers, findings named without
//! repeated or garbled words, each OS error once, registry snippets that show the value under
//! discussion, an aligned `rules` table, links to the readable rule pages, JSON that is the
//! same for the same input, and advice that fits a staged key (issue 16, items 13 and 17).

mod common;
use common::*;

use std::path::Path;

use wandb_sa_lint::rules::fakes::Fakes;

fn both(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run(dir: &Path, args: &[&str]) -> String {
    both(&bin().current_dir(dir).args(args).output().expect("run"))
}

/// `audit` of `registry.yaml` and the log file `log` in `dir` as of 2026-10-30, with `extra`
/// arguments; stdout and stderr.
fn audit(dir: &Path, log: &str, extra: &[&str]) -> String {
    let mut args = vec!["audit", "--isolated", "--color", "never"];
    args.extend_from_slice(extra);
    args.extend([
        "--registry",
        "registry.yaml",
        "--audit-log",
        log,
        "--as-of",
        "2026-10-30",
    ]);
    run(dir, &args)
}

const REGISTRY: &str = "organization: acme\nteams:\n  ml-team: {members: [alice@acme.com]}\nservice_accounts:\n  - name: ci-model-training\n    scope: team\n    team: ml-team\n    owner: ml-platform@acme.com\n    purpose: trains the churn model on every merge to main\n    created: 2025-06-01\n    used_by: [\".github/workflows/train.yml\"]\n    audit_ids: [ci-model-training@acme.iam.wandb]\n    api_keys:\n      - {name: ci, id: AbC123, created: 2025-06-01, last_used: 2026-10-30}\n";

const LOG: &str = "{\"timestamp\":\"2026-10-30T10:00:00Z\",\"action\":\"run:update\",\"actor_email\":\"ci-model-training@acme.iam.wandb\",\"entity_name\":\"ml-team\",\"project_name\":\"churn\",\"response_code\":200}\n";

#[test]
fn summaries_agree_in_number() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "a.py", "print('hello')\n");
    let text = run(d.path(), &["scan", "--isolated", "--color", "never", "."]);
    assert!(text.contains("scanned 1 file ("), "{text}");
    assert!(!text.contains("1 files"), "{text}");

    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "one"]);
    let text = run(
        d.path(),
        &["scan", "--isolated", "--color", "never", "--history"],
    );
    assert!(
        text.contains("scanned 1 commit from 1 ref (refs/heads/main): 1 unique blob,"),
        "{text}"
    );

    write(d.path(), "registry.yaml", REGISTRY);
    write(d.path(), "log.jsonl", LOG);
    let text = audit(d.path(), "log.jsonl", &[]);
    assert!(
        text.contains("audited 1 service account as of 2026-10-30: 1 event from 1 log file (1 line), 2026-10-30 to 2026-10-30 (1 day)"),
        "{text}"
    );
}

#[test]
fn notebook_findings_name_the_cell_plainly() {
    let d = tempfile::tempdir().expect("tempdir");
    let key = Fakes::new(16).v1();
    let nb = format!(
        r#"{{"cells":[{{"cell_type":"code","source":["import wandb\n"]}},{{"cell_type":"code","source":["wandb.login(key=\"{key}\")\n"]}}],"metadata":{{}},"nbformat":4,"nbformat_minor":5}}"#
    );
    write(d.path(), "nb.ipynb", &nb);
    let text = run(d.path(), &["scan", "--isolated", "--color", "never", "."]);
    assert!(text.contains("S001"), "{text}");
    assert!(!text.contains("the cell"), "{text}");
    assert!(!text.contains("the a cell"), "{text}");
    assert!(text.contains("cell 2"), "{text}");
}

#[test]
fn config_findings_do_not_repeat_their_origin() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), ".env", "WANDB_PROJECT=p\nWANDB_API_KEY=x\n");
    let text = run(
        d.path(),
        &[
            "scan",
            "--isolated",
            "--color",
            "never",
            "--format",
            "json",
            ".",
        ],
    );
    assert!(text.contains("C002") && text.contains("C001"), "{text}");
    assert!(!text.contains("env file (env file)"), "{text}");
    assert!(!text.contains("` (env file)"), "{text}");
}

#[test]
fn each_os_error_is_printed_once() {
    let d = tempfile::tempdir().expect("tempdir");
    let text = run(d.path(), &["--config", "missing.toml", "rules"]);
    assert_eq!(text.matches("os error 2").count(), 1, "{text}");
    let text = run(d.path(), &["rules", "check", "no-such-dir"]);
    assert_eq!(text.matches("os error 2").count(), 1, "{text}");
    let text = run(
        d.path(),
        &["audit", "--registry", "nope.yaml", "--audit-log", "."],
    );
    assert!(text.contains("nope.yaml"), "{text}");
    assert!(text.matches("os error 2").count() <= 1, "{text}");
}

#[test]
fn registry_snippets_show_the_whole_value_line() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "registry.yaml", REGISTRY);
    write(d.path(), "log.jsonl", LOG);
    let text = audit(d.path(), "log.jsonl", &[]);
    assert!(text.contains("A004"), "{text}");
    assert!(
        text.contains(
            " 14 │       - {name: ci, id: AbC123, created: 2025-06-01, last_used: 2026-10-30}\n"
        ),
        "{text}"
    );
}

#[test]
fn the_rules_table_stays_aligned() {
    let out = bin().args(["rules"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let header = text.lines().next().expect("header");
    let columns = |line: &str| -> Vec<usize> {
        // The start of each of the first four whitespace-separated fields.
        let mut starts = Vec::new();
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            if c != ' ' && prev == ' ' {
                starts.push(i);
            }
            prev = c;
        }
        starts.truncate(4);
        starts
    };
    let want = columns(header);
    assert_eq!(want.len(), 4, "{header}");
    for line in text.lines().skip(1) {
        assert_eq!(columns(line), want, "misaligned: {line}\n{text}");
    }
    assert!(
        text.contains("organization-account-without-default-team"),
        "{text}"
    );
}

/// The link of a finding is its readable page under docs/rules, which exists.
fn assert_docs_page(url: &str) {
    let page = url
        .strip_prefix("https://github.com/wandb-sa-lint/wandb-sa-lint/blob/main/")
        .unwrap_or_else(|| panic!("unexpected base: {url}"));
    assert!(page.starts_with("docs/rules/"), "{url}");
    assert!(page.ends_with(".md"), "{url}");
    assert!(root().join(page).is_file(), "no page {page}");
}

#[test]
fn findings_link_the_readable_rule_page() {
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
    let doc = json(&out);
    let findings = doc["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for f in findings {
        assert_docs_page(f["url"].as_str().expect("url"));
    }
    let out = bin()
        .args([
            "scan",
            "--isolated",
            "--format",
            "sarif",
            "fixtures/demo-repo",
        ])
        .output()
        .expect("run");
    let sarif = json(&out);
    for r in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
    {
        assert_docs_page(r["helpUri"].as_str().expect("helpUri"));
    }
    let text = both(&bin().args(["explain", "C001"]).output().expect("run"));
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Documentation: "))
        .expect("documentation line");
    assert_docs_page(line);
    assert!(
        line.ends_with("docs/rules/C001-missing-wandb-entity.md"),
        "{line}"
    );
    let text = run(
        &root(),
        &[
            "scan",
            "--isolated",
            "--color",
            "never",
            "fixtures/demo-repo",
        ],
    );
    assert!(!text.contains(".yaml)"), "{text}");
}

#[test]
fn json_output_is_the_same_for_the_same_input() {
    let scan = || {
        bin()
            .env_remove("WANDB_SA_LINT_NO_TIMING")
            .args([
                "scan",
                "--isolated",
                "--format",
                "json",
                "fixtures/demo-repo",
            ])
            .output()
            .expect("run")
            .stdout
    };
    let (a, b) = (scan(), scan());
    assert!(a == b, "two scans of one tree differ");
    let doc: serde_json::Value = serde_json::from_slice(&a).expect("json");
    assert!(doc["summary"].get("elapsed_ms").is_none(), "{doc}");
    // The time still shows where people read it.
    let out = bin()
        .env_remove("WANDB_SA_LINT_NO_TIMING")
        .args([
            "scan",
            "--isolated",
            "--color",
            "never",
            "fixtures/demo-repo",
        ])
        .output()
        .expect("run");
    assert!(both(&out).contains(" ms\n"), "{}", both(&out));
}

#[test]
fn a_staged_key_gets_advice_for_a_staged_key() {
    let d = tempfile::tempdir().expect("tempdir");
    let key = Fakes::new(17).v1();
    git(d.path(), &["init", "-q"]);
    write(d.path(), "README.md", "hello\n");
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "one"]);
    write(
        d.path(),
        "train.py",
        &format!("import wandb\nwandb.login(key=\"{key}\")\n"),
    );
    git(d.path(), &["add", "train.py"]);
    let out = bin()
        .current_dir(d.path())
        .args(["scan", "--isolated", "--staged", "--format", "json"])
        .output()
        .expect("run");
    let doc = json(&out);
    let f = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "S001")
        .unwrap_or_else(|| panic!("no S001: {doc}"));
    let help = f["help"].as_str().expect("help");
    assert!(help.contains("before committing"), "{help}");
    assert!(help.contains("git restore --staged"), "{help}");
    assert!(help.contains("only if"), "{help}");
    assert!(!help.starts_with("Rotate the key"), "{help}");
    let text = run(
        d.path(),
        &["scan", "--isolated", "--staged", "--color", "never"],
    );
    assert!(text.contains("before committing"), "{text}");
    assert_no_secret(&text, std::slice::from_ref(&key), "staged scan");
    // A scan of the working tree keeps the rule's advice: the key may have been pushed.
    let out = bin()
        .current_dir(d.path())
        .args(["scan", "--isolated", "--format", "json", "."])
        .output()
        .expect("run");
    let doc = json(&out);
    let help = doc["findings"][0]["help"].as_str().expect("help");
    assert!(help.starts_with("Rotate the key"), "{help}");
}

#[test]
fn report_and_rule_pages_agree_in_number() {
    let d = tempfile::tempdir().expect("tempdir");
    let key = Fakes::new(18).v1();
    write(
        d.path(),
        "repo/train.py",
        &format!("import wandb\nwandb.login(key=\"{key}\")\n"),
    );
    let out = bin()
        .current_dir(d.path())
        .args([
            "scan",
            "--isolated",
            "--format",
            "json",
            "-o",
            "scan.json",
            "repo",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let text = run(
        d.path(),
        &[
            "report",
            "--isolated",
            "--scan",
            "scan.json",
            "--format",
            "html",
            "-o",
            "r.html",
        ],
    );
    let html = std::fs::read_to_string(d.path().join("r.html")).unwrap_or_else(|_| text.clone());
    assert!(html.contains("1 file scanned, 1 finding<"), "{html}");
    assert!(!html.contains("(s)"), "{html}");
    for page in std::fs::read_dir(root().join("docs/rules")).expect("docs/rules") {
        let page = page.expect("entry").path();
        let text = std::fs::read_to_string(&page).expect("page");
        assert!(!text.contains("finding(s)"), "{}", page.display());
    }
}

#[test]
fn registry_and_audit_notes_agree_in_number() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "bad.yaml", "accounts: []\n");
    write(d.path(), "log.jsonl", LOG);
    let text = run(
        d.path(),
        &[
            "audit",
            "--isolated",
            "--registry",
            "bad.yaml",
            "--audit-log",
            "log.jsonl",
        ],
    );
    assert!(text.contains("1 problem in registry `bad.yaml`"), "{text}");
    let org = REGISTRY.replace("scope: team\n    team: ml-team\n", "scope: organization\n");
    write(d.path(), "registry.yaml", &org);
    write(
        d.path(),
        "anon.jsonl",
        "{\"timestamp\":\"2026-10-01T10:00:00Z\",\"action\":\"run:update\",\"actor_email\":\"ci-model-training@acme.iam.wandb\",\"response_code\":200}\n{\"timestamp\":\"2026-10-30T10:00:00Z\",\"action\":\"run:update\",\"actor_email\":\"ci-model-training@acme.iam.wandb\",\"response_code\":200}\n",
    );
    let text = audit(d.path(), "anon.jsonl", &["-v"]);
    assert!(
        text.contains("none of its 2 audit events names a team"),
        "{text}"
    );
    assert!(!text.contains("(s)"), "{text}");
}
