//! What the configuration and registry checks share: the scope they judge ([`ScopeInput`],
//! [`RegistryScope`]), what they return ([`ConfigHit`], [`FileChecks`]), and how messages name
//! scopes and automations' purposes.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::ops::Range;

use crate::formats::shell::Login;
use crate::formats::{Command, ConfigDoc, Format, Scope, Value, Var, API_KEY, TOKEN_FILE};
use crate::registry::{Account, Registry};

/// One configuration finding before suppression and rendering.
#[derive(Debug, Clone)]
pub struct ConfigHit {
    /// The check that found it (a [`super::CHECKS`] name).
    pub check: &'static str,
    /// Where it points.
    pub span: Range<usize>,
    /// The message (names the scope).
    pub message: String,
    /// A help line specific to this finding (the snippet to add), if any.
    pub help: Option<String>,
    /// Literal values in the snippet to mask (they may be keys).
    pub mask: Vec<Range<usize>>,
    /// What identifies it across runs (with the rule id and path): scope and variable.
    pub identity: String,
}

/// A use of a named secret as a W&B credential, for the shared-secret check.
#[derive(Debug, Clone)]
pub struct SecretUse {
    /// The secret's name as referenced (`secrets.WANDB_KEY`, `wandb/api-key`).
    pub secret: String,
    /// Where the reference is.
    pub span: Range<usize>,
    /// The scope, for messages.
    pub scope: String,
    /// What the automation is for: `scheduled`, `ci` (push, pull or merge requests), `service`
    /// (a long-running Kubernetes workload) or `manual`; `None` when the format does not say.
    pub purpose: Option<&'static str>,
}

/// What one file yields for the checks.
#[derive(Debug, Clone, Default)]
pub struct FileChecks {
    /// Findings ready now.
    pub hits: Vec<ConfigHit>,
    /// Missing-entity findings, dropped later if a `wandb/settings` above the file sets the
    /// entity ([`super::missing_entity::settle`]).
    pub missing_entity: Vec<ConfigHit>,
    /// Scopes whose entity could not be judged (unknown-content sources): notes.
    pub incomplete: Vec<String>,
    /// Secret uses, for the shared-secret check ([`super::shared_secret::settle`]).
    pub secret_uses: Vec<SecretUse>,
    /// (check, span) of the hits so far: one hit per check and place, however many scopes
    /// inherit it (a set: a workflow with thousands of jobs stays linear).
    seen: HashSet<(&'static str, usize, usize)>,
}

impl FileChecks {
    /// Adds `hit` unless its check already reported the same span in this file.
    pub fn push(&mut self, hit: ConfigHit) {
        if self.seen.insert((hit.check, hit.span.start, hit.span.end)) {
            self.hits.push(hit);
        }
    }
}

/// One scope of a file, as a configuration check sees it.
#[derive(Debug)]
pub struct ScopeInput<'a> {
    /// The file's format.
    pub format: Format,
    /// The whole file.
    pub doc: &'a ConfigDoc,
    /// The scope judged.
    pub scope: &'a Scope,
    /// The first `wandb login` of the scope's commands, found once.
    login: OnceCell<Option<(&'a Command, Login)>>,
}

impl<'a> ScopeInput<'a> {
    /// The scope `scope` of `doc`, a file of `format`.
    pub fn new(format: Format, doc: &'a ConfigDoc, scope: &'a Scope) -> Self {
        Self {
            format,
            doc,
            scope,
            login: OnceCell::new(),
        }
    }

    /// `WANDB_API_KEY` in effect, when it is set.
    pub fn key(&self) -> Option<&'a Var> {
        self.scope.var(API_KEY).filter(|v| v.value.is_set())
    }

    /// `WANDB_IDENTITY_TOKEN_FILE` in effect, when it is set.
    pub fn token(&self) -> Option<&'a Var> {
        self.scope.var(TOKEN_FILE).filter(|v| v.value.is_set())
    }

    /// The first `wandb login` among the scope's commands, with its command.
    pub fn login(&self) -> Option<&(&'a Command, Login)> {
        self.login
            .get_or_init(|| {
                let commands: &'a [Command] = &self.scope.commands;
                commands
                    .iter()
                    .find_map(|c| c.logins().into_iter().next().map(|l| (c, l)))
            })
            .as_ref()
    }

    /// Whether the scope's commands are shell: a Python module is code, not shell (an
    /// operator's `bash_command` is shell).
    pub fn shell_like(&self) -> bool {
        self.format != Format::Python || self.scope.label != "module"
    }

    /// The literal value of the variable `name` in effect, with the variable.
    pub fn literal(&self, name: &str) -> Option<(String, &'a Var)> {
        self.scope.var(name).and_then(|v| match &v.value {
            Value::Literal(l) => Some((l.clone(), v)),
            _ => None,
        })
    }
}

