//! Findings leave through here: one module per output format. Renderers only ever see
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

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
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

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Gitlab => "gitlab",
            Format::Github => "github",
        })
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
