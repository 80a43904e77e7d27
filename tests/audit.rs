//! The audit analyzer end to end: a generated organization (registry + 90 days of audit
//! logs, `tests/common/audit_org.rs`) through the real binary.

mod common;

use common::audit_org;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{bin, finding_pairs as pairs};

/// Generates the organization with `seed` into a temporary directory.
fn org(seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    audit_org::write(dir.path(), seed, 0).expect("generate");
    dir
}

/// Runs `audit` on `dir` (its registry and logs) with `extra` arguments; returns the JSON
/// document, the exit code and stderr.
fn audit(dir: &Path, extra: &[&str]) -> (serde_json::Value, Option<i32>, String) {
    let registry = dir.join("registry.yaml");
    let logs = dir.join("logs");
    let mut cmd = bin();
    cmd.current_dir(dir).args([
        "audit",
        "--registry",
        registry.to_str().expect("utf-8"),
        "--format",
        "json",
        "--as-of",
        audit_org::AS_OF,
    ]);
    if !extra.contains(&"--no-logs") {
        cmd.args(["--audit-log", logs.to_str().expect("utf-8")]);
    }
    if !extra.contains(&"--config") {
        cmd.arg("--isolated");
    }
    cmd.args(extra.iter().filter(|a| **a != "--no-logs"));
    common::parts(&cmd.output().expect("run"))
}

fn expected() -> BTreeSet<(String, String)> {
    audit_org::EXPECTED
        .iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect()
}

fn message<'a>(doc: &'a serde_json::Value, account: &str, rule: &str) -> &'a str {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["account"] == account && f["rule"] == rule)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {rule} finding for {account}"))
}

#[test]
fn the_generated_organization_gives_exactly_the_expected_findings() {
    for seed in [1, 42] {
        let dir = org(seed);
        let (doc, code, stderr) = audit(dir.path(), &[]);
        assert_eq!(code, Some(1), "errors found: exit 1\n{stderr}");
        let got = pairs(&doc);
        let want = expected();
        assert_eq!(
            got,
            want,
            "seed {seed}\nmissing: {:?}\nunexpected: {:?}",
            want.difference(&got).collect::<Vec<_>>(),
            got.difference(&want).collect::<Vec<_>>()
        );
        for healthy in audit_org::HEALTHY {
            assert!(
                !got.iter().any(|(a, _)| a == healthy),
                "healthy account {healthy} has a finding"
            );
        }
        // Every rule of the catalogue's account kind is covered by the organization.
        let rules: BTreeSet<&str> = got.iter().map(|(_, r)| r.as_str()).collect();
        assert_eq!(rules.len(), 11, "{rules:?}");
        assert!(
            doc["errors"].as_array().expect("errors").is_empty(),
            "{}",
            doc["errors"]
        );
        let a = &doc["summary"]["audit"];
        assert_eq!(a["accounts"], 25);
        assert_eq!(a["observed_days"], 90);
        assert_eq!(a["window_start"], "2026-08-03");
        assert_eq!(a["window_end"], "2026-10-31");
        assert_eq!(a["malformed_lines"], 0);
        assert_eq!(a["log_files"], 90);
    }
}

