//! Processes, containers and jobs that a scope's commands start elsewhere (`docker run -e
//! WANDB_API_KEY img ...`, `srun --export=NONE,WANDB_API_KEY ...`, `ssh host '...'`), read
//! with the launcher table ([`super::launch`]). A launched process that does not simply
//! inherit its caller's environment is a scope of its own: its environment is what the
//! launcher forwards plus what it sets, so it needs the entity passed too.

use super::launch::{self, Inherit, Launch};
use super::shell::{self, Context, Script, SimpleCommand, Word};
use super::{classify, Command, ConfigDoc, Scope, Unknown, Value, Var, API_KEY, ENTITY};

/// Programs that neither use W&B nor start anything: a scope whose other commands are all
/// launchers and these hands its credential on rather than using it.
const INERT: &[&str] = &[
    "echo",
    "printf",
    "cd",
    "pushd",
    "popd",
    "export",
    "set",
    "unset",
    "mkdir",
    "rm",
    "cp",
    "mv",
    "cat",
    "ls",
    "pwd",
    "sleep",
    "true",
    "false",
    "test",
    "[",
    "[[",
    "source",
    ".",
    "git",
    "pip",
    "pip3",
    "apt-get",
    "apt",
    "yum",
    "curl",
    "wget",
    "chmod",
    "chown",
    "tee",
    "grep",
    "sed",
    "awk",
    "head",
    "tail",
    "sort",
    "nvidia-smi",
    "xhost",
    "exit",
    "read",
    "shift",
    "local",
    "declare",
    "wait",
    "trap",
    "date",
    "hostname",
    "whoami",
    "id",
    "env",
    "printenv",
    "touch",
    "ln",
    "tar",
    "unzip",
    "gsutil",
    "aws",
    "gcloud",
    "az",
    "kubectl",
    "helm",
    "nohup",
];

/// Adds a scope for every launched process that gets its own environment, and marks the
/// scopes whose credential only goes on to such processes (they do not use it themselves).
pub fn add_scopes(doc: &mut ConfigDoc) {
    let mut extra = Vec::new();
    for scope in doc.scopes.iter_mut() {
        // A scope with no W&B variable whose commands never name W&B starts nothing that
        // matters here (and is not parsed for it).
        let wandb_var = scope.vars.iter().any(|v| v.name.starts_with("WANDB_"));
        if !wandb_var
            && !scope
                .commands
                .iter()
                .any(|c| c.may_hold(&["WANDB", "wandb"]))
        {
            continue;
        }
        // Nor does one whose commands name no launcher (nor compose).
        let launches = scope.commands.iter().any(|c| {
            c.text.is_empty() || launch::may_launch(&c.text) || c.text.contains("compose")
        });
        if !launches {
            continue;
        }
        // Compose services started from here are scopes of the compose file.
        let mut launched_any = scope.commands.iter().any(|c| {
            c.script.own_commands().any(|sc| {
                let w: Vec<&str> = sc.argv.iter().map(|w| w.text.as_str()).collect();
                let s = shell::wrapped_start(&w);
                let (first, second) = (
                    w.get(s).copied().unwrap_or(""),
                    w.get(s + 1).copied().unwrap_or(""),
                );
                first == "docker-compose"
                    || (matches!(first, "docker" | "podman") && second == "compose")
            })
        });
        let mut consumes = false;
        for c in scope.commands.iter().filter(|c| c.shell) {
            for (index, sc) in c.script.commands.iter().enumerate() {
                if !matches!(c.script.contexts.get(sc.context), Some(Context::Main)) {
                    continue;
                }
                match launched(scope, c, index, sc) {
                    Some(child) => {
                        launched_any = true;
                        extra.push(child);
                    }
                    None => consumes |= uses_wandb(&c.script, sc),
                }
            }
            // The utility commands blanked before the parse count as they would have.
            consumes |= c.script.elided.iter().any(|w| {
                !INERT.contains(&w.as_str()) && !c.script.functions.iter().any(|f| f == w)
            });
        }
        // A script that exports the key and starts containers with it is judged in the
        // containers, not twice.
        if launched_any && !consumes && scope.var(ENTITY).is_none() {
            scope.entity_checked = false;
        }
    }
    doc.scopes.extend(extra);
}

/// Whether a command may run W&B code in the scope's own environment (anything but the
/// utilities of [`INERT`] and compose commands, whose services are scopes of their own).
fn uses_wandb(script: &Script, sc: &SimpleCommand) -> bool {
    let words: Vec<&str> = sc.argv.iter().map(|w| w.text.as_str()).collect();
    let start = shell::wrapped_start(&words);
    let Some(first) = words.get(start) else {
        return false;
    };
    let name = first.rsplit('/').next().unwrap_or(first);
    if script.functions.iter().any(|f| f == name) {
        return false;
    }
    let second = words.get(start + 1).copied().unwrap_or("");
    let compose = name == "docker-compose"
        || (matches!(name, "docker" | "podman")
            && matches!(
                second,
                "compose"
                    | "build"
                    | "pull"
                    | "push"
                    | "login"
                    | "tag"
                    | "images"
                    | "ps"
                    | "stop"
                    | "rm"
                    | "logs"
                    | "network"
                    | "volume"
            ));
    !(INERT.contains(&name) || compose)
}

