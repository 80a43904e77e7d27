//! Suppression: every way a finding is hidden or re-graded, in one place, for `scan`
//! (working tree, staged and history), `audit` and `report` alike.
//!
//! - [`configure_rules`]: the `[rules]` settings (a rule turned off, or given another
//!   severity) applied to the catalogue before a run;
//! - [`Suppressor`]: the one point each finding passes while a run builds it: inline allow
//!   comments ([`inline`]) and `[[allow]]` entries of the configuration; at the end of the run
//!   it reports inline allows without a reason and allow entries that matched nothing;
//! - [`baseline`]: the findings a team accepted, hidden from a finished run's outcome (a
//!   baseline names findings by their rank among equal ones, so it applies to the whole
//!   outcome, after the run).

pub mod baseline;
pub mod inline;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::config::{Allow, Config, RuleSetting};
use crate::finding::{Coverage, Problem};
use crate::rules::{Rule, RuleSet, Severity};

pub use inline::{InlineAllow, Lines};

/// Applies `[rules]` settings: drops disabled rules and sets severities. Settings name rules by
/// id or name; a setting that names no rule is reported.
pub fn configure_rules(rules: &RuleSet, config: &Config) -> (RuleSet, Vec<Problem>) {
    let mut problems = Vec::new();
    for key in config.rules.keys() {
        if rules.get(key).is_none() {
            problems.push(Problem {
                level: Severity::Warning,
                path: None,
                message: format!("config names unknown rule `{key}` in [rules]"),
            });
        }
    }
    let mut out = Vec::new();
    for rule in rules.iter() {
        let setting = config
            .rules
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&rule.id) || **k == rule.name)
            .map(|(_, v)| *v);
        match setting {
            Some(RuleSetting::Off) => {}
            Some(RuleSetting::On(sev)) => {
                let mut r = Rule::clone(rule);
                r.severity = sev;
                out.push(r);
            }
            None => out.push(Rule::clone(rule)),
        }
    }
    (RuleSet::new(out), problems)
}

/// What a finding is about, as allow entries match it.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'s> {
    /// A finding in a scanned file.
    File {
        /// Its display path.
        path: &'s str,
        /// Its absolute path (allow entries' globs are relative to their own base).
        abs: &'s Path,
    },
    /// An account finding, located in the registry file.
    Account {
        /// The service account (or audit-log actor).
        account: &'s str,
        /// The registry file's display path.
        path: &'s str,
        /// The registry file's absolute path.
        abs: &'s Path,
    },
}

impl Subject<'_> {
    /// The display path of the file the finding is in.
    fn path(&self) -> &str {
        match self {
            Subject::File { path, .. } | Subject::Account { path, .. } => path,
        }
    }
}

/// Which allow entries a run judges when it reports those that matched nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judge {
    /// A scan: entries about files (a path entry only when its files were scanned).
    Files,
    /// An audit: entries about accounts.
    Accounts,
}

/// What suppression did in a run.
#[derive(Debug, Default)]
pub struct Suppressed {
    /// Findings hidden by inline allows and allow entries.
    pub count: usize,
    /// Inline allows without a reason, then allow entries that matched nothing.
    pub problems: Vec<Problem>,
}

/// The one point findings pass while a run builds them: inline allows, then `[[allow]]`
/// entries. Shared by the threads of a scan.
pub struct Suppressor<'a> {
    allows: &'a [Allow],
    used: Vec<AtomicUsize>,
    in_scope: Vec<AtomicUsize>,
    count: AtomicUsize,
    problems: Mutex<Vec<Problem>>,
}

/// `abs` relative to an allow entry's `base`, for its glob; `shown` when it is not under it.
fn relative_to(abs: &Path, base: &Path, shown: &str) -> String {
    match abs.strip_prefix(base) {
        Ok(rel) => crate::source::display_path(rel),
        Err(_) => shown.to_string(),
    }
}

impl<'a> Suppressor<'a> {
    /// A suppressor for the allow entries of `config`.
    pub fn new(config: &'a Config) -> Self {
        Self {
            allows: &config.allow,
            used: config.allow.iter().map(|_| AtomicUsize::new(0)).collect(),
            in_scope: config.allow.iter().map(|_| AtomicUsize::new(0)).collect(),
            count: AtomicUsize::new(0),
            problems: Mutex::new(Vec::new()),
        }
    }

