//! The rule catalogue: every example fires, every counter-example does not, the catalogue is
//! sound, the README links the one generated catalogue, and `rules check` reports every problem at its line.

mod common;
use common::*;

use wandb_sa_lint::rules::{self, Kind};

#[test]
fn builtin_rules_load_without_problems() {
    let (set, problems) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    assert!(
        problems.is_empty(),
        "{:?}",
        problems.iter().map(|p| &p.message).collect::<Vec<_>>()
    );
    assert!(set.len() >= 2);
}

#[test]
fn every_example_fires_and_no_counter_example_does() {
    let (set, _) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    let failures = wandb_sa_lint::examples::check(&set);
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .map(|f| format!("{}:{}: {}", f.source, f.line, f.message))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn catalogue_is_sound() {
    let (set, _) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    let mut ids = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for r in set.iter() {
        assert!(ids.insert(r.id.clone()), "duplicate id {}", r.id);
        assert!(names.insert(r.name.clone()), "duplicate name {}", r.name);
        for (field, text) in [
            ("summary", &r.summary),
            ("rationale", &r.rationale),
            ("remediation", &r.remediation),
        ] {
            assert!(text.trim().len() > 20, "{} has a thin {field}", r.id);
        }
        assert!(!r.references.is_empty(), "{} has no references", r.id);
        assert!(
            !r.examples.is_empty() && !r.counter_examples.is_empty(),
            "{} needs examples both ways",
            r.id
        );
        if r.kind == Kind::Secret {
            assert!(!r.patterns.is_empty(), "{} has no pattern", r.id);
        } else {
            let check = r.check.as_deref().expect("non-secret rules name a check");
            assert!(
                wandb_sa_lint::checks::get(check).is_some(),
                "{}: unknown check {check}",
                r.id
            );
        }
        assert!(
            r.source.starts_with("rules/"),
            "{} source {}",
            r.id,
            r.source
        );
    }
    let s001 = set.get("S001").expect("S001");
    assert!(
        s001.examples.len() >= 15,
        "S001 has {} examples",
        s001.examples.len()
    );
    assert!(
        s001.counter_examples.len() >= 15,
        "S001 has {} counter-examples",
        s001.counter_examples.len()
    );
    // Lookup by name works too.
    assert_eq!(
        set.get("committed-api-key").map(|r| r.id.as_str()),
        Some("S001")
    );
}

#[test]
fn catalogue_snapshot() {
    let (set, _) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    let listing: String = set
        .iter()
        .map(|r| format!("{} {} {}\n", r.id, r.name, r.severity))
        .collect();
    insta::assert_snapshot!(listing);
}

/// One catalogue: the README links the generated index (kept current by
/// `docs_rules_pages_are_current`) and holds no copy of the rule table that could go stale.
#[test]
fn readme_links_the_one_generated_catalogue() {
    let (set, _) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    assert!(
        readme.contains("](docs/rules/README.md)"),
        "README links the catalogue"
    );
    for r in set.iter() {
        assert!(
            !readme.contains(&format!("| {} | `{}` |", r.id, r.name)),
            "README repeats the rule table ({})",
            r.id
        );
    }
    let docs = std::fs::read_to_string(root().join("docs/rules/README.md")).expect("index");
    for r in set.iter() {
        assert!(
            docs.contains(&format!("[{}]({}-{}.md)", r.id, r.id, r.name)),
            "{}",
            r.id
        );
    }
}

#[test]
fn rules_check_builtin_passes() {
    let out = bin().args(["rules", "check"]).output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("all valid"));
}

#[test]
fn rules_check_reports_every_problem_at_its_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        "bad.yaml",
        "id: S9\nname: Use-Bad\nkind: secret\nseverity: fatal\nsummary: x\nrationale: r\nremediation: m\nreferences: [not-a-url]\ncolour: red\npattern:\n  - shape: a\n    regex: '(['\n    context: anywhere\nexamples:\n  - path: a.txt\n    content: '{{v9}}'\ncounter_examples: []\n",
    );
    let out = bin()
        .args(["rules", "check"])
        .arg(tmp.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "unknown field `colour`",
        "unknown severity `fatal`",
        "must be lowercase kebab-case",
        "invalid regex",
        "reference `not-a-url` must be a URL",
        "unknown key placeholder `v9`",
        "`counter_examples` needs at least one entry",
        "id `S9` must be",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
    // Each problem is shown with its line in the file's snippet.
    assert!(err.contains("bad.yaml:9:"), "{err}");
    assert!(err.contains("bad.yaml:4:"), "{err}");
}

#[test]
fn rules_check_runs_user_examples() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s001 = std::fs::read_to_string(root().join("rules/secrets/S001-committed-api-key.yaml"))
        .expect("S001");
    // A counter-example that is really a leak must be caught by `rules check`.
    let broken = s001.replace(
        "counter_examples:\n",
        "counter_examples:\n  - path: leak.py\n    content: |\n      wandb.login(key=\"{{hex40}}\")\n",
    );
    write(tmp.path(), "S001.yaml", &broken);
    let out = bin()
        .args(["rules", "check"])
        .arg(tmp.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("counter-example `leak.py` gave 1 finding(s) of S001"),
        "{err}"
    );
}

