//! The configuration rules' side of a scan: running them on one file of a known format
//! (reading the GitLab includes and compose env files it names from the scan's snapshot), and
//! settling the cross-file ones once every file is read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{LineIndex, Scanner};
use crate::checks::{missing_entity, shared_secret, ConfigHit};
use crate::detect::mask::{fingerprint, Snippet};
use crate::finding::{Finding, Problem};
use crate::formats::shell::{self, Runs};
use crate::formats::{ConfigDoc, Format, Scope, API_KEY, ENTITY, TOKEN_FILE};
use crate::rules::{Rule, Severity};

/// Adds a file's configuration findings to its secret findings. One location, one finding: a
/// configuration finding on a value a secret rule found is only mentioned in the secret
/// finding (and goes away with it when that one is suppressed).
pub(super) fn merge_config(
    findings: &mut Vec<Finding>,
    config: Vec<Finding>,
    mentions: &[(usize, usize, String)],
) {
    // The secret findings of each line, by column: a mention looks at its own line only.
    let mut by_line: std::collections::HashMap<usize, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.rule.kind == crate::rules::Kind::Secret {
            if let Some(l) = &f.location {
                by_line.entry(l.line).or_default().push(i);
            }
        }
    }
    for on_line in by_line.values_mut() {
        on_line.sort_by_key(|i| {
            findings
                .get(*i)
                .and_then(|f| f.location.as_ref())
                .map(|l| l.column)
        });
    }
    for (line, column, text) in mentions {
        // Secret findings on one line do not overlap: sorted by column, their ends are sorted
        // too, and the first one ending after `column` is the only candidate.
        let end_of = |i: &usize| {
            findings
                .get(*i)
                .and_then(|f| f.location.as_ref())
                .map_or(0, |l| l.end_column)
        };
        let target = by_line.get(line).and_then(|on_line| {
            let k = on_line.partition_point(|i| end_of(i) <= *column);
            on_line.get(k).copied().filter(|i| {
                findings
                    .get(*i)
                    .and_then(|f| f.location.as_ref())
                    .is_some_and(|l| l.column <= *column + 2 && *column < l.end_column)
            })
        });
        if let Some(f) = target.and_then(|i| findings.get_mut(i)) {
            f.message.push_str(&format!(" ({text})"));
        }
    }
    findings.extend(config);
}

/// Whether `span` overlaps one of `spans`, which are sorted by start and disjoint (a
/// detector's hits): a binary search, not a scan of every span.
fn overlaps_any(spans: &[std::ops::Range<usize>], span: &std::ops::Range<usize>) -> bool {
    let i = spans.partition_point(|s| s.start < span.end);
    i.checked_sub(1)
        .and_then(|j| spans.get(j))
        .is_some_and(|s| span.start < s.end)
}

/// What the configuration rules settle once every file is read.
#[derive(Default)]
pub(super) struct ConfigState {
    /// C001's findings and the `wandb/settings` files that may cover them.
    missing_entity: missing_entity::Pending,
    /// Secret uses (with a ready finding for each) for C005.
    secret_uses: Vec<shared_secret::Use>,
    /// GitLab local includes, read once every file is scanned.
    includes: Vec<Include>,
    /// GitLab CI files that are not a pipeline's main file (`.gitlab/ci/*.yml`): read once
    /// every include is known, with the file that includes them.
    gitlab_deferred: Vec<Deferred>,
}

/// A GitLab `include: local:` seen in a file.
struct Include {
    /// The including file's display path, absolute path and text.
    from: String,
    from_abs: PathBuf,
    from_text: Arc<String>,
    /// The path as written (leading `/` removed).
    name: String,
}

/// A GitLab CI file whose configuration rules wait for the file that includes it.
struct Deferred {
    path: String,
    abs: PathBuf,
    bytes: Vec<u8>,
    /// The spans secret rules found in it.
    secret_spans: Vec<std::ops::Range<usize>>,
}

