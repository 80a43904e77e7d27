//! C103 `inaccessible-project`: the scope's service account cannot write the entity or project
//! it targets (another team's, or a restricted project whose access list does not name it).

use super::scope::{ConfigHit, FileChecks, RegistryScope};
use super::{Check, Run};
use crate::formats::ENTITY;
use crate::registry::{Account, AccountScope, Visibility};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "inaccessible-project",
    kind: Kind::Config,
    params: &[],
    run: Run::Registry(scope),
};

fn scope(input: &RegistryScope<'_>, out: &mut FileChecks) {
    for account in &input.linked {
        if let Some(hit) = judge(input, account) {
            out.push(hit);
        }
    }
}

/// The hit for `account` in the scope, if it cannot write its target.
fn judge(input: &RegistryScope<'_>, account: &Account) -> Option<ConfigHit> {
    let scope = input.input.scope;
    let entity = input.input.literal(ENTITY);
    let target_team = entity
        .as_ref()
        .map(|(t, _)| t.clone())
        .or_else(|| account.team.clone())?;
    let project = input.input.literal("WANDB_PROJECT");
    let project_entry = project.as_ref().and_then(|(p, _)| {
        input
            .registry
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
    if !(denied_other_team || denied_restricted) {
        return None;
    }
    let (span, what) = match (&project, &entity) {
        (Some((p, v)), _) => (v.value_span.clone(), format!("project `{target_team}/{p}`")),
        (None, Some((_, v))) => (v.value_span.clone(), format!("entity `{target_team}`")),
        (None, None) => return None,
    };
    let why = if denied_restricted {
        "it is restricted and its access list does not name the account".to_string()
    } else {
        format!(
            "the account is scoped to team `{}`",
            account.team.as_deref().unwrap_or("")
        )
    };
    Some(ConfigHit {
        check: CHECK.name,
        span,
        message: format!(
            "{} targets {what}, which service account `{}` cannot write: {why}",
            scope.label, account.name
        ),
        help: Some(if denied_restricted {
            format!(
                "ask the project's admin to add `{}` to its access list, or log elsewhere",
                account.name
            )
        } else {
            "use an account of the target team, or an organization-scoped account".to_string()
        }),
        mask: Vec::new(),
        identity: format!("{}|{}|{what}", scope.label, account.name),
    })
}
