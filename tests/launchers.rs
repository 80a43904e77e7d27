//! The launcher table (`rules/launchers/launchers.yaml`): every row's examples, and a table of
//! real command lines from public repositories (`fixtures/launchers/commands.yaml`) with the
//! argv the shell reader must give and what `launch` must make of it.

use std::path::PathBuf;

use serde::Deserialize;
use wandb_sa_lint::formats::launch::{self, Example};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_table_has_no_problems() {
    let table = launch::table();
    assert_eq!(table.problems, Vec::<String>::new());
    // Every row says where its flags come from and shows itself at work.
    for row in &table.rows {
        assert!(!row.examples.is_empty(), "{} has no example", row.name);
        assert!(!row.kind.is_empty(), "{} has no kind", row.name);
    }
}

#[test]
fn every_row_example_holds() {
    let table = launch::table();
    let failures = launch::example_failures(table);
    assert!(
        failures.is_empty(),
        "{} example(s) wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let n: usize = table.rows.iter().map(|r| r.examples.len()).sum();
    assert!(n >= 60, "only {n} examples");
}

#[test]
fn every_command_names_one_row() {
    // Two rows claiming the same words would make the answer depend on file order.
    let mut seen = std::collections::HashMap::new();
    for row in &launch::table().rows {
        for words in &row.commands {
            let key = words.join(" ");
            if let Some(other) = seen.insert(key.clone(), row.name.clone()) {
                panic!("`{key}` is claimed by both `{other}` and `{}`", row.name);
            }
        }
    }
}

#[test]
fn the_user_doc_names_every_launcher() {
    let doc = std::fs::read_to_string(root().join("docs/launchers.md")).expect("docs/launchers.md");
    for row in &launch::table().rows {
        assert!(
            row.commands
                .iter()
                .any(|words| doc.contains(&format!("`{}`", words.join(" ")))),
            "docs/launchers.md does not name `{}`",
            row.name
        );
    }
}

#[test]
fn the_table_is_not_a_rule_file() {
    // build.rs embeds rules/**/*.yaml as rules, except the launcher table.
    assert!(wandb_sa_lint::rules::EMBEDDED_RULES
        .iter()
        .all(|(path, _)| !path.starts_with("rules/launchers/")));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    repo: String,
    path: String,
    commit: String,
}

#[derive(Debug, Deserialize)]
struct RealLine {
    source: Source,
    /// The command as written in the file (one logical line, continuations joined).
    line: String,
    /// What the launched command is in turn (`srun apptainer exec ...`).
    #[serde(default)]
    inner: Option<Example>,
    #[serde(flatten)]
    expect: Example,
}

fn real_lines() -> Vec<RealLine> {
    let text = std::fs::read_to_string(root().join("fixtures/launchers/commands.yaml"))
        .expect("fixtures/launchers/commands.yaml");
    let value = launch::yaml_value(&text).expect("commands.yaml is YAML");
    serde_json::from_value(value).expect("commands.yaml entries")
}

#[test]
fn real_command_lines_give_the_expected_launch() {
    let lines = real_lines();
    assert!(lines.len() >= 40, "only {} real lines", lines.len());
    let table = launch::table();
    let mut wrong = Vec::new();
    for l in &lines {
        assert_eq!(l.source.commit.len(), 40, "{}: commit", l.source.path);
        assert!(l.source.repo.contains('/'), "{}", l.source.repo);
        assert!(!l.line.is_empty());
        let argv = launch::example_argv(&l.expect);
        assert!(!argv.is_empty(), "{}: no argv", l.line);
        let words: Vec<&str> = argv.iter().map(String::as_str).collect();
        let row = l.expect.launcher.clone().unwrap_or_default();
        let at = format!("{}/{}: `{}`", l.source.repo, l.source.path, l.line);
        for w in launch::check_example(table, &row, &l.expect, &words) {
            wrong.push(format!("{at}: {w}"));
        }
        if let Some(inner) = &l.inner {
            let start = launch::launch(&words).and_then(|x| x.command);
            let rest = start.and_then(|i| words.get(i..)).unwrap_or(&[]);
            let row = inner.launcher.clone().unwrap_or_default();
            for w in launch::check_example(table, &row, inner, rest) {
                wrong.push(format!("{at}: inner: {w}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn real_lines_cover_every_kind_of_launcher() {
    let lines = real_lines();
    let mut kinds = std::collections::BTreeSet::new();
    for l in &lines {
        let argv = launch::example_argv(&l.expect);
        let words: Vec<&str> = argv.iter().map(String::as_str).collect();
        if let Some(found) = launch::launch(&words) {
            kinds.insert(found.kind);
        }
    }
    for kind in ["container", "job", "process", "pod", "remote shell"] {
        assert!(
            kinds.contains(kind),
            "no real line starts a {kind}: {kinds:?}"
        );
    }
}

/// The shell reader gives each real line the argv the table expects (quotes removed,
/// expansions kept, leading assignments and redirections left out), and the launch read from
/// the parsed words is the expected one: the parser and the table agree end to end.
#[test]
fn the_shell_reader_gives_each_real_line_its_argv() {
    use wandb_sa_lint::formats::shell::Script;
    let table = launch::table();
    let mut wrong = Vec::new();
    for l in &real_lines() {
        let expected = launch::example_argv(&l.expect);
        let script = Script::parse_at(&l.line, 0);
        let Some(first) = script.commands.iter().find(|c| !c.argv.is_empty()) else {
            wrong.push(format!("`{}`: no command read", l.line));
            continue;
        };
        let got: Vec<String> = first.argv.iter().map(|w| w.text.clone()).collect();
        if got != expected {
            wrong.push(format!(
                "`{}`:\n  parsed   {got:?}\n  expected {expected:?}",
                l.line
            ));
            continue;
        }
        let words: Vec<&str> = got.iter().map(String::as_str).collect();
        let row = l.expect.launcher.clone().unwrap_or_default();
        for w in launch::check_example(table, &row, &l.expect, &words) {
            wrong.push(format!("`{}`: {w}", l.line));
        }
        // Every word's span lies in the line, and its value's bytes come from it.
        for w in &first.argv {
            assert!(
                w.span.end <= l.line.len(),
                "`{}`: span {:?}",
                l.line,
                w.span
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of the real lines:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The cheap test before a text is parsed for launched processes says yes to every real
/// line and to a launcher given by path, and no to text that names none.
#[test]
fn texts_naming_a_launcher_are_recognised_cheaply() {
    for l in &real_lines() {
        assert!(launch::may_launch(&l.line), "{}", l.line);
    }
    assert!(launch::may_launch("set -e\n/usr/bin/srun -n 2 train"));
    assert!(!launch::may_launch("echo hi && cat notes.txt"));
    assert!(!launch::may_launch("dockerize --help"));
}
