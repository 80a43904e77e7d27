//! The rule catalogue: one YAML file per rule under `rules/`, embedded at build time.
//!
//! Rules are parsed with positions, then validated into [`Rule`]; validation collects every
//! problem of a file (each with its byte span) instead of stopping at the first.

mod check_def;
pub mod docs;
mod explain;
pub mod fakes;
mod load;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

pub use check_def::{find_check, CheckDef, CheckInputs, ParamDef, ParamDefault};
pub(crate) use explain::explain;
pub use load::{load_embedded, load_files, parse_rule_file, RuleProblem};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Credentials in file content.
    Secret,
    /// CI / deployment / container configuration.
    Config,
    /// The service-account registry and audit logs.
    Account,
}

impl Kind {
    /// The lowercase name used in rule files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Config => "config",
            Kind::Account => "account",
        }
    }
}

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run with the default `--fail-on`.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// Parses `error`, `warning` (or `warn`) and `info`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much W&B context a key shape needs before it is reported. The levels name Rust logic
/// in `detect::context`; the rule file only chooses one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextLevel {
    /// Reported wherever it appears (the shape identifies W&B by itself).
    Anywhere,
    /// Reported in a W&B context: a W&B-named variable, a credential name near wandb,
    /// `wandb login`, a W&B netrc machine, a wandb settings file or section, a notebook using wandb.
    Wandb,
    /// Reported only when assigned directly to a W&B key name.
    Assignment,
    /// The `access_token` of a W&B federation token cache (`credentials.json`).
    TokenCache,
}

impl ContextLevel {
    /// Parses the kebab-case name used in rule files.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "anywhere" => Some(Self::Anywhere),
            "wandb" => Some(Self::Wandb),
            "assignment" => Some(Self::Assignment),
            "token-cache" => Some(Self::TokenCache),
            _ => None,
        }
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anywhere => "anywhere",
            Self::Wandb => "wandb",
            Self::Assignment => "assignment",
            Self::TokenCache => "token-cache",
        }
    }
}

/// One key shape of a secret rule.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Short name (`v1`, `legacy`, ...), shown in messages.
    pub name: String,
    /// The regex as written in the rule file.
    pub regex_src: String,
    /// The compiled regex (bytes, so invalid UTF-8 never stops matching).
    pub regex: regex::bytes::Regex,
    /// The context this shape needs.
    pub context: ContextLevel,
}

/// A parameter value of a check (`unused-after: 90`, `deny: [...]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Param {
    /// A whole number (days, counts, lengths).
    Number(u64),
    /// A string (a regex, a word).
    Text(String),
    /// A list of strings.
    List(Vec<String>),
}

impl Param {
    /// What kind of value this is, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Param::Number(_) => "a whole number",
            Param::Text(_) => "a string",
            Param::List(_) => "a list of strings",
        }
    }
}

/// An example or counter-example of a rule: a file name and its content, with key placeholders.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// The file name the content is scanned as.
    pub path: String,
    /// The content, with `{{...}}` key placeholders (see [`fakes`]).
    pub content: String,
    /// The exact number of findings expected, if the rule file says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<usize>,
    /// A registry (the `--registry` format) to scan the example with, for the registry rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// Account rules: audit-log lines (newline-delimited JSON) to analyse with the registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<String>,
    /// Account rules: the date the example is judged on (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// 1-based line of the example in the rule file.
    #[serde(skip)]
    pub line: usize,
}

/// A validated rule.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Stable code, e.g. `S001`.
    pub id: String,
    /// Kebab-case name of the bad pattern, e.g. `committed-api-key`.
    pub name: String,
    /// What the rule looks at.
    pub kind: Kind,
    /// Default severity.
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// Why it matters.
    pub rationale: String,
    /// What to do.
    pub remediation: String,
    /// Documentation links.
    pub references: Vec<String>,
    /// Case-insensitive literals that a file must contain for context-dependent shapes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Key shapes (secret rules).
    #[serde(skip)]
    pub patterns: Vec<Shape>,
    /// The Rust check that implements the rule (config and account rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// Parameters of the check: the check table's defaults, overridden by the rule file, then
    /// by the configuration.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, Param>,
    /// Inputs that must produce a finding.
    pub examples: Vec<Example>,
    /// Inputs that must not.
    pub counter_examples: Vec<Example>,
    /// Where the rule came from (`rules/secrets/S001-committed-api-key.yaml`).
    pub source: String,
}

/// The project's home page.
pub const HOME: &str = "https://github.com/wandb-sa-lint/wandb-sa-lint";

/// Where the rule pages live (`docs/rules`, generated by `rules docs`, as GitHub renders them);
/// a finding's `url` is this plus the rule's page name.
pub const DOCS_BASE: &str = "https://github.com/wandb-sa-lint/wandb-sa-lint/blob/main/docs/rules/";

impl Rule {
    /// The documentation link of the rule: its readable page, not the YAML it is built from.
    pub fn url(&self) -> String {
        format!("{DOCS_BASE}{}", docs::page_name(self))
    }
}

/// The validated catalogue, in id order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Arc<Rule>>,
}

impl RuleSet {
    /// Builds a catalogue; rules are sorted by id.
    pub fn new(mut rules: Vec<Rule>) -> Self {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Self {
            rules: rules.into_iter().map(Arc::new).collect(),
        }
    }

    /// Every rule, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Rule>> {
        self.rules.iter()
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when the catalogue holds no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Looks a rule up by id (`S001`, any case) or name (`committed-api-key`).
    pub fn get(&self, key: &str) -> Option<&Arc<Rule>> {
        self.rules
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(key) || r.name == key)
    }

    /// Adds rules from another set; a rule with an id already present replaces it.
    pub fn extend(&mut self, other: RuleSet) {
        for rule in other.rules {
            if let Some(slot) = self.rules.iter_mut().find(|r| r.id == rule.id) {
                *slot = rule;
            } else {
                self.rules.push(rule);
            }
        }
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
    }
}

/// The catalogue as a Markdown table (`rules --format markdown`).
pub fn markdown_table(rules: &RuleSet) -> String {
    let mut s = String::from("| id | name | kind | severity | summary |\n|---|---|---|---|---|\n");
    for r in rules.iter() {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            r.id,
            r.name,
            r.kind.as_str(),
            r.severity,
            r.summary.replace('|', "\\|")
        ));
    }
    s
}

/// The rule `key` (an id or a name the catalogue does not have) was probably meant to name:
/// the one closest to it, ignoring case, when it is within two edits of that rule's id or
/// name and no other rule is as close. `None` when nothing is that close, or two rules are.
pub fn suggest<'r>(rules: &'r RuleSet, key: &str) -> Option<&'r Arc<Rule>> {
    let key = key.to_ascii_lowercase();
    let mut best: Option<(usize, &Arc<Rule>)> = None;
    let mut tied = false;
    for rule in rules.iter() {
        let d = strsim::levenshtein(&key, &rule.id.to_ascii_lowercase())
            .min(strsim::levenshtein(&key, &rule.name.to_ascii_lowercase()));
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, rule));
                tied = false;
            }
        }
    }
    best.filter(|(d, _)| *d <= 2 && !tied).map(|(_, r)| r)
}

/// `; did you mean `S001` (committed-api-key)?` for a key naming no rule, or nothing when no
/// rule is close: the tail of an "unknown rule" message.
pub fn did_you_mean(rules: &RuleSet, key: &str) -> String {
    suggest(rules, key).map_or_else(String::new, |r| {
        format!("; did you mean `{}` ({})?", r.id, r.name)
    })
}
