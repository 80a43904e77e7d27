//! Task files of launchers that run a job on remote machines and pass it environment from the
//! caller: SkyPilot task YAML (`envs:`, `secrets:`, `setup:`/`run:`), dstack configurations
//! (`type: task`, `env:` of `NAME` or `NAME=value`, `commands:`), Beaker experiment specs
//! (`tasks[].envVars`, `command`/`arguments`) and axolotl's cloud files (`secrets:` a list of
//! names). None has a name of its own (any `*.yaml`), so they are told apart from manifests by
//! their top-level keys ([`claims`]).
//!
//! A variable named without a value (`WANDB_API_KEY:` under `envs` or `secrets`, a bare
//! `- WANDB_API_KEY` under dstack `env`) is filled in at launch from the caller's environment:
//! the job receives the credential all the same.

use super::{yaml_vars, ConfigDoc, Scope, Value, Var};
use crate::yaml::tree::{self, Node, Src};
use crate::yaml::Limits;

/// Top-level keys of a SkyPilot task besides its environment.
const SKYPILOT: &[&str] = &["resources", "num_nodes", "file_mounts", "workdir", "setup"];

/// The top-level keys of a YAML text, read line by line (a key starts at column 0).
fn top_keys(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| {
            l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '"' || c == '\'')
        })
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim_matches(['"', '\''])))
        .collect()
}

/// Whether a YAML file that no name claims is a launcher's task file: it has no `kind` or
/// `apiVersion` (a manifest) nor `services` (compose), and its top level holds a task's environment (`envs`,
/// `secrets`), a dstack `type` with `env` or `commands`, Beaker `tasks` with `envVars`, or
/// SkyPilot's `run` beside its resources.
pub fn claims(text: &str) -> bool {
    let keys = top_keys(text);
    let has = |k: &str| keys.contains(&k);
    // A manifest, or a compose file under another name (its top-level `secrets` are files).
    if has("kind") || has("apiVersion") || has("services") {
        return false;
    }
    has("envs")
        || has("secrets")
        || (has("type") && (has("env") || has("commands")))
        || (has("tasks") && text.contains("envVars"))
        || (has("run") && SKYPILOT.iter().any(|k| has(k)))
}

/// Reads a task file: one scope per task (a Beaker spec has several).
pub fn read(text: &str, limits: &Limits) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let idx = Src(text);
    let docs = super::load_yaml(text, &mut doc, limits);
    for root in &docs {
        if tree::get(root, "kind").is_some() {
            continue;
        }
        match tree::get(root, "tasks").and_then(tree::items) {
            Some(tasks) => {
                for task in tasks {
                    if let Some(scope) = beaker_task(task, &idx) {
                        doc.scopes.push(scope);
                    }
                }
            }
            None => {
                if let Some(scope) = launcher_task(root, &idx) {
                    doc.scopes.push(scope);
                }
            }
        }
    }
    doc
}

/// A name without a value is filled in at launch: the job receives it.
fn filled_at_launch(mut vars: Vec<Var>) -> Vec<Var> {
    for v in &mut vars {
        if v.value == Value::Empty {
            v.value = Value::Inherited;
        }
    }
    vars
}

/// Variables of a `secrets:`/`envs:`/`env:` node: a mapping, or a list of names (`NAME` or
/// `NAME=value`).
fn env_node(node: &Node, idx: &Src<'_>, origin: &str) -> Vec<Var> {
    filled_at_launch(yaml_vars(node, idx, origin))
}

