//! C101 `unknown-entity`: `WANDB_ENTITY` names no team of the registry.

use super::scope::{definition_label, entry_label, ConfigHit, FileChecks, RegistryScope};
use super::{Check, Run};
use crate::formats::ENTITY;
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "unknown-entity",
    kind: Kind::Config,
    params: &[],
    run: Run::Registry(scope),
};

fn scope(input: &RegistryScope<'_>, out: &mut FileChecks) {
    let registry = input.registry;
    let scope = input.input.scope;
    let Some((team, v)) = input.input.literal(ENTITY) else {
        return;
    };
    if registry.teams.is_empty() || registry.team(&team).is_some() {
        return;
    }
    out.push(ConfigHit {
        check: CHECK.name,
        span: v.value_span.clone(),
        message: format!(
            "`{ENTITY}` in {} is `{team}`, which names no team in the registry `{}`: runs would go where the team cannot see them",
            definition_label(scope, &v.origin),
            registry.path
        ),
        help: Some(format!(
            "use one of the registry's teams: {}",
            registry
                .teams
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        mask: Vec::new(),
        identity: format!("{}|{team}", entry_label(scope, &v.origin)),
    });
}
