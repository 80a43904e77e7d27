//! GitLab CI: global `variables` and `default` → the `extends` chain (hidden `.template`
//! jobs, YAML anchors and merge keys) → job `variables`. Each job is a scope. Local includes
//! are listed so the scanner can read them as GitLab files too.

use crate::yaml::tree::Node;

use super::{load_yaml, yaml_commands, yaml_vars, Command, ConfigDoc, Scope, Var};
use crate::yaml::tree::{self, Src};
use crate::yaml::{ByteSpan, Limits};

/// Top-level keys that are not jobs.
const RESERVED: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "types",
    "pages:deploy",
];

const HINT: &str = "variables:\n  WANDB_ENTITY: <team>   # in the job, or the global variables";

/// How many `extends` hops are followed.
const EXTENDS_DEPTH: usize = 10;

/// Reads one GitLab CI file on its own.
pub fn read(text: &str, limits: &Limits) -> ConfigDoc {
    read_with_context(text, &[], limits)
}

/// Reads one GitLab CI file as part of a pipeline whose other files are `context` (the file
/// that includes it, or the files it includes): GitLab merges them into one configuration, so
/// their global `variables` and their templates (for `extends`) apply here too. Findings stay
/// in this file: a variable that comes from another file is located at the job it reaches.
pub fn read_with_context(text: &str, context: &[String], limits: &Limits) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let idx = Src(text);
    let mut ignored = ConfigDoc::default();
    let others: Vec<(Node, &str)> = context
        .iter()
        .flat_map(|t| {
            load_yaml(t, &mut ignored, limits)
                .into_iter()
                .map(move |d| (d, t.as_str()))
        })
        .collect();
    for root in load_yaml(text, &mut doc, limits) {
        read_root(&root, &idx, &others, &mut doc);
    }
    doc
}

fn includes(root: &Node) -> Vec<String> {
    let Some(inc) = tree::get(root, "include") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut one = |n: &Node| {
        if let Some(s) = tree::scalar_text(n) {
            if !s.contains("://") {
                out.push(s.trim_start_matches('/').to_string());
            }
        } else if let Some(l) = tree::get(n, "local").and_then(tree::scalar_text) {
            out.push(l.trim_start_matches('/').to_string());
        }
    };
    match tree::items(inc) {
        Some(items) => items.iter().for_each(&mut one),
        None => one(inc),
    }
    out
}

/// Where a template is defined: this file, or the `n`th other file of the pipeline.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Here,
    Other(usize),
}

/// A top-level entry by name, in this file first, then in the others.
fn lookup<'n>(
    root: &'n Node,
    others: &'n [(Node, &str)],
    name: &str,
) -> Option<(&'n Node, Origin)> {
    tree::get(root, name)
        .map(|n| (n, Origin::Here))
        .or_else(|| {
            others
                .iter()
                .enumerate()
                .find_map(|(i, (r, _))| tree::get(r, name).map(|n| (n, Origin::Other(i))))
        })
}

/// The jobs a job extends, nearest last (so later variables override earlier ones).
fn chain<'n>(
    root: &'n Node,
    others: &'n [(Node, &str)],
    job: &'n Node,
    depth: usize,
    out: &mut Vec<(&'n Node, Origin)>,
) {
    if depth >= EXTENDS_DEPTH {
        return;
    }
    let Some(ext) = tree::get(job, "extends") else {
        return;
    };
    let names: Vec<String> = match tree::items(ext) {
        Some(items) => items.iter().filter_map(tree::scalar_text).collect(),
        None => tree::scalar_text(ext).into_iter().collect(),
    };
    for name in names {
        if let Some((base, origin)) = lookup(root, others, &name) {
            if out.iter().any(|(b, _)| std::ptr::eq(*b, base)) {
                continue;
            }
            chain(root, others, base, depth + 1, out);
            out.push((base, origin));
        }
    }
}

fn triggers(job: &Node, idx: &Src<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["rules", "only"] {
        if let Some(n) = tree::get(job, key) {
            let text = idx.slice(&idx.span(n));
            if text.contains("schedule") {
                out.push("schedule".to_string());
            }
            if text.contains("merge_request") {
                out.push("merge_request".to_string());
            }
            if text.contains("push") || text.contains("branches") {
                out.push("push".to_string());
            }
        }
    }
    if out.is_empty() {
        out.push("push".to_string());
    }
    out
}

/// Variables of a node that may come from another file: read with that file's positions,
/// then placed at `at` (the job in this file) with the other file named in the origin.
fn vars_from(
    node: &Node,
    origin: Origin,
    idx: &Src<'_>,
    others: &[(Node, &str)],
    label: &str,
    at: &ByteSpan,
) -> Vec<Var> {
    match origin {
        Origin::Here => yaml_vars(node, idx, label),
        Origin::Other(i) => {
            let text = others.get(i).map_or("", |(_, t)| *t);
            let other_idx = Src(text);
            yaml_vars(node, &other_idx, &format!("{label} of an included file"))
                .into_iter()
                .map(|mut v| {
                    v.name_span = at.clone();
                    v.value_span = at.clone();
                    v
                })
                .collect()
        }
    }
}

