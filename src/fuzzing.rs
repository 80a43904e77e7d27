//! Entry points of the fuzz targets (`fuzz/`), here so that the regression tests
//! (`tests/fuzz_regressions.rs`) run exactly the code the fuzzer ran. Each takes arbitrary
//! bytes and must return without panicking, whatever they are.
#![doc(hidden)]

use std::path::Path;
use std::sync::OnceLock;

use crate::config::Config;
use crate::rules::RuleSet;

fn catalogue() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| crate::rules::load_embedded(crate::checks::CHECKS).0)
}

/// The file names the format targets scan their input as.
pub const FORMATS: &[(&str, &str)] = &[
    ("github", ".github/workflows/ci.yml"),
    ("gitlab", ".gitlab-ci.yml"),
    ("kubernetes", "k8s/deploy.yaml"),
    ("compose", "compose.yaml"),
    ("dockerfile", "Dockerfile"),
    ("jenkinsfile", "Jenkinsfile"),
    ("notebook", "notebooks/train.ipynb"),
    ("netrc", ".netrc"),
    ("dotenv", ".env"),
    ("ini", "wandb/settings"),
    ("python", "dags/train.py"),
    ("shell", "scripts/train.sh"),
    ("makefile", "Makefile"),
    ("justfile", "justfile"),
    ("task", "sky/task.yaml"),
    ("helm", "chart/templates/job.yaml"),
];

/// The shell reader alone, over every view it is given text through: a script, a Makefile,
/// a justfile, a Dockerfile instruction, a Groovy string and a YAML scalar. Every span it
/// returns must lie inside the input.
pub fn shell_parse(data: &[u8]) {
    use crate::formats::shell::{self, dialect, Script, View};
    let text = String::from_utf8_lossy(data);
    let views = [
        View::at(&text, 0),
        dialect::makefile(&text),
        dialect::justfile(&text),
        dialect::dockerfile_shell(&text, 0),
        dialect::groovy_string(&text, 0),
        dialect::yaml_scalar(&text, &text, 0),
    ];
    for view in &views {
        let script = Script::parse(view);
        let inside = |r: &std::ops::Range<usize>| r.start <= r.end && r.end <= text.len();
        for c in &script.commands {
            assert!(
                inside(&c.span),
                "command span {:?} outside the input",
                c.span
            );
            for w in &c.argv {
                assert!(inside(&w.span), "word span {:?} outside the input", w.span);
            }
        }
        let _ = shell::logins(&script);
        let _ = shell::inline_keys(&script);
        let _ = shell::prints_key(&script);
        let _ = shell::passes_entity(&script);
        let _ = shell::scripts_run(&script);
        let _ = shell::writes_netrc(&script);
    }
}

/// The secret detector and every rule over arbitrary bytes: under a path with no format on
/// the default context window, and as a sectioned file on the smallest window (where window
/// edges fall inside most lines).
pub fn detect(data: &[u8]) {
    static SMALL: OnceLock<Config> = OnceLock::new();
    let _ = crate::scan::scan_bytes("notes/file.txt", data, catalogue());
    let small = SMALL.get_or_init(|| Config {
        context_window: crate::detect::context::MIN_WINDOW,
        ..Config::default()
    });
    let _ = crate::scan::scan_bytes_with("notes/settings.ini", data, catalogue(), small);
}

/// A configuration format's reader and checks (`name` from [`FORMATS`]), with a registry so
/// that the registry rules run too.
pub fn format(name: &str, data: &[u8]) {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    let config = CONFIG.get_or_init(|| Config {
        registry: crate::registry::parse(
            "registry.yaml",
            "teams:\n  ml-team: {members: [a@x.com], projects: {p: {visibility: restricted}}}\nservice_accounts:\n  - {name: ci-training, scope: team, team: ml-team, used_by: [\".github/workflows/ci.yml\", \"secrets.WANDB_API_KEY\"]}\n",
        )
        .ok()
        .map(std::sync::Arc::new),
        ..Config::default()
    });
    if let Some((_, path)) = FORMATS.iter().find(|(n, _)| *n == name) {
        let _ = crate::scan::scan_bytes_with(path, data, catalogue(), config);
    }
}

