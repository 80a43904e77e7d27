//! A001 `generic-name`: a service account named generically (numbered, temporary, not
//! kebab-case, too short, naming no purpose), by the naming policy in the rule's parameters.

use super::account::{AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::rules::{Kind, ParamDef, Rule};

/// Patterns a name must not match (case-insensitive).
const DENY: ParamDef = ParamDef::list("deny", &[]);
/// The shape a name must have (case-sensitive; empty: any).
const SHAPE: ParamDef = ParamDef::text("shape", "");
/// The shortest acceptable name.
const MIN_LENGTH: ParamDef = ParamDef::number("min-length", 0);
/// Word beginnings of which a name must contain one (empty: no such requirement).
const PURPOSE_WORDS: ParamDef = ParamDef::list("purpose-words", &[]);

/// The table row.
pub const CHECK: Check = Check {
    name: "generic-name",
    kind: Kind::Account,
    params: &[DENY, SHAPE, MIN_LENGTH, PURPOSE_WORDS],
    run: Run::Account(run),
};

/// The naming policy of A001, compiled from the rule's parameters.
pub struct NamingPolicy {
    deny: Vec<(String, regex::Regex)>,
    shape: Option<(String, regex::Regex)>,
    min_length: usize,
    purpose_words: Vec<String>,
}

impl NamingPolicy {
    /// Compiles the policy; a pattern that is not a valid regex is returned as an error
    /// naming it.
    pub fn new(rule: &Rule) -> Result<Self, String> {
        let compile = |src: &str| {
            regex::RegexBuilder::new(src)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    let first = e.to_string();
                    let last = first.lines().last().unwrap_or("invalid").trim().to_string();
                    format!(
                        "pattern `{src}` of {} is not a valid regex: {last}",
                        rule.id
                    )
                })
        };
        let deny = DENY
            .list_in(rule)
            .iter()
            .map(|p| compile(p).map(|re| (p.clone(), re)))
            .collect::<Result<Vec<_>, _>>()?;
        let shape = match SHAPE.text_in(rule) {
            "" => None,
            src => {
                // The shape is case-sensitive: it is what decides lowercase.
                let re = regex::Regex::new(src).map_err(|e| {
                    let msg = e.to_string();
                    let last = msg.lines().last().unwrap_or("invalid").trim().to_string();
                    format!(
                        "`shape` `{src}` of {} is not a valid regex: {last}",
                        rule.id
                    )
                })?;
                Some((src.to_string(), re))
            }
        };
        Ok(Self {
            deny,
            shape,
            min_length: usize::try_from(MIN_LENGTH.number_in(rule)).unwrap_or(usize::MAX),
            purpose_words: PURPOSE_WORDS
                .list_in(rule)
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect(),
        })
    }

    /// Why `name` breaks the policy (empty when it does not).
    pub fn problems(&self, name: &str) -> Vec<String> {
        let mut why = Vec::new();
        if let Some((src, _)) = self.deny.iter().find(|(_, re)| re.is_match(name)) {
            why.push(format!(
                "is generic, numbered or temporary (matches `{src}`)"
            ));
        }
        if let Some((src, re)) = &self.shape {
            if !re.is_match(name) {
                why.push(format!("is not lowercase kebab-case (`{src}`)"));
            }
        }
        let len = name.chars().count();
        if len < self.min_length {
            why.push(format!(
                "is {len} characters long, shorter than {}",
                self.min_length
            ));
        }
        if !self.purpose_words.is_empty() {
            let lower = name.to_ascii_lowercase();
            let names_purpose = lower
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .any(|w| self.purpose_words.iter().any(|p| w.starts_with(p.as_str())));
            if !names_purpose {
                why.push("names no purpose (no word of the policy's purpose list)".to_string());
            }
        }
        why
    }
}

fn run(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let policy = match NamingPolicy::new(rule) {
        Ok(p) => p,
        Err(e) => {
            out.unjudged.push((String::new(), e));
            return;
        }
    };
    for a in &input.registry.accounts {
        let why = policy.problems(&a.name);
        if !why.is_empty() {
            out.hits.push(AccountHit::new(
                a,
                a.field_span("name"),
                format!("service account name `{}` {}", a.name, why.join("; ")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_naming_policy() {
        let (rules, problems) = crate::rules::load_embedded(super::super::CHECKS);
        assert!(problems.is_empty());
        let rule = rules.get("A001").expect("A001");
        let policy = NamingPolicy::new(rule).expect("valid policy");
        for bad in [
            "service-account-1",
            "sa2",
            "bot",
            "default",
            "test-sa",
            "temp",
            "tmp-export",
            "churn-exporter-old",
            "trainer-2",
            "Prod_Monitor",
            "CI-Training",
            "team-helper",
            "x",
        ] {
            assert!(!policy.problems(bad).is_empty(), "{bad} passes");
        }
        for good in [
            "ci-model-training",
            "nightly-eval-pipeline",
            "prod-inference-monitor",
            "gha-release-2025",
            "churn-model-uploader",
        ] {
            assert_eq!(policy.problems(good), Vec::<String>::new(), "{good}");
        }
        assert_eq!(policy.problems("temp").len(), 3, "deny, length and purpose");
    }
}
