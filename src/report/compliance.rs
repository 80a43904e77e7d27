//! The periodic compliance report (`wandb-sa-lint report`): scan results of several
//! repositories, the registry's accounts judged against the audit logs, and the previous
//! report for trends, in one model that renders as JSON (the input of the next `--previous`),
//! Markdown and HTML.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::auditlog::activity::Activity;
use crate::checks::{day_of, days_between, last_activity};
use crate::detect::mask::mask_text;
use crate::finding::{Finding, Outcome};
use crate::registry::Registry;
use crate::rules::RuleSet;

/// The report format version.
pub const VERSION: u32 = 1;

/// One finding as the report shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Item {
    /// Rule id.
    pub rule: String,
    /// Rule name.
    pub name: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// The one-line message (secrets only ever redacted).
    pub message: String,
    /// File, for file findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Line, for file findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Account, for account findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The rule's documentation.
    pub url: String,
}

impl Item {
    /// Sort key: errors first, then warnings, then the rest.
    pub fn severity_rank(&self) -> u8 {
        match self.severity.as_str() {
            "error" => 0,
            "warning" => 1,
            _ => 2,
        }
    }

    fn of(f: &Finding) -> Self {
        Item {
            rule: f.rule.id.clone(),
            name: f.rule.name.clone(),
            severity: f.severity.as_str().to_string(),
            message: f.message.clone(),
            path: f.location.as_ref().map(|l| l.path.clone()),
            line: f.location.as_ref().map(|l| l.line as u64),
            account: f.account().map(str::to_string),
            url: f.rule.url(),
        }
    }
}

/// Counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Totals {
    /// Registry accounts.
    pub accounts: usize,
    /// Repositories whose scan results were given.
    pub repositories: usize,
    /// All findings.
    pub findings: usize,
    /// Findings by severity.
    pub by_severity: BTreeMap<String, usize>,
    /// Findings by rule id.
    pub by_rule: BTreeMap<String, usize>,
}

/// A repository's scan result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Repository {
    /// Its name (the result file's name without `.json`).
    pub name: String,
    /// The result file.
    pub source: String,
    /// Files scanned, as the result says.
    pub files_scanned: u64,
    /// Its findings.
    pub findings: Vec<Item>,
}

/// An API key's age.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyAge {
    /// Key name.
    pub name: String,
    /// Days since it was created, if known.
    pub age_days: Option<i64>,
    /// Last use, if known.
    pub last_used: Option<String>,
}

/// A registry account with its activity and findings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountRow {
    /// Name.
    pub name: String,
    /// `team` or `organization`.
    pub scope: Option<String>,
    /// Parent or default team.
    pub team: Option<String>,
    /// `api-key` or `federated`.
    pub auth: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// Where it is used.
    pub used_by: Vec<String>,
    /// Latest activity (audit logs or key use).
    pub last_activity: Option<String>,
    /// Events in the window.
    pub events: usize,
    /// Events per day of the window, oldest first.
    pub activity: Vec<u32>,
    /// Its keys.
    pub keys: Vec<KeyAge>,
    /// Its findings.
    pub findings: Vec<Item>,
}

/// The observed window of the audit logs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Window {
    /// First day.
    pub start: String,
    /// Last day.
    pub end: String,
    /// Days.
    pub days: i64,
    /// First day of the activity chart: the chart covers at most [`CHART_DAYS`] days, the
    /// last ones up to the end of the logs or the report date, whichever is earlier.
    #[serde(default)]
    pub chart_start: String,
    /// Days the activity chart covers (each account's `activity` has this many entries).
    #[serde(default)]
    pub chart_days: i64,
}

/// Most days the activity chart covers, whatever dates the logs hold: a log line dated
/// `0001-01-01` next to one dated `9999-12-30` must not make a chart (and a report) of
/// 3.6 million days per account.
pub const CHART_DAYS: i64 = 366;

/// The charted days `(start, days)` of an observed window `s..=e` judged on `as_of`: the
/// last [`CHART_DAYS`] days up to `e` or `as_of`, whichever is earlier (never before `s`).
fn chart_window(
    s: jiff::civil::Date,
    e: jiff::civil::Date,
    as_of: jiff::civil::Date,
) -> (jiff::civil::Date, i64) {
    let end = e.min(as_of).max(s);
    let start = end
        .checked_sub(jiff::Span::new().days(CHART_DAYS - 1))
        .unwrap_or(s)
        .max(s);
    (start, days_between(start, end) + 1)
}

/// What the previous report said, for trends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Previous {
    /// Its date.
    pub as_of: String,
    /// Its counts.
    pub totals: Totals,
}

