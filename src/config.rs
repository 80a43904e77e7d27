//! `.wandb-sa-lint.toml`: discovered from the scanned path upward, or named with `--config`.
//! Layered: built-in defaults < discovered file < `--config` file (< environment < flags, which
//! the CLI applies on top). Unknown keys are an error pointing at the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};

use crate::rules::{Param, Rule, RuleSet, Severity};

/// The file name looked for.
pub const FILE_NAME: &str = ".wandb-sa-lint.toml";
/// Default size limit: files larger than this are skipped and counted.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Largest configuration file read.
pub const MAX_CONFIG_SIZE: u64 = 16 << 20;

/// A problem with a configuration file.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config `{path}`: {source}")]
    #[diagnostic(code(config::read))]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid for our schema.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
    /// Several entries are invalid; each is one related diagnostic.
    #[error("{} invalid entries in the configuration", problems.len())]
    #[diagnostic(code(config::invalid))]
    Problems {
        /// Every invalid entry.
        #[related]
        problems: Vec<ConfigError>,
    },
}

/// A config file that does not fit the schema, with the file's snippet and a label on the key.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid config `{path}`: {message}")]
#[diagnostic(code(config::invalid))]
pub struct InvalidConfig {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The file's text.
    #[source_code]
    pub src: NamedSource<String>,
    /// Where.
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    /// The label's words.
    pub label: String,
}

/// Where a setting was written: the file (as shown), its text and the byte span of the entry.
#[derive(Debug, Clone)]
pub struct Spot {
    /// The file, as shown (a path, or `REV:path` for a file read from a git revision).
    pub file: String,
    /// The file's text.
    pub text: std::sync::Arc<str>,
    /// The entry's bytes in `text`.
    pub span: std::ops::Range<usize>,
}

impl Spot {
    /// `file:line` of the entry.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, line_of(&self.text, self.span.start))
    }

    /// An error about this entry, with the file's snippet and `label` on the entry.
    pub fn error(&self, message: String, label: &str) -> ConfigError {
        invalid(
            &self.file,
            &self.text,
            message,
            Some(self.span.clone()),
            label,
        )
    }
}

/// A rule's setting in `[rules]`: `"off"` or a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSetting {
    /// Disabled.
    Off,
    /// Enabled with this severity.
    On(Severity),
}

impl RuleSetting {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "off" | "false" => Some(Self::Off),
            "on" | "true" => None,
            other => Severity::parse(other).map(Self::On),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    exclude: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
    extend_exclude: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
    max_file_size: Option<toml::Spanned<toml::Value>>,
    max_yaml_depth: Option<toml::Spanned<i64>>,
    max_yaml_aliases: Option<toml::Spanned<i64>>,
    context_window: Option<toml::Spanned<toml::Value>>,
    fail_on: Option<toml::Spanned<String>>,
    unreadable_wandb_config: Option<toml::Spanned<String>>,
    rule_dirs: Option<toml::Spanned<Vec<String>>>,
    rules: Option<BTreeMap<String, toml::Spanned<String>>>,
    allow: Option<Vec<toml::Spanned<RawAllow>>>,
    params: Option<BTreeMap<String, toml::Spanned<toml::Value>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    fingerprint: Option<String>,
    path: Option<String>,
    account: Option<String>,
    rules: Option<Vec<String>>,
    reason: String,
}

/// One `[[allow]]` entry.
#[derive(Debug, Clone)]
pub struct Allow {
    /// Matches findings with this fingerprint.
    pub fingerprint: Option<String>,
    /// Matches findings in files matching this glob (relative to `base`).
    pub path: Option<String>,
    matcher: Option<GlobMatcher>,
    /// Matches account findings about this service account (or audit-log actor).
    pub account: Option<String>,
    /// Only these rules (ids or names); empty means every rule.
    pub rules: Vec<String>,
    /// Why the finding is acceptable (required).
    pub reason: String,
    /// Where the entry was written (`file:line`), for the "matched nothing" report.
    pub origin: String,
    /// Directory that `path` is relative to.
    pub base: PathBuf,
    /// Where the entry was written.
    pub spot: Spot,
}

impl Allow {
    /// True when the entry's `rules` list is empty or names the rule (by id or name).
    fn covers_rule(&self, rule_id: &str, rule_name: &str) -> bool {
        self.rules.is_empty()
            || self
                .rules
                .iter()
                .any(|r| r.eq_ignore_ascii_case(rule_id) || r == rule_name)
    }

