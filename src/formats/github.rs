//! GitHub Actions: workflows (`on`, workflow `env` → job `env` (and `container.env`) → step
//! `env`) and composite actions (`runs.steps`). Each step is a scope; services are scopes of
//! their own.

use crate::yaml::tree::Node;

use super::{
    classify, load_yaml, shell, yaml_commands, yaml_vars, Command, ConfigDoc, Format, Scope, Value,
    Var, API_KEY, ENTITY,
};
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
        let first_step = doc.scopes.len();
        for (n, step) in steps.iter().enumerate() {
            let label = format!("{} in {job_label}", step_label(step, n + 1));
            let mut scope = read_step(step, idx, label, HINT, &job_vars);
            scope.workdir = scope.workdir.or_else(|| job_dir.clone());
            scope.job = Some(job_index);
            scope.triggers = on.clone();
            doc.scopes.push(scope);
        }
        logins_covered_later(doc.scopes.get_mut(first_step..).unwrap_or(&mut []));
        // A job-level credential is covered by an entity any step of the job passes.
        let job_passes = doc.scopes.get(first_step..).unwrap_or(&[]).iter().any(|s| {
            s.commands.iter().any(|c| c.passes_entity())
                || s.vars.iter().any(|v| v.origin == "file the step writes")
        });
        for s in doc.scopes.get_mut(first_step..).unwrap_or(&mut []) {
            s.entity_elsewhere |= job_passes;
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
    let first_step = doc.scopes.len();
    for (n, step) in steps.iter().enumerate() {
        let label = format!("{} of the composite action", step_label(step, n + 1));
        let hint = "env:\n  WANDB_ENTITY: <team>   # under the step";
        doc.scopes.push(read_step(step, idx, label, hint, &[]));
    }
    logins_covered_later(doc.scopes.get_mut(first_step..).unwrap_or(&mut []));
}

/// One step: the variables it inherits (`inherited`), its own `env`, the W&B variables its
/// `run:` script sets from an expression (`export WANDB_API_KEY=${{ secrets.K }}`), its
/// commands, and the credential and entity it hands a W&B action through `with:`.
fn read_step(step: &Node, idx: &Src<'_>, label: String, hint: &str, inherited: &[Var]) -> Scope {
    let mut scope = Scope::new(label, idx.span(step), hint);
    scope.vars = inherited.to_vec();
    if let Some(e) = tree::get(step, "env") {
        scope.vars.extend(yaml_vars(e, idx, "step env"));
    }
    if let Some(run) = tree::get(step, "run") {
        scope.commands = yaml_commands(run, idx);
        let set = script_vars(&scope.commands);
        scope.vars.extend(set);
    }
    scope.workdir = tree::get(step, "working-directory").and_then(tree::scalar_text);
    if let Some(with) = tree::get(step, "with") {
        let uses = tree::get(step, "uses").and_then(tree::scalar_text);
        scope.vars.extend(action_inputs(with, uses.as_deref(), idx));
        // `with: {script: ...}` of github-script and similar inline code.
        for (_, _, v) in tree::mapping(with).unwrap_or_default() {
            if let Some(code) = tree::scalar_text(v) {
                let span = idx.span(v);
                scope.commands.push(Command {
                    text: code,
                    ..Command::code("", span)
                });
            }
        }
    }
    scope
}

