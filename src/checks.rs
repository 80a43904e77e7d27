//! The configuration rules (C001–C008, and with a registry C101–C104) over the scopes of one
//! file ([`crate::formats`]). Each rule file in `rules/config/` names its check here by `check:`.
//! Cross-file parts (a `wandb/settings` that sets the entity for a directory, one secret
//! shared by automations of different purposes) are settled by the scanner once every file
//! is read.

use std::ops::Range;

use crate::formats::{self, shell, ConfigDoc, Format, Scope, Value, API_KEY, ENTITY, TOKEN_FILE};

/// The checks this build implements, by the name rule files give in `check:`.
pub const CHECKS: &[&str] = &[
    "missing-entity",
    "literal-api-key",
    "key-in-image",
    "key-on-command-line",
    "shared-secret",
    "conflicting-credentials",
    "ssl-disabled",
    "key-printed",
    "unknown-entity",
    "attribution-outside-team",
    "inaccessible-project",
    "undeclared-account-use",
];

/// One configuration finding before suppression and rendering.
#[derive(Debug, Clone)]
pub struct ConfigHit {
    /// The check that found it (a [`CHECKS`] name).
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
    /// entity.
    pub missing_entity: Vec<ConfigHit>,
    /// Scopes whose entity could not be judged (unknown-content sources): notes.
    pub incomplete: Vec<String>,
    /// Secret uses, for the shared-secret check.
    pub secret_uses: Vec<SecretUse>,
}

fn purpose(triggers: &[String]) -> Option<&'static str> {
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
fn entry_label(scope: &Scope, origin: &str) -> String {
    if origin != "step env" {
        if let Some((_, job)) = scope.label.split_once(" in job ") {
            return format!("job {job}");
        }
    }
    scope.label.clone()
}

/// The place a variable is defined, for rules about the definition itself (a literal key, the
/// SSL switch): a workflow- or pipeline-level variable belongs to no one job.
fn definition_label(scope: &Scope, origin: &str) -> String {
    match origin {
        "workflow env" => "the workflow's env".to_string(),
        "global variables" => "the global variables".to_string(),
        "pipeline environment" => "the pipeline's environment".to_string(),
        _ => entry_label(scope, origin),
    }
}

