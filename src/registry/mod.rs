//! The organization's service-account registry: teams with members and
//! projects, and the service accounts with their scope, team, purpose, owner, uses and keys.
//! YAML or JSON. Loading reports every problem of the file at its line in one run; unknown
//! keys are problems. The configuration rules C101–C104 use it through [`Registry::linked`];
//! the audit analysis builds on the same model.

use std::path::Path;

use jiff::civil::Date;

use crate::yaml::tree::{self as yaml, Node, NodeKind};
use crate::yaml::{ByteSpan, Limits};

/// A team: its members (emails) and projects.
#[derive(Debug, Clone, Default)]
pub struct Team {
    /// The team's name (its W&B entity).
    pub name: String,
    /// Its W&B id (`entity_asset` in audit logs), when the registry gives it.
    pub id: Option<String>,
    /// Member emails.
    pub members: Vec<String>,
    /// The members' W&B user ids (`actor_user_id` in audit logs without emails).
    pub member_ids: Vec<String>,
    /// Projects by name.
    pub projects: Vec<Project>,
}

/// A project's visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Visible to the team.
    Team,
    /// Only the listed members (and accounts) may use it.
    Restricted,
    /// Anyone in the organization.
    Open,
    /// Anyone may view it; only its team writes to it.
    Public,
    /// Private to its owner.
    Private,
}

/// A project of a team.
#[derive(Debug, Clone)]
pub struct Project {
    /// Name.
    pub name: String,
    /// Its W&B id (`project_asset` in audit logs), when the registry gives it.
    pub id: Option<String>,
    /// Visibility.
    pub visibility: Visibility,
    /// For restricted projects: who is on the access list (emails or account names).
    pub members: Vec<String>,
}

/// An API key of an account.
#[derive(Debug, Clone, Default)]
pub struct ApiKey {
    /// Its name.
    pub name: String,
    /// Its id (never the key itself).
    pub id: String,
    /// Creation date.
    pub created: Option<Date>,
    /// Last use.
    pub last_used: Option<Date>,
    /// Where the entry is in the registry file.
    pub span: ByteSpan,
}

/// Organization- or team-scoped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountScope {
    /// Reaches every team's non-restricted projects.
    Organization,
    /// Reaches its team only.
    Team,
}

impl AccountScope {
    /// The registry's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountScope::Organization => "organization",
            AccountScope::Team => "team",
        }
    }
}

/// How an account authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// API keys.
    ApiKey,
    /// Identity federation (no keys).
    Federated,
}

impl Auth {
    /// The registry's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Auth::ApiKey => "api-key",
            Auth::Federated => "federated",
        }
    }
}

/// A service account entry.
#[derive(Debug, Clone)]
pub struct Account {
    /// Name.
    pub name: String,
    /// AccountScope.
    pub scope: Option<AccountScope>,
    /// Parent team, or the default team of an organization account.
    pub team: Option<String>,
    /// Authentication.
    pub auth: Option<Auth>,
    /// What it is for.
    pub purpose: Option<String>,
    /// Who answers for it.
    pub owner: Option<String>,
    /// Path globs and secret names of the automations that use it.
    pub used_by: Vec<String>,
    /// How it appears in audit logs.
    pub audit_ids: Vec<String>,
    /// Creation date.
    pub created: Option<Date>,
    /// Its keys.
    pub api_keys: Vec<ApiKey>,
    /// Where the entry is in the registry file.
    pub span: ByteSpan,
    /// Where each field's key is in the registry file (`scope`, `api_keys`, ...).
    pub keys: Vec<(String, ByteSpan)>,
}

impl Account {
    /// Where the field `name` is written, or the entry's first line when it is not.
    pub fn field_span(&self, name: &str) -> ByteSpan {
        self.keys
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, s)| s.clone())
            .unwrap_or(self.span.start..self.span.start)
    }
}

