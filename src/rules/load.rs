//! Parsing and validation of rule files. Every problem of a file is collected, each with its
//! byte span, so `rules check` can show them all in one run.

use std::collections::{BTreeMap, HashMap};

use saphyr::MarkedYamlOwned;

use super::{
    find_check, CheckDef, CheckInputs, ContextLevel, Example, Kind, Param, Rule, RuleSet, Severity,
    Shape, EMBEDDED_RULES,
};
use crate::yaml::{self, ByteSpan, CharIndex};

/// One problem found in a rule file.
#[derive(Debug, Clone)]
pub struct RuleProblem {
    /// The file, as given or as embedded (`rules/secrets/S001-...yaml`).
    pub path: String,
    /// The file's text, for the diagnostic's snippet.
    pub text: String,
    /// Where in the file.
    pub span: ByteSpan,
    /// What is wrong, lowercase, naming the field.
    pub message: String,
}

const FIELDS: &[&str] = &[
    "id",
    "name",
    "kind",
    "severity",
    "summary",
    "rationale",
    "remediation",
    "references",
    "keywords",
    "pattern",
    "check",
    "params",
    "examples",
    "counter_examples",
];

struct Ctx<'a> {
    path: &'a str,
    text: &'a str,
    idx: CharIndex<'a>,
    problems: Vec<RuleProblem>,
}

impl Ctx<'_> {
    fn problem(&mut self, span: ByteSpan, message: impl Into<String>) {
        self.problems.push(RuleProblem {
            path: self.path.to_string(),
            text: self.text.to_string(),
            span,
            message: message.into(),
        });
    }

    fn span(&self, node: &MarkedYamlOwned) -> ByteSpan {
        self.idx.span(node)
    }

    fn line_of(&self, offset: usize) -> usize {
        1 + self
            .text
            .as_bytes()
            .iter()
            .take(offset)
            .filter(|b| **b == b'\n')
            .count()
    }

    fn string(&mut self, field: &str, node: &MarkedYamlOwned) -> Option<String> {
        match yaml::as_str(node) {
            Some(s) if !s.trim().is_empty() => Some(s.to_string()),
            Some(_) => {
                self.problem(self.span(node), format!("`{field}` is empty"));
                None
            }
            None => {
                let what = yaml::type_name(node);
                self.problem(
                    self.span(node),
                    format!("`{field}` must be a string, found {what}"),
                );
                None
            }
        }
    }

    fn string_list(&mut self, field: &str, node: &MarkedYamlOwned) -> Vec<String> {
        let Some(items) = yaml::items(node) else {
            let what = yaml::type_name(node);
            self.problem(
                self.span(node),
                format!("`{field}` must be a list, found {what}"),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.string(field, item))
            .collect()
    }
}

/// The fields of a rule file by name: (key node, value node).
type Fields<'d> = HashMap<&'d str, (&'d MarkedYamlOwned, &'d MarkedYamlOwned)>;