    /// True when the entry covers a finding of `rule_id`/`rule_name` with `fingerprint` at
    /// `rel_path` (relative to this entry's base).
    pub fn matches(
        &self,
        rule_id: &str,
        rule_name: &str,
        fingerprint: &str,
        rel_path: Option<&str>,
    ) -> bool {
        if !self.covers_rule(rule_id, rule_name) {
            return false;
        }
        if let Some(fp) = &self.fingerprint {
            if fp != fingerprint {
                return false;
            }
        }
        if self.account.is_some() {
            return false;
        }
        match (&self.matcher, rel_path) {
            (Some(m), Some(p)) => m.is_match(p),
            (Some(_), None) => false,
            (None, _) => true,
        }
    }

    /// True when the entry covers an account finding of `rule_id`/`rule_name` about
    /// `account` with `fingerprint`, located in the registry file `rel_path` (relative to this
    /// entry's base). An entry naming an account matches only findings about it; a path entry
    /// matches the findings in the registry files it covers.
    pub fn matches_account(
        &self,
        rule_id: &str,
        rule_name: &str,
        fingerprint: &str,
        account: &str,
        rel_path: &str,
    ) -> bool {
        if !self.covers_rule(rule_id, rule_name) {
            return false;
        }
        if self
            .fingerprint
            .as_ref()
            .is_some_and(|fp| fp != fingerprint)
        {
            return false;
        }
        if self.matcher.as_ref().is_some_and(|m| !m.is_match(rel_path)) {
            return false;
        }
        self.account
            .as_ref()
            .is_none_or(|a| a.eq_ignore_ascii_case(account))
    }

    /// True when the entry is about account findings: it names an account, or only account
    /// rules (`A001`...).
    pub fn about_accounts(&self) -> bool {
        self.account.is_some()
            || (!self.rules.is_empty()
                && self.rules.iter().all(|r| {
                    r.len() == 4
                        && r.starts_with(['A', 'a'])
                        && r.chars().skip(1).all(|c| c.is_ascii_digit())
                }))
    }

    /// The place every file the entry's path glob can match lies under: its base joined with
    /// the glob's leading literal components (`<base>/lib/fixtures` for `lib/fixtures/**`;
    /// the base itself for a glob without `/`, which matches at any depth).
    pub fn path_root(&self) -> Option<PathBuf> {
        let pattern = self.path.as_deref()?;
        let p = pattern.trim_start_matches("./");
        let mut root = self.base.clone();
        if p.contains('/') {
            let p = p.trim_start_matches('/');
            for part in p.split('/').filter(|c| !c.is_empty()) {
                if part.contains(['*', '?', '[', '{', '\\']) {
                    break;
                }
                root.push(part);
            }
        }
        Some(root)
    }

    /// True when the entry's path glob matches `rel_path`.
    pub fn path_matches(&self, rel_path: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(rel_path))
    }
}

/// One parameter override from `[params]`: `unused-after = 120` applies to every rule that
/// declares `unused-after`; `[params.A005]` entries apply to that rule only.
#[derive(Debug, Clone)]
pub struct ParamSetting {
    /// The rule (id or name) for a per-rule entry.
    pub rule: Option<String>,
    /// The parameter's name.
    pub name: String,
    /// The value as written.
    pub value: toml::Value,
    /// The file it was written in.
    pub file: PathBuf,
    /// That file's text (for the diagnostic of a bad entry).
    pub text: std::sync::Arc<str>,
    /// Where in the file.
    pub span: std::ops::Range<usize>,
}

impl ParamSetting {
    /// `file:line` of the entry.
    pub fn at(&self) -> String {
        format!(
            "{}:{}",
            self.file.display(),
            line_of(&self.text, self.span.start)
        )
    }

    fn error(&self, message: String, label: &str) -> ConfigError {
        invalid(
            &self.file.display().to_string(),
            &self.text,
            message,
            Some(self.span.clone()),
            label,
        )
    }
}

/// A configured value as a parameter of the same kind as `default`, or `None` when the
/// kinds differ.
fn param_of(value: &toml::Value, default: &Param) -> Option<Param> {
    match (default, value) {
        (Param::Number(_), toml::Value::Integer(i)) => u64::try_from(*i).ok().map(Param::Number),
        (Param::Text(_), toml::Value::String(s)) => Some(Param::Text(s.clone())),
        (Param::List(_), toml::Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Param::List),
        _ => None,
    }
}

/// A compiled exclude glob with the directory it is relative to.
#[derive(Debug, Clone)]
pub struct Exclude {
    /// The glob as written.
    pub pattern: String,
    matcher: GlobMatcher,
    /// Directory the glob is relative to.
    pub base: PathBuf,
    /// Where it was given (`file:line`, or `--exclude`).
    pub origin: String,
}