/// The loaded registry.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// The file it came from (display).
    pub path: String,
    /// Its text (for diagnostics that point into it).
    pub text: String,
    /// Where the `service_accounts` key is.
    pub accounts_key: Option<ByteSpan>,
    /// The organization's name.
    pub organization: Option<String>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Service accounts.
    pub accounts: Vec<Account>,
    /// The fields still holding the [`TODO`] marker (`registry init` and `sync` write it where
    /// a person must complete the entry): read as absent, and listed by `registry check`.
    pub todo: Vec<Todo>,
}

/// The marker of a value a person must still write: a value that starts with it is read as
/// absent (so the rules that need the field say so) and listed by `registry check`.
pub const TODO: &str = "TODO";

/// Whether a registry value is still the [`TODO`] marker.
pub fn is_todo(value: &str) -> bool {
    value.trim_start().starts_with(TODO)
}

/// A field left to complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Todo {
    /// The service account (its name as written, which may itself be a `TODO`).
    pub account: String,
    /// The field (`owner`, `api_keys[0].id`).
    pub field: String,
    /// What the marker says to write.
    pub hint: String,
    /// Where it is.
    pub span: ByteSpan,
}

/// One problem in the registry file.
#[derive(Debug, Clone)]
pub struct RegistryProblem {
    /// The file.
    pub path: String,
    /// Its text (for the diagnostic snippet), shared by every problem of the file: a copy
    /// per problem made a registry with many problems take gigabytes.
    pub text: std::sync::Arc<str>,
    /// Where.
    pub span: ByteSpan,
    /// What is wrong.
    pub message: String,
}

/// Why the registry could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RegistryError {
    /// Unreadable file.
    #[error("cannot read registry `{path}`: {message}")]
    #[diagnostic(code(registry::read))]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        message: String,
    },
    /// Problems in the file (each is reported on its own).
    #[error("{} problem{} in registry `{path}`", problems.len(), if problems.len() == 1 { "" } else { "s" })]
    #[diagnostic(code(registry::invalid))]
    Invalid {
        /// The file.
        path: String,
        /// Every problem found.
        problems: Vec<RegistryProblem>,
    },
}

/// A mapping key's text as [`yaml::scalar_text`] reads it (a plain null is `""`), borrowed.
fn key_text(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar(s, true) if matches!(s.as_str(), "~" | "null" | "Null" | "NULL") => {
            Some("")
        }
        NodeKind::Scalar(s, _) => Some(s.as_str()),
        _ => None,
    }
}

struct Cx<'a> {
    path: &'a str,
    text: &'a str,
    /// The text as problems share it, copied on the first problem.
    shared: std::cell::OnceCell<std::sync::Arc<str>>,
    problems: Vec<RegistryProblem>,
    /// The fields still marked [`TODO`].
    todo: Vec<Todo>,
}

/// The text of a scalar that is still the [`TODO`] marker.
fn todo_text(node: &Node) -> Option<String> {
    yaml::scalar_text(node)
        .filter(|s| is_todo(s))
        .map(|s| s.trim().to_string())
}

