//! No key leaves the program, whatever carries it. Keys of all three shapes are planted in
//! every carrier that reaches an output (job, service, stage, task, object, container and
//! INI section names, assigned names, Helm key paths, entity/project/user values, folder names, commit author,
//! email and summary, configuration values and allow reasons, rule files, registry fields,
//! audit-log fields, command-line values), and every output (each scan format on stdout and
//! with `-o`, stderr, the baseline, `--show-config`, `rules check`, `audit` in each format, the
//! HTML, Markdown and JSON reports) is checked for the whole key, its first 30 and its last 30
//! characters.

mod common;

use std::path::Path;

use common::{git, run_in as run, write};
use proptest::prelude::*;
use wandb_sa_lint::rules::fakes::Fakes;

const FORMATS: [&str; 6] = ["human", "json", "sarif", "junit", "gitlab", "github"];

/// The organization's inputs, for `audit` and `report`.
const ORG: [&str; 6] = [
    "--registry",
    "org/registry.yaml",
    "--audit-log",
    "org/logs",
    "--as-of",
    "2026-11-01",
];

/// The carriers: files whose parsed names and values hold `k`; `other` is a second key, the
/// one the folder named after `k` assigns (a secret finding of its own).
fn plant(dir: &Path, k: &str, other: &str) {
    write(
        dir,
        ".github/workflows/train.yml",
        &format!(
            "on: push\njobs:\n  {k}:\n    runs-on: ubuntu-latest\n    env:\n      WANDB_API_KEY: ${{{{ secrets.WANDB_CI_KEY }}}}\n    steps:\n      - run: python train.py\n"
        ),
    );
    write(
        dir,
        ".gitlab-ci.yml",
        &format!(
            "{k}:\n  image: python:3.11\n  variables:\n    WANDB_API_KEY: $WANDB_CI_KEY\n  script:\n    - python train.py\n"
        ),
    );
    write(
        dir,
        "docker-compose.yml",
        &format!(
            "services:\n  {k}:\n    image: trainer\n    environment:\n      WANDB_API_KEY: ${{WANDB_API_KEY}}\n"
        ),
    );
    write(
        dir,
        "Dockerfile",
        &format!(
            "FROM python:3.11-slim AS {k}\nRUN --mount=type=secret,id=wandb,env=WANDB_API_KEY echo \"key $WANDB_API_KEY\" && python prefetch.py\n"
        ),
    );
    write(
        dir,
        "Jenkinsfile",
        &format!(
            "pipeline {{\n  agent any\n  stages {{\n    stage('{k}') {{\n      environment {{\n        WANDB_API_KEY = credentials('wandb-ci')\n      }}\n      steps {{ sh 'python train.py' }}\n    }}\n  }}\n}}\n"
        ),
    );
    write(
        dir,
        "k8s/job.yaml",
        &format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {k}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {k}\n          image: trainer\n          env:\n            - name: WANDB_API_KEY\n              valueFrom:\n                secretKeyRef: {{name: wandb, key: api-key}}\n"
        ),
    );
    write(
        dir,
        "dags/train_dag.py",
        &format!(
            "from airflow import DAG\nfrom airflow.models import Variable\nfrom airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n\nwith DAG(dag_id=\"train\") as dag:\n    t = KubernetesPodOperator(\n        task_id=\"{k}\",\n        image=\"trainer\",\n        env_vars={{\"WANDB_API_KEY\": Variable.get(\"wandb_key\")}},\n    )\n"
        ),
    );
    write(
        dir,
        "charts/trainer/values.yaml",
        &format!(
            "{k}:\n  env:\n    - name: WANDB_API_KEY\n      valueFrom:\n        secretKeyRef: {{name: wandb, key: api-key}}\n"
        ),
    );
    write(dir, "conf/app.ini", &format!("[{k}]\napi_key = {other}\n"));
    write(
        dir,
        "scripts/setup.py",
        &format!("import wandb\n{k}_token = \"{other}\"  # wandb\n"),
    );
    write(
        dir,
        "deploy/.env",
        &format!(
            "WANDB_API_KEY=${{WANDB_DEPLOY_KEY}}\nWANDB_ENTITY={k}\nWANDB_PROJECT={k}\nWANDB_USERNAME={k}\n"
        ),
    );
    write(
        dir,
        &format!("{k}/config.env"),
        &format!("WANDB_API_KEY={other}\n"),
    );
}