impl Exclude {
    /// True when `rel_path` (relative to `base`) is excluded.
    pub fn is_match(&self, rel_path: &str) -> bool {
        self.matcher.is_match(rel_path)
    }
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Config files loaded, in layering order.
    pub files: Vec<PathBuf>,
    /// Exclude globs (after `exclude` replaced and `extend-exclude` appended).
    pub exclude: Vec<Exclude>,
    /// Size limit in bytes.
    pub max_file_size: u64,
    /// How deeply YAML collections may nest.
    pub max_yaml_depth: usize,
    /// Nodes YAML alias expansion may produce per file.
    pub max_yaml_aliases: usize,
    /// Bytes the context judge reads on each side of a candidate key within its line (see
    /// [`crate::detect::context::DEFAULT_WINDOW`]).
    pub context_window: usize,
    /// Lowest severity that fails the run; `None` never fails.
    pub fail_on: Option<Severity>,
    /// What a configuration file that names W&B variables but cannot be read does to the run
    /// (`unreadable-wandb-config`).
    pub unreadable_wandb_config: Unreadable,
    /// Extra rule directories.
    pub rule_dirs: Vec<PathBuf>,
    /// Per-rule settings, keyed by id or name as written.
    pub rules: BTreeMap<String, RuleSetting>,
    /// Allow entries.
    pub allow: Vec<Allow>,
    /// Rule parameter overrides (`[params]`), in layering order.
    pub params: Vec<ParamSetting>,
    /// The service-account registry (`scan --registry`), for the registry rules.
    pub registry: Option<std::sync::Arc<crate::registry::Registry>>,
    /// Where each file setting was last written: `fail-on`, `max-file-size`,
    /// `context-window`, `max-yaml-depth`, `max-yaml-aliases`, `rule-dirs`, `exclude`,
    /// `extend-exclude`, and `rules.KEY` for each `[rules]` entry (by key as written).
    pub spots: BTreeMap<String, Spot>,
}

impl Config {
    /// The YAML limits of `max-yaml-aliases` and `max-yaml-depth`, for the YAML loaders.
    pub fn yaml_limits(&self) -> crate::yaml::Limits {
        crate::yaml::Limits::new(self.max_yaml_aliases, self.max_yaml_depth)
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            files: Vec::new(),
            exclude: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_yaml_depth: crate::yaml::MAX_DEPTH,
            max_yaml_aliases: crate::yaml::ALIAS_BUDGET,
            context_window: crate::detect::context::DEFAULT_WINDOW,
            fail_on: Some(Severity::Error),
            unreadable_wandb_config: Unreadable::Auto,
            rule_dirs: Vec::new(),
            rules: BTreeMap::new(),
            allow: Vec::new(),
            params: Vec::new(),
            registry: None,
            spots: BTreeMap::new(),
        }
    }
}

/// Compiles a gitignore-like glob: a pattern without `/` matches at any depth.
pub fn compile_glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    let p = pattern.trim_start_matches("./");
    let p = if p.contains('/') {
        p.trim_start_matches('/').to_string()
    } else {
        format!("**/{p}")
    };
    let p = if p.ends_with('/') {
        format!("{p}**")
    } else {
        p
    };
    Ok(GlobBuilder::new(&p)
        .literal_separator(true)
        .build()
        .or_else(|_| Glob::new(&p))?
        .compile_matcher())
}

/// Parses a size: a whole number of bytes, or a string like `10MiB`, `512KiB`, `1GB`.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A size given in the configuration: a number of bytes or a string for [`parse_size`].
fn size_value(v: &toml::Value) -> Option<u64> {
    match v {
        toml::Value::Integer(i) => u64::try_from(*i).ok(),
        toml::Value::String(s) => parse_size(s),
        _ => None,
    }
}

/// What a configuration file that names W&B variables (`WANDB_API_KEY`, `WANDB_ENTITY`, ...)
/// but cannot be read (its YAML does not parse) does to the run: its configuration rules could
/// not check how it handles W&B credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// [`Unreadable::Fail`] in CI mode (`--config-from`, `--no-weaken`), else
    /// [`Unreadable::Warn`]: the default.
    Auto,
    /// A warning; the exit code does not change.
    Warn,
    /// An error that fails the run with exit 2, like an input that could not be read.
    Fail,
}

impl Unreadable {
    /// Parses `auto`, `warn` or `fail`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(Self::Auto),
            "warn" => Some(Self::Warn),
            "fail" => Some(Self::Fail),
            _ => None,
        }
    }

    /// The setting as written in the configuration file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }

    /// The setting in effect for a run in CI mode (`ci`) or not.
    pub fn resolve(self, ci: bool) -> Self {
        match self {
            Self::Auto if ci => Self::Fail,
            Self::Auto => Self::Warn,
            other => other,
        }
    }
}