/// A rule as the report links it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleInfo {
    /// Name.
    pub name: String,
    /// Default severity.
    pub severity: String,
    /// One line.
    pub summary: String,
    /// Documentation.
    pub url: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Format version.
    pub version: u32,
    /// The tool and its version.
    pub tool: String,
    /// The date judged on.
    pub as_of: String,
    /// The organization (from the registry).
    pub organization: Option<String>,
    /// The audit logs' window.
    pub window: Option<Window>,
    /// Counts.
    pub totals: Totals,
    /// The previous report's counts.
    pub previous: Option<Previous>,
    /// Scan results.
    pub repositories: Vec<Repository>,
    /// Registry accounts.
    pub accounts: Vec<AccountRow>,
    /// Account findings about actors the registry does not list.
    pub unlisted: Vec<Item>,
    /// The rules that appear, by id.
    pub rules: BTreeMap<String, RuleInfo>,
    /// Input problems (unreadable results, malformed log lines, rules not judged).
    pub problems: Vec<String>,
}

impl Report {
    /// The most severe finding's severity: scan results, account findings and unlisted
    /// actors'.
    pub fn worst(&self) -> Option<crate::rules::Severity> {
        self.repositories
            .iter()
            .flat_map(|r| &r.findings)
            .chain(self.accounts.iter().flat_map(|a| &a.findings))
            .chain(&self.unlisted)
            .filter_map(|i| crate::rules::Severity::parse(&i.severity))
            .max()
    }
}

/// Reads one `scan --format json` result; problems are pushed and the file is skipped.
pub fn read_scan(path: &Path, problems: &mut Vec<String>) -> Option<Repository> {
    let shown = path.display().to_string();
    let text = match crate::source::files::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!("cannot read scan result `{shown}`: {e}"));
            return None;
        }
    };
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            problems.push(format!("scan result `{shown}` is not JSON: {e}"));
            return None;
        }
    };
    let Some(list) = doc.get("findings").and_then(|f| f.as_array()) else {
        problems.push(format!(
            "scan result `{shown}` has no `findings` list (write it with `scan --format json`)"
        ));
        return None;
    };
    let text_of =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let mut findings = Vec::new();
    for (i, f) in list.iter().enumerate() {
        // Messages hold secrets only redacted; masking key-shaped runs keeps it so even for
        // a result file written by something else.
        let message = text_of(f, "message").map(|m| mask_text(&m));
        let (Some(rule), Some(message)) = (text_of(f, "rule"), message) else {
            problems.push(format!(
                "scan result `{shown}`: finding {} has no `rule` or `message`; skipped",
                i + 1
            ));
            continue;
        };
        findings.push(Item {
            name: text_of(f, "name").unwrap_or_default(),
            severity: text_of(f, "severity").unwrap_or_else(|| "warning".to_string()),
            message,
            path: text_of(f, "path"),
            line: f.get("line").and_then(|l| l.as_u64()),
            account: text_of(f, "account"),
            url: text_of(f, "url").unwrap_or_default(),
            rule,
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let name = name
        .strip_suffix(".json")
        .map(str::to_string)
        .unwrap_or(name);
    Some(Repository {
        name,
        source: shown,
        files_scanned: doc
            .get("summary")
            .and_then(|s| s.get("files_scanned"))
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0),
        findings,
    })
}

/// Reads a previous report's JSON.
pub fn read_previous(path: &Path, problems: &mut Vec<String>) -> Option<Previous> {
    let shown = path.display().to_string();
    let parsed = crate::source::files::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<Report>(&t).map_err(|e| e.to_string()));
    match parsed {
        Ok(r) => Some(Previous {
            as_of: r.as_of,
            totals: r.totals,
        }),
        Err(e) => {
            problems.push(format!(
                "previous report `{shown}` cannot be read ({e}); trends are left out"
            ));
            None
        }
    }
}

/// What the audit part of a report is built from.
pub struct AuditPart<'a> {
    /// The registry.
    pub registry: &'a Registry,
    /// The activity read from the logs.
    pub activity: &'a Activity,
    /// The audit run's outcome (account findings, problems).
    pub outcome: &'a Outcome,
}

/// Builds the report.
pub fn build(
    as_of: jiff::civil::Date,
    repositories: Vec<Repository>,
    audit: Option<AuditPart<'_>>,
    previous: Option<Previous>,
    rules: &RuleSet,
    mut problems: Vec<String>,
) -> Report {
    let audited = audit
        .map(|a| audited(&a, as_of, &mut problems))
        .unwrap_or_default();
    let (totals, rule_info) = totals(&repositories, &audited.accounts, &audited.unlisted, rules);
    Report {
        version: VERSION,
        tool: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
        as_of: as_of.to_string(),
        organization: audited.organization,
        window: audited.window,
        totals,
        previous,
        repositories,
        accounts: audited.accounts,
        unlisted: audited.unlisted,
        rules: rule_info,
        problems,
    }
}

/// The audit part of a report, built.
#[derive(Default)]
struct Audited {
    organization: Option<String>,
    window: Option<Window>,
    accounts: Vec<AccountRow>,
    unlisted: Vec<Item>,
}

