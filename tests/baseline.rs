//! Baselines: `baseline -o FILE` records the current findings; `--baseline FILE` hides exactly
//! those, reports new ones, survives lines moving, and reports entries that match nothing.

mod common;

use common::audit_org;

use std::path::Path;

use common::{bin, write};
use wandb_sa_lint::rules::fakes::Fakes;

fn run(dir: &Path, args: &[&str]) -> (serde_json::Value, Option<i32>, String) {
    common::parts(
        &bin()
            .current_dir(dir)
            .args(args)
            .args(["--isolated"])
            .output()
            .expect("run"),
    )
}

fn rules_of(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_baseline_hides_exactly_what_it_recorded() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(41);
    let (a, b, c) = (f.v1(), f.hex(40), f.v1());
    write(d, "ci.env", &format!("WANDB_API_KEY={a}\n"));
    write(
        d,
        "train.py",
        &format!("import wandb\nwandb.login(key=\"{b}\")\n"),
    );
    write(d, ".github/workflows/ci.yml", "on: push\njobs:\n  t:\n    runs-on: x\n    env:\n      WANDB_API_KEY: ${{ secrets.K }}\n    steps:\n      - run: python t.py\n");
    let (_, code, stderr) = run(d, &["baseline", ".", "-o", "baseline.json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let text = std::fs::read_to_string(d.join("baseline.json")).expect("written");
    for secret in [&a, &b] {
        assert!(!text.contains(secret.as_str()), "no secret in the baseline");
    }
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 4, "header, four entries, footer:\n{text}");
    let entries: Vec<&str> = lines[1..lines.len() - 1].to_vec();
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(entries, sorted, "entries are sorted");
    assert!(!text.contains("\"line\""), "no line numbers in a baseline");
    let with_baseline = [
        "scan",
        ".",
        "--format",
        "json",
        "--baseline",
        "baseline.json",
    ];

    let (doc, code, _) = run(d, &with_baseline);
    assert_eq!(code, Some(0));
    assert!(rules_of(&doc).is_empty());
    assert_eq!(doc["summary"]["baselined"], 4);

    // Lines move, the file is reformatted: still accepted. A new key is reported.
    write(
        d,
        "train.py",
        &format!("# training entry point\n\nimport wandb\n\n\nwandb.login(key=\"{b}\")\n"),
    );
    write(
        d,
        "ci.env",
        &format!("WANDB_PROJECT=churn\nWANDB_API_KEY={a}\nOTHER_WANDB_API_KEY={c}\n"),
    );
    let (doc, code, _) = run(d, &with_baseline);
    assert_eq!(code, Some(1), "the new key fails the run");
    assert_eq!(
        rules_of(&doc),
        vec![("ci.env".to_string(), "S001".to_string())]
    );
    assert_eq!(doc["summary"]["baselined"], 4);

    // A fixed finding leaves a stale entry, reported so the baseline can shrink.
    write(d, "train.py", "import wandb\nwandb.login()\n");
    let (doc, _, stderr) = run(d, &with_baseline);
    assert_eq!(doc["summary"]["baselined"], 3);
    assert!(
        stderr.contains("entry S001 `train.py`") && stderr.contains("matches no finding any more"),
        "{stderr}"
    );
}

#[test]
fn audit_findings_have_baselines_too() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    audit_org::write(d, 4, 0).expect("org");
    let mut audit = vec!["audit", "--format", "json"];
    audit.extend(audit_org::INPUTS);
    let (full, code, _) = run(d, &audit);
    assert_eq!(code, Some(1));
    // `audit --write-baseline FILE` records the account findings.
    let entries: Vec<String> = full["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["account"].as_str().expect("account").to_string())
        .collect();
    assert_eq!(entries.len(), audit_org::EXPECTED.len());
    let mut record = audit.clone();
    record.extend(["--write-baseline", "accounts.json"]);
    let (_, code, stderr) = run(d, &record);
    assert_eq!(code, Some(0), "{stderr}");
    let mut with_baseline = audit.clone();
    with_baseline.extend(["--baseline", "accounts.json"]);
    let (doc, code, _) = run(d, &with_baseline);
    assert_eq!(code, Some(0));
    assert!(rules_of(&doc).is_empty());
    assert_eq!(doc["summary"]["baselined"], entries.len());
}

#[test]
fn a_broken_baseline_is_an_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(
        d,
        "b.json",
        "{\"version\": 1, \"entries\": [\n{\"rule\": \"S001\"}\n]}\n",
    );
    let (_, code, stderr) = run(d, &["scan", ".", "--baseline", "b.json"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("invalid baseline `b.json`"), "{stderr}");
    let (_, code, stderr) = run(d, &["baseline", "."]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("-o FILE"), "{stderr}");
}

/// A scan's stale-entry warnings: baseline entries and allow entries said to match nothing.
fn stale(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("matches no finding") || l.contains("matched nothing"))
        .map(str::to_string)
        .collect()
}