/// The scope of the process command `index` of `c` starts, when it starts one with an
/// environment of its own.
fn launched(parent: &Scope, c: &Command, index: usize, sc: &SimpleCommand) -> Option<Scope> {
    let words: Vec<&str> = sc.argv.iter().map(|w| w.text.as_str()).collect();
    let start = shell::wrapped_start(&words);
    let argv = words.get(start..)?;
    let l = launch::launch(argv)?;
    if l.inherits == Inherit::All && l.vars.is_empty() && l.entity.is_none() {
        return None;
    }
    let at = |i: usize| sc.argv.get(start + i);
    let label = format!("{} started by `{}` in {}", l.kind, l.launcher, parent.label);
    let mut s = Scope::new(
        label,
        sc.span.clone(),
        format!(
            "pass `WANDB_ENTITY` to the {} as well, the way `{}` passes `WANDB_API_KEY`",
            l.kind, l.launcher
        ),
    );
    s.triggers = parent.triggers.clone();
    s.job = parent.job;
    if l.inherits == Inherit::All {
        s.vars = parent.vars.clone();
    }
    s.vars.extend(vars(parent, &l, sc, start));
    for (name, _) in &l.unset {
        s.vars.retain(|v| &v.name != name);
    }
    if let Some((entity, i)) = &l.entity {
        let span = at(*i).map_or(sc.span.clone(), |w| w.span.clone());
        s.vars.push(Var {
            name: ENTITY.to_string(),
            value: classify(entity),
            name_span: span.clone(),
            value_span: span,
            origin: format!("`{}` entity flag", l.launcher),
        });
    }
    for (file, i) in &l.env_files {
        let span = at(*i).map_or(sc.span.clone(), |w| w.span.clone());
        let shown: String = file
            .chars()
            .filter(|ch| !ch.is_control())
            .take(80)
            .collect();
        s.unknown.push(Unknown {
            what: format!("env file `{shown}` given to `{}`", l.launcher),
            span,
            file: None,
        });
    }
    // What the process runs: the shell it was handed (parsed with the command), or its argv.
    let ctx = c
        .script
        .contexts
        .iter()
        .position(|x| matches!(x, Context::Launched { command, .. } if *command == index))
        // A context with no commands: the launcher was given a program, not a shell text.
        .filter(|ctx| c.script.commands.iter().any(|sc| sc.context == *ctx));
    let script = match (ctx, l.command) {
        (Some(ctx), _) => c.script.written(ctx),
        // `sbatch --wrap "..."`, `ssh host "..."`: a shell text.
        (None, Some(k)) if l.command_kind == launch::CommandKind::Shell => {
            match sc.argv.get(start + k) {
                Some(w) => {
                    let from = l.command_offset.min(w.text.len());
                    let view = shell::View {
                        text: w.text.get(from..).unwrap_or("").to_string(),
                        offsets: w.offsets.slice(from..w.text.len()),
                        original: None,
                    };
                    Script::parse(&view)
                }
                None => Script::default(),
            }
        }
        (None, Some(k)) => {
            let tail: Vec<Word> = sc.argv.get(start + k..).unwrap_or(&[]).to_vec();
            Script::from_argv(tail, sc.span.clone())
        }
        (None, None) => Script::default(),
    };
    s.vars.extend(
        script
            .assignments
            .iter()
            .filter(|(a, _)| a.name.starts_with("WANDB_"))
            .map(|(a, _)| super::assign_var(a, format!("{} script", l.kind))),
    );
    s.commands.push(Command::parsed(sc.span.clone(), script));
    Some(s)
}

/// The variables a launcher line sets or forwards, at their words.
fn vars(parent: &Scope, l: &Launch, sc: &SimpleCommand, start: usize) -> Vec<Var> {
    let mut out = Vec::new();
    for v in &l.vars {
        let word = sc.argv.get(start + v.word);
        let value_word = sc.argv.get(start + v.value_word);
        let name_span = match word {
            Some(w) if v.name_range.end > v.name_range.start => w.range(v.name_range.clone()),
            Some(w) => w.span.clone(),
            None => sc.span.clone(),
        };
        let value_span = match value_word {
            Some(w) if v.value_range.end > v.value_range.start => w.range(v.value_range.clone()),
            _ => name_span.end..name_span.end,
        };
        let value = match (&v.value, v.secret) {
            (Some(text), true) => Value::Secret(text.clone()),
            (Some(text), false) => classify(text),
            // Forwarded by name: what the caller has, or the caller's environment.
            (None, _) => parent
                .var(&v.name)
                .map_or(Value::Inherited, |p| p.value.clone()),
        };
        let origin = if v.value.is_some() {
            format!("`{}` sets it", l.launcher)
        } else {
            format!("`{}` forwards it", l.launcher)
        };
        // A forwarded key the caller holds as a literal is that literal's finding, not this.
        let value = match (&value, v.value.is_none(), v.name == API_KEY) {
            (Value::Literal(_), true, true) => Value::Inherited,
            _ => value,
        };
        out.push(Var {
            name: v.name.clone(),
            value,
            name_span,
            value_span,
            origin,
        });
    }
    out
}