/// The registry's accounts with their activity and findings, the account findings about
/// actors it does not list, and the logs' window; the audit's problems are pushed.
fn audited(a: &AuditPart<'_>, as_of: jiff::civil::Date, problems: &mut Vec<String>) -> Audited {
    let mut out = Audited {
        organization: a.registry.organization.clone(),
        ..Audited::default()
    };
    let span = a.activity.window.map(|(s, e)| (day_of(s), day_of(e)));
    let chart = span.map(|(s, e)| chart_window(s, e, as_of));
    if let (Some((s, e)), Some((chart_start, chart_days))) = (span, chart) {
        out.window = Some(Window {
            start: s.to_string(),
            end: e.to_string(),
            days: a.activity.observed_days(),
            chart_start: chart_start.to_string(),
            chart_days,
        });
    }
    for p in &a.outcome.problems {
        problems.push(p.message.clone());
    }
    let mut by_account: BTreeMap<&str, Vec<Item>> = BTreeMap::new();
    for f in &a.outcome.findings {
        match f.account() {
            Some(acc) if a.registry.accounts.iter().any(|x| x.name == acc) => {
                by_account.entry(acc).or_default().push(Item::of(f));
            }
            _ => out.unlisted.push(Item::of(f)),
        }
    }
    for acc in &a.registry.accounts {
        let findings = by_account.remove(acc.name.as_str()).unwrap_or_default();
        out.accounts
            .push(account_row(acc, a.activity, chart, as_of, findings));
    }
    out
}

/// One registry account's row: its activity per charted day (`chart`: first day and days),
/// its keys' ages on `as_of`, its findings.
fn account_row(
    acc: &crate::registry::Account,
    activity: &Activity,
    chart: Option<(jiff::civil::Date, i64)>,
    as_of: jiff::civil::Date,
    findings: Vec<Item>,
) -> AccountRow {
    let act = activity.accounts.get(&acc.name);
    let mut daily = Vec::new();
    if let Some((s, days)) = chart {
        let days = usize::try_from(days).unwrap_or(0);
        daily = vec![0u32; days];
        if let Some(act) = act {
            for (d, n) in &act.events_per_day {
                let i = usize::try_from(days_between(s, *d)).unwrap_or(usize::MAX);
                if let Some(slot) = daily.get_mut(i) {
                    *slot = u32::try_from(*n).unwrap_or(u32::MAX);
                }
            }
        }
    }
    let last_activity = last_activity(acc, act).map(|(d, _)| d);
    AccountRow {
        name: acc.name.clone(),
        scope: acc.scope.map(|s| s.as_str().to_string()),
        team: acc.team.clone(),
        auth: acc.auth.map(|x| x.as_str().to_string()),
        purpose: acc.purpose.clone(),
        owner: acc.owner.clone(),
        used_by: acc.used_by.clone(),
        last_activity: last_activity.map(|d| d.to_string()),
        events: act.map_or(0, |x| x.events),
        activity: daily,
        keys: acc
            .api_keys
            .iter()
            .map(|k| KeyAge {
                name: k.name.clone(),
                age_days: k.created.map(|c| days_between(c, as_of)),
                last_used: k.last_used.map(|d| d.to_string()),
            })
            .collect(),
        findings,
    }
}

/// The counts over every finding of the report, and the rules that appear.
fn totals(
    repositories: &[Repository],
    accounts: &[AccountRow],
    unlisted: &[Item],
    rules: &RuleSet,
) -> (Totals, BTreeMap<String, RuleInfo>) {
    let mut totals = Totals {
        accounts: accounts.len(),
        repositories: repositories.len(),
        ..Totals::default()
    };
    for sev in ["error", "warning", "info"] {
        totals.by_severity.insert(sev.to_string(), 0);
    }
    let all = repositories
        .iter()
        .flat_map(|r| r.findings.iter())
        .chain(accounts.iter().flat_map(|a| a.findings.iter()))
        .chain(unlisted.iter());
    let mut rule_info = BTreeMap::new();
    for item in all {
        totals.findings += 1;
        *totals.by_severity.entry(item.severity.clone()).or_default() += 1;
        *totals.by_rule.entry(item.rule.clone()).or_default() += 1;
        if let Some(r) = rules.get(&item.rule) {
            rule_info.insert(
                r.id.clone(),
                RuleInfo {
                    name: r.name.clone(),
                    severity: r.severity.as_str().to_string(),
                    summary: r.summary.clone(),
                    url: r.url(),
                },
            );
        }
    }
    (totals, rule_info)
}

/// A format of the compliance report: the whole report as one text.
pub trait ReportRenderer: Sync {
    /// The report in this format.
    fn render(&self, report: &Report) -> String;
}

/// `report --format json`: the report as data, the input of the next `--previous`.
#[derive(Debug, Clone, Copy)]
pub struct JsonReport;

impl ReportRenderer for JsonReport {
    fn render(&self, report: &Report) -> String {
        render_json(report)
    }
}

/// The report as pretty JSON.
pub fn render_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

/// A signed change against the previous report (`+3`, `-1`, `±0`).
pub fn delta(now: usize, before: usize) -> String {
    match now.cmp(&before) {
        std::cmp::Ordering::Greater => format!("+{}", now - before),
        std::cmp::Ordering::Less => format!("-{}", before - now),
        std::cmp::Ordering::Equal => "±0".to_string(),
    }
}