    /// Whether a finding of `rule` with fingerprint `fp` about `subject`, at 0-based `line0`
    /// of `lines`, is suppressed (and counts it). An inline allow on the line or the line
    /// above decides first (one without a reason is reported); otherwise every allow entry
    /// that matches is counted as used.
    pub fn suppresses(
        &self,
        rule: &Rule,
        fp: &str,
        subject: Subject<'_>,
        lines: &dyn Lines,
        line0: usize,
    ) -> bool {
        for l in [Some(line0), line0.checked_sub(1)].into_iter().flatten() {
            let Some(allow) = lines.inline_allow(l) else {
                continue;
            };
            if allow.names(&rule.id, &rule.name) {
                if !allow.has_reason {
                    let path = subject.path();
                    self.problem(Problem {
                        level: Severity::Warning,
                        path: Some(path.to_string()),
                        message: format!(
                            "inline allow at `{path}:{}` gives no reason (`-- reason`)",
                            l + 1
                        ),
                    });
                }
                self.count.fetch_add(1, Ordering::Relaxed);
                return true;
            }
        }
        let mut allowed = false;
        for (i, a) in self.allows.iter().enumerate() {
            let matched = match subject {
                Subject::File { path, abs } => a.matches(
                    &rule.id,
                    &rule.name,
                    fp,
                    Some(&relative_to(abs, &a.base, path)),
                ),
                Subject::Account { account, path, abs } => a.matches_account(
                    &rule.id,
                    &rule.name,
                    fp,
                    account,
                    &relative_to(abs, &a.base, path),
                ),
            };
            if matched {
                if let Some(c) = self.used.get(i) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
                allowed = true;
            }
        }
        if allowed {
            self.count.fetch_add(1, Ordering::Relaxed);
        }
        allowed
    }