/// Parses and validates one rule file against the check table `checks` (a rule's `check:`
/// must name a row of it, of the rule's kind, and its `params` must be the row's, with their
/// types). `path` names the file in problems.
pub fn parse_rule_file<R: CheckInputs>(
    path: &str,
    text: &str,
    checks: &[CheckDef<R>],
) -> Result<Rule, Vec<RuleProblem>> {
    let mut cx = Ctx {
        path,
        text,
        idx: CharIndex::new(text),
        problems: Vec::new(),
    };
    let docs = match yaml::load(text) {
        Ok(d) => d,
        Err(e) => {
            cx.problem(e.offset..e.offset, format!("invalid YAML: {}", e.message));
            return Err(cx.problems);
        }
    };
    let Some(fields) = top_fields(&mut cx, &docs) else {
        return Err(cx.problems);
    };
    let head = parse_head(&mut cx, &fields);
    let kind = head.kind;
    let (references, keywords, patterns) = parse_lists(&mut cx, &fields, kind);
    let (check, params) = parse_check(&mut cx, &fields, kind, checks);
    match kind {
        Some(Kind::Secret) if patterns.is_empty() && !fields.contains_key("pattern") => {
            cx.problem(0..0, "a secret rule needs a `pattern` list");
        }
        Some(Kind::Config | Kind::Account) if check.is_none() && !fields.contains_key("check") => {
            cx.problem(
                0..0,
                format!(
                    "a {} rule needs a `check`",
                    kind.map(Kind::as_str).unwrap_or("")
                ),
            );
        }
        _ => {}
    }
    let account = kind == Some(Kind::Account);
    let examples = parse_examples::<R>(
        &mut cx,
        "examples",
        fields.get("examples").map(|(_, v)| *v),
        account,
    );
    let counter_examples = parse_examples::<R>(
        &mut cx,
        "counter_examples",
        fields.get("counter_examples").map(|(_, v)| *v),
        account,
    );

    if !cx.problems.is_empty() {
        return Err(cx.problems);
    }
    let Head {
        id,
        name,
        kind,
        severity,
        summary,
        rationale,
        remediation,
    } = head;
    match (id, name, kind, severity, summary, rationale, remediation) {
        (
            Some(id),
            Some(name),
            Some(kind),
            Some(severity),
            Some(summary),
            Some(rationale),
            Some(remediation),
        ) => Ok(Rule {
            id,
            name,
            kind,
            severity,
            summary: summary.trim().to_string(),
            rationale: rationale.trim_end().to_string(),
            remediation: remediation.trim_end().to_string(),
            references,
            keywords,
            patterns,
            check,
            params,
            examples,
            counter_examples,
            source: path.to_string(),
        }),
        // Every `None` above pushed a problem, so this arm is unreachable in practice; it is
        // kept total so that no input can panic.
        _ => Err(vec![RuleProblem {
            path: path.to_string(),
            text: text.to_string(),
            span: 0..0,
            message: "incomplete rule".to_string(),
        }]),
    }
}

/// The top-level fields of the file's one document, reporting unknown and repeated ones;
/// `None` (with a problem) when there is no mapping to read.
fn top_fields<'d>(cx: &mut Ctx<'_>, docs: &'d [MarkedYamlOwned]) -> Option<Fields<'d>> {
    let Some(doc) = docs.first() else {
        cx.problem(0..0, "the rule file is empty");
        return None;
    };
    if let Some(extra) = docs.get(1) {
        cx.problem(cx.span(extra), "a rule file holds one YAML document");
    }
    let Some(entries) = yaml::entries(doc) else {
        cx.problem(cx.span(doc), "a rule file must be a mapping of fields");
        return None;
    };
    let mut fields: Fields<'d> = HashMap::new();
    for (k, v) in entries {
        let Some(key) = yaml::as_str(k) else {
            cx.problem(cx.span(k), "field names must be strings");
            continue;
        };
        if !FIELDS.contains(&key) {
            cx.problem(
                cx.span(k),
                format!(
                    "unknown field `{key}` (expected one of: {})",
                    FIELDS.join(", ")
                ),
            );
            continue;
        }
        if fields.insert(key, (k, v)).is_some() {
            cx.problem(cx.span(k), format!("field `{key}` is given twice"));
        }
    }
    Some(fields)
}

/// The rule's references (URLs), keywords and key shapes.
fn parse_lists(
    cx: &mut Ctx<'_>,
    fields: &Fields<'_>,
    kind: Option<Kind>,
) -> (Vec<String>, Vec<String>, Vec<Shape>) {
    let references = match fields.get("references") {
        Some((_, v)) => {
            let refs = cx.string_list("references", v);
            for r in &refs {
                if !(r.starts_with("https://") || r.starts_with("http://")) {
                    cx.problem(cx.span(v), format!("reference `{r}` must be a URL"));
                }
            }
            refs
        }
        None => {
            cx.problem(0..0, "missing required field `references`");
            Vec::new()
        }
    };
    let keywords = match fields.get("keywords") {
        Some((_, v)) => cx.string_list("keywords", v),
        None => Vec::new(),
    };
    let patterns = match fields.get("pattern") {
        Some((k, v)) => {
            if kind.is_some_and(|k| k != Kind::Secret) {
                cx.problem(cx.span(k), "`pattern` is only for secret rules");
            }
            parse_patterns(cx, v)
        }
        None => Vec::new(),
    };
    (references, keywords, patterns)
}

