//! Every check behind the configuration and account rules, one file per check, and the one
//! table ([`CHECKS`]) that names them. A rule file names its check by `check:`; the rule loader
//! validates the rule's `check`, `kind` and `params` against this table (which it receives as
//! a parameter), and every run goes through it.
//!
//! - Configuration checks (C001–C009) judge the scopes of one file ([`crate::formats`]); C001
//!   and C005 also settle across files once every file is read (`settle` in their files).
//! - Registry checks (C101–C104) judge the same scopes against the service-account registry.
//! - Account checks (A001–A011) judge the registry and the audit-log activity.
//!
//! Shared helpers: [`scope`] (what a configuration check sees and returns, scope labels,
//! purposes) and [`account`] (what an account check sees and returns, dates).

pub mod account;
pub mod scope;

pub mod attribution_outside_team;
pub mod auth_failures;
pub mod conflicting_credentials;
pub mod federated_with_keys;
pub mod generic_name;
pub mod inaccessible_project;
pub mod key_in_image;
pub mod key_on_command_line;
pub mod key_printed;
pub mod literal_api_key;
pub mod missing_entity;
pub mod organization_without_default_team;
pub mod over_scoped_organization;
pub mod restricted_project_denied;
pub mod secret_in_script;
pub mod shared_account;
pub mod shared_secret;
pub mod ssl_disabled;
pub mod stale_key;
pub mod undeclared_account_use;
pub mod undocumented_account;
pub mod unknown_entity;
pub mod unused_account;
pub mod unused_key;

pub use account::{day_of, days_between, AccountHit, CheckResult, Input};
pub use generic_name::NamingPolicy;
pub use scope::{ConfigHit, FileChecks, RegistryScope, ScopeInput, SecretUse};
pub use shared_account::system_of;
pub use unused_account::last_activity;

use crate::formats::{ConfigDoc, Format};
use crate::registry::Registry;
use crate::rules::{CheckDef, CheckInputs, Rule};

/// How a check runs: the entry point for its kind of input.
#[derive(Debug, Clone, Copy)]
pub enum Run {
    /// A configuration check: judges one scope of a file, adding to the file's results.
    Config(fn(&ScopeInput<'_>, &mut FileChecks)),
    /// A registry check: judges one scope of a file against the registry.
    Registry(fn(&RegistryScope<'_>, &mut FileChecks)),
    /// An account check: judges the registry and the audit-log activity for one rule.
    Account(fn(&Rule, &Input<'_>, &mut CheckResult)),
}

impl CheckInputs for Run {
    fn read_audit_line(line: &[u8]) -> Result<(), String> {
        crate::auditlog::parse_line(line).map(|_| ())
    }

    fn read_registry(text: &str) -> Result<(), String> {
        crate::registry::parse("registry", text)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn is_date(text: &str) -> bool {
        crate::registry::parse_date(text).is_some()
    }
}

/// Loads every `*.yaml`/`*.yml` rule file under `dir` (recursively, in name order), validated
/// against [`CHECKS`].
pub fn load_rule_dir(
    dir: &std::path::Path,
) -> Result<(crate::rules::RuleSet, Vec<crate::rules::RuleProblem>), std::io::Error> {
    let files = crate::source::files::read_tree(dir, &["yaml", "yml"])?;
    Ok(crate::rules::load_files(files, CHECKS))
}

/// One row of [`CHECKS`].
pub type Check = CheckDef<Run>;

/// Every check this build implements, in rule order. Adding a check is one file in this folder
/// and one row here.
pub static CHECKS: &[Check] = &[
    missing_entity::CHECK,
    literal_api_key::CHECK,
    key_in_image::CHECK,
    key_on_command_line::CHECK,
    shared_secret::CHECK,
    conflicting_credentials::CHECK,
    ssl_disabled::CHECK,
    key_printed::CHECK,
    secret_in_script::CHECK,
    unknown_entity::CHECK,
    attribution_outside_team::CHECK,
    inaccessible_project::CHECK,
    undeclared_account_use::CHECK,
    generic_name::CHECK,
    unused_account::CHECK,
    over_scoped_organization::CHECK,
    stale_key::CHECK,
    unused_key::CHECK,
    undocumented_account::CHECK,
    organization_without_default_team::CHECK,
    federated_with_keys::CHECK,
    shared_account::CHECK,
    auth_failures::CHECK,
    restricted_project_denied::CHECK,
];

/// The check named `name`.
pub fn get(name: &str) -> Option<&'static Check> {
    crate::rules::find_check(CHECKS, name)
}

/// Runs the configuration checks (C001–C009) on `doc`, a file of `format`: scope by scope,
/// each check in table order.
pub fn check(format: Format, doc: &ConfigDoc) -> FileChecks {
    let mut out = FileChecks::default();
    for scope in &doc.scopes {
        let input = ScopeInput::new(format, doc, scope);
        for c in CHECKS {
            if let Run::Config(run) = c.run {
                run(&input, &mut out);
            }
        }
    }
    out
}

/// Runs the registry checks (C101–C104) on the scopes of `doc` (a file of `format` at display
/// path `path`).
pub fn registry_checks(
    format: Format,
    path: &str,
    doc: &ConfigDoc,
    registry: &Registry,
) -> Vec<ConfigHit> {
    let mut out = FileChecks::default();
    for scope in &doc.scopes {
        let input = RegistryScope::new(ScopeInput::new(format, doc, scope), path, registry);
        for c in CHECKS {
            if let Run::Registry(run) = c.run {
                run(&input, &mut out);
            }
        }
    }
    out.hits
}

/// Runs the account check of `rule` on the input. A rule whose check is not an account check
/// of the table (the loader refuses such rules) is reported as not evaluated.
pub fn evaluate(rule: &Rule, input: &Input<'_>) -> CheckResult {
    let mut out = CheckResult::default();
    match rule.check.as_deref().and_then(get).map(|c| c.run) {
        Some(Run::Account(run)) => run(rule, input, &mut out),
        _ => out.unjudged.push((
            String::new(),
            format!(
                "check `{}` is not an account check of this build",
                rule.check.as_deref().unwrap_or("")
            ),
        )),
    }
    out
}