/// The W&B variables a step's `run:` script sets to a reference (`export WANDB_API_KEY=${{
/// secrets.K }}`, `WANDB_API_KEY=$K python train.py`): they are in effect for the step's W&B
/// commands. Literal values are the command-line and literal-key rules' business.
fn script_vars(commands: &[Command]) -> Vec<Var> {
    let mut out = Vec::new();
    // Only a text that names a W&B variable can set one (`WANDB_`, or `entity:` written to a
    // settings file).
    for c in commands
        .iter()
        .filter(|c| c.shell && c.may_hold(&["WANDB_", "entity"]))
    {
        let prefixes = c
            .script
            .main_commands()
            .flat_map(|(_, sc)| sc.assigns.iter());
        let statements = c
            .script
            .assignments
            .iter()
            .filter(|(_, ctx)| *ctx == 0)
            .map(|(a, _)| a);
        for a in statements.chain(prefixes) {
            if !a.name.starts_with("WANDB_") {
                continue;
            }
            let Some(v) = &a.value else { continue };
            // An expression's text is kept by the word; the raw text has it neutralised.
            let value = if v.text.contains("${{") {
                classify(&v.text)
            } else {
                classify(&a.raw)
            };
            if matches!(value, Value::Literal(_) | Value::Empty) {
                continue;
            }
            out.push(Var {
                name: a.name.clone(),
                value,
                name_span: a.name_span.clone(),
                value_span: v.span.clone(),
                origin: "step script".to_string(),
            });
        }
        out.extend(written_entity(&c.script));
    }
    out
}

/// `WANDB_ENTITY` (or a settings file's `entity:` key) set in a file the step writes: a heredoc
/// (`cat > .env <<EOF`, a launcher configuration with `WANDB_ENTITY: team`) or `echo`/`printf`
/// redirected to a file. The code the job runs reads it from there.
fn written_entity(script: &shell::Script) -> Vec<Var> {
    let mut out = Vec::new();
    for sc in &script.commands {
        let redirected = sc
            .redirects
            .iter()
            .any(|r| matches!(r.op.as_str(), ">" | ">>" | ">|"));
        let first = sc.argv.first().map_or("", |w| w.text.as_str());
        let bodies = sc
            .redirects
            .iter()
            .filter(|r| r.op.starts_with("<<") && (redirected || first == "tee"))
            .filter_map(|r| r.target.as_ref());
        let printed = sc
            .argv
            .iter()
            .skip(1)
            .filter(|_| redirected && matches!(first, "echo" | "printf"));
        for body in bodies.chain(printed) {
            let Some(at) = entity_setting(&body.text) else {
                continue;
            };
            let span = body.range(at.clone());
            out.push(Var {
                name: ENTITY.to_string(),
                value: Value::Literal(body.text.get(at).unwrap_or("").to_string()),
                name_span: span.clone(),
                value_span: span,
                origin: "file the step writes".to_string(),
            });
        }
    }
    out
}

/// Where a written text sets the entity: `WANDB_ENTITY=team`, `WANDB_ENTITY: team`, or an
/// `entity: team` key at the start of a line (also after a literal `\n` of `printf`).
fn entity_setting(text: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(i) = text
        .get(from..)
        .and_then(|t| t.find("ENTITY").or_else(|| t.find("entity")))
    {
        let at = from + i;
        from = at + 6;
        let before = text.get(..at).unwrap_or("");
        let named = if before.ends_with("WANDB_") {
            Some(at - 6)
        } else if text.get(at..at + 6) == Some("entity") {
            let line = before.rsplit(['\n']).next().unwrap_or("");
            let line = line.rsplit("\\n").next().unwrap_or(line);
            line.trim().is_empty().then_some(at)
        } else {
            None
        };
        let Some(start) = named else { continue };
        let rest = text
            .get(from..)
            .unwrap_or("")
            .trim_start_matches([' ', '\t']);
        let value = rest
            .strip_prefix([':', '='])
            .map(|v| v.split(['\n', '\\']).next().unwrap_or("").trim())
            .unwrap_or("");
        if !value.is_empty() && !value.starts_with('#') {
            return Some(start..from);
        }
    }
    None
}

/// An input name that carries a W&B key: `wandb_api_key`, `wandb-key`, `WANDB_API_KEY`, and
/// the plain `api_key`/`apikey` (W&B only when something else about the step says so).
fn key_input(name: &str) -> Option<bool> {
    let n = name.to_ascii_lowercase().replace('-', "_");
    if n.contains("wandb") && n.contains("key") {
        Some(true)
    } else if matches!(n.as_str(), "api_key" | "apikey" | "key") {
        Some(false)
    } else {
        None
    }
}

