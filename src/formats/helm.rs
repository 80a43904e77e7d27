//! Helm chart templates: YAML with Go template directives (`{{ .Values.x }}`, `{{- if }}`,
//! `{{- include "x" . | nindent 8 }}`). They are read as manifests once the directives are
//! neutralised, byte for byte so that every span still points into the template:
//!
//! - a line holding only directives (control: `if`, `range`, `end`; output of whole blocks:
//!   `toYaml`, `include ... | nindent`) becomes blank;
//! - a directive among other text becomes a shell-style reference of the same length,
//!   `{{ .Values.x }}` → `${__Values_x__}`, which YAML reads as a plain string and the shell
//!   reader as a variable; a variable whose value holds one is a reference to the expression
//!   (`Value::Secret(".Values.x")`), and scope labels show the expression again.
//!
//! The bodies of `define` blocks are dropped (they render elsewhere). The template is read
//! with every branch of its conditionals, then, when it has `else` branches, with only the
//! last branch of each `if`/`else` (a key set in both branches is read from each). A
//! template that still does not read as YAML gives nothing: it is not YAML, and its text was
//! scanned by the secret rules all the same.

use super::{ConfigDoc, Format, Value};
use crate::yaml::tree::{self, Node, NodeKind};
use crate::yaml::Limits;

/// A chart's values file (`values.yaml` next to `Chart.yaml`), read for the plain `.Values`
/// references of the chart's templates.
#[derive(Debug, Clone)]
pub struct Values {
    /// The values file's display path, for messages.
    pub path: String,
    /// Its first document; `None` when it is not YAML (then nothing is known from it).
    root: Option<Node>,
    /// Where its lines start, for the line of a value.
    lines: Vec<usize>,
}

impl Values {
    /// The values file at display path `path`, holding `text`, loaded under `limits`.
    pub fn parse(path: &str, text: &str, limits: &Limits) -> Self {
        let root = tree::load(text, limits)
            .ok()
            .and_then(|docs| docs.into_iter().next());
        Self {
            path: path.to_string(),
            root,
            lines: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        }
    }

    /// The value at the dotted `keys` (`["wandb", "entity"]`).
    fn get(&self, keys: &[&str]) -> Rendered {
        let Some(mut node) = self.root.as_ref() else {
            return Rendered::Unknown;
        };
        for k in keys {
            match tree::get(node, k) {
                Some(n) => node = n,
                None => return Rendered::Missing,
            }
        }
        let line = self.lines.partition_point(|s| *s <= node.span.start);
        let from = format!("`{}` line {line}", self.path);
        match (&node.kind, tree::scalar_text(node)) {
            (NodeKind::Scalar(..), Some(s)) if s.is_empty() => Rendered::Empty(from),
            (NodeKind::Scalar(..), Some(s)) => Rendered::Text(s, from),
            _ => Rendered::Unknown,
        }
    }
}

/// What a template expression renders, as far as the chart's files tell.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rendered {
    /// A scalar, and where it was set (the values file and line, or the template's `default`).
    Text(String, String),
    /// Empty (`""` or null in the values, no default), and where it was set.
    Empty(String),
    /// Not known from the files: not a scalar, `required`, or any function other than the
    /// plain ones.
    Unknown,
    /// Not in the values (it may be given at install): unknown, unless a `default` applies.
    Missing,
}

/// One word of a template pipeline stage: a string literal or a bare word.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    Str(String),
    Bare(String),
}

/// The words of one pipeline stage; `None` for anything not plain (parentheses, an unclosed
/// string).
fn stage_words(stage: &str) -> Option<Vec<Word>> {
    let mut out = Vec::new();
    let mut chars = stage.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '(' || c == ')' {
            return None;
        }
        if c == '"' || c == '`' {
            chars.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some(d) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && c == '"' {
                    s.push(chars.next()?);
                } else {
                    s.push(d);
                }
            }
            if !closed {
                return None;
            }
            out.push(Word::Str(s));
            continue;
        }
        let mut w = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_whitespace() || d == '"' || d == '`' || d == '(' || d == ')' {
                break;
            }
            w.push(d);
            chars.next();
        }
        out.push(Word::Bare(w));
    }
    Some(out)
}

