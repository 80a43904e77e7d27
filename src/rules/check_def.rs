//! What the rule loader knows of a check: its name, the rule kind it serves and its typed
//! parameters with their defaults. The table of checks itself (with each check's entry point)
//! is `crate::checks::CHECKS`; the loader receives it as a parameter, so this module never
//! imports the checks.

use super::{Kind, Param, Rule};

/// A parameter's default as the check table writes it; its variant is the parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamDefault {
    /// A whole number (days, counts, lengths).
    Number(u64),
    /// A string (a regex, a word).
    Text(&'static str),
    /// A list of strings.
    List(&'static [&'static str]),
}

/// One parameter of a check: its name and default (which fixes its type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDef {
    /// The name rule files and `[params]` use (`unused-after`).
    pub name: &'static str,
    /// The value when neither the rule file nor the configuration sets one.
    pub default: ParamDefault,
}

impl ParamDef {
    /// A whole-number parameter.
    pub const fn number(name: &'static str, default: u64) -> Self {
        Self {
            name,
            default: ParamDefault::Number(default),
        }
    }

    /// A string parameter.
    pub const fn text(name: &'static str, default: &'static str) -> Self {
        Self {
            name,
            default: ParamDefault::Text(default),
        }
    }

    /// A list-of-strings parameter.
    pub const fn list(name: &'static str, default: &'static [&'static str]) -> Self {
        Self {
            name,
            default: ParamDefault::List(default),
        }
    }

    /// The default as a rule's parameter value.
    pub fn default_value(&self) -> Param {
        match self.default {
            ParamDefault::Number(n) => Param::Number(n),
            ParamDefault::Text(t) => Param::Text(t.to_string()),
            ParamDefault::List(l) => Param::List(l.iter().map(|s| (*s).to_string()).collect()),
        }
    }

    /// What kind of value the parameter takes, for messages (as [`Param::type_name`]).
    pub fn type_name(&self) -> &'static str {
        self.default_value().type_name()
    }

    /// Whether `value` has the parameter's type.
    pub fn accepts(&self, value: &Param) -> bool {
        matches!(
            (self.default, value),
            (ParamDefault::Number(_), Param::Number(_))
                | (ParamDefault::Text(_), Param::Text(_))
                | (ParamDefault::List(_), Param::List(_))
        )
    }

    /// The parameter's value in `rule` (a number parameter), or its default.
    pub fn number_in(&self, rule: &Rule) -> u64 {
        match (rule.params.get(self.name), self.default) {
            (Some(Param::Number(n)), _) => *n,
            (_, ParamDefault::Number(n)) => n,
            _ => 0,
        }
    }

    /// The parameter's value in `rule` (a string parameter), or its default.
    pub fn text_in<'r>(&self, rule: &'r Rule) -> &'r str {
        match (rule.params.get(self.name), self.default) {
            (Some(Param::Text(s)), _) => s,
            (_, ParamDefault::Text(t)) => t,
            _ => "",
        }
    }

    /// The parameter's value in `rule` (a list parameter), or its default.
    pub fn list_in(&self, rule: &Rule) -> Vec<String> {
        match (rule.params.get(self.name), self.default) {
            (Some(Param::List(l)), _) => l.clone(),
            (_, ParamDefault::List(l)) => l.iter().map(|s| (*s).to_string()).collect(),
            _ => Vec::new(),
        }
    }
}

/// One row of the check table: what the loader validates a rule's `check:`, `kind` and
/// `params` against, and the entry point `run` (whose type belongs to the checks module).
#[derive(Debug, Clone, Copy)]
pub struct CheckDef<R> {
    /// The name rule files give in `check:` (`missing-entity`).
    pub name: &'static str,
    /// The kind of rule it serves (config or account).
    pub kind: Kind,
    /// Its parameters, with defaults.
    pub params: &'static [ParamDef],
    /// How to run it.
    pub run: R,
}

/// The row of `checks` named `name`.
pub fn find_check<'c, R>(checks: &'c [CheckDef<R>], name: &str) -> Option<&'c CheckDef<R>> {
    checks.iter().find(|c| c.name == name)
}

/// What the entry points of a check table know of the inputs account rules' examples give:
/// the loader asks it whether an example's audit-log line can be read, without knowing the
/// audit-log format itself.
pub trait CheckInputs {
    /// Why `line` (one line of an example's `audit_log`) cannot be read, if it cannot.
    fn read_audit_line(line: &[u8]) -> Result<(), String>;
    /// Why `text` (an example's `registry`) is not a valid registry, if it is not.
    fn read_registry(text: &str) -> Result<(), String>;
    /// Whether `text` (an example's `as_of`) is a date as registries write them (YYYY-MM-DD).
    fn is_date(text: &str) -> bool;
}