/// Parses a `--fail-on` value: a severity or `never`.
pub fn parse_fail_on(s: &str) -> Option<Option<Severity>> {
    if s == "never" {
        Some(None)
    } else {
        Severity::parse(s).map(Some)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |t| t.matches('\n').count() + 1)
}

fn invalid(
    path: &str,
    text: &str,
    message: String,
    span: Option<std::ops::Range<usize>>,
    label: &str,
) -> ConfigError {
    ConfigError::Invalid(Box::new(InvalidConfig {
        path: path.to_string(),
        message,
        src: NamedSource::new(path, text.to_string()),
        span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
        label: label.to_string(),
    }))
}

/// One configuration file being applied: how diagnostics name it, its text, and the folder
/// its globs are relative to.
struct Layer<'t> {
    shown: &'t str,
    text: &'t str,
    shared: std::sync::Arc<str>,
    base: PathBuf,
}

impl Layer<'_> {
    /// Where an entry of this file is.
    fn spot(&self, span: std::ops::Range<usize>) -> Spot {
        Spot {
            file: self.shown.to_string(),
            text: self.shared.clone(),
            span,
        }
    }

    /// An error about the entry at `span`.
    fn invalid(&self, message: String, span: std::ops::Range<usize>, label: &str) -> ConfigError {
        invalid(self.shown, self.text, message, Some(span), label)
    }

    /// Exclude globs, relative to this file's folder.
    fn globs(&self, list: Vec<toml::Spanned<String>>) -> Result<Vec<Exclude>, ConfigError> {
        list.into_iter()
            .map(|p| {
                let span = p.span();
                let pattern = p.into_inner();
                match compile_glob(&pattern) {
                    Ok(matcher) => Ok(Exclude {
                        pattern,
                        matcher,
                        base: self.base.clone(),
                        origin: self.spot(span).at(),
                    }),
                    Err(err) => {
                        Err(self.invalid(format!("bad glob `{pattern}`: {err}"), span, "this glob"))
                    }
                }
            })
            .collect()
    }

    /// One `[[allow]]` entry of this file, checked.
    fn allow(&self, entry: toml::Spanned<RawAllow>) -> Result<Allow, ConfigError> {
        let span = entry.span();
        let origin = self.spot(span.clone()).at();
        let a = entry.into_inner();
        if a.reason.trim().is_empty() {
            return Err(self.invalid(
                "an allow entry needs a non-empty `reason`".into(),
                span,
                "no reason",
            ));
        }
        if a.fingerprint.is_none() && a.path.is_none() && a.account.is_none() {
            return Err(self.invalid(
                "an allow entry needs `fingerprint`, `path` or `account`".into(),
                span,
                "matches everything",
            ));
        }
        let matcher = match &a.path {
            Some(p) => Some(compile_glob(p).map_err(|err| {
                self.invalid(format!("bad glob `{p}`: {err}"), span.clone(), "this entry")
            })?),
            None => None,
        };
        if a.path.is_some() && a.account.is_some() {
            return Err(self.invalid(
                "an allow entry names a `path` or an `account`, not both".into(),
                span,
                "path and account",
            ));
        }
        Ok(Allow {
            fingerprint: a.fingerprint,
            path: a.path,
            matcher,
            account: a.account,
            rules: a.rules.unwrap_or_default(),
            reason: a.reason,
            origin,
            base: self.base.clone(),
            spot: self.spot(span),
        })
    }
}

