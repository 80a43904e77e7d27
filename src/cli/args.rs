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
    /// Audit the service accounts of a registry against W&B audit logs (rules A001-A011);
    /// `audit fetch` downloads the logs.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Audit(AuditArgs),
    /// Draft (`registry init`) or update (`registry sync`) a registry from W&B and audit logs,
    /// or list what a person must still complete (`registry check`).
    Registry(RegistryArgs),
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
    /// Ask W&B who each key found belongs to (live, revoked or unknown, and its owner). This
    /// SENDS EACH KEY FOUND TO W&B (the viewer query, as the SDK does); off by default.
    #[arg(long)]
    pub(super) verify: bool,
    /// The W&B host keys are verified against (default: https://api.wandb.ai).
    #[arg(
        long = "wandb-host",
        env = "WANDB_BASE_URL",
        value_name = "URL",
        requires = "verify"
    )]
    pub(super) wandb_host: Option<String>,
}

#[derive(Debug, Args)]
pub(super) struct AuditArgs {
    #[command(subcommand)]
    pub(super) command: Option<AuditCommand>,
    /// The service-account registry (YAML or JSON; the README shows its format).
    #[arg(
        long,
        env = "WANDB_SA_LINT_REGISTRY",
        value_name = "FILE",
        required = true
    )]
    pub(super) registry: Option<PathBuf>,
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

#[derive(Debug, Subcommand)]
pub(super) enum AuditCommand {
    /// Download W&B audit logs for a date range into a folder, one NDJSON file per UTC day
    /// (`YYYY-MM-DD.ndjson`, the layout of the instance bucket), ready for `audit` and
    /// `report`. The key is read from `WANDB_API_KEY` only; a stopped run resumes where it
    /// stopped (docs/wandb-api.md).
    Fetch(FetchArgs),
}

#[derive(Debug, Args)]
pub(super) struct FetchArgs {
    /// First day to fetch, `YYYY-MM-DD` (UTC).
    #[arg(long, value_name = "DATE")]
    pub(super) from: String,
    /// Last day to fetch, `YYYY-MM-DD` (UTC; default: yesterday, the last complete day).
    #[arg(long, value_name = "DATE")]
    pub(super) to: Option<String>,
    /// The folder to write the daily files into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub(super) out: PathBuf,
    /// The W&B host: `https://api.wandb.ai` (Multi-tenant Cloud, the default) or your
    /// instance's URL (Dedicated Cloud, Self-Managed).
    #[arg(long, env = "WANDB_BASE_URL", value_name = "URL")]
    pub(super) host: Option<String>,
    /// Which audit-log API the host serves (auto: Multi-tenant Cloud for api.wandb.ai, an
    /// instance's `/admin/audit_logs` otherwise).
    #[arg(long, value_enum, default_value_t = ApiKind::Auto)]
    pub(super) api: ApiKind,
    /// Ask for logs without emails and names (`anonymize=true`; instances only).
    #[arg(long)]
    pub(super) anonymize: bool,
    /// Events per page (at most 20000 on an instance).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub(super) page_size: u32,
}

/// The audit-log API of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ApiKind {
    Auto,
    MultiTenant,
    Instance,
}

#[derive(Debug, Args)]
pub(super) struct RegistryArgs {
    #[command(subcommand)]
    pub(super) command: RegistryCommand,
}

#[derive(Debug, Subcommand)]
pub(super) enum RegistryCommand {
    /// Draft a registry from W&B (the service accounts among the members of each --team) and
    /// from audit logs; every field a person must complete holds a `TODO` marker.
    Init(RegistrySourceArgs),
    /// Add to an existing registry the service accounts W&B or the logs know and it does not
    /// (keys the logs show for listed accounts are named in a note); nothing written in it is
    /// changed or dropped.
    Sync(RegistrySourceArgs),
    /// List the fields of a registry still marked `TODO` (exit 1 while any is left).
    Check {
        /// The registry file.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub(super) struct RegistrySourceArgs {
    /// The registry file to write (`init`) or update (`sync`).
    #[arg(value_name = "FILE")]
    pub(super) file: PathBuf,
    /// A W&B team to read the members of (needs `WANDB_API_KEY`); repeatable.
    #[arg(long = "team", value_name = "NAME")]
    pub(super) teams: Vec<String>,
    /// Audit-log files or folders to read service-account and key events from; repeatable.
    #[arg(long = "audit-log", value_name = "PATH")]
    pub(super) audit_log: Vec<PathBuf>,
    /// The W&B host (with --team).
    #[arg(long, env = "WANDB_BASE_URL", value_name = "URL")]
    pub(super) host: Option<String>,
    /// The organization's name (`init`).
    #[arg(long, value_name = "NAME")]
    pub(super) organization: Option<String>,
    /// Replace an existing file (`init`).
    #[arg(long)]
    pub(super) force: bool,
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
