//! The command line as clap types: global options, subcommands and their arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::compliance::ReportRenderer;
use crate::report::OutputFormat;

/// Static policy linter for Weights & Biases service accounts.
#[derive(Debug, Parser)]
#[command(name = "wandb-sa-lint", version, about, long_about = None, max_term_width = 100)]
pub(super) struct Cli {
    #[command(flatten)]
    pub(super) global: Global,
    /// Optional only for `--show-config`, which needs none.
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

#[derive(Debug, Args)]
pub(super) struct Global {
    /// Configuration file, applied on top of the discovered `.wandb-sa-lint.toml`.
    #[arg(long, global = true, env = "WANDB_SA_LINT_CONFIG", value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
    /// Ignore discovered configuration files.
    #[arg(long, global = true)]
    pub(super) isolated: bool,
    /// CI mode: read the configuration, and a --baseline inside the repository, from git
    /// revision REV (the base branch, e.g. `origin/main`) instead of the working tree; implies
    /// --no-weaken against REV (docs/ci-mode.md).
    #[arg(long, global = true, value_name = "REV")]
    pub(super) config_from: Option<String>,
    /// CI mode: refuse (exit 2) a working-tree configuration, rule file or baseline that
    /// removes checks compared with --config-from REV, or with the built-in defaults.
    #[arg(long, global = true)]
    pub(super) no_weaken: bool,
    /// Print the effective configuration (as a file `--config` reads back) and exit; with or
    /// without a subcommand.
    #[arg(long, global = true)]
    pub(super) show_config: bool,
    /// Lowest severity that makes the run exit 1.
    #[arg(long, global = true, env = "WANDB_SA_LINT_FAIL_ON", value_name = "LEVEL", value_parser = ["error", "warning", "info", "never"])]
    pub(super) fail_on: Option<String>,
    /// When to use colour (`NO_COLOR` and `FORCE_COLOR` are honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(super) color: ColorChoice,
    /// Print findings only: no summary, no progress.
    #[arg(short, long, global = true)]
    pub(super) quiet: bool,
    /// Name every skipped file and print every note (without it: files left unchecked, and
    /// up to 20 notes).
    #[arg(short, long, global = true)]
    pub(super) verbose: bool,
    /// Never show a progress bar.
    #[arg(long, global = true)]
    pub(super) no_progress: bool,
    /// Worker threads (0: one per core).
    #[arg(
        long,
        global = true,
        env = "WANDB_SA_LINT_THREADS",
        default_value_t = 0
    )]
    pub(super) threads: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Scan files for committed W&B credentials.
    Scan(ScanArgs),
    /// Audit the service accounts of a registry against W&B audit logs (rules A001-A011).
    Audit(AuditArgs),
    /// The periodic compliance report: scan results, the registry and audit logs, trends.
    Report(ReportArgs),
    /// List the rule catalogue, or validate rule files with `rules check`.
    Rules(RulesArgs),
    /// Record the current findings as accepted: later runs with `--baseline FILE` report
    /// only new ones. Takes the options of `scan` and needs `-o FILE`.
    Baseline(ScanArgs),
    /// Show one rule's full documentation.
    Explain {
        /// Rule id (`S001`) or name (`committed-api-key`).
        rule: String,
        /// Print straight to the terminal. By default a terminal gets the text through a pager
        /// (`$WANDB_SA_LINT_PAGER`, `$PAGER`, else `less`); a pipe never does.
        #[arg(long)]
        no_pager: bool,
    },
    /// Write a starter `.wandb-sa-lint.toml` here (every setting at its default, commented),
    /// and with `--registry FILE` a registry skeleton; never replaces a file without `--force`.
    Init(InitArgs),
    /// Print the completion script for SHELL (`wandb-sa-lint completions bash >
    /// ~/.local/share/bash-completion/completions/wandb-sa-lint`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff: `wandb-sa-lint man | man -l -`), or with `--dir DIR` write
    /// one page per subcommand into DIR.
    Man {
        /// Write `wandb-sa-lint.1` and a page per subcommand into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub(super) struct InitArgs {
    /// Also write a commented registry skeleton (one team, one service account) to FILE.
    #[arg(long, value_name = "FILE")]
    pub(super) registry: Option<PathBuf>,
    /// Replace files that already exist.
    #[arg(long)]
    pub(super) force: bool,
}

