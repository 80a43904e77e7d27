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
    for (actor, act) in &input.activity.unknown_actors {
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
                seen.insert(
                    key,
                    AccountHit {
                        account: actor.clone(),
                        key: None,
                        span: at.clone(),
                        message: format!(
                            "`{actor}` {acting} in the audit logs, but the registry lists it neither as a service account nor as a team member"
                        ),
                        help: Some(
                            "add the service account to the registry (purpose, owner, used_by, audit_ids), or the person to their team's members".to_string(),
                        ),
                    },
                );
            }
        }
    }
    out.hits.extend(seen.into_values());
}
