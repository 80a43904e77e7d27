//! Accuracy on fixture trees written before the detector (every planted key found at its exact
//! line and column, nothing else), and the redaction guarantee over every output format.

mod common;
use common::*;

const TREES: &[&str] = &["demo-repo", "contexts", "holdout"];

fn check_tree(name: &str) {
    let dir = format!("fixtures/{name}");
    let want = expected(name);
    assert!(!want.is_empty(), "{name}: no expectations");
    let (mut doc, out) = scan_json(&dir);
    assert_eq!(out.status.code(), Some(1), "{name}: findings exit 1");
    // These trees measure the secret rules; configuration findings are tested elsewhere.
    secret_findings_only(&mut doc);
    let got = found(&doc, &dir);
    let want_set: std::collections::BTreeSet<_> = want
        .iter()
        .map(|e| (e.path.clone(), e.line, e.column, e.rule.clone()))
        .collect();
    let missed: Vec<_> = want_set.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want_set).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{name}: missed {missed:#?}\nextra {extra:#?}"
    );
    // Shapes agree too (the expectation's `jwt` is S002's JWT or token-cache shape).
    for f in doc["findings"].as_array().expect("findings") {
        let path = f["path"]
            .as_str()
            .expect("path")
            .trim_start_matches(&format!("{dir}/"))
            .to_string();
        let line = f["line"].as_u64().expect("line") as usize;
        let column = f["column"].as_u64().expect("column") as usize;
        let e = want
            .iter()
            .find(|e| e.path == path && e.line == line && e.column == column)
            .expect("matched above");
        let shape = f["shape"].as_str().expect("shape");
        let ok = shape == e.shape || (e.shape == "jwt" && shape == "access-token");
        assert!(
            ok,
            "{name}: {path}:{line}:{column} has shape {shape}, expected {}",
            e.shape
        );
        assert_eq!(f["fingerprint"].as_str().map(str::len), Some(32));
        assert!(f["url"].as_str().is_some_and(|u| u.starts_with("https://")));
        assert!(f["help"].as_str().is_some_and(|h| !h.is_empty()));
        assert!(f["end_column"].as_u64() > Some(0));
    }
    let summary = &doc["summary"];
    assert!(summary["files_scanned"].as_u64() > Some(0));
    let errors = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(errors, want.len());
}

/// Drops every finding that is not of a secret rule.
fn secret_findings_only(doc: &mut serde_json::Value) {
    if let Some(list) = doc["findings"].as_array_mut() {
        list.retain(|f| f["kind"] == "secret");
    }
}

#[test]
fn demo_repo_findings_are_exact() {
    check_tree("demo-repo");
}

#[test]
fn context_fixtures_findings_are_exact() {
    check_tree("contexts");
}

#[test]
fn holdout_findings_are_exact() {
    check_tree("holdout");
}

#[test]
fn good_context_files_are_silent() {
    let (mut doc, out) = scan_json("fixtures/contexts");
    assert!(out.status.code().is_some());
    secret_findings_only(&mut doc);
    for f in doc["findings"].as_array().expect("findings") {
        let p = f["path"].as_str().expect("path");
        assert!(
            !p.contains("/good/"),
            "finding in a good file: {p}:{}",
            f["line"]
        );
    }
    let dirs = std::fs::read_dir(root().join("fixtures/contexts"))
        .expect("contexts")
        .count();
    assert!(dirs >= 20, "every context has a folder: {dirs}");
}

#[test]
fn no_output_format_holds_a_planted_key() {
    for name in TREES {
        let dir = format!("fixtures/{name}");
        let keys = planted_keys(&dir, &expected(name));
        for format in ["human", "json", "sarif", "junit", "gitlab", "github"] {
            for extra in [&[][..], &["--verbose"][..], &["--color", "always"][..]] {
                let out = bin()
                    .args(["scan", &dir, "--isolated", "--format", format])
                    .args(extra)
                    .output()
                    .expect("run");
                let stdout = String::from_utf8_lossy(&out.stdout);
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(stdout.len() > 100, "{name}/{format}: output expected");
                assert_no_secret(&stdout, &keys, &format!("{name} {format} {extra:?} stdout"));
                assert_no_secret(&stderr, &keys, &format!("{name} {format} {extra:?} stderr"));
            }
        }
        // The screen-reader layout draws the snippet differently: no key there either.
        let out = bin()
            .env("NO_GRAPHICS", "1")
            .args(["scan", &dir, "--isolated"])
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("snippet line") || stdout.contains("S001"),
            "{stdout}"
        );
        assert_no_secret(&stdout, &keys, &format!("{name} NO_GRAPHICS"));
        // Written to a file with -o, too.
        let tmp = tempfile::tempdir().expect("tmp");
        let file = tmp.path().join("out.json");
        bin()
            .args(["scan", &dir, "--isolated", "--format", "json", "-o"])
            .arg(&file)
            .assert()
            .code(1);
        let text = std::fs::read_to_string(&file).expect("report written");
        assert!(text.contains("\"findings\""));
        assert_no_secret(&text, &keys, &format!("{name} -o file"));
    }
}

#[test]
fn planted_keys_are_read_back_correctly() {
    // Guards the redaction test itself: the recovered keys have the expected shapes.
    for name in TREES {
        let want = expected(name);
        let keys = planted_keys(&format!("fixtures/{name}"), &want);
        for (k, e) in keys.iter().zip(&want) {
            match e.shape.as_str() {
                "v1" => assert_eq!(k.len(), 86, "{name} {}:{}", e.path, e.line),
                "legacy" => assert_eq!(k.len(), 40, "{name} {}:{}", e.path, e.line),
                "prefixed" => assert!(
                    k.contains('-') && k.len() > 41,
                    "{name} {}:{}",
                    e.path,
                    e.line
                ),
                "mangled" => assert!((32..=64).contains(&k.len()), "{name} {}:{}", e.path, e.line),
                _ => assert!(k.len() >= 30, "{name} {}:{}", e.path, e.line),
            }
        }
    }
}

#[test]
fn the_history_screen_lets_every_fixture_finding_through() {
    // History scans settle blobs by `Detector::screen` before they know their paths; a file
    // with a finding must never be settled as clean.
    let (rules, problems) = wandb_sa_lint::rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    assert!(problems.is_empty());
    let detector = wandb_sa_lint::detect::Detector::new(&rules);
    let mut checked = 0;
    for (tree, name) in [
        ("fixtures/demo-repo", "demo-repo"),
        ("fixtures/contexts", "contexts"),
        ("fixtures/holdout", "holdout"),
    ] {
        let mut paths: Vec<String> = expected(name).into_iter().map(|e| e.path).collect();
        paths.dedup();
        for path in paths {
            let bytes = std::fs::read(root().join(tree).join(&path)).expect("fixture");
            let through = match detector.screen(&bytes) {
                wandb_sa_lint::detect::Screen::MayHit => true,
                wandb_sa_lint::detect::Screen::NoKeyword => {
                    wandb_sa_lint::detect::Detector::keyword_free(&path)
                }
                wandb_sa_lint::detect::Screen::NoShape => false,
            };
            assert!(through, "{tree}/{path} would be dropped by the screen");
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} files checked");
}