/// The required fields of a rule, each `None` when missing or invalid (with a problem).
struct Head {
    id: Option<String>,
    name: Option<String>,
    kind: Option<Kind>,
    severity: Option<Severity>,
    summary: Option<String>,
    rationale: Option<String>,
    remediation: Option<String>,
}

/// Reads and validates the required fields: id, name, kind, severity and the prose.
fn parse_head(cx: &mut Ctx<'_>, fields: &Fields<'_>) -> Head {
    let required = |cx: &mut Ctx<'_>, name: &str| -> Option<String> {
        match fields.get(name) {
            Some((_, v)) => cx.string(name, v),
            None => {
                cx.problem(0..0, format!("missing required field `{name}`"));
                None
            }
        }
    };
    let id = required(cx, "id");
    let name = required(cx, "name");
    let kind_s = required(cx, "kind");
    let severity_s = required(cx, "severity");
    let summary = required(cx, "summary");
    let rationale = required(cx, "rationale");
    let remediation = required(cx, "remediation");

    let kind = kind_s.as_deref().and_then(|k| match k {
        "secret" => Some(Kind::Secret),
        "config" => Some(Kind::Config),
        "account" => Some(Kind::Account),
        other => {
            let span = fields.get("kind").map(|(_, v)| cx.span(v)).unwrap_or(0..0);
            cx.problem(
                span,
                format!("unknown kind `{other}` (expected secret, config or account)"),
            );
            None
        }
    });
    let severity = severity_s.as_deref().and_then(|s| {
        let parsed = Severity::parse(s);
        if parsed.is_none() {
            let span = fields
                .get("severity")
                .map(|(_, v)| cx.span(v))
                .unwrap_or(0..0);
            cx.problem(
                span,
                format!("unknown severity `{s}` (expected error, warning or info)"),
            );
        }
        parsed
    });
    if let (Some(id), Some(kind), Some((_, node))) = (&id, kind, fields.get("id")) {
        let letter = match kind {
            Kind::Secret => 'S',
            Kind::Config => 'C',
            Kind::Account => 'A',
        };
        let ok = id.len() == 4
            && id.starts_with(letter)
            && id.chars().skip(1).all(|c| c.is_ascii_digit());
        if !ok {
            cx.problem(
                cx.span(node),
                format!(
                    "id `{id}` must be `{letter}` and three digits for a {} rule",
                    kind.as_str()
                ),
            );
        }
    }
    if let (Some(name), Some((_, node))) = (&name, fields.get("name")) {
        let kebab = !name.is_empty()
            && name.split('-').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if !kebab {
            cx.problem(
                cx.span(node),
                format!("name `{name}` must be lowercase kebab-case"),
            );
        }
        for bad in ["avoid-", "use-", "prefer-", "no-"] {
            if name.starts_with(bad) {
                cx.problem(
                    cx.span(node),
                    format!("name `{name}` must describe the bad pattern (it reads as \"allow {name}\"), not start with `{bad}`"),
                );
            }
        }
    }
    if let (Some(summary), Some((_, node))) = (&summary, fields.get("summary")) {
        if summary.trim().contains('\n') {
            cx.problem(cx.span(node), "`summary` must be one line");
        }
    }
    Head {
        id,
        name,
        kind,
        severity,
        summary,
        rationale,
        remediation,
    }
}

