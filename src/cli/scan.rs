//! `scan` and `baseline`: run a scan, hide what a baseline accepts or record a new baseline,
//! and emit the findings in the chosen format with the exit code they call for.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::args::{Global, ScanArgs};
use super::audit::load_registry;
use super::diag::{env_flag, use_color, width, Fatal};
use super::output;
use super::progress::Bar;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::Config;
use crate::finding::Outcome;
use crate::report::{self, human, OutputFormat};
use crate::rules::{RuleSet, Severity};

pub(super) fn scan(
    g: &Global,
    config: &Config,
    rules: &RuleSet,
    args: ScanArgs,
) -> Result<u8, Fatal> {
    let (format, output, baseline) = (args.format, args.output.clone(), args.baseline.clone());
    let verify = args.verify.then(|| {
        (
            super::fetch::host(args.wandb_host.as_deref()),
            args.registry.clone(),
        )
    });
    let (mut outcome, rules) = run_scan(g, config, rules, args)?;
    apply_baseline(&mut outcome, baseline.as_deref(), g.config_from.as_deref())?;
    if let Some((host, registry)) = verify {
        let registry = match registry {
            Some(path) => Some(load_registry(&path, config)?),
            None => None,
        };
        verify_keys(g, &mut outcome, &host, registry.as_ref());
    }
    emit(g, config, &rules, &outcome, format, output.as_deref())
}

/// Asks W&B about each key behind the findings (once per key), and records the answer on
/// every finding of that key, with the registry's account when it names the owner.
fn verify_keys(
    g: &Global,
    outcome: &mut Outcome,
    host: &str,
    registry: Option<&crate::registry::Registry>,
) {
    use crate::wandb::viewer::{verify, KeyStatus};
    let retry = super::fetch::retry();
    let keys = std::mem::take(&mut outcome.keys);
    let mut answers = std::collections::BTreeMap::new();
    let mut unreachable: Option<String> = None;
    for f in &outcome.findings {
        if f.redacted().is_none() || answers.contains_key(&f.fingerprint) {
            continue;
        }
        let Some((_, key)) = keys.0.iter().find(|(fp, _)| *fp == f.fingerprint) else {
            continue;
        };
        // A host that cannot be reached is not asked again for every key (each attempt
        // waits through the whole backoff).
        let status = match &unreachable {
            Some(why) => KeyStatus::Unknown(why.clone()),
            None => verify(host, key, &retry),
        };
        if let KeyStatus::Unknown(why) = &status {
            if why.starts_with("cannot reach") {
                unreachable = Some(why.clone());
            }
        }
        let v = match status {
            KeyStatus::Live(owner) => crate::finding::Verification {
                status: "live".to_string(),
                registry_account: registry.and_then(|r| {
                    r.accounts
                        .iter()
                        .find(|a| {
                            a.name == owner.username
                                || a.audit_ids.iter().any(|i| {
                                    *i == owner.id
                                        || *i == owner.username
                                        || owner.email.as_deref() == Some(i.as_str())
                                })
                        })
                        .map(|a| a.name.clone())
                }),
                username: Some(owner.username),
                entity: Some(owner.entity).filter(|e| !e.is_empty()),
                service_account: owner.service_account,
                reason: None,
            },
            KeyStatus::Revoked => crate::finding::Verification {
                status: "revoked".to_string(),
                ..Default::default()
            },
            KeyStatus::Unknown(why) => crate::finding::Verification {
                status: "unknown".to_string(),
                reason: Some(why),
                ..Default::default()
            },
        };
        answers.insert(f.fingerprint.clone(), v);
    }
    for f in &mut outcome.findings {
        if let Some(v) = answers.get(&f.fingerprint) {
            f.set_verified(v.clone());
        }
    }
    if !g.quiet && !answers.is_empty() {
        let live = answers.values().filter(|v| v.status == "live").count();
        output::stderr(
            &format!(
                "verified {} with {host}: {live} live\n",
                human::count(answers.len(), "key"),
            ),
            false,
        );
    }
}

/// Hides the findings the baseline file accepts (read from `rev` when given and the file is
/// inside the repository: `--config-from`).
pub(super) fn apply_baseline(
    outcome: &mut Outcome,
    file: Option<&Path>,
    rev: Option<&str>,
) -> Result<(), Fatal> {
    if let Some(b) = file {
        let (entries, shown) = crate::weaken::load_baseline(rev, b)?;
        crate::suppress::baseline::apply(outcome, &entries, &shown);
    }
    Ok(())
}

pub(super) fn write_baseline(
    g: &Global,
    config: &Config,
    rules: &RuleSet,
    args: ScanArgs,
) -> Result<u8, Fatal> {
    let Some(out) = args.output.clone() else {
        return Err(Fatal::Missing(
            "`baseline` needs the file to write: -o FILE",
        ));
    };
    let (outcome, _) = run_scan(g, config, rules, args)?;
    record_baseline(g, &outcome, &out)
}

/// Writes the outcome's findings to a baseline file.
pub(super) fn record_baseline(g: &Global, outcome: &Outcome, out: &Path) -> Result<u8, Fatal> {
    output::write_file(out, &crate::suppress::baseline::render(outcome)).map_err(|source| {
        Fatal::Write {
            path: out.display().to_string(),
            source,
        }
    })?;
    let (shown, hidden) = human::shown_problems(outcome, g.verbose, g.quiet);
    for p in shown {
        output::stderr(&human::render_problem(p), false);
    }
    if hidden > 0 && !g.quiet {
        output::stderr(
            &format!("{hidden} more note(s) not shown; -v lists them\n"),
            false,
        );
    }
    if !g.quiet {
        output::stderr(
            &format!(
                "wrote {} to the baseline {}\n",
                human::count(outcome.findings.len(), "finding"),
                out.display()
            ),
            false,
        );
    }
    Ok(EXIT_CLEAN)
}