/// A Helm template: its neutralised text keeps every byte offset (or is given up whole), then
/// the template goes through the reader and the checks like any other format. Input holding a
/// NUL byte is also read as a template (before it) with its chart's values file (after it):
/// every span of the scopes must lie in the template.
pub fn helm(data: &[u8]) {
    use crate::formats::helm;
    if let Some(nul) = data.iter().position(|b| *b == 0) {
        let template = String::from_utf8_lossy(data.get(..nul).unwrap_or(&[]));
        let values = String::from_utf8_lossy(data.get(nul + 1..).unwrap_or(&[]));
        let limits = crate::yaml::Limits::default();
        let values = [helm::Values::parse("chart/values.yaml", &values, &limits)];
        let doc = helm::read(&template, &values, &limits);
        for v in doc.scopes.iter().flat_map(|s| &s.vars) {
            assert!(
                template.get(v.name_span.clone()).is_some()
                    && template.get(v.value_span.clone()).is_some(),
                "variable span outside the template"
            );
        }
        let _ = crate::checks::check(crate::formats::Format::HelmTemplate, &doc);
    }
    let text = String::from_utf8_lossy(data);
    for branches in [
        crate::formats::helm::Branches::All,
        crate::formats::helm::Branches::Last,
    ] {
        let (neutral, _) = crate::formats::helm::neutralise(&text, branches);
        assert!(
            neutral.len() == text.len() || neutral.is_empty(),
            "neutralised template of {} bytes for {} bytes",
            neutral.len(),
            text.len()
        );
    }
    format("helm", data);
}

/// The `.wandb-sa-lint.toml` loader, then the parameter overrides against the catalogue.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut c = Config::default();
    if c.apply_text(Path::new(".wandb-sa-lint.toml"), &text)
        .is_ok()
    {
        let _ = c.apply_params(catalogue());
        let _ = c.to_toml();
    }
}

/// The account rules over a registry and activity, as of a fixed date.
fn judge(
    reg: &crate::registry::Registry,
    activity: &crate::auditlog::activity::Activity,
    logs: bool,
) {
    let _ = crate::audit::run::analyze(
        reg,
        Path::new("registry.yaml"),
        catalogue(),
        &Config::default(),
        activity,
        logs,
        &crate::auditlog::ReadStats::default(),
        jiff::civil::Date::constant(2026, 11, 1),
    );
}

/// The registry loader, and the account rules over the registry alone.
pub fn registry(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(reg) = crate::registry::parse("registry.yaml", &text) {
        let _ = reg.linked(".github/workflows/ci.yml", Some("secrets.X"));
        judge(&reg, &crate::auditlog::activity::Activity::new(&reg), false);
    }
}

/// The audit-log line reader, each line through the activity model and the account rules.
pub fn audit_lines(data: &[u8]) {
    static REGISTRY: OnceLock<Option<crate::registry::Registry>> = OnceLock::new();
    let Some(reg) = REGISTRY
        .get_or_init(|| {
            crate::registry::parse(
                "registry.yaml",
                "teams:\n  ml-team: {members: [a@x.com], projects: {p: {visibility: restricted}}}\nservice_accounts:\n  - {name: ci-training, scope: organization, team: ml-team, audit_ids: [VXNlcjox]}\n",
            )
            .ok()
        })
        .as_ref()
    else {
        return;
    };
    let mut activity = crate::auditlog::activity::Activity::new(reg);
    for line in data.split(|b| *b == b'\n') {
        if let Ok(ev) = crate::auditlog::parse_line(line) {
            activity.add(&ev);
        }
    }
    judge(reg, &activity, true);
}

/// The audit-log stream reader over any bytes (every form: NDJSON, pages one per line,
/// pretty-printed pages, gzip told by content), each event through the activity model and the
/// account rules. Events and problems must not depend on how the input is chunked.
pub fn audit_stream(data: &[u8]) {
    let Some(reg) = crate::registry::parse(
        "registry.yaml",
        "teams:\n  ml-team: {id: RW50aXR5OjE, member_ids: [VXNlcjo5], members: [a@x.com], projects: {p: {id: UHJvamVjdDox, visibility: restricted}}}\nservice_accounts:\n  - {name: ci-training, scope: organization, team: ml-team, audit_ids: [VXNlcjox]}\n",
    )
    .ok() else {
        return;
    };
    let read = |chunk: usize| {
        let mut activity = crate::auditlog::activity::Activity::new(&reg);
        let mut stats = crate::auditlog::ReadStats::default();
        let mut problems = Vec::new();
        let source = Chunks {
            data,
            pos: 0,
            size: chunk,
        };
        crate::auditlog::read_stream(
            "log",
            Box::new(source),
            false,
            &mut stats,
            &mut |ev| activity.add(&ev),
            &mut |p| problems.push((p.line, p.message)),
        );
        (activity, stats, problems)
    };
    let (activity, stats, problems) = read(usize::MAX);
    let (_, stats2, problems2) = read(7);
    assert_eq!(
        (stats.events, stats.malformed),
        (stats2.events, stats2.malformed)
    );
    assert_eq!(problems, problems2);
    judge(&reg, &activity, true);
}