/// One scope of a file, as a registry check sees it: with the registry, and the accounts that
/// claim the file or the secret that feeds the scope's key.
#[derive(Debug)]
pub struct RegistryScope<'a> {
    /// The scope.
    pub input: ScopeInput<'a>,
    /// The file's display path.
    pub path: &'a str,
    /// The registry.
    pub registry: &'a Registry,
    /// The secret `WANDB_API_KEY` is read from, if it is.
    pub secret: Option<&'a str>,
    /// The accounts whose `used_by` names the file or that secret.
    pub linked: Vec<&'a Account>,
}

impl<'a> RegistryScope<'a> {
    /// The scope `input` of the file at `path`, judged against `registry`.
    pub fn new(input: ScopeInput<'a>, path: &'a str, registry: &'a Registry) -> Self {
        let secret = input.key().and_then(|v| match &v.value {
            Value::Secret(s) => Some(s.as_str()),
            _ => None,
        });
        let linked = registry.linked(path, secret);
        Self {
            input,
            path,
            registry,
            secret,
            linked,
        }
    }

    /// Where a W&B credential enters the scope (its key, its token file or its `wandb login`),
    /// with the label of the scope it enters.
    pub fn credential(&self) -> Option<(Range<usize>, String)> {
        let scope = self.input.scope;
        self.input
            .key()
            .map(|v| (v.name_span.clone(), entry_label(scope, &v.origin)))
            .or_else(|| {
                self.input
                    .token()
                    .map(|v| (v.name_span.clone(), entry_label(scope, &v.origin)))
            })
            .or_else(|| {
                self.input.login().map(|(c, l)| {
                    (
                        c.span.start + l.span.start..c.span.start + l.span.end,
                        scope.label.clone(),
                    )
                })
            })
    }
}

/// What an automation is for, from what starts it: `scheduled`, `ci`, `service` or `manual`.
pub fn purpose(triggers: &[String]) -> Option<&'static str> {
    if triggers.iter().any(|t| t == "schedule") {
        Some("scheduled")
    } else if triggers.iter().any(|t| {
        matches!(
            t.as_str(),
            "push" | "pull_request" | "pull_request_target" | "merge_request"
        )
    }) {
        Some("ci")
    } else if triggers.iter().any(|t| t == "service") {
        Some("service")
    } else if triggers.iter().any(|t| t == "workflow_dispatch") {
        Some("manual")
    } else {
        None
    }
}

/// The label of the scope a variable enters: a job-level variable enters the job, not the
/// step that happens to be judged.
pub fn entry_label(scope: &Scope, origin: &str) -> String {
    if !origin.starts_with("step ") {
        if let Some((_, job)) = scope.label.split_once(" in job ") {
            return format!("job {job}");
        }
    }
    scope.label.clone()
}

/// ` (step env)`: where in `label` a variable was set, when the label does not already say it
/// (an env file's variables come from the env file; the workflow's env from the workflow env).
pub fn origin_note(label: &str, origin: &str) -> String {
    let plain = |s: &str| {
        s.replace("the ", "")
            .replace("'s ", " ")
            .to_ascii_lowercase()
    };
    if plain(label).contains(&plain(origin)) {
        String::new()
    } else {
        format!(" ({origin})")
    }
}

/// The place a variable is defined, for rules about the definition itself (a literal key, the
/// SSL switch): a workflow- or pipeline-level variable belongs to no one job.
pub fn definition_label(scope: &Scope, origin: &str) -> String {
    match origin {
        "workflow env" => "the workflow's env".to_string(),
        "global variables" => "the global variables".to_string(),
        "pipeline environment" => "the pipeline's environment".to_string(),
        _ => entry_label(scope, origin),
    }
}