/// A SkyPilot, dstack or axolotl task: the whole file.
fn launcher_task(root: &Node, idx: &Src<'_>) -> Option<Scope> {
    tree::mapping(root)?;
    let name = tree::get(root, "name")
        .and_then(tree::scalar_text)
        .filter(|n| !n.trim().is_empty());
    let dstack = tree::get(root, "type").and_then(tree::scalar_text);
    let hint = if dstack.is_some() {
        "env:\n  - WANDB_ENTITY=<team>   # in the task"
    } else {
        "envs:\n  WANDB_ENTITY: <team>   # in the task"
    };
    let what = dstack.as_deref().unwrap_or("task").to_string();
    let label = match &name {
        Some(n) => format!("{what} `{}`", n.chars().take(80).collect::<String>()),
        None => format!("the {what}"),
    };
    let span = tree::get(root, "name").map_or_else(|| idx.span(root), |n| idx.span(n));
    let mut scope = Scope::new(label, span, hint);
    for (key, origin) in [
        ("envs", "task envs"),
        ("env", "task env"),
        ("secrets", "task secrets"),
    ] {
        if let Some(node) = tree::get(root, key) {
            scope.vars.extend(env_node(node, idx, origin));
        }
    }
    for key in ["setup", "run", "commands"] {
        if let Some(node) = tree::get(root, key) {
            scope.commands.extend(super::yaml_commands(node, idx));
        }
    }
    if dstack.as_deref() == Some("service") {
        scope.triggers.push("service".to_string());
    }
    Some(scope)
}

