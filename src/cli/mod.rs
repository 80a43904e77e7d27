//! Command-line interface: clap definitions, configuration layering, exit codes. The only
//! module that prints, and only through [`output`], which masks keys and escapes terminal
//! control in everything that leaves.

pub mod output;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use miette::{Diagnostic, NamedSource, SourceSpan};

use crate::config::{self, Config};
use crate::finding::Outcome;
use crate::report::{self, human, Format};
use crate::rules::{self, RuleProblem, RuleSet, Severity};

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the tool could not do its job.
pub const EXIT_ERROR: u8 = 2;

/// Static policy linter for Weights & Biases service accounts.
#[derive(Debug, Parser)]
#[command(name = "wandb-sa-lint", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Global {
    /// Configuration file, applied on top of the discovered `.wandb-sa-lint.toml`.
    #[arg(long, global = true, env = "WANDB_SA_LINT_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore discovered configuration files.
    #[arg(long, global = true)]
    isolated: bool,
    /// CI mode: read the configuration, and a --baseline inside the repository, from git
    /// revision REV (the base branch, e.g. `origin/main`) instead of the working tree; implies
    /// --no-weaken against REV (docs/ci-mode.md).
    #[arg(long, global = true, value_name = "REV")]
    config_from: Option<String>,
    /// CI mode: refuse (exit 2) a working-tree configuration, rule file or baseline that
    /// removes checks compared with --config-from REV, or with the built-in defaults.
    #[arg(long, global = true)]
    no_weaken: bool,
    /// Print the effective configuration and exit.
    #[arg(long, global = true)]
    show_config: bool,
    /// Lowest severity that makes the run exit 1.
    #[arg(long, global = true, env = "WANDB_SA_LINT_FAIL_ON", value_name = "LEVEL", value_parser = ["error", "warning", "info", "never"])]
    fail_on: Option<String>,
    /// When to use colour (`NO_COLOR` and `FORCE_COLOR` are honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print findings only: no summary, no progress.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Also list skipped files' reasons and input problems in full.
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Never show a progress bar.
    #[arg(long, global = true)]
    no_progress: bool,
    /// Worker threads (0: one per core).
    #[arg(
        long,
        global = true,
        env = "WANDB_SA_LINT_THREADS",
        default_value_t = 0
    )]
    threads: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
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
    },
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Files or directories to scan (default: the current directory).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Scan only what is staged (the index blobs that differ from HEAD), for pre-commit.
    #[arg(long, conflicts_with = "history")]
    staged: bool,
    /// Scan the git history: every unique blob of the commits reachable from HEAD, once.
    #[arg(long)]
    history: bool,
    /// With --history: only commits after REV.
    #[arg(
        long,
        value_name = "REV",
        requires = "history",
        conflicts_with = "range"
    )]
    since: Option<String>,
    /// With --history: commits reachable from B and not from A.
    #[arg(long, value_name = "A..B", requires = "history")]
    range: Option<String>,
    /// With --history: start from every branch, tag and remote-tracking ref, not only HEAD.
    #[arg(long, requires = "history")]
    all_refs: bool,
    /// Output format.
    #[arg(long, value_enum, env = "WANDB_SA_LINT_FORMAT", default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Skip files larger than this (bytes, or e.g. `10MiB`).
    #[arg(long, env = "WANDB_SA_LINT_MAX_FILE_SIZE", value_name = "SIZE")]
    max_file_size: Option<String>,
    /// Exclude files matching GLOB (added to the configured excludes).
    #[arg(long = "exclude", value_name = "GLOB")]
    exclude: Vec<String>,
    /// The service-account registry (YAML or JSON): enables the registry rules C101-C104.
    #[arg(long, env = "WANDB_SA_LINT_REGISTRY", value_name = "FILE")]
    registry: Option<PathBuf>,
    /// Hide the findings recorded in this baseline file (`wandb-sa-lint baseline`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct AuditArgs {
    /// The service-account registry (YAML or JSON; the README shows its format).
    #[arg(long, env = "WANDB_SA_LINT_REGISTRY", value_name = "FILE")]
    registry: PathBuf,
    /// W&B audit-log files or folders (newline-delimited JSON, `.gz` too); repeatable.
    #[arg(long = "audit-log", value_name = "PATH", num_args = 1..)]
    audit_log: Vec<PathBuf>,
    /// The date to judge on, `YYYY-MM-DD` (default: today, UTC).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, env = "WANDB_SA_LINT_FORMAT", default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Hide the findings recorded in this baseline file (`--write-baseline`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in a baseline file instead of reporting them.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// JSON results of `scan --format json` (one per repository); repeatable.
    #[arg(long = "scan", value_name = "RESULT.json", num_args = 1..)]
    scan: Vec<PathBuf>,
    /// The service-account registry: adds the accounts and rules A001-A011.
    #[arg(long, env = "WANDB_SA_LINT_REGISTRY", value_name = "FILE")]
    registry: Option<PathBuf>,
    /// W&B audit-log files or folders (with --registry); repeatable.
    #[arg(long = "audit-log", value_name = "PATH", num_args = 1.., requires = "registry")]
    audit_log: Vec<PathBuf>,
    /// The date to judge on, `YYYY-MM-DD` (default: today, UTC).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// A previous report's JSON (`--format json`), for the changes since.
    #[arg(long, value_name = "REPORT.json")]
    previous: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum)]
    format: ReportFormat,
    /// Where to write the report.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Html,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
