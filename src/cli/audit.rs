//! `audit`: judge the registry's service accounts against audit logs; also the registry
//! loading and `--as-of` date that `scan` and `report` share.

use std::path::Path;

use super::args::{AuditArgs, Global};
use super::diag::{eprint_diag, Fatal, FileDiag};
use super::scan::{apply_baseline, emit, record_baseline};
use crate::config::Config;
use crate::rules::RuleSet;

pub(super) fn audit(
    g: &Global,
    config: &Config,
    rules: &RuleSet,
    args: AuditArgs,
) -> Result<u8, Fatal> {
    if let Some(super::args::AuditCommand::Fetch(fetch)) = args.command {
        return super::fetch::fetch(g, fetch);
    }
    let Some(registry_path) = args.registry.clone() else {
        return Err(Fatal::Missing(
            "`audit` needs the registry: --registry FILE",
        ));
    };
    let as_of = as_of_date(args.as_of.as_deref())?;
    crate::auditlog::check_logs(&args.audit_log)?;
    let (rules, rule_problems) = crate::suppress::configure_rules(rules, config);
    let registry = load_registry(&registry_path, config)?;
    let mut outcome = crate::audit::run::audit(
        &registry,
        &registry_path,
        &rules,
        config,
        &args.audit_log,
        as_of,
    );
    outcome.problems.extend(rule_problems);
    if let Some(out) = &args.write_baseline {
        return record_baseline(g, &outcome, out);
    }
    apply_baseline(
        &mut outcome,
        args.baseline.as_deref(),
        g.config_from.as_deref(),
    )?;
    emit(
        g,
        config,
        &rules,
        &outcome,
        args.format,
        args.output.as_deref(),
    )
}

/// Loads the registry (its YAML under `config`'s limits), printing each of its problems as a
/// diagnostic.
pub(super) fn load_registry(
    path: &Path,
    config: &Config,
) -> Result<crate::registry::Registry, Fatal> {
    crate::registry::load(path, &config.yaml_limits()).map_err(|e| {
        if let crate::registry::RegistryError::Invalid { problems, .. } = &e {
            for p in problems {
                eprint_diag(&FileDiag::from(p), false);
            }
        }
        e.into()
    })
}

/// `--as-of`, or today (UTC).
pub(super) fn as_of_date(arg: Option<&str>) -> Result<jiff::civil::Date, Fatal> {
    match arg {
        Some(d) => crate::registry::parse_date(d).ok_or_else(|| Fatal::Usage {
            what: "--as-of date (expected YYYY-MM-DD)",
            value: d.to_string(),
        }),
        None => Ok(jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()),
    }
}
