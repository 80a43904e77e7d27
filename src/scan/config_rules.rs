//! The configuration rules' side of a scan: running them on one file of a known format
//! (reading the GitLab includes and compose env files it names from the scan's snapshot), and
//! settling the cross-file ones once every file is read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{LineIndex, Scanner};
use crate::detect::mask::{fingerprint, Snippet};
use crate::finding::{Finding, Problem};
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
    /// Missing-entity findings with the directory of their file.
    missing_entity: Vec<(String, Finding)>,
    /// Directories whose `wandb/settings` sets the entity.
    settings_dirs: Vec<String>,
    /// Secret uses (with a ready finding for each) for the shared-secret rule.
    secret_uses: Vec<(crate::checks::SecretUse, String, Finding)>,
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

/// The directory part of a display path (`""` for the root).
fn display_dir(path: &str) -> String {
    path.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string())
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
        hit: &crate::checks::ConfigHit,
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

    /// Runs the configuration rules on one file of a known format. Returns the findings
    /// ready now; cross-file ones are kept for `finish`.
    /// Runs the configuration rules on one file of a known format. A finding on a value that
    /// a secret rule also found (`secret_spans`) is not reported on its own: it comes back as
    /// a mention (position, text) for the secret finding.
    pub(super) fn config_file(
        &self,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        secret_spans: &[std::ops::Range<usize>],
    ) -> (Vec<Finding>, Vec<(usize, usize, String)>) {
        match crate::formats::Format::of(path) {
            Some(format) => self.config_file_as(path, abs, bytes, format, secret_spans, None),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn config_file_as(
        &self,
        path: &str,
        abs: &Path,
        bytes: &[u8],
        format: crate::formats::Format,
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
        let gitlab = format == crate::formats::Format::GitlabCi;
        let mut doc = if gitlab {
            let name = path.rsplit('/').next().unwrap_or(path);
            let main = name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml";
            let context: Vec<String> = match gitlab_context {
                Some(c) => c.to_vec(),
                None if main => {
                    // The files it includes hold templates and variables its jobs use (a
                    // file that cannot be read is reported when the include is settled).
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
                            bytes: bytes.to_vec(),
                            secret_spans: secret_spans.to_vec(),
                        });
                    }
                    return none;
                }
            };
            crate::formats::gitlab::read_with_context(text, &context, &self.config.yaml_limits())
        } else {
            crate::formats::read(format, text, &self.config.yaml_limits())
        };
        if let Some((message, offset)) = &doc.error {
            let lines = LineIndex::new(bytes);
            let (line, column) = lines.position(*offset);
            self.problem(Problem {
                level: Severity::Info,
                path: Some(path.to_string()),
                message: format!(
                    "cannot read `{path}` as {}: {message} (line {line}, column {column}); configuration rules skipped, secret rules ran on its text",
                    if format.is_yaml() { "YAML" } else { "its format" }
                ),
            });
        }
        let dir = display_dir(path);
        if let Ok(mut st) = self.config_state.lock() {
            if doc.settings_entity.is_some() {
                // `a/wandb/settings` covers the jobs run in `a`.
                st.settings_dirs.push(display_dir(&dir));
            }
            if gitlab && !doc.includes.is_empty() {
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
        // Env files named by compose: read them from the scan's snapshot if they are in the
        // repository; one that is not stays unknown content.
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
        let mut result = crate::checks::check(format, &doc);
        if let Some(registry) = &self.config.registry {
            result
                .hits
                .extend(crate::checks::registry_checks(path, &doc, registry));
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
        let missing: Vec<Finding> = match self.config_rule("missing-entity") {
            Some(rule) => result
                .missing_entity
                .iter()
                .filter_map(|h| self.config_finding(rule, path, abs, bytes, &lines, h))
                .collect(),
            None => Vec::new(),
        };
        let uses: Vec<(crate::checks::SecretUse, String, Finding)> =
            match self.config_rule("shared-secret") {
                Some(rule) => result
                    .secret_uses
                    .iter()
                    .filter_map(|u| {
                        let hit = crate::checks::ConfigHit {
                            check: "shared-secret",
                            span: u.span.clone(),
                            message: String::new(),
                            help: None,
                            mask: Vec::new(),
                            identity: format!("{}|{}", u.scope, u.secret),
                        };
                        let f = self.config_finding(rule, path, abs, bytes, &lines, &hit)?;
                        Some((u.clone(), path.to_string(), f))
                    })
                    .collect(),
                None => Vec::new(),
            };
        if let Ok(mut st) = self.config_state.lock() {
            st.missing_entity
                .extend(missing.into_iter().map(|f| (dir.clone(), f)));
            st.secret_uses.extend(uses);
        }
        (out, mentions)
    }

    /// Settles the cross-file configuration rules: local GitLab includes not read yet, the
    /// entity set by `wandb/settings` files, secrets shared across purposes.
    pub(super) fn settle_config(&self) {
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
            let (new, _) = self.config_file_as(
                shown,
                abs,
                bytes,
                crate::formats::Format::GitlabCi,
                &spans,
                Some(context),
            );
            if let Ok(mut f) = self.findings.lock() {
                f.extend(new);
            }
        };
        // Included files, read with the file that includes them, from the scan's snapshot.
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
        // GitLab files nothing includes: on their own.
        for d in &deferred {
            if !read.contains(&d.path) {
                read.push(d.path.clone());
                run(&d.path, &d.abs, &d.bytes, &[]);
            }
        }
        let Ok(mut st) = self.config_state.lock() else {
            return;
        };
        let settings = std::mem::take(&mut st.settings_dirs);
        let covered = |dir: &str| {
            settings
                .iter()
                .any(|d| d.is_empty() || dir == d || dir.starts_with(&format!("{d}/")))
        };
        let mut out: Vec<Finding> = std::mem::take(&mut st.missing_entity)
            .into_iter()
            .filter(|(dir, _)| !covered(dir))
            .map(|(_, f)| f)
            .collect();
        let mut uses = std::mem::take(&mut st.secret_uses);
        uses.sort_by(|a, b| {
            (&a.0.secret, &a.1, a.0.span.start).cmp(&(&b.0.secret, &b.1, b.0.span.start))
        });
        let mut i = 0;
        while i < uses.len() {
            let secret = uses.get(i).map(|u| u.0.secret.clone()).unwrap_or_default();
            let group: Vec<&(crate::checks::SecretUse, String, Finding)> = uses
                .iter()
                .skip(i)
                .take_while(|u| u.0.secret == secret)
                .collect();
            i += group.len().max(1);
            // Purposes over every scope the secret reaches (jobs sharing one line count each).
            let mut purposes: Vec<&str> = group.iter().filter_map(|u| u.0.purpose).collect();
            purposes.sort_unstable();
            purposes.dedup();
            if purposes.len() < 2 {
                continue;
            }
            let mut all: Vec<String> = group
                .iter()
                .map(|u| {
                    format!(
                        "{} in `{}` ({})",
                        u.0.scope,
                        u.1,
                        u.0.purpose.unwrap_or("other")
                    )
                })
                .collect();
            all.sort();
            all.dedup();
            // One finding per place the secret is referenced, naming the scopes it feeds there.
            let mut k = 0;
            while k < group.len() {
                let Some(first) = group.get(k) else { break };
                let here: Vec<&&(crate::checks::SecretUse, String, Finding)> = group
                    .iter()
                    .skip(k)
                    .take_while(|u| u.1 == first.1 && u.0.span == first.0.span)
                    .collect();
                k += here.len().max(1);
                let mut scopes: Vec<String> = here
                    .iter()
                    .map(|u| format!("{} ({})", u.0.scope, u.0.purpose.unwrap_or("other")))
                    .collect();
                scopes.dedup();
                let mut f = first.2.clone();
                f.message = format!(
                    "secret `{secret}` gives W&B credentials to automations with different purposes ({}); here it feeds {}",
                    purposes.join(", "),
                    scopes.join(", "),
                );
                f.help = Some(format!(
                    "create one service account per use case and a secret for each; the uses: {}",
                    all.join("; ")
                ));
                out.push(f);
            }
        }
        drop(st);
        if let Ok(mut f) = self.findings.lock() {
            f.extend(out);
        }
    }
}
