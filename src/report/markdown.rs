//! The compliance report as Markdown: tables that fit a pull-request comment or an issue
//! (GitHub's limit is 65,536 characters; the report stays under 60,000 and says what it
//! left out).

use std::fmt::Write as _;

use super::compliance::{delta, Item, Report};

/// Longest report written.
pub const LIMIT: usize = 60_000;

/// Text from the input (names, paths, messages, registry fields) as plain Markdown inside a
/// table cell: keys masked, on one line, with every character that Markdown or HTML would
/// interpret shown literally (`<img>` stays text, `[x](y)` is no link, `|` no new cell, `@team`
/// mentions nobody).
fn cell(s: &str) -> String {
    let s = super::escape::one_line(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn location(i: &Item) -> String {
    match (&i.path, i.line, &i.account) {
        (_, _, Some(a)) => format!("account {}", cell(a)),
        (Some(p), Some(l), None) => cell(&format!("{p}:{l}")),
        (Some(p), None, None) => cell(p),
        _ => String::new(),
    }
}

fn row(i: &Item) -> String {
    format!(
        "| {} | [{}]({} \"{}\") | {} | {} |\n",
        cell(&i.severity),
        cell(&i.rule),
        link(&i.url),
        cell(&i.name),
        location(i),
        cell(&i.message)
    )
}

/// A link target from the input: kept only when it is a plain `https://` address.
fn link(url: &str) -> String {
    let plain = url.starts_with("https://")
        && url.chars().all(|c| {
            c.is_ascii_graphic() && !matches!(c, '(' | ')' | '<' | '>' | '"' | '`' | '\\')
        });
    if plain {
        url.to_string()
    } else {
        "#".to_string()
    }
}

/// `report --format markdown`.
#[derive(Debug, Clone, Copy)]
pub struct Markdown;

impl super::compliance::ReportRenderer for Markdown {
    fn render(&self, report: &Report) -> String {
        render(report)
    }
}

/// Renders the report.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let org = r
        .organization
        .as_deref()
        .map(|o| format!("{}, ", cell(o)))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "# W&B service-account compliance report ({org}{})\n",
        r.as_of
    );
    let t = &r.totals;
    let sev = |k: &str, totals: &super::compliance::Totals| {
        totals.by_severity.get(k).copied().unwrap_or(0)
    };
    match &r.previous {
        Some(p) => {
            let _ = writeln!(s, "| | now | {} | change |\n|---|---:|---:|---:|", p.as_of);
            let pt = &p.totals;
            for (label, now, before) in [
                ("service accounts", t.accounts, pt.accounts),
                ("repositories", t.repositories, pt.repositories),
                ("findings", t.findings, pt.findings),
                ("errors", sev("error", t), sev("error", pt)),
                ("warnings", sev("warning", t), sev("warning", pt)),
                ("info", sev("info", t), sev("info", pt)),
            ] {
                let _ = writeln!(s, "| {label} | {now} | {before} | {} |", delta(now, before));
            }
        }
        None => {
            let _ = writeln!(s, "| | now |\n|---|---:|");
            for (label, now) in [
                ("service accounts", t.accounts),
                ("repositories", t.repositories),
                ("findings", t.findings),
                ("errors", sev("error", t)),
                ("warnings", sev("warning", t)),
                ("info", sev("info", t)),
            ] {
                let _ = writeln!(s, "| {label} | {now} |");
            }
        }
    }
    if let Some(w) = &r.window {
        let _ = writeln!(
            s,
            "\nAudit logs cover {} to {} ({} days).",
            w.start, w.end, w.days
        );
    }
    if !t.by_rule.is_empty() {
        let _ = writeln!(
            s,
            "\n## Findings by rule\n\n| rule | name | findings | change |\n|---|---|---:|---:|"
        );
        for (id, n) in &t.by_rule {
            let info = r.rules.get(id);
            let before = r
                .previous
                .as_ref()
                .map(|p| delta(*n, p.totals.by_rule.get(id).copied().unwrap_or(0)))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "| [{}]({}) | {} | {n} | {before} |",
                cell(id),
                link(info.map_or("", |i| i.url.as_str())),
                cell(info.map_or("", |i| i.name.as_str()))
            );
        }
    }
    if !r.accounts.is_empty() {
        let _ = writeln!(
            s,
            "\n## Service accounts\n\n| account | scope | team | owner | last activity | oldest key (days) | findings |\n|---|---|---|---|---|---:|---|"
        );
        for a in &r.accounts {
            let oldest = a
                .keys
                .iter()
                .filter_map(|k| k.age_days)
                .max()
                .map(|d| d.to_string())
                .unwrap_or_else(|| "–".to_string());
            let rules: Vec<&str> = a.findings.iter().map(|f| f.rule.as_str()).collect();
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {oldest} | {} |",
                cell(&a.name),
                cell(a.scope.as_deref().unwrap_or("–")),
                cell(a.team.as_deref().unwrap_or("–")),
                a.owner
                    .as_deref()
                    .map_or_else(|| "**none**".to_string(), cell),
                cell(a.last_activity.as_deref().unwrap_or("never seen")),
                if rules.is_empty() {
                    "✓".to_string()
                } else {
                    cell(&rules.join(", "))
                }
            );
        }
    }
    // Findings, most severe first, until the limit.
    let mut sections: Vec<(String, Vec<&Item>)> = Vec::new();
    let account_items: Vec<&Item> = r
        .accounts
        .iter()
        .flat_map(|a| a.findings.iter())
        .chain(r.unlisted.iter())
        .collect();
    if !account_items.is_empty() {
        sections.push(("Account findings".to_string(), account_items));
    }
    for repo in &r.repositories {
        sections.push((
            format!(
                "Repository {} ({} files scanned)",
                cell(&repo.name),
                repo.files_scanned
            ),
            repo.findings.iter().collect(),
        ));
    }
    let total: usize = sections.iter().map(|(_, v)| v.len()).sum();
    let mut shown = 0usize;
    let mut truncated = false;
    for (title, mut items) in sections {
        items.sort_by_key(|i| i.severity_rank());
        let _ = writeln!(s, "\n## {title}\n");
        if items.is_empty() {
            s.push_str("No findings.\n");
            continue;
        }
        s.push_str("| severity | rule | where | message |\n|---|---|---|---|\n");
        for i in items {
            let line = row(i);
            if s.len() + line.len() > LIMIT - 600 {
                truncated = true;
                break;
            }
            s.push_str(&line);
            shown += 1;
        }
        if truncated {
            break;
        }
    }
    if truncated {
        let _ = writeln!(
            s,
            "\n_{} more finding(s) left out to fit a comment ({LIMIT} characters); the HTML and JSON reports have them all._",
            total - shown
        );
    }
    if !r.problems.is_empty() {
        let _ = writeln!(
            s,
            "\n<details><summary>{} input problem(s)</summary>\n",
            r.problems.len()
        );
        for p in r.problems.iter().take(50) {
            let line = format!("- {}\n", cell(p));
            if s.len() + line.len() > LIMIT - 100 {
                break;
            }
            s.push_str(&line);
        }
        s.push_str("\n</details>\n");
    }
    let _ = writeln!(s, "\n_Generated by {}._", r.tool);
    s
}