#[test]
fn only_entries_within_what_was_scanned_are_called_stale() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let mut f = Fakes::new(1603);
    let git = |args: &[&str]| common::git(d, args);
    git(&["init", "-q"]);
    let key = |f: &mut Fakes| format!("import wandb\nwandb.login(key=\"{}\")\n", f.hex(40));
    write(d, "lib/a.py", &key(&mut f));
    write(d, "lib/c.py", &key(&mut f));
    write(d, "lib/fixtures/k.py", &key(&mut f));
    write(d, "src/b.py", &key(&mut f));
    let scan = |cwd: &Path, args: &[&str]| {
        common::parts(
            &bin()
                .current_dir(cwd)
                .args(args)
                .args(["--format", "json", "--no-progress"])
                .output()
                .expect("run"),
        )
    };
    // lib/c.py is allowed by fingerprint, lib/fixtures by path; the rest is baselined.
    let (doc, _, _) = scan(d, &["scan", "--isolated", "lib/c.py"]);
    let fp = doc["findings"][0]["fingerprint"]
        .as_str()
        .expect("fp")
        .to_string();
    write(
        d,
        ".wandb-sa-lint.toml",
        &format!("[[allow]]\nfingerprint = \"{fp}\"\nreason = \"revoked\"\n\n[[allow]]\npath = \"lib/fixtures/**\"\nreason = \"fakes\"\n"),
    );
    write(d, ".gitignore", "baseline.json\n");
    let (_, code, err) = scan(d, &["baseline", "-o", "baseline.json"]);
    assert_eq!(code, Some(0), "{err}");
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    let whole = scan(d, &["scan", "--baseline", "baseline.json"]);
    assert_eq!(whole.1, Some(0), "{}", whole.2);
    assert_eq!(stale(&whole.2), Vec::<String>::new());

    // A sub-path, from the root or from inside it: lib's entries are outside it.
    let (_, code, err) = scan(d, &["scan", "src", "--baseline", "baseline.json"]);
    assert_eq!((code, stale(&err)), (Some(0), vec![]), "{err}");
    let (_, code, err) = scan(&d.join("src"), &["scan", "--baseline", "../baseline.json"]);
    assert_eq!((code, stale(&err)), (Some(0), vec![]), "{err}");
    // The staged change: only the staged file was scanned.
    write(d, "src/new.py", "import wandb\n");
    git(&["add", "src/new.py"]);
    let (_, code, err) = scan(d, &["scan", "--staged", "--baseline", "baseline.json"]);
    assert_eq!((code, stale(&err)), (Some(0), vec![]), "{err}");
    git(&["commit", "-qm", "new"]);
    // A range: the keys before it are outside it.
    let (_, code, err) = scan(
        d,
        &[
            "scan",
            "--history",
            "--range",
            "HEAD~1..HEAD",
            "--baseline",
            "baseline.json",
        ],
    );
    assert_eq!((code, stale(&err)), (Some(0), vec![]), "{err}");
    let (_, code, err) = scan(
        d,
        &[
            "scan",
            "--history",
            "--since",
            "HEAD~1",
            "--baseline",
            "baseline.json",
        ],
    );
    assert_eq!((code, stale(&err)), (Some(0), vec![]), "{err}");

    // Within what was scanned, a gone key's entry is still stale (and only that one).
    write(d, "src/b.py", "import wandb\n");
    let (_, code, err) = scan(d, &["scan", "src", "--baseline", "baseline.json"]);
    let warned = stale(&err);
    assert_eq!(code, Some(0));
    assert_eq!(warned.len(), 1, "{err}");
    assert!(warned[0].contains("src/b.py"), "{err}");
    // A path entry whose every file lies in the scanned folder is judged there.
    write(d, "lib/fixtures/k.py", "import wandb\n");
    let (_, _, err) = scan(d, &["scan", "lib", "--baseline", "baseline.json"]);
    let warned = stale(&err);
    assert!(
        warned.iter().any(|l| l.contains("path `lib/fixtures/**`")),
        "{err}"
    );
    assert!(!warned.iter().any(|l| l.contains("fingerprint")), "{err}");
    // The whole scan still judges the allow entries.
    write(d, "lib/c.py", "import wandb\n");
    let (_, _, err) = scan(d, &["scan", "--baseline", "baseline.json"]);
    assert!(
        stale(&err)
            .iter()
            .any(|l| l.contains(&format!("fingerprint {fp}"))),
        "{err}"
    );
}

/// Entries about rules that did not run are not called stale: a registry rule without
/// `--registry`, a configuration rule in a history scan.
#[test]
fn entries_about_rules_that_did_not_run_are_not_called_stale() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    common::git(d, &["init", "-q"]);
    write(
        d,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    env:\n      WANDB_API_KEY: ${{ secrets.WANDB_API_KEY }}\n    steps:\n      - run: wandb login\n",
    );
    write(
        d,
        "lint.toml",
        "[[allow]]\npath = \".github/workflows/ci.yml\"\nrules = [\"C101\"]\nreason = \"entity checked elsewhere\"\n\n[[allow]]\npath = \".github/workflows/ci.yml\"\nrules = [\"C007\"]\nreason = \"a rule that runs and matches nothing here\"\n",
    );
    common::git(d, &["add", "-A"]);
    common::git(d, &["commit", "-qm", "one"]);
    let scan = |args: &[&str]| {
        let out = bin()
            .current_dir(d)
            .args(args)
            .args(["--isolated", "--config", "lint.toml", "--format", "json"])
            .output()
            .expect("scan");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The registry rule C101 did not run (no --registry): its entry is not judged. The C007
    // entry is, and matched nothing.
    let (out, err) = scan(&["scan", "."]);
    assert!(out.contains("\"C001\""), "the fixture has a C001: {out}");
    let warned = stale(&err);
    assert_eq!(warned.len(), 1, "{err}");
    assert!(warned.iter().all(|w| w.contains("lint.toml:6")), "{err}");
    // A baseline recorded by a worktree scan holds the C001 entry; a history scan runs no
    // configuration rule, so it cannot call that entry (or the C007 allow) stale.
    let out = bin()
        .current_dir(d)
        .args([
            "baseline",
            "--isolated",
            "--config",
            "lint.toml",
            "-o",
            "bl.json",
            ".",
        ])
        .output()
        .expect("baseline");
    assert!(out.status.success(), "{out:?}");
    let (_, err) = scan(&["scan", "--history", "--baseline", "bl.json", "."]);
    assert!(
        stale(&err).is_empty(),
        "history called entries stale: {err}"
    );
}
