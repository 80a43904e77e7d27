//! Every documented audit-log form (docs/audit-logs.md): the same generated organization
//! (`tests/common/audit_org.rs`) written as the API's NDJSON stream, as JSON pages (one per
//! file, one per line, pretty-printed) and as anonymized bucket files (with and without W&B
//! ids in the registry), through the real binary. The findings agree wherever the form carries
//! the evidence; where it does not, the rule says it could not judge, never a false finding.
//! `cargo test --test audit_forms -- --nocapture` prints the comparison table.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::audit_org::{self, Form};
use common::{bin, finding_pairs as pairs};

type Pairs = BTreeSet<(String, String)>;

/// Runs `audit` on the organization in `dir`: (JSON document, exit code, stderr).
fn audit(dir: &Path) -> (serde_json::Value, Option<i32>, String) {
    let mut cmd = bin();
    cmd.current_dir(dir)
        .args(["audit", "--format", "json", "--isolated"])
        .args(audit_org::INPUTS);
    common::parts(&cmd.output().expect("run"))
}

fn expected() -> Pairs {
    audit_org::EXPECTED
        .iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect()
}

fn warnings(doc: &serde_json::Value) -> Vec<String> {
    doc["errors"]
        .as_array()
        .map(|w| {
            w.iter()
                .filter_map(|p| p["message"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// One form's run.
struct Run {
    label: &'static str,
    doc: serde_json::Value,
}

fn run(form: Form, ids: bool, label: &'static str) -> Run {
    let dir = tempfile::tempdir().expect("tmp");
    audit_org::write_form(dir.path(), 3, form, ids).expect("generate");
    let (doc, code, stderr) = audit(dir.path());
    assert_eq!(code, Some(1), "{label}: findings, exit 1\n{stderr}");
    let a = &doc["summary"]["audit"];
    assert_eq!(a["malformed_lines"], 0, "{label}: {}", doc["errors"]);
    assert_eq!(a["observed_days"], 90, "{label}");
    let read_errors = doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter(|p| {
            p["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("audit log"))
        })
        .count();
    assert_eq!(read_errors, 0, "{label}: {}", doc["errors"]);
    Run { label, doc }
}

#[test]
fn every_documented_form_gives_the_findings_its_evidence_allows() {
    let named = [
        (Form::Ndjson, "API NDJSON"),
        (Form::PageFiles, "JSON pages, one per file"),
        (Form::PageLines, "JSON pages, one per line"),
        (Form::PrettyPages, "JSON pages, pretty-printed"),
    ];
    let mut runs: Vec<Run> = named.iter().map(|(f, l)| run(*f, false, l)).collect();
    let events = runs[0].doc["summary"]["audit"]["events"].clone();
    for r in &runs {
        assert_eq!(pairs(&r.doc), expected(), "{}", r.label);
        assert!(
            warnings(&r.doc).is_empty(),
            "{}: {:?}",
            r.label,
            warnings(&r.doc)
        );
        assert_eq!(r.doc["summary"]["audit"]["events"], events, "{}", r.label);
    }
    runs.push(run(Form::Bucket, true, "bucket files, registry with ids"));
    runs.push(run(
        Form::Bucket,
        false,
        "bucket files, registry without ids",
    ));

    // Without emails, the unlisted accounts are known by their W&B ids.
    let shadow = audit_org::user_id("shadow-exporter@acme.iam.wandb");
    let quick = audit_org::user_id("quick-hack-sa@acme.iam.wandb");
    let by_id = |pairs: &Pairs| -> Pairs {
        pairs
            .iter()
            .map(|(a, r)| {
                let a = match a.as_str() {
                    "shadow-exporter@acme.iam.wandb" => shadow.clone(),
                    "quick-hack-sa@acme.iam.wandb" => quick.clone(),
                    _ => a.clone(),
                };
                (a, r.clone())
            })
            .collect()
    };
    let with_ids = &runs[4];
    assert_eq!(
        pairs(&with_ids.doc),
        by_id(&expected()),
        "{}",
        with_ids.label
    );
    // Without ids in the registry: A011 cannot tell the refused project (a note says so),
    // A003 still tells teams apart by their ids; nothing is found that is not there.
    let without = &runs[5];
    let mut want = by_id(&expected());
    want.remove(&("risk-model-evaluator".to_string(), "A011".to_string()));
    assert_eq!(pairs(&without.doc), want, "{}", without.label);
    let notes = warnings(&without.doc).join("\n");
    assert!(
        notes.contains("A011 restricted-project-denied could not be judged for")
            && notes.contains("risk-model-evaluator"),
        "{notes}"
    );
    assert!(
        notes.contains("signed in interactively (people)"),
        "{notes}"
    );
    let a003 = without.doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "A003")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default();
    assert!(a003.contains("W&B id"), "{a003}");

    print_table(&runs);
}

/// The comparison table of the closing note (docs/audit-logs.md).
fn print_table(runs: &[Run]) {
    let all: BTreeSet<(String, String)> = runs.iter().flat_map(|r| pairs(&r.doc)).collect();
    println!(
        "| account | rule | {} |",
        runs.iter().map(|r| r.label).collect::<Vec<_>>().join(" | ")
    );
    println!("|---|---|{}", "---|".repeat(runs.len()));
    for (a, rule) in &all {
        let cells: Vec<&str> = runs
            .iter()
            .map(|r| {
                if pairs(&r.doc).contains(&(a.clone(), rule.clone())) {
                    "yes"
                } else {
                    "-"
                }
            })
            .collect();
        println!("| {a} | {rule} | {} |", cells.join(" | "));
    }
    for r in runs {
        println!(
            "{}: {} findings, {} events, {} notes",
            r.label,
            pairs(&r.doc).len(),
            r.doc["summary"]["audit"]["events"],
            warnings(&r.doc).len()
        );
        for w in warnings(&r.doc) {
            println!("  note: {w}");
        }
    }
}

#[test]
fn a_saved_error_answer_is_an_input_problem_and_fails_the_run() {
    let dir = tempfile::tempdir().expect("tmp");
    audit_org::write_form(dir.path(), 3, Form::Ndjson, false).expect("generate");
    std::fs::write(
        dir.path().join("logs/audit-2026-11-01.json"),
        "{\"errors\":[{\"message\":\"user is associated with multiple organizations\"}]}\n",
    )
    .expect("write");
    let (doc, code, stderr) = audit(dir.path());
    assert_eq!(
        code,
        Some(2),
        "nothing readable in a named log: exit 2\n{stderr}"
    );
    let all = doc["errors"].to_string();
    assert!(
        all.contains("audit-2026-11-01.json` line 1: not an audit event")
            && all.contains("error answer"),
        "{all}"
    );
    // The other files were read whole: the findings stand.
    assert_eq!(pairs(&doc), expected());
}

#[test]
fn a_deactivated_account_is_unused_and_numeric_ids_in_pretty_pages_are_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(
        d.join("registry.yaml"),
        "teams:\n  ml-team:\n    id: '7'\n    projects:\n      eval: {id: '70', visibility: restricted}\nservice_accounts:\n  - name: nightly-sync\n    scope: team\n    team: ml-team\n    auth: api-key\n    purpose: Sync runs\n    owner: ml@acme.com\n    used_by: [jobs/sync.py]\n    created: 2026-01-01\n    audit_ids: ['101']\n  - name: eval-runner\n    scope: team\n    team: ml-team\n    auth: api-key\n    purpose: Evaluate\n    owner: ml@acme.com\n    used_by: [jobs/eval.py]\n    created: 2026-01-01\n    audit_ids: ['102']\n",
    )
    .expect("registry");
    // Pretty-printed pages, numeric ids, no names: one account works and is refused on the
    // restricted project, then the other is deactivated by an admin.
    let mut entries = Vec::new();
    for day in 1..=30 {
        for (id, code) in [(101, 200), (102, 200), (102, 403)] {
            entries.push(serde_json::json!({
                "timestamp": format!("2026-10-{day:02}T10:00:00Z"),
                "action": "run:update",
                "actor_user_id": id,
                "entity_asset": 7,
                "project_asset": 70,
                "response_code": code,
                "cli_version": "0.21.0",
            }));
        }
    }
    entries.push(serde_json::json!({
        "timestamp": "2026-10-30T12:00:00Z",
        "action": "user:deactivate",
        "actor_user_id": 9,
        "user_asset": 101,
    }));
    let page = serde_json::json!({
        "audit_logs": entries,
        "range_start_time": "2026-10-01T00:00:00Z",
        "range_end_time": "2026-10-31T00:00:00Z",
        "count": 91,
        "next_cursor": null,
    });
    std::fs::create_dir(d.join("logs")).expect("mkdir");
    std::fs::write(
        d.join("logs/page.json"),
        serde_json::to_string_pretty(&page).expect("json"),
    )
    .expect("write");
    let mut cmd = bin();
    cmd.current_dir(d).args([
        "audit",
        "--format",
        "json",
        "--isolated",
        "--registry",
        "registry.yaml",
        "--audit-log",
        "logs",
        "--as-of",
        "2026-10-31",
    ]);
    let (doc, code, stderr) = common::parts(&cmd.output().expect("run"));
    assert!(matches!(code, Some(0 | 1)), "warnings only\n{stderr}");
    assert_eq!(doc["summary"]["audit"]["events"], 91, "{}", doc["errors"]);
    let found = pairs(&doc);
    assert!(
        found.contains(&("nightly-sync".to_string(), "A002".to_string())),
        "{found:?}"
    );
    assert!(
        found.contains(&("eval-runner".to_string(), "A011".to_string())),
        "{found:?}"
    );
    let a002 = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "A002")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default();
    assert!(
        a002.contains("deactivated on 2026-10-30 (user:deactivate)"),
        "{a002}"
    );
}