impl Cx<'_> {
    /// The file's text for a problem's snippet (one copy for all problems).
    fn shared_text(&self) -> std::sync::Arc<str> {
        std::sync::Arc::clone(self.shared.get_or_init(|| std::sync::Arc::from(self.text)))
    }

    fn problem(&mut self, node: &Node, message: impl Into<String>) {
        let span = node.span.clone();
        self.problems.push(RegistryProblem {
            path: self.path.to_string(),
            text: self.shared_text(),
            span,
            message: message.into(),
        });
    }

    /// The entries of a mapping, reporting keys not in `allowed`.
    fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Vec<(String, &'n Node)> {
        let Some(entries) = yaml::mapping(node) else {
            let t = yaml::type_name(node);
            self.problem(node, format!("{what} must be a mapping, found {t}"));
            return Vec::new();
        };
        self.duplicate_keys(node, what);
        let mut out = Vec::new();
        for (k, key, v) in entries {
            if allowed.contains(&k.as_str()) {
                out.push((k, v));
            } else {
                self.problem(
                    key,
                    format!(
                        "unknown key `{k}` in {what} (expected one of: {})",
                        allowed.join(", ")
                    ),
                );
            }
        }
        out
    }

    /// Reports keys written twice in a mapping: YAML forbids it, and the second would be
    /// silently lost.
    fn duplicate_keys(&mut self, node: &Node, what: &str) {
        let NodeKind::Map(pairs) = &node.kind else {
            return;
        };
        // A set for big mappings, not a scan of the earlier keys: a mapping can have many
        // thousand keys. Small ones (every account) are scanned.
        let names: Vec<Option<&str>> = pairs.iter().map(|(k, _)| key_text(k)).collect();
        let mut seen: Option<std::collections::HashSet<&str>> =
            (names.len() > 16).then(std::collections::HashSet::new);
        for (i, ((k, _), name)) in pairs.iter().zip(&names).enumerate() {
            let Some(name) = name else {
                continue;
            };
            let earlier = match &mut seen {
                Some(set) => !set.insert(name),
                None => names.iter().take(i).any(|p| *p == Some(*name)),
            };
            if earlier && *name != "<<" {
                self.problem(k, format!("`{name}` is listed twice in {what}"));
            }
        }
    }

    fn string(&mut self, node: &Node, field: &str) -> Option<String> {
        match yaml::scalar_text(node) {
            Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(_) => None,
            None => {
                let t = yaml::type_name(node);
                self.problem(node, format!("`{field}` must be a string, found {t}"));
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, field: &str) -> Vec<String> {
        match yaml::items(node) {
            Some(items) => items.iter().filter_map(|i| self.string(i, field)).collect(),
            None => {
                if let Some(s) = yaml::scalar_text(node).filter(|s| !s.is_empty()) {
                    return vec![s];
                }
                let t = yaml::type_name(node);
                self.problem(node, format!("`{field}` must be a list, found {t}"));
                Vec::new()
            }
        }
    }

    /// A `YYYY-MM-DD` date (anything after the tenth character, such as a time, is ignored);
    /// one that is not a calendar date is a problem naming the field.
    fn date(&mut self, node: &Node, field: &str) -> Option<Date> {
        let s = self.string(node, field)?;
        let ok = s.len() >= 10
            && s.as_bytes().get(4) == Some(&b'-')
            && s.as_bytes().get(7) == Some(&b'-')
            && s.get(..4)
                .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()));
        let date = s.get(..10).filter(|_| ok).and_then(parse_date);
        if date.is_none() {
            self.problem(
                node,
                format!("`{field}` must be a date (YYYY-MM-DD), found `{s}`"),
            );
        }
        date
    }
}

/// A `YYYY-MM-DD` date (exactly that: surrounding blanks are ignored, nothing else is).
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    s.parse::<Date>().ok()
}

/// Most problems of one registry file reported; the rest are counted.
const MAX_PROBLEMS: usize = 100;

