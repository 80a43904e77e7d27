//! The compliance report as one self-contained HTML page: styles inline, charts drawn as inline
//! SVG, no script and no external resource, so it works offline, mailed, and printed.

use std::fmt::Write as _;

use super::compliance::{delta, AccountRow, Item, Report, Totals};

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a message and draws its `code` spans as code: each pair of backticks becomes
/// `<code>…</code>` around text that was escaped first; an unpaired backtick stays as it is.
fn message(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 16);
    let paired = parts.len() - if parts.len().is_multiple_of(2) { 2 } else { 1 };
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            if i > paired {
                out.push('`');
            } else {
                out.push_str(if i % 2 == 1 { "<code>" } else { "</code>" });
            }
        }
        out.push_str(&esc(part));
    }
    out
}

/// Only `https://` links are written as links.
fn href(url: &str) -> String {
    if url.starts_with("https://") {
        esc(url)
    } else {
        "#".to_string()
    }
}

const STYLE: &str = r#"
:root { --error: #b42318; --warning: #b54708; --info: #175cd3; --ok: #067647; --ink: #101828;
  --muted: #475467; --line: #eaecf0; --bg: #f9fafb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
  margin: 0; background: var(--bg); }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub { color: var(--muted); margin: 0 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .n { font-size: 26px; font-weight: 650; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .d { font-size: 12px; color: var(--muted); }
.error { color: var(--error); } .warning { color: var(--warning); } .info { color: var(--info); }
.ok { color: var(--ok); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure svg { max-width: 760px; display: block; }
#chart-activity { grid-column: 1 / -1; }
#chart-activity svg { max-width: none; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg text { font: 11px -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; fill: var(--ink); }
svg.activity text { font-size: 13px; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td:first-child code { white-space: nowrap; word-break: normal; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f2f4f7;
  padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
code.name { white-space: normal; word-break: keep-all; overflow-wrap: normal; }
.scroll { overflow-x: auto; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 10px;
  border: 1px solid currentColor; margin: 1px 2px 1px 0; text-decoration: none; }
.none { color: var(--muted); font-style: italic; }
ul.problems { color: var(--muted); }
footer { color: var(--muted); margin-top: 32px; font-size: 12px; }
@media print {
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  .card, figure, table { break-inside: avoid; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

fn sev_count(t: &Totals, k: &str) -> usize {
    t.by_severity.get(k).copied().unwrap_or(0)
}

fn card(out: &mut String, id: &str, label: &str, n: usize, before: Option<usize>, class: &str) {
    let d = before
        .map(|b| {
            format!(
                "<div class=\"d\">{} since the last report</div>",
                delta(n, b)
            )
        })
        .unwrap_or_default();
    let _ = write!(
        out,
        "<div class=\"card\"><div class=\"l\">{label}</div><div class=\"n {class}\" id=\"{id}\">{n}</div>{d}</div>"
    );
}

/// `s` cut to `n` characters, with an ellipsis when cut. Keys are masked before the cut: a
/// cut key is shorter than any key shape and would pass the output mask.
fn clip(s: &str, n: usize) -> String {
    let s = &*crate::detect::mask::mask_output(s);
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let head: String = s.chars().take(n - 1).collect();
        format!("{head}…")
    }
}

/// Horizontal bars: (label, value, class).
fn bars(rows: &[(String, usize, &str)], width: u32) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let row_h = 22u32;
    let label_w = 230u32;
    let h = row_h * u32::try_from(rows.len()).unwrap_or(0) + 6;
    let mut s = format!(
        "<svg role=\"img\" viewBox=\"0 0 {width} {h}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">"
    );
    for (i, (label, n, class)) in rows.iter().enumerate() {
        let y = u32::try_from(i).unwrap_or(0) * row_h + 3;
        let avail = width - label_w - 40;
        let w = (u64::from(avail) * (*n as u64) / (max as u64)).max(1);
        let color = match *class {
            "error" => "#b42318",
            "warning" => "#b54708",
            "info" => "#175cd3",
            _ => "#475467",
        };
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{}\" rx=\"2\" fill=\"{color}\"><title>{}: {n}</title></rect><text x=\"{}\" y=\"{}\">{n}</text>",
            y + 14,
            esc(&clip(label, 38)),
            row_h - 6,
            esc(label),
            u64::from(label_w) + w + 4,
            y + 14
        );
    }
    s.push_str("</svg>");
    s
}

/// One row per account, one cell per day (or week, for long windows), shaded by events.
fn activity_chart(accounts: &[AccountRow], start: &str) -> String {
    let days = accounts.iter().map(|a| a.activity.len()).max().unwrap_or(0);
    if days == 0 {
        return "<p class=\"none\">No audit logs were given.</p>".to_string();
    }
    let bucket = if days > 120 { 7 } else { 1 };
    let cols = days.div_ceil(bucket);
    // Drawn across the page (see `#chart-activity` in the style) with rows and labels that
    // read at their natural size.
    let label_w = 280.0;
    let width = 1100.0;
    let cell_w = (width - label_w) / cols as f64;
    let row_h = 20.0;
    let shown: Vec<&AccountRow> = accounts.iter().take(80).collect();
    let h = row_h * shown.len() as f64 + 22.0;
    let max = shown
        .iter()
        .flat_map(|a| a.activity.chunks(bucket).map(|c| c.iter().sum::<u32>()))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut s = format!(
        "<svg class=\"activity\" role=\"img\" viewBox=\"0 0 {width} {h}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">"
    );
    for (i, a) in shown.iter().enumerate() {
        let y = i as f64 * row_h;
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{:.1}\">{}</text>",
            y + 15.0,
            esc(&clip(&a.name, 36))
        );
        for (j, chunk) in a.activity.chunks(bucket).enumerate() {
            let n: u32 = chunk.iter().sum();
            let x = label_w + j as f64 * cell_w;
            let fill = if n == 0 {
                "#f2f4f7".to_string()
            } else {
                // Log scale, so a busy account does not wash out the rest.
                let t = (f64::from(n).ln_1p() / f64::from(max).ln_1p()).clamp(0.15, 1.0);
                format!("rgba(23,92,211,{t:.2})")
            };
            let _ = write!(
                s,
                "<rect x=\"{x:.2}\" y=\"{:.1}\" width=\"{:.2}\" height=\"{:.1}\" fill=\"{fill}\"><title>{}: {}, {} {}</title></rect>",
                y + 1.0,
                (cell_w - 0.4).max(0.5),
                row_h - 2.0,
                esc(&a.name),
                super::human::count(n, "event"),
                if bucket == 1 { "day" } else { "week" },
                j + 1
            );
        }
    }
    let _ = write!(
        s,
        "<text x=\"{label_w}\" y=\"{:.1}\">{} →</text></svg>",
        h - 5.0,
        esc(start)
    );
    if accounts.len() > shown.len() {
        let _ = write!(
            s,
            "<p class=\"none\">First {} of {} accounts shown.</p>",
            shown.len(),
            accounts.len()
        );
    }
    s
}

/// Key ages in bins.
fn key_ages(accounts: &[AccountRow]) -> String {
    const BINS: [(&str, i64, i64); 6] = [
        ("0–30 days", 0, 30),
        ("31–60", 31, 60),
        ("61–90", 61, 90),
        ("91–180", 91, 180),
        ("181–365", 181, 365),
        ("over a year", 366, i64::MAX),
    ];
    let mut counts = [0usize; 6];
    let mut unknown = 0;
    for k in accounts.iter().flat_map(|a| a.keys.iter()) {
        match k.age_days {
            Some(d) => {
                if let Some(c) = BINS
                    .iter()
                    .position(|(_, lo, hi)| d >= *lo && d <= *hi)
                    .and_then(|i| counts.get_mut(i))
                {
                    *c += 1;
                }
            }
            None => unknown += 1,
        }
    }
    if counts.iter().sum::<usize>() + unknown == 0 {
        return "<p class=\"none\">No API keys in the registry.</p>".to_string();
    }
    let mut rows: Vec<(String, usize, &str)> = BINS
        .iter()
        .zip(counts)
        .map(|((label, lo, _), n)| (label.to_string(), n, if *lo > 90 { "error" } else { "ok" }))
        .collect();
    if unknown > 0 {
        rows.push(("no created date".to_string(), unknown, "other"));
    }
    bars(&rows, 560)
}

fn item_row(out: &mut String, i: &Item, with_account: bool) {
    let place = match (&i.account, &i.path, i.line) {
        (Some(a), _, _) if with_account => format!("<code class=\"name\">{}</code>", esc(a)),
        (_, Some(p), Some(l)) => format!("<code>{}:{l}</code>", esc(p)),
        (_, Some(p), None) => format!("<code>{}</code>", esc(p)),
        _ => String::new(),
    };
    let _ = write!(
        out,
        "<tr><td class=\"{sev}\">{sev}</td><td><a class=\"badge {sev}\" href=\"{}\" title=\"{}\">{}</a></td><td>{place}</td><td>{}</td></tr>",
        href(&i.url),
        esc(&i.name),
        esc(&i.rule),
        message(&i.message),
        sev = esc(&i.severity),
    );
}

fn items_table(out: &mut String, items: &[&Item], with_account: bool) {
    if items.is_empty() {
        out.push_str("<p class=\"ok\">No findings.</p>");
        return;
    }
    out.push_str("<div class=\"scroll\"><table><thead><tr><th>severity</th><th>rule</th><th>where</th><th>finding</th></tr></thead><tbody>");
    let mut sorted: Vec<&&Item> = items.iter().collect();
    sorted.sort_by_key(|i| i.severity_rank());
    for i in sorted {
        item_row(out, i, with_account);
    }
    out.push_str("</tbody></table></div>");
}

/// `report --format html`.
#[derive(Debug, Clone, Copy)]
pub struct Html;

impl super::compliance::ReportRenderer for Html {
    fn render(&self, report: &Report) -> String {
        render(report)
    }
}

/// Renders the report as a self-contained page.
pub fn render(r: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    header(&mut out, r);
    cards(&mut out, r);
    charts(&mut out, r);
    if !r.accounts.is_empty() {
        accounts(&mut out, r);
    }
    for repo in &r.repositories {
        let _ = write!(
            out,
            "<h2>Repository <code>{}</code> <span class=\"sub\">{} scanned, {}</span></h2>",
            esc(&repo.name),
            super::human::count(repo.files_scanned, "file"),
            super::human::count(repo.findings.len(), "finding")
        );
        let items: Vec<&Item> = repo.findings.iter().collect();
        items_table(&mut out, &items, false);
    }
    if !r.problems.is_empty() {
        let _ = write!(
            out,
            "<h2>Input problems ({})</h2><ul class=\"problems\">",
            r.problems.len()
        );
        for p in r.problems.iter().take(200) {
            let _ = write!(out, "<li>{}</li>", esc(p));
        }
        out.push_str("</ul>");
    }
    let _ = writeln!(
        out,
        "<footer>Generated by {}.</footer></main></body></html>",
        esc(&r.tool)
    );
    out
}

/// The document head, the title and the line saying what the report covers.
fn header(out: &mut String, r: &Report) {
    let org = r.organization.as_deref().unwrap_or("W&B");
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>Service-account compliance report: {} ({})</title><style>{STYLE}</style></head><body><main>",
        esc(org),
        esc(&r.as_of)
    );
    let _ = write!(
        out,
        "<h1>W&amp;B service-account compliance report: {}</h1><p class=\"sub\">As of <strong id=\"as-of\">{}</strong>",
        esc(org),
        esc(&r.as_of)
    );
    if let Some(w) = &r.window {
        let _ = write!(
            out,
            " · audit logs {} to {} ({} days)",
            esc(&w.start),
            esc(&w.end),
            w.days
        );
    }
    if let Some(p) = &r.previous {
        let _ = write!(out, " · compared with the report of {}", esc(&p.as_of));
    }
    out.push_str("</p>");
}

/// The cards of totals, each with its change since the previous report.
fn cards(out: &mut String, r: &Report) {
    let t = &r.totals;
    let prev = r.previous.as_ref().map(|p| &p.totals);
    out.push_str("<section class=\"cards\">");
    card(
        out,
        "total-accounts",
        "service accounts",
        t.accounts,
        prev.map(|p| p.accounts),
        "",
    );
    card(
        out,
        "total-findings",
        "findings",
        t.findings,
        prev.map(|p| p.findings),
        "",
    );
    for (k, label) in [
        ("error", "errors"),
        ("warning", "warnings"),
        ("info", "info"),
    ] {
        card(
            out,
            &format!("total-{k}"),
            label,
            sev_count(t, k),
            prev.map(|p| sev_count(p, k)),
            k,
        );
    }
    card(
        out,
        "total-repositories",
        "repositories",
        t.repositories,
        prev.map(|p| p.repositories),
        "",
    );
    out.push_str("</section>");
}

/// Findings by rule, activity per account and key ages.
fn charts(out: &mut String, r: &Report) {
    let t = &r.totals;
    out.push_str("<h2>Charts</h2><div class=\"charts\">");
    let by_rule: Vec<(String, usize, &str)> = t
        .by_rule
        .iter()
        .map(|(id, n)| {
            let info = r.rules.get(id);
            let class = info.map_or("other", |i| match i.severity.as_str() {
                "error" => "error",
                "warning" => "warning",
                _ => "info",
            });
            let label = info.map_or(id.clone(), |i| format!("{id} {}", i.name));
            (label, *n, class)
        })
        .collect();
    let _ = write!(
        out,
        "<figure id=\"chart-rules\"><figcaption>Findings by rule</figcaption>{}</figure>",
        if by_rule.is_empty() {
            "<p class=\"ok\">No findings.</p>".to_string()
        } else {
            bars(&by_rule, 560)
        }
    );
    // The chart covers the charted days only (a bounded number, see `CHART_DAYS`).
    let (start, caption) = match &r.window {
        Some(w) if !w.chart_start.is_empty() && w.chart_days < w.days => (
            w.chart_start.as_str(),
            format!(
                "Activity per account (the last {} days charted)",
                w.chart_days
            ),
        ),
        Some(w) if !w.chart_start.is_empty() => {
            (w.chart_start.as_str(), "Activity per account".to_string())
        }
        Some(w) => (w.start.as_str(), "Activity per account".to_string()),
        None => ("", "Activity per account".to_string()),
    };
    let _ = write!(
        out,
        "<figure id=\"chart-activity\"><figcaption>{}</figcaption>{}</figure>",
        esc(&caption),
        activity_chart(&r.accounts, start)
    );
    let _ = write!(
        out,
        "<figure id=\"chart-keys\"><figcaption>API key age</figcaption>{}</figure>",
        key_ages(&r.accounts)
    );
    out.push_str("</div>");
}

/// The service accounts table and their findings (with those about unlisted actors).
fn accounts(out: &mut String, r: &Report) {
    out.push_str("<h2>Service accounts</h2><div class=\"scroll\"><table id=\"accounts\"><thead><tr><th>account</th><th>scope</th><th>team</th><th>purpose</th><th>owner</th><th>used by</th><th>last activity</th><th class=\"num\">events</th><th>keys (age in days)</th><th>findings</th></tr></thead><tbody>");
    for a in &r.accounts {
        let keys: Vec<String> = a
            .keys
            .iter()
            .map(|k| {
                let age = k.age_days.map_or("?".to_string(), |d| d.to_string());
                let class = if k.age_days.is_some_and(|d| d > 90) {
                    "error"
                } else {
                    ""
                };
                format!("<span class=\"{class}\">{} ({age})</span>", esc(&k.name))
            })
            .collect();
        let findings: Vec<String> = a
            .findings
            .iter()
            .map(|f| {
                format!(
                    "<a class=\"badge {}\" href=\"{}\" title=\"{}\">{}</a>",
                    esc(&f.severity),
                    href(&f.url),
                    esc(&f.message),
                    esc(&f.rule)
                )
            })
            .collect();
        let none = "<span class=\"none\">none</span>";
        let opt = |v: &Option<String>| v.as_deref().map_or(none.to_string(), esc);
        let used: Vec<String> = a
            .used_by
            .iter()
            .map(|u| format!("<code>{}</code>", esc(u)))
            .collect();
        let _ = write!(
            out,
            "<tr><td><code class=\"name\">{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.name),
            opt(&a.scope),
            opt(&a.team),
            opt(&a.purpose),
            opt(&a.owner),
            if used.is_empty() { none.to_string() } else { used.join(" ") },
            a.last_activity.as_deref().map_or("<span class=\"none\">never seen</span>".to_string(), esc),
            a.events,
            if keys.is_empty() { "–".to_string() } else { keys.join(", ") },
            if findings.is_empty() { "<span class=\"ok\">✓</span>".to_string() } else { findings.join("") }
        );
    }
    out.push_str("</tbody></table></div>");
    out.push_str("<h2>Account findings</h2>");
    let items: Vec<&Item> = r
        .accounts
        .iter()
        .flat_map(|a| a.findings.iter())
        .chain(r.unlisted.iter())
        .collect();
    items_table(out, &items, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(message: &str) -> Item {
        serde_json::from_value(serde_json::json!({
            "rule": "A001", "name": "generic-service-account-name", "severity": "warning",
            "message": message, "account": "ci-model-training-bot", "url": "https://example.com/A001"
        }))
        .expect("item")
    }

    fn account(name: &str, days: usize) -> AccountRow {
        serde_json::from_value(serde_json::json!({
            "name": name, "scope": null, "team": null, "auth": null, "purpose": null,
            "owner": null, "used_by": [], "last_activity": null, "events": days,
            "activity": vec![1; days], "keys": [], "findings": []
        }))
        .expect("account")
    }

    #[test]
    fn backticks_in_messages_become_code_after_escaping() {
        let mut out = String::new();
        item_row(
            &mut out,
            &item("name `svc<b>` of `a&b` names no purpose; odd ` tick"),
            true,
        );
        assert!(
            out.contains("name <code>svc&lt;b&gt;</code> of <code>a&amp;b</code> names no purpose; odd ` tick"),
            "{out}"
        );
    }

    #[test]
    fn account_names_break_only_between_words() {
        let mut out = String::new();
        item_row(&mut out, &item("m"), true);
        assert!(
            out.contains("<code class=\"name\">ci-model-training-bot</code>"),
            "{out}"
        );
        let rule = STYLE
            .lines()
            .find(|l| l.starts_with("code.name"))
            .expect("a rule for names");
        assert!(rule.contains("word-break: keep-all"), "{rule}");
        assert!(rule.contains("overflow-wrap: normal"), "{rule}");
        // A name too long for its column scrolls with its table instead of breaking.
        assert!(STYLE.contains(".scroll { overflow-x: auto; }"), "{STYLE}");
    }

    #[test]
    fn the_activity_chart_is_large_enough_to_read() {
        let accounts: Vec<AccountRow> = (0..3).map(|i| account(&format!("acct-{i}"), 30)).collect();
        let svg = activity_chart(&accounts, "2026-10-01");
        let heights: Vec<f64> = svg
            .split("<rect ")
            .skip(1)
            .filter_map(|r| r.split("height=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert_eq!(heights.len(), 90, "{svg}");
        assert!(heights.iter().all(|h| *h >= 16.0), "{heights:?}");
        // The chart spans the whole width of the page, its text at a readable size.
        assert!(
            STYLE.contains("#chart-activity { grid-column: 1 / -1; }"),
            "{STYLE}"
        );
        assert!(
            STYLE.contains("#chart-activity svg { max-width: none; }"),
            "{STYLE}"
        );
        assert!(svg.contains("class=\"activity\""), "{svg}");
        assert!(
            STYLE.contains("svg.activity text { font-size: 13px; }"),
            "{STYLE}"
        );
    }
}