/// Runs a scan as `args` describe; returns the outcome and the configured catalogue.
fn run_scan(
    g: &Global,
    config: &Config,
    rules: &RuleSet,
    args: ScanArgs,
) -> Result<(Outcome, RuleSet), Fatal> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    for p in &paths {
        crate::source::worktree::check_root(p)?;
    }
    let (rules, rule_problems) = crate::suppress::configure_rules(rules, config);
    let with_registry;
    let config = match &args.registry {
        Some(path) => {
            let registry = load_registry(path, config)?;
            let mut c = config.clone();
            c.registry = Some(std::sync::Arc::new(registry));
            with_registry = c;
            &with_registry
        }
        None => config,
    };
    let (threads, capped) = crate::scan::capped_threads(g.threads);
    let mut outcome = if args.history {
        let start = paths.first().map_or(Path::new("."), PathBuf::as_path);
        let selection = crate::source::history::Selection {
            all_refs: args.all_refs,
            refs: args.refs.clone(),
            since: args.since.clone(),
            range: args.range.clone(),
        };
        let bar = Bar::new(!g.quiet && !g.no_progress);
        crate::scan::scan_history(start, &selection, &rules, config, threads, g.verbose, &bar)?
    } else if args.staged {
        let start = paths.first().map_or(Path::new("."), PathBuf::as_path);
        let mut outcome = crate::scan::scan_staged(start, &rules, config, g.verbose)?;
        staged_help(&mut outcome);
        outcome
    } else {
        crate::scan::scan_worktree(&paths, &rules, config, threads, g.verbose)
    };
    outcome.problems.extend(rule_problems);
    outcome.problems.extend(capped);
    Ok((outcome, rules))
}

/// Advice that fits a staged secret: it has not been committed yet, so the first thing is to
/// take it out of the change; rotating is for a key that was ever pushed.
fn staged_help(outcome: &mut Outcome) {
    for f in &mut outcome.findings {
        if !matches!(f.detail, crate::finding::Detail::Secret { .. }) || f.help.is_some() {
            continue;
        }
        let path = f.location.as_ref().map_or("<path>", |l| l.path.as_str());
        let (what, then) = if f.rule.id == "S002" {
            (
                "token",
                "keep the token cache out of version control; treat the token as exposed only if it was ever pushed",
            )
        } else {
            (
                "key",
                "pass the key as `WANDB_API_KEY` from a secret store; this change has not shared it, so rotate it only if it was ever committed and pushed",
            )
        };
        f.help = Some(format!(
            "remove the {what} from the staged change before committing: delete it from `{path}` and `git add` the file again, or unstage the file with `git restore --staged {path}`; {then}"
        ));
    }
}

fn exit_for(outcome: &Outcome, fail_on: Option<Severity>) -> u8 {
    // An input that could not be read at all: the run could not check what it was asked to.
    if !outcome.unread.is_empty() {
        return EXIT_ERROR;
    }
    match (fail_on, outcome.worst()) {
        (Some(threshold), Some(worst)) if worst >= threshold => EXIT_FINDINGS,
        _ => EXIT_CLEAN,
    }
}

/// The skipped files the outcome names: with `-v` every one; without, the ones skipped for a
/// reason that leaves something unchecked (too large, a submodule), a screenful of them.
fn print_skipped(g: &Global, outcome: &Outcome) {
    let room = if g.verbose {
        usize::MAX
    } else if g.quiet {
        0
    } else {
        human::NOTES_SHOWN
    };
    for (path, reason) in outcome.skipped_files.iter().take(room) {
        output::stderr(
            &format!("skipped ({reason}): {}\n", report::escape::one_line(path)),
            false,
        );
    }
    let more = outcome.skipped_files.len().saturating_sub(room);
    if more > 0 && !g.quiet {
        output::stderr(
            &format!(
                "{} more skipped {} not named; -v lists them\n",
                more,
                if more == 1 { "file" } else { "files" }
            ),
            false,
        );
    }
}

pub(super) fn emit(
    g: &Global,
    config: &Config,
    rules: &RuleSet,
    outcome: &Outcome,
    format: OutputFormat,
    output: Option<&Path>,
) -> Result<u8, Fatal> {
    let renderer = format.renderer();
    // Text for people on a terminal: coloured when asked, and the summary follows it there.
    let to_terminal = renderer.for_people() && output.is_none();
    let stdout_tty = std::io::stdout().is_terminal();
    let style = human::Style {
        color: to_terminal && use_color(g.color, stdout_tty),
        width: width(),
        narratable: env_flag("NO_GRAPHICS"),
    };
    let body = renderer.render(outcome, &report::Context { rules, style });
    match output {
        Some(path) => output::write_file(path, &body).map_err(|source| Fatal::Write {
            path: path.display().to_string(),
            source,
        })?,
        None => output::stdout(&body, style.color),
    }
    // Problems and the summary go to stderr so machine formats on stdout stay clean.
    let (shown, hidden) = human::shown_problems(outcome, g.verbose, g.quiet);
    for p in shown {
        output::stderr(&human::render_problem(p), false);
    }
    print_skipped(g, outcome);
    if !g.quiet {
        let timing = std::env::var_os("WANDB_SA_LINT_NO_TIMING").is_none();
        let summary = human::render_summary_hiding(outcome, timing, hidden);
        if to_terminal {
            output::stdout(&summary, false);
        } else {
            output::stderr(&summary, false);
        }
    }
    Ok(exit_for(outcome, config.fail_on))
}
