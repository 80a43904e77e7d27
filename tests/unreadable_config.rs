//! A configuration file that names W&B variables but cannot be read (issue 21 item 3): a
//! warning the summary counts; under `unreadable-wandb-config = "fail"`, and by default in CI
//! mode (`--no-weaken`, `--config-from`), an error that fails the run with exit 2; setting
//! `warn` in the working tree is a weakening CI mode refuses. And the Kubernetes Job whose
//! flow sequence closes at its key's column (refused by the YAML reader before) is read.

mod common;
use common::*;

use std::path::Path;

/// A Job whose YAML nobody reads (an unclosed flow mapping), naming two W&B variables.
const BROKEN: &str = "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - name: trainer\n          env:\n            - name: WANDB_API_KEY\n              valueFrom: {secretKeyRef: {name: wandb, key: api-key}\n            - name: WANDB_PROJECT\n              value: demo\n";

/// Runs the binary in `dir`; returns (exit code, stdout and stderr together).
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = bin()
        .args(args)
        .arg("--no-progress")
        .current_dir(dir)
        .output()
        .expect("run");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    for (path, text) in files {
        write(tmp.path(), path, text);
    }
    tmp
}

const SUMMARY: &str = "not checked: 1 configuration file naming W&B variables could not be read";

#[test]
fn an_unreadable_wandb_config_is_a_warning_the_summary_counts() {
    let t = tree(&[("k8s/job.yaml", BROKEN)]);
    let (code, out) = run(t.path(), &["scan", ".", "--isolated"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("warning: cannot read `k8s/job.yaml` as YAML:")
            && out.contains("(line 11, column 13)")
            && out.contains("configuration rules skipped")
            && out.contains("it names W&B variables (`WANDB_API_KEY`, `WANDB_PROJECT`)"),
        "{out}"
    );
    assert!(out.contains(SUMMARY), "{out}");
    // In JSON too.
    let out = bin()
        .args([
            "scan",
            ".",
            "--isolated",
            "--format",
            "json",
            "--no-progress",
        ])
        .current_dir(t.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["summary"]["unreadable_wandb_configs"], 1, "{doc}");
    // A file naming no W&B variable is no warning.
    let t = tree(&[("k8s/job.yaml", &BROKEN.replace("WANDB_", "OTHER_"))]);
    let (code, out) = run(t.path(), &["scan", ".", "--isolated", "-v"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        !out.contains("warning:") && !out.contains("not checked:"),
        "{out}"
    );
}

#[test]
fn it_fails_the_run_when_asked_and_by_default_in_ci_mode() {
    let fail = "unreadable-wandb-config = \"fail\"\n";
    let t = tree(&[("k8s/job.yaml", BROKEN), (".wandb-sa-lint.toml", fail)]);
    let (code, out) = run(t.path(), &["scan", "."]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("error: cannot read `k8s/job.yaml` as YAML:"),
        "{out}"
    );
    assert!(out.contains("the run fails"), "{out}");
    assert!(out.contains(SUMMARY), "{out}");
    // CI mode: fails with no configuration at all, and shows it in --show-config.
    let t = tree(&[("k8s/job.yaml", BROKEN)]);
    let (code, out) = run(t.path(), &["scan", ".", "--no-weaken"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("error: cannot read `k8s/job.yaml`"), "{out}");
    let (_, shown) = run(t.path(), &["--show-config", "--no-weaken"]);
    assert!(
        shown.contains("unreadable-wandb-config = \"fail\""),
        "{shown}"
    );
    let (_, shown) = run(t.path(), &["--show-config"]);
    assert!(
        shown.contains("unreadable-wandb-config = \"auto\""),
        "{shown}"
    );
    // A plain run with `warn` or the default passes with the warning.
    let warn = "unreadable-wandb-config = \"warn\"\n";
    let t = tree(&[("k8s/job.yaml", BROKEN), (".wandb-sa-lint.toml", warn)]);
    let (code, out) = run(t.path(), &["scan", "."]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("warning: cannot read"), "{out}");
    // ... but CI mode refuses `warn` as a weakening of the defaults.
    let (code, out) = run(t.path(), &["scan", ".", "--no-weaken"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("`unreadable-wandb-config` is `warn` (base: `auto`)"),
        "{out}"
    );
    // An unknown value points at the key.
    let t = tree(&[(
        ".wandb-sa-lint.toml",
        "unreadable-wandb-config = \"maybe\"\n",
    )]);
    let (code, out) = run(t.path(), &["scan", "."]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("`unreadable-wandb-config` must be auto") && out.contains("unknown value"),
        "{out}"
    );
}

/// The example: the Job is read, and its missing entity is found (C001), where the
/// whole file used to be skipped with one note.
#[test]
fn a_flow_sequence_closed_at_its_keys_column_is_read() {
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\nspec:\n  template:\n    spec:\n      containers:\n        - name: trainer\n          image: ghcr.io/example/train:1.0\n          args: [\n            \"configs/train.yml\", \"/mnt/out\"\n          ]\n          env:\n            - name: WANDB_API_KEY\n              valueFrom:\n                secretKeyRef: {name: wandb, key: api-key}\n      restartPolicy: Never\n";
    let t = tree(&[("k8s/job.yaml", job)]);
    let (code, out) = run(t.path(), &["scan", ".", "--isolated", "-v"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("C001/missing-wandb-entity"), "{out}");
    assert!(out.contains("k8s/job.yaml:15:21"), "{out}");
    assert!(!out.contains("cannot read"), "{out}");
}

/// A Helm template that is still not YAML once its directives are set aside is reported like
/// any unreadable file naming W&B variables (a warning; a failure in CI mode), not skipped.
#[test]
fn an_unreadable_helm_template_is_not_skipped() {
    let template = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: t\n          env:\n            - name: WANDB_API_KEY\n             value: x\n";
    let t = tree(&[
        ("chart/Chart.yaml", "apiVersion: v2\nname: c\n"),
        ("chart/templates/job.yaml", template),
    ]);
    let (code, out) = run(t.path(), &["scan", ".", "--isolated"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("warning: cannot read `chart/templates/job.yaml` as YAML:")
            && out.contains(SUMMARY),
        "{out}"
    );
    let (code, out) = run(t.path(), &["scan", ".", "--isolated", "--no-weaken"]);
    assert_eq!(code, Some(2), "{out}");
}
