//! A006 `undocumented-account`: a service account without purpose, owner or `used_by`, and
//! accounts the audit logs show (created, or acting) that the registry does not list.

use std::collections::{BTreeMap, BTreeSet};

use super::account::{between, day_of, AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::rules::{Kind, Rule};
use crate::yaml::ByteSpan;

/// The table row.
pub const CHECK: Check = Check {
    name: "undocumented-account",
    kind: Kind::Account,
    params: &[],
    run: Run::Account(run),
};

fn run(_rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    for a in &input.registry.accounts {
        let mut missing = Vec::new();
        if a.purpose.as_deref().is_none_or(|p| p.trim().is_empty()) {
            missing.push("purpose");
        }
        if a.owner.as_deref().is_none_or(|p| p.trim().is_empty()) {
            missing.push("owner");
        }
        if a.used_by.is_empty() {
            missing.push("used_by");
        }
        if !missing.is_empty() {
            out.hits.push(AccountHit::new(
                a,
                a.field_span("name"),
                format!(
                    "service account `{}` documents no {}",
                    a.name,
                    missing.join(", no ")
                ),
            ));
        }
    }
    unlisted(input, out);
}

/// Accounts the logs show that the registry does not list.
fn unlisted(input: &Input<'_>, out: &mut CheckResult) {
    let reg = input.registry;
    let known: BTreeSet<String> = reg
        .accounts
        .iter()
        .flat_map(|a| std::iter::once(a.name.clone()).chain(a.audit_ids.iter().cloned()))
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let listed = |id: &str| {
        let id = id.to_ascii_lowercase();
        let local = id.split('@').next().unwrap_or(&id).to_string();
        known.contains(&id) || known.contains(&local)
    };
    let at: ByteSpan = reg.accounts_key.clone().unwrap_or(0..0);
    let mut seen: BTreeMap<String, AccountHit> = BTreeMap::new();
    for c in &input.activity.creations {
        let when = c.at.map(|t| day_of(t).to_string()).unwrap_or_default();
        let team = match c.team.as_deref() {
            Some(t) => format!("in team {t} "),
            None => String::new(),
        };
        let unnamed_team = if c.team.is_none() {
            "; the event names no team"
        } else {
            ""
        };
        match &c.account {
            Some(name) if !listed(name) => {
                seen.entry(name.to_ascii_lowercase()).or_insert(AccountHit {
                    account: name.clone(),
                    key: None,
                    span: at.clone(),
                    message: format!(
                        "service account `{name}` was created {team}on {when} (team:create_service_account{unnamed_team}) but the registry does not list it"
                    ),
                    help: None,
                });
            }
            Some(_) => {}
            None => out.unjudged.push((
                format!("a service account created {team}on {when}"),
                "the audit event does not name the new account; check that the registry lists it"
                    .to_string(),
            )),
        }
    }
    let mut people = 0usize;
    let mut unclear: Vec<&str> = Vec::new();
    for (actor, act) in &input.activity.unknown_actors {
        // Known only by a W&B id (logs without emails): whether it is a person the registry
        // lists cannot be told. One who signs in interactively is a person; one who only
        // calls through the SDK is automation; the rest is not judged.
        let id_only = !actor.contains('@');
        let automation = id_only && act.logins == 0 && act.sdk_events > 0;
        if id_only && act.logins > 0 {
            people += 1;
            continue;
        }
        if id_only && !automation && !seen.contains_key(&actor.to_ascii_lowercase()) {
            unclear.push(actor);
            continue;
        }
        let span = between(act.first, act.last);
        let teams = if act.teams.is_empty() {
            String::new()
        } else {
            format!(
                " in {}",
                act.teams.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        let times = if act.events == 1 { "time" } else { "times" };
        let acting = format!("acted {} {times}{teams}{span}", act.events);
        let key = actor.to_ascii_lowercase();
        match seen.get_mut(&key) {
            Some(h) => h.message.push_str(&format!(", and {acting}")),
            None => {
                let message = if automation {
                    format!(
                        "W&B user id `{actor}` {acting} in the audit logs, through the SDK ({} event{} with a `cli_version`) and never signing in interactively: automation that the registry lists neither as a service account (`audit_ids`) nor as a member (`member_ids`)",
                        act.sdk_events,
                        if act.sdk_events == 1 { "" } else { "s" }
                    )
                } else {
                    format!(
                        "`{actor}` {acting} in the audit logs, but the registry lists it neither as a service account nor as a team member"
                    )
                };
                seen.insert(
                    key,
                    AccountHit {
                        account: actor.clone(),
                        key: None,
                        span: at.clone(),
                        message,
                        help: Some(
                            "add the service account to the registry (purpose, owner, used_by, audit_ids), or the person to their team's members".to_string(),
                        ),
                    },
                );
            }
        }
    }
    out.hits.extend(seen.into_values());
    id_only_notes(people, unclear, out);
}

/// The notes on actors known only by a W&B id that are not reported: people (they sign in),
/// and those whose kind the logs do not show.
fn id_only_notes(people: usize, unclear: Vec<&str>, out: &mut CheckResult) {
    if people > 0 {
        out.unjudged.push((
            String::new(),
            format!(
                "{people} actor{} known only by a W&B user id signed in interactively (people); whether they are members cannot be told without emails: list their ids under their team's `member_ids`",
                if people == 1 { "" } else { "s" }
            ),
        ));
    }
    if !unclear.is_empty() {
        let n = unclear.len();
        let shown: Vec<&str> = unclear.into_iter().take(10).collect();
        out.unjudged.push((
            shown.join(", "),
            format!(
                "{n} actor{} known only by a W&B user id neither signed in nor used the SDK: person or automation cannot be told; list them in the registry (`audit_ids` or `member_ids`)",
                if n == 1 { "" } else { "s" }
            ),
        ));
    }
}
