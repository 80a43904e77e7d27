//! A008 `federated-with-keys`: an account that authenticates by identity federation but lists
//! API keys.

use super::account::{AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::registry::Auth;
use crate::rules::{Kind, Rule};

/// The table row.
pub const CHECK: Check = Check {
    name: "federated-with-keys",
    kind: Kind::Account,
    params: &[],
    run: Run::Account(run),
};

fn run(_rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    for a in &input.registry.accounts {
        if a.auth == Some(Auth::Federated) && !a.api_keys.is_empty() {
            let names: Vec<&str> = a.api_keys.iter().map(|k| k.name.as_str()).collect();
            out.hits.push(AccountHit::new(
                a,
                a.field_span("api_keys"),
                format!(
                    "`{}` authenticates by identity federation but lists {} API key{}: {}",
                    a.name,
                    a.api_keys.len(),
                    if a.api_keys.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ),
            ));
        }
    }
}
