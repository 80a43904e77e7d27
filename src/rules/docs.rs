//! Documentation pages generated from the rule files: `docs/rules/` holds one Markdown page per
//! rule and an index (`wandb-sa-lint rules docs DIR` writes them; a test keeps the committed
//! ones current).

use std::fmt::Write as _;

use super::{Example, Kind, Param, Rule, RuleSet};

/// The file name of a rule's page.
pub fn page_name(rule: &Rule) -> String {
    format!("{}-{}.md", rule.id, rule.name)
}

fn fence(lang: &str, text: &str) -> String {
    let ticks = if text.contains("```") { "````" } else { "```" };
    format!("{ticks}{lang}\n{}\n{ticks}\n", text.trim_end())
}

fn lang_of(path: &str) -> &'static str {
    let p = path.to_ascii_lowercase();
    if p.ends_with(".yml") || p.ends_with(".yaml") {
        "yaml"
    } else if p.ends_with(".py") {
        "python"
    } else if p.ends_with(".sh") || p.ends_with(".env") || p.contains(".env") {
        "sh"
    } else if p.ends_with(".json") || p.ends_with(".ipynb") {
        "json"
    } else if p.contains("dockerfile") {
        "dockerfile"
    } else if p.contains("jenkinsfile") {
        "groovy"
    } else {
        ""
    }
}

/// `text` with every key-shaped literal (a match of one of the rule's shapes made of 32 or
/// more token characters) cut to its first characters (`wandb_v1_xxx…`): documentation
/// outside the rule files never holds a full-shaped key, not even a placeholder one. Returns
/// whether anything was cut.
fn shorten_keys(text: &str, rule: &Rule) -> (String, bool) {
    let mut out = text.to_string();
    let mut cut = false;
    for p in &rule.patterns {
        let bytes = out.clone().into_bytes();
        let mut next = String::with_capacity(out.len());
        let mut last = 0;
        for m in p.regex.find_iter(&bytes) {
            let (Some(before), Some(hit)) = (out.get(last..m.start()), out.get(m.range())) else {
                continue;
            };
            let key_shaped = hit.len() >= 32
                && hit
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !key_shaped {
                continue;
            }
            next.push_str(before);
            next.extend(hit.chars().take(12));
            next.push('…');
            last = m.end();
            cut = true;
        }
        next.push_str(out.get(last..).unwrap_or(""));
        out = next;
    }
    (out, cut)
}

fn example(out: &mut String, rule: &Rule, ex: &Example) {
    let kind = rule.kind;
    if kind == Kind::Account {
        if let Some(as_of) = &ex.as_of {
            let _ = writeln!(out, "Judged as of {as_of}. Registry:\n");
        }
        if let Some(r) = &ex.registry {
            out.push_str(&fence("yaml", r));
        }
        if let Some(log) = &ex.audit_log {
            out.push_str("\nAudit log:\n\n");
            out.push_str(&fence("json", log));
        }
    } else {
        let _ = writeln!(out, "`{}`:\n", ex.path);
        let (content, cut) = shorten_keys(&ex.content, rule);
        out.push_str(&fence(lang_of(&ex.path), &content));
        if cut {
            out.push_str("\n(Key-shaped literals are shortened here with `…`; the rule file has them whole.)\n");
        }
        if let Some(r) = &ex.registry {
            out.push_str("\nWith the registry:\n\n");
            out.push_str(&fence("yaml", r));
        }
    }
    if let Some(n) = ex.expect {
        let _ = writeln!(out, "\n{n} finding{}.", if n == 1 { "" } else { "s" });
    }
    out.push('\n');
}

/// One rule's page.
pub fn page(rule: &Rule) -> String {
    let mut s = format!("# {} `{}`\n\n", rule.id, rule.name);
    let _ = writeln!(
        s,
        "| kind | default severity | check |\n|---|---|---|\n| {} | {} | {} |\n",
        rule.kind.as_str(),
        rule.severity,
        rule.check
            .as_deref()
            .map_or("key shapes".to_string(), |c| format!("`{c}`"))
    );
    let _ = writeln!(s, "{}\n", rule.summary);
    let _ = writeln!(s, "## Why\n\n{}\n", rule.rationale.trim_end());
    let _ = writeln!(s, "## What to do\n\n{}\n", rule.remediation.trim_end());
    if !rule.patterns.is_empty() {
        s.push_str("## Key shapes\n\n| shape | context needed | regex |\n|---|---|---|\n");
        for p in &rule.patterns {
            let _ = writeln!(
                s,
                "| {} | {} | `{}` |",
                p.name,
                p.context.as_str(),
                p.regex_src.replace('|', "\\|")
            );
        }
        s.push('\n');
    }
    if !rule.params.is_empty() {
        s.push_str("## Parameters\n\nOverride them in `.wandb-sa-lint.toml` under `[params]` (every rule that declares the name) or `[params.");
        let _ = write!(
            s,
            "{}]` (this rule only).\n\n| parameter | default |\n|---|---|\n",
            rule.id
        );
        for (k, v) in &rule.params {
            let shown = match v {
                Param::Number(n) => n.to_string(),
                Param::Text(t) => format!("`{}`", t.replace('|', "\\|")),
                Param::List(l) => l
                    .iter()
                    .map(|x| format!("`{}`", x.replace('|', "\\|")))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let _ = writeln!(s, "| `{k}` | {shown} |");
        }
        s.push('\n');
    }
    let placeholders = if rule.kind == Kind::Secret {
        " (keys are shown as placeholders such as `{{v1}}`; the tests expand them to generated fakes)"
    } else {
        ""
    };
    let _ = writeln!(s, "## Examples{placeholders}\n");
    for ex in &rule.examples {
        example(&mut s, rule, ex);
    }
    s.push_str("## Counter-examples\n\n");
    for ex in &rule.counter_examples {
        example(&mut s, rule, ex);
    }
    if !rule.references.is_empty() {
        s.push_str("## References\n\n");
        for r in &rule.references {
            let _ = writeln!(s, "- <{r}>");
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "Source: [`{}`](../../{}). Silence one finding with an inline `wandb-sa-lint: allow {} -- reason` comment, or an `[[allow]]` entry in the configuration.",
        rule.source, rule.source, rule.id
    );
    s
}

/// The index page.
pub fn index(rules: &RuleSet) -> String {
    let mut s = String::from("# Rules\n\nGenerated from `rules/*.yaml` by `wandb-sa-lint rules docs docs/rules`; do not edit by hand.\n\n| id | name | kind | severity | summary |\n|---|---|---|---|---|\n");
    for r in rules.iter() {
        let _ = writeln!(
            s,
            "| [{}]({}) | `{}` | {} | {} | {} |",
            r.id,
            page_name(r),
            r.name,
            r.kind.as_str(),
            r.severity,
            r.summary.replace('|', "\\|")
        );
    }
    s
}

/// Every page: (file name, content), the index first.
pub fn pages(rules: &RuleSet) -> Vec<(String, String)> {
    let mut v = vec![("README.md".to_string(), index(rules))];
    v.extend(rules.iter().map(|r| (page_name(r), page(r))));
    v
}
