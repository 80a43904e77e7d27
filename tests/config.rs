//! Configuration rules end to end: parse errors, alias bombs, cross-file settlement (GitLab
//! includes, `wandb/settings`, compose env files, shared secrets), one finding per location,
//! the registry rules, and the terminal rendering of C001 for every format.

mod common;
use common::*;

use std::path::Path;

use wandb_sa_lint::rules::fakes::Fakes;

fn scan_dir(dir: &Path, extra: &[&str]) -> (serde_json::Value, Option<i32>, String) {
    let out = bin()
        .args(["scan", "--isolated", "--format", "json"])
        .args(extra)
        .arg(dir)
        .output()
        .expect("run");
    (
        json(&out),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `rule path:line` of every configuration finding, paths relative to `dir`.
fn config_findings(doc: &serde_json::Value, dir: &Path) -> Vec<String> {
    let prefix = format!("{}/", dir.display());
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "config")
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap_or(""),
                f["path"].as_str().unwrap_or("").trim_start_matches(&prefix),
                f["line"]
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn broken_yaml_is_noted_and_its_secrets_still_found() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let key = Fakes::new(41).v1();
    write(
        d,
        ".github/workflows/train.yml",
        &format!("on: push\njobs:\n  train:\n    env:\n      WANDB_API_KEY: {key}\n    steps: [\n"),
    );
    write(
        d,
        ".github/workflows/eval.yml",
        "on: push\njobs:\n  eval:\n    env:\n      WANDB_API_KEY: ${{ secrets.K }}\n    steps:\n      - run: python eval.py\n",
    );
    let (doc, code, _) = scan_dir(d, &[]);
    assert_eq!(code, Some(1));
    let errors = doc["errors"].as_array().expect("errors");
    let note = errors
        .iter()
        .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with("train.yml")))
        .expect("a note about the broken file");
    // A warning, not a note: the file names `WANDB_API_KEY` (issue 21; tests/unreadable_config.rs).
    assert_eq!(note["level"], "warning");
    let message = note["message"].as_str().unwrap_or("");
    assert!(
        message.contains("cannot read") && message.contains("YAML") && message.contains("line 7"),
        "{message}"
    );
    // The secret rule ran on its text; the other file was checked.
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"S001"), "{rules:?}");
    assert_eq!(
        config_findings(&doc, d),
        vec!["C001 .github/workflows/eval.yml:5"]
    );
}

#[test]
fn an_alias_bomb_is_refused_quickly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut text = String::from("a0: &a0 [WANDB_API_KEY, WANDB_API_KEY, WANDB_API_KEY, WANDB_API_KEY, WANDB_API_KEY, WANDB_API_KEY, WANDB_API_KEY, WANDB_API_KEY, WANDB_API_KEY]\n");
    for i in 1..=12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    write(d, "k8s/bomb.yaml", &text);
    write(d, "chart/values.yaml", &text);
    let (doc, code, _) = scan_dir(d, &[]);
    // 9^13 nodes if expanded; the loader's alias budget stops it and the run goes on.
    assert_eq!(code, Some(0));
    let notes = doc["errors"].to_string();
    assert!(
        notes.contains("bomb.yaml") && notes.contains("values.yaml"),
        "{notes}"
    );
}

#[test]
fn gitlab_includes_settings_files_and_env_files_settle_across_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    // A local include with a name of no known format is read as GitLab CI.
    write(
        d,
        ".gitlab-ci.yml",
        "include:\n  - local: ci/jobs.yml\nvariables:\n  WANDB_PROJECT: p\n",
    );
    write(
        d,
        "ci/jobs.yml",
        "train:\n  variables:\n    WANDB_API_KEY: $WANDB_TRAIN\n  script: [python train.py]\n",
    );
    // wandb/settings sets the entity for its directory and below.
    write(d, "team-a/wandb/settings", "[default]\nentity = ml-team\n");
    write(
        d,
        "team-a/jobs/train.sh",
        "#!/bin/sh\nwandb login \"$KEY\"\npython train.py\n",
    );
    write(
        d,
        "team-b/train.sh",
        "#!/bin/sh\nwandb login \"$KEY\"\npython train.py\n",
    );
    // compose env_file: read when it is here, unknown (a note) when it is not.
    write(d, "svc/.env.wandb", "WANDB_ENTITY=ml-team\n");
    write(
        d,
        "svc/compose.yaml",
        "services:\n  known:\n    env_file: .env.wandb\n    environment:\n      WANDB_API_KEY: ${KEY_KNOWN}\n  unknown:\n    env_file: /etc/secrets/wandb.env\n    environment:\n      WANDB_API_KEY: ${KEY_UNKNOWN}\n",
    );
    let (doc, _, _) = scan_dir(d, &[]);
    assert_eq!(
        config_findings(&doc, d),
        vec!["C001 ci/jobs.yml:3", "C001 team-b/train.sh:2"]
    );
    let notes = doc["errors"].to_string();
    assert!(
        notes.contains("service `unknown`") && notes.contains("could not be completed"),
        "{notes}"
    );
}

