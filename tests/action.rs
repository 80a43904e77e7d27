//! The GitHub Action (`action.yml`) runs `.github/action/run.sh` in three steps: `install`,
//! `scan`, `gate`. Here the script runs as a runner runs it: inputs as `INPUT_*` variables,
//! `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `GITHUB_PATH` as files, `RUNNER_TEMP` a temp dir,
//! with the binary built by cargo on PATH (`version: installed`; the pip install of the wheel
//! is run by .ci/wheel.sh). Checked: the SARIF file, the outputs, the summary and the exit
//! code for each `fail-on` level, and that action.yml passes every input the script reads.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{root, write};
use saphyr::{LoadableYamlNode, Yaml};
use wandb_sa_lint::rules::fakes::Fakes;

/// One finished step: exit code, its outputs, the step summary, and what it printed.
struct Step {
    code: Option<i32>,
    outputs: BTreeMap<String, String>,
    summary: String,
    log: String,
}

/// Runs `run.sh <sub>` in `dir` with `inputs` (`("fail-on", "warning")` becomes
/// `INPUT_FAIL_ON=warning`), as a composite step of action.yml does.
fn step(dir: &Path, sub: &str, inputs: &[(&str, &str)]) -> Step {
    let runner = tempfile::tempdir().expect("runner dir");
    let file = |name: &str| {
        let p = runner.path().join(name);
        std::fs::write(&p, "").expect("runner file");
        p
    };
    let (output, summary, path) = (file("output"), file("summary"), file("path"));
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_wandb-sa-lint"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let mut cmd = Command::new("bash");
    cmd.arg(root().join(".github/action/run.sh"))
        .arg(sub)
        .current_dir(dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_PATH", &path)
        .env("RUNNER_TEMP", runner.path())
        .env("GITHUB_ACTIONS", "true")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("WANDB_SA_LINT_CONFIG")
        .env_remove("WANDB_SA_LINT_FAIL_ON")
        .env_remove("WANDB_SA_LINT_FORMAT");
    for (name, value) in inputs {
        cmd.env(
            format!("INPUT_{}", name.to_uppercase().replace('-', "_")),
            value,
        );
    }
    let out = cmd.output().expect("bash runs");
    let read = |p: &Path| std::fs::read_to_string(p).expect("runner file");
    let outputs = read(&output)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Step {
        code: out.status.code(),
        outputs,
        summary: read(&summary),
        log: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// A repository whose only finding is a warning (C001: a job logs in to W&B and names no
/// entity); with `key`, a committed key too (S001, an error).
fn tree(key: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("dir");
    write(
        tmp.path(),
        ".github/workflows/train.yml",
        "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    env:\n      WANDB_API_KEY: ${{ secrets.WANDB_CI_TRAINING_KEY }}\n    steps:\n      - run: python train.py\n",
    );
    write(
        tmp.path(),
        "train.py",
        "import wandb\nwandb.init(project='churn')\n",
    );
    if key {
        write(
            tmp.path(),
            "deploy/.env",
            &format!(
                "WANDB_ENTITY=acme-ml\nWANDB_API_KEY={}\n",
                Fakes::new(19).v1()
            ),
        );
    }
    tmp
}

fn sarif(dir: &Path, step: &Step) -> serde_json::Value {
    let file = step.outputs.get("sarif-file").expect("sarif-file output");
    let text = std::fs::read_to_string(dir.join(file)).expect("the SARIF file");
    serde_json::from_str(&text).expect("SARIF is JSON")
}

fn rule_ids(doc: &serde_json::Value) -> Vec<String> {
    doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["ruleId"].as_str().expect("ruleId").to_string())
        .collect()
}

#[test]
fn install_with_version_installed_uses_the_binary_on_path() {
    let dir = tree(false);
    let s = step(dir.path(), "install", &[("version", "installed")]);
    assert_eq!(s.code, Some(0), "{}", s.log);
    let want = format!("wandb-sa-lint {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(s.outputs.get("version"), Some(&want));
}

#[test]
fn each_fail_on_level_decides_whether_a_warning_fails_the_job() {
    let dir = tree(false);
    for (level, fails) in [
        ("error", false),
        ("warning", true),
        ("info", true),
        ("never", false),
    ] {
        let s = step(dir.path(), "scan", &[("fail-on", level)]);
        // The scan step itself passes: the SARIF is uploaded before the gate fails the job.
        assert_eq!(s.code, Some(0), "fail-on {level}: {}", s.log);
        let doc = sarif(dir.path(), &s);
        assert_eq!(doc["version"], "2.1.0");
        assert_eq!(rule_ids(&doc), ["C001"], "fail-on {level}");
        let out = |k: &str| s.outputs.get(k).map(String::as_str);
        assert_eq!(out("sarif-file"), Some("wandb-sa-lint.sarif"));
        assert_eq!(out("findings"), Some("1"));
        assert_eq!(out("warnings"), Some("1"));
        assert_eq!(out("errors"), Some("0"));
        assert_eq!(out("audit-sarif-file"), Some(""));
        let failed = if fails { "true" } else { "false" };
        assert_eq!(out("failed"), Some(failed), "fail-on {level}");
        assert!(
            s.summary.contains("error=0, warning=1, note=0, total=1")
                && s.summary.contains(&format!("fail-on: {level}")),
            "{}",
            s.summary
        );
        let gate = step(
            dir.path(),
            "gate",
            &[("failed", failed), ("fail-on", level)],
        );
        assert_eq!(gate.code, Some(if fails { 1 } else { 0 }), "{}", gate.log);
        assert_eq!(gate.log.contains("::error::"), fails, "{}", gate.log);
    }
}

#[test]
fn a_committed_key_fails_the_default_gate_and_stays_masked_in_the_sarif() {
    let dir = tree(true);
    let key = Fakes::new(19).v1();
    let s = step(
        dir.path(),
        "scan",
        &[("sarif-file", "out/scan.sarif"), ("fail-on", "")],
    );
    assert_eq!(s.code, Some(0), "{}", s.log);
    assert_eq!(
        s.outputs.get("sarif-file").map(String::as_str),
        Some("out/scan.sarif")
    );
    assert_eq!(s.outputs.get("failed").map(String::as_str), Some("true"));
    assert_eq!(s.outputs.get("errors").map(String::as_str), Some("1"));
    let doc = sarif(dir.path(), &s);
    let mut ids = rule_ids(&doc);
    ids.sort();
    assert_eq!(ids, ["C001", "S001"]);
    let text = std::fs::read_to_string(dir.path().join("out/scan.sarif")).expect("sarif");
    assert!(!text.contains(&key), "the SARIF holds the whole key");
    let gate = step(dir.path(), "gate", &[("failed", "true")]);
    assert_eq!(gate.code, Some(1), "{}", gate.log);
    assert!(
        gate.log.contains("at or above fail-on (error)"),
        "{}",
        gate.log
    );
}

#[test]
fn a_scan_that_cannot_run_fails_its_own_step_with_exit_2() {
    let dir = tree(false);
    let s = step(dir.path(), "scan", &[("path", "no/such/folder")]);
    assert_eq!(s.code, Some(2), "{}", s.log);
    assert!(
        s.log
            .contains("::error::wandb-sa-lint scan could not do its job (exit 2)"),
        "{}",
        s.log
    );
    assert!(!s.outputs.contains_key("failed"));
    // `args` reaches the tool: an unknown option is bad usage.
    let s = step(dir.path(), "scan", &[("args", "--no-such-option")]);
    assert_eq!(s.code, Some(2), "{}", s.log);
    let s = step(dir.path(), "frobnicate", &[]);
    assert_eq!(s.code, Some(2), "{}", s.log);
}

#[test]
fn the_history_input_finds_a_key_only_an_old_commit_holds() {
    let dir = tree(true);
    common::git(dir.path(), &["init", "-q"]);
    common::git(dir.path(), &["add", "-A"]);
    common::git(dir.path(), &["commit", "-qm", "one"]);
    common::git(dir.path(), &["rm", "-q", "deploy/.env"]);
    common::git(dir.path(), &["commit", "-qm", "two"]);
    for (history, want) in [("false", vec!["C001"]), ("true", vec!["S001"])] {
        // `args` reaches the scan, split on blanks.
        let s = step(
            dir.path(),
            "scan",
            &[("history", history), ("args", " --threads  1 ")],
        );
        assert_eq!(s.code, Some(0), "{}", s.log);
        let mut ids = rule_ids(&sarif(dir.path(), &s));
        ids.sort();
        ids.dedup();
        assert_eq!(ids, want, "history {history}");
    }
}

#[test]
fn a_registry_adds_an_audit_sarif() {
    let dir = tree(false);
    write(
        dir.path(),
        "registry.yaml",
        "organization: acme\nteams:\n  ml-team: {members: [alice@acme.com]}\nservice_accounts:\n  - name: ci-model-training\n    scope: team\n    team: ml-team\n    owner: ml-platform@acme.com\n    purpose: trains the churn model on every merge to main\n    created: 2025-06-01\n    used_by: [\".github/workflows/train.yml\"]\n",
    );
    let s = step(
        dir.path(),
        "scan",
        &[("registry", "registry.yaml"), ("fail-on", "never")],
    );
    assert_eq!(s.code, Some(0), "{}", s.log);
    let audit = s.outputs.get("audit-sarif-file").expect("audit output");
    assert_eq!(audit, "wandb-sa-lint-audit.sarif");
    let text = std::fs::read_to_string(dir.path().join(audit)).expect("audit SARIF");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(doc["version"], "2.1.0");
    assert!(
        s.summary.contains("**wandb-sa-lint audit**"),
        "{}",
        s.summary
    );
    assert_eq!(s.outputs.get("failed").map(String::as_str), Some("false"));
}

/// Every `INPUT_*` the script reads is set by some step of action.yml from an input of that
/// name (`INPUT_FAIL_ON: ${{ inputs.fail-on }}`), and every input reaches the script or a
/// step of its own.
#[test]
fn action_yml_passes_every_input_the_script_reads() {
    let text = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    let docs = Yaml::load_from_str(&text).expect("action.yml is YAML");
    let action = docs.first().expect("one document");
    let inputs: Vec<String> = action
        .as_mapping_get("inputs")
        .and_then(|i| i.as_mapping())
        .expect("inputs")
        .keys()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    let runs = action.as_mapping_get("runs").expect("runs");
    assert_eq!(
        runs.as_mapping_get("using").and_then(|u| u.as_str()),
        Some("composite")
    );
    let steps = runs
        .as_mapping_get("steps")
        .and_then(|s| s.as_sequence())
        .expect("steps");
    let mut passed = BTreeMap::new();
    for s in steps {
        if let Some(env) = s.as_mapping_get("env").and_then(|e| e.as_mapping()) {
            for (k, v) in env {
                passed.insert(
                    k.as_str().expect("env name").to_string(),
                    v.as_str().expect("env value").to_string(),
                );
            }
        }
        if let Some(run) = s.as_mapping_get("run").and_then(|r| r.as_str()) {
            let sub = run.rsplit(' ').next().unwrap_or_default();
            assert!(
                run.contains("$GITHUB_ACTION_PATH/.github/action/run.sh")
                    && ["install", "scan", "gate"].contains(&sub),
                "{run}"
            );
        }
    }
    let script = std::fs::read_to_string(root().join(".github/action/run.sh")).expect("run.sh");
    let read: std::collections::BTreeSet<&str> = script
        .match_indices("${INPUT_")
        .map(|(i, _)| {
            let rest = &script[i + 2..];
            let end = rest
                .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect();
    for var in &read {
        let Some(value) = passed.get(*var) else {
            panic!("run.sh reads {var}, which no step of action.yml sets");
        };
        if *var == "INPUT_FAILED" {
            assert_eq!(value, "${{ steps.scan.outputs.failed }}");
            continue;
        }
        let name = var["INPUT_".len()..].to_lowercase().replace('_', "-");
        assert_eq!(value, &format!("${{{{ inputs.{name} }}}}"), "{var}");
        assert!(inputs.contains(&name), "{var}: no input {name}");
    }
    for input in &inputs {
        let used = passed
            .values()
            .any(|v| v.contains(&format!("inputs.{input} ")))
            || text.contains(&format!("inputs.{input} =="));
        assert!(used, "input {input} is never used");
    }
}

/// The documented action tag (`wandb-sa-lint/wandb-sa-lint@vX.Y.Z`) and pip pin
/// (`wandb-sa-lint==X.Y.Z`) name this version.
#[test]
fn the_documented_action_tag_and_pip_pin_are_this_version() {
    let version = env!("CARGO_PKG_VERSION");
    for doc in ["README.md", "docs/ci.md", "docs/usage.md"] {
        let text = std::fs::read_to_string(root().join(doc)).expect("doc");
        for (marker, end) in [
            ("wandb-sa-lint/wandb-sa-lint@v", ' '),
            ("wandb-sa-lint==", '"'),
        ] {
            for (i, _) in text.match_indices(marker) {
                let rest = &text[i + marker.len()..];
                let named = rest.split([end, '\n']).next().unwrap_or_default();
                assert_eq!(
                    named, version,
                    "{doc} names another release: {marker}{named}"
                );
            }
        }
    }
}