/// An input that carries the W&B entity: `entity`, `wandb_entity`, `wandb-entity`, or a
/// project given as `entity/project` (`PROJECT_NAME: team/mlops`).
fn entity_input(name: &str, value: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    matches!(n.as_str(), "entity" | "wandb_entity" | "team")
        || (matches!(n.as_str(), "project" | "project_name" | "wandb_project")
            && value.contains('/'))
}

/// The credential and entity a step hands an action through `with:`, as the variables the
/// action sets from them. A plain `api_key` counts only for a W&B action: `uses: wandb/...`,
/// another input that names W&B, or a secret whose name does.
fn action_inputs(with: &Node, uses: Option<&str>, idx: &Src<'_>) -> Vec<Var> {
    let inputs = tree::mapping(with).unwrap_or_default();
    let wandb = |t: &str| t.to_ascii_lowercase().contains("wandb");
    let step_is_wandb = uses.is_some_and(wandb) || inputs.iter().any(|(k, _, _)| wandb(k));
    let mut out = Vec::new();
    for (name, key, v) in &inputs {
        let Some(text) = tree::scalar_text(v) else {
            continue;
        };
        let value = classify(&text);
        let (var, ok) = match key_input(name) {
            Some(named) => (API_KEY, named || step_is_wandb || wandb(&text)),
            None if entity_input(name, &text) => (ENTITY, step_is_wandb),
            None => continue,
        };
        if !ok || matches!(value, Value::Empty) {
            continue;
        }
        out.push(Var {
            name: var.to_string(),
            value,
            name_span: idx.span(key),
            value_span: idx.span(v),
            origin: format!("step input `{name}`"),
        });
    }
    out
}

/// A `wandb login` in one step stores the key for the steps after it: it lacks no entity when
/// a later step of the same job (or action) sets `WANDB_ENTITY` or passes the entity, since
/// those are the steps that run W&B code with the stored key. A step that only logs in (and
/// installs or prints) takes that entity as its own; one that also runs code keeps its own
/// key judged, and is covered for the credentials the job gives it.
fn logins_covered_later(steps: &mut [Scope]) {
    let entity_of = |s: &Scope| -> Option<Var> {
        if let Some(v) = s.var(ENTITY).filter(|v| v.value.is_set()) {
            return Some(v.clone());
        }
        s.commands.iter().find(|c| c.passes_entity()).map(|c| Var {
            name: ENTITY.to_string(),
            value: Value::Literal(String::new()),
            name_span: c.span.clone(),
            value_span: c.span.clone(),
            origin: String::new(),
        })
    };
    let entities: Vec<Option<Var>> = steps.iter().map(entity_of).collect();
    for (i, s) in steps.iter_mut().enumerate() {
        let Some(later) = entities.get(i + 1..).unwrap_or(&[]).iter().flatten().next() else {
            continue;
        };
        let logs_in = s.commands.iter().any(|c| !c.logins().is_empty());
        if !logs_in {
            continue;
        }
        s.entity_elsewhere = true;
        if s.commands
            .iter()
            .all(|c| c.shell && only_logs_in(&c.script))
        {
            s.vars.push(Var {
                origin: "a later step of the job".to_string(),
                ..later.clone()
            });
        }
    }
}