impl Scanner<'_> {
    fn config_rule(&self, check: &str) -> Option<&Arc<Rule>> {
        self.config_rules
            .iter()
            .find(|(c, _)| *c == check)
            .map(|(_, r)| r)
    }

    /// A configuration finding, unless suppressed.
    fn config_finding(
        &self,
        rule: &Arc<Rule>,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        lines: &LineIndex<'_>,
        hit: &ConfigHit,
    ) -> Option<Finding> {
        let fp = fingerprint(&rule.id, format!("{path}|{}", hit.identity).as_bytes());
        let (span, loc) = lines.locate(path, &hit.span);
        let line0 = loc.line.saturating_sub(1);
        if self.suppressed(path, abs, lines, rule, &fp, line0) {
            return None;
        }
        let snippet = Snippet::new(
            path,
            bytes,
            span,
            line0,
            loc.column.saturating_sub(1),
            &hit.mask,
        );
        Some(Finding::located(
            rule,
            hit.message.clone(),
            loc,
            fp,
            snippet,
            hit.help.clone(),
        ))
    }

    /// Runs the configuration rules on one file of a known format. A finding on a value that
    /// a secret rule also found (`secret_spans`) is not reported on its own: it comes back as
    /// a mention (position, text) for the secret finding. Cross-file findings are kept for
    /// `settle_config`. A notebook is checked to be JSON (see [`Scanner::check_notebook`]).
    /// `may_name_wandb` is `false` when the file names W&B in no case (the secret detector's
    /// keyword prefilter saw to that): only a file that needs no mention of W&B to be judged
    /// (`wandb/settings`, a compose file's `env_file`, see [`crate::formats::worth_parsing`])
    /// is read then.
    pub(super) fn config_file(
        &self,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        secret_spans: &[std::ops::Range<usize>],
        may_name_wandb: bool,
    ) -> (Vec<Finding>, Vec<(usize, usize, String)>) {
        let format = Format::of(path).or_else(|| Format::sniff(path, bytes));
        let judged_unnamed = matches!(format, Some(Format::WandbSettings | Format::Compose));
        if !may_name_wandb && !judged_unnamed {
            return (Vec::new(), Vec::new());
        }
        match format {
            Some(format) => self.config_file_as(path, abs, bytes, format, secret_spans, None),
            None => {
                self.check_notebook(path, bytes);
                (Vec::new(), Vec::new())
            }
        }
    }

    /// A `.ipynb` that mentions W&B but is not JSON (a bad merge, a truncated save): a
    /// warning naming the file and where it breaks. Its text was scanned by the secret rules
    /// all the same.
    fn check_notebook(&self, path: &str, bytes: &[u8]) {
        if !path.to_ascii_lowercase().ends_with(".ipynb") || !crate::formats::mentions_wandb(bytes)
        {
            return;
        }
        let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) else {
            return;
        };
        let full = e.to_string();
        let at = format!(" at line {} column {}", e.line(), e.column());
        let why = full.strip_suffix(&at).unwrap_or(&full);
        self.problem(Problem {
            level: Severity::Warning,
            path: Some(path.to_string()),
            message: format!(
                "cannot read notebook `{path}`: not valid JSON: {why} (line {}, column {}); secret rules ran on its text",
                e.line(),
                e.column()
            ),
        });
    }

    fn config_file_as(
        &self,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        format: Format,
        secret_spans: &[std::ops::Range<usize>],
        gitlab_context: Option<&[String]>,
    ) -> (Vec<Finding>, Vec<(usize, usize, String)>) {
        let none = (Vec::new(), Vec::new());
        if self.config_rules.is_empty()
            || !crate::formats::worth_parsing(format, bytes, self.config.registry.is_some())
        {
            return none;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            return none;
        };
        let Some(mut doc) = self.read_doc(path, abs, text, format, secret_spans, gitlab_context)
        else {
            return none;
        };
        if let Some((message, offset)) = &doc.error {
            self.unreadable_doc(path, text, format, message, *offset);
        }
        self.note_cross_file(path, abs, text, format, &doc);
        self.read_env_files(path, abs, &mut doc);
        self.follow_scripts(path, abs, format, &mut doc);
        self.judge(path, abs, bytes, format, &doc, secret_spans)
    }

    /// A configuration file that could not be read: a note, or, when it names W&B variables
    /// (its configuration rules could not check how it handles W&B credentials), a warning the
    /// summary counts, or an error that fails the run (`unreadable-wandb-config`).
    fn unreadable_doc(&self, path: &str, text: &str, format: Format, message: &str, at: usize) {
        let (line, column) = LineIndex::new(text.as_bytes()).position(at);
        let what = if format.is_yaml() {
            "YAML"
        } else {
            "its format"
        };
        let head =
            format!("cannot read `{path}` as {what}: {message} (line {line}, column {column})");
        let names = wandb_variables(text);
        if names.is_empty() {
            self.problem(Problem {
                level: Severity::Info,
                path: Some(path.to_string()),
                message: format!(
                    "{head}; configuration rules skipped, secret rules ran on its text"
                ),
            });
            return;
        }
        let mut shown: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
        if names.len() > 3 {
            shown.push(format!("{} more", names.len() - 3));
        }
        let message = format!(
            "{head}; configuration rules skipped, secret rules ran on its text; it names W&B variables ({}), so how it handles them was not checked",
            shown.join(", ")
        );
        if let Ok(mut s) = self.summary.lock() {
            s.unreadable_wandb_configs += 1;
        }
        if self.config.unreadable_wandb_config == crate::config::Unreadable::Fail {
            let message = format!(
                "{message}; the run fails (`unreadable-wandb-config`: `fail`, the default in CI mode)"
            );
            crate::source::Visitor::unread(self, path, message);
        } else {
            self.problem(Problem {
                level: Severity::Warning,
                path: Some(path.to_string()),
                message,
            });
        }
    }

    /// The file's configuration model. A GitLab CI file is read with the files it includes
    /// (`gitlab_context`, or read here for a pipeline's main file); any other GitLab file waits
    /// for the file that includes it (`None`).
    fn read_doc(
        &self,
        path: &str,
        abs: &Path,
        text: &str,
        format: Format,
        secret_spans: &[std::ops::Range<usize>],
        gitlab_context: Option<&[String]>,
    ) -> Option<ConfigDoc> {
        if format != Format::GitlabCi {
            let helm = format == Format::HelmTemplate
                || (format == Format::Kubernetes && crate::formats::helm::claims(text));
            let values = if helm {
                self.chart_values(path, abs)
            } else {
                Vec::new()
            };
            return Some(crate::formats::read_in_chart(
                format,
                text,
                &values,
                &self.config.yaml_limits(),
            ));
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let main = name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml";
        let context: Vec<String> = match gitlab_context {
            Some(c) => c.to_vec(),
            None if main => {
                // The files it includes hold templates and variables its jobs use (a file
                // that cannot be read is reported when the include is settled).
                crate::formats::gitlab::read(text, &self.config.yaml_limits())
                    .includes
                    .iter()
                    .filter_map(|inc| self.snapshot.named(path, abs, inc).ok())
                    .filter_map(|n| String::from_utf8(n.bytes).ok())
                    .collect()
            }
            None => {
                // Read later, with the file that includes it.
                if let Ok(mut st) = self.config_state.lock() {
                    st.gitlab_deferred.push(Deferred {
                        path: path.to_string(),
                        abs: abs.to_path_buf(),
                        bytes: text.as_bytes().to_vec(),
                        secret_spans: secret_spans.to_vec(),
                    });
                }
                return None;
            }
        };
        Some(crate::formats::gitlab::read_with_context(
            text,
            &context,
            &self.config.yaml_limits(),
        ))
    }

    /// The values files of the Helm chart the template at `path` belongs to: the folder above
    /// a `templates/` of its path (the innermost) that holds `Chart.yaml`, and in it
    /// `values.yaml` and `values.yml`, read from the scan's snapshot (inside the repository
    /// only; a file that cannot be read is left out).
    fn chart_values(&self, path: &str, abs: &Path) -> Vec<crate::formats::helm::Values> {
        let parts: Vec<&str> = path.split('/').collect();
        let limits = self.config.yaml_limits();
        for i in (0..parts.len().saturating_sub(1)).rev() {
            if parts.get(i) != Some(&"templates") {
                continue;
            }
            // From the template's folder up to the folder that holds `templates/`.
            let up = "../".repeat(parts.len() - 1 - i);
            if self
                .snapshot
                .named(path, abs, &format!("{up}Chart.yaml"))
                .is_err()
            {
                continue;
            }
            return ["values.yaml", "values.yml"]
                .iter()
                .filter_map(|name| self.snapshot.named(path, abs, &format!("{up}{name}")).ok())
                .filter_map(|n| {
                    let text = std::str::from_utf8(&n.bytes).ok()?;
                    Some(crate::formats::helm::Values::parse(
                        &n.display, text, &limits,
                    ))
                })
                .collect();
        }
        Vec::new()
    }

    /// Records what other files need of this one: the entity a `wandb/settings` sets, the
    /// local files a GitLab CI file includes.
    fn note_cross_file(&self, path: &str, abs: &Path, text: &str, format: Format, doc: &ConfigDoc) {
        let Ok(mut st) = self.config_state.lock() else {
            return;
        };
        if doc.settings_entity.is_some() {
            st.missing_entity.settings_file(path);
        }
        if format == Format::GitlabCi && !doc.includes.is_empty() {
            let from_text = Arc::new(text.to_string());
            for inc in &doc.includes {
                st.includes.push(Include {
                    from: path.to_string(),
                    from_abs: abs.to_path_buf(),
                    from_text: Arc::clone(&from_text),
                    name: inc.clone(),
                });
            }
        }
    }

    /// Env files named by compose: read from the scan's snapshot if they are in the
    /// repository; one that is not stays unknown content.
    fn read_env_files(&self, path: &str, abs: &Path, doc: &mut ConfigDoc) {
        for scope in &mut doc.scopes {
            let mut known = Vec::new();
            scope.unknown.retain(|u| {
                let Some(file) = &u.file else { return true };
                let read = self.snapshot.named(path, abs, file);
                let text = match &read {
                    Ok(n) => std::str::from_utf8(&n.bytes).ok(),
                    Err(_) => None,
                };
                match (text, &read) {
                    (_, Err(e)) => {
                        if !e.is_missing() {
                            self.problem(Problem {
                                level: Severity::Warning,
                                path: Some(path.to_string()),
                                message: format!("env_file in `{path}`: {e}"),
                            });
                        }
                        true
                    }
                    (None, Ok(n)) => {
                        self.problem(Problem {
                            level: Severity::Warning,
                            path: Some(path.to_string()),
                            message: format!(
                                "env_file in `{path}`: `{}` is not UTF-8 text: it is not read",
                                n.display
                            ),
                        });
                        true
                    }
                    (Some(t), Ok(_)) => {
                        for mut v in crate::formats::text::read_dotenv(t)
                            .scopes
                            .into_iter()
                            .flat_map(|s| s.vars)
                        {
                            v.origin = format!("env_file `{file}`");
                            v.name_span = u.span.clone();
                            v.value_span = u.span.clone();
                            known.push(v);
                        }
                        false
                    }
                }
            });
            // An env file's variables come before `environment` ones, which override them.
            known.append(&mut scope.vars);
            scope.vars = known;
        }
    }

    /// C001's view of the repository files a CI file's commands run (`python train.py`,
    /// `python -m pkg.train`, `bash run.sh` and the Python it runs, one level): read from the
    /// scan's snapshot, relative to the checkout (and the step's working directory); a scope
    /// whose script passes the entity counts as setting it, and so does the rest of its job
    /// for a credential the job gives every step.
    fn follow_scripts(&self, path: &str, abs: &Path, format: Format, doc: &mut ConfigDoc) {
        let Some(root) = checkout_root(path, format) else {
            return;
        };
        if doc.entity_in_code {
            return;
        }
        let mut reader = ScriptReader {
            scanner: self,
            path,
            abs,
            up: "../".repeat(path.get(root.len()..).unwrap_or("").matches('/').count()),
            read: HashMap::new(),
        };
        for scope in &mut doc.scopes {
            if !needs_entity(scope) {
                continue;
            }
            let base = match scope.workdir.as_deref() {
                None => String::new(),
                Some(d) if plain_dir(d) => shell::join_dir("", d),
                Some(_) => continue,
            };
            scope.entity_in_script = scope
                .commands
                .iter()
                .flat_map(|c| shell::scripts_run(&c.script))
                .any(|r| reader.passes(&shell::join_dir(&base, &r.dir), &r.runs, true));
        }
        let jobs: Vec<usize> = doc
            .scopes
            .iter()
            .filter(|s| s.entity_in_script)
            .filter_map(|s| s.job)
            .collect();
        for s in &mut doc.scopes {
            if s.job.is_some_and(|j| jobs.contains(&j)) {
                s.entity_elsewhere = true;
            }
        }
    }

    /// Runs the checks on the file's model: returns its findings and mentions, keeps the
    /// cross-file ones (C001, C005) for `settle_config`.
    fn judge(
        &self,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        format: Format,
        doc: &ConfigDoc,
        secret_spans: &[std::ops::Range<usize>],
    ) -> (Vec<Finding>, Vec<(usize, usize, String)>) {
        let mut result = crate::checks::check(format, doc);
        if let Some(registry) = &self.config.registry {
            result
                .hits
                .extend(crate::checks::registry_checks(format, path, doc, registry));
        }
        let lines = LineIndex::new(bytes);
        let sorted_secrets = crate::detect::mask::sorted_disjoint(secret_spans.iter().cloned());
        let mut out = Vec::new();
        let mut mentions = Vec::new();
        for hit in &result.hits {
            let Some(rule) = self.config_rule(hit.check) else {
                continue;
            };
            let on_secret = overlaps_any(&sorted_secrets, &hit.span);
            if on_secret {
                let (line, column) = lines.position(hit.span.start);
                mentions.push((
                    line,
                    column,
                    format!("also {} {}: {}", rule.id, rule.name, hit.message),
                ));
                continue;
            }
            out.extend(self.config_finding(rule, path, abs, bytes, &lines, hit));
        }
        for note in result.incomplete {
            self.problem(Problem {
                level: Severity::Info,
                path: Some(path.to_string()),
                message: format!("`{path}`: {note}"),
            });
        }
        let missing: Vec<Finding> = match self.config_rule(missing_entity::CHECK.name) {
            Some(rule) => result
                .missing_entity
                .iter()
                .filter_map(|h| self.config_finding(rule, path, abs, bytes, &lines, h))
                .collect(),
            None => Vec::new(),
        };
        let uses: Vec<shared_secret::Use> = match self.config_rule(shared_secret::CHECK.name) {
            Some(rule) => result
                .secret_uses
                .iter()
                .filter_map(|u| {
                    let hit = shared_secret::hit_of(u);
                    let f = self.config_finding(rule, path, abs, bytes, &lines, &hit)?;
                    Some((u.clone(), path.to_string(), f))
                })
                .collect(),
            None => Vec::new(),
        };
        if let Ok(mut st) = self.config_state.lock() {
            st.missing_entity.add(path, missing);
            st.secret_uses.extend(uses);
        }
        (out, mentions)
    }

    /// Settles the cross-file configuration rules: local GitLab includes not read yet, then
    /// C001 (the entity set by `wandb/settings` files) and C005 (secrets shared across
    /// purposes), each by its check's `settle`.
    pub(super) fn settle_config(&self) {
        self.settle_gitlab();
        let Ok(mut st) = self.config_state.lock() else {
            return;
        };
        let mut out = missing_entity::settle(std::mem::take(&mut st.missing_entity));
        out.extend(shared_secret::settle(std::mem::take(&mut st.secret_uses)));
        drop(st);
        if let Ok(mut f) = self.findings.lock() {
            f.extend(out);
        }
    }

    /// Reads the GitLab files that wait for their includer: included files with the file that
    /// includes them, from the scan's snapshot, then the ones nothing includes on their own.
    fn settle_gitlab(&self) {
        let (includes, deferred) = match self.config_state.lock() {
            Ok(mut st) => (
                std::mem::take(&mut st.includes),
                std::mem::take(&mut st.gitlab_deferred),
            ),
            Err(_) => return,
        };
        let mut read: Vec<String> = Vec::new();
        let run = |shown: &str, abs: &Path, bytes: &[u8], context: &[String]| {
            let spans = deferred
                .iter()
                .find(|d| d.path == shown)
                .map(|d| d.secret_spans.clone())
                .unwrap_or_default();
            let (new, _) =
                self.config_file_as(shown, abs, bytes, Format::GitlabCi, &spans, Some(context));
            if let Ok(mut f) = self.findings.lock() {
                f.extend(new);
            }
        };
        for inc in &includes {
            let named = match self.snapshot.named(&inc.from, &inc.from_abs, &inc.name) {
                Ok(n) => n,
                Err(e) => {
                    self.problem(Problem {
                        level: if e.is_missing() {
                            Severity::Info
                        } else {
                            Severity::Warning
                        },
                        path: Some(inc.from.clone()),
                        message: format!("GitLab include in `{}`: {e}", inc.from),
                    });
                    continue;
                }
            };
            if read.contains(&named.display) {
                continue;
            }
            read.push(named.display.clone());
            let context = [inc.from_text.as_ref().clone()];
            // A file the scan read already is taken as read (the same snapshot).
            match deferred.iter().find(|d| d.path == named.display) {
                Some(d) => run(&d.path, &d.abs, &d.bytes, &context),
                None => run(&named.display, &named.abs, &named.bytes, &context),
            }
        }
        for d in &deferred {
            if !read.contains(&d.path) {
                read.push(d.path.clone());
                run(&d.path, &d.abs, &d.bytes, &[]);
            }
        }
    }
}