#[test]
fn one_secret_for_scheduled_and_push_workflows_is_shared_use() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let wf = |on: &str, secret: &str| {
        format!("on: {on}\nenv:\n  WANDB_ENTITY: ml-team\njobs:\n  run:\n    runs-on: ubuntu-latest\n    env:\n      WANDB_API_KEY: ${{{{ secrets.{secret} }}}}\n    steps:\n      - run: python job.py\n")
    };
    write(
        d,
        ".github/workflows/nightly.yml",
        &wf("\n  schedule:\n    - cron: '0 3 * * *'", "WANDB_SHARED"),
    );
    write(
        d,
        ".github/workflows/ci.yml",
        &wf("[push, pull_request]", "WANDB_SHARED"),
    );
    write(
        d,
        ".github/workflows/release.yml",
        &wf("push", "WANDB_RELEASE"),
    );
    let (doc, _, _) = scan_dir(d, &[]);
    assert_eq!(
        config_findings(&doc, d),
        vec![
            "C005 .github/workflows/ci.yml:8",
            "C005 .github/workflows/nightly.yml:10"
        ]
    );
    let f = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "C005")
        .expect("C005");
    assert!(f["help"]
        .as_str()
        .is_some_and(|h| h.contains("nightly.yml") && h.contains("ci.yml")));
}

#[test]
fn a_literal_key_in_config_is_one_finding() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let key = Fakes::new(42).v1();
    write(
        d,
        "k8s/job.yaml",
        &format!("apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          env:\n            - name: WANDB_ENTITY\n              value: ml-team\n            - name: WANDB_API_KEY\n              value: {key}\n"),
    );
    let (doc, _, _) = scan_dir(d, &[]);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "S001");
    assert!(findings[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("also C002")));
    // With S001 off, C002 reports the literal itself.
    let off = d.join("off.toml");
    std::fs::write(&off, "[rules]\nS001 = \"off\"\n").expect("write");
    let out = bin()
        .args(["scan", "--format", "json", "--config"])
        .arg(&off)
        .arg(d.join("k8s"))
        .output()
        .expect("run");
    let doc = json(&out);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, vec!["C002"]);
    assert_no_secret(&String::from_utf8_lossy(&out.stdout), &[key], "json");
}

const REGISTRY: &str = "organization: acme\nteams:\n  ml-team:\n    members: [alice@acme.com, bob@acme.com]\n    projects:\n      sensitive-eval: {visibility: restricted, members: [prod-inference-monitor]}\n  research:\n    members: [dan@acme.com]\n    projects:\n      papers: {visibility: team}\nservice_accounts:\n  - name: ci-model-training\n    scope: team\n    team: ml-team\n    auth: api-key\n    purpose: Log training runs from CI\n    owner: ml-platform@acme.com\n    used_by: [\".github/workflows/train.yml\", \"secrets.WANDB_CI_TRAINING_KEY\"]\n";