/// Loads and validates a registry file, its YAML under `limits`.
pub fn load(path: &Path, limits: &Limits) -> Result<Registry, RegistryError> {
    let shown = path.display().to_string();
    let text = crate::source::files::read_to_string(path).map_err(|e| RegistryError::Read {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    parse_with(&shown, &text, limits)
}

/// Parses and validates registry text under the default YAML [`Limits`]; `path` names it in
/// problems.
pub fn parse(path: &str, text: &str) -> Result<Registry, RegistryError> {
    parse_with(path, text, &Limits::default())
}

/// Parses and validates registry text, its YAML under `limits`; `path` names it in problems.
pub fn parse_with(path: &str, text: &str, limits: &Limits) -> Result<Registry, RegistryError> {
    let mut cx = Cx {
        path,
        text,
        shared: std::cell::OnceCell::new(),
        problems: Vec::new(),
        todo: Vec::new(),
    };
    let docs = match yaml::load(text, limits) {
        Ok(d) => d,
        Err(e) => {
            return Err(RegistryError::Invalid {
                path: path.to_string(),
                problems: vec![RegistryProblem {
                    path: path.to_string(),
                    text: cx.shared_text(),
                    span: e.offset..e.offset,
                    message: format!("invalid YAML: {}", e.message),
                }],
            })
        }
    };
    let mut reg = Registry {
        path: path.to_string(),
        text: text.to_string(),
        ..Registry::default()
    };
    let Some(root) = docs.first() else {
        return Ok(reg);
    };
    // A registry is one document: what follows a `---` would otherwise be ignored silently.
    for doc in docs.iter().skip(1) {
        let line = text
            .get(..doc.span.start)
            .map_or(0, |t| t.matches('\n').count())
            + 1;
        cx.problem(
            doc,
            format!(
                "a second YAML document (after `---`) at line {line} of `{path}`: a registry is one document; merge it into the first"
            ),
        );
    }
    reg.accounts_key = yaml::mapping(root)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _, _)| k == "service_accounts")
        .map(|(_, key, _)| key.span.clone());
    for (k, v) in cx.fields(root, "the registry", TOP_FIELDS) {
        match k.as_str() {
            "organization" => reg.organization = cx.string(v, "organization"),
            "teams" => {
                cx.duplicate_keys(v, "`teams`");
                for (name, team) in yaml::mapping(v)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(n, _, t)| (n, t))
                {
                    reg.teams.push(read_team(&mut cx, &name, team));
                }
                if yaml::mapping(v).is_none() {
                    cx.problem(v, "`teams` must map team names to teams");
                }
            }
            "service_accounts" => match yaml::items(v) {
                Some(items) => {
                    for item in items {
                        if let Some(a) = read_account(&mut cx, item) {
                            reg.accounts.push(a);
                        }
                    }
                }
                None => cx.problem(v, "`service_accounts` must be a list"),
            },
            _ => {}
        }
    }
    reg.todo = std::mem::take(&mut cx.todo);
    cross_check(&mut cx, &reg);
    if cx.problems.len() > MAX_PROBLEMS {
        // Each problem is shown with a snippet of the file: a registry broken on every
        // account would print for minutes. The first ones say what is wrong.
        let more = cx.problems.len() - MAX_PROBLEMS;
        cx.problems.truncate(MAX_PROBLEMS);
        cx.problems.push(RegistryProblem {
            path: path.to_string(),
            text: cx.shared_text(),
            span: 0..0,
            message: format!(
                "{more} more problem{} in `{path}` not shown (the first {MAX_PROBLEMS} are)",
                if more == 1 { "" } else { "s" }
            ),
        });
    }
    if cx.problems.is_empty() {
        Ok(reg)
    } else {
        Err(RegistryError::Invalid {
            path: path.to_string(),
            problems: cx.problems,
        })
    }
}

/// The problems between entries: duplicate key names and ids, accounts listed twice, team
/// references `teams` does not list.
fn cross_check(cx: &mut Cx<'_>, reg: &Registry) {
    let path = cx.path;
    // Cross-checks: team references, duplicate names, duplicate keys. Sets and maps, not
    // scans of the accounts before: a registry can list a hundred thousand accounts.
    let mut key_ids: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for a in &reg.accounts {
        let mut names: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for k in &a.api_keys {
            let dup_name = !k.name.is_empty() && names.contains(k.name.as_str());
            let dup_id = !k.id.is_empty() && key_ids.contains_key(k.id.as_str());
            if dup_name {
                cx.problems.push(RegistryProblem {
                    path: path.to_string(),
                    text: cx.shared_text(),
                    span: k.span.clone(),
                    message: format!(
                        "service account `{}` lists API key `{}` twice",
                        a.name, k.name
                    ),
                });
            }
            if dup_id {
                let other = key_ids.get(k.id.as_str()).copied().unwrap_or("");
                cx.problems.push(RegistryProblem {
                    path: path.to_string(),
                    text: cx.shared_text(),
                    span: k.span.clone(),
                    message: format!(
                        "API key id `{}` of `{}` is already listed for `{other}`",
                        k.id, a.name
                    ),
                });
            }
            names.insert(&k.name);
            if !k.id.is_empty() {
                key_ids.entry(&k.id).or_insert(&a.name);
            }
        }
    }
    let team_names: std::collections::HashSet<&str> =
        reg.teams.iter().map(|t| t.name.as_str()).collect();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for a in &reg.accounts {
        if !seen.insert(a.name.as_str()) {
            cx.problems.push(RegistryProblem {
                path: path.to_string(),
                text: cx.shared_text(),
                span: a.span.clone(),
                message: format!("service account `{}` is listed twice", a.name),
            });
        }
        if let Some(t) = &a.team {
            if !team_names.is_empty() && !team_names.contains(t.as_str()) {
                cx.problems.push(RegistryProblem {
                    path: path.to_string(),
                    text: cx.shared_text(),
                    span: a.span.clone(),
                    message: format!(
                        "service account `{}` names team `{t}`, which `teams` does not list",
                        a.name
                    ),
                });
            }
        }
    }
}