#[derive(Debug, Args)]
pub(super) struct ScanArgs {
    /// Files or directories to scan (default: the current directory).
    #[arg(value_name = "PATH")]
    pub(super) paths: Vec<PathBuf>,
    /// Scan only what is staged (the index blobs that differ from HEAD), for pre-commit.
    #[arg(long, conflicts_with = "history")]
    pub(super) staged: bool,
    /// Scan the git history: every unique blob of the commits reachable from any ref
    /// (branches, tags, remote-tracking and pull-request refs), once.
    #[arg(long)]
    pub(super) history: bool,
    /// With --history: only commits after REV (reachable from HEAD, or from --ref/--all-refs).
    #[arg(
        long,
        value_name = "REV",
        requires = "history",
        conflicts_with = "range"
    )]
    pub(super) since: Option<String>,
    /// With --history: commits reachable from B and not from A.
    #[arg(long, value_name = "A..B", requires = "history")]
    pub(super) range: Option<String>,
    /// With --history: start from every ref (the default without --since).
    #[arg(long, requires = "history", conflicts_with_all = ["range", "refs"])]
    pub(super) all_refs: bool,
    /// With --history: start from this ref or revision only (repeatable), e.g. `main`,
    /// `origin/main`, `v1.2`, `refs/pull/7/head`, `HEAD`.
    #[arg(
        long = "ref",
        visible_alias = "branch",
        value_name = "REF",
        requires = "history",
        conflicts_with = "range"
    )]
    pub(super) refs: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, env = "WANDB_SA_LINT_FORMAT", default_value_t = OutputFormat::Human)]
    pub(super) format: OutputFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    /// Skip files larger than this (bytes, or e.g. `10MiB`).
    #[arg(long, env = "WANDB_SA_LINT_MAX_FILE_SIZE", value_name = "SIZE")]
    pub(super) max_file_size: Option<String>,
    /// Exclude files matching GLOB (added to the configured excludes).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub(super) exclude: Vec<String>,
    /// The service-account registry (YAML or JSON): enables the registry rules C101-C104.
    #[arg(long, env = "WANDB_SA_LINT_REGISTRY", value_name = "FILE")]
    pub(super) registry: Option<PathBuf>,
    /// Hide the findings recorded in this baseline file (`wandb-sa-lint baseline`).
    #[arg(long, value_name = "FILE")]
    pub(super) baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(super) struct AuditArgs {
    /// The service-account registry (YAML or JSON; the README shows its format).
    #[arg(long, env = "WANDB_SA_LINT_REGISTRY", value_name = "FILE")]
    pub(super) registry: PathBuf,
    /// W&B audit-log files or folders (newline-delimited JSON, `.gz` too); repeatable.
    #[arg(long = "audit-log", value_name = "PATH", num_args = 1..)]
    pub(super) audit_log: Vec<PathBuf>,
    /// The date to judge on, `YYYY-MM-DD` (default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub(super) as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, env = "WANDB_SA_LINT_FORMAT", default_value_t = OutputFormat::Human)]
    pub(super) format: OutputFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    /// Hide the findings recorded in this baseline file (`--write-baseline`).
    #[arg(long, value_name = "FILE")]
    pub(super) baseline: Option<PathBuf>,
    /// Record the current findings in a baseline file instead of reporting them.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub(super) write_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(super) struct ReportArgs {
    /// JSON results of `scan --format json` (one per repository); repeatable.
    #[arg(long = "scan", value_name = "RESULT.json", num_args = 1..)]
    pub(super) scan: Vec<PathBuf>,
    /// The service-account registry: adds the accounts and rules A001-A011.
    #[arg(long, env = "WANDB_SA_LINT_REGISTRY", value_name = "FILE")]
    pub(super) registry: Option<PathBuf>,
    /// W&B audit-log files or folders (with --registry); repeatable.
    #[arg(long = "audit-log", value_name = "PATH", num_args = 1.., requires = "registry")]
    pub(super) audit_log: Vec<PathBuf>,
    /// The date to judge on, `YYYY-MM-DD` (default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub(super) as_of: Option<String>,
    /// A previous report's JSON (`--format json`), for the changes since.
    #[arg(long, value_name = "REPORT.json")]
    pub(super) previous: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum)]
    pub(super) format: ReportFormat,
    /// Where to write the report.
    #[arg(short, long, value_name = "FILE")]
    pub(super) output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ReportFormat {
    Html,
    Markdown,
    Json,
}

impl ReportFormat {
    /// The renderer of this format: the one place a report format is matched to its code.
    pub(super) fn renderer(self) -> &'static dyn ReportRenderer {
        match self {
            ReportFormat::Html => &crate::report::html::Html,
            ReportFormat::Markdown => &crate::report::markdown::Markdown,
            ReportFormat::Json => &crate::report::compliance::JsonReport,
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct RulesArgs {
    #[command(subcommand)]
    pub(super) command: Option<RulesCommand>,
    /// Output format of the catalogue.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub(super) format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub(super) enum RulesCommand {
    /// Validate rule files (the built-in ones without DIR) and run their examples.
    Check {
        /// Directory of rule files.
        dir: Option<PathBuf>,
    },
    /// Write one Markdown page per rule, and an index, into DIR (the repository's
    /// `docs/rules/`).
    Docs {
        /// Where to write.
        dir: PathBuf,
    },
}