/// Runs the per-file checks on `doc`, a file of `format`.
pub fn check(format: Format, doc: &ConfigDoc) -> FileChecks {
    let mut out = FileChecks::default();
    // One hit per check and place, however many scopes inherit it (a set: a workflow with
    // thousands of jobs stays linear).
    let mut seen: std::collections::HashSet<(&'static str, usize, usize)> =
        std::collections::HashSet::new();
    let mut push = |out: &mut Vec<ConfigHit>, hit: ConfigHit| {
        if seen.insert((hit.check, hit.span.start, hit.span.end)) {
            out.push(hit);
        }
    };
    for scope in &doc.scopes {
        let key = scope.var(API_KEY).filter(|v| v.value.is_set());
        let token = scope.var(TOKEN_FILE).filter(|v| v.value.is_set());
        let login = scope
            .commands
            .iter()
            .flat_map(|c| shell::logins(&c.text).into_iter().map(move |l| (c, l)))
            .next();

        // C001: a credential enters, no entity in effect.
        if scope.entity_checked {
            let entry: Option<(Range<usize>, String, String)> = if let Some(v) = key {
                Some((
                    v.name_span.clone(),
                    format!("`{API_KEY}` ({})", v.origin),
                    entry_label(scope, &v.origin),
                ))
            } else if let Some(v) = token {
                Some((
                    v.name_span.clone(),
                    format!("`{TOKEN_FILE}` ({})", v.origin),
                    entry_label(scope, &v.origin),
                ))
            } else {
                login.as_ref().map(|(c, l)| {
                    (
                        c.span.start + l.span.start..c.span.start + l.span.end,
                        "`wandb login`".to_string(),
                        scope.label.clone(),
                    )
                })
            };
            let own_step = key.or(token).is_some_and(|v| v.origin == "step env");
            let entity = scope.var(ENTITY).is_some_and(|v| v.value.is_set())
                || scope.commands.iter().any(|c| shell::passes_entity(&c.text))
                || (scope.entity_elsewhere && !own_step)
                || doc.entity_in_code;
            if let (Some((span, what, label)), false) = (entry, entity) {
                if scope.unknown.is_empty() {
                    let hit = ConfigHit {
                        check: "missing-entity",
                        span,
                        message: format!(
                            "{label} receives a W&B credential through {what} but no `{ENTITY}` is in effect: runs go to the account's default entity"
                        ),
                        help: Some(format!("set the team explicitly:\n{}", scope.entity_hint)),
                        mask: Vec::new(),
                        identity: format!("{label}|{what}"),
                    };
                    // One finding per scope the credential enters (steps of one job are one).
                    if !out
                        .missing_entity
                        .iter()
                        .any(|h| h.span == hit.span && h.identity == hit.identity)
                    {
                        out.missing_entity.push(hit);
                    }
                } else {
                    let sources: Vec<String> =
                        scope.unknown.iter().map(|u| u.what.clone()).collect();
                    out.incomplete.push(format!(
                        "{label}: `{ENTITY}` may come from {} (contents unknown); the missing-entity check could not be completed",
                        sources.join(", ")
                    ));
                }
            }
        }

        // C002: a literal key in config (the image rule covers Dockerfiles).
        if let Some(v) = scope.var(API_KEY) {
            if let Value::Literal(lit) = &v.value {
                if format != Format::Dockerfile
                    && !formats::is_placeholder(lit)
                    && !v.origin.starts_with("env_file")
                {
                    push(&mut out.hits, ConfigHit {
                        check: "literal-api-key",
                        span: v.value_span.clone(),
                        message: format!(
                            "`{API_KEY}` is set to a literal value in {} ({}), not read from a secret store",
                            definition_label(scope, &v.origin), v.origin
                        ),
                        help: None,
                        mask: vec![v.value_span.clone()],
                        identity: format!("{}|{}", definition_label(scope, &v.origin), v.origin),
                    });
                }
            }
        }

        // C003: the key in an image.
        if format == Format::Dockerfile {
            for v in scope
                .vars
                .iter()
                .filter(|v| v.name == API_KEY && (v.origin == "ENV" || v.origin == "ARG"))
            {
                let literal = matches!(v.value, Value::Literal(_));
                push(&mut out.hits, ConfigHit {
                    check: "key-in-image",
                    span: v.name_span.clone(),
                    message: format!(
                        "`{} {API_KEY}`{} in {}: the key is stored in the image ({})",
                        v.origin,
                        if literal { " with a literal value" } else { "" },
                        scope.label,
                        if v.origin == "ARG" { "build arguments persist in the image history" } else { "every container and layer export carries it" }
                    ),
                    help: Some("use a BuildKit secret mount for build steps (`RUN --mount=type=secret,id=wandb,env=WANDB_API_KEY ...`) and pass the key at run time".to_string()),
                    mask: vec![v.value_span.clone()],
                    identity: format!("{}|{}", scope.label, v.origin),
                });
            }
            for c in scope
                .commands
                .iter()
                .filter(|c| c.text.trim_start().to_ascii_uppercase().starts_with("RUN"))
            {
                let login = shell::logins(&c.text).into_iter().next().map(|l| {
                    (
                        l.span,
                        "runs `wandb login`, which writes the key to ~/.netrc",
                    )
                });
                let netrc = shell::writes_netrc(&c.text).map(|s| (s, "writes a netrc"));
                if let Some((s, what)) = login.or(netrc) {
                    push(&mut out.hits, ConfigHit {
                        check: "key-in-image",
                        span: c.span.start + s.start..c.span.start + s.end,
                        message: format!("a `RUN` step in {} {what}: the key stays in the image layer", scope.label),
                        help: Some("give the step the key through a secret mount (`RUN --mount=type=secret,id=wandb,env=WANDB_API_KEY ...`) and let the SDK read the variable; never log in inside a build".to_string()),
                        mask: Vec::new(),
                        identity: format!("{}|{}", scope.label, what),
                    });
                }
            }
        }

        // A Python module is code, not shell: only its print calls are looked at (an
        // operator's `bash_command` is shell).
        let shell_like = format != Format::Python || scope.label != "module";
        for c in &scope.commands {
            // C004: the key on a command line.
            let logins = if shell_like {
                shell::logins(&c.text)
            } else {
                Vec::new()
            };
            for l in logins {
                if let Some(lit) = l.literal {
                    let span = c.span.start + lit.start..c.span.start + lit.end;
                    push(&mut out.hits, ConfigHit {
                        check: "key-on-command-line",
                        span: span.clone(),
                        message: format!("`wandb login` is given the key as an argument in {}: it shows in process lists and logs", scope.label),
                        help: Some("set `WANDB_API_KEY` from a secret store instead; the SDK reads it without `wandb login`".to_string()),
                        mask: vec![span],
                        identity: format!("{}|login", scope.label),
                    });
                }
            }
            let inline = if shell_like {
                shell::inline_keys(&c.text)
            } else {
                Vec::new()
            };
            for (assign, value) in inline {
                push(&mut out.hits, ConfigHit {
                    check: "key-on-command-line",
                    span: c.span.start + assign.start..c.span.start + assign.end,
                    message: format!("`{API_KEY}=<literal>` prefixes a command in {}: the key shows in process lists, shell history and logs", scope.label),
                    help: Some("set `WANDB_API_KEY` from a secret store in the environment instead".to_string()),
                    mask: std::iter::once(c.span.start + value.start..c.span.start + value.end)
                        .collect(),
                    identity: format!("{}|inline", scope.label),
                });
            }
            // C008: the key printed.
            let printed = if shell_like {
                shell::prints_key(&c.text)
            } else {
                shell::python_prints_key(&c.text)
            };
            for (span, what) in printed {
                let printed = c.text.get(span.clone()).unwrap_or("");
                if !shell_like && !printed.starts_with("print") {
                    continue;
                }
                let dump = what.starts_with("dumps");
                // Dumps only matter where a key is in the environment.
                if dump && key.is_none() && token.is_none() {
                    continue;
                }
                push(&mut out.hits, ConfigHit {
                    check: "key-printed",
                    span: c.span.start + span.start..c.span.start + span.end,
                    message: format!("a command in {} {what}: CI logs are read by many more people than secrets are", scope.label),
                    help: Some("remove the command; to check the key is set, test it without printing (`test -n \"$WANDB_API_KEY\"`)".to_string()),
                    mask: Vec::new(),
                    identity: format!("{}|{}", scope.label, what),
                });
            }
        }

        // C006: both credentials.
        if let (Some(k), Some(t)) = (key, token) {
            let later = if k.name_span.start > t.name_span.start {
                k
            } else {
                t
            };
            push(&mut out.hits, ConfigHit {
                check: "conflicting-credentials",
                span: later.name_span.clone(),
                message: format!(
                    "{} sets both `{API_KEY}` ({}) and `{TOKEN_FILE}` ({}): the SDK refuses to start",
                    scope.label, k.origin, t.origin
                ),
                help: Some(format!("keep one: `{TOKEN_FILE}` for identity federation, or `{API_KEY}`")),
                mask: Vec::new(),
                identity: scope.label.clone(),
            });
        }

        // C007: SSL verification off.
        if let Some(v) = scope.var("WANDB_INSECURE_DISABLE_SSL") {
            if let Value::Literal(l) = &v.value {
                if formats::truthy(l) {
                    push(&mut out.hits, ConfigHit {
                        check: "ssl-disabled",
                        span: v.name_span.clone(),
                        message: format!("`WANDB_INSECURE_DISABLE_SSL` is true in {}: the key travels to a server whose certificate is not checked", definition_label(scope, &v.origin)),
                        help: Some("remove it; for a private CA set `REQUESTS_CA_BUNDLE` to the CA bundle instead".to_string()),
                        mask: Vec::new(),
                        identity: definition_label(scope, &v.origin),
                    });
                }
            }
        }

        // For C005.
        if let Some(v) = key {
            if let Value::Secret(name) = &v.value {
                out.secret_uses.push(SecretUse {
                    secret: name.clone(),
                    span: v.value_span.clone(),
                    scope: entry_label(scope, &v.origin),
                    purpose: purpose(&scope.triggers),
                });
            }
        }
    }
    out
}

/// The registry rules (C101–C104) over the scopes of one file at display path `path`.
pub fn registry_checks(
    path: &str,
    doc: &ConfigDoc,
    registry: &crate::registry::Registry,
) -> Vec<ConfigHit> {
    use crate::registry::{Scope as AccountScope, Visibility};
    let mut out: Vec<ConfigHit> = Vec::new();
    let mut push = |hit: ConfigHit| {
        if !out
            .iter()
            .any(|h| h.check == hit.check && h.span == hit.span)
        {
            out.push(hit);
        }
    };
    let literal = |scope: &Scope, name: &str| {
        scope.var(name).and_then(|v| match &v.value {
            Value::Literal(l) => Some((l.clone(), v.clone())),
            _ => None,
        })
    };
    for scope in &doc.scopes {
        let key = scope.var(API_KEY).filter(|v| v.value.is_set());
        let token = scope.var(TOKEN_FILE).filter(|v| v.value.is_set());
        let secret = key.and_then(|v| match &v.value {
            Value::Secret(s) => Some(s.as_str()),
            _ => None,
        });
        let login = scope
            .commands
            .iter()
            .find_map(|c| shell::logins(&c.text).into_iter().next().map(|l| (c, l)));
        let credential = key
            .map(|v| (v.name_span.clone(), entry_label(scope, &v.origin)))
            .or_else(|| token.map(|v| (v.name_span.clone(), entry_label(scope, &v.origin))))
            .or_else(|| {
                login.map(|(c, l)| {
                    (
                        c.span.start + l.span.start..c.span.start + l.span.end,
                        scope.label.clone(),
                    )
                })
            });
        let linked = registry.linked(path, secret);

        // C101: the entity names no team.
        let entity = literal(scope, ENTITY);
        if let Some((team, v)) = &entity {
            if !registry.teams.is_empty() && registry.team(team).is_none() {
                push(ConfigHit {
                    check: "unknown-entity",
                    span: v.value_span.clone(),
                    message: format!(
                        "`{ENTITY}` in {} is `{team}`, which names no team in the registry `{}`: runs would go where the team cannot see them",
                        definition_label(scope, &v.origin),
                        registry.path
                    ),
                    help: Some(format!(
                        "use one of the registry's teams: {}",
                        registry.teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                    mask: Vec::new(),
                    identity: format!("{}|{team}", entry_label(scope, &v.origin)),
                });
            }
        }

        // C104: a credential no registry entry claims.
        if let Some((span, label)) = &credential {
            if linked.is_empty() {
                let via = secret.map_or(String::new(), |s| format!(" (secret `{s}`)"));
                push(ConfigHit {
                    check: "undeclared-account-use",
                    span: span.clone(),
                    message: format!(
                        "{label} uses a W&B credential{via} that no service account in the registry `{}` claims in `used_by`",
                        registry.path
                    ),
                    help: Some(format!(
                        "add this file (`{path}`) or the secret's name to the `used_by` of the account it belongs to"
                    )),
                    mask: Vec::new(),
                    identity: format!("{label}|{}", secret.unwrap_or("")),
                });
            }
        }

        for account in &linked {
            // C102: attribution to someone outside the account's team.
            for name in ["WANDB_USERNAME", "WANDB_USER_EMAIL"] {
                let (Some((user, v)), Some(team)) = (
                    literal(scope, name),
                    account.team.as_deref().and_then(|t| registry.team(t)),
                ) else {
                    continue;
                };
                let member = team.members.iter().any(|m| {
                    m.eq_ignore_ascii_case(&user)
                        || m.split('@')
                            .next()
                            .is_some_and(|local| local.eq_ignore_ascii_case(&user))
                });
                if !member {
                    push(ConfigHit {
                        check: "attribution-outside-team",
                        span: v.value_span.clone(),
                        message: format!(
                            "`{name}` in {} is `{user}`, who is not a member of `{}`, the team of service account `{}`: attribution to that user silently does not work",
                            entry_label(scope, &v.origin),
                            team.name,
                            account.name
                        ),
                        help: Some(format!("attribute runs to a member of `{}`, or add `{user}` to the team", team.name)),
                        mask: Vec::new(),
                        identity: format!("{}|{name}|{}", entry_label(scope, &v.origin), account.name),
                    });
                }
            }

            // C103: the account cannot write the entity/project it targets.
            let target_team = entity
                .as_ref()
                .map(|(t, _)| t.clone())
                .or_else(|| account.team.clone());
            let Some(target_team) = target_team else {
                continue;
            };
            let project = literal(scope, "WANDB_PROJECT");
            let project_entry = project.as_ref().and_then(|(p, _)| {
                registry
                    .team(&target_team)?
                    .projects
                    .iter()
                    .find(|x| x.name == *p)
            });
            let other_team = account.scope == Some(AccountScope::Team)
                && account.team.as_deref().is_some_and(|t| t != target_team);
            let open = project_entry.is_some_and(|p| p.visibility == Visibility::Open);
            let denied_other_team = other_team && !open;
            let denied_restricted = project_entry.is_some_and(|p| {
                p.visibility == Visibility::Restricted && !p.members.contains(&account.name)
            });
            if denied_other_team || denied_restricted {
                let (span, what) = match (&project, &entity) {
                    (Some((p, v)), _) => {
                        (v.value_span.clone(), format!("project `{target_team}/{p}`"))
                    }
                    (None, Some((_, v))) => {
                        (v.value_span.clone(), format!("entity `{target_team}`"))
                    }
                    (None, None) => continue,
                };
                let why = if denied_restricted {
                    "it is restricted and its access list does not name the account".to_string()
                } else {
                    format!(
                        "the account is scoped to team `{}`",
                        account.team.as_deref().unwrap_or("")
                    )
                };
                push(ConfigHit {
                    check: "inaccessible-project",
                    span,
                    message: format!(
                        "{} targets {what}, which service account `{}` cannot write: {why}",
                        scope.label, account.name
                    ),
                    help: Some(if denied_restricted {
                        format!("ask the project's admin to add `{}` to its access list, or log elsewhere", account.name)
                    } else {
                        "use an account of the target team, or an organization-scoped account"
                            .to_string()
                    }),
                    mask: Vec::new(),
                    identity: format!("{}|{}|{what}", scope.label, account.name),
                });
            }
        }
    }
    out
}