#[test]
fn findings_point_at_the_account_entry_and_carry_the_evidence() {
    let dir = org(7);
    let (doc, _, _) = audit(dir.path(), &[]);
    let text = std::fs::read_to_string(dir.path().join("registry.yaml")).expect("registry");
    let lines: Vec<&str> = text.lines().collect();
    // The line each registry entry starts on, in order.
    let starts: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.strip_prefix("  - name: ").map(|n| (i + 1, n)))
        .collect();
    let mut checked = 0;
    for f in doc["findings"].as_array().expect("findings") {
        let account = f["account"].as_str().expect("account");
        let line = usize::try_from(f["line"].as_u64().expect("line")).expect("line");
        assert!(f["path"].as_str().expect("path").ends_with("registry.yaml"));
        let Some(i) = starts.iter().position(|(_, n)| *n == account) else {
            // Accounts the registry does not list point at `service_accounts:`.
            assert_eq!(lines[line - 1], "service_accounts:", "{f}");
            continue;
        };
        let end = starts.get(i + 1).map_or(lines.len() + 1, |(l, _)| *l);
        assert!(
            (starts[i].0..end).contains(&line),
            "{account}: line {line} is outside its entry ({}..{end})",
            starts[i].0
        );
        checked += 1;
    }
    assert!(checked >= 18, "{checked}");
    assert_eq!(
        message(&doc, "legacy-churn-exporter", "A002"),
        "service account `legacy-churn-exporter` looks unused: last activity 2026-04-03 (API key `k2025` last used), 212 days before 2026-11-01"
    );
    assert_eq!(
        message(&doc, "ml-training-orchestrator", "A003"),
        "organization-scoped `ml-training-orchestrator` touched only team ml-team in 90 observed days (2026-08-03 to 2026-10-31)"
    );
    assert!(message(&doc, "sweep-agent-runner", "A002")
        .contains("no activity in the 90 days the audit logs cover"));
    assert!(message(&doc, "prod-canary-checker", "A010").contains("on 2026-10-12"));
    assert!(message(&doc, "risk-model-evaluator", "A011")
        .contains("restricted project ml-team/sensitive-eval from 2026-10-02 to 2026-10-04"));
    let shadow = message(&doc, "shadow-exporter@acme.iam.wandb", "A006");
    assert!(
        shadow.contains("created in team platform on 2026-08-23") && shadow.contains("and acted"),
        "{shadow}"
    );
    let a003 = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "A003")
        .expect("A003");
    assert!(a003["help"]
        .as_str()
        .expect("help")
        .contains("team-scoped service account in `ml-team`"));
    assert_eq!(a003["kind"], "account");
}

#[test]
fn damaged_logs_are_reported_and_never_abort_the_run() {
    let dir = org(3);
    let logs = dir.path().join("logs");
    // Malformed lines in one day's file, and a gzip stream cut in half.
    let day = logs.join("audit-2026-09-01.jsonl");
    let mut text = std::fs::read_to_string(&day).expect("day");
    text.push_str("{not json\n{\"action\": 3}\n\u{1}\n");
    std::fs::write(&day, text).expect("write");
    let gz: PathBuf = std::fs::read_dir(&logs)
        .expect("logs")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "gz"))
        .expect("a gzip day");
    let bytes = std::fs::read(&gz).expect("gz");
    std::fs::write(&gz, &bytes[..bytes.len() / 2]).expect("cut");
    let (doc, code, stderr) = audit(dir.path(), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(pairs(&doc), expected(), "{stderr}");
    let errors: Vec<&str> = doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    let n = text_lines(&dir.path().join("logs/audit-2026-09-01.jsonl"));
    for l in [n - 2, n - 1, n] {
        assert!(
            errors
                .iter()
                .any(|e| e.contains("audit-2026-09-01.jsonl") && e.contains(&format!("line {l}:"))),
            "no problem at line {l}: {errors:#?}"
        );
    }
    assert!(
        errors
            .iter()
            .any(|e| e.contains("gzip stream breaks after line")),
        "{errors:#?}"
    );
    assert_eq!(doc["summary"]["audit"]["malformed_lines"], 3);
}

fn text_lines(p: &Path) -> usize {
    std::fs::read_to_string(p).expect("read").lines().count()
}

