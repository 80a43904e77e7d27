//! `rules`: load the catalogue with the configured rule directories, list it, validate rule
//! files (`rules check`) and write the rule documentation pages (`rules docs`).

use std::path::Path;

use super::args::RulesFormat;
use super::diag::{eprint_diag, Fatal, FileDiag};
use super::output;
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::config::Config;
use crate::report;
use crate::rules::{self, RuleSet};

/// Loads the built-in rules plus the configured rule directories.
pub(super) fn load_rules(config: &Config) -> Result<RuleSet, Fatal> {
    let (mut set, problems) = rules::load_embedded(crate::checks::CHECKS);
    let mut all_problems = problems;
    for dir in &config.rule_dirs {
        let (extra, problems) =
            crate::checks::load_rule_dir(dir).map_err(|source| Fatal::RuleDir {
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

pub(super) fn print_rules(rules: &RuleSet, format: RulesFormat) {
    let text = match format {
        RulesFormat::Json => {
            let list: Vec<_> = rules.iter().map(|r| r.as_ref()).collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            )
        }
        RulesFormat::Markdown => rules::markdown_table(rules),
        RulesFormat::Table => table(rules),
    };
    output::stdout(&text, false);
}

/// The `rules` table: each column as wide as its widest cell (names run past 40 characters).
fn table(rules: &RuleSet) -> String {
    let rows: Vec<[&str; 5]> = std::iter::once(["ID", "NAME", "KIND", "SEVERITY", "SUMMARY"])
        .chain(rules.iter().map(|r| {
            [
                r.id.as_str(),
                r.name.as_str(),
                r.kind.as_str(),
                r.severity.as_str(),
                r.summary.as_str(),
            ]
        }))
        .collect();
    let mut widths = [0usize; 4];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut t = String::new();
    for [id, name, kind, severity, summary] in rows {
        let [a, b, c, d] = widths;
        t.push_str(&format!(
            "{id:<a$}  {name:<b$}  {kind:<c$}  {severity:<d$}  {summary}\n"
        ));
    }
    t
}

pub(super) fn rules_check(dir: Option<&Path>) -> Result<u8, Fatal> {
    let (set, problems) = match dir {
        Some(d) => crate::checks::load_rule_dir(d).map_err(|source| Fatal::RuleDir {
            path: d.display().to_string(),
            source,
        })?,
        None => rules::load_embedded(crate::checks::CHECKS),
    };
    let mut count = problems.len();
    for p in &problems {
        eprint_diag(&FileDiag::from(p), false);
    }
    for failure in crate::examples::check(&set) {
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
                "{} in {} checked\n",
                report::human::count(count, "problem"),
                report::human::count(set.len() + problems.len().min(1), "rule file")
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

/// Writes one Markdown page per rule, and an index, into `dir`.
pub(super) fn write_docs(rules: &RuleSet, dir: &Path) -> Result<u8, Fatal> {
    output::create_dir_all(dir).map_err(|source| Fatal::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let pages = rules::docs::pages(rules);
    for (name, text) in &pages {
        let path = dir.join(name);
        output::write_file(&path, text).map_err(|source| Fatal::Write {
            path: path.display().to_string(),
            source,
        })?;
    }
    output::stderr(
        &format!(
            "wrote {} to {}\n",
            report::human::count(pages.len(), "page"),
            dir.display()
        ),
        false,
    );
    Ok(EXIT_CLEAN)
}