#[test]
fn registry_rules_and_registry_problems() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "registry.yaml", REGISTRY);
    write(
        d,
        ".github/workflows/train.yml",
        "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    env:\n      WANDB_API_KEY: ${{ secrets.WANDB_CI_TRAINING_KEY }}\n      WANDB_ENTITY: research\n      WANDB_PROJECT: papers\n      WANDB_USER_EMAIL: carol@acme.com\n    steps:\n      - run: python train.py\n",
    );
    write(
        d,
        ".github/workflows/adhoc.yml",
        "on: workflow_dispatch\njobs:\n  adhoc:\n    runs-on: ubuntu-latest\n    env:\n      WANDB_API_KEY: ${{ secrets.SOMEONES_KEY }}\n      WANDB_ENTITY: ml-teem\n    steps:\n      - run: python adhoc.py\n",
    );
    let reg = d.join("registry.yaml");
    let (doc, _, _) = scan_dir(d, &["--registry", reg.to_str().expect("utf8")]);
    assert_eq!(
        config_findings(&doc, d),
        vec![
            "C101 .github/workflows/adhoc.yml:7",
            "C102 .github/workflows/train.yml:9",
            "C103 .github/workflows/train.yml:8",
            "C104 .github/workflows/adhoc.yml:6",
        ]
    );
    // Without the registry the registry rules are silent.
    let (doc, _, _) = scan_dir(d, &[]);
    assert!(config_findings(&doc, d)
        .iter()
        .all(|f| !f.starts_with("C10")));
    // A broken registry: every problem at its line, exit 2.
    write(
        d,
        "bad.yaml",
        "teams:\n  ml: {members: [a@x.com], colour: red}\nservice_accounts:\n  - name: a\n    scope: galaxy\n  - scope: team\n",
    );
    let out = bin()
        .args(["scan", "--isolated", "--registry"])
        .arg(d.join("bad.yaml"))
        .arg(d)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "unknown key `colour`",
        "`scope` must be team or organization",
        "needs a `name`",
        "3 problems in registry",
    ] {
        assert!(err.contains(want), "{want} missing in {err}");
    }
    for line in ["bad.yaml:2:", "bad.yaml:5:", "bad.yaml:6:"] {
        assert!(err.contains(line), "{line} missing in {err}");
    }
}

#[test]
fn c001_renders_for_every_format() {
    let cases: &[(&str, &str, &str)] = &[
        ("github", ".github/workflows/train.yml", "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    env:\n      WANDB_API_KEY: ${{ secrets.WANDB_TRAIN }}\n    steps:\n      - run: python train.py\n"),
        ("gitlab", ".gitlab-ci.yml", ".wandb: &wandb\n  WANDB_API_KEY: $WANDB_TRAIN\ntrain:\n  variables:\n    <<: *wandb\n  script: [python train.py]\n"),
        ("kubernetes", "k8s/cronjob.yaml", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly-retrain}\nspec:\n  schedule: '0 2 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: retrain\n              env:\n                - name: WANDB_API_KEY\n                  valueFrom:\n                    secretKeyRef: {name: wandb, key: api-key}\n"),
        ("compose", "docker-compose.yml", "services:\n  trainer:\n    environment:\n      - WANDB_API_KEY\n      - WANDB_PROJECT=forecast\n"),
        ("dockerfile", "Dockerfile", "FROM python:3.11-slim AS train\nRUN pip install wandb\nCMD wandb login \"$WANDB_API_KEY\" && python train.py\n"),
        ("jenkins", "Jenkinsfile", "pipeline {\n  agent any\n  stages {\n    stage('Train') {\n      environment {\n        WANDB_API_KEY = credentials('wandb-ci')\n      }\n      steps { sh 'python train.py' }\n    }\n  }\n}\n"),
        ("airflow", "dags/retrain.py", "retrain = KubernetesPodOperator(\n    task_id=\"retrain\",\n    env_vars={\"WANDB_API_KEY\": Variable.get(\"wandb_key\")},\n)\n"),
        ("dotenv", "deploy/.env", "WANDB_API_KEY=${WANDB_KEY_FROM_VAULT}\nWANDB_PROJECT=forecast\n"),
        ("shell", "scripts/train.sh", "#!/bin/sh\nset -e\nwandb login \"$WANDB_API_KEY\"\npython train.py\n"),
    ];
    for (name, path, content) in cases {
        let tmp = tempfile::tempdir().expect("tmp");
        write(tmp.path(), path, content);
        let out = bin()
            .args([
                "scan",
                "--isolated",
                "--color",
                "never",
                "--fail-on",
                "never",
                ".",
            ])
            .current_dir(tmp.path())
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(text.contains("C001/missing-wandb-entity"), "{name}: {text}");
        insta::assert_snapshot!(format!("c001_{name}"), text);
    }
}