#[test]
fn rules_listing_and_explain() {
    let out = bin().args(["rules"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("S001") && text.contains("committed-api-key"));

    let out = bin()
        .args(["rules", "--format", "json"])
        .output()
        .expect("run");
    let doc = json(&out);
    let list = doc.as_array().expect("array");
    assert!(list
        .iter()
        .any(|r| r["id"] == "S002" && r["kind"] == "secret"));

    let out = bin().args(["explain", "S001"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("What to do")
            && text.contains("{{hex40}}")
            && text.contains("Documentation:")
    );

    let out = bin()
        .args(["explain", "committed-access-token"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));

    let out = bin().args(["explain", "S999"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `S999`"));
}

#[test]
fn docs_rules_pages_are_current() {
    let (set, problems) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    assert!(problems.is_empty());
    let dir = root().join("docs/rules");
    let pages = rules::docs::pages(&set);
    for (name, text) in &pages {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        // What `rules docs` writes: the page through the output layer, which masks key-shaped
        // tokens and shows control characters (an example's terminal colours) as escapes.
        let written = wandb_sa_lint::report::escape::clean(text, false);
        assert!(
            committed == written,
            "docs/rules/{name} is stale: run `cargo run -- rules docs docs/rules --isolated`"
        );
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("docs/rules")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut want: Vec<String> = pages.into_iter().map(|(n, _)| n).collect();
    want.sort();
    assert_eq!(
        on_disk, want,
        "docs/rules holds exactly one page per rule and the index"
    );
}

/// A rule file for the check table tests: account rule A004's shape, with `check`, `kind` and
/// `params` lines given.
fn table_rule(kind: &str, check: &str, params: &str) -> String {
    let s = std::fs::read_to_string(root().join("rules/accounts/A004-stale-api-key.yaml"))
        .expect("A004");
    let s = s.replace("kind: account", &format!("kind: {kind}"));
    s.replace("check: stale-key\n", &format!("check: {check}\n{params}"))
}

/// The problems the loader reports for `text`, validated against the check table.
fn table_problems(text: &str) -> Vec<String> {
    match rules::parse_rule_file("rules/x.yaml", text, wandb_sa_lint::checks::CHECKS) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .into_iter()
            .map(|p| format!("{}:{}: {}", p.path, p.span.start, p.message))
            .collect(),
    }
}

#[test]
fn the_check_table_sets_the_defaults_a_rule_does_not() {
    let text = table_rule("account", "stale-key", "");
    let rule = rules::parse_rule_file("rules/x.yaml", &text, wandb_sa_lint::checks::CHECKS)
        .expect("valid");
    assert_eq!(
        rule.params.get("rotate-after"),
        Some(&rules::Param::Number(90))
    );
    let text = table_rule("account", "stale-key", "params:\n  rotate-after: 30\n");
    let rule = rules::parse_rule_file("rules/x.yaml", &text, wandb_sa_lint::checks::CHECKS)
        .expect("valid");
    assert_eq!(
        rule.params.get("rotate-after"),
        Some(&rules::Param::Number(30))
    );
}

#[test]
fn a_misspelt_parameter_is_a_problem() {
    let text = table_rule("account", "stale-key", "params:\n  rotate-afer: 30\n");
    let problems = table_problems(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("unknown parameter `rotate-afer` of check `stale-key`")
            && problems[0].contains("rotate-after"),
        "{problems:#?}"
    );
    let at = text.find("rotate-afer").expect("key");
    assert!(
        problems[0].starts_with(&format!("rules/x.yaml:{at}:")),
        "{problems:#?}"
    );
}

#[test]
fn a_wrong_typed_parameter_is_a_problem() {
    let text = table_rule("account", "stale-key", "params:\n  rotate-after: soon\n");
    let problems = table_problems(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("parameter `rotate-after` must be a whole number, found a string"),
        "{problems:#?}"
    );
    let at = text.find("soon").expect("value");
    assert!(
        problems[0].starts_with(&format!("rules/x.yaml:{at}:")),
        "{problems:#?}"
    );
}

#[test]
fn a_check_of_another_kind_is_a_problem() {
    let text = table_rule("account", "missing-entity", "");
    let problems = table_problems(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains(
            "check `missing-entity` serves config rules, but this rule's `kind` is account"
        ),
        "{problems:#?}"
    );
    let at = text.find("missing-entity").expect("check");
    assert!(
        problems[0].starts_with(&format!("rules/x.yaml:{at}:")),
        "{problems:#?}"
    );
}

#[test]
fn an_unknown_check_is_a_problem() {
    let text = table_rule("account", "stale-keys", "");
    let problems = table_problems(&text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("check `stale-keys` is not implemented by this build"),
        "{problems:#?}"
    );
}

#[test]
fn every_check_serves_a_rule_and_every_rule_param_is_its_checks() {
    let (set, _) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    for c in wandb_sa_lint::checks::CHECKS {
        let served: Vec<_> = set
            .iter()
            .filter(|r| r.check.as_deref() == Some(c.name))
            .collect();
        assert!(!served.is_empty(), "check {} serves no rule", c.name);
        for r in served {
            assert_eq!(r.kind, c.kind, "{}", r.id);
            let mut names: Vec<&str> = r.params.keys().map(String::as_str).collect();
            let mut want: Vec<&str> = c.params.iter().map(|p| p.name).collect();
            names.sort_unstable();
            want.sort_unstable();
            assert_eq!(names, want, "{}", r.id);
        }
    }
}