/// The stages of a pipeline (`a | b "x" | c`), split at `|` outside strings.
fn pipeline(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quote) = (0, None);
    let mut escaped = false;
    for (i, c) in expr.char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), _) if c == q && !escaped => quote = None,
            (None, '"' | '`') => quote = Some(c),
            (None, '|') => {
                out.push(expr.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
        escaped = false;
    }
    out.push(expr.get(start..).unwrap_or(""));
    out
}

/// The keys of a plain values path (`.Values.a.b`, `$.Values.a.b`).
fn values_path(word: &str) -> Option<Vec<&str>> {
    let rest = word
        .strip_prefix(".Values.")
        .or_else(|| word.strip_prefix("$.Values."))?;
    let keys: Vec<&str> = rest.split('.').collect();
    keys.iter()
        .all(|k| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then_some(keys)
}

/// What one plain function does to the value piped into it (`quote`, `squote`, `toString`,
/// `default "x"`, `required "msg"`); `None` for any other.
fn apply(function: &str, args: &[Word], value: Rendered) -> Option<Rendered> {
    let blank = matches!(value, Rendered::Empty(_) | Rendered::Missing);
    match (function, args) {
        ("quote" | "squote" | "toString", []) => Some(value),
        ("default", [arg]) => {
            let fallback = match arg {
                Word::Str(s) => s.clone(),
                // A number or a boolean; a path or a variable is not known here.
                Word::Bare(b)
                    if b.parse::<f64>().is_ok() || matches!(b.as_str(), "true" | "false") =>
                {
                    b.clone()
                }
                Word::Bare(_) => return None,
            };
            Some(if blank {
                Rendered::Text(fallback, "the template's `default`".to_string())
            } else {
                value
            })
        }
        // An empty or missing value fails the install: it is given then.
        ("required", [Word::Str(_)]) => Some(if blank { Rendered::Unknown } else { value }),
        _ => None,
    }
}

/// What a template expression renders from the chart's `values`, when the expression is a
/// plain values path, optionally through plain functions (in either form:
/// `.Values.a | default "x" | quote`, `default "x" .Values.a`, `required "m" .Values.a`).
/// A missing key renders [`Rendered::Unknown`] (it may be given at install), so does any
/// expression that is not plain; a `default` applies when the value is empty or missing.
fn render(expr: &str, values: &[Values]) -> Rendered {
    render_plain(expr, values).unwrap_or(Rendered::Unknown)
}

fn render_plain(expr: &str, values: &[Values]) -> Option<Rendered> {
    let mut stages = pipeline(expr).into_iter();
    let first = stage_words(stages.next()?)?;
    let (Word::Bare(last), before) = first.split_last()? else {
        return None;
    };
    let keys = values_path(last)?;
    let mut value = values
        .iter()
        .map(|v| v.get(&keys))
        .find(|r| *r != Rendered::Missing)
        .unwrap_or(Rendered::Missing);
    // The first stage may be a function whose last argument is the path.
    if let Some((Word::Bare(function), args)) = before.split_first() {
        value = apply(function, args, value)?;
    } else if !before.is_empty() {
        return None;
    }
    for stage in stages {
        let words = stage_words(stage)?;
        let (Word::Bare(function), args) = words.split_first()? else {
            return None;
        };
        value = apply(function, args, value)?;
    }
    Some(match value {
        Rendered::Missing => Rendered::Unknown,
        v => v,
    })
}

/// Whether a YAML text is a Helm template: it has directives that only Helm writes (`.Values`,
/// `.Release`, `.Chart`, whitespace trimming `{{-`, `include`, `end`). Argo's `{{inputs.x}}`
/// and `{{workflow.name}}` are not.
pub fn claims(text: &str) -> bool {
    if !text.contains("{{") {
        return false;
    }
    [
        "{{ .Values",
        "{{.Values",
        ".Values.",
        "{{ .Release",
        ".Release.",
        ".Chart.",
        "{{-",
        "-}}",
        "{{ end",
        "{{ include",
        "{{ if ",
        "{{ range ",
        "{{ $",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// One directive: its byte range (braces included).
struct Directive {
    start: usize,
    end: usize,
}

/// Which branches of the template's conditionals are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branches {
    /// Every branch (the first wins where two set the same key).
    All,
    /// Of each `if` with an `else`, only the last branch.
    Last,
}

/// The first word of a directive (`if`, `else`, `end`, `define`...), trim markers dropped.
fn keyword(text: &str, d: &Directive) -> &'static str {
    let inner = text
        .get(d.start + 2..d.end - 2)
        .unwrap_or("")
        .trim_matches(|c: char| c == '-' || c.is_whitespace());
    let word = inner.split_whitespace().next().unwrap_or("");
    match word {
        "if" => "if",
        "else" => "else",
        "end" => "end",
        "range" | "with" => "range",
        "define" | "block" => "define",
        _ => "",
    }
}

/// Byte ranges the template does not render where it stands: the bodies of `define` blocks
/// (named templates), and with [`Branches::Last`] every branch but the last of an `if` that
/// has an `else`.
fn dropped(text: &str, found: &[Directive], branches: Branches) -> Vec<(usize, usize)> {
    // Open blocks: (keyword, start of the block, ends of its branch directives so far).
    let mut open: Vec<(&str, usize, Vec<usize>)> = Vec::new();
    let mut out = Vec::new();
    for d in found {
        match keyword(text, d) {
            kw @ ("if" | "range" | "define") => open.push((kw, d.start, vec![d.end])),
            "else" => {
                if let Some(top) = open.last_mut() {
                    top.2.push(d.start);
                    top.2.push(d.end);
                }
            }
            "end" => {
                let Some((kw, start, marks)) = open.pop() else {
                    continue;
                };
                if kw == "define" {
                    out.push((start, d.end));
                } else if kw == "if" && branches == Branches::Last && marks.len() > 1 {
                    // marks: end of `if`, then (start, end) of each `else`: drop from the
                    // `if` to the last `else`.
                    if let Some(last_else) = marks.get(marks.len() - 2) {
                        out.push((start, *last_else));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The directives of a template, in order; an unclosed `{{` ends the search.
fn directives(text: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text.get(at..).and_then(|t| t.find("{{")) {
        let start = at + open;
        let Some(close) = text.get(start + 2..).and_then(|t| t.find("}}")) else {
            break;
        };
        let end = start + 2 + close + 2;
        out.push(Directive { start, end });
        at = end;
    }
    out
}

/// Each inline placeholder with the expression it stands for.
type Placeholders = Vec<(String, String)>;

/// The template with every directive neutralised (same length, same line breaks), and each
/// inline placeholder with the expression it stands for.
pub fn neutralise(text: &str, branches: Branches) -> (String, Placeholders) {
    let (neutral, placeholders, _) = neutralise_with_blocks(text, branches);
    (neutral, placeholders)
}

/// [`neutralise`], with the directives that rendered a block of YAML of their own on a line
/// (`{{- toYaml .Values.env | nindent 12 }}`, `{{ include "x.env" . }}`) that became blank:
/// their start and expression.
fn neutralise_with_blocks(
    text: &str,
    branches: Branches,
) -> (String, Placeholders, Vec<(usize, String)>) {
    let found = directives(text);
    let bytes = text.as_bytes();
    let drops = dropped(text, &found, branches);
    let found: Vec<Directive> = found
        .into_iter()
        .filter(|d| !drops.iter().any(|(a, b)| *a <= d.start && d.end <= *b))
        .collect();
    let mut covered = vec![false; bytes.len()];
    for d in &found {
        if let Some(c) = covered.get_mut(d.start..d.end) {
            c.iter_mut().for_each(|c| *c = true);
        }
    }
    // Line starts, found once: a long line holding many directives is looked up by binary
    // search, not scanned again for each.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |i: usize| starts.partition_point(|s| *s <= i).saturating_sub(1);
    let line_start = |i: usize| starts.get(line_of(i)).copied().unwrap_or(0);
    let line_end = |i: usize| {
        starts
            .get(line_of(i) + 1)
            .map_or(text.len(), |next| next.saturating_sub(1))
    };
    // Whether a line holds only directives and blanks, decided once per line.
    let mut alone_lines: std::collections::HashMap<(usize, usize), bool> =
        std::collections::HashMap::new();
    let mut out = bytes.to_vec();
    let mut placeholders = Vec::new();
    let mut blocks = Vec::new();
    for d in &found {
        let inner = text
            .get(d.start + 2..d.end - 2)
            .unwrap_or("")
            .trim_matches(|c: char| c == '-' || c.is_whitespace())
            .to_string();
        let (a, b) = (line_start(d.start), line_end(d.end));
        let alone = *alone_lines.entry((a, b)).or_insert_with(|| {
            covered
                .get(a..b)
                .zip(bytes.get(a..b))
                .is_some_and(|(c, t)| {
                    c.iter()
                        .zip(t)
                        .all(|(c, t)| *c || matches!(t, b' ' | b'\t' | b'\r'))
                })
        });
        let Some(span) = out.get_mut(d.start..d.end) else {
            continue;
        };
        if alone {
            for o in span.iter_mut().filter(|o| !matches!(**o, b'\n' | b'\r')) {
                *o = b' ';
            }
            let output = keyword(text, d).is_empty()
                && !inner.starts_with("/*")
                && !(inner.starts_with('$') && inner.contains('='));
            if output {
                blocks.push((d.start, inner));
            }
            continue;
        }
        // `{{ inner }}` → `${_inner_}`: a name of word characters; `}}` becomes `_}`.
        let last = span.len().saturating_sub(1);
        for (i, o) in span.iter_mut().enumerate() {
            *o = match i {
                0 => b'$',
                1 => b'{',
                _ if i == last => b'}',
                _ if o.is_ascii_alphanumeric() => *o,
                _ => b'_',
            };
        }
        placeholders.push((String::from_utf8_lossy(span).into_owned(), inner));
    }
    for (a, b) in drops {
        for o in out
            .get_mut(a..b)
            .into_iter()
            .flatten()
            .filter(|o| !matches!(**o, b'\n' | b'\r'))
        {
            *o = b' ';
        }
    }
    // Every byte replaced was inside a directive, which starts and ends at ASCII braces, so
    // the text stays UTF-8; should it not, the template is left unread.
    (
        String::from_utf8(out).unwrap_or_default(),
        placeholders,
        blocks,
    )
}

/// The lines of the container `env` list that holds the variable at `at`: from the line after
/// `env:` to the last line indented under it, with the indentation of `env:`. Text-based, on
/// the neutralised template.
fn env_block(neutral: &str, at: usize) -> Option<(std::ops::Range<usize>, usize)> {
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '-']).len();
    let start_of = |i: usize| {
        neutral
            .get(..i)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |p| p + 1)
    };
    let mut line = start_of(at);
    let item = indent(neutral.get(line..at)?);
    // Up to `env:`: blank lines and lines indented at least as deep as the item are inside.
    let env_line = loop {
        if line == 0 {
            return None;
        }
        line = start_of(line - 1);
        let l = neutral.get(line..)?.lines().next().unwrap_or("");
        if l.trim().is_empty() || indent(l) >= item {
            continue;
        }
        if l.trim_start().starts_with("env:") {
            break line;
        }
        return None;
    };
    let env_indent = indent(neutral.get(env_line..)?.lines().next().unwrap_or(""));
    let body = env_line + neutral.get(env_line..)?.find('\n')? + 1;
    let mut end = body;
    for l in neutral.get(body..)?.split_inclusive('\n') {
        let lead = l.len() - l.trim_start().len();
        let inside = l.trim().is_empty()
            || l.trim_start().starts_with('#')
            || lead > env_indent
            || (lead == env_indent && l.trim_start().starts_with('-'));
        if !inside {
            break;
        }
        end += l.len();
    }
    Some((body..end, env_indent))
}

/// Reads a template as the manifest its neutralised text is, with the plain `.Values`
/// references of its `env` values rendered from the chart's `values` files (the first that
/// sets a key wins; none when the chart is not known).
pub fn read(text: &str, values: &[Values], limits: &Limits) -> ConfigDoc {
    let Some(mut doc) = read_branches(text, Branches::All, values, limits) else {
        // Still not YAML once neutralised: the YAML error is kept, so that a template that
        // names W&B variables is reported (and fails CI mode) like any unreadable file.
        let (neutral, _, _) = neutralise_with_blocks(text, Branches::All);
        let mut doc = ConfigDoc::default();
        let _ = super::load_yaml(&neutral, &mut doc, limits);
        if doc.error.is_none() {
            doc.error = Some((
                "the template is not YAML once its directives are set aside".to_string(),
                0,
            ));
        }
        return doc;
    };
    // The `else` branches where an `if` branch set the same keys: their scopes too, once.
    if text.contains("else") {
        let key = |s: &super::Scope| {
            let vars: Vec<_> = s.vars.iter().map(|v| v.name_span.clone()).collect();
            let commands: Vec<_> = s.commands.iter().map(|c| c.span.clone()).collect();
            (s.label.clone(), s.span.clone(), vars, commands)
        };
        if let Some(other) = read_branches(text, Branches::Last, values, limits) {
            let seen: Vec<_> = doc.scopes.iter().map(key).collect();
            for scope in other.scopes {
                if !seen.contains(&key(&scope)) {
                    doc.scopes.push(scope);
                }
            }
        }
    }
    doc
}

/// The template read with `branches` kept; `None` when the result is still not YAML.
fn read_branches(
    text: &str,
    branches: Branches,
    values: &[Values],
    limits: &Limits,
) -> Option<ConfigDoc> {
    let (neutral, placeholders, blocks) = neutralise_with_blocks(text, branches);
    if neutral.len() != text.len() {
        return None;
    }
    let mut doc = super::kubernetes::read(&neutral, Format::Kubernetes, limits);
    // Not YAML even so: nothing to judge (the secret rules read the text).
    if doc.error.is_some() {
        return None;
    }
    let expression = |s: &str| {
        placeholders
            .iter()
            .find(|(p, _)| s.contains(p.as_str()))
            .map(|(p, e)| (s.trim_matches(['"', '\'']) == p, e.clone()))
    };
    for scope in &mut doc.scopes {
        if scope.label.contains("${") {
            for (p, e) in &placeholders {
                if scope.label.contains(p.as_str()) {
                    scope.label = scope.label.replace(p.as_str(), &format!("{{{{ {e} }}}}"));
                }
            }
        }
        for v in &mut scope.vars {
            if !matches!(v.value, Value::Literal(_) | Value::Secret(_)) {
                continue;
            }
            if let Some((alone, e)) = neutral.get(v.value_span.clone()).and_then(expression) {
                v.value = Value::Secret(e.clone());
                if alone {
                    from_values(v, &e, values);
                }
            }
        }
        env_blocks(scope, &neutral, &blocks);
    }
    Some(doc)
}

/// A block rendered into a container's `env` list (`toYaml .Values.env`, `include "x.env"`)
/// may set the entity: unknown content of the scope. A block line belongs to the list when it
/// lies among its lines and renders deeper than `env:` (where `nindent`/`indent` puts it, or
/// else where it stands), or at the items' own column when they stand at the column of
/// `env:` (unless it names another container key).
fn env_blocks(scope: &mut super::Scope, neutral: &str, blocks: &[(usize, String)]) {
    let first = scope
        .vars
        .iter()
        .filter(|v| v.origin.starts_with("container env"))
        .map(|v| v.name_span.start)
        .min();
    let Some(first) = first else {
        return;
    };
    let Some((env, indent)) = env_block(neutral, first) else {
        return;
    };
    let line_start = |at: usize| {
        neutral
            .get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |p| p + 1)
    };
    // The column of the first item's dash (`- name: X`), or of its first key.
    let items = {
        let start = line_start(first);
        let line = neutral.get(start..first).unwrap_or("");
        line.find('-').unwrap_or(line.len())
    };
    let renders_at = |at: usize, expr: &str| {
        let words: Vec<&str> = expr
            .split(|c: char| c.is_whitespace() || c == '|')
            .collect();
        words
            .windows(2)
            .find(|w| matches!(w.first(), Some(&"nindent" | &"indent")))
            .and_then(|w| w.get(1))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(at - line_start(at))
    };
    const OTHER_KEYS: &[&str] = &[
        "resources",
        "volumeMounts",
        "ports",
        "Probe",
        "probe",
        "securityContext",
        "lifecycle",
    ];
    let inside = |at: usize, expr: &str| {
        let col = renders_at(at, expr);
        env.contains(&at)
            && (col > indent
                || (col == indent
                    && items == indent
                    && !OTHER_KEYS.iter().any(|k| expr.contains(k))))
    };
    for (at, expr) in blocks.iter().filter(|(at, e)| inside(*at, e)) {
        let shown: String = expr.chars().filter(|c| !c.is_control()).take(60).collect();
        scope.unknown.push(super::Unknown {
            what: format!("`{{{{ {shown} }}}}` in the template's env"),
            span: *at..*at,
            file: None,
        });
    }
}

/// A variable whose value is the one expression `expr`, rendered from the chart's values: a
/// scalar becomes the value (its origin says where it was set), an empty one leaves the
/// variable empty, except a credential's (it is given at install: it stays a reference);
/// anything else stays a reference to the expression.
fn from_values(v: &mut super::Var, expr: &str, values: &[Values]) {
    let credential = v.name == super::API_KEY || v.name == super::TOKEN_FILE;
    // Messages name the values path, never the whole expression (a `default` may hold a key).
    let path = pipeline(expr)
        .first()
        .and_then(|s| stage_words(s))
        .and_then(|w| w.into_iter().last())
        .map_or(String::new(), |w| match w {
            Word::Bare(b) | Word::Str(b) => b,
        });
    match render(expr, values) {
        Rendered::Text(s, from) if !(credential && super::classify(&s) == Value::Empty) => {
            v.value = super::classify(&s);
            v.origin = format!("{}, `{path}` from {from}", v.origin);
        }
        Rendered::Empty(from) if !credential => {
            v.value = Value::Empty;
            v.origin = format!("{}, `{path}` empty in {from}", v.origin);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "{{- if .Values.enabled }}\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train-{{ .Release.Name }}\n  labels:\n    {{- include \"chart.labels\" . | nindent 4 }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: train\n          image: \"{{ .Values.image }}:{{ .Chart.AppVersion }}\"\n          env:\n            - name: WANDB_API_KEY\n              value: {{ .Values.wandb.apiKey | quote }}\n            {{- range .Values.extraEnv }}\n            - name: {{ .name }}\n              value: {{ .value }}\n            {{- end }}\n          args: [\"--project\", \"{{ .Values.project }}\"]\n{{- end }}\n";

    #[test]
    fn neutralised_text_keeps_every_offset() {
        let (neutral, placeholders) = neutralise(TEMPLATE, Branches::All);
        assert_eq!(neutral.len(), TEMPLATE.len());
        assert_eq!(neutral.lines().count(), TEMPLATE.lines().count());
        assert!(!neutral.contains("{{"));
        assert!(neutral.contains("  name: train-${__Release_Name__}\n"));
        assert!(neutral.starts_with("                         \napiVersion"));
        assert!(placeholders
            .iter()
            .any(|(_, e)| e == ".Values.wandb.apiKey | quote"));
    }

    #[test]
    fn template_containers_are_read_as_manifests() {
        assert!(claims(TEMPLATE));
        let doc = read(TEMPLATE, &[], &Limits::default());
        assert!(doc.error.is_none());
        assert_eq!(doc.scopes.len(), 1);
        let s = &doc.scopes[0];
        assert_eq!(
            s.label,
            "container `train` in Job `train-{{ .Release.Name }}`"
        );
        let key = s.var("WANDB_API_KEY").expect("key");
        assert_eq!(
            key.value,
            Value::Secret(".Values.wandb.apiKey | quote".into())
        );
        assert_eq!(&TEMPLATE[key.name_span.clone()], "WANDB_API_KEY");
    }

    #[test]
    fn crlf_and_odd_directives() {
        let crlf = TEMPLATE.replace('\n', "\r\n");
        let doc = read(&crlf, &[], &Limits::default());
        assert_eq!(doc.scopes.len(), 1);
        for text in [
            "{{",
            "}}{{",
            "a: {{ é }}\n",
            "{{- /* x\ny */ -}}\nkind: Pod\n",
            "{{}}",
        ] {
            let (n, _) = neutralise(text, Branches::Last);
            assert_eq!(n.len(), text.len(), "{text:?}");
            let _ = read(text, &[], &Limits::default());
        }
        assert!(!claims("value: \"{{inputs.parameters.key}}\"\n"));
    }

    #[test]
    fn else_branches_and_named_templates() {
        let text = "{{ define \"vols\" }}\n- name: x\n  {{ if .a }}\n  nfs: {}\n  {{ end }}\n{{ end }}\n{{ $c := .Values.cfg }}\napiVersion: batch/v1\nkind: Job\nmetadata: {name: train}\nspec:\n  template:\n    spec:\n      containers:\n      - name: pytorch\n        {{ if eq $c.wandbKey \"nil\" }}\n        command: [\"torchrun\"]\n        {{ else }}\n        command: [\"bash\", \"-c\"]\n        args:\n          - \"wandb login {{ $c.wandbKey }} && torchrun train.py\"\n        {{ end }}\n";
        let (all, _) = neutralise(text, Branches::All);
        assert!(all.lines().take(7).all(|l| l.trim().is_empty()), "{all}");
        assert_eq!(all.len(), text.len());
        let doc = read(text, &[], &Limits::default());
        assert_eq!(doc.scopes.len(), 2, "{:#?}", doc.scopes);
        let login = doc.scopes[1]
            .commands
            .iter()
            .any(|c| !c.logins().is_empty());
        assert!(login, "the else branch logs in");
    }

    #[test]
    fn blocks_rendered_into_env_are_unknown_content() {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: t}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          env:\n            - name: WANDB_API_KEY\n              valueFrom:\n                secretKeyRef: {name: s, key: k}\n            {{- toYaml .Values.env | nindent 12 }}\n          {{- include \"x.resources\" . | nindent 10 }}\n        - name: b\n          env:\n          - name: WANDB_API_KEY\n            value: {{ .Values.key }}\n          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n";
        let doc = read(text, &[], &Limits::default());
        assert_eq!(doc.scopes.len(), 2);
        let what: Vec<&str> = doc.scopes[0]
            .unknown
            .iter()
            .map(|u| u.what.as_str())
            .collect();
        assert_eq!(
            what,
            vec!["`{{ toYaml .Values.env | nindent 12 }}` in the template's env"]
        );
        assert!(doc.scopes[1].unknown.is_empty());
    }

    const VALUES: &str = "wandb:\n  entity: my-team\n  apiKey: k3y-in-values-1234\n  empty: \"\"\n  nothing:\n  map: {a: 1}\n";

    #[test]
    fn plain_values_references_render() {
        let v = [Values::parse(
            "chart/values.yaml",
            VALUES,
            &Limits::default(),
        )];
        let text = |s: &str, line: usize| {
            Rendered::Text(s.to_string(), format!("`chart/values.yaml` line {line}"))
        };
        let default = |s: &str| Rendered::Text(s.to_string(), "the template's `default`".into());
        for (expr, want) in [
            (".Values.wandb.entity", text("my-team", 2)),
            ("$.Values.wandb.entity | quote", text("my-team", 2)),
            ("quote .Values.wandb.apiKey", text("k3y-in-values-1234", 3)),
            (
                ".Values.wandb.entity | toString | squote",
                text("my-team", 2),
            ),
            ("default \"x\" .Values.wandb.empty", default("x")),
            (
                ".Values.wandb.absent | default \"a|b\" | quote",
                default("a|b"),
            ),
            ("default \"x\" .Values.wandb.entity", text("my-team", 2)),
            (
                ".Values.wandb.empty",
                Rendered::Empty("`chart/values.yaml` line 4".into()),
            ),
            (
                ".Values.wandb.nothing",
                Rendered::Empty("`chart/values.yaml` line 5".into()),
            ),
            (
                "required \"set it\" .Values.wandb.entity",
                text("my-team", 2),
            ),
            ("required \"set it\" .Values.wandb.empty", Rendered::Unknown),
            (".Values.wandb.map", Rendered::Unknown),
            (".Values.wandb.absent", Rendered::Unknown),
            (".Values.wandb.entity.deeper", Rendered::Unknown),
            (".Values.wandb.entity | upper", Rendered::Unknown),
            ("(.Values.wandb.entity)", Rendered::Unknown),
            ("default .Values.x .Values.wandb.empty", Rendered::Unknown),
            ("include \"x\" .", Rendered::Unknown),
            ("default \"unclosed .Values.wandb.entity", Rendered::Unknown),
            ("", Rendered::Unknown),
        ] {
            assert_eq!(render(expr, &v), want, "{expr}");
        }
        // No chart known: a `default` still applies, nothing else is known.
        assert_eq!(render(".Values.k | default \"x\"", &[]), default("x"));
        assert_eq!(render(".Values.k", &[]), Rendered::Unknown);
        // A values file that is not YAML tells nothing.
        let broken = [Values::parse("v.yaml", "a: [", &Limits::default())];
        assert_eq!(render(".Values.a", &broken), Rendered::Unknown);
    }

    #[test]
    fn values_feed_env_values() {
        let v = [Values::parse(
            "chart/values.yaml",
            VALUES,
            &Limits::default(),
        )];
        let text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      env:\n        - name: WANDB_API_KEY\n          value: {{ .Values.wandb.apiKey | quote }}\n        - name: WANDB_ENTITY\n          value: \"{{ .Values.wandb.empty }}\"\n    - name: b\n      env:\n        - name: WANDB_API_KEY\n          value: {{ .Values.wandb.empty }}\n        - name: WANDB_ENTITY\n          value: {{ .Values.wandb.entity }}-suffix\n    - name: c\n      env:\n        - name: WANDB_API_KEY\n          value: {{ .Values.wandb.x | default \"k3y-default-99\" }}\n        - name: WANDB_ENTITY\n          value: {{ .Values.wandb.entity }}\n";
        let doc = read(text, &v, &Limits::default());
        let [a, b, c] = &doc.scopes[..] else {
            panic!("{:#?}", doc.scopes)
        };
        let key = a.var("WANDB_API_KEY").expect("key");
        assert_eq!(key.value, Value::Literal("k3y-in-values-1234".into()));
        assert!(
            key.origin
                .contains("`.Values.wandb.apiKey` from `chart/values.yaml` line 3"),
            "{}",
            key.origin
        );
        assert_eq!(a.var("WANDB_ENTITY").expect("entity").value, Value::Empty);
        // An empty key is given at install; text around an expression is not plain.
        assert!(matches!(
            b.var("WANDB_API_KEY").expect("k").value,
            Value::Secret(_)
        ));
        assert!(matches!(
            b.var("WANDB_ENTITY").expect("e").value,
            Value::Secret(_)
        ));
        let key = c.var("WANDB_API_KEY").expect("key");
        assert_eq!(key.value, Value::Literal("k3y-default-99".into()));
        assert!(!key.origin.contains("k3y"), "{}", key.origin);
        assert_eq!(
            c.var("WANDB_ENTITY").expect("e").value,
            Value::Literal("my-team".into())
        );
    }

    #[test]
    fn include_at_the_items_column_is_env_content() {
        let text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    env:\n    - name: WANDB_API_KEY\n      valueFrom: {secretKeyRef: {name: s, key: k}}\n    # shared\n    {{- include \"x.env\" . | nindent 4 }}\n    - name: WANDB_PROJECT\n      value: p\n    resources:\n      {{- toYaml .Values.resources | nindent 6 }}\n  - name: b\n    env:\n    - name: WANDB_API_KEY\n      valueFrom: {secretKeyRef: {name: s, key: k}}\n{{ include \"x.env\" . | indent 4 }}\n  - name: c\n    env:\n    - name: WANDB_API_KEY\n      valueFrom: {secretKeyRef: {name: s, key: k}}\n    {{- include \"x.resources\" . | nindent 4 }}\n";
        let doc = read(text, &[], &Limits::default());
        assert_eq!(doc.scopes.len(), 3, "{:#?}", doc.scopes);
        let unknown: Vec<usize> = doc.scopes.iter().map(|s| s.unknown.len()).collect();
        assert_eq!(unknown, vec![1, 1, 0], "{:#?}", doc.scopes);
        assert!(doc.scopes[0].var("WANDB_PROJECT").is_some());
    }

    #[test]
    fn every_prefix_and_splice_reads_without_panic() {
        let text = "{{- if .Values.a }}\nkind: Pod\nmetadata: {name: \"p-{{ .Release.Name }}\"}\nspec:\n  containers:\n    - name: é\n      env:\n        - name: WANDB_API_KEY\n          value: {{ .Values.k | quote }}\n        {{- toYaml .Values.env | nindent 8 }}\n{{- else }}\nkind: Job\n{{- end }}\n";
        for cut in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let spliced = format!("{}ß\u{2028}{}", &text[..cut], &text[cut..]);
            for t in [&text[..cut], spliced.as_str()] {
                let doc = read(t, &[], &Limits::default());
                for v in doc.scopes.iter().flat_map(|s| &s.vars) {
                    assert!(t.get(v.name_span.clone()).is_some(), "{t:?}");
                    assert!(t.get(v.value_span.clone()).is_some(), "{t:?}");
                }
            }
        }
    }
}