#[test]
fn a_short_window_or_no_logs_is_said_not_guessed() {
    let dir = org(5);
    // Keep only the last ten days of logs.
    let mut days: Vec<PathBuf> = std::fs::read_dir(dir.path().join("logs"))
        .expect("logs")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    days.sort();
    for p in &days[..days.len() - 10] {
        std::fs::remove_file(p).expect("rm");
    }
    let (doc, _, _) = audit(dir.path(), &[]);
    let got = pairs(&doc);
    assert!(
        !got.contains(&("sweep-agent-runner".into(), "A002".into())),
        "no activity in 10 days proves nothing about 90"
    );
    assert!(!got.iter().any(|(_, r)| r == "A003"), "{got:?}");
    // Registry-only evidence still holds.
    assert!(got.contains(&("legacy-churn-exporter".into(), "A002".into())));
    let errors = doc["errors"].to_string();
    assert!(
        errors.contains("A002 unused-service-account could not be judged for sweep-agent-runner: the audit logs cover 10 days (2026-10-22 to 2026-10-31), 90 are needed"),
        "{errors}"
    );
    assert!(
        errors.contains("A003 over-scoped-organization-account could not be judged for"),
        "{errors}"
    );

    let (doc, code, _) = audit(dir.path(), &["--no-logs"]);
    assert_eq!(code, Some(1));
    let got = pairs(&doc);
    assert!(!got
        .iter()
        .any(|(_, r)| matches!(r.as_str(), "A003" | "A010" | "A011")));
    assert!(got.contains(&("Prod_Monitor".into(), "A001".into())));
    assert!(doc["errors"]
        .to_string()
        .contains("no audit logs were given (--audit-log)"));
}

#[test]
fn parameters_and_allow_entries_come_from_the_configuration() {
    let dir = org(9);
    let config = dir.path().join("policy.toml");
    std::fs::write(
        &config,
        "[params]\nunused-after = 400\n\n[params.A004]\nrotate-after = 700\n\n[params.A001]\npurpose-words = []\n\n[[allow]]\naccount = \"temp\"\nrules = [\"A001\"]\nreason = \"retired next sprint\"\n\n[[allow]]\naccount = \"nobody\"\nreason = \"stale entry\"\n",
    )
    .expect("config");
    let (doc, code, stderr) = audit(
        dir.path(),
        &["--config", config.to_str().expect("utf-8"), "--isolated"],
    );
    assert_eq!(code, Some(1), "{stderr}");
    let got = pairs(&doc);
    for gone in [
        ("legacy-churn-exporter", "A002"),   // 212 days < 400
        ("model-registry-promoter", "A005"), // 109 days < 400
        ("batch-scoring-pipeline", "A004"),  // 245 days < 700
        ("legacy-churn-exporter", "A004"),   // 660 days < 700
        ("team-helper", "A001"),             // no purpose list: any words pass
        ("temp", "A001"),                    // allowed by account
    ] {
        assert!(
            !got.contains(&(gone.0.to_string(), gone.1.to_string())),
            "{gone:?} should be gone: {got:?}"
        );
    }
    assert!(got.contains(&("test-sa".into(), "A001".into())));
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert!(
        doc["errors"]
            .to_string()
            .contains("(account `nobody`) matched nothing"),
        "{}",
        doc["errors"]
    );

    // A parameter no rule declares, or a value of the wrong kind, is an error at the key.
    for (text, want) in [
        (
            "[params]\nunused-afterr = 10\n",
            "unknown parameter `unused-afterr`",
        ),
        (
            "[params.A002]\nunused-after = \"soon\"\n",
            "must be a whole",
        ),
        ("[params.A999]\nunused-after = 3\n", "names no rule"),
        ("[params.A001]\ndeny = [\"(unclosed\"]\n", ""),
    ] {
        std::fs::write(&config, text).expect("config");
        let (_, code, stderr) = audit(
            dir.path(),
            &["--config", config.to_str().expect("utf-8"), "--isolated"],
        );
        if want.is_empty() {
            // A bad regex in the naming policy: the rule says it could not be evaluated.
            assert!(stderr.contains("is not a valid regex"), "{stderr}");
        } else {
            assert_eq!(code, Some(2), "{text}: {stderr}");
            assert!(stderr.contains(want), "{text}: {stderr}");
            assert!(stderr.contains("policy.toml:"), "{stderr}");
        }
    }
}

