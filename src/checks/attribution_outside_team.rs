//! C102 `attribution-outside-team`: runs attributed (`WANDB_USERNAME`, `WANDB_USER_EMAIL`) to
//! someone who is not a member of the team of the service account the scope uses.

use super::scope::{entry_label, ConfigHit, FileChecks, RegistryScope};
use super::{Check, Run};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "attribution-outside-team",
    kind: Kind::Config,
    params: &[],
    run: Run::Registry(scope),
};

fn scope(input: &RegistryScope<'_>, out: &mut FileChecks) {
    let scope = input.input.scope;
    for account in &input.linked {
        for name in ["WANDB_USERNAME", "WANDB_USER_EMAIL"] {
            let (Some((user, v)), Some(team)) = (
                input.input.literal(name),
                account.team.as_deref().and_then(|t| input.registry.team(t)),
            ) else {
                continue;
            };
            let member = team.members.iter().any(|m| {
                m.eq_ignore_ascii_case(&user)
                    || m.split('@')
                        .next()
                        .is_some_and(|local| local.eq_ignore_ascii_case(&user))
            });
            if member {
                continue;
            }
            out.push(ConfigHit {
                check: CHECK.name,
                span: v.value_span.clone(),
                message: format!(
                    "`{name}` in {} is `{user}`, who is not a member of `{}`, the team of service account `{}`: attribution to that user silently does not work",
                    entry_label(scope, &v.origin),
                    team.name,
                    account.name
                ),
                help: Some(format!(
                    "attribute runs to a member of `{}`, or add `{user}` to the team",
                    team.name
                )),
                mask: Vec::new(),
                identity: format!(
                    "{}|{name}|{}",
                    entry_label(scope, &v.origin),
                    account.name
                ),
            });
        }
    }
}
