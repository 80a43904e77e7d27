//! The CI mode that keeps a change from switching off its own check.
//!
//! A pull request can commit `.wandb-sa-lint.toml`, rule files and the baseline along with
//! the code they judge. Two flags close that door:
//!
//! - `--config-from REV` reads the configuration (the discovered `.wandb-sa-lint.toml`, and a
//!   `--config` file inside the repository) and a `--baseline` inside the repository from the
//!   git object at REV — the base branch — instead of the working tree. It implies
//!   `--no-weaken` against REV.
//! - `--no-weaken` compares the working tree's configuration, rule files and baseline with
//!   REV's (or, without `--config-from`, with the built-in defaults) and refuses, naming each
//!   setting and where it is written, any that removes checks. Settings that only add checks
//!   pass. With a revision, inline allow comments that HEAD adds to the files it changes are
//!   refused too.
//!
//! Flags and environment variables are the invoker's (the CI job's) and are not compared.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{Allow, Config, ConfigError, FILE_NAME};
use crate::rules::{self, Rule, RuleSet, Severity};
use crate::source::clean_absolute;
use crate::source::revision::{Changed, Revision, RevisionError};
use crate::suppress::baseline::{self, BaselineError, Entry};

/// Largest configuration, baseline or rule file read from a revision or checked on disk.
pub const MAX_FILE: u64 = crate::source::revision::MAX_FILE;

/// Why the configuration could not be read from the revision, or was refused.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WeakenError {
    /// `--config-from` outside a git working tree.
    #[error("`{0}` is not in a git working tree")]
    #[diagnostic(
        code(git::not_a_repository),
        help("--config-from reads the configuration from a revision of the repository being checked; run it in a clone")
    )]
    NotARepository(String),
    /// The revision does not resolve to a commit with a tree.
    #[error("cannot resolve revision `{rev}`: {message}")]
    #[diagnostic(
        code(git::revision),
        help("fetch the base branch first (a CI checkout is often shallow): git fetch --no-tags --depth=1 origin +refs/heads/main:refs/remotes/origin/main")
    )]
    Revision {
        /// The revision as given.
        rev: String,
        /// What git said.
        message: String,
    },
    /// A file at the revision (or a file the check had to read) could not be used.
    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(code(config::revision))]
    Read {
        /// The file (`REV:path`, or a path).
        path: String,
        /// Why.
        message: String,
    },
    /// The configuration at the revision is invalid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    /// The baseline at the revision is invalid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] BaselineError),
    /// A rule file (of a configured rule directory) is invalid.
    #[error("invalid rule file `{path}`: {message}")]
    #[diagnostic(code(rules::invalid))]
    RuleFile {
        /// The file.
        path: String,
        /// The first problem.
        message: String,
    },
    /// The working tree's configuration could not be read, so it cannot be compared.
    #[error("cannot compare the working tree's configuration with {base}: it is invalid")]
    #[diagnostic(
        code(config::weakened),
        help("fix the working tree's configuration; it is refused rather than ignored")
    )]
    Head {
        /// What it is compared with.
        base: String,
        /// Why it could not be read.
        #[related]
        problems: Vec<WeakenError>,
    },
    /// The working tree's configuration weakens the checks.
    #[error("the working tree's configuration weakens the checks of {base}: {} setting(s) refused", items.len())]
    #[diagnostic(
        code(config::weakened),
        help("a change may only add checks in this mode; make the other changes on the base branch, where they are reviewed, or run without --no-weaken/--config-from")
    )]
    Weakened {
        /// What it is compared with.
        base: String,
        /// Every weakening setting.
        #[related]
        items: Vec<Weakening>,
    },
}

impl From<RevisionError> for WeakenError {
    fn from(e: RevisionError) -> Self {
        match e {
            RevisionError::NotARepository(path) => WeakenError::NotARepository(path),
            RevisionError::Revision { rev, message } => WeakenError::Revision { rev, message },
            RevisionError::Read { path, message } => WeakenError::Read { path, message },
        }
    }
}