#[test]
fn an_inline_comment_in_the_registry_allows_a_finding() {
    let dir = org(11);
    let reg = dir.path().join("registry.yaml");
    let text = std::fs::read_to_string(&reg).expect("registry").replace(
        "  - name: temp\n",
        "  # wandb-sa-lint: allow A001 -- kept for the backfill until December\n  - name: temp\n",
    );
    std::fs::write(&reg, text).expect("write");
    let (doc, _, _) = audit(dir.path(), &[]);
    let got = pairs(&doc);
    assert!(!got.contains(&("temp".into(), "A001".into())));
    assert!(got.contains(&("test-sa".into(), "A001".into())));
    assert_eq!(doc["summary"]["suppressed"], 1);
}

#[test]
fn an_inline_comment_in_the_registry_without_a_reason_warns_as_in_scan() {
    let dir = org(11);
    let reg = dir.path().join("registry.yaml");
    let text = std::fs::read_to_string(&reg).expect("registry").replace(
        "  - name: temp\n",
        "  # wandb-sa-lint: allow A001\n  - name: temp\n",
    );
    std::fs::write(&reg, &text).expect("write");
    let line = text
        .lines()
        .position(|l| l.contains("wandb-sa-lint: allow A001"))
        .expect("comment")
        + 1;
    let (doc, code, stderr) = audit(dir.path(), &[]);
    // Still suppressed, as in `scan`, but the missing reason is a warning.
    assert!(!pairs(&doc).contains(&("temp".into(), "A001".into())));
    assert_eq!(doc["summary"]["suppressed"], 1);
    let want = format!(
        "inline allow at `{}:{line}` gives no reason (`-- reason`)",
        reg.display()
    );
    assert!(
        doc["errors"].to_string().contains(&want),
        "{}",
        doc["errors"]
    );
    assert!(stderr.contains("gives no reason"), "{stderr}");
    assert_eq!(code, Some(1), "{stderr}");
}

