//! `report`: the periodic compliance report, written to a file as HTML, Markdown or JSON.

use super::args::{Global, ReportArgs};
use super::audit::{as_of_date, load_registry};
use super::diag::Fatal;
use super::output;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::Config;
use crate::report;
use crate::rules::RuleSet;

pub(super) fn report_cmd(
    g: &Global,
    config: &Config,
    rules: &RuleSet,
    args: ReportArgs,
) -> Result<u8, Fatal> {
    use crate::report::compliance;
    if args.scan.is_empty() && args.registry.is_none() {
        return Err(Fatal::Missing(
            "`report` needs something to report on: scan results (--scan RESULT.json, from `scan --format json`) or the registry (--registry FILE)",
        ));
    }
    let as_of = as_of_date(args.as_of.as_deref())?;
    crate::auditlog::check_logs(&args.audit_log)?;
    let mut problems = Vec::new();
    let repositories: Vec<_> = args
        .scan
        .iter()
        .filter_map(|p| compliance::read_scan(p, &mut problems))
        .collect();
    let previous = args
        .previous
        .as_deref()
        .and_then(|p| compliance::read_previous(p, &mut problems));
    // A named scan result or previous report that could not be read at all: the report is
    // still written, and the run exits 2 naming it.
    let unread =
        repositories.len() < args.scan.len() || (args.previous.is_some() && previous.is_none());
    if unread {
        for p in &problems {
            output::stderr(&format!("error: {}\n", report::escape::one_line(p)), false);
        }
    }
    let (rules, rule_problems) = crate::suppress::configure_rules(rules, config);
    problems.extend(rule_problems.into_iter().map(|p| p.message));
    let audited = match &args.registry {
        Some(path) => {
            let registry = load_registry(path, config)?;
            let (outcome, activity) = crate::audit::run::audit_with_activity(
                &registry,
                path,
                &rules,
                config,
                &args.audit_log,
                as_of,
            );
            Some((registry, outcome, activity))
        }
        None => None,
    };
    let part = audited
        .as_ref()
        .map(|(registry, outcome, activity)| compliance::AuditPart {
            registry,
            activity,
            outcome,
        });
    let report = compliance::build(as_of, repositories, part, previous, &rules, problems);
    let body = args.format.renderer().render(&report);
    output::write_file(&args.output, &body).map_err(|source| Fatal::Write {
        path: args.output.display().to_string(),
        source,
    })?;
    for p in report.problems.iter().filter(|_| g.verbose) {
        output::stderr(
            &format!("note: {}\n", report::escape::one_line(&p.to_string())),
            false,
        );
    }
    if !g.quiet {
        output::stderr(
            &format!(
                "wrote {}: {}, {} repositor{}, {}{}\n",
                args.output.display(),
                crate::report::human::count(report.totals.accounts, "service account"),
                report.totals.repositories,
                if report.totals.repositories == 1 {
                    "y"
                } else {
                    "ies"
                },
                crate::report::human::count(report.totals.findings, "finding"),
                if report.problems.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} listed in the report{}",
                        crate::report::human::count(report.problems.len(), "input problem"),
                        if g.verbose {
                            ""
                        } else {
                            " (-v prints them here)"
                        }
                    )
                }
            ),
            false,
        );
    }
    // An audit log of which nothing could be read: the report misses what it was asked for.
    let logs_unread = audited
        .as_ref()
        .is_some_and(|(_, o, _)| !o.unread.is_empty());
    Ok(if unread || logs_unread {
        EXIT_ERROR
    } else {
        exit_for(&report, g.fail_on.as_deref())
    })
}

/// Exit 1 when `--fail-on` (the flag or `WANDB_SA_LINT_FAIL_ON`) is given and a finding of
/// the report is at or above it. The configuration file's `fail-on` and the default gate
/// `scan` and `audit` only: a periodic report is a document, not a gate, unless asked.
fn exit_for(report: &crate::report::compliance::Report, fail_on: Option<&str>) -> u8 {
    let threshold = fail_on.and_then(crate::config::parse_fail_on).flatten();
    match (threshold, report.worst()) {
        (Some(t), Some(worst)) if worst >= t => EXIT_FINDINGS,
        _ => EXIT_CLEAN,
    }
}