/// The rule's `check` and `params`, validated against the check table: the check exists and
/// serves the rule's kind, every parameter is one of the check's with the right type. The
/// parameters the file does not set take the table's defaults.
fn parse_check<R>(
    cx: &mut Ctx<'_>,
    fields: &Fields<'_>,
    kind: Option<Kind>,
    checks: &[CheckDef<R>],
) -> (Option<String>, BTreeMap<String, Param>) {
    let mut def = None;
    let check = match fields.get("check") {
        Some((k, v)) => {
            let c = cx.string("check", v);
            if kind == Some(Kind::Secret) {
                cx.problem(cx.span(k), "`check` is only for config and account rules");
            } else if let Some(c) = &c {
                match find_check(checks, c) {
                    None => cx.problem(
                        cx.span(v),
                        format!("check `{c}` is not implemented by this build"),
                    ),
                    Some(d) => {
                        if let Some(kind) = kind.filter(|k| *k != d.kind) {
                            cx.problem(
                                cx.span(v),
                                format!(
                                    "check `{c}` serves {} rules, but this rule's `kind` is {}",
                                    d.kind.as_str(),
                                    kind.as_str()
                                ),
                            );
                        }
                        def = Some(d);
                    }
                }
            }
            c
        }
        None => None,
    };
    let mut params = BTreeMap::new();
    if let Some((pkey, v)) = fields.get("params") {
        if kind == Some(Kind::Secret) {
            cx.problem(
                cx.span(pkey),
                "`params` is only for config and account rules",
            );
        }
        match yaml::entries(v) {
            Some(es) => {
                for (pk, pv) in es {
                    let Some(k) = yaml::as_str(pk) else {
                        cx.problem(cx.span(pk), "parameter names must be strings");
                        continue;
                    };
                    let known = def.map(|d| d.params.iter().find(|p| p.name == k));
                    if let (Some(c), Some(d), Some(None)) = (&check, def, known) {
                        let names: Vec<&str> = d.params.iter().map(|p| p.name).collect();
                        cx.problem(
                            cx.span(pk),
                            if names.is_empty() {
                                format!("unknown parameter `{k}`: check `{c}` takes none")
                            } else {
                                format!(
                                    "unknown parameter `{k}` of check `{c}` (expected one of: {})",
                                    names.join(", ")
                                )
                            },
                        );
                        continue;
                    }
                    match param_value(pv) {
                        Some(val) => match known.flatten() {
                            Some(p) if !p.accepts(&val) => cx.problem(
                                cx.span(pv),
                                format!(
                                    "parameter `{k}` must be {}, found {}",
                                    p.type_name(),
                                    val.type_name()
                                ),
                            ),
                            _ => {
                                params.insert(k.to_string(), val);
                            }
                        },
                        None => cx.problem(
                            cx.span(pv),
                            format!("parameter `{k}` must be a whole number, a string or a list of strings"),
                        ),
                    }
                }
            }
            None => cx.problem(cx.span(v), "`params` must be a mapping"),
        }
    }
    for p in def.map_or(&[][..], |d| d.params) {
        params
            .entry(p.name.to_string())
            .or_insert_with(|| p.default_value());
    }
    (check, params)
}

/// A parameter's value: a whole number, a string, or a list of strings.
fn param_value(node: &MarkedYamlOwned) -> Option<Param> {
    use saphyr::{ScalarOwned, YamlDataOwned};
    match &node.data {
        YamlDataOwned::Value(ScalarOwned::Integer(i)) => u64::try_from(*i).ok().map(Param::Number),
        YamlDataOwned::Sequence(items) => items
            .iter()
            .map(|i| yaml::as_str(i).map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Param::List),
        _ => scalar_text(node).map(Param::Text),
    }
}

fn scalar_text(node: &MarkedYamlOwned) -> Option<String> {
    use saphyr::{ScalarOwned, YamlDataOwned};
    match &node.data {
        YamlDataOwned::Value(ScalarOwned::String(s)) => Some(s.clone()),
        YamlDataOwned::Value(ScalarOwned::Integer(i)) => Some(i.to_string()),
        YamlDataOwned::Value(ScalarOwned::FloatingPoint(f)) => Some(f.to_string()),
        YamlDataOwned::Value(ScalarOwned::Boolean(b)) => Some(b.to_string()),
        YamlDataOwned::Representation(s, _, _) => Some(s.clone()),
        _ => None,
    }
}

