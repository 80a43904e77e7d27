//! C104 `undeclared-account-use`: a W&B credential that no service account of the registry
//! claims in `used_by` (neither the file nor the secret).

use super::scope::{ConfigHit, FileChecks, RegistryScope};
use super::{Check, Run};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "undeclared-account-use",
    kind: Kind::Config,
    params: &[],
    run: Run::Registry(scope),
};

fn scope(input: &RegistryScope<'_>, out: &mut FileChecks) {
    let Some((span, label)) = input.credential() else {
        return;
    };
    if !input.linked.is_empty() {
        return;
    }
    let secret = input.secret;
    let via = secret.map_or(String::new(), |s| format!(" (secret `{s}`)"));
    out.push(ConfigHit {
        check: CHECK.name,
        span,
        message: format!(
            "{label} uses a W&B credential{via} that no service account in the registry `{}` claims in `used_by`",
            input.registry.path
        ),
        help: Some(format!(
            "add this file (`{}`) or the secret's name to the `used_by` of the account it belongs to",
            input.path
        )),
        mask: Vec::new(),
        identity: format!("{label}|{}", secret.unwrap_or("")),
    });
}
