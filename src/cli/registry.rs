//! `registry init`, `registry sync` and `registry check`: draft a registry from what W&B (the
//! service accounts among a team's members) and the audit logs (`team:create_service_account`,
//! key events) know, add to an existing one only what it lacks, and list the fields a person
//! must still complete (each written as a `TODO` marker the registry reader recognises).

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::Date;

use super::args::{Global, RegistryArgs, RegistryCommand, RegistrySourceArgs};
use super::audit::load_registry;
use super::diag::{eprint_diag, Fatal, FileDiag};
use super::fetch::{api_key, host, retry};
use super::output;
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::auditlog::AuditEvent;
use crate::config::Config;
use crate::wandb::Client;

/// A service account as the sources describe it.
#[derive(Debug, Clone, Default)]
struct Found {
    /// Its W&B name, when known.
    name: Option<String>,
    team: Option<String>,
    /// How it appears in audit logs: W&B id, email.
    ids: Vec<String>,
    created: Option<Date>,
    /// Creation dates of its keys (from `user:create_api_key`).
    keys: Vec<Date>,
    /// `user:delete_api_key` events about it.
    deleted_keys: usize,
    /// Where it was learnt.
    source: &'static str,
    /// Already in the registry being synced.
    existing: bool,
}

impl Found {
    fn matches(&self, name: Option<&str>, ids: &[String]) -> bool {
        (name.is_some() && self.name.as_deref() == name)
            || ids.iter().any(|i| !i.is_empty() && self.ids.contains(i))
    }
}

/// Everything learnt: teams (their human members) and service accounts.
#[derive(Debug, Default)]
struct Draft {
    teams: BTreeMap<String, Vec<String>>,
    accounts: Vec<Found>,
}

impl Draft {
    fn account(&mut self, name: Option<&str>, ids: &[String]) -> Option<&mut Found> {
        self.accounts.iter_mut().find(|a| a.matches(name, ids))
    }
}

pub(super) fn registry(g: &Global, config: &Config, args: RegistryArgs) -> Result<u8, Fatal> {
    match args.command {
        RegistryCommand::Init(a) => init(g, a),
        RegistryCommand::Sync(a) => sync(g, config, a),
        RegistryCommand::Check { file } => check(g, config, &file),
    }
}

/// Reads the teams from W&B and the events from the logs, on top of `seed` (the accounts a
/// registry being synced lists, so that key events find them).
fn gather(args: &RegistrySourceArgs, seed: Vec<Found>) -> Result<Draft, Fatal> {
    if args.teams.is_empty() && args.audit_log.is_empty() {
        return Err(Fatal::Missing(
            "name where to learn the accounts from: --team NAME (W&B) and/or --audit-log PATH",
        ));
    }
    let mut draft = Draft {
        accounts: seed,
        ..Draft::default()
    };
    if !args.teams.is_empty() {
        let host = host(args.host.as_deref());
        let client = Client::new(&host, api_key()?, retry());
        for name in &args.teams {
            let team = crate::wandb::team::team(&client, name).map_err(|e| Fatal::Api {
                what: format!("cannot read the members of team `{name}`"),
                message: e.to_string(),
                help: "check the team name, WANDB_API_KEY and --host".to_string(),
            })?;
            let mut people = Vec::new();
            for m in &team.members {
                let ids: Vec<String> = [Some(m.id.clone()), m.email.clone()]
                    .into_iter()
                    .flatten()
                    .filter(|i| !i.is_empty())
                    .collect();
                if m.is_service_account() && draft.account(Some(&m.username), &ids).is_none() {
                    draft.accounts.push(Found {
                        name: Some(m.username.clone()).filter(|n| !n.is_empty()),
                        team: Some(name.clone()),
                        ids,
                        source: "W&B team members",
                        ..Found::default()
                    });
                } else if !m.is_service_account() {
                    people.push(m.email.clone().unwrap_or_else(|| m.username.clone()));
                }
            }
            draft.teams.insert(name.clone(), people);
        }
    }
    if !args.audit_log.is_empty() {
        crate::auditlog::check_logs(&args.audit_log)?;
        let mut events = Vec::new();
        crate::auditlog::read(&args.audit_log, &mut |e| events.push(e), &mut |_| {});
        events.sort_by_key(|e| e.timestamp);
        for e in &events {
            learn(&mut draft, e);
        }
    }
    Ok(draft)
}