fn read_team(cx: &mut Cx<'_>, name: &str, node: &Node) -> Team {
    let mut team = Team {
        name: name.to_string(),
        ..Team::default()
    };
    for (k, v) in cx.fields(node, &format!("team `{name}`"), TEAM_FIELDS) {
        match k.as_str() {
            "id" => team.id = cx.string(v, "id"),
            "members" => team.members = cx.strings(v, "members"),
            "member_ids" => team.member_ids = cx.strings(v, "member_ids"),
            "projects" => {
                let Some(entries) = yaml::mapping(v) else {
                    cx.problem(v, "`projects` must map project names to projects");
                    continue;
                };
                cx.duplicate_keys(v, &format!("the projects of team `{name}`"));
                for (pname, _, p) in entries {
                    let mut project = Project {
                        name: pname.clone(),
                        id: None,
                        visibility: Visibility::Team,
                        members: Vec::new(),
                    };
                    for (pk, pv) in cx.fields(p, &format!("project `{pname}`"), PROJECT_FIELDS) {
                        match pk.as_str() {
                            "id" => project.id = cx.string(pv, "id"),
                            "visibility" => {
                                project.visibility = match cx.string(pv, "visibility").as_deref() {
                                    Some("team") => Visibility::Team,
                                    Some("restricted") => Visibility::Restricted,
                                    Some("open") => Visibility::Open,
                                    Some("private") => Visibility::Private,
                                    Some("public") => Visibility::Public,
                                    other => {
                                        cx.problem(
                                            pv,
                                            format!(
                                                "`visibility` must be team, restricted, open, public or private, found `{}`",
                                                other.unwrap_or("")
                                            ),
                                        );
                                        Visibility::Team
                                    }
                                }
                            }
                            "members" => project.members = cx.strings(pv, "members"),
                            _ => {}
                        }
                    }
                    team.projects.push(project);
                }
            }
            _ => {}
        }
    }
    team
}

/// The fields of the registry's top level (kept in step with `schemas/registry.schema.json`
/// by a test).
pub const TOP_FIELDS: &[&str] = &["organization", "teams", "service_accounts"];
/// The fields of a team.
pub const TEAM_FIELDS: &[&str] = &["id", "members", "member_ids", "projects"];
/// The fields of a project.
pub const PROJECT_FIELDS: &[&str] = &["id", "visibility", "members"];
/// The fields of an API key entry.
pub const KEY_FIELDS: &[&str] = &["name", "id", "created", "last_used"];

/// The fields of a service account.
pub const ACCOUNT_FIELDS: &[&str] = &[
    "name",
    "scope",
    "team",
    "auth",
    "purpose",
    "owner",
    "used_by",
    "audit_ids",
    "created",
    "api_keys",
];