/// The most repository files one CI file's commands make the scan read for C001.
const MAX_SCRIPTS: usize = 32;

/// Where a CI file's commands start, as a display-path prefix (`""` or `dir/`): the checkout
/// its jobs run in. GitHub: the folder that holds `.github/`; GitLab: the folder of
/// `.gitlab-ci.yml` (or the one that holds `.gitlab/`); Jenkins: the Jenkinsfile's folder.
/// Other formats run their commands in images or pods, not in the repository.
fn checkout_root(path: &str, format: Format) -> Option<&str> {
    let above = |marker: &str| {
        path.rfind(&format!("/{marker}/"))
            .and_then(|i| path.get(..=i))
            .or_else(|| path.starts_with(&format!("{marker}/")).then_some(""))
    };
    let own_dir = || path.rfind('/').and_then(|i| path.get(..=i)).or(Some(""));
    match format {
        Format::GithubWorkflow | Format::GithubAction => above(".github"),
        Format::GitlabCi => above(".gitlab").or_else(own_dir),
        Format::Jenkinsfile => own_dir(),
        _ => None,
    }
}

/// A working directory that can be followed: relative, nothing to expand.
fn plain_dir(d: &str) -> bool {
    let d = d.trim();
    !d.is_empty() && !d.starts_with(['/', '\\', '~']) && !d.contains(['$', '`', ':'])
}