struct RulesArgs {
    #[command(subcommand)]
    command: Option<RulesCommand>,
    /// Output format of the catalogue.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
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

/// A fatal error of the tool itself (exit 2).
#[derive(Debug, thiserror::Error, Diagnostic)]
enum Fatal {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Weaken(#[from] crate::weaken::WeakenError),
    #[error("cannot write `{path}`: {source}")]
    #[diagnostic(code(io::write))]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid {what} `{value}`")]
    #[diagnostic(code(usage))]
    Usage { what: &'static str, value: String },
    #[error("{0}")]
    #[diagnostic(code(usage))]
    Missing(&'static str),
    #[error("unknown rule `{0}`")]
    #[diagnostic(
        code(rules::unknown),
        help("`wandb-sa-lint rules` lists the catalogue")
    )]
    UnknownRule(String),
    #[error("cannot read rule directory `{path}`: {source}")]
    #[diagnostic(code(rules::read))]
    RuleDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Root(#[from] crate::source::worktree::RootError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    AuditLog(#[from] crate::audit::LogInputError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Staged(#[from] crate::source::staged::StagedError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    History(#[from] crate::source::history::HistoryError),
    #[error("{count} problem(s) in rule files")]
    #[diagnostic(code(rules::invalid))]
    Rules { count: usize },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] crate::baseline::BaselineError),
}

/// A problem in a rule or registry file as a diagnostic with the file's snippet.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct FileDiag {
    code: &'static str,
    message: String,
    src: NamedSource<String>,
    span: SourceSpan,
}

impl FileDiag {
    fn new(
        code: &'static str,
        path: &str,
        text: &str,
        span: &std::ops::Range<usize>,
        message: &str,
    ) -> Self {
        FileDiag {
            code,
            message: format!("{path}: {message}"),
            src: NamedSource::new(path, text.to_string()),
            span: SourceSpan::from(span.start..span.end.max(span.start)),
        }
    }
}

impl Diagnostic for FileDiag {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("here".to_string()), self.span),
        )))
    }
}

impl From<&RuleProblem> for FileDiag {
    fn from(p: &RuleProblem) -> Self {
        FileDiag::new("rules::check", &p.path, &p.text, &p.span, &p.message)
    }
}

impl From<&crate::registry::RegistryProblem> for FileDiag {
    fn from(p: &crate::registry::RegistryProblem) -> Self {
        FileDiag::new("registry::check", &p.path, &p.text, &p.span, &p.message)
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

fn use_color(choice: ColorChoice, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env_flag("NO_COLOR") {
                false
            } else if env_flag("FORCE_COLOR") || env_flag("CLICOLOR_FORCE") {
                true
            } else {
                tty
            }
        }
    }
}

fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

fn eprint_diag(diag: &dyn Diagnostic, color: bool) {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    // No terminal hyperlinks: the output filter lets only colour sequences through.
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width())
        .with_links(false)
        .with_break_words(false);
    if handler.render_report(&mut out, diag).is_err() {
        out = format!("error: {diag}\n");
    }
    output::stderr(&out, color);
}