fn read_account(cx: &mut Cx<'_>, node: &Node) -> Option<Account> {
    let span = node.span.clone();
    let mut a = Account {
        name: String::new(),
        scope: None,
        team: None,
        auth: None,
        purpose: None,
        owner: None,
        used_by: Vec::new(),
        audit_ids: Vec::new(),
        created: None,
        api_keys: Vec::new(),
        span,
        keys: yaml::mapping(node)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, key, _)| (k, key.span.clone()))
            .collect(),
    };
    let mut todo = Vec::new();
    for (k, v) in cx.fields(node, "a service account", ACCOUNT_FIELDS) {
        if let Some(hint) = todo_text(v) {
            if k == "name" {
                a.name = hint.clone();
            }
            todo.push((k.clone(), hint, v.span.clone()));
            continue;
        }
        match k.as_str() {
            "name" => a.name = cx.string(v, "name").unwrap_or_default(),
            "scope" => {
                a.scope = match cx.string(v, "scope").as_deref() {
                    Some("team") => Some(AccountScope::Team),
                    Some("organization") => Some(AccountScope::Organization),
                    other => {
                        cx.problem(
                            v,
                            format!(
                                "`scope` must be team or organization, found `{}`",
                                other.unwrap_or("")
                            ),
                        );
                        None
                    }
                }
            }
            "team" => a.team = cx.string(v, "team"),
            "auth" => {
                a.auth = match cx.string(v, "auth").as_deref() {
                    Some("api-key") => Some(Auth::ApiKey),
                    Some("federated") => Some(Auth::Federated),
                    other => {
                        cx.problem(
                            v,
                            format!(
                                "`auth` must be api-key or federated, found `{}`",
                                other.unwrap_or("")
                            ),
                        );
                        None
                    }
                }
            }
            "purpose" => a.purpose = cx.string(v, "purpose"),
            "owner" => a.owner = cx.string(v, "owner"),
            "used_by" => a.used_by = cx.strings(v, "used_by"),
            "audit_ids" => a.audit_ids = cx.strings(v, "audit_ids"),
            "created" => a.created = cx.date(v, "created"),
            "api_keys" => {
                for item in yaml::items(v).unwrap_or(&[]) {
                    let mut key = ApiKey {
                        span: item.span.clone(),
                        ..ApiKey::default()
                    };
                    for (kk, kv) in cx.fields(item, "an API key", KEY_FIELDS) {
                        if let Some(hint) = todo_text(kv) {
                            let at = a.api_keys.len();
                            todo.push((format!("api_keys[{at}].{kk}"), hint, kv.span.clone()));
                            continue;
                        }
                        match kk.as_str() {
                            "name" => key.name = cx.string(kv, "name").unwrap_or_default(),
                            "id" => key.id = cx.string(kv, "id").unwrap_or_default(),
                            "created" => key.created = cx.date(kv, "created"),
                            "last_used" => key.last_used = cx.date(kv, "last_used"),
                            _ => {}
                        }
                    }
                    a.api_keys.push(key);
                }
                if yaml::items(v).is_none() {
                    cx.problem(v, "`api_keys` must be a list");
                }
            }
            _ => {}
        }
    }
    if a.name.is_empty() {
        cx.problem(node, "a service account needs a `name`");
        return None;
    }
    cx.todo
        .extend(todo.into_iter().map(|(field, hint, span)| Todo {
            account: a.name.clone(),
            field,
            hint,
            span,
        }));
    Some(a)
}

/// A secret reference or `used_by` entry in a comparable form: `$X`, `${X}`, `secrets.X`,
/// `credentials('X')`, `credentials:X` all read as `X`; `secret/key` stays as it is.
pub fn normalize_ref(r: &str) -> String {
    let mut s = r.trim();
    for p in ["${{", "$", "{"] {
        s = s.strip_prefix(p).unwrap_or(s);
    }
    s = s.trim_end_matches(['}', ' ']).trim();
    for p in ["secrets.", "credentials:", "credentials("] {
        s = s.strip_prefix(p).unwrap_or(s);
    }
    s.trim_matches(|c| c == '\'' || c == '"' || c == ')' || c == '(')
        .to_string()
}