impl Config {
    /// Finds `.wandb-sa-lint.toml` in `start` or its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        crate::source::files::find_upward(start, FILE_NAME)
    }

    /// Loads the layers: the discovered file (unless `isolated`), then `explicit`.
    pub fn load(
        discover_from: &Path,
        explicit: Option<&Path>,
        isolated: bool,
    ) -> Result<Self, ConfigError> {
        let mut config = Config::default();
        let discovered = if isolated {
            None
        } else {
            Self::discover(discover_from)
        };
        let explicit_abs =
            explicit.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
        if let Some(d) = discovered {
            if explicit_abs.as_deref() != Some(d.as_path()) {
                config.apply_file(&d)?;
            }
        }
        if let Some(e) = explicit {
            config.apply_file(e)?;
        }
        Ok(config)
    }

    /// Applies one file on top of the current layers.
    /// A device, FIFO or directory (a committed symlink to `/dev/zero` or a FIFO would
    /// otherwise exhaust memory or hang) or a file over [`MAX_CONFIG_SIZE`] is refused.
    pub fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let read_err = |source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        };
        use crate::source::files::{read_small, Links, SmallFileError};
        let text = match read_small(path, MAX_CONFIG_SIZE, Links::Follow) {
            Ok(text) => text,
            Err(SmallFileError::Stat(e) | SmallFileError::Read(e)) => return Err(read_err(e)),
            Err(SmallFileError::NotRegular) => {
                return Err(read_err(std::io::Error::other(
                    "not a regular file (a device, FIFO or directory)",
                )))
            }
            Err(SmallFileError::TooLarge(len)) => {
                return Err(read_err(std::io::Error::other(format!(
                    "{len} bytes, over {MAX_CONFIG_SIZE}"
                ))))
            }
        };
        self.apply_text(path, &text)
    }

    /// Applies one file's text (named `path`) on top of the current layers.
    pub fn apply_text(&mut self, path: &Path, text: &str) -> Result<(), ConfigError> {
        self.apply_text_as(path, &path.display().to_string(), text)
    }

    /// Applies one file's text on top of the current layers: `path` is where the file is (or
    /// would be) in the working tree, which globs are relative to; `shown` is how diagnostics
    /// name it (e.g. `origin/main:.wandb-sa-lint.toml` for a file read from a revision).
    pub fn apply_text_as(
        &mut self,
        path: &Path,
        shown: &str,
        text: &str,
    ) -> Result<(), ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            invalid(shown, text, msg.clone(), e.span(), &msg)
        })?;
        let layer = Layer {
            shown,
            text,
            shared: std::sync::Arc::from(text),
            base: crate::source::clean_absolute(path)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        };
        if let Some(list) = raw.exclude {
            self.spots.insert("exclude".into(), layer.spot(list.span()));
            self.exclude = layer.globs(list.into_inner())?;
        }
        if let Some(list) = raw.extend_exclude {
            self.spots
                .insert("extend-exclude".into(), layer.spot(list.span()));
            self.exclude.extend(layer.globs(list.into_inner())?);
        }
        self.apply_sizes(&layer, raw.max_file_size, raw.context_window)?;
        self.apply_yaml_limits(&layer, raw.max_yaml_depth, raw.max_yaml_aliases)?;
        if let Some(v) = raw.fail_on {
            let span = v.span();
            self.spots
                .insert("fail-on".into(), layer.spot(span.clone()));
            self.fail_on = parse_fail_on(v.get_ref()).ok_or_else(|| {
                layer.invalid(
                    "`fail-on` must be error, warning, info or never".into(),
                    span,
                    "unknown level",
                )
            })?;
        }
        if let Some(v) = raw.unreadable_wandb_config {
            let span = v.span();
            self.spots
                .insert("unreadable-wandb-config".into(), layer.spot(span.clone()));
            self.unreadable_wandb_config = Unreadable::parse(v.get_ref()).ok_or_else(|| {
                layer.invalid(
                    "`unreadable-wandb-config` must be auto, warn or fail".into(),
                    span,
                    "unknown value",
                )
            })?;
        }
        if let Some(dirs) = raw.rule_dirs {
            self.spots
                .insert("rule-dirs".into(), layer.spot(dirs.span()));
            self.rule_dirs
                .extend(dirs.into_inner().into_iter().map(|d| layer.base.join(d)));
        }
        if let Some(rules) = raw.rules {
            self.apply_rule_settings(&layer, rules)?;
        }
        self.collect_params(&layer, raw.params.unwrap_or_default());
        for entry in raw.allow.unwrap_or_default() {
            let allow = layer.allow(entry)?;
            self.allow.push(allow);
        }
        self.files.push(PathBuf::from(shown));
        Ok(())
    }

    /// `max-file-size` and `context-window` of one file.
    fn apply_sizes(
        &mut self,
        layer: &Layer<'_>,
        max_file_size: Option<toml::Spanned<toml::Value>>,
        context_window: Option<toml::Spanned<toml::Value>>,
    ) -> Result<(), ConfigError> {
        if let Some(v) = max_file_size {
            let span = v.span();
            self.spots
                .insert("max-file-size".into(), layer.spot(span.clone()));
            self.max_file_size = size_value(v.get_ref()).ok_or_else(|| {
                layer.invalid(
                    "`max-file-size` must be bytes or a size like \"10MiB\"".into(),
                    span,
                    "not a size",
                )
            })?;
        }
        if let Some(v) = context_window {
            use crate::detect::context::{MAX_WINDOW, MIN_WINDOW};
            let span = v.span();
            self.spots
                .insert("context-window".into(), layer.spot(span.clone()));
            self.context_window = size_value(v.get_ref())
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| (MIN_WINDOW..=MAX_WINDOW).contains(n))
                .ok_or_else(|| {
                    layer.invalid(
                        format!(
                            "`context-window` must be bytes or a size like \"4KiB\", from {MIN_WINDOW} to {MAX_WINDOW} bytes"
                        ),
                        span,
                        "not a size in range",
                    )
                })?;
        }
        Ok(())
    }

    /// `max-yaml-depth` and `max-yaml-aliases` of one file.
    fn apply_yaml_limits(
        &mut self,
        layer: &Layer<'_>,
        max_yaml_depth: Option<toml::Spanned<i64>>,
        max_yaml_aliases: Option<toml::Spanned<i64>>,
    ) -> Result<(), ConfigError> {
        // The depth is capped: the readers walk trees recursively, and 4,096 levels is what
        // a worker thread's stack is known to hold.
        for (value, slot, key, cap) in [
            (
                max_yaml_depth,
                &mut self.max_yaml_depth,
                "max-yaml-depth",
                4096,
            ),
            (
                max_yaml_aliases,
                &mut self.max_yaml_aliases,
                "max-yaml-aliases",
                usize::MAX,
            ),
        ] {
            if let Some(v) = value {
                let span = v.span();
                self.spots.insert(key.into(), layer.spot(span.clone()));
                *slot = usize::try_from(*v.get_ref())
                    .ok()
                    .filter(|n| *n > 0 && *n <= cap)
                    .ok_or_else(|| {
                        layer.invalid(
                            format!("`{key}` must be a whole number from 1 to {cap}"),
                            span,
                            "out of range",
                        )
                    })?;
            }
        }
        Ok(())
    }

    /// The `[rules]` table of one file.
    fn apply_rule_settings(
        &mut self,
        layer: &Layer<'_>,
        rules: BTreeMap<String, toml::Spanned<String>>,
    ) -> Result<(), ConfigError> {
        let text = layer.text;
        for (k, v) in rules {
            let span = v.span();
            let setting = RuleSetting::parse(v.get_ref()).ok_or_else(|| {
                layer.invalid(
                    format!("rule `{k}`: expected off, error, warning or info"),
                    span.clone(),
                    "unknown setting",
                )
            })?;
            // The key's own span is not kept; find `KEY =` before the value.
            let key_at = text
                .get(..span.start.min(text.len()))
                .and_then(|t| t.rfind(k.as_str()))
                .map_or(span.clone(), |i| i..span.end);
            self.spots.insert(format!("rules.{k}"), layer.spot(key_at));
            self.rules.insert(k, setting);
        }
        Ok(())
    }

    /// The `[params]` table of one file (checked against the catalogue later).
    fn collect_params(
        &mut self,
        layer: &Layer<'_>,
        params: BTreeMap<String, toml::Spanned<toml::Value>>,
    ) {
        let text = layer.text;
        for (name, value) in params {
            let span = value.span();
            match value.into_inner() {
                toml::Value::Table(table) => {
                    // `[params.A005]`: the keys' own spans are not kept inside a table value;
                    // find each key after the table's start.
                    for (pname, pvalue) in table {
                        let from = span.start.min(text.len());
                        let at = text
                            .get(from..)
                            .and_then(|t| t.find(pname.as_str()))
                            .map_or(span.clone(), |i| from + i..from + i + pname.len());
                        self.params.push(ParamSetting {
                            rule: Some(name.clone()),
                            name: pname,
                            value: pvalue,
                            file: PathBuf::from(layer.shown),
                            text: layer.shared.clone(),
                            span: at,
                        });
                    }
                }
                other => self.params.push(ParamSetting {
                    rule: None,
                    name,
                    value: other,
                    file: PathBuf::from(layer.shown),
                    text: layer.shared.clone(),
                    span,
                }),
            }
        }
    }

    /// Fails, pointing at every entry, when a `[rules]` key or a rule named in an allow
    /// entry's `rules` list is in no rule of the catalogue: a misspelt id would otherwise
    /// leave the intended rule as it was (or the allow entry matching nothing) in silence.
    pub fn check_rule_names(&self, rules: &RuleSet) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        for key in self.rules.keys() {
            if rules.get(key).is_some() {
                continue;
            }
            let message = format!(
                "`[rules]` names unknown rule `{key}`{}",
                crate::rules::did_you_mean(rules, key)
            );
            problems.push(match self.spots.get(&format!("rules.{key}")) {
                Some(spot) => spot.error(message, "no rule has this id or name"),
                None => invalid("configuration", "", message, None, ""),
            });
        }
        for allow in &self.allow {
            for name in allow.rules.iter().filter(|r| rules.get(r).is_none()) {
                let spot = &allow.spot;
                let from = spot.span.start.min(spot.text.len());
                // An array-of-tables entry's span may be its header only: read on to the next
                // table header.
                let rest = spot.text.get(from..).unwrap_or_default();
                let end = rest
                    .get(1..)
                    .and_then(|r| r.find("\n["))
                    .map_or(rest.len(), |i| i + 1);
                let slice = rest.get(..end).unwrap_or_default();
                let quoted = format!("\"{name}\"");
                let at = slice
                    .find(&quoted)
                    .map(|i| from + i..from + i + quoted.len())
                    .or_else(|| {
                        slice
                            .find(name.as_str())
                            .map(|i| from + i..from + i + name.len())
                    })
                    .unwrap_or_else(|| spot.span.clone());
                let located = Spot {
                    span: at,
                    ..spot.clone()
                };
                problems.push(located.error(
                    format!(
                        "allow entry ({}) names unknown rule `{name}` in `rules`{}",
                        allow.origin,
                        crate::rules::did_you_mean(rules, name)
                    ),
                    "no rule has this id or name",
                ));
            }
        }
        if problems.len() > 1 {
            return Err(ConfigError::Problems { problems });
        }
        problems.pop().map_or(Ok(()), Err)
    }

    /// The catalogue with the configured parameters applied: global `[params]` entries first
    /// (to every rule declaring the parameter), then `[params.RULE]` entries. A parameter no
    /// rule declares, a rule that does not exist, or a value of the wrong kind is an error
    /// pointing at the entry.
    pub fn apply_params(&self, rules: &RuleSet) -> Result<RuleSet, ConfigError> {
        self.check_rule_names(rules)?;
        let mut out: Vec<Rule> = rules.iter().map(|r| Rule::clone(r)).collect();
        let ordered = self
            .params
            .iter()
            .filter(|p| p.rule.is_none())
            .chain(self.params.iter().filter(|p| p.rule.is_some()));
        for setting in ordered {
            let mut declared = false;
            if let Some(key) = &setting.rule {
                if !out
                    .iter()
                    .any(|r| r.id.eq_ignore_ascii_case(key) || r.name == *key)
                {
                    return Err(setting.error(
                        format!(
                            "`[params.{key}]` names no rule of the catalogue{}",
                            crate::rules::did_you_mean(rules, key)
                        ),
                        "unknown rule",
                    ));
                }
            }
            for rule in out.iter_mut().filter(|r| {
                setting
                    .rule
                    .as_ref()
                    .is_none_or(|k| r.id.eq_ignore_ascii_case(k) || r.name == *k)
            }) {
                let Some(default) = rule.params.get(&setting.name) else {
                    continue;
                };
                declared = true;
                let value = param_of(&setting.value, default).ok_or_else(|| {
                    setting.error(
                        format!(
                            "parameter `{}` of {} must be {}",
                            setting.name,
                            rule.id,
                            default.type_name()
                        ),
                        "wrong kind of value",
                    )
                })?;
                rule.params.insert(setting.name.clone(), value);
            }
            if !declared {
                let mut known: Vec<String> = out
                    .iter()
                    .filter(|r| {
                        setting
                            .rule
                            .as_ref()
                            .is_none_or(|k| r.id.eq_ignore_ascii_case(k) || r.name == *k)
                    })
                    .flat_map(|r| r.params.keys().cloned())
                    .collect();
                known.sort();
                known.dedup();
                return Err(setting.error(
                    format!(
                        "unknown parameter `{}` (known: {})",
                        setting.name,
                        known.join(", ")
                    ),
                    "unknown parameter",
                ));
            }
        }
        Ok(RuleSet::new(out))
    }

    /// Adds exclude globs given outside a file (`--exclude`), relative to `base`; fails with
    /// the first pattern that is not a valid glob.
    pub fn add_excludes(&mut self, patterns: &[String], base: &Path) -> Result<(), String> {
        for pattern in patterns {
            self.exclude.push(Exclude {
                matcher: compile_glob(pattern).map_err(|_| pattern.clone())?,
                pattern: pattern.clone(),
                base: base.to_path_buf(),
                origin: "--exclude".into(),
            });
        }
        Ok(())
    }

    /// The effective configuration as TOML (for `--show-config`), in the schema of the
    /// configuration file, so that `--config` reads it back to the same configuration. Where
    /// each part came from is in comments.
    pub fn to_toml(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "kebab-case")]
        struct View<'a> {
            max_file_size: u64,
            max_yaml_depth: usize,
            max_yaml_aliases: usize,
            context_window: usize,
            fail_on: &'a str,
            unreadable_wandb_config: &'a str,
            exclude: Vec<String>,
            rule_dirs: Vec<String>,
            rules: BTreeMap<String, String>,
            params: toml::Table,
        }
        let view = View {
            max_file_size: self.max_file_size,
            max_yaml_depth: self.max_yaml_depth,
            max_yaml_aliases: self.max_yaml_aliases,
            context_window: self.context_window,
            fail_on: self.fail_on.map_or("never", Severity::as_str),
            unreadable_wandb_config: self.unreadable_wandb_config.as_str(),
            exclude: self.exclude.iter().map(|e| e.pattern.clone()).collect(),
            rule_dirs: self
                .rule_dirs
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            rules: self
                .rules
                .iter()
                .map(|(k, v)| {
                    let s = match v {
                        RuleSetting::Off => "off".to_string(),
                        RuleSetting::On(s) => s.as_str().to_string(),
                    };
                    (k.clone(), s)
                })
                .collect(),
            params: self.params_table(),
        };
        let loaded: Vec<String> = self
            .files
            .iter()
            .map(|p| toml::Value::String(p.display().to_string()).to_string())
            .collect();
        let mut out = format!("# loaded-from = [{}]\n", loaded.join(", "));
        out.push_str(&toml::to_string(&view).unwrap_or_default());
        for a in &self.allow {
            out.push_str(&format!("\n# from {}\n", a.origin));
            out.push_str(&a.to_toml());
        }
        out
    }

    /// `[params]` as written: global entries as keys, per-rule entries as `[params.RULE]`
    /// tables (later layers replace earlier ones).
    fn params_table(&self) -> toml::Table {
        let mut table = toml::Table::new();
        for p in &self.params {
            let place = match &p.rule {
                Some(rule) => {
                    let entry = table
                        .entry(rule.clone())
                        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                    match entry {
                        toml::Value::Table(t) => t,
                        _ => continue,
                    }
                }
                None => &mut table,
            };
            place.insert(p.name.clone(), p.value.clone());
        }
        table
    }
}

