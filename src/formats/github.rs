//! GitHub Actions: workflows (`on`, workflow `env` → job `env` (and `container.env`) → step
//! `env`) and composite actions (`runs.steps`). Each step is a scope; services are scopes of
//! their own.

use crate::yaml::tree::Node;

use super::{load_yaml, yaml_commands, yaml_vars, ConfigDoc, Format, Scope};
use crate::yaml::tree::{self, Src};
use crate::yaml::Limits;

const HINT: &str =
    "env:\n  WANDB_ENTITY: <team>   # under the job, or the workflow's top-level env";

/// Reads a workflow or a composite action.
pub fn read(text: &str, format: Format, limits: &Limits) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let idx = Src(text);
    for root in load_yaml(text, &mut doc, limits) {
        if format == Format::GithubAction {
            read_action(&root, &idx, &mut doc);
        } else {
            read_workflow(&root, &idx, &mut doc);
        }
    }
    doc
}

fn triggers(root: &Node) -> Vec<String> {
    // `on` may be read as the boolean true by YAML 1.1 loaders; saphyr keeps the key text.
    let Some(on) = tree::get(root, "on").or_else(|| tree::get(root, "true")) else {
        return Vec::new();
    };
    if let Some(t) = tree::scalar_text(on) {
        return vec![t];
    }
    if let Some(items) = tree::items(on) {
        return items.iter().filter_map(tree::scalar_text).collect();
    }
    tree::mapping(on)
        .map(|m| m.into_iter().map(|(k, _, _)| k).collect())
        .unwrap_or_default()
}

fn step_label(step: &Node, n: usize) -> String {
    tree::get(step, "name")
        .or_else(|| tree::get(step, "id"))
        .and_then(tree::scalar_text)
        .map_or_else(|| format!("step {n}"), |s| format!("step `{s}`"))
}

/// `defaults.run.working-directory` of a workflow or a job.
fn working_directory(node: &Node) -> Option<String> {
    tree::get(node, "defaults")
        .and_then(|d| tree::get(d, "run"))
        .and_then(|r| tree::get(r, "working-directory"))
        .and_then(tree::scalar_text)
}