fn parse_patterns(cx: &mut Ctx<'_>, node: &MarkedYamlOwned) -> Vec<Shape> {
    let Some(items) = yaml::items(node) else {
        cx.problem(cx.span(node), "`pattern` must be a list of shapes");
        return Vec::new();
    };
    if items.is_empty() {
        cx.problem(cx.span(node), "`pattern` needs at least one shape");
    }
    let mut shapes = Vec::new();
    for item in items {
        let Some(entries) = yaml::entries(item) else {
            cx.problem(
                cx.span(item),
                "a shape must be a mapping with shape, regex and context",
            );
            continue;
        };
        let (mut name, mut regex_src, mut context) = (None, None, None);
        for (k, v) in entries {
            match yaml::as_str(k) {
                Some("shape") => name = cx.string("shape", v),
                Some("regex") => {
                    regex_src = cx.string("regex", v).and_then(|src| {
                        match regex::bytes::Regex::new(&src) {
                            Ok(re) => Some((src, re)),
                            Err(e) => {
                                let msg = e.to_string();
                                let first = msg.lines().last().unwrap_or("invalid").trim().to_string();
                                cx.problem(cx.span(v), format!("invalid regex: {first}"));
                                None
                            }
                        }
                    })
                }
                Some("context") => {
                    context = cx.string("context", v).and_then(|c| {
                        let parsed = ContextLevel::parse(&c);
                        if parsed.is_none() {
                            cx.problem(
                                cx.span(v),
                                format!("unknown context `{c}` (expected anywhere, wandb, assignment or token-cache)"),
                            );
                        }
                        parsed
                    })
                }
                Some(other) => cx.problem(
                    cx.span(k),
                    format!("unknown field `{other}` in a shape (expected shape, regex, context)"),
                ),
                None => cx.problem(cx.span(k), "field names must be strings"),
            }
        }
        let span = cx.span(item);
        match (name, regex_src, context) {
            (Some(name), Some((regex_src, regex)), Some(context)) => shapes.push(Shape {
                name,
                regex_src,
                regex,
                context,
            }),
            (n, r, c) => {
                let mut missing = Vec::new();
                if n.is_none() {
                    missing.push("shape");
                }
                if r.is_none() {
                    missing.push("regex");
                }
                if c.is_none() {
                    missing.push("context");
                }
                cx.problem(
                    span,
                    format!("shape is missing or has an invalid {}", missing.join(", ")),
                );
            }
        }
    }
    shapes
}

/// The examples of a rule. Secret and configuration examples are a file (`path`, `content`,
/// optionally a `registry`); account examples are a `registry`, optionally `audit_log` lines,
/// and the `as_of` date they are judged on.
fn parse_examples<R: CheckInputs>(
    cx: &mut Ctx<'_>,
    field: &str,
    node: Option<&MarkedYamlOwned>,
    account: bool,
) -> Vec<Example> {
    let Some(node) = node else {
        cx.problem(
            0..0,
            format!("missing required field `{field}` (every rule needs at least one)"),
        );
        return Vec::new();
    };
    let Some(items) = yaml::items(node) else {
        cx.problem(cx.span(node), format!("`{field}` must be a list"));
        return Vec::new();
    };
    if items.is_empty() {
        cx.problem(cx.span(node), format!("`{field}` needs at least one entry"));
    }
    let mut out = Vec::new();
    for item in items {
        let span = cx.span(item);
        let line = cx.line_of(span.start);
        let Some(entries) = yaml::entries(item) else {
            cx.problem(
                span,
                format!("an entry of `{field}` must be a mapping with path and content"),
            );
            continue;
        };
        let (mut path, mut content, mut expect, mut registry) = (None, None, None, None);
        let (mut audit_log, mut as_of) = (None, None);
        for (k, v) in entries {
            match yaml::as_str(k) {
                Some("path") => path = cx.string("path", v),
                Some("content") => content = cx.string("content", v),
                Some("registry") => match R::read_registry(&cx.string("registry", v).unwrap_or_default()) {
                    Ok(()) => registry = yaml::as_str(v).map(str::to_string),
                    Err(e) => cx.problem(cx.span(v), format!("`registry` is not a valid registry: {e}")),
                },
                Some("audit_log") => {
                    audit_log = cx.string("audit_log", v);
                    for (i, line) in audit_log.iter().flat_map(|l| l.lines()).enumerate() {
                        if !line.trim().is_empty() {
                            if let Err(e) = R::read_audit_line(line.as_bytes()) {
                                cx.problem(cx.span(v), format!("`audit_log` line {}: {e}", i + 1));
                            }
                        }
                    }
                }
                Some("as_of") => {
                    as_of = scalar_text(v);
                    if !as_of.as_deref().is_some_and(R::is_date) {
                        cx.problem(cx.span(v), "`as_of` must be a date (YYYY-MM-DD)");
                    }
                }
                Some("expect") => match scalar_text(v).and_then(|s| s.parse::<usize>().ok()) {
                    Some(n) => expect = Some(n),
                    None => cx.problem(cx.span(v), "`expect` must be a whole number"),
                },
                Some(other) => cx.problem(
                    cx.span(k),
                    format!(
                        "unknown field `{other}` in an example (expected path, content, expect, registry, audit_log, as_of)"
                    ),
                ),
                None => cx.problem(cx.span(k), "field names must be strings"),
            }
        }
        if let Some(c) = &content {
            if let Err(bad) = super::fakes::check_placeholders(c) {
                cx.problem(span.clone(), format!("unknown key placeholder `{bad}`"));
            }
        }
        let complete = if account {
            registry.is_some() && as_of.is_some()
        } else {
            path.is_some() && content.is_some()
        };
        if !complete {
            let needs = if account {
                "of an account rule needs `registry` and `as_of`"
            } else {
                "needs `path` and `content`"
            };
            cx.problem(span, format!("an entry of `{field}` {needs}"));
            continue;
        }
        out.push(Example {
            path: path.unwrap_or_else(|| "registry.yaml".to_string()),
            content: content.unwrap_or_default(),
            expect,
            registry,
            audit_log,
            as_of,
            line,
        });
    }
    out
}