/// The script logs in and otherwise only installs, prints or moves around.
fn only_logs_in(script: &shell::Script) -> bool {
    script.own_commands().all(|c| {
        let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
        let rest = words.get(shell::wrapped_start(&words)..).unwrap_or(&[]);
        let first = rest
            .first()
            .map_or("", |w| w.rsplit('/').next().unwrap_or(w));
        let second = rest.get(1).copied().unwrap_or("");
        (first == "wandb" && second == "login")
            || matches!(
                first,
                "" | "pip" | "pip3" | "echo" | "printf" | "cd" | "mkdir" | "export"
            )
            || (first == "uv" && second == "pip")
    })
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

    fn scopes(text: &str) -> Vec<Scope> {
        read(text, Format::GithubWorkflow, &Limits::default()).scopes
    }

    #[test]
    fn action_inputs_carry_the_key_and_the_entity_of_wandb_actions_only() {
        let text = "on: push\njobs:\n  r:\n    steps:\n      - uses: someone/wandb_create_report_action@v1\n        with:\n          wandb_api_key: ${{ secrets.k }}\n      - uses: wandb/report@v1\n        with:\n          api-key: ${{ secrets.K }}\n          wandb-entity: ml-team\n      - uses: acme/deploy@v1\n        with:\n          api_key: ${{ secrets.DEPLOY_KEY }}\n      - uses: acme/deploy@v1\n        with:\n          api_key: ${{ secrets.WANDB_KEY }}\n";
        let s = scopes(text);
        let key = s[0].var(API_KEY).expect("wandb_api_key input");
        assert_eq!(&text[key.name_span.clone()], "wandb_api_key");
        assert_eq!(key.origin, "step input `wandb_api_key`");
        assert!(s[0].var(ENTITY).is_none());
        assert!(s[1].var(API_KEY).is_some() && s[1].var(ENTITY).is_some());
        assert!(s[2].var(API_KEY).is_none(), "not a W&B action");
        assert!(s[3].var(API_KEY).is_some(), "the secret names W&B");
    }

    #[test]
    fn run_scripts_set_wandb_variables_from_expressions() {
        let text = "on: push\njobs:\n  t:\n    steps:\n      - run: |\n          export WANDB_API_KEY=\"${{ secrets.A }}\"\n          WANDB_PROJECT=${{ vars.P }} python a.py\n          export WANDB_MODE=offline\n";
        let s = &scopes(text)[0];
        let key = s.var(API_KEY).expect("exported");
        assert_eq!(key.value, Value::Secret("secrets.A".into()));
        assert_eq!(key.origin, "step script");
        assert!(s.var("WANDB_PROJECT").is_some());
        assert!(
            s.var("WANDB_MODE").is_none(),
            "literals are left to other rules"
        );
    }

    #[test]
    fn a_login_takes_the_entity_of_the_steps_after_it() {
        let text = "on: push\njobs:\n  t:\n    steps:\n      - env:\n          WANDB_API_KEY: ${{ secrets.K }}\n        run: wandb login\n      - env:\n          WANDB_ENTITY: ml\n        run: python train.py\n  u:\n    steps:\n      - env:\n          WANDB_API_KEY: ${{ secrets.K }}\n        run: |\n          wandb login\n          python train.py\n      - env:\n          WANDB_ENTITY: ml\n        run: python eval.py\n      - run: wandb login\n";
        let s = scopes(text);
        assert!(s[0].var(ENTITY).is_some() && s[0].entity_elsewhere);
        // It runs code itself: its own key is still judged.
        assert!(s[2].var(ENTITY).is_none() && s[2].entity_elsewhere);
        // Nothing after it sets the entity.
        assert!(!s[4].entity_elsewhere);
    }

    #[test]
    fn written_files_that_set_the_entity() {
        assert_eq!(entity_setting("env:\n  WANDB_ENTITY: team\n"), Some(7..19));
        assert_eq!(entity_setting("entity: wandb\\nproject: p"), Some(0..6));
        assert_eq!(entity_setting("WANDB_ENTITY=\n"), None);
        assert_eq!(entity_setting("the entity: x"), None);
        let text = "on: push\njobs:\n  t:\n    env:\n      WANDB_API_KEY: ${{ secrets.K }}\n    steps:\n      - run: printf 'entity: ml\\n' > settings.yaml\n      - run: python train.py\n";
        assert!(scopes(text).iter().all(|s| s.entity_elsewhere));
    }
}