#[test]
fn bad_input_to_audit() {
    let dir = org(13);
    let (_, code, stderr) = audit(dir.path(), &["--as-of", "yesterday"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--as-of"), "{stderr}");
    let (_, code, stderr) = audit(dir.path(), &["--audit-log", "no/such/logs"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no such path `no/such/logs`"), "{stderr}");
    // An invalid registry: each problem at its line, exit 2.
    std::fs::write(
        dir.path().join("registry.yaml"),
        "service_accounts:\n  - name: a\n    scope: galaxy\n    colour: red\n",
    )
    .expect("write");
    let (_, code, stderr) = audit(dir.path(), &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("registry.yaml:3:12"), "{stderr}");
    assert!(stderr.contains("unknown key `colour`"), "{stderr}");
}

#[test]
fn human_output_labels_the_registry_entry() {
    let dir = org(17);
    let out = bin()
        .current_dir(dir.path())
        .arg("audit")
        .args(audit_org::INPUTS)
        .args(["--isolated", "--color", "never"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("A007/organization-account-without-default-team"),
        "{stdout}"
    );
    assert!(stdout.contains("╰── `org-audit-collector`"), "{stdout}");
    assert!(
        stdout.contains("audited 25 service accounts as of 2026-11-01: 9"),
        "{stdout}"
    );
    assert!(
        stdout.contains("22 findings: 4 error, 18 warning, 0 info"),
        "{stdout}"
    );
}

#[test]
fn impossible_registry_dates_are_errors_at_their_line_in_audit_and_report() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(
        d.join("registry.yaml"),
        "service_accounts:\n  - name: nightly-eval\n    created: 2025-13-45\n    api_keys:\n      - name: k1\n        id: AAA\n        created: 2025-01-10\n        last_used: 2025-02-30\n",
    )
    .expect("write");
    let runs: [&[&str]; 2] = [
        &[
            "audit",
            "--registry",
            "registry.yaml",
            "--as-of",
            "2026-11-01",
        ],
        &[
            "report",
            "--registry",
            "registry.yaml",
            "--as-of",
            "2026-11-01",
            "--format",
            "json",
            "-o",
            "r.json",
        ],
    ];
    for args in runs {
        let out = bin()
            .current_dir(d)
            .args(args)
            .arg("--isolated")
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Exit 2, as every invalid registry: the accounts were not judged.
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", args[0]);
        assert!(
            stderr.contains("registry.yaml:3:14")
                && stderr.contains("`created` must be a date (YYYY-MM-DD), found `2025-13-45`"),
            "{}: {stderr}",
            args[0]
        );
        assert!(
            stderr.contains("registry.yaml:8:20")
                && stderr.contains("`last_used` must be a date (YYYY-MM-DD), found `2025-02-30`"),
            "{}: {stderr}",
            args[0]
        );
    }
}

/// Logs as W&B's bucket sync and `anonymize=true` write them: no `entity_name` nor
/// `project_name` on any event.
fn nameless_logs(dir: &Path) {
    std::fs::write(
        dir.join("registry.yaml"),
        "organization: acme\nteams:\n  ml-team:\n    members: [alice@acme.com]\n    projects:\n      sensitive-eval: {visibility: restricted}\nservice_accounts:\n  - name: org-sync-agent\n    scope: organization\n    team: ml-team\n    auth: api-key\n    purpose: Sync runs between teams\n    owner: ml-platform@acme.com\n    used_by: [jobs/sync.py]\n    created: 2026-01-01\n    audit_ids: [org-sync-agent@acme.iam.wandb]\n",
    )
    .expect("write");
    let mut log = String::new();
    for day in 1..=28 {
        for month in [9, 10] {
            log.push_str(&format!(
                "{{\"timestamp\":\"2026-{month:02}-{day:02}T10:00:00Z\",\"action\":\"run:update\",\"actor_email\":\"org-sync-agent@acme.iam.wandb\",\"response_code\":200}}\n"
            ));
        }
    }
    log.push_str("{\"timestamp\":\"2026-10-20T11:00:00Z\",\"action\":\"project:read\",\"actor_email\":\"org-sync-agent@acme.iam.wandb\",\"response_code\":403}\n");
    log.push_str("{\"timestamp\":\"2026-10-21T09:00:00Z\",\"action\":\"team:create_service_account\",\"actor_email\":\"alice@acme.com\",\"user_email\":\"temp-sa@acme.iam.wandb\"}\n");
    std::fs::create_dir(dir.join("logs")).expect("mkdir");
    std::fs::write(dir.join("logs/audit.jsonl"), log).expect("write");
}

#[test]
fn logs_without_entity_or_project_names_leave_a003_and_a011_unjudged() {
    let dir = tempfile::tempdir().expect("tmp");
    nameless_logs(dir.path());
    let (doc, code, stderr) = audit(dir.path(), &[]);
    assert!(matches!(code, Some(0 | 1)), "{stderr}");
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // No false "touched no team's projects", no silent A011.
    assert!(!rules.contains(&"A003"), "{rules:?}");
    assert!(!rules.contains(&"A011"), "{rules:?}");
    let errors: Vec<&str> = doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    for rule in ["A003", "A011"] {
        assert!(
            errors.iter().any(|m| m.starts_with(rule)
                && m.contains("could not be judged for org-sync-agent")
                && m.contains("entity_name")),
            "{rule}: {errors:#?}"
        );
    }
    // A006 names the account the logs show, without inventing a team.
    let a006 = message(&doc, "temp-sa@acme.iam.wandb", "A006");
    assert!(!a006.contains("unnamed team"), "{a006}");
    assert!(a006.contains("the event names no team"), "{a006}");
}