/// Problems that concern the catalogue as a whole (duplicate ids or names).
fn catalogue_problems(rules: &[Rule], texts: &HashMap<String, String>) -> Vec<RuleProblem> {
    let mut problems = Vec::new();
    let mut ids: HashMap<&str, &str> = HashMap::new();
    let mut names: HashMap<&str, &str> = HashMap::new();
    for r in rules {
        let text = texts.get(&r.source).cloned().unwrap_or_default();
        if let Some(first) = ids.insert(&r.id, &r.source) {
            problems.push(RuleProblem {
                path: r.source.clone(),
                text: text.clone(),
                span: 0..0,
                message: format!("rule id `{}` is also used by `{first}`", r.id),
            });
        }
        if let Some(first) = names.insert(&r.name, &r.source) {
            problems.push(RuleProblem {
                path: r.source.clone(),
                text,
                span: 0..0,
                message: format!("rule name `{}` is also used by `{first}`", r.name),
            });
        }
    }
    problems
}

fn build<R: CheckInputs>(
    files: Vec<(String, String)>,
    checks: &[CheckDef<R>],
) -> (RuleSet, Vec<RuleProblem>) {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    let mut texts = HashMap::new();
    for (path, text) in files {
        match parse_rule_file(&path, &text, checks) {
            Ok(rule) => rules.push(rule),
            Err(mut p) => problems.append(&mut p),
        }
        texts.insert(path, text);
    }
    problems.extend(catalogue_problems(&rules, &texts));
    (RuleSet::new(rules), problems)
}

/// The built-in catalogue, validated against the check table `checks`
/// (`crate::checks::CHECKS`). Its validity is proved by the test suite, so problems here mean
/// a broken build; they are returned rather than panicking.
pub fn load_embedded<R: CheckInputs>(checks: &[CheckDef<R>]) -> (RuleSet, Vec<RuleProblem>) {
    build(
        EMBEDDED_RULES
            .iter()
            .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
            .collect(),
        checks,
    )
}

/// Loads rule files given as (shown path, text), validated against the check table `checks`
/// (the files of a rule folder, read by the caller).
pub fn load_files<R: CheckInputs>(
    files: Vec<(String, String)>,
    checks: &[CheckDef<R>],
) -> (RuleSet, Vec<RuleProblem>) {
    build(files, checks)
}