    /// Notes that the file at `abs` (display `path`) was scanned: the path entries that match
    /// it can be judged at the end of the run.
    pub fn scanned(&self, path: &str, abs: &Path) {
        for (i, a) in self.allows.iter().enumerate() {
            if a.path.is_some() && a.path_matches(&relative_to(abs, &a.base, path)) {
                if let Some(c) = self.in_scope.get(i) {
                    c.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    fn problem(&self, p: Problem) {
        if let Ok(mut v) = self.problems.lock() {
            v.push(p);
        }
    }

    /// Ends the run: how many findings were hidden, the inline allows without a reason, and
    /// the entries `judge` covers that matched nothing. A run that covered only part of what
    /// entries can be about (`coverage`) judges only an entry whose every file lies in it (a
    /// fingerprint entry's files: anything under its configuration's folder).
    ///
    /// `ran` names the rules that ran, as (id, name), when not every rule did: an entry about
    /// rules that did not run (a registry rule without `--registry`, a configuration rule in a
    /// history scan, a rule turned off) cannot be judged, and neither can an entry naming no
    /// rule when no configuration rule ran (its fingerprint may be one of theirs).
    pub fn finish(
        self,
        judge: Judge,
        coverage: &Coverage,
        ran: Option<&[(String, String)]>,
    ) -> Suppressed {
        let mut problems = self.problems.into_inner().unwrap_or_default();
        let load = |v: &[AtomicUsize], i: usize| v.get(i).map_or(0, |c| c.load(Ordering::Relaxed));
        let judged = |a: &Allow| match ran {
            None => true,
            Some(ran) if a.rules.is_empty() => ran.iter().any(|(id, _)| id.starts_with('C')),
            Some(ran) => a.rules.iter().any(|r| {
                ran.iter()
                    .any(|(id, name)| id.eq_ignore_ascii_case(r) || name == r)
            }),
        };
        for (i, a) in self.allows.iter().enumerate() {
            if load(&self.used, i) > 0 || !judged(a) {
                continue;
            }
            let what = match judge {
                // A path entry whose files were not part of this scan cannot be judged.
                // Entries about accounts are judged by `audit` runs.
                Judge::Files => {
                    if a.about_accounts() || (a.path.is_some() && load(&self.in_scope, i) == 0) {
                        continue;
                    }
                    // Every file the entry can match lies under this place (a fingerprint
                    // entry: anywhere under its configuration's folder).
                    let place = a.path_root().unwrap_or_else(|| a.base.clone());
                    if !coverage.covers_abs(&place) {
                        continue;
                    }
                    a.fingerprint
                        .as_ref()
                        .map(|f| {
                            crate::detect::mask::trust_fingerprint(f);
                            format!("fingerprint {f}")
                        })
                        .or_else(|| a.path.as_ref().map(|p| format!("path `{p}`")))
                        .unwrap_or_default()
                }
                Judge::Accounts => {
                    if !a.about_accounts() {
                        continue;
                    }
                    a.account
                        .as_ref()
                        .map(|acc| format!("account `{acc}`"))
                        .or_else(|| {
                            a.fingerprint.as_ref().map(|f| {
                                crate::detect::mask::trust_fingerprint(f);
                                format!("fingerprint {f}")
                            })
                        })
                        .unwrap_or_else(|| format!("rules {}", a.rules.join(", ")))
                }
            };
            problems.push(Problem {
                level: Severity::Warning,
                path: Some(a.origin.clone()),
                message: format!(
                    "allow entry at `{}` ({what}) matched nothing; remove it",
                    a.origin
                ),
            });
        }
        Suppressed {
            count: self.count.load(Ordering::Relaxed),
            problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines given as text, for the inline allows.
    struct Text(Vec<&'static str>);

    impl Lines for Text {
        fn inline_allow(&self, l: usize) -> Option<InlineAllow> {
            inline::parse(self.0.get(l)?.as_bytes())
        }
    }

    fn rule(id: &str) -> std::sync::Arc<Rule> {
        let (rules, _) = crate::rules::load_embedded(crate::checks::CHECKS);
        std::sync::Arc::clone(rules.get(id).expect("rule"))
    }

    #[test]
    fn an_inline_allow_without_a_reason_warns_for_files_and_accounts_alike() {
        let config = Config::default();
        let s = Suppressor::new(&config);
        let lines = Text(vec!["# wandb-sa-lint: allow S001 A001", "x"]);
        let abs = Path::new("/r/a.env");
        let file = Subject::File { path: "a.env", abs };
        assert!(s.suppresses(&rule("S001"), "fp", file, &lines, 1));
        let account = Subject::Account {
            account: "temp",
            path: "registry.yaml",
            abs,
        };
        assert!(s.suppresses(&rule("A001"), "fp", account, &lines, 0));
        assert!(!s.suppresses(&rule("A002"), "fp", account, &lines, 0));
        let done = s.finish(Judge::Accounts, &Coverage::Whole, None);
        assert_eq!(done.count, 2);
        let messages: Vec<&str> = done.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "inline allow at `a.env:1` gives no reason (`-- reason`)",
                "inline allow at `registry.yaml:1` gives no reason (`-- reason`)",
            ]
        );
    }

    #[test]
    fn allow_entries_that_matched_nothing_are_judged_by_the_run_they_concern() {
        let mut config = Config::default();
        config
            .apply_text(
                Path::new("/r/cfg.toml"),
                "[[allow]]\naccount = \"bot\"\nreason = \"kept\"\n\n[[allow]]\npath = \"vendor/**\"\nreason = \"third party\"\n",
            )
            .expect("config");
        let lines = Text(vec![]);
        let s = Suppressor::new(&config);
        let abs = Path::new("/r/vendor/a.env");
        s.scanned("vendor/a.env", abs);
        let file = Subject::File {
            path: "vendor/a.env",
            abs,
        };
        assert!(s.suppresses(&rule("S001"), "fp", file, &lines, 0));
        let done = s.finish(Judge::Files, &Coverage::Whole, None);
        assert!(done.problems.is_empty(), "{:?}", done.problems);
        let done = Suppressor::new(&config).finish(Judge::Accounts, &Coverage::Whole, None);
        assert_eq!(done.problems.len(), 1);
        assert!(done.problems[0]
            .message
            .contains("(account `bot`) matched nothing"));
    }
}
