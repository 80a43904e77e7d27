//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Every rule of the catalogue
//! is in `tool.driver.rules`; each result has a repository-relative location (`%SRCROOT%`), a
//! 1-based region, and a partial fingerprint without line numbers, so an alert survives lines
//! moving. History findings carry their commit in `properties`; account findings add a logical
//! location naming the account.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif as SarifLog, Tool,
    ToolComponent,
};

use crate::detect::mask::stable_ids;
use crate::finding::{Finding, Outcome};
use crate::rules::{Kind, Rule, RuleSet, Severity};

/// The schema the document declares.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of our partial fingerprint.
pub const FINGERPRINT_KEY: &str = "wandbSaLint/v1";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `security-severity` (0–10) that GitHub ranks secret alerts by.
fn security_severity(rule: &Rule) -> Option<&'static str> {
    (rule.kind == Kind::Secret).then_some(match rule.severity {
        Severity::Error => "9.0",
        Severity::Warning => "6.5",
        Severity::Info => "3.0",
    })
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    if let Some(s) = security_severity(rule) {
        props.insert("security-severity".to_string(), json!(s));
    }
    props.insert("precision".to_string(), json!("high"));
    ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(rule.name.clone())
        .short_description(text(&rule.summary))
        .full_description(text(&rule.rationale))
        .help(
            MultiformatMessageString::builder()
                .text(rule.remediation.clone())
                .markdown(format!(
                    "{}\n\n**Why:** {}\n\n[Rule documentation]({})",
                    rule.remediation,
                    rule.rationale,
                    rule.url()
                ))
                .build(),
        )
        .help_uri(rule.url())
        .default_configuration(ReportingConfiguration {
            level: Some(json!(level(rule.severity))),
            ..Default::default()
        })
        .properties(PropertyBag {
            tags: Some(vec![
                "security".to_string(),
                "wandb".to_string(),
                rule.kind.as_str().to_string(),
            ]),
            additional_properties: props,
        })
        .build()
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(s.to_string())
        .build()
}

/// Percent-encodes a repository-relative path for a URI reference (keeps `/`).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn result(f: &Finding, index: Option<usize>, stable: String) -> SarifResult {
    let physical = f.location.as_ref().map(|l| PhysicalLocation {
        artifact_location: Some(ArtifactLocation {
            uri: Some(uri(&l.path)),
            uri_base_id: Some("%SRCROOT%".to_string()),
            ..Default::default()
        }),
        region: Some(Region {
            start_line: Some(to_i64(l.line.max(1))),
            start_column: Some(to_i64(l.column.max(1))),
            end_line: Some(to_i64(l.end_line.max(l.line).max(1))),
            end_column: Some(to_i64(l.end_column.max(1))),
            ..Default::default()
        }),
        ..Default::default()
    });
    let logical = f.account().map(|a| {
        vec![LogicalLocation {
            name: Some(a.to_string()),
            fully_qualified_name: Some(format!("service_accounts/{a}")),
            kind: Some("resource".to_string()),
            ..Default::default()
        }]
    });
    let mut props = BTreeMap::new();
    if let Some(c) = f.commit() {
        props.insert(
            "commit".to_string(),
            serde_json::to_value(c).unwrap_or(Value::Null),
        );
    }
    if let Some(h) = f.history() {
        props.insert("in_head".to_string(), json!(h.in_head));
        props.insert("commits".to_string(), json!(h.commit_count));
        if let Some(r) = &h.reference {
            props.insert("ref".to_string(), json!(r));
        }
    }
    if let Some(v) = f.verified() {
        props.insert(
            "verification".to_string(),
            serde_json::to_value(v).unwrap_or(Value::Null),
        );
    }
    if let Some(a) = f.account() {
        props.insert("account".to_string(), json!(a));
    }
    if let Some(r) = f.redacted() {
        props.insert("secret".to_string(), json!(r));
    }
    let help = f
        .help
        .clone()
        .unwrap_or_else(|| super::help_line(&f.rule.remediation));
    let mut r = SarifResult::builder()
        .rule_id(f.rule.id.clone())
        .level(match f.severity {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
            Severity::Info => ResultLevel::Note,
        })
        .message(Message {
            text: Some(format!("{} — {help}", f.message)),
            ..Default::default()
        })
        .locations(vec![Location {
            physical_location: physical,
            logical_locations: logical,
            ..Default::default()
        }])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), stable)]))
        .build();
    r.rule_index = index.map(to_i64);
    r.properties = (!props.is_empty()).then(|| PropertyBag {
        additional_properties: props,
        ..Default::default()
    });
    r
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `--format sarif`.
#[derive(Debug, Clone, Copy)]
pub struct Sarif;

impl super::Renderer for Sarif {
    fn render(&self, outcome: &Outcome, cx: &super::Context<'_>) -> String {
        render(outcome, cx.rules)
    }
}

/// Renders the outcome as a SARIF log with one run; `rules` is the catalogue the run used.
pub fn render(outcome: &Outcome, rules: &RuleSet) -> String {
    let catalogue: Vec<&std::sync::Arc<Rule>> = rules.iter().collect();
    let results: Vec<SarifResult> = outcome
        .findings
        .iter()
        .zip(stable_ids(&outcome.findings))
        .map(|(f, stable)| {
            let index = catalogue.iter().position(|r| r.id == f.rule.id);
            result(f, index, stable)
        })
        .collect();
    let notifications: Vec<Notification> = outcome
        .problems
        .iter()
        .map(|p| {
            let mut n = Notification::builder()
                .message(Message {
                    text: Some(p.message.clone()),
                    ..Default::default()
                })
                .build();
            n.level = Some(json!(level(p.level)));
            n
        })
        .collect();
    let driver = ToolComponent::builder()
        .name(env!("CARGO_PKG_NAME").to_string())
        .version(env!("CARGO_PKG_VERSION").to_string())
        .semantic_version(env!("CARGO_PKG_VERSION").to_string())
        .information_uri(crate::rules::HOME.to_string())
        .rules(catalogue.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    let mut invocation = Invocation::builder().execution_successful(true).build();
    invocation.tool_execution_notifications = (!notifications.is_empty()).then_some(notifications);
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .results(results)
        .build();
    let log = SarifLog::builder()
        .schema(SCHEMA.to_string())
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s =
        serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