#[test]
fn readers_and_checks_never_panic_on_mangled_input() {
    use wandb_sa_lint::formats::{self, Format};
    let samples: &[(Format, &str)] = &[
        (Format::GithubWorkflow, "on: push\nenv:\n  WANDB_ENTITY: é\njobs:\n  t:\n    env: {WANDB_API_KEY: \"${{ secrets.K }}\"}\n    steps:\n      - run: |\n          wandb login ü$K\n          echo $WANDB_API_KEY\n"),
        (Format::GitlabCi, ".a: &a\n  variables: {WANDB_API_KEY: 'x'}\nj:\n  extends: [.a, .a]\n  <<: *a\n  script: [\"WANDB_API_KEY=lit cmd\"]\ninclude: [{local: x.yml}]\n"),
        (Format::Kubernetes, "kind: List\nitems:\n  - kind: Pod\n    metadata: {name: p}\n    spec:\n      containers:\n        - name: c\n          env: [{name: WANDB_API_KEY, valueFrom: {secretKeyRef: {name: s, key: k}}}]\n          envFrom: [{secretRef: {name: s}}]\n"),
        (Format::Compose, "services:\n  s:\n    environment: [\"WANDB_API_KEY\", \"WANDB_ENTITY=ñ\"]\n    env_file: [{path: a.env}]\n"),
        (Format::Dockerfile, "FROM a AS b\nARG WANDB_API_KEY=\"q\\\"é\nENV WANDB_API_KEY x \\\n  y\nRUN echo \"machine api.wandb.ai\" >> ~/.netrc \\\n"),
        (Format::Jenkinsfile, "pipeline { environment { WANDB_API_KEY = credentials('k') }\n stages { stage('é') { steps { withCredentials([string(credentialsId: 'a', variable: 'WANDB_API_KEY')]) { sh '''echo $WANDB_API_KEY''' } } } } }\n"),
        (Format::Python, "op = KubernetesPodOperator(task_id=\"t\", env_vars={\"WANDB_API_KEY\": Variable.get(\"k\"), \"WANDB_ENTITY\": \"é\"}, secrets=[Secret(\"env\", \"WANDB_API_KEY\", \"s\", \"k\")])\nprint(os.environ[\"WANDB_API_KEY\"])\n"),
        (Format::DotEnv, "export WANDB_API_KEY='é'\nWANDB_INSECURE_DISABLE_SSL=true\n"),
        (Format::Shell, "WANDB_API_KEY=abc python x.py\nwandb login --relogin 'abcdefgh123'\nenv\n"),
        (Format::WandbSettings, "[default]\nentity = é\n"),
    ];
    let mut runs = 0;
    for (format, text) in samples {
        let cuts: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for &cut in &cuts {
            // Every prefix, and the text with a multi-byte character spliced in.
            let prefix = &text[..cut];
            let spliced = format!("{}ß\u{2028}{}", &text[..cut], &text[cut..]);
            for t in [prefix, spliced.as_str()] {
                let doc = formats::read(*format, t, &wandb_sa_lint::yaml::Limits::default());
                let _ = wandb_sa_lint::checks::check(*format, &doc);
                for scope in &doc.scopes {
                    for v in &scope.vars {
                        assert!(
                            t.get(v.name_span.clone()).is_some(),
                            "{format:?}: name span off a char boundary in {t:?}"
                        );
                    }
                }
                runs += 1;
            }
        }
    }
    assert!(runs > 1000);
}

/// `(path, line, rule)` expected by the `wsl-expect:` / `wsl-expect-next:` annotations of
/// every file under `dir` (see `fixtures/config/README.md`).
fn annotations(dir: &Path) -> std::collections::BTreeSet<(String, usize, String)> {
    let mut out = std::collections::BTreeSet::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !entry.file_type().is_file() || entry.file_name() == "README.md" {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .expect("under dir")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            for (marker, offset) in [("wsl-expect-next:", 2), ("wsl-expect:", 1)] {
                if let Some(pos) = line.find(marker) {
                    let rules = &line[pos + marker.len()..];
                    for r in rules.split(|c: char| c == ',' || c.is_whitespace()) {
                        if r.len() == 4 && r.starts_with('C') {
                            out.insert((rel.clone(), i + offset, r.to_string()));
                        }
                    }
                    break;
                }
            }
        }
    }
    out
}