/// A reader that hands out at most `size` bytes at a time.
struct Chunks<'a> {
    data: &'a [u8],
    pos: usize,
    size: usize,
}

impl std::io::Read for Chunks<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let n = rest.len().min(out.len()).min(self.size.max(1));
        if let (Some(to), Some(from)) = (out.get_mut(..n), rest.get(..n)) {
            to.copy_from_slice(from);
        }
        self.pos += n;
        Ok(n)
    }
}

/// The rule-file loader (and, for a valid rule, its examples).
pub fn rule_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(rule) = crate::rules::parse_rule_file("rules/x.yaml", &text, crate::checks::CHECKS) {
        let set = RuleSet::new(vec![rule]);
        let _ = crate::examples::check(&set);
    }
}

/// The launcher table over arbitrary words: each line of `data` is one command line, its words
/// split at NUL bytes when it has any (so a word may hold spaces) or else at whitespace; the
/// launched command is read again in turn, as the shell reader does for `sudo docker run`.
pub fn launch(data: &[u8]) {
    for line in data.split(|b| *b == b'\n') {
        let text = String::from_utf8_lossy(line);
        let words: Vec<&str> = if line.contains(&0) {
            text.split('\0').collect()
        } else {
            text.split_whitespace().collect()
        };
        let mut rest: &[&str] = &words;
        // Each level consumes at least one word, so this ends.
        while let Some(found) = crate::formats::launch::launch(rest) {
            match found.command.filter(|i| *i > 0).and_then(|i| rest.get(i..)) {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
}

/// The YAML loaders: the lean tree of the configuration readers (under the default limits and
/// under tiny ones, so that the depth and alias limits are reached), its lookups, and the typed
/// loader of the rule files. Every span of an accepted document must be a slice of the text
/// (within it, on character boundaries): a span that is not is a bug, and panics here so that
/// the fuzzer reports it.
pub fn yaml(data: &[u8]) {
    use crate::yaml::{tree, Limits};
    let text = String::from_utf8_lossy(data);
    for limits in [Limits::default(), Limits::new(16, 4)] {
        if let Ok(docs) = tree::load(&text, &limits) {
            for doc in &docs {
                walk_yaml(&text, doc, 0);
            }
        }
    }
    if let Ok(docs) = crate::yaml::load(&text) {
        for doc in &docs {
            let _ = crate::yaml::entries(doc);
            let _ = crate::yaml::scalar_text(doc);
        }
    }
}

fn walk_yaml(text: &str, node: &crate::yaml::tree::Node, depth: usize) {
    use crate::yaml::tree::{self, NodeKind};
    assert!(
        text.get(node.span.clone()).is_some(),
        "span {:?} is not a slice of the text",
        node.span
    );
    if depth > crate::yaml::MAX_DEPTH {
        return;
    }
    let _ = tree::scalar_text(node);
    let _ = tree::get(node, "env");
    let _ = tree::mapping(node);
    match &node.kind {
        NodeKind::Seq(items) => items.iter().for_each(|i| walk_yaml(text, i, depth + 1)),
        NodeKind::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            walk_yaml(text, k, depth + 1);
            walk_yaml(text, v, depth + 1);
        }),
        NodeKind::Scalar(..) | NodeKind::Bad => {}
    }
}

/// Runs the target named `target` (as in `fuzz/fuzz_targets/`) on `data`.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "detect" => detect(data),
        "config" => config(data),
        "registry" => registry(data),
        "audit_line" => audit_lines(data),
        "audit_stream" => audit_stream(data),
        "rule_file" => rule_file(data),
        "launch" => launch(data),
        "shell_parse" => shell_parse(data),
        "yaml" => yaml(data),
        "helm" => helm(data),
        other => format(other, data),
    }
}
