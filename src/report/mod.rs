//! Findings leave through here: one module per output format, each a [`Renderer`] (the
//! compliance report's formats are [`compliance::ReportRenderer`]s). Renderers only ever see
//! findings, whose secrets were masked when they were made.

pub mod compliance;
pub mod escape;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::fmt;

use crate::finding::Outcome;
use crate::rules::RuleSet;

/// Output formats of `scan` and `audit` (the formats findings leave in; the file formats read
/// are `formats::Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// miette diagnostics and a closing summary.
    Human,
    /// One JSON document: findings, problems and the summary.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// JUnit XML (Jenkins, GitLab test reports).
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutputFormat::Human => "human",
            OutputFormat::Json => "json",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Junit => "junit",
            OutputFormat::Gitlab => "gitlab",
            OutputFormat::Github => "github",
        })
    }
}

impl OutputFormat {
    /// The renderer of this format: the one place a format is matched to its code.
    pub fn renderer(self) -> &'static dyn Renderer {
        match self {
            OutputFormat::Human => &human::Human,
            OutputFormat::Json => &json::Json,
            OutputFormat::Sarif => &sarif::Sarif,
            OutputFormat::Junit => &junit::Junit,
            OutputFormat::Gitlab => &gitlab::Gitlab,
            OutputFormat::Github => &github::Github,
        }
    }
}

/// What a renderer may use besides the outcome.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The catalogue the run used (SARIF describes every rule of it, JUnit has a suite per
    /// rule).
    pub rules: &'a RuleSet,
    /// How to draw text for people (colour, width, screen-reader layout).
    pub style: human::Style,
}

/// An output format of `scan` and `audit`: a run's findings as one text.
pub trait Renderer: Sync {
    /// The outcome in this format. Formats for machines carry what they have room for
    /// (problems, the summary); the text for people holds the findings only, and the caller
    /// prints problems and the summary around it.
    fn render(&self, outcome: &Outcome, cx: &Context<'_>) -> String;

    /// Whether the text is for people at a terminal: then it may be coloured, and the closing
    /// summary follows it on standard output. `false` (machine formats): standard output holds
    /// the document alone.
    fn for_people(&self) -> bool {
        false
    }
}

/// The first paragraph of a rule's remediation: the help line of a finding.
pub fn help_line(remediation: &str) -> String {
    remediation
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