impl Registry {
    /// The team named `name`.
    pub fn team(&self, name: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.name == name)
    }

    /// The accounts that claim a job in file `path` (display path, `/`-separated) or the
    /// secret `secret` that feeds it.
    pub fn linked(&self, path: &str, secret: Option<&str>) -> Vec<&Account> {
        let secret = secret.map(normalize_ref);
        self.accounts
            .iter()
            .filter(|a| {
                a.used_by.iter().any(|u| {
                    let as_path = globset::Glob::new(u)
                        .map(|g| g.compile_matcher())
                        .is_ok_and(|m| m.is_match(path) || path.ends_with(&format!("/{u}")));
                    as_path
                        || secret
                            .as_deref()
                            .is_some_and(|s| !s.is_empty() && normalize_ref(u) == s)
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "organization: acme\nteams:\n  ml-team:\n    members: [alice@acme.com]\n    projects:\n      production-models: {visibility: team}\n      sensitive-eval: {visibility: restricted, members: [prod-inference-monitor]}\nservice_accounts:\n  - name: ci-model-training\n    scope: team\n    team: ml-team\n    auth: api-key\n    purpose: Log training runs from CI\n    owner: ml-platform@acme.com\n    used_by: [\".github/workflows/train.yml\", \"secrets.WANDB_CI_TRAINING_KEY\"]\n    created: 2025-01-10\n    api_keys:\n      - {name: gha-2025, id: \"Z3Bh\", created: 2025-01-10, last_used: 2026-11-01}\n";

    #[test]
    fn todo_markers_are_read_as_absent_and_listed() {
        let text = "service_accounts:\n  - name: \"TODO: the W&B name of the account VXNlcjo5\"\n    scope: \"TODO: team or organization\"\n    owner: TODO\n    api_keys:\n      - {name: ci, id: \"TODO: W&B's key id\", created: 2026-01-05}\n      - {name: \"TODO: a name\", id: \"TODO: an id\"}\n";
        let r = parse("r.yaml", text).expect("valid");
        let a = &r.accounts[0];
        assert_eq!((a.scope, a.owner.as_deref()), (None, None));
        assert_eq!(a.api_keys[0].id, "");
        let fields: Vec<&str> = r.todo.iter().map(|t| t.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "scope",
                "owner",
                "api_keys[0].id",
                "api_keys[1].name",
                "api_keys[1].id"
            ]
        );
        assert!(r.todo.iter().all(|t| t.account.starts_with("TODO")));
        assert!(text.get(r.todo[2].span.clone()) == Some("TODO"));
    }

    #[test]
    fn the_spec_example_loads() {
        let r = parse("registry.yaml", SAMPLE).expect("valid");
        assert_eq!(r.organization.as_deref(), Some("acme"));
        assert_eq!(r.teams[0].projects[1].visibility, Visibility::Restricted);
        let a = &r.accounts[0];
        assert_eq!(a.scope, Some(AccountScope::Team));
        assert_eq!(
            a.api_keys[0].last_used.map(|d| d.to_string()).as_deref(),
            Some("2026-11-01")
        );
        assert_eq!(r.linked(".github/workflows/train.yml", None).len(), 1);
        assert_eq!(
            r.linked("x.yml", Some("${{ secrets.WANDB_CI_TRAINING_KEY }}"))
                .len(),
            1
        );
        assert!(r.linked("x.yml", Some("secrets.OTHER")).is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let text = "teams:\n  ml: {members: [a@x.com], colour: red}\nservice_accounts:\n  - name: a\n    scope: galaxy\n    team: nowhere\n    created: soon\n  - scope: team\nextra: 1\n";
        let Err(RegistryError::Invalid { problems, .. }) = parse("r.yaml", text) else {
            panic!("invalid registry accepted");
        };
        let lines: Vec<usize> = problems
            .iter()
            .map(|p| 1 + text[..p.span.start].matches('\n').count())
            .collect();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(problems.len(), 6, "{messages:#?}");
        for want in [2, 5, 7, 8, 9] {
            assert!(
                lines.contains(&want),
                "no problem at line {want}: {lines:?} {messages:#?}"
            );
        }
    }
}

#[cfg(test)]
mod schema_tests {
    use super::*;

    /// The JSON Schema in `schemas/` lists exactly the fields the loader accepts.
    #[test]
    fn the_json_schema_matches_the_loader() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/registry.schema.json")).expect("json");
        let props = |v: &serde_json::Value| -> Vec<String> {
            let mut k: Vec<String> = v["properties"]
                .as_object()
                .expect("properties")
                .keys()
                .cloned()
                .collect();
            k.sort();
            k
        };
        let sorted = |f: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = f.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(props(&schema), sorted(TOP_FIELDS));
        let defs = &schema["$defs"];
        assert_eq!(props(&defs["team"]), sorted(TEAM_FIELDS));
        assert_eq!(props(&defs["project"]), sorted(PROJECT_FIELDS));
        assert_eq!(props(&defs["key"]), sorted(KEY_FIELDS));
        assert_eq!(props(&defs["account"]), sorted(ACCOUNT_FIELDS));
        for def in ["team", "project", "key", "account"] {
            assert_eq!(
                defs[def]["additionalProperties"], false,
                "{def}: unknown keys are errors"
            );
        }
    }

    #[test]
    fn a_second_document_is_a_problem_at_its_line() {
        let text = "organization: acme\n---\nservice_accounts:\n  - name: hidden\n";
        let Err(RegistryError::Invalid { problems, .. }) = parse("org/r.yaml", text) else {
            panic!("a second document was ignored");
        };
        assert_eq!(problems.len(), 1);
        let p = &problems[0];
        assert!(p.message.contains("second YAML document"), "{}", p.message);
        assert!(
            p.message.contains("line 3 of `org/r.yaml`"),
            "{}",
            p.message
        );
        assert_eq!(text[..p.span.start].matches('\n').count(), 2);
        // A leading `---` starts the one document.
        assert!(parse("r.yaml", "---\norganization: acme\n").is_ok());
    }

    #[test]
    fn dates_are_parsed_once_at_load() {
        let text = "service_accounts:\n  - name: a\n    created: 2025-01-10T08:00:00Z\n    api_keys:\n      - {name: k, id: X, created: 2026-02-30, last_used: 2026-11-01}\n";
        let Err(RegistryError::Invalid { problems, .. }) = parse("r.yaml", text) else {
            panic!("an impossible date accepted");
        };
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            ["`created` must be a date (YYYY-MM-DD), found `2026-02-30`"]
        );
        let r = parse("r.yaml", &text.replace("2026-02-30", "2026-02-28")).expect("valid");
        let a = &r.accounts[0];
        assert_eq!(
            a.created.map(|d| d.to_string()).as_deref(),
            Some("2025-01-10")
        );
        assert_eq!(
            a.api_keys[0].created.map(|d| d.to_string()).as_deref(),
            Some("2026-02-28")
        );
    }

    #[test]
    fn duplicate_keys_and_teams_are_problems() {
        let text = "teams:\n  ml: {members: []}\n  ml: {members: []}\n";
        assert!(parse("r.yaml", text).is_err(), "a team listed twice");
        let text = "service_accounts:\n  - name: a\n    api_keys:\n      - {name: k, id: X}\n      - {name: k, id: Y}\n  - name: b\n    api_keys:\n      - {name: k2, id: X}\n";
        let Err(RegistryError::Invalid { problems, .. }) = parse("r.yaml", text) else {
            panic!("duplicates accepted");
        };
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(problems.len(), 2, "{messages:#?}");
        assert!(messages
            .iter()
            .any(|m| m.contains("lists API key `k` twice")));
        assert!(messages
            .iter()
            .any(|m| m.contains("already listed for `a`")));
    }
}
