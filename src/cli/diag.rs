//! Errors and diagnostics of the tool itself: the fatal errors (exit 2), rule and registry
//! file problems with their snippets, colour and width, and printing them on stderr.

use miette::{Diagnostic, NamedSource, SourceSpan};

use super::args::ColorChoice;
use super::output;
use crate::config;
use crate::rules::RuleProblem;

/// A fatal error of the tool itself (exit 2).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub(super) enum Fatal {
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
    /// `hint`: a "did you mean" tail, or empty.
    #[error("unknown rule `{rule}`{hint}")]
    #[diagnostic(
        code(rules::unknown),
        help("`wandb-sa-lint rules` lists the catalogue")
    )]
    UnknownRule { rule: String, hint: String },
    /// `init` found its files already there (their names, quoted).
    #[error("{0} already exists; nothing written")]
    #[diagnostic(code(init::exists), help("`--force` replaces what is there"))]
    Exists(String),
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
    AuditLog(#[from] crate::auditlog::LogInputError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Staged(#[from] crate::source::staged::StagedError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    History(#[from] crate::source::history::HistoryError),
    #[error("{} in rule files", crate::report::human::count(count, "problem"))]
    #[diagnostic(code(rules::invalid))]
    Rules { count: usize },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] crate::suppress::baseline::BaselineError),
    /// A W&B API call that could not complete (`what` it was doing, `help` what to do).
    #[error("{what}: {message}")]
    #[diagnostic(code(wandb::api), help("{help}"))]
    Api {
        what: String,
        message: String,
        help: String,
    },
}

/// A problem in a rule or registry file as a diagnostic with the file's snippet.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(super) struct FileDiag {
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

pub(super) fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

pub(super) fn use_color(choice: ColorChoice, tty: bool) -> bool {
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

pub(super) fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

pub(super) fn eprint_diag(diag: &dyn Diagnostic, color: bool) {
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
    if handler.render_report(&mut out, &Once(diag)).is_err() {
        out = format!("error: {diag}\n");
    }
    output::stderr(&out, color);
}

/// A diagnostic whose causes leave out what its message already says: an error that names
/// the OS error (`cannot read config `x`: No such file or directory`) is printed once, not
/// again as its cause.
struct Once<'a>(&'a dyn Diagnostic);

impl Once<'_> {
    /// The first cause in the chain whose text the message does not already hold.
    fn new_cause(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let said = self.0.to_string();
        let mut cause = self.0.source();
        while let Some(c) = cause {
            if !said.contains(&c.to_string()) {
                return Some(c);
            }
            cause = c.source();
        }
        None
    }
}

impl std::fmt::Debug for Once<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for Once<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for Once<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.new_cause()
    }
}

impl Diagnostic for Once<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.0.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.0.diagnostic_source()
    }
}