impl Allow {
    /// This entry as one `[[allow]]` table of a configuration file.
    fn to_toml(&self) -> String {
        #[derive(Serialize)]
        struct Entry<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            fingerprint: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            path: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            account: Option<&'a str>,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            rules: &'a [String],
            reason: &'a str,
        }
        #[derive(Serialize)]
        struct One<'a> {
            allow: [Entry<'a>; 1],
        }
        if let Some(f) = &self.fingerprint {
            crate::detect::mask::trust_fingerprint(f);
        }
        let one = One {
            allow: [Entry {
                fingerprint: self.fingerprint.as_deref(),
                path: self.path.as_deref(),
                account: self.account.as_deref(),
                rules: &self.rules,
                reason: &self.reason,
            }],
        };
        toml::to_string(&one).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Some(10 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("1 GB"), Some(1_000_000_000));
        assert_eq!(parse_size("ten"), None);
    }

    #[test]
    fn globs_match_at_any_depth_without_slash() {
        let g = compile_glob("*.ipynb").expect("glob");
        assert!(g.is_match("a/b/c.ipynb"));
        let g = compile_glob("fixtures/**").expect("glob");
        assert!(g.is_match("fixtures/x/y.env"));
        assert!(!g.is_match("src/fixtures.rs"));
        let g = compile_glob("fixtures/").expect("glob");
        assert!(g.is_match("fixtures/a"));
    }

    #[test]
    fn unknown_key_points_at_it() {
        let mut c = Config::default();
        let text = "max-file-size = \"1MiB\"\nexclud = [\"x\"]\n";
        let err = c
            .apply_text(Path::new("t.toml"), text)
            .expect_err("unknown key");
        match err {
            ConfigError::Invalid(inv) => {
                assert!(inv.message.contains("exclud"), "{}", inv.message);
                let span = inv.span.expect("a span");
                assert_eq!(span.offset(), text.find("exclud").unwrap_or(0));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn layering_replaces_and_extends() {
        let mut c = Config::default();
        c.apply_text(
            Path::new("a.toml"),
            "exclude = [\"a/**\"]\nfail-on = \"warning\"\n[rules]\nS001 = \"warning\"\n",
        )
        .expect("ok");
        c.apply_text(
            Path::new("b.toml"),
            "extend-exclude = [\"b/**\"]\n[rules]\nS002 = \"off\"\n",
        )
        .expect("ok");
        assert_eq!(c.exclude.len(), 2);
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(
            c.rules.get("S001"),
            Some(&RuleSetting::On(Severity::Warning))
        );
        assert_eq!(c.rules.get("S002"), Some(&RuleSetting::Off));
    }
}
