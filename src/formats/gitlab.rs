//! GitLab CI: global `variables` and `default` → the `extends` chain (hidden `.template`
//! jobs, YAML anchors and merge keys) → job `variables`. Each job is a scope. Local includes
//! are listed so the scanner can read them as GitLab files too.

use saphyr::MarkedYamlOwned;

use super::{load_yaml, yaml_commands, yaml_vars, Command, ConfigDoc, Scope, Var};
use crate::yaml::{self, CharIndex};

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

/// Reads one GitLab CI file.
pub fn read(text: &str) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let idx = CharIndex::new(text);
    for root in load_yaml(text, &mut doc) {
        read_root(&root, &idx, &mut doc);
    }
    doc
}

fn includes(root: &MarkedYamlOwned) -> Vec<String> {
    let Some(inc) = yaml::get(root, "include") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut one = |n: &MarkedYamlOwned| {
        if let Some(s) = yaml::scalar_text(n) {
            if !s.contains("://") {
                out.push(s.trim_start_matches('/').to_string());
            }
        } else if let Some(l) = yaml::get(n, "local").and_then(yaml::scalar_text) {
            out.push(l.trim_start_matches('/').to_string());
        }
    };
    match yaml::items(inc) {
        Some(items) => items.iter().for_each(&mut one),
        None => one(inc),
    }
    out
}

/// The jobs a job extends, nearest last (so later variables override earlier ones).
fn chain<'n>(
    root: &'n MarkedYamlOwned,
    job: &'n MarkedYamlOwned,
    depth: usize,
    out: &mut Vec<&'n MarkedYamlOwned>,
) {
    if depth >= EXTENDS_DEPTH {
        return;
    }
    let Some(ext) = yaml::get(job, "extends") else {
        return;
    };
    let names: Vec<String> = match yaml::items(ext) {
        Some(items) => items.iter().filter_map(yaml::scalar_text).collect(),
        None => yaml::scalar_text(ext).into_iter().collect(),
    };
    for name in names {
        if let Some(base) = yaml::get(root, &name) {
            if out.iter().any(|b| std::ptr::eq(*b, base)) {
                continue;
            }
            chain(root, base, depth + 1, out);
            out.push(base);
        }
    }
}

fn triggers(job: &MarkedYamlOwned, idx: &CharIndex<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["rules", "only"] {
        if let Some(n) = yaml::get(job, key) {
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

fn read_root(root: &MarkedYamlOwned, idx: &CharIndex<'_>, doc: &mut ConfigDoc) {
    doc.includes.extend(includes(root));
    let global: Vec<Var> = yaml::get(root, "variables")
        .map(|v| yaml_vars(v, idx, "global variables"))
        .unwrap_or_default();
    let default = yaml::get(root, "default");
    let mut default_cmds: Vec<Command> = Vec::new();
    for key in ["before_script", "after_script"] {
        for src in [default, Some(root)].into_iter().flatten() {
            if let Some(n) = yaml::get(src, key) {
                default_cmds.extend(yaml_commands(n, idx));
            }
        }
    }
    let Some(entries) = yaml::mapping(root) else {
        return;
    };
    for (name, key, job) in entries {
        if name.starts_with('.')
            || RESERVED.contains(&name.as_str())
            || yaml::mapping(job).is_none()
        {
            continue;
        }
        let mut bases = Vec::new();
        chain(root, job, 0, &mut bases);
        let layers: Vec<&MarkedYamlOwned> =
            bases.iter().copied().chain(std::iter::once(job)).collect();
        let is_job = layers.iter().any(|l| {
            ["script", "trigger", "run"]
                .iter()
                .any(|k| yaml::get(l, k).is_some())
        });
        if !is_job {
            continue;
        }
        let mut scope = Scope::new(format!("job `{name}`"), idx.span(key), HINT);
        scope.vars = global.clone();
        for (i, layer) in layers.iter().enumerate() {
            if let Some(v) = yaml::get(layer, "variables") {
                let origin = if i + 1 == layers.len() {
                    "job variables".to_string()
                } else {
                    "variables of an extended template".to_string()
                };
                scope.vars.extend(yaml_vars(v, idx, &origin));
            }
        }
        // The nearest layer that defines a script part wins, as `extends` merges.
        let mut own_before = false;
        for key in ["before_script", "script", "after_script"] {
            if let Some(n) = layers.iter().rev().find_map(|l| yaml::get(l, key)) {
                if key != "script" {
                    own_before = true;
                }
                scope.commands.extend(yaml_commands(n, idx));
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
        let doc = read(text);
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
}
