//! C001 `missing-entity`: a W&B credential enters a scope and no `WANDB_ENTITY` is in effect,
//! so runs go to the account's default entity. Settled across files: a `wandb/settings` that
//! sets the entity covers the jobs run in its directory, and a repository script a scope runs
//! that passes the entity covers the scope (the scanner reads it: `Scope::entity_in_script`).

use std::ops::Range;

use super::scope::{entry_label, origin_note, ConfigHit, FileChecks, ScopeInput};
use super::{Check, Run};
use crate::finding::Finding;
use crate::formats::{API_KEY, ENTITY, TOKEN_FILE};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "missing-entity",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

/// Judges one scope: its findings wait in `out.missing_entity` for [`settle`]; a scope whose
/// entity may come from a source of unknown content gives a note instead.
fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    let scope = input.scope;
    if !scope.entity_checked {
        return;
    }
    // A script's shell variable that is never exported reaches no program it runs.
    let exported = |v: &&crate::formats::Var| !v.origin.ends_with("(not exported)");
    let (key, token) = (input.key().filter(exported), input.token().filter(exported));
    let entry: Option<(Range<usize>, String, String)> = if let Some(v) = key {
        Some((
            v.name_span.clone(),
            format!("`{API_KEY}`{}", origin_note(&scope.label, &v.origin)),
            entry_label(scope, &v.origin),
        ))
    } else if let Some(v) = token {
        Some((
            v.name_span.clone(),
            format!("`{TOKEN_FILE}`{}", origin_note(&scope.label, &v.origin)),
            entry_label(scope, &v.origin),
        ))
    } else {
        input.login().map(|(_, l)| {
            (
                l.span.clone(),
                "`wandb login`".to_string(),
                scope.label.clone(),
            )
        })
    };
    let own_step = key.or(token).is_some_and(|v| v.origin.starts_with("step "));
    let entity = scope
        .var(ENTITY)
        .filter(exported)
        .is_some_and(|v| v.value.is_set())
        || scope.commands.iter().any(|c| c.passes_entity())
        || scope.entity_in_script
        || (scope.entity_elsewhere && !own_step)
        || input.doc.entity_in_code;
    let (Some((span, what, label)), false) = (entry, entity) else {
        return;
    };
    if scope.unknown.is_empty() {
        let hit = ConfigHit {
            check: CHECK.name,
            span,
            message: format!(
                "{label} receives a W&B credential through {what} but no `{ENTITY}` is in effect: runs go to the account's default entity"
            ),
            help: Some(format!("set the team explicitly:\n{}", scope.entity_hint)),
            mask: Vec::new(),
            identity: format!("{label}|{what}"),
        };
        // One finding per scope the credential enters (steps of one job are one).
        if !out
            .missing_entity
            .iter()
            .any(|h| h.span == hit.span && h.identity == hit.identity)
        {
            out.missing_entity.push(hit);
        }
    } else {
        let sources: Vec<String> = scope.unknown.iter().map(|u| u.what.clone()).collect();
        out.incomplete.push(format!(
            "{label}: `{ENTITY}` may come from {} (contents unknown); the missing-entity check could not be completed",
            sources.join(", ")
        ));
    }
}

/// The directory part of a display path (`""` for the root).
pub fn display_dir(path: &str) -> String {
    path.rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string())
}

/// What C001 keeps across the files of a scan.
#[derive(Debug, Default)]
pub struct Pending {
    /// Findings, with the directory of their file.
    findings: Vec<(String, Finding)>,
    /// Directories whose `wandb/settings` sets the entity.
    settings_dirs: Vec<String>,
}

impl Pending {
    /// Records the findings of the file at display path `path`.
    pub fn add(&mut self, path: &str, findings: Vec<Finding>) {
        let dir = display_dir(path);
        self.findings
            .extend(findings.into_iter().map(|f| (dir.clone(), f)));
    }

    /// Records that the `wandb/settings` file at display path `path` sets the entity: it covers
    /// the jobs run in the directory that holds its `wandb` folder.
    pub fn settings_file(&mut self, path: &str) {
        self.settings_dirs.push(display_dir(&display_dir(path)));
    }
}

/// The findings no `wandb/settings` covers.
pub fn settle(pending: Pending) -> Vec<Finding> {
    let settings = pending.settings_dirs;
    let covered = |dir: &str| {
        settings
            .iter()
            .any(|d| d.is_empty() || dir == d || dir.starts_with(&format!("{d}/")))
    };
    pending
        .findings
        .into_iter()
        .filter(|(dir, _)| !covered(dir))
        .map(|(_, f)| f)
        .collect()
}