/// The account an event acts on (`user_asset`, `user_email`), as audit ids.
fn acted_on(e: &AuditEvent) -> Vec<String> {
    [e.user_asset.clone(), e.user_email.clone()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect()
}

/// What one event teaches: a service account created, a key created or deleted.
fn learn(draft: &mut Draft, e: &AuditEvent) {
    let ok = e.response_code.is_none_or(|c| c < 400);
    let day = e
        .timestamp
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
    let ids = acted_on(e);
    if !ok || ids.is_empty() {
        return;
    }
    match e.action.as_deref() {
        Some("team:create_service_account") => {
            if let Some(a) = draft.account(None, &ids) {
                a.created = a.created.or(day);
                if a.team.is_none() {
                    a.team = e.entity_name.clone();
                }
            } else {
                draft.accounts.push(Found {
                    team: e.entity_name.clone(),
                    ids,
                    created: day,
                    source: "a team:create_service_account event",
                    ..Found::default()
                });
            }
        }
        Some("user:create_api_key") => {
            if let (Some(a), Some(d)) = (draft.account(None, &ids), day) {
                a.keys.push(d);
            }
        }
        Some("user:delete_api_key") => {
            if let Some(a) = draft.account(None, &ids) {
                a.deleted_keys += 1;
            }
        }
        _ => {}
    }
}

/// A YAML double-quoted scalar (a JSON string is one).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// One account entry, indented by `indent` (the `- ` column).
fn render_account(a: &Found, indent: &str) -> String {
    let i = format!("{indent}  ");
    let mut out = format!("{indent}# From {}.\n", a.source);
    let name = a.name.clone().unwrap_or_else(|| {
        format!(
            "TODO: the W&B name of the account {}",
            a.ids.first().map(String::as_str).unwrap_or("")
        )
    });
    out.push_str(&format!("{indent}- name: {}\n", q(&name)));
    match &a.team {
        Some(t) => out.push_str(&format!("{i}scope: team\n{i}team: {}\n", q(t))),
        None => out.push_str(&format!(
            "{i}scope: {}\n",
            q("TODO: team or organization (and its team)")
        )),
    }
    out.push_str(&format!(
        "{i}auth: api-key\n{i}purpose: {}\n{i}owner: {}\n{i}used_by: {}\n",
        q("TODO: what it is for, in a sentence"),
        q("TODO: who answers for it (a person or a group mailbox)"),
        q("TODO: path globs of the CI files and names of the secrets that hold its key"),
    ));
    if !a.ids.is_empty() {
        let ids: Vec<String> = a.ids.iter().map(|s| q(s)).collect();
        out.push_str(&format!("{i}audit_ids: [{}]\n", ids.join(", ")));
    }
    if let Some(d) = a.created {
        out.push_str(&format!("{i}created: {d}\n"));
    }
    if a.deleted_keys > 0 {
        out.push_str(&format!(
            "{i}# {} key deletion(s) in the audit logs: leave out the keys deleted.\n",
            a.deleted_keys
        ));
    }
    if !a.keys.is_empty() {
        out.push_str(&format!("{i}api_keys:\n"));
        for d in &a.keys {
            out.push_str(&format!(
                "{i}  - name: {}\n{i}    id: {}\n{i}    created: {d}\n",
                q("TODO: a name for this key"),
                q("TODO: W&B's key id (never the key itself)")
            ));
        }
    }
    out
}

fn render_team(name: &str, people: &[String], indent: &str) -> String {
    let members: Vec<String> = people.iter().map(|p| q(p)).collect();
    format!(
        "{indent}{}:\n{indent}  members: [{}]\n",
        q(name),
        members.join(", ")
    )
}

/// The drafted registry's text.
fn render(draft: &Draft, organization: Option<&str>) -> String {
    let mut out = String::from(
        "# A service-account registry drafted by `wandb-sa-lint registry init` from W&B and\n\
         # audit logs. Complete every value that starts with TODO (`wandb-sa-lint registry\n\
         # check FILE` lists them); until then the audit reports those fields as missing.\n\n",
    );
    let org = organization.map_or_else(|| q("TODO: your W&B organization"), q);
    out.push_str(&format!("organization: {org}\n\n"));
    let mut teams = draft.teams.clone();
    for a in &draft.accounts {
        if let Some(t) = &a.team {
            teams.entry(t.clone()).or_default();
        }
    }
    if teams.is_empty() {
        out.push_str("teams: {}\n\n");
    } else {
        out.push_str("teams:\n");
        for (name, people) in &teams {
            out.push_str(&render_team(name, people, "  "));
        }
        out.push('\n');
    }
    if draft.accounts.is_empty() {
        out.push_str("service_accounts: []\n");
    } else {
        out.push_str("service_accounts:\n");
    }
    for a in &draft.accounts {
        out.push_str(&render_account(a, "  "));
    }
    out
}

/// Refuses text that the registry reader rejects (a bug here, or a name W&B allows and YAML
/// reads otherwise): nothing is written then.
fn validate(path: &std::path::Path, text: &str, config: Option<&Config>) -> Result<(), Fatal> {
    let limits = config.map(Config::yaml_limits).unwrap_or_default();
    crate::registry::parse_with(&path.display().to_string(), text, &limits).map_err(|e| {
        if let crate::registry::RegistryError::Invalid { problems, .. } = &e {
            for p in problems {
                eprint_diag(&FileDiag::from(p), false);
            }
        }
        Fatal::from(e)
    })?;
    Ok(())
}

fn init(g: &Global, args: RegistrySourceArgs) -> Result<u8, Fatal> {
    if output::exists(&args.file) && !args.force {
        return Err(Fatal::Exists(format!("`{}`", args.file.display())));
    }
    let draft = gather(&args, Vec::new())?;
    let text = render(&draft, args.organization.as_deref());
    validate(&args.file, &text, None)?;
    output::write_file(&args.file, &text).map_err(|source| Fatal::Write {
        path: args.file.display().to_string(),
        source,
    })?;
    if !g.quiet {
        output::stderr(
            &format!(
                "wrote {} with {} and {}: complete the TODO values (`wandb-sa-lint registry check {}`)\n",
                args.file.display(),
                crate::report::human::count(draft.teams.len(), "team"),
                crate::report::human::count(draft.accounts.len(), "service account"),
                args.file.display()
            ),
            false,
        );
    }
    Ok(EXIT_CLEAN)
}

/// The indentation of the first line after byte `at` that starts with `marker` once
/// indented (`- ` for list items, anything for mapping keys), when one comes before the
/// next top-level key.
fn child_indent(text: &str, at: usize, item: bool) -> Option<String> {
    let rest = text.get(at..)?;
    for line in rest.lines().skip(1) {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = &line[..line.len() - body.len()];
        if indent.is_empty() && !(item && body.starts_with("- ")) {
            return None;
        }
        if !item || body.starts_with("- ") || body == "-" {
            return Some(indent.to_string());
        }
    }
    None
}

/// Whether the block that starts at line offset `at` runs to the end of the file (no
/// top-level key after it), so entries can be appended.
fn runs_to_end(text: &str, at: usize) -> bool {
    text.get(at..).is_some_and(|rest| {
        rest.lines()
            .skip(1)
            .all(|l| l.is_empty() || l.starts_with([' ', '\t', '#', '-']) || l.trim().is_empty())
    })
}

/// The registry text with `draft`'s new teams and accounts added; `None` when the file's
/// layout does not allow it (flow style, `service_accounts` not last).
fn merged(
    reg: &crate::registry::Registry,
    draft: &Draft,
    new: &[&Found],
) -> Result<String, &'static str> {
    let mut text = reg
        .text
        .replacen("\nservice_accounts: []\n", "\nservice_accounts:\n", 1);
    let known: Vec<&str> = reg.teams.iter().map(|t| t.name.as_str()).collect();
    let mut teams: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in new {
        if let Some(t) = a.team.as_ref().filter(|t| !known.contains(&t.as_str())) {
            teams.insert(t.clone(), draft.teams.get(t).cloned().unwrap_or_default());
        }
    }
    if !teams.is_empty() {
        let block: String;
        let teams_line = text
            .lines()
            .scan(0usize, |off, l| {
                let at = *off;
                *off += l.len() + 1;
                Some((at, l))
            })
            .find(|(_, l)| l.trim_end() == "teams:")
            .map(|(at, l)| at + l.len());
        match teams_line {
            Some(end) => {
                let indent = child_indent(&text, end.saturating_sub(1), false)
                    .unwrap_or_else(|| "  ".to_string());
                block = teams
                    .iter()
                    .map(|(n, p)| render_team(n, p, &indent))
                    .collect();
                text.insert_str((end + 1).min(text.len()), &block);
            }
            None if reg.teams.is_empty() && !text.contains("\nteams:") => {
                block = teams.iter().map(|(n, p)| render_team(n, p, "  ")).collect();
                text = format!("teams:\n{block}{text}");
            }
            None => {
                return Err("its `teams` is not a block mapping (`teams:` on a line of its own)")
            }
        }
    }
    let key = text
        .lines()
        .scan(0usize, |off, l| {
            let at = *off;
            *off += l.len() + 1;
            Some((at, l))
        })
        .find(|(_, l)| l.trim_end() == "service_accounts:")
        .map(|(at, _)| at);
    let indent = match key {
        Some(at) if runs_to_end(&text, at) => {
            child_indent(&text, at, true).unwrap_or_else(|| "  ".to_string())
        }
        Some(_) => return Err("`service_accounts` is not the last key of the file"),
        None if reg.accounts_key.is_some() => return Err(
            "its `service_accounts` is not a block list (`service_accounts:` on a line of its own)",
        ),
        None => {
            text.push_str("\nservice_accounts:\n");
            "  ".to_string()
        }
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    for a in new {
        text.push_str(&render_account(a, &indent));
    }
    Ok(text)
}

fn sync(g: &Global, config: &Config, args: RegistrySourceArgs) -> Result<u8, Fatal> {
    let reg = load_registry(&args.file, config)?;
    let seed = reg
        .accounts
        .iter()
        .map(|a| Found {
            name: Some(a.name.clone()),
            team: a.team.clone(),
            ids: a.audit_ids.clone(),
            existing: true,
            ..Found::default()
        })
        .collect();
    let draft = gather(&args, seed)?;
    let mut new = Vec::new();
    let mut notes = Vec::new();
    for a in &draft.accounts {
        let existing = a
            .existing
            .then(|| {
                reg.accounts
                    .iter()
                    .find(|r| a.name.as_deref() == Some(r.name.as_str()))
            })
            .flatten();
        match existing {
            None => new.push(a),
            Some(r) => {
                let listed: Vec<Date> = r.api_keys.iter().filter_map(|k| k.created).collect();
                let unlisted: Vec<String> = a
                    .keys
                    .iter()
                    .filter(|d| !listed.contains(d))
                    .map(Date::to_string)
                    .collect();
                if !unlisted.is_empty() {
                    notes.push(format!(
                        "`{}`: keys created on {} are not in `api_keys` (add them if they still exist)\n",
                        r.name,
                        unlisted.join(", ")
                    ));
                }
            }
        }
    }
    if !new.is_empty() {
        let text = merged(&reg, &draft, &new).map_err(|why| Fatal::Api {
            what: format!("cannot add to `{}`", args.file.display()),
            message: why.to_string(),
            help: "write `teams:` and `service_accounts:` in block style, service_accounts last"
                .to_string(),
        })?;
        validate(&args.file, &text, Some(config))?;
        output::write_file(&args.file, &text).map_err(|source| Fatal::Write {
            path: args.file.display().to_string(),
            source,
        })?;
    }
    if !g.quiet {
        for n in &notes {
            output::stderr(&format!("note: {n}"), false);
        }
        output::stderr(
            &format!(
                "{}: {} added, {} already listed\n",
                args.file.display(),
                crate::report::human::count(new.len(), "service account"),
                reg.accounts.len()
            ),
            false,
        );
    }
    Ok(EXIT_CLEAN)
}

fn check(g: &Global, config: &Config, file: &Path) -> Result<u8, Fatal> {
    let reg = load_registry(file, config)?;
    for t in &reg.todo {
        let line = reg
            .text
            .get(..t.span.start)
            .map_or(0, |s| s.matches('\n').count())
            + 1;
        output::stdout(
            &format!(
                "{}:{line}: service account `{}`: `{}` is still to complete ({})\n",
                file.display(),
                t.account,
                t.field,
                t.hint
            ),
            false,
        );
    }
    if !g.quiet {
        output::stderr(
            &format!(
                "{} left to complete in {}\n",
                crate::report::human::count(reg.todo.len(), "field"),
                file.display()
            ),
            false,
        );
    }
    Ok(if reg.todo.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
