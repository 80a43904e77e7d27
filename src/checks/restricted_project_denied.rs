//! A011 `restricted-project-denied`: an account refused on a restricted project. Projects are
//! known by name or, in logs without names, by the W&B id (`project_asset`) the registry gives
//! them; refusals on a project known neither way leave the account unjudged.

use super::account::{between, AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::registry::Visibility;
use crate::rules::{Kind, Rule};

/// The table row.
pub const CHECK: Check = Check {
    name: "restricted-project-denied",
    kind: Kind::Account,
    params: &[],
    run: Run::Account(run),
};

fn run(_rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let reg = input.registry;
    for a in &reg.accounts {
        let Some(act) = input.of(a) else { continue };
        if act.unnamed_refusals > 0 {
            // Refusals without a project cannot be matched to a restricted one.
            out.unjudged.push((
                format!(
                    "{} ({} refusal{})",
                    a.name,
                    act.unnamed_refusals,
                    if act.unnamed_refusals == 1 { "" } else { "s" }
                ),
                "refused requests that name no project the registry knows: no `entity_name` and `project_name`, and no `project_asset` id that a project's `id` in the registry matches (bucket files and `anonymize=true` carry ids only)".to_string(),
            ));
        }
        for ((team, project), r) in &act.refused_projects {
            let Some(p) = reg
                .team(team)
                .and_then(|t| t.projects.iter().find(|p| p.name == *project))
            else {
                continue;
            };
            if p.visibility != Visibility::Restricted {
                continue;
            }
            let when = between(r.first, r.last);
            let listed = p
                .members
                .iter()
                .any(|m| m == &a.name || a.audit_ids.iter().any(|id| id.eq_ignore_ascii_case(m)));
            let note = if listed {
                " (the registry lists it on the project's access list, W&B does not)"
            } else {
                ""
            };
            out.hits.push(AccountHit::new(
                a,
                a.field_span("name"),
                format!(
                    "`{}` was refused {} time{} on restricted project {team}/{project}{when}{note}",
                    a.name,
                    r.count,
                    if r.count == 1 { "" } else { "s" }
                ),
            ));
        }
    }
}