/// One setting that removes checks, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{at}: {message}")]
#[diagnostic(code(config::weakening))]
pub struct Weakening {
    /// `file:line` (or what stands for it).
    pub at: String,
    /// What the setting does.
    pub message: String,
}

/// The configuration as [`Config::load`] builds it, with every file inside the repository
/// read from `rev`: the `.wandb-sa-lint.toml` found nearest `discover_from` (upward, within
/// the repository) at that revision unless `isolated`, then `explicit`. An `explicit` file
/// outside the repository is read from disk; one inside it that the revision lacks is an
/// error.
pub fn load_config_at(
    rev: &Revision,
    discover_from: &Path,
    explicit: Option<&Path>,
    isolated: bool,
) -> Result<Config, WeakenError> {
    let mut config = Config::default();
    let apply = |config: &mut Config, on_disk: &Path, rel: &str, text: &str| {
        config.apply_text_as(on_disk, &rev.shown(rel), text)
    };
    let explicit_rel = explicit.and_then(|p| rev.relative(p));
    if !isolated {
        if let Some((rel, on_disk, text)) = discover_at(rev, discover_from)? {
            if explicit_rel.as_deref() != Some(rel.as_str()) {
                apply(&mut config, &on_disk, &rel, &text)?;
            }
        }
    }
    if let Some(path) = explicit {
        match &explicit_rel {
            Some(rel) => {
                let text = rev.read(rel)?.ok_or_else(|| WeakenError::Read {
                    path: rev.shown(rel),
                    message: "no such file at this revision".to_string(),
                })?;
                apply(&mut config, path, rel, &text)?;
            }
            None => config.apply_file(path)?,
        }
    }
    Ok(config)
}

/// The nearest `.wandb-sa-lint.toml` at the revision, from `start`'s directory up to the
/// repository's root: (repository-relative path, where it stands in the working tree as
/// [`Config::discover`] would name it, text). The working-tree name keeps the spelling of
/// `start` so that globs are relative to the same directory as the scanned paths.
fn discover_at(
    rev: &Revision,
    start: &Path,
) -> Result<Option<(String, PathBuf, String)>, WeakenError> {
    let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let dir = if crate::source::files::is_folder(&abs) {
        abs
    } else {
        abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
    };
    let Some(rel) = rev.relative(&dir) else {
        return Ok(None);
    };
    let mut parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let mut ancestors = dir.ancestors();
    loop {
        let here = ancestors.next();
        let mut candidate = parts.join("/");
        if !candidate.is_empty() {
            candidate.push('/');
        }
        candidate.push_str(FILE_NAME);
        if let Some(text) = rev.read(&candidate)? {
            let on_disk = here.map_or_else(|| rev.in_workdir(&candidate), |d| d.join(FILE_NAME));
            return Ok(Some((candidate, on_disk, text)));
        }
        if parts.pop().is_none() {
            return Ok(None);
        }
    }
}

