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