#[test]
fn config_fixtures_findings_are_exact() {
    let dir = root().join("fixtures/config");
    let want = annotations(&dir);
    let out = bin()
        .args(["scan", "--isolated", "--format", "json", "fixtures/config"])
        .output()
        .expect("run");
    let doc = json(&out);
    let findings = doc["findings"].as_array().expect("findings");
    assert!(
        findings.iter().all(|f| f["kind"] == "config"),
        "fixtures hold no keys"
    );
    let got: std::collections::BTreeSet<(String, usize, String)> = findings
        .iter()
        .map(|f| {
            (
                f["path"]
                    .as_str()
                    .unwrap_or("")
                    .trim_start_matches("fixtures/config/")
                    .to_string(),
                f["line"].as_u64().unwrap_or(0) as usize,
                f["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let missed: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:#?}\nextra {extra:#?}"
    );
    // A workflow- or pipeline-level key reaching two scopes without an entity: one finding
    // per scope, each naming its scope.
    for (path, line, scopes) in [
        (
            ".github/workflows/train.yml",
            10,
            ["job `evaluate`", "job `report`"],
        ),
        (
            "training/Jenkinsfile",
            6,
            ["stage `Install`", "stage `Fairness`"],
        ),
    ] {
        let here: Vec<&str> = findings
            .iter()
            .filter(|f| {
                f["rule"] == "C001"
                    && f["line"] == line
                    && f["path"].as_str().is_some_and(|p| p.ends_with(path))
            })
            .filter_map(|f| f["message"].as_str())
            .collect();
        assert_eq!(here.len(), 2, "{path}:{line}: {here:#?}");
        for s in scopes {
            assert!(
                here.iter().any(|m| m.starts_with(s)),
                "{path}:{line}: no finding for {s}"
            );
        }
    }
    // Every rule fires somewhere, every format has files that fire and files that must not.
    for rule in [
        "C001", "C002", "C003", "C004", "C005", "C006", "C007", "C008", "C009",
    ] {
        assert!(
            want.iter().any(|(_, _, r)| r == rule),
            "{rule} never expected"
        );
    }
    for format in std::fs::read_dir(&dir).expect("dir").flatten() {
        if !format.path().is_dir() {
            continue;
        }
        let name = format.file_name().to_string_lossy().to_string();
        for side in ["bad", "good"] {
            let files = walkdir::WalkDir::new(format.path().join(side))
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
                .count();
            assert!(files > 0, "{name}/{side} is empty");
        }
        assert!(
            want.iter()
                .any(|(p, _, _)| p.starts_with(&format!("{name}/bad/"))),
            "{name}: nothing expected to fire"
        );
        assert!(
            !got.iter()
                .any(|(p, _, _)| p.starts_with(&format!("{name}/good/"))),
            "{name}: a good file fires"
        );
    }
}

#[test]
fn a_broken_notebook_is_named_and_its_text_still_scanned() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let key = Fakes::new(43).v1();
    // A cell cut off mid-way (a bad merge): not JSON any more.
    write(
        d,
        "notebooks/train.ipynb",
        &format!(
            "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"import wandb\\n\",\n    \"wandb.login(key=\\\"{key}\\\")\\n\"\n<<<<<<< HEAD\n"
        ),
    );
    // A valid notebook next to it: no word about it.
    write(
        d,
        "notebooks/eval.ipynb",
        "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"import wandb\\n\"]}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}\n",
    );
    let (doc, code, stderr) = scan_dir(d, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let errors = doc["errors"].as_array().expect("errors");
    let about: Vec<_> = errors
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.ends_with(".ipynb")))
        .collect();
    assert_eq!(about.len(), 1, "{errors:#?}");
    let note = about[0];
    assert!(
        note["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("notebooks/train.ipynb")),
        "{note}"
    );
    assert_eq!(note["level"], "warning");
    let message = note["message"].as_str().unwrap_or("");
    assert!(
        message.contains("notebooks/train.ipynb")
            && message.contains("not valid JSON")
            && message.contains("line 8"),
        "{message}"
    );
    // The key in its text is still found, and shown on stderr without -v.
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"S001"), "{rules:?}");
    assert!(stderr.contains("notebooks/train.ipynb"), "{stderr}");
}