fn read_root(root: &Node, idx: &Src<'_>, others: &[(Node, &str)], doc: &mut ConfigDoc) {
    doc.includes.extend(includes(root));
    let default = tree::get(root, "default");
    let mut default_cmds: Vec<Command> = Vec::new();
    for key in ["before_script", "after_script"] {
        for src in [default, Some(root)].into_iter().flatten() {
            if let Some(n) = tree::get(src, key) {
                default_cmds.extend(yaml_commands(n, idx));
            }
        }
    }
    let Some(entries) = tree::mapping(root) else {
        return;
    };
    for (name, key, job) in entries {
        if name.starts_with('.')
            || RESERVED.contains(&name.as_str())
            || tree::mapping(job).is_none()
        {
            continue;
        }
        let mut layers = Vec::new();
        chain(root, others, job, 0, &mut layers);
        layers.push((job, Origin::Here));
        let is_job = layers.iter().any(|(l, _)| {
            ["script", "trigger", "run"]
                .iter()
                .any(|k| tree::get(l, k).is_some())
        });
        if !is_job {
            continue;
        }
        let key_span = idx.span(key);
        let mut scope = Scope::new(format!("job `{name}`"), key_span.clone(), HINT);
        // Global variables of the other files first; this file's own override them.
        for (i, (other, _)) in others.iter().enumerate() {
            if let Some(v) = tree::get(other, "variables") {
                scope.vars.extend(vars_from(
                    v,
                    Origin::Other(i),
                    idx,
                    others,
                    "global variables",
                    &key_span,
                ));
            }
        }
        if let Some(v) = tree::get(root, "variables") {
            scope.vars.extend(yaml_vars(v, idx, "global variables"));
        }
        let count = layers.len();
        for (i, (layer, origin)) in layers.iter().enumerate() {
            if let Some(v) = tree::get(layer, "variables") {
                let label = if i + 1 == count {
                    "job variables"
                } else {
                    "variables of an extended template"
                };
                scope
                    .vars
                    .extend(vars_from(v, *origin, idx, others, label, &key_span));
            }
        }
        // The nearest layer that defines a script part wins, as `extends` merges. Commands
        // of templates in other files are not located here; only this file's are read.
        let mut own_before = false;
        for part in ["before_script", "script", "after_script"] {
            let found = layers
                .iter()
                .rev()
                .find_map(|(l, o)| tree::get(l, part).map(|n| (n, *o)));
            if let Some((n, origin)) = found {
                if part != "script" {
                    own_before = true;
                }
                if origin == Origin::Here {
                    scope.commands.extend(yaml_commands(n, idx));
                }
            }
        }
        if !own_before {
            scope.commands.extend(default_cmds.iter().cloned());
        }
        scope.triggers = triggers(job, idx);
        doc.scopes.push(scope);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extends_and_anchors_resolve() {
        let text = "variables:\n  WANDB_PROJECT: p\n.wandb: &wandb\n  variables:\n    WANDB_ENTITY: ml\n.base:\n  variables:\n    WANDB_API_KEY: $KEY\ntrain:\n  extends: .base\n  <<: *wandb\n  script:\n    - python train.py\neval:\n  extends: .base\n  script: [python eval.py]\ninclude:\n  - local: ci/more.yml\n";
        let doc = read(text, &Limits::default());
        assert!(doc.error.is_none(), "{:?}", doc.error);
        assert_eq!(doc.scopes.len(), 2);
        let train = &doc.scopes[0];
        assert_eq!(train.label, "job `train`");
        assert!(train.var("WANDB_API_KEY").is_some());
        assert!(
            train.var("WANDB_ENTITY").is_some(),
            "merged from the anchor"
        );
        let eval = &doc.scopes[1];
        assert!(eval.var("WANDB_ENTITY").is_none());
        assert_eq!(doc.includes, vec!["ci/more.yml"]);
    }

    #[test]
    fn included_files_see_the_pipeline() {
        let main = "include:\n  - local: ci/jobs.yml\nvariables:\n  WANDB_ENTITY: ml\n.key:\n  variables:\n    WANDB_API_KEY: $K\n".to_string();
        let inc = "train:\n  extends: .key\n  script: [python train.py]\n";
        let doc = read_with_context(inc, &[main], &Limits::default());
        let s = &doc.scopes[0];
        assert!(s.var("WANDB_ENTITY").is_some());
        let k = s
            .var("WANDB_API_KEY")
            .expect("from the template in the other file");
        assert_eq!(&inc[k.name_span.clone()], "train");
    }
}