/// A registry whose fields hold `k` (account names, purposes, owners, a scope value, a key
/// name) and audit logs whose fields hold it.
fn plant_org(dir: &Path, k: &str) {
    write(
        dir,
        "org/registry.yaml",
        &format!(
            "teams:\n  ml-team: {{members: [alice@acme.com]}}\nservice_accounts:\n  - name: {k}\n    scope: team\n    team: ml-team\n    owner: {k}@acme.com\n    purpose: {k}\n    created: 2025-01-10\n    used_by: [\"{k}\", \"deploy/.env\"]\n    audit_ids: [{k}@acme.iam.wandb]\n    api_keys:\n      - {{name: {k}, id: AAA, created: 2025-01-10, last_used: 2025-02-03}}\n"
        ),
    );
    write(
        dir,
        "org/bad-registry.yaml",
        &format!(
            "service_accounts:\n  - name: ci-model-training\n    scope: {k}\n    created: 2025-01-10\n"
        ),
    );
    let mut log = String::new();
    for day in 1..=28 {
        log.push_str(&format!(
            "{{\"timestamp\":\"2026-10-{day:02}T10:00:00Z\",\"action\":\"{k}\",\"actor_email\":\"{k}@acme.iam.wandb\",\"entity_name\":\"{k}\",\"project_name\":\"{k}\",\"response_code\":401}}\n"
        ));
    }
    log.push_str(&format!(
        "{{\"timestamp\":\"{k}\",\"action\":\"run:update\"}}\n"
    ));
    log.push_str(&format!("not json {k}\n"));
    write(dir, "org/logs/2026-10.jsonl", &log);
}

/// Checks one output for the whole key, its first 30 and its last 30 characters.
fn clean(what: &str, text: &str, keys: &[&str]) -> Result<(), TestCaseError> {
    for k in keys {
        let head = k.get(..30).unwrap_or(k);
        let tail = k.get(k.len().saturating_sub(30)..).unwrap_or(k);
        prop_assert!(!text.contains(k), "{}: holds a whole key", what);
        prop_assert!(
            !text.contains(head),
            "{}: holds a key's first 30 characters: {}",
            what,
            around(text, head)
        );
        prop_assert!(
            !text.contains(tail),
            "{}: holds a key's last 30 characters: {}",
            what,
            around(text, tail)
        );
    }
    Ok(())
}

/// The text around the first place `needle` occurs, the needle itself replaced by `<KEY>`.
fn around(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap_or(0);
    let mut from = at.saturating_sub(80);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + needle.len() + 80).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    text[from..to].replace(needle, "<KEY>")
}

