//! A003 `over-scoped-organization`: an organization-scoped account that touched one team (or
//! none) over at least `min-observed-days` days of audit logs. Teams are told apart by name or,
//! in logs without names, by their W&B id (`entity_asset`). An account whose events name no
//! team at all is not judged.

use super::account::{AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::registry::AccountScope;
use crate::rules::{Kind, ParamDef, Rule};

/// Days of audit logs needed to judge an account's scope.
const MIN_OBSERVED_DAYS: ParamDef = ParamDef::number("min-observed-days", 30);

/// The table row.
pub const CHECK: Check = Check {
    name: "over-scoped-organization",
    kind: Kind::Account,
    params: &[MIN_OBSERVED_DAYS],
    run: Run::Account(run),
};

fn run(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let min = i64::try_from(MIN_OBSERVED_DAYS.number_in(rule)).unwrap_or(i64::MAX);
    for a in &input.registry.accounts {
        if a.scope != Some(AccountScope::Organization) {
            continue;
        }
        let Some(act) = input.of(a).filter(|act| act.events > 0) else {
            continue;
        };
        let Some((start, end, n)) = input.window() else {
            continue;
        };
        if n < min {
            out.unjudged.push((
                a.name.clone(),
                format!(
                    "the audit logs cover {n} day{} ({start} to {end}), {min} are needed to judge its scope",
                    if n == 1 { "" } else { "s" }
                ),
            ));
            continue;
        }
        if act.teams.len() > 1 {
            continue;
        }
        if act.teams.is_empty() && act.unnamed_events > 0 {
            // Logs without entity names show nothing about the teams it works in.
            out.unjudged.push((
                a.name.clone(),
                format!(
                    "none of its {} audit event{} names a team (`entity_name` or `entity_asset`)",
                    act.unnamed_events,
                    if act.unnamed_events == 1 { "" } else { "s" }
                ),
            ));
            continue;
        }
        let (message, help) = match act.teams.iter().next() {
            Some(team) if team.starts_with("id:") => {
                let id = team.trim_start_matches("id:");
                (
                    format!(
                        "organization-scoped `{}` touched only one team (W&B id `{id}`; the registry gives no team this `id`) in {n} observed days ({start} to {end})",
                        a.name
                    ),
                    "replace it with a team-scoped service account in the team its jobs log to (least privilege)".to_string(),
                )
            }
            Some(team) => (
                format!(
                    "organization-scoped `{}` touched only team {team} in {n} observed days ({start} to {end})",
                    a.name
                ),
                format!(
                    "replace it with a team-scoped service account in `{team}` (least privilege), move its jobs to the new key, then delete this account"
                ),
            ),
            None => (
                format!(
                    "organization-scoped `{}` touched no team's projects in {n} observed days ({start} to {end})",
                    a.name
                ),
                "replace it with a team-scoped service account in the team its jobs log to"
                    .to_string(),
            ),
        };
        let mut h = AccountHit::new(a, a.field_span("scope"), message);
        h.help = Some(help);
        out.hits.push(h);
    }
}