fn read_workflow(root: &Node, idx: &Src<'_>, doc: &mut ConfigDoc) {
    let on = triggers(root);
    let workflow_env = tree::get(root, "env")
        .map(|e| yaml_vars(e, idx, "workflow env"))
        .unwrap_or_default();
    let workflow_dir = working_directory(root);
    let Some(jobs) = tree::get(root, "jobs").and_then(tree::mapping) else {
        return;
    };
    for (job_index, (job_name, job_key, job)) in jobs.into_iter().enumerate() {
        let job_dir = working_directory(job).or_else(|| workflow_dir.clone());
        let job_span = idx.span(job_key);
        let mut job_vars = workflow_env.clone();
        if let Some(e) = tree::get(job, "env") {
            job_vars.extend(yaml_vars(e, idx, "job env"));
        }
        if let Some(e) = tree::get(job, "container").and_then(|c| tree::get(c, "env")) {
            job_vars.extend(yaml_vars(e, idx, "container env"));
        }
        let job_label = format!("job `{job_name}`");
        let steps = tree::get(job, "steps").and_then(tree::items).unwrap_or(&[]);
        if steps.is_empty() {
            // A job that calls a reusable workflow: its `secrets:` feed the called workflow.
            let mut scope = Scope::new(job_label.clone(), job_span.clone(), HINT);
            scope.vars = job_vars.clone();
            if let Some(s) = tree::get(job, "secrets") {
                scope
                    .vars
                    .extend(yaml_vars(s, idx, "secrets passed to the called workflow"));
            }
            scope.triggers = on.clone();
            doc.scopes.push(scope);
        }
        for (n, step) in steps.iter().enumerate() {
            let label = format!("{} in {job_label}", step_label(step, n + 1));
            let mut scope = Scope::new(label, idx.span(step), HINT);
            scope.vars = job_vars.clone();
            if let Some(e) = tree::get(step, "env") {
                scope.vars.extend(yaml_vars(e, idx, "step env"));
            }
            if let Some(run) = tree::get(step, "run") {
                scope.commands = yaml_commands(run, idx);
            }
            scope.workdir = tree::get(step, "working-directory")
                .and_then(tree::scalar_text)
                .or_else(|| job_dir.clone());
            scope.job = Some(job_index);
            if let Some(with) = tree::get(step, "with") {
                // `with: {script: ...}` of github-script and similar inline code.
                for (_, _, v) in tree::mapping(with).unwrap_or_default() {
                    if let Some(code) = tree::scalar_text(v) {
                        let span = idx.span(v);
                        scope.commands.push(super::Command {
                            text: code,
                            ..super::Command::code("", span)
                        });
                    }
                }
            }
            scope.triggers = on.clone();
            doc.scopes.push(scope);
        }
        // A job-level credential is covered by an entity any step of the job passes.
        let first_step = doc.scopes.len() - steps.len().min(doc.scopes.len());
        let job_passes = doc.scopes.get(first_step..).unwrap_or(&[]).iter().any(|s| {
            s.commands
                .iter()
                .any(|c| super::shell::passes_entity(&c.script))
        });
        for s in doc.scopes.get_mut(first_step..).unwrap_or(&mut []) {
            s.entity_elsewhere = job_passes;
        }
        if let Some(services) = tree::get(job, "services").and_then(tree::mapping) {
            for (name, key, svc) in services {
                let mut scope = Scope::new(
                    format!("service `{name}` in {job_label}"),
                    idx.span(key),
                    "env:\n  WANDB_ENTITY: <team>   # under the service",
                );
                if let Some(e) = tree::get(svc, "env") {
                    scope.vars = yaml_vars(e, idx, "service env");
                }
                scope.triggers = on.clone();
                doc.scopes.push(scope);
            }
        }
    }
}

fn read_action(root: &Node, idx: &Src<'_>, doc: &mut ConfigDoc) {
    let Some(steps) = tree::get(root, "runs")
        .and_then(|r| tree::get(r, "steps"))
        .and_then(tree::items)
    else {
        return;
    };
    for (n, step) in steps.iter().enumerate() {
        let mut scope = Scope::new(
            format!("{} of the composite action", step_label(step, n + 1)),
            idx.span(step),
            "env:\n  WANDB_ENTITY: <team>   # under the step",
        );
        if let Some(e) = tree::get(step, "env") {
            scope.vars = yaml_vars(e, idx, "step env");
        }
        if let Some(run) = tree::get(step, "run") {
            scope.commands = yaml_commands(run, idx);
        }
        scope.workdir = tree::get(step, "working-directory").and_then(tree::scalar_text);
        doc.scopes.push(scope);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_inherit_workflow_and_job_env() {
        let text = "on:\n  schedule:\n    - cron: '0 3 * * *'\nenv:\n  WANDB_ENTITY: ml\njobs:\n  train:\n    env:\n      WANDB_API_KEY: ${{ secrets.K }}\n    steps:\n      - name: fit\n        env:\n          WANDB_PROJECT: p\n        run: |\n          wandb login\n          python train.py\n";
        let doc = read(text, Format::GithubWorkflow, &Limits::default());
        assert!(doc.error.is_none());
        assert_eq!(doc.scopes.len(), 1);
        let s = &doc.scopes[0];
        assert_eq!(s.label, "step `fit` in job `train`");
        assert_eq!(s.triggers, vec!["schedule"]);
        let key = s.var("WANDB_API_KEY").expect("key");
        assert_eq!(&text[key.name_span.clone()], "WANDB_API_KEY");
        assert_eq!(key.value, super::super::Value::Secret("secrets.K".into()));
        assert!(s.var("WANDB_ENTITY").is_some());
        assert!(s.commands[0].text.contains("wandb login"));
        assert!(text[s.commands[0].span.clone()].contains("python train.py"));
    }
}
