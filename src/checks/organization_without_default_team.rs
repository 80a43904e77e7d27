//! A007 `organization-without-default-team`: an organization-scoped account with no `team`.

use super::account::{AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::registry::AccountScope;
use crate::rules::{Kind, Rule};

/// The table row.
pub const CHECK: Check = Check {
    name: "organization-without-default-team",
    kind: Kind::Account,
    params: &[],
    run: Run::Account(run),
};

fn run(_rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    for a in &input.registry.accounts {
        if a.scope == Some(AccountScope::Organization)
            && a.team.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            out.hits.push(AccountHit::new(
                a,
                a.field_span("scope"),
                format!(
                    "organization-scoped `{}` has no default team (`team`)",
                    a.name
                ),
            ));
        }
    }
}