fn check_everything(k: &str, other: &str) -> Result<(), TestCaseError> {
    let keys = [k, other];
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    plant(dir, k, other);
    plant_org(dir, k);
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    // Commit metadata: author, email and summary carry the key.
    let st = std::process::Command::new("git")
        .args([
            "-c",
            &format!("user.name={k}"),
            "-c",
            &format!("user.email={k}@example.com"),
            "commit",
            "-q",
            "-m",
            &format!("add {k} to the pipeline"),
        ])
        .current_dir(dir)
        .output()
        .expect("git commit");
    prop_assert!(st.status.success(), "commit: {:?}", st);

    // The carriers really are reported: the JSON scan names a finding in each file.
    let (json, _, code) = run(
        dir,
        &[
            "scan",
            "--format",
            "json",
            "--registry",
            "org/registry.yaml",
        ],
    );
    prop_assert_eq!(code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    for file in [
        ".github/workflows/train.yml",
        ".gitlab-ci.yml",
        "docker-compose.yml",
        "Dockerfile",
        "Jenkinsfile",
        "k8s/job.yaml",
        "dags/train_dag.py",
        "charts/trainer/values.yaml",
        "conf/app.ini",
        "scripts/setup.py",
        "deploy/.env",
        "/config.env",
    ] {
        prop_assert!(
            findings
                .iter()
                .any(|f| f["path"].as_str().is_some_and(|p| p.ends_with(file))),
            "no finding in {}",
            file
        );
    }
    // The planted entity/project/user values were judged: by the registry rules (C101-C103)
    // or, where the value itself is key-shaped in a W&B assignment, as a key (S001).
    for line in 2..=4 {
        prop_assert!(
            findings
                .iter()
                .any(|f| f["path"] == "deploy/.env" && f["line"] == line),
            "no finding at deploy/.env:{}",
            line
        );
    }
    // Masked forms are shown: the key's first characters, then `*`.
    let kept = if k.starts_with("wandb_v1_") {
        13
    } else {
        k.find('-').map_or(4, |dash| dash + 5)
    };
    let shown = format!("{}*", &k[..kept]);
    prop_assert!(
        json.contains(&shown),
        "no masked form {} in the JSON",
        shown
    );

    for format in FORMATS {
        for extra in [&[][..], &["--history"][..]] {
            let mut args = vec![
                "scan",
                "--format",
                format,
                "--registry",
                "org/registry.yaml",
            ];
            args.extend_from_slice(extra);
            let (o, e, code) = run(dir, &args);
            prop_assert_eq!(code, Some(1), "scan {:?}: {}", args, e);
            clean(&format!("scan {args:?} stdout"), &o, &keys)?;
            clean(&format!("scan {args:?} stderr"), &e, &keys)?;
        }
        let file = format!("out-{format}.txt");
        let (o, e, _) = run(dir, &["scan", "--format", format, "-o", &file]);
        let written = std::fs::read_to_string(dir.join(&file)).expect("-o file written");
        prop_assert!(!written.is_empty());
        clean(&format!("scan -o ({format})"), &written, &keys)?;
        clean(&format!("scan -o ({format}) stdout"), &o, &keys)?;
        clean(&format!("scan -o ({format}) stderr"), &e, &keys)?;

        let (o, e, _) = run(dir, &[&["audit"][..], &ORG, &["--format", format]].concat());
        clean(&format!("audit ({format}) stdout"), &o, &keys)?;
        clean(&format!("audit ({format}) stderr"), &e, &keys)?;
        prop_assert!(!o.is_empty(), "audit ({}) printed nothing", format);
    }

    // Baseline, with history.
    let (_, e, code) = run(dir, &["baseline", "--history", "-o", "base.json"]);
    prop_assert_eq!(code, Some(0), "{}", e);
    clean(
        "baseline",
        &std::fs::read_to_string(dir.join("base.json")).expect("baseline"),
        &keys,
    )?;
    clean("baseline stderr", &e, &keys)?;

    // Reports in every format, from a scan result, the registry and the logs.
    run(
        dir,
        &["scan", "--history", "--format", "json", "-o", "scan.json"],
    );
    for (format, file) in [("html", "r.html"), ("markdown", "r.md"), ("json", "r.json")] {
        let (o, e, _) = run(
            dir,
            &[
                &["report", "--scan", "scan.json"][..],
                &ORG,
                &["--format", format, "-o", file],
            ]
            .concat(),
        );
        let body = std::fs::read_to_string(dir.join(file)).expect("report written");
        prop_assert!(body.len() > 200, "report {} is empty", format);
        clean(&format!("report {format}"), &body, &keys)?;
        clean(&format!("report {format} stdout"), &o, &keys)?;
        clean(&format!("report {format} stderr"), &e, &keys)?;
    }

    // Registry errors quote the bad value.
    let (o, e, code) = run(dir, &["audit", "--registry", "org/bad-registry.yaml"]);
    prop_assert_eq!(code, Some(2), "{}", e);
    clean("registry error", &format!("{o}{e}"), &keys)?;

    // Configuration: an allow reason shown by --show-config, then a value that is an error.
    write(
        dir,
        ".wandb-sa-lint.toml",
        &format!("[[allow]]\npaths = [\"deploy/**\"]\nrules = [\"C001\"]\nreason = \"{k}\"\n"),
    );
    let (o, e, _) = run(dir, &["--show-config", "scan"]);
    clean("--show-config", &format!("{o}{e}"), &keys)?;
    write(dir, ".wandb-sa-lint.toml", &format!("fail-on = \"{k}\"\n"));
    let (o, e, code) = run(dir, &["scan"]);
    prop_assert_eq!(code, Some(2), "{}", e);
    clean("config error", &format!("{o}{e}"), &keys)?;
    std::fs::remove_file(dir.join(".wandb-sa-lint.toml")).expect("rm");

    // A rule file holding the key: `rules check` shows the file.
    write(
        dir,
        "myrules/X001.yaml",
        &format!("id: X001\nname: {k}\nkind: secret\nseverity: error\nsummary: {k}\n"),
    );
    let (o, e, _) = run(dir, &["rules", "check", "myrules"]);
    clean("rules check", &format!("{o}{e}"), &keys)?;

    // Command-line values quoted back by the parser.
    let missing = format!("missing/{k}");
    for args in [
        &["scan", "--format", k][..],
        &["scan", &missing][..],
        &["explain", k][..],
        &["scan", "--fail-on", k][..],
    ] {
        let (o, e, code) = run(dir, args);
        prop_assert_eq!(code, Some(2), "{:?}", args);
        clean(&format!("{args:?}"), &format!("{o}{e}"), &keys)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every carrier, every output, for each key shape.
    #[test]
    fn no_output_carries_a_key(seed in any::<u64>(), shape in 0usize..3) {
        let mut f = Fakes::new(seed);
        let other = f.v1();
        let k = match shape {
            0 => f.v1(),
            1 => f.hex(40),
            _ => f.prefixed("local"),
        };
        check_everything(&k, &other)?;
    }
}

/// All three shapes, whatever proptest draws.
#[test]
fn every_shape_in_every_carrier() {
    let mut f = Fakes::new(20_261_206);
    let other = f.v1();
    for k in [f.v1(), f.hex(40), f.prefixed("local")] {
        if let Err(e) = check_everything(&k, &other) {
            panic!("{e}");
        }
    }
}
