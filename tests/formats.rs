//! The CI formats (SARIF, JUnit, GitLab Code Quality, GitHub workflow commands) for working
//! tree, history and audit findings, each read back with a parser of that format: SARIF
//! validated against the official 2.1.0 JSON Schema, JUnit parsed by `junit-parser`, Code
//! Quality by serde into GitLab's documented fields, workflow commands by the runner's rules.

mod common;

use common::audit_org;

use std::collections::BTreeSet;
use std::path::Path;

use common::{bin, git, root, write};
use wandb_sa_lint::rules::fakes::Fakes;

/// What each format is run on: a working tree, a history, an audit.
struct Inputs {
    _history: tempfile::TempDir,
    _org: tempfile::TempDir,
    runs: Vec<(&'static str, Vec<String>, std::path::PathBuf, Vec<String>)>,
}

/// A history with a removed key, and the generated organization.
fn inputs() -> Inputs {
    let history = tempfile::tempdir().expect("tmp");
    let d = history.path();
    let mut f = Fakes::new(77);
    let (gone, kept) = (f.hex(40), f.v1());
    git(d, &["init", "-q"]);
    write(
        d,
        "train.py",
        &format!("import wandb\nwandb.login(key=\"{gone}\")\n"),
    );
    write(d, "deploy/ci.env", &format!("WANDB_API_KEY={kept}\n"));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "add training"]);
    write(d, "train.py", "import wandb\nwandb.login()\n");
    git(d, &["commit", "-qam", "use env var"]);
    let org = tempfile::tempdir().expect("tmp");
    audit_org::write(org.path(), 21, 0).expect("org");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let runs = vec![
        (
            "worktree",
            s(&["scan", "fixtures/demo-repo", "fixtures/config"]),
            root(),
            vec![],
        ),
        (
            "history",
            s(&["scan", "--history"]),
            d.to_path_buf(),
            s(&[gone.as_str(), kept.as_str()]),
        ),
        (
            "audit",
            s(&[&["audit"], audit_org::INPUTS].concat()),
            org.path().to_path_buf(),
            vec![],
        ),
    ];
    Inputs {
        _history: history,
        _org: org,
        runs,
    }
}