/// C001 follows a step's command to the repository file it runs (`python x.py`, `-m pkg`, a
/// wrapper script), from the working directory the workflow sets; a file outside the scanned
/// repository, absent, or behind an unresolvable directory is not read and C001 still fires.
#[test]
fn c001_follows_commands_to_the_scripts_they_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let repo = d.join("repo");
    let passes = "import wandb\nwandb.init(entity=\"acme-ml\", project=\"p\")\n";
    write(d, "outside.py", passes);
    write(&repo, "tools/run.py", passes);
    write(&repo, "ml/finetune.py", passes);
    write(
        &repo,
        "ml/eval.py",
        "import wandb\nwandb.init(project=\"p\")\n",
    );
    write(
        &repo,
        "scripts/env.sh",
        "#!/bin/sh\nexport WANDB_ENTITY=acme-ml\nexec python ml/eval.py\n",
    );
    let job = |name: &str, extra: &str, run: &str| {
        format!("  {name}:\n    runs-on: ubuntu-latest\n{extra}    env:\n      WANDB_API_KEY: ${{{{ secrets.K_{name} }}}}\n    steps:\n      - run: {run}\n")
    };
    let mut wf = String::from("on: push\njobs:\n");
    wf.push_str(&job("outside", "", "python ../outside.py"));
    wf.push_str(&job(
        "absolute",
        "",
        &format!("python {}", d.join("outside.py").display()),
    ));
    wf.push_str(&job(
        "workdir",
        "    defaults:\n      run:\n        working-directory: tools\n",
        "python run.py",
    ));
    wf.push_str(&job("cd", "", "cd ml && python finetune.py"));
    wf.push_str(&job(
        "expression",
        "    defaults:\n      run:\n        working-directory: ${{ inputs.dir }}\n",
        "python run.py",
    ));
    wf.push_str(&job("exports", "", "sh scripts/env.sh"));
    wf.push_str(&job("eval", "", "uv run --frozen python ml/eval.py"));
    // A symlink that leads out of the repository is not followed: a note says so.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.join("outside.py"), repo.join("link.py")).expect("symlink");
        wf.push_str(&job("symlink", "", "python link.py"));
    }
    write(&repo, ".github/workflows/train.yml", &wf);
    let (doc, _, _) = scan_dir(&repo, &[]);
    #[cfg(unix)]
    {
        let notes = doc["errors"].to_string();
        assert!(
            notes.contains("script run in")
                && notes.contains("link.py")
                && notes.contains("symlink"),
            "{notes}"
        );
    }
    let fired: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "C001")
        .filter_map(|f| f["message"].as_str())
        .collect();
    let mut want = vec!["outside", "absolute", "expression", "eval"];
    if cfg!(unix) {
        want.push("symlink");
    }
    for job in &want {
        assert!(
            fired.iter().any(|m| m.starts_with(&format!("job `{job}`"))),
            "{job}: {fired:#?}"
        );
    }
    assert_eq!(fired.len(), want.len(), "{fired:#?}");
}

/// With `--staged`, the script is the staged one, not the working-tree copy.
#[test]
fn c001_reads_the_staged_script() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    git(d, &["init", "-q"]);
    write(
        d,
        ".github/workflows/train.yml",
        "on: push\njobs:\n  train:\n    env:\n      WANDB_API_KEY: ${{ secrets.K }}\n    steps:\n      - run: python train.py\n",
    );
    write(d, "train.py", "import wandb\nwandb.init(project=\"p\")\n");
    git(d, &["add", "."]);
    // Only the working-tree copy passes the entity.
    write(
        d,
        "train.py",
        "import wandb\nwandb.init(entity=\"acme-ml\", project=\"p\")\n",
    );
    let out = bin()
        .args(["scan", "--staged", "--isolated", "--format", "json"])
        .current_dir(d)
        .output()
        .expect("run");
    let doc = json(&out);
    assert_eq!(
        config_findings(&doc, d),
        vec!["C001 .github/workflows/train.yml:5"]
    );
    let (doc, _, _) = scan_dir(d, &[]);
    assert!(config_findings(&doc, d).is_empty(), "{doc}");
    git(d, &["add", "."]);
    let out = bin()
        .args(["scan", "--staged", "--isolated", "--format", "json"])
        .current_dir(d)
        .output()
        .expect("run");
    assert!(config_findings(&json(&out), d).is_empty());
}