/// A scope C001 would judge as missing the entity: it receives a credential, sets no entity
/// and its own commands pass none.
fn needs_entity(scope: &Scope) -> bool {
    let set = |name: &str| scope.var(name).is_some_and(|v| v.value.is_set());
    scope.entity_checked
        && !set(ENTITY)
        && (set(API_KEY)
            || set(TOKEN_FILE)
            || scope.commands.iter().any(|c| !c.logins().is_empty()))
        && !scope.commands.iter().any(|c| c.passes_entity())
}

/// Reads the files one CI file's commands run, each once.
struct ScriptReader<'s, 'a> {
    scanner: &'s Scanner<'a>,
    /// The CI file, display and absolute path.
    path: &'s str,
    abs: &'s Path,
    /// From the CI file's folder up to the checkout (`../../` for a workflow).
    up: String,
    /// What was read, by checkout-relative path: the text, or `None` (absent, refused).
    read: HashMap<String, Option<Arc<str>>>,
}

impl ScriptReader<'_, '_> {
    /// Whether the file `runs` names, run from `dir` (checkout-relative), passes the entity.
    /// A shell script counts when it sets or passes the entity itself, or (with
    /// `follow_shell`) when a Python file it runs does, from the same directory or its own.
    fn passes(&mut self, dir: &str, runs: &Runs, follow_shell: bool) -> bool {
        for candidate in runs.candidates() {
            let rel = shell::join_dir(dir, &candidate);
            let Some(text) = self.text(&rel) else {
                continue;
            };
            let Runs::Shell(_) = runs else {
                return shell::code_passes_entity(&text);
            };
            let script = shell::Script::parse_file(&shell::View::at(&text, 0));
            if shell::passes_entity(&script) {
                return true;
            }
            if !follow_shell {
                return false;
            }
            let own = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            return shell::scripts_run(&script).iter().any(|r| {
                !matches!(r.runs, Runs::Shell(_))
                    && [dir, own.as_str()]
                        .iter()
                        .any(|d| self.passes(&shell::join_dir(d, &r.dir), &r.runs, false))
            });
        }
        false
    }