/// Runs one input in `format`; returns stdout.
fn run(args: &[String], dir: &Path, format: &str) -> String {
    let out = bin()
        .current_dir(dir)
        .args(args)
        .args(["--isolated", "--format", format])
        .output()
        .expect("run");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?} {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// (path, line, rule) of the JSON findings, the reference every format must agree with.
fn reference(args: &[String], dir: &Path) -> Vec<(String, u64, String)> {
    let doc: serde_json::Value = serde_json::from_str(&run(args, dir, "json")).expect("json");
    let mut v: Vec<(String, u64, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn no_secret(text: &str, secrets: &[String], what: &str) {
    for s in secrets {
        assert!(
            !text.contains(s.as_str()),
            "{what}: a whole secret is in the output"
        );
        let tail = &s[s.len() - 30..];
        assert!(
            !text.contains(tail),
            "{what}: a secret's tail is in the output"
        );
    }
}

/// Replaces each `language` pattern of the schema by its escaped equivalent; returns how many.
fn escape_language_patterns(v: &mut serde_json::Value) -> usize {
    const BARE: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        serde_json::Value::Object(map) => {
            let mut n = 0;
            for (k, child) in map.iter_mut() {
                if k == "pattern" && child == BARE {
                    *child = serde_json::json!("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
                    n += 1;
                } else {
                    n += escape_language_patterns(child);
                }
            }
            n
        }
        serde_json::Value::Array(items) => items.iter_mut().map(escape_language_patterns).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let mut schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/sarif-schema-2.1.0.json")).expect("schema"),
    )
    .expect("schema json");
    // The official schema's `run.language` pattern ends in a bare `]`, a literal in ECMA-262
    // regexes that the validator's strict meta-schema check rejects; escaping it keeps the
    // same meaning. The file itself stays as published.
    let fixed = escape_language_patterns(&mut schema);
    assert!(
        fixed >= 2,
        "the patterns this works around are in the schema"
    );
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compile schema");
    let inputs = inputs();
    for (name, args, dir, secrets) in &inputs.runs {
        let text = run(args, dir, "sarif");
        no_secret(&text, secrets, name);
        let doc: serde_json::Value = serde_json::from_str(&text).expect("sarif json");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        // The validator does reject what the schema forbids.
        let mut broken = doc.clone();
        broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
            ["startLine"] = serde_json::json!(0);
        assert_eq!(validator.iter_errors(&broken).count(), 2, "{name}");
        let sarif_run = &doc["runs"][0];
        let rules = sarif_run["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules");
        assert_eq!(rules.len(), 26, "every rule of the catalogue");
        let results = sarif_run["results"].as_array().expect("results");
        let want = reference(args, dir);
        assert_eq!(results.len(), want.len(), "{name}");
        assert!(!results.is_empty(), "{name}: findings expected");
        let mut got: Vec<(String, u64, String)> = results
            .iter()
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"];
                assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
                let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
                assert_eq!(
                    rules[index]["id"], r["ruleId"],
                    "ruleIndex points at the rule"
                );
                assert!(r["partialFingerprints"]["wandbSaLint/v1"].is_string());
                (
                    loc["artifactLocation"]["uri"]
                        .as_str()
                        .expect("uri")
                        .to_string(),
                    loc["region"]["startLine"].as_u64().expect("startLine"),
                    r["ruleId"].as_str().expect("ruleId").to_string(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, want, "{name}");
        let fps: BTreeSet<&str> = results
            .iter()
            .filter_map(|r| r["partialFingerprints"]["wandbSaLint/v1"].as_str())
            .collect();
        assert_eq!(fps.len(), results.len(), "{name}: fingerprints are unique");
        match *name {
            "history" => {
                assert!(results.iter().all(|r| r["properties"]["commit"]["id"]
                    .as_str()
                    .is_some_and(|c| c.len() == 40)));
                assert!(results.iter().any(|r| r["properties"]["in_head"] == false));
            }
            "audit" => assert!(results.iter().all(|r| {
                r["locations"][0]["logicalLocations"][0]["name"] == r["properties"]["account"]
            })),
            _ => {}
        }
        let secret_rule = rules.iter().find(|r| r["id"] == "S001").expect("S001");
        assert_eq!(secret_rule["properties"]["security-severity"], "9.0");
        // The readable rule page, not the YAML it is generated from.
        assert!(secret_rule["helpUri"]
            .as_str()
            .is_some_and(|u| u.ends_with("/docs/rules/S001-committed-api-key.md")));
    }
}

#[test]
fn sarif_fingerprints_survive_lines_moving() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = Fakes::new(5).v1();
    write(dir.path(), "ci.env", &format!("WANDB_API_KEY={key}\n"));
    let args = vec!["scan".to_string(), ".".to_string()];
    let fp = |text: &str| -> (String, u64) {
        let doc: serde_json::Value = serde_json::from_str(text).expect("json");
        let r = &doc["runs"][0]["results"][0];
        (
            r["partialFingerprints"]["wandbSaLint/v1"]
                .as_str()
                .expect("fp")
                .to_string(),
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .expect("line"),
        )
    };
    let before = fp(&run(&args, dir.path(), "sarif"));
    write(
        dir.path(),
        "ci.env",
        &format!("# moved down\n\nWANDB_PROJECT=churn\nWANDB_API_KEY={key}\n"),
    );
    let after = fp(&run(&args, dir.path(), "sarif"));
    assert_eq!(before.1 + 3, after.1, "the line moved");
    assert_eq!(before.0, after.0, "the fingerprint did not");
}

#[test]
fn junit_parses_with_one_failure_per_finding() {
    let inputs = inputs();
    for (name, args, dir, secrets) in &inputs.runs {
        let text = run(args, dir, "junit");
        no_secret(&text, secrets, name);
        let suites = junit_parser::from_reader(std::io::Cursor::new(text.as_bytes()))
            .unwrap_or_else(|e| panic!("{name}: not JUnit XML: {e}"));
        let want = reference(args, dir);
        // One suite per rule that ran (issue 16, item 8): the secret and configuration rules
        // on the working tree, the secret rules on history, the account rules in an audit.
        let ran = match *name {
            "worktree" => 11,
            "history" => 2,
            _ => 11,
        };
        assert_eq!(
            suites.suites.len(),
            ran,
            "{name}: one suite per rule that ran"
        );
        let failures: u64 = suites.suites.iter().map(|s| s.failures).sum();
        assert_eq!(failures as usize, want.len(), "{name}");
        let failed_rules: BTreeSet<String> = suites
            .suites
            .iter()
            .filter(|s| s.failures > 0)
            .map(|s| s.name.split(' ').next().unwrap_or("").to_string())
            .collect();
        let want_rules: BTreeSet<String> = want.iter().map(|(_, _, r)| r.clone()).collect();
        assert_eq!(failed_rules, want_rules, "{name}");
        for s in &suites.suites {
            for c in &s.cases {
                if let junit_parser::TestStatus::Failure(f) = &c.status {
                    assert!(!f.message.is_empty(), "{name}: {}", c.name);
                }
            }
        }
    }
}

/// GitLab's documented Code Quality fields (unknown fields are an error here, so nothing
/// undocumented slips in).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Issue {
    #[serde(rename = "type")]
    kind: String,
    description: String,
    check_name: String,
    categories: Vec<String>,
    fingerprint: String,
    severity: String,
    location: IssueLocation,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Lines {
    begin: u64,
    end: u64,
}

#[test]
fn gitlab_code_quality_has_the_documented_fields() {
    let inputs = inputs();
    for (name, args, dir, secrets) in &inputs.runs {
        let text = run(args, dir, "gitlab");
        no_secret(&text, secrets, name);
        let issues: Vec<Issue> = serde_json::from_str(&text).expect("code quality json");
        let mut got: Vec<(String, u64, String)> = issues
            .iter()
            .map(|i| {
                assert!(
                    ["info", "minor", "major", "critical", "blocker"]
                        .contains(&i.severity.as_str()),
                    "{}",
                    i.severity
                );
                (
                    i.location.path.clone(),
                    i.location.lines.begin,
                    i.check_name.split('/').next().unwrap_or("").to_string(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, reference(args, dir), "{name}");
        let fps: BTreeSet<&str> = issues.iter().map(|i| i.fingerprint.as_str()).collect();
        assert_eq!(
            fps.len(),
            issues.len(),
            "{name}: GitLab needs unique fingerprints"
        );
    }
}

/// A parsed workflow command: name, properties, message.
type Command = (String, Vec<(String, String)>, String);

/// A workflow command as the Actions runner reads it: `::name k=v,k=v::data`, with `%25`,
/// `%0D`, `%0A` (and in properties `%3A`, `%2C`) decoded.
fn parse_command(line: &str) -> Option<Command> {
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (head, data) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    let data = data
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%");
    Some((name.to_string(), props, data))
}

#[test]
fn github_workflow_commands_parse_back() {
    let inputs = inputs();
    for (name, args, dir, secrets) in &inputs.runs {
        let text = run(args, dir, "github");
        no_secret(&text, secrets, name);
        let mut got = Vec::new();
        for line in text.lines() {
            let (cmd, props, data) =
                parse_command(line).unwrap_or_else(|| panic!("{name}: not a command: {line}"));
            assert!(
                ["error", "warning", "notice"].contains(&cmd.as_str()),
                "{cmd}"
            );
            let get = |k: &str| props.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone());
            let title = get("title").expect("title");
            assert!(
                data.contains("https://"),
                "the rule's link is in the message"
            );
            got.push((
                get("file").expect("file"),
                get("line").expect("line").parse::<u64>().expect("number"),
                title.split(' ').next().unwrap_or("").to_string(),
            ));
        }
        got.sort();
        assert_eq!(got, reference(args, dir), "{name}");
    }
    // Escaping: a path with a comma and a colon, a message with a newline.
    let dir = tempfile::tempdir().expect("tmp");
    let key = Fakes::new(6).v1();
    write(dir.path(), "a,b:c.env", &format!("WANDB_API_KEY={key}\n"));
    let text = run(&["scan".into(), ".".into()], dir.path(), "github");
    let (_, props, data) = parse_command(text.lines().next().expect("a command")).expect("parse");
    assert!(
        props.contains(&("file".to_string(), "a,b:c.env".to_string())),
        "{props:?}"
    );
    assert!(data.contains('\n'));
}
