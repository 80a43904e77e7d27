//! One rule's full documentation as plain text (`wandb-sa-lint explain`).

use super::{Example, Rule};

/// One rule's full documentation, as plain text.
pub(crate) fn explain(r: &Rule) -> String {
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
    let mut examples = |title: &str, list: &[Example]| {
        if list.is_empty() {
            return;
        }
        s.push_str(&format!("{title} (keys shown as placeholders)\n\n"));
        for ex in list {
            example(&mut s, ex);
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

/// One example: the file it scans (when it has content), and for registry and account rules
/// the registry, the audit-log lines and the date it is judged on.
fn example(s: &mut String, ex: &Example) {
    let mut block = |label: String, text: &str| {
        s.push_str(&format!("  # {label}\n"));
        for line in text.lines() {
            s.push_str(&format!("  {line}\n"));
        }
    };
    if !ex.content.trim().is_empty() {
        block(ex.path.clone(), &ex.content);
    }
    if let Some(registry) = &ex.registry {
        block("registry (--registry)".to_string(), registry);
    }
    if let Some(log) = &ex.audit_log {
        block(
            "audit log (--audit-log), one event per line".to_string(),
            log,
        );
    }
    if let Some(as_of) = &ex.as_of {
        s.push_str(&format!("  # judged as of {as_of} (--as-of)\n"));
    }
    s.push('\n');
}