/// One task of a Beaker experiment spec: `envVars` of `{name, value}` or `{name, secret}`,
/// `command` and `arguments` (an argv, no shell between).
fn beaker_task(task: &Node, idx: &Src<'_>) -> Option<Scope> {
    tree::mapping(task)?;
    let name = tree::get(task, "name")
        .and_then(tree::scalar_text)
        .unwrap_or_else(|| "unnamed".to_string());
    let span = tree::get(task, "name").map_or_else(|| idx.span(task), |n| idx.span(n));
    let mut scope = Scope::new(
        format!(
            "Beaker task `{}`",
            name.chars().take(80).collect::<String>()
        ),
        span,
        "envVars:\n  - name: WANDB_ENTITY\n    value: <team>   # in the task",
    );
    for item in tree::get(task, "envVars")
        .and_then(tree::items)
        .unwrap_or(&[])
    {
        let Some(name_node) = tree::get(item, "name") else {
            continue;
        };
        let Some(name) = tree::scalar_text(name_node) else {
            continue;
        };
        let name_span = idx.span(name_node);
        let (value, value_span) = if let Some(s) = tree::get(item, "secret") {
            (
                Value::Secret(tree::scalar_text(s).unwrap_or_default()),
                idx.span(s),
            )
        } else if let Some(v) = tree::get(item, "value") {
            (
                tree::scalar_text(v).map_or(Value::Inherited, |t| super::classify(&t)),
                idx.span(v),
            )
        } else {
            (Value::Empty, name_span.end..name_span.end)
        };
        scope.vars.push(Var {
            name,
            value,
            name_span,
            value_span,
            origin: "task envVars".to_string(),
        });
    }
    let argv: Vec<&Node> = ["command", "arguments"]
        .iter()
        .filter_map(|k| tree::get(task, k))
        .collect();
    scope.commands.extend(super::yaml_argv(&argv, idx));
    Some(scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(doc: &ConfigDoc) -> Vec<(String, Value)> {
        doc.scopes[0]
            .vars
            .iter()
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect()
    }

    #[test]
    fn skypilot_envs_and_secrets_filled_at_launch() {
        let text = "name: train\nresources:\n  accelerators: A100:1\nenvs:\n  MODEL: x\n  WANDB_ENTITY: \"\"\nsecrets:\n  WANDB_API_KEY: null\nsetup: pip install wandb\nrun: |\n  wandb login $WANDB_API_KEY\n  python train.py\n";
        assert!(claims(text));
        let doc = read(text, &Limits::default());
        assert!(doc.error.is_none());
        assert_eq!(doc.scopes.len(), 1);
        assert_eq!(doc.scopes[0].label, "task `train`");
        assert_eq!(
            vars(&doc),
            vec![
                ("MODEL".into(), Value::Literal("x".into())),
                ("WANDB_ENTITY".into(), Value::Inherited),
                ("WANDB_API_KEY".into(), Value::Inherited),
            ]
        );
        let key = doc.scopes[0].var("WANDB_API_KEY").expect("key");
        assert_eq!(&text[key.name_span.clone()], "WANDB_API_KEY");
        assert_eq!(doc.scopes[0].commands.len(), 2);
    }

    #[test]
    fn dstack_env_names_and_commands() {
        let text = "type: service\nname: serve\nenv:\n  - WANDB_API_KEY\n  - MODEL_ID=m\ncommands:\n  - pip install wandb\n  - python serve.py\n    --port 80\n";
        assert!(claims(text));
        let doc = read(text, &Limits::default());
        assert_eq!(doc.scopes[0].label, "service `serve`");
        assert_eq!(doc.scopes[0].triggers, vec!["service".to_string()]);
        assert_eq!(
            vars(&doc),
            vec![
                ("WANDB_API_KEY".into(), Value::Inherited),
                ("MODEL_ID".into(), Value::Literal("m".into())),
            ]
        );
        assert_eq!(doc.scopes[0].commands.len(), 2);
    }

    #[test]
    fn beaker_tasks_env_vars() {
        let text = "version: v2\ntasks:\n  - name: ft\n    command: ['/bin/sh', '-c']\n    arguments: ['python x.py --entity ml']\n    envVars:\n      - name: WANDB_API_KEY\n        secret: WANDB_KEY\n      - name: WANDB_PROJECT\n        value: p\n";
        assert!(claims(text));
        let doc = read(text, &Limits::default());
        assert_eq!(doc.scopes[0].label, "Beaker task `ft`");
        assert_eq!(
            vars(&doc),
            vec![
                ("WANDB_API_KEY".into(), Value::Secret("WANDB_KEY".into())),
                ("WANDB_PROJECT".into(), Value::Literal("p".into())),
            ]
        );
        assert_eq!(doc.scopes[0].commands.len(), 1);
    }

    #[test]
    fn axolotl_secrets_list() {
        let text = "provider: modal\nsecrets:\n  - HF_TOKEN\n  - WANDB_API_KEY\ngpu: h100\n";
        assert!(claims(text));
        let doc = read(text, &Limits::default());
        assert_eq!(doc.scopes[0].label, "the task");
        assert_eq!(vars(&doc)[1], ("WANDB_API_KEY".into(), Value::Inherited));
    }

    #[test]
    fn manifests_and_plain_configs_are_not_tasks() {
        assert!(!claims(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers: []\nsecrets: []\n"
        ));
        assert!(!claims("model:\n  name: x\nrun: 3\n"));
        assert!(!claims("type: object\nproperties: {}\n"));
        assert!(!claims(
            "services:\n  a: {image: x}\nsecrets:\n  WANDB_API_KEY: {file: k.txt}\n"
        ));
        assert!(!claims(""));
    }

    #[test]
    fn every_prefix_and_splice_reads_without_panic() {
        let text = "name: é\nresources: {}\nenvs:\n  WANDB_API_KEY: ü\nsecrets: [WANDB_ENTITY]\nrun: |\n  wandb login $WANDB_API_KEY\n---\ntype: task\nenv:\n  - WANDB_API_KEY=\"ß\"\ncommands: [\"python x.py\"]\n---\ntasks:\n  - name: t\n    envVars: [{name: WANDB_API_KEY, secret: k}]\n    command: [sh, -c]\n";
        for cut in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let spliced = format!("{}ß\u{2028}{}", &text[..cut], &text[cut..]);
            for t in [&text[..cut], spliced.as_str()] {
                let doc = read(t, &Limits::default());
                for v in doc.scopes.iter().flat_map(|s| &s.vars) {
                    assert!(t.get(v.name_span.clone()).is_some(), "{t:?}");
                    assert!(t.get(v.value_span.clone()).is_some(), "{t:?}");
                }
            }
        }
    }
}
