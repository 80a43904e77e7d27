//! One snapshot per rule of what each of its examples produces, as ruff keeps them: rule id,
//! severity, span (`line:column-line:column`, or the account), message and the finding's own
//! help. The rules are iterated from the embedded catalogue, so a new rule gets its snapshot
//! (`tests/snapshots/rule_snapshots__examples_<ID>.snap`) by running this test with
//! `INSTA_UPDATE=always`; a changed message, span or help fails it.

use std::fmt::Write as _;

use wandb_sa_lint::examples::{self, ExampleFindings};
use wandb_sa_lint::finding::Finding;
use wandb_sa_lint::rules;

fn render_finding(out: &mut String, f: &Finding) {
    let at = match (&f.location, f.account()) {
        (Some(l), _) => format!("{}:{}-{}:{}", l.line, l.column, l.end_line, l.end_column),
        (None, Some(account)) => format!("account `{account}`"),
        (None, None) => "(no location)".to_string(),
    };
    let _ = writeln!(
        out,
        "  {} {} {at}: {}",
        f.rule.id,
        f.severity.as_str(),
        f.message
    );
    if let Some(help) = &f.help {
        for line in help.lines() {
            let _ = writeln!(out, "    help: {line}");
        }
    }
}

fn render(examples: &[ExampleFindings]) -> String {
    let mut out = String::new();
    for ex in examples {
        let _ = writeln!(out, "example at line {} (`{}`):", ex.line, ex.path);
        if ex.findings.is_empty() {
            out.push_str("  (no finding)\n");
        }
        for f in &ex.findings {
            render_finding(&mut out, f);
        }
    }
    out
}

#[test]
fn every_rule_example_renders_as_snapshotted() {
    let (set, problems) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    assert!(problems.is_empty(), "the embedded rules load");
    for rule in set.iter() {
        let text = render(&examples::findings(rule, &set));
        insta::with_settings!({
            description => format!("{}: {}", rule.id, rule.source),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("examples_{}", rule.id), text);
        });
    }
}

#[test]
fn every_snapshot_belongs_to_a_rule() {
    let (set, _) = rules::load_embedded(wandb_sa_lint::checks::CHECKS);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(&dir).expect("snapshot directory") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        if let Some(id) = name
            .strip_prefix("rule_snapshots__examples_")
            .and_then(|n| n.strip_suffix(".snap"))
        {
            assert!(
                set.get(id).is_some(),
                "{name} is the snapshot of no rule: delete it"
            );
        }
    }
}
