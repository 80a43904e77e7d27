//! Command-line interface: the exit codes, configuration layering and dispatch to one file
//! per subcommand. The only module that prints, and only through [`output`], which masks
//! keys and escapes terminal control in everything that leaves.

mod args;
mod audit;
mod diag;
mod fetch;
mod generate;
mod init;
pub mod output;
mod progress;
mod registry;
mod report;
mod rules;
mod scan;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use self::args::{Cli, Command, RulesCommand};
use self::diag::{eprint_diag, use_color, Fatal};
use crate::config;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the tool could not do its job.
pub const EXIT_ERROR: u8 = 2;

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    // The program does not panic on any input; should it ever, the message still leaves
    // through the output filter (a panic message may quote the input).
    std::panic::set_hook(Box::new(|info| {
        output::stderr(
            &format!("internal error (please report it): {info}\n"),
            false,
        );
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap quotes what it could not parse: that goes through the output filter too.
            let text = e.render().to_string();
            if e.use_stderr() {
                output::stderr(&text, false);
            } else {
                output::stdout(&text, false);
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_ERROR));
        }
    };
    if cli.command.is_none() && !cli.global.show_config {
        let e = <Cli as clap::CommandFactory>::command().error(
            clap::error::ErrorKind::MissingSubcommand,
            "a subcommand is needed (or --show-config)",
        );
        output::stderr(&e.render().to_string(), false);
        return ExitCode::from(EXIT_ERROR);
    }
    let color = use_color(cli.global.color, std::io::stderr().is_terminal());
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(fatal) => {
            eprint_diag(&fatal, color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> Result<u8, Fatal> {
    let g = &cli.global;
    if let Some(done) = cli
        .command
        .as_ref()
        .filter(|_| !g.show_config)
        .and_then(standalone)
    {
        return done;
    }
    let discover_from = match &cli.command {
        Some(Command::Scan(s) | Command::Baseline(s)) => s
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from(".")),
        _ => PathBuf::from("."),
    };
    let baseline = match &cli.command {
        Some(Command::Scan(s) | Command::Baseline(s)) => s.baseline.as_deref(),
        Some(Command::Audit(a)) => a.baseline.as_deref(),
        _ => None,
    };
    let mut config = crate::weaken::load(
        &crate::weaken::Check {
            rev: g.config_from.as_deref(),
            discover_from: &discover_from,
            explicit: g.config.as_deref(),
            isolated: g.isolated,
            baseline,
        },
        g.no_weaken,
    )?;
    // In CI mode a configuration file naming W&B variables that cannot be read fails the run
    // unless the (base's) configuration says `unreadable-wandb-config = "warn"`.
    if g.config_from.is_some() || g.no_weaken {
        config.unreadable_wandb_config = config.unreadable_wandb_config.resolve(true);
    }
    if let Some(f) = &g.fail_on {
        config.fail_on = config::parse_fail_on(f).ok_or_else(|| Fatal::Usage {
            what: "--fail-on",
            value: f.clone(),
        })?;
    }
    if let Some(Command::Scan(s) | Command::Baseline(s)) = &cli.command {
        if let Some(size) = &s.max_file_size {
            config.max_file_size = config::parse_size(size).ok_or_else(|| Fatal::Usage {
                what: "--max-file-size",
                value: size.clone(),
            })?;
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        config
            .add_excludes(&s.exclude, &cwd)
            .map_err(|value| Fatal::Usage {
                what: "--exclude",
                value,
            })?;
    }
    let Some(command) = cli.command.filter(|_| !g.show_config) else {
        output::stdout(&config.to_toml(), false);
        return Ok(EXIT_CLEAN);
    };
    let rules = config.apply_params(&rules::load_rules(&config)?)?;
    match command {
        Command::Scan(args) => scan::scan(&cli.global, &config, &rules, args),
        Command::Baseline(args) => scan::write_baseline(&cli.global, &config, &rules, args),
        Command::Report(args) => report::report_cmd(&cli.global, &config, &rules, args),
        Command::Audit(args) => audit::audit(&cli.global, &config, &rules, args),
        Command::Registry(args) => registry::registry(&cli.global, &config, args),
        Command::Rules(args) => match args.command {
            Some(RulesCommand::Check { dir }) => rules::rules_check(dir.as_deref()),
            Some(RulesCommand::Docs { dir }) => rules::write_docs(&rules, &dir),
            None => {
                rules::print_rules(&rules, args.format);
                Ok(EXIT_CLEAN)
            }
        },
        other @ (Command::Init(_) | Command::Completions { .. } | Command::Man { .. }) => {
            standalone(&other).unwrap_or(Ok(EXIT_CLEAN))
        }
        Command::Explain { rule, no_pager } => {
            let r = rules.get(&rule).ok_or_else(|| Fatal::UnknownRule {
                hint: crate::rules::did_you_mean(&rules, &rule),
                rule,
            })?;
            let text = crate::rules::explain(r);
            if no_pager || !std::io::stdout().is_terminal() {
                output::stdout(&text, false);
            } else {
                output::page(&text);
            }
            Ok(EXIT_CLEAN)
        }
    }
}

/// The subcommands that need no configuration (a broken one must not stop them): `init`,
/// `completions` and `man`; `None` for the others.
fn standalone(command: &Command) -> Option<Result<u8, Fatal>> {
    match command {
        Command::Init(args) => Some(init::init(args)),
        Command::Completions { shell } => Some(generate::completions(*shell)),
        Command::Man { dir } => Some(generate::man(dir.as_deref())),
        _ => None,
    }
}