    /// The text of the checkout-relative file `rel`, from the scan's snapshot. A file that
    /// is absent, outside the repository or not read for a reason of its own (too large, a
    /// symlink out, binary: an info note) is `None`.
    fn text(&mut self, rel: &str) -> Option<Arc<str>> {
        if let Some(known) = self.read.get(rel) {
            return known.clone();
        }
        if self.read.len() >= MAX_SCRIPTS || rel.starts_with("../") || rel == ".." {
            return None;
        }
        let name = format!("{}{rel}", self.up);
        let got = match self.scanner.snapshot.named(self.path, self.abs, &name) {
            Ok(n) => String::from_utf8(n.bytes).ok().map(Arc::from),
            Err(e) => {
                use crate::source::named::NamedError;
                if !matches!(
                    e,
                    NamedError::Missing(..) | NamedError::Absolute(_) | NamedError::Outside(_)
                ) {
                    self.scanner.problem(Problem {
                        level: Severity::Info,
                        path: Some(self.path.to_string()),
                        message: format!(
                            "script run in `{}`: {e}; the missing-entity check counts it as not passing the entity",
                            self.path
                        ),
                    });
                }
                None
            }
        };
        self.read.insert(rel.to_string(), got.clone());
        got
    }
}

/// The W&B environment variables a text names (`WANDB_API_KEY`, `WANDB_ENTITY`, ...), each
/// once, in order of first mention.
fn wandb_variables(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices("WANDB_") {
        let rest = text.get(at..).unwrap_or("");
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        let name = rest.get(..len).unwrap_or("");
        if name.len() > "WANDB_".len() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}