/// The baseline `path` as the run applies it, and the name to show it by: with `rev`, a
/// baseline inside the repository is read from the revision (none there: no entry); else, or
/// outside the repository, from disk.
pub fn load_baseline(rev: Option<&str>, path: &Path) -> Result<(Vec<Entry>, String), WeakenError> {
    if let Some(rev) = rev {
        match Revision::open(path, rev) {
            Ok(r) => {
                if let Some(rel) = r.relative(path) {
                    let shown = r.shown(&rel);
                    return match r.read(&rel)? {
                        Some(text) => Ok((baseline::parse(&text, &shown)?, shown)),
                        None => Ok((Vec::new(), shown)),
                    };
                }
            }
            Err(RevisionError::NotARepository(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok((baseline::load(path)?, path.display().to_string()))
}

/// The configuration a run uses: with `rev`, read from the revision
/// ([`load_config_at`]) after [`check`] passed; with `no_weaken` alone, the working tree's
/// after [`check`] against the built-in defaults passed; otherwise [`Config::load`].
pub fn load(c: &Check, no_weaken: bool) -> Result<Config, WeakenError> {
    if c.rev.is_some() || no_weaken {
        let (base, head) = check(c)?;
        return Ok(if c.rev.is_some() { base } else { head });
    }
    Ok(Config::load(c.discover_from, c.explicit, c.isolated)?)
}

/// What [`check`] compares.
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// The trusted revision; `None` compares with the built-in defaults.
    pub rev: Option<&'a str>,
    /// Where configuration discovery starts (the first scanned path).
    pub discover_from: &'a Path,
    /// `--config`.
    pub explicit: Option<&'a Path>,
    /// `--isolated`.
    pub isolated: bool,
    /// `--baseline`.
    pub baseline: Option<&'a Path>,
}

/// Compares the working tree's configuration, rule files and baseline with `rev`'s (or the
/// built-in defaults) and fails listing every setting that removes checks: a rule turned off,
/// removed, redefined or lowered in severity; a changed rule parameter; `fail-on` raised or
/// `never`; a smaller `max-file-size`, `max-yaml-depth` or `max-yaml-aliases`; a changed
/// `context-window`; a new exclude; a new or wider allow entry; a baseline entry the base does
/// not hold; with `rev`, an inline allow comment HEAD adds. With `rev`, the rule files of the base configuration's rule directories in the
/// working tree (which the run loads) are compared with the revision's too. Returns the base
/// configuration (the revision's, or the defaults) and the working tree's.
pub fn check(c: &Check) -> Result<(Config, Config), WeakenError> {
    let (embedded, _) = rules::load_embedded(crate::checks::CHECKS);
    let base_name = c
        .rev
        .map_or_else(|| "the built-in defaults".to_string(), |r| format!("`{r}`"));
    let head_err = |e: WeakenError| WeakenError::Head {
        base: base_name.clone(),
        problems: vec![e],
    };
    let head =
        Config::load(c.discover_from, c.explicit, c.isolated).map_err(|e| head_err(e.into()))?;
    let head_rules = catalogue_from_disk(&embedded, &head).map_err(head_err)?;
    let revision = c
        .rev
        .map(|r| Revision::open(c.discover_from, r))
        .transpose()?;
    let (base, base_rules, disk_rules) = match &revision {
        Some(rev) => {
            let base = load_config_at(rev, c.discover_from, c.explicit, c.isolated)?;
            let at_rev = catalogue_at(rev, &embedded, &base)?;
            let on_disk = catalogue_from_disk(&embedded, &base).map_err(head_err)?;
            (base, at_rev, Some(on_disk))
        }
        None => (Config::default(), embedded.clone(), None),
    };
    let base_eff = effective(&base, &base_rules)?;
    let head_eff = effective(&head, &head_rules).map_err(head_err)?;

    let mut items = Vec::new();
    settings(&base, &head, &mut items);
    compare_rules(&base_eff, &head, &head_rules, &head_eff, &mut items);
    if let Some(on_disk) = disk_rules {
        let disk_eff = effective(&base, &on_disk).map_err(head_err)?;
        let mut more = Vec::new();
        compare_rules(&base_eff, &base, &on_disk, &disk_eff, &mut more);
        // A rule file changed in the working tree shows in both comparisons: once is enough.
        for w in more {
            if !items.iter().any(|i| i.message == w.message) {
                items.push(w);
            }
        }
    }
    allows(&base, &head, &base_rules, &mut items);
    if let Some(rev) = &revision {
        let limit = head.max_file_size.max(base.max_file_size);
        inline_allows(rev, limit, &mut items)?;
    }
    if let Some(path) = c.baseline {
        compare_baseline(c.rev, path, &mut items).map_err(head_err)?;
    }
    if items.is_empty() {
        Ok((base, head))
    } else {
        Err(WeakenError::Weakened {
            base: base_name,
            items,
        })
    }
}

/// The built-in catalogue with the rule directories of `config` read from disk.
fn catalogue_from_disk(embedded: &RuleSet, config: &Config) -> Result<RuleSet, WeakenError> {
    let mut set = embedded.clone();
    for dir in &config.rule_dirs {
        let (extra, problems) =
            crate::checks::load_rule_dir(dir).map_err(|e| WeakenError::Read {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
        if let Some(p) = problems.first() {
            return Err(WeakenError::RuleFile {
                path: p.path.clone(),
                message: p.message.clone(),
            });
        }
        set.extend(extra);
    }
    Ok(set)
}

/// The built-in catalogue with the rule directories of `config` read from the revision (a
/// directory outside the repository from disk).
fn catalogue_at(
    rev: &Revision,
    embedded: &RuleSet,
    config: &Config,
) -> Result<RuleSet, WeakenError> {
    let mut set = embedded.clone();
    for dir in &config.rule_dirs {
        let Some(rel) = rev.relative(dir) else {
            set.extend(catalogue_from_disk(
                &RuleSet::default(),
                &Config {
                    rule_dirs: vec![dir.clone()],
                    ..Config::default()
                },
            )?);
            continue;
        };
        let mut parsed = Vec::new();
        for (path, text) in rev.rule_files(&rel)? {
            let shown = rev.shown(&path);
            let rule = rules::parse_rule_file(&shown, &text, crate::checks::CHECKS).map_err(
                |problems| WeakenError::RuleFile {
                    path: shown.clone(),
                    message: problems
                        .first()
                        .map_or_else(String::new, |p| p.message.clone()),
                },
            )?;
            parsed.push(rule);
        }
        set.extend(RuleSet::new(parsed));
    }
    Ok(set)
}

/// The rules a run would apply: parameters, then `[rules]` settings (a disabled rule is
/// absent).
fn effective(config: &Config, catalogue: &RuleSet) -> Result<RuleSet, WeakenError> {
    let with_params = config.apply_params(catalogue)?;
    Ok(crate::suppress::configure_rules(&with_params, config).0)
}

/// Where `key` is set in `head`, or what stands for it when it is not set there.
fn spot_of(base: &Config, head: &Config, key: &str) -> String {
    match (head.spots.get(key), base.spots.get(key)) {
        (Some(s), _) => s.at(),
        (None, Some(b)) => format!("`{key}` removed (set at {})", b.at()),
        (None, None) => format!("`{key}`"),
    }
}

/// Adds a weakening once, in the order found.
fn push(items: &mut Vec<Weakening>, at: String, message: String) {
    let w = Weakening { at, message };
    if !items.contains(&w) {
        items.push(w);
    }
}

/// The scalar settings and excludes.
fn settings(base: &Config, head: &Config, items: &mut Vec<Weakening>) {
    // Higher is weaker: `never` above every severity.
    let rank = |f: Option<Severity>| f.map_or(3, |s| s as u8);
    let name = |f: Option<Severity>| f.map_or("never", Severity::as_str);
    if rank(head.fail_on) > rank(base.fail_on) {
        push(
            items,
            spot_of(base, head, "fail-on"),
            format!(
                "`fail-on` is `{}` (base: `{}`): findings below it would no longer fail the run",
                name(head.fail_on),
                name(base.fail_on)
            ),
        );
    }
    // `warn` where the base fails (or would fail in CI mode, `auto`): a file naming W&B
    // variables that cannot be read would no longer fail the gate.
    let warn = crate::config::Unreadable::Warn;
    if head.unreadable_wandb_config == warn && base.unreadable_wandb_config != warn {
        push(
            items,
            spot_of(base, head, "unreadable-wandb-config"),
            format!(
                "`unreadable-wandb-config` is `warn` (base: `{}`): a configuration file naming W&B variables that cannot be read would no longer fail the run",
                base.unreadable_wandb_config.as_str()
            ),
        );
    }
    let limits = [
        (
            "max-file-size",
            head.max_file_size,
            base.max_file_size,
            "larger files would be skipped unscanned",
        ),
        (
            "max-yaml-depth",
            usize_u64(head.max_yaml_depth),
            usize_u64(base.max_yaml_depth),
            "YAML nested deeper would go unchecked by the configuration rules",
        ),
        (
            "max-yaml-aliases",
            usize_u64(head.max_yaml_aliases),
            usize_u64(base.max_yaml_aliases),
            "YAML expanding more aliases would go unchecked by the configuration rules",
        ),
    ];
    for (key, h, b, effect) in limits {
        if h < b {
            push(
                items,
                spot_of(base, head, key),
                format!("`{key}` is {h} (base: {b}): {effect}"),
            );
        }
    }
    if head.context_window != base.context_window {
        push(
            items,
            spot_of(base, head, "context-window"),
            format!(
                "`context-window` is {} (base: {}): a changed window changes which candidates count as keys and cannot be judged safe",
                head.context_window, base.context_window
            ),
        );
    }
    for e in &head.exclude {
        let known = base
            .exclude
            .iter()
            .any(|b| b.pattern == e.pattern && clean_absolute(&b.base) == clean_absolute(&e.base));
        if !known {
            push(
                items,
                e.origin.clone(),
                format!(
                    "exclude `{}` is new: files matching it would not be scanned",
                    e.pattern
                ),
            );
        }
    }
}

fn usize_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// What a rule detects, apart from its documentation and severity.
fn definition(r: &Rule) -> impl PartialEq + '_ {
    (
        r.kind,
        &r.keywords,
        r.patterns
            .iter()
            .map(|p| (&p.name, &p.regex_src, p.context))
            .collect::<Vec<_>>(),
        &r.check,
    )
}

/// Where `head` sets the rule (`[rules]`), or the rule's file.
fn rule_spot(head: &Config, rule: &Rule) -> String {
    head.rules
        .keys()
        .find(|k| k.eq_ignore_ascii_case(&rule.id) || **k == rule.name)
        .and_then(|k| head.spots.get(&format!("rules.{k}")))
        .map_or_else(|| rule.source.clone(), |s| s.at())
}

/// Where `head` sets parameter `name` of `rule`, or the rule's file.
fn param_spot(head: &Config, rule: &Rule, name: &str) -> String {
    head.params
        .iter()
        .rev()
        .find(|p| {
            p.name == name
                && p.rule
                    .as_ref()
                    .is_none_or(|k| k.eq_ignore_ascii_case(&rule.id) || *k == rule.name)
        })
        .map_or_else(|| rule.source.clone(), crate::config::ParamSetting::at)
}

/// Every rule the base applies must be applied by the head, at the same or a higher
/// severity, with the same definition and parameters.
fn compare_rules(
    base_eff: &RuleSet,
    head: &Config,
    head_rules: &RuleSet,
    head_eff: &RuleSet,
    items: &mut Vec<Weakening>,
) {
    for b in base_eff.iter() {
        let Some(h) = head_eff.iter().find(|h| h.id == b.id) else {
            match head_rules.iter().find(|h| h.id == b.id) {
                Some(h) => push(
                    items,
                    rule_spot(head, h),
                    format!(
                        "rule {} ({}) is turned off (base: {})",
                        b.id, b.name, b.severity
                    ),
                ),
                None => push(
                    items,
                    head.spots
                        .get("rule-dirs")
                        .map_or_else(|| "rule-dirs".to_string(), |s| s.at()),
                    format!("rule {} ({}) is no longer in the catalogue", b.id, b.name),
                ),
            }
            continue;
        };
        if h.severity < b.severity {
            push(
                items,
                rule_spot(head, h),
                format!(
                    "rule {} ({}) is lowered to {} (base: {})",
                    h.id, h.name, h.severity, b.severity
                ),
            );
        }
        if definition(h) != definition(b) {
            push(
                items,
                h.source.clone(),
                format!(
                    "rule {} ({}) is redefined by `{}`: its key shapes, keywords or check differ",
                    h.id, h.name, h.source
                ),
            );
        }
        let names: BTreeSet<&String> = b.params.keys().chain(h.params.keys()).collect();
        for name in names {
            let (hv, bv) = (h.params.get(name), b.params.get(name));
            if hv != bv {
                let show = |v: Option<&rules::Param>| {
                    v.and_then(|v| serde_json::to_string(v).ok())
                        .unwrap_or_else(|| "unset".to_string())
                };
                push(
                    items,
                    param_spot(head, h, name),
                    format!(
                        "parameter `{name}` of {} is {} (base: {}): a changed parameter cannot be judged safe",
                        h.id,
                        show(hv),
                        show(bv)
                    ),
                );
            }
        }
    }
}

/// True when `rule` (an id or name) names the same rule as `other`.
fn same_rule(a: &str, b: &str, catalogue: &RuleSet) -> bool {
    match (catalogue.get(a), catalogue.get(b)) {
        (Some(x), Some(y)) => x.id == y.id,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// True when every finding `h` hides, `b` hides too: each condition of `b` is in `h`.
fn covers(b: &Allow, h: &Allow, catalogue: &RuleSet) -> bool {
    let path = match (&b.path, &h.path) {
        (None, _) => true,
        (Some(bp), Some(hp)) => bp == hp && clean_absolute(&b.base) == clean_absolute(&h.base),
        (Some(_), None) => false,
    };
    let fingerprint = b.fingerprint.is_none() || b.fingerprint == h.fingerprint;
    let account = b.account.as_ref().is_none_or(|ba| {
        h.account
            .as_ref()
            .is_some_and(|ha| ha.eq_ignore_ascii_case(ba))
    });
    let rules = b.rules.is_empty()
        || (!h.rules.is_empty()
            && h.rules
                .iter()
                .all(|r| b.rules.iter().any(|br| same_rule(br, r, catalogue))));
    path && fingerprint && account && rules
}

/// Every allow entry of the head must be covered by one of the base's.
fn allows(base: &Config, head: &Config, catalogue: &RuleSet, items: &mut Vec<Weakening>) {
    for h in &head.allow {
        if base.allow.iter().any(|b| covers(b, h, catalogue)) {
            continue;
        }
        let mut what = Vec::new();
        if let Some(p) = &h.path {
            what.push(format!("path `{p}`"));
        }
        if let Some(f) = &h.fingerprint {
            crate::detect::mask::trust_fingerprint(f);
            what.push(format!("fingerprint {f}"));
        }
        if let Some(a) = &h.account {
            what.push(format!("account `{a}`"));
        }
        what.push(if h.rules.is_empty() {
            "every rule".to_string()
        } else {
            format!("rules {}", h.rules.join(", "))
        });
        push(
            items,
            h.origin.clone(),
            format!(
                "allow entry ({}) is new or wider than the base's: the findings it matches would be hidden",
                what.join(", ")
            ),
        );
    }
}

/// Inline `wandb-sa-lint: allow` comments that HEAD's tree holds and the revision's does not
/// (file by file, counted), for files up to `limit` bytes that are not binary (the source
/// reads only the files the change touches).
fn inline_allows(
    rev: &Revision,
    limit: u64,
    items: &mut Vec<Weakening>,
) -> Result<(), WeakenError> {
    rev.changed_files(limit, |file| added_inline_allows(rev.rev(), &file, items))?;
    Ok(())
}

fn added_inline_allows(rev: &str, file: &Changed, items: &mut Vec<Weakening>) {
    let allows = |bytes: &[u8]| -> Vec<(usize, Vec<String>, Vec<u8>)> {
        bytes
            .split(|b| *b == b'\n')
            .enumerate()
            .filter_map(|(i, line)| {
                crate::suppress::inline::parse(line)
                    .map(|a| (i + 1, a.rules, line.trim_ascii().to_vec()))
            })
            .collect()
    };
    let mut known: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    if let Some(old_bytes) = &file.old {
        for (_, _, text) in allows(old_bytes) {
            *known.entry(text).or_default() += 1;
        }
    }
    for (line, rules, text) in allows(&file.new) {
        match known.get_mut(&text) {
            Some(n) if *n > 0 => *n -= 1,
            _ => push(
                items,
                format!("{}:{line}", file.path),
                format!(
                    "inline allow of {} is not in `{}`: the findings it covers on this line and the next would be hidden",
                    rules.join(", "),
                    rev
                ),
            ),
        }
    }
}

/// The working tree's baseline as a regular file of at most [`MAX_FILE`] bytes (absent: no
/// entry). A symlink is refused: it could point anywhere.
fn read_head_file(path: &Path) -> Result<Option<String>, WeakenError> {
    let shown = path.display().to_string();
    let err = |message: String| WeakenError::Read {
        path: shown.clone(),
        message,
    };
    use crate::source::files::{read_small, Links, SmallFileError};
    match read_small(path, MAX_FILE, Links::Refuse) {
        Ok(text) => Ok(Some(text)),
        Err(SmallFileError::Stat(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(SmallFileError::Stat(e) | SmallFileError::Read(e)) => Err(err(e.to_string())),
        Err(SmallFileError::NotRegular) => Err(err(
            "not a regular file (a symlink, directory or device)".into(),
        )),
        Err(SmallFileError::TooLarge(len)) => Err(err(format!("{len} bytes, over {MAX_FILE}"))),
    }
}

/// Every entry of the working tree's baseline must be in the base's (none without `rev`).
fn compare_baseline(
    rev: Option<&str>,
    path: &Path,
    items: &mut Vec<Weakening>,
) -> Result<(), WeakenError> {
    let shown = path.display().to_string();
    let Some(text) = read_head_file(path)? else {
        return Ok(());
    };
    let head = baseline::parse(&text, &shown)?;
    let base = match rev {
        Some(r) => load_baseline(Some(r), path)?.0,
        None => Vec::new(),
    };
    for e in baseline::added(&head, &base) {
        let line = text
            .find(&format!("\"{}\"", e.id))
            .and_then(|i| text.get(..i))
            .map_or(1, |t| t.matches('\n').count() + 1);
        let what = if e.account.is_some() {
            "an account finding"
        } else {
            "a finding"
        };
        push(
            items,
            format!("{shown}:{line}"),
            format!(
                "baseline entry {} (id {}) is not in the base's baseline: it would hide {what}",
                e.rule, e.id
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(text: &str) -> Vec<Allow> {
        let mut c = Config::default();
        c.apply_text(Path::new("/repo/.wandb-sa-lint.toml"), text)
            .expect("valid");
        c.allow
    }

    #[test]
    fn an_allow_entry_is_covered_only_by_one_at_least_as_wide() {
        let (catalogue, _) = rules::load_embedded(crate::checks::CHECKS);
        let base = allows(
            "[[allow]]\npath = \"fixtures/**\"\nrules = [\"S001\"]\nreason = \"r\"\n[[allow]]\naccount = \"legacy\"\nreason = \"r\"\n",
        );
        let covered = |head: &str| {
            allows(head)
                .iter()
                .all(|h| base.iter().any(|b| covers(b, h, &catalogue)))
        };
        // Narrower or the same: covered.
        assert!(covered("[[allow]]\npath = \"fixtures/**\"\nrules = [\"committed-api-key\"]\nreason = \"renamed\"\n"));
        assert!(covered("[[allow]]\npath = \"fixtures/**\"\nfingerprint = \"ab\"\nrules = [\"s001\"]\nreason = \"r\"\n"));
        assert!(covered(
            "[[allow]]\naccount = \"LEGACY\"\nrules = [\"A002\"]\nreason = \"r\"\n"
        ));
        // Wider or elsewhere: not covered.
        assert!(!covered(
            "[[allow]]\npath = \"fixtures/**\"\nreason = \"every rule\"\n"
        ));
        assert!(!covered(
            "[[allow]]\npath = \"fixtures/**\"\nrules = [\"S001\", \"S002\"]\nreason = \"r\"\n"
        ));
        assert!(!covered(
            "[[allow]]\npath = \"**\"\nrules = [\"S001\"]\nreason = \"r\"\n"
        ));
        assert!(!covered(
            "[[allow]]\nfingerprint = \"ab\"\nrules = [\"S001\"]\nreason = \"no path\"\n"
        ));
        assert!(!covered("[[allow]]\naccount = \"other\"\nreason = \"r\"\n"));
    }
}