/// Loads the built-in rules plus the configured rule directories.
fn load_rules(config: &Config) -> Result<RuleSet, Fatal> {
    let (mut set, problems) = rules::load_embedded();
    let mut all_problems = problems;
    for dir in &config.rule_dirs {
        let (extra, problems) = rules::load_dir(dir).map_err(|source| Fatal::RuleDir {
            path: dir.display().to_string(),
            source,
        })?;
        all_problems.extend(problems);
        set.extend(extra);
    }
    if !all_problems.is_empty() {
        for p in &all_problems {
            eprint_diag(&FileDiag::from(p), false);
        }
        return Err(Fatal::Rules {
            count: all_problems.len(),
        });
    }
    Ok(set)
}

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
    let discover_from = match &cli.command {
        Command::Scan(s) | Command::Baseline(s) => s
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from(".")),
        _ => PathBuf::from("."),
    };
    let baseline = match &cli.command {
        Command::Scan(s) | Command::Baseline(s) => s.baseline.as_deref(),
        Command::Audit(a) => a.baseline.as_deref(),
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
    if let Some(f) = &g.fail_on {
        config.fail_on = config::parse_fail_on(f).ok_or_else(|| Fatal::Usage {
            what: "--fail-on",
            value: f.clone(),
        })?;
    }
    if let Command::Scan(s) | Command::Baseline(s) = &cli.command {
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
    crate::formats::tree::set_limits(config.max_yaml_aliases, config.max_yaml_depth);
    if g.show_config {
        output::stdout(&config.to_toml(), false);
        return Ok(EXIT_CLEAN);
    }
    let rules = config.apply_params(&load_rules(&config)?)?;
    match cli.command {
        Command::Scan(args) => scan(&cli.global, &config, &rules, args),
        Command::Baseline(args) => write_baseline(&cli.global, &config, &rules, args),
        Command::Report(args) => report_cmd(&cli.global, &config, &rules, args),
        Command::Audit(args) => audit(&cli.global, &config, &rules, args),
        Command::Rules(args) => match args.command {
            Some(RulesCommand::Check { dir }) => rules_check(dir.as_deref()),
            Some(RulesCommand::Docs { dir }) => {
                std::fs::create_dir_all(&dir).map_err(|source| Fatal::Write {
                    path: dir.display().to_string(),
                    source,
                })?;
                let pages = rules::docs::pages(&rules);
                for (name, text) in &pages {
                    let path = dir.join(name);
                    output::write_file(&path, text).map_err(|source| Fatal::Write {
                        path: path.display().to_string(),
                        source,
                    })?;
                }
                output::stderr(
                    &format!("wrote {} page(s) to {}\n", pages.len(), dir.display()),
                    false,
                );
                Ok(EXIT_CLEAN)
            }
            None => {
                print_rules(&rules, args.format);
                Ok(EXIT_CLEAN)
            }
        },
        Command::Explain { rule } => {
            let r = rules.get(&rule).ok_or(Fatal::UnknownRule(rule))?;
            output::stdout(&explain(r), false);
            Ok(EXIT_CLEAN)
        }
    }
}

fn scan(g: &Global, config: &Config, rules: &RuleSet, args: ScanArgs) -> Result<u8, Fatal> {
    let (format, output, baseline) = (args.format, args.output.clone(), args.baseline.clone());
    let (mut outcome, rules) = run_scan(g, config, rules, args)?;
    apply_baseline(&mut outcome, baseline.as_deref(), g.config_from.as_deref())?;
    emit(g, config, &rules, &outcome, format, output.as_deref())
}

/// Hides the findings the baseline file accepts (read from `rev` when given and the file is
/// inside the repository: `--config-from`).
fn apply_baseline(
    outcome: &mut Outcome,
    file: Option<&Path>,
    rev: Option<&str>,
) -> Result<(), Fatal> {
    if let Some(b) = file {
        let (entries, shown) = crate::weaken::load_baseline(rev, b)?;
        crate::baseline::apply(outcome, &entries, &shown);
    }
    Ok(())
}

fn write_baseline(
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
fn record_baseline(g: &Global, outcome: &Outcome, out: &Path) -> Result<u8, Fatal> {
    output::write_file(out, &crate::baseline::render(outcome)).map_err(|source| Fatal::Write {
        path: out.display().to_string(),
        source,
    })?;
    for p in outcome
        .problems
        .iter()
        .filter(|p| g.verbose || p.level >= Severity::Warning)
    {
        output::stderr(&human::render_problem(p), false);
    }
    if !g.quiet {
        output::stderr(
            &format!(
                "wrote {} finding(s) to the baseline {}\n",
                outcome.findings.len(),
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
    let (rules, rule_problems) = crate::scan::configure_rules(rules, config);
    let with_registry;
    let config = match &args.registry {
        Some(path) => {
            let registry = load_registry(path)?;
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
            since: args.since.clone(),
            range: args.range.clone(),
        };
        let bar = Bar::new(!g.quiet && !g.no_progress);
        crate::scan::scan_history(start, &selection, &rules, config, threads, g.verbose, &bar)?
    } else if args.staged {
        let start = paths.first().map_or(Path::new("."), PathBuf::as_path);
        crate::scan::scan_staged(start, &rules, config, g.verbose)?
    } else {
        crate::scan::scan_worktree(&paths, &rules, config, threads, g.verbose)
    };
    outcome.problems.extend(rule_problems);
    outcome.problems.extend(capped);
    Ok((outcome, rules))
}

/// Loads the registry, printing each of its problems as a diagnostic.
fn load_registry(path: &Path) -> Result<crate::registry::Registry, Fatal> {
    crate::registry::load(path).map_err(|e| {
        if let crate::registry::RegistryError::Invalid { problems, .. } = &e {
            for p in problems {
                eprint_diag(&FileDiag::from(p), false);
            }
        }
        e.into()
    })
}

/// `--as-of`, or today (UTC).
fn as_of_date(arg: Option<&str>) -> Result<jiff::civil::Date, Fatal> {
    match arg {
        Some(d) => crate::audit::rules::parse_date(d).ok_or_else(|| Fatal::Usage {
            what: "--as-of date (expected YYYY-MM-DD)",
            value: d.to_string(),
        }),
        None => Ok(jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()),
    }
}

fn report_cmd(g: &Global, config: &Config, rules: &RuleSet, args: ReportArgs) -> Result<u8, Fatal> {
    use crate::report::compliance;
    let as_of = as_of_date(args.as_of.as_deref())?;
    crate::audit::check_logs(&args.audit_log)?;
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
    let (rules, rule_problems) = crate::scan::configure_rules(rules, config);
    problems.extend(rule_problems.into_iter().map(|p| p.message));
    let audited = match &args.registry {
        Some(path) => {
            let registry = load_registry(path)?;
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
    let body = match args.format {
        ReportFormat::Html => crate::report::html::render(&report),
        ReportFormat::Markdown => crate::report::markdown::render(&report),
        ReportFormat::Json => compliance::render_json(&report),
    };
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
                "wrote {}: {} service account(s), {} repositor{}, {} finding(s){}\n",
                args.output.display(),
                report.totals.accounts,
                report.totals.repositories,
                if report.totals.repositories == 1 {
                    "y"
                } else {
                    "ies"
                },
                report.totals.findings,
                if report.problems.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} input problem(s) listed in the report",
                        report.problems.len()
                    )
                }
            ),
            false,
        );
    }
    Ok(if unread { EXIT_ERROR } else { EXIT_CLEAN })
}

fn audit(g: &Global, config: &Config, rules: &RuleSet, args: AuditArgs) -> Result<u8, Fatal> {
    let as_of = as_of_date(args.as_of.as_deref())?;
    crate::audit::check_logs(&args.audit_log)?;
    let (rules, rule_problems) = crate::scan::configure_rules(rules, config);
    let registry = load_registry(&args.registry)?;
    let mut outcome = crate::audit::run::audit(
        &registry,
        &args.registry,
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

/// Progress drawn on stderr with indicatif; it hides itself when stderr is not a terminal.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
    bytes: std::sync::atomic::AtomicU64,
}

impl Bar {
    fn new(enabled: bool) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        Self {
            bar,
            bytes: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl crate::scan::Progress for Bar {
    fn phase(&self, name: &str, total: Option<u64>) {
        let Some(b) = &self.bar else { return };
        let style = match total {
            Some(t) => {
                b.set_length(t);
                b.set_position(0);
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:30}] {pos}/{len} blobs, {prefix} read, {per_sec}, eta {eta}",
                )
            }
            None => indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})"),
        };
        if let Ok(style) = style {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_message(name.to_string());
    }
    fn advance(&self, items: u64, bytes: u64) {
        let Some(b) = &self.bar else { return };
        b.inc(items);
        if bytes > 0 {
            let total = self
                .bytes
                .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed)
                + bytes;
            b.set_prefix(indicatif::HumanBytes(total).to_string());
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
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

fn emit(
    g: &Global,
    config: &Config,
    rules: &RuleSet,
    outcome: &Outcome,
    format: Format,
    output: Option<&Path>,
) -> Result<u8, Fatal> {
    let to_file = output.is_some();
    let stdout_tty = std::io::stdout().is_terminal();
    let human_color = format == Format::Human && !to_file && use_color(g.color, stdout_tty);
    let body = match format {
        Format::Json => report::json::render(outcome),
        Format::Sarif => report::sarif::render(outcome, rules),
        Format::Junit => report::junit::render(outcome, rules),
        Format::Gitlab => report::gitlab::render(outcome),
        Format::Github => report::github::render(outcome),
        Format::Human => {
            let style = human::Style {
                color: human_color,
                width: width(),
                narratable: env_flag("NO_GRAPHICS"),
            };
            let mut s = String::new();
            for f in &outcome.findings {
                s.push_str(&human::render_finding(f, style));
                s.push('\n');
            }
            s
        }
    };
    match output {
        Some(path) => output::write_file(path, &body).map_err(|source| Fatal::Write {
            path: path.display().to_string(),
            source,
        })?,
        None => output::stdout(&body, human_color),
    }
    // Problems and the summary go to stderr so machine formats on stdout stay clean.
    let shown: Vec<_> = outcome
        .problems
        .iter()
        .filter(|p| g.verbose || p.level >= Severity::Warning)
        .collect();
    for p in shown {
        output::stderr(&human::render_problem(p), false);
    }
    for (path, reason) in &outcome.skipped_files {
        output::stderr(
            &format!("skipped ({reason}): {}\n", report::escape::one_line(path)),
            false,
        );
    }
    if !g.quiet {
        let timing = std::env::var_os("WANDB_SA_LINT_NO_TIMING").is_none();
        let summary = human::render_summary(outcome, timing);
        if format == Format::Human && !to_file {
            output::stdout(&summary, false);
        } else {
            output::stderr(&summary, false);
        }
    }
    Ok(exit_for(outcome, config.fail_on))
}

fn print_rules(rules: &RuleSet, format: RulesFormat) {
    let text = match format {
        RulesFormat::Json => {
            let list: Vec<_> = rules.iter().map(|r| r.as_ref()).collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            )
        }
        RulesFormat::Markdown => rules::markdown_table(rules),
        RulesFormat::Table => {
            let mut t = format!(
                "{:<5} {:<30} {:<8} {:<8} SUMMARY\n",
                "ID", "NAME", "KIND", "SEVERITY"
            );
            for r in rules.iter() {
                t.push_str(&format!(
                    "{:<5} {:<30} {:<8} {:<8} {}\n",
                    r.id,
                    r.name,
                    r.kind.as_str(),
                    r.severity.as_str(),
                    r.summary
                ));
            }
            t
        }
    };
    output::stdout(&text, false);
}

/// One rule's full documentation, as plain text.
pub fn explain(r: &rules::Rule) -> String {
    let mut s = format!(
        "{} {} ({}, {})\n\n{}\n\n",
        r.id,
        r.name,
        r.kind.as_str(),
        r.severity,
        r.summary
    );
    s.push_str("Why\n\n");
    s.push_str(&r.rationale);
    s.push_str("\n\nWhat to do\n\n");
    s.push_str(&r.remediation);
    s.push_str("\n\n");
    if !r.patterns.is_empty() {
        s.push_str("Key shapes\n\n");
        for p in &r.patterns {
            s.push_str(&format!(
                "  {:<14} {:<12} {}\n",
                p.name,
                p.context.as_str(),
                p.regex_src
            ));
        }
        s.push('\n');
    }
    let mut examples = |title: &str, list: &[rules::Example]| {
        if list.is_empty() {
            return;
        }
        s.push_str(&format!("{title} (keys shown as placeholders)\n\n"));
        for ex in list {
            s.push_str(&format!("  # {}\n", ex.path));
            for line in ex.content.lines() {
                s.push_str(&format!("  {line}\n"));
            }
            s.push('\n');
        }
    };
    examples("Examples", &r.examples);
    examples("Counter-examples", &r.counter_examples);
    if !r.references.is_empty() {
        s.push_str("References\n\n");
        for u in &r.references {
            s.push_str(&format!("  {u}\n"));
        }
        s.push('\n');
    }
    s.push_str(&format!("Documentation: {}\n", r.url()));
    s
}

fn rules_check(dir: Option<&Path>) -> Result<u8, Fatal> {
    let (set, problems) = match dir {
        Some(d) => rules::load_dir(d).map_err(|source| Fatal::RuleDir {
            path: d.display().to_string(),
            source,
        })?,
        None => rules::load_embedded(),
    };
    let mut count = problems.len();
    for p in &problems {
        eprint_diag(&FileDiag::from(p), false);
    }
    for failure in rules::examples::check(&set) {
        count += 1;
        output::stderr(
            &format!(
                "error: {}:{}: {}\n",
                failure.source,
                failure.line,
                report::escape::one_line(&failure.message)
            ),
            false,
        );
    }
    if count > 0 {
        output::stderr(
            &format!(
                "{count} problem(s) in {} rule file(s) checked\n",
                set.len() + problems.len().min(1)
            ),
            false,
        );
        Ok(EXIT_FINDINGS)
    } else {
        output::stdout(
            &format!(
                "{} rule(s) checked: all valid, every example fires and no counter-example does\n",
                set.len()
            ),
            false,
        );
        Ok(EXIT_CLEAN)
    }
}
