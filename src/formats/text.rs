//! Line- and brace-structured formats: `.env` files, shell scripts, Jenkinsfiles (the
//! `environment {}` blocks, `withEnv`, `withCredentials`, `sh` steps), Python (Airflow
//! operators' `env_vars=` dicts, and the whole module as code) and `wandb/settings`.

use std::ops::Range;

use super::{classify, shell, Command, ConfigDoc, Format, Scope, Value, Var};

crate::pattern::patterns! {
    JENKINS_ENV_LINE: Text = r#"(?mR)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.+?)[ \t]*$"#;
    WITH_ENV: Text = r"withEnv\s*\(\s*\[([^\]]*)\]";
    WITH_ENV_ITEM: Text = r#"["']([A-Za-z_][A-Za-z0-9_]*)=([^"']*)["']"#;
    WITH_CREDENTIALS: Text = r#"credentialsId\s*:\s*["']([^"']+)["'][^)]*?variable\s*:\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"#;
    JENKINS_STEP: Text = r#"(?s)\b(?:sh|bat|powershell)\s*\(?\s*(?:script\s*:\s*)?('''.*?'''|""".*?"""|'[^'\n]*'|"[^"\n]*")"#;
    ENVIRONMENT_BLOCK: Text = r"\benvironment\s*\{";
    STAGE: Text = r#"\bstage\s*\(\s*["']([^"']+)["']\s*\)\s*\{"#;
    OPERATOR: Text = r"\b([A-Za-z_][A-Za-z0-9_]*Operator)\s*\(";
    ENV_ARG: Text = r"\b(env_vars|env)\s*=\s*(\{|dict\s*\()";
    ENV_PAIR: Text = r#"(?:["']([A-Za-z_][A-Za-z0-9_]*)["']\s*:|\b([A-Za-z_][A-Za-z0-9_]*)\s*=)\s*([^,\n}\)]+(?:\([^)\n]*\))?)"#;
    TASK_ID: Text = r#"task_id\s*=\s*["']([^"']+)["']"#;
    ENV_SECRET: Text = r#"Secret\(\s*["']env["']\s*,\s*["']([A-Z_]+)["']\s*,\s*["']([^"']+)["']\s*,\s*["']([^"']+)["']"#;
    NAMED_SECRET: Text = r#"(?m)^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*Secret\(\s*["']env["']\s*,\s*["']([A-Z_][A-Z0-9_]*)["']\s*,\s*["']([^"']+)["']\s*,\s*["']([^"']+)["']"#;
    SECRETS_ARG: Text = r"\bsecrets\s*=\s*\[([^\]]*)\]";
    ENV_VAR_OBJ: Text = r#"V1EnvVar\((?:\s|#[^\n]*)*name\s*=\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*,(?:\s|#[^\n]*)*(value_from|value)\s*=\s*("[^"\n]*"|'[^'\n]*')?"#;
    ENV_BY_NAME: Text = r"\b(?:env_vars|env)\s*=\s*([A-Za-z_][A-Za-z0-9_]*)\s*[,)\n]";
    ENV_FROM_VARIABLE: Text = r#"\b(?:env_vars|env)\s*=\s*Variable\.get\(\s*["']([^"']+)["'][^)]*deserialize_json\s*=\s*True"#;
    VARIABLE_JSON: Text = r#"^Variable\.get\(\s*["']([^"']+)["'][^)]*deserialize_json\s*=\s*True"#;
    BASH_COMMAND: Text = r#"\bbash_command\s*=\s*f?("[^"\n]*"|'[^'\n]*')"#;
    DOTENV_LINE: Text = r#"(?mR)^[ \t]*(?:export[ \t]+)?(WANDB_[A-Z0-9_]+)[ \t]*=[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s;#]*)[ \t]*(?:#.*)?$"#;
    MAKE_ASSIGNMENT: Text = r#"(?mR)^(?:export[ \t]+|override[ \t]+)*(WANDB_[A-Z0-9_]+)[ \t]*(?:\?=|:=|::=|\+=|=)[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s#]*)"#;
}

/// `.env`: `NAME=value` lines (optionally `export`), one scope.
pub fn read_dotenv(text: &str) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let mut scope = Scope::new(
        "env file",
        0..text.lines().next().map_or(0, str::len),
        "WANDB_ENTITY=<team>",
    );
    scope.vars = regex_vars(&DOTENV_LINE, text, "env file");
    doc.scopes.push(scope);
    doc
}

/// Batch-scheduler directives (`#SBATCH --export=WANDB_API_KEY`, `#PBS -v NAME=value`,
/// `#BSUB -env ...`, SGE's `#$ -v NAME`): the variables the scheduler hands the job, read with
/// the launcher table as if the flags were given to the submit command.
fn directive_vars(text: &str) -> Vec<Var> {
    const DIRECTIVES: &[(&str, &str)] = &[
        ("#SBATCH", "sbatch"),
        ("#PBS", "qsub"),
        ("#BSUB", "bsub"),
        ("#$", "qsub"),
    ];
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let at = pos;
        pos += line.len();
        let body = line.trim_end();
        let Some((tag, submit)) = DIRECTIVES.iter().find(|(d, _)| {
            body.strip_prefix(d)
                .is_some_and(|r| r.starts_with([' ', '\t']))
        }) else {
            continue;
        };
        // The flags as the submit command's arguments: `sbatch --export=...`, the command's
        // name standing where the directive's tag is.
        let flags = body.get(tag.len()..).unwrap_or("");
        let line_text = format!("{submit}{flags}");
        let mut offsets: Vec<usize> = (0..submit.len()).map(|_| at).collect();
        offsets.extend((0..=flags.len()).map(|i| at + tag.len() + i));
        let view = shell::View {
            text: line_text,
            offsets: shell::word::Offsets::from_vec(offsets),
            original: None,
        };
        let script = shell::Script::parse(&view);
        let Some(c) = script.commands.first() else {
            continue;
        };
        let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
        let Some(l) = super::launch::launch(&words) else {
            continue;
        };
        for v in &l.vars {
            let Some(w) = c.argv.get(v.word) else {
                continue;
            };
            let name_span = w.range(v.name_range.clone());
            let value_span = match c.argv.get(v.value_word) {
                Some(vw) if v.value_range.end > v.value_range.start => {
                    vw.range(v.value_range.clone())
                }
                _ => name_span.end..name_span.end,
            };
            out.push(Var {
                name: v.name.clone(),
                value: v.value.as_deref().map_or(Value::Inherited, classify),
                name_span,
                value_span,
                origin: format!("`{tag}` directive"),
            });
        }
    }
    out
}

/// The W&B variables a script sets as statements in its own environment. One that is never
/// exported (no `export`, `declare -x`, `set -a`) stays a shell variable: its origin says so,
/// and the programs the script runs do not see it (C001 does not count it as a credential;
/// a literal key in it is still a literal key).
fn shell_vars(script: &shell::Script, origin: &str) -> Vec<Var> {
    let exported = shell::exported_names(script);
    shell::assignments(script)
        .into_iter()
        .map(|a| {
            if shell::is_exported(a, exported.as_deref()) {
                super::assign_var(a, origin)
            } else {
                super::assign_var(a, format!("{origin} (not exported)"))
            }
        })
        .collect()
}

/// `NAME=value` matches of `re` (name in group 1, value in group 2) as variables.
fn regex_vars(re: &regex::Regex, text: &str, origin: &str) -> Vec<Var> {
    re.captures_iter(text)
        .filter_map(|c| {
            let (n, v) = (c.get(1)?, c.get(2)?);
            Some(Var {
                name: n.as_str().to_string(),
                value: classify(v.as_str()),
                name_span: n.start()..n.end(),
                value_span: v.start()..v.end(),
                origin: origin.to_string(),
            })
        })
        .collect()
}

/// A shell script, Makefile or justfile: one scope, its exported variables, its recipes or
/// its text as the command. Makefile and justfile assignments (`export WANDB_ENTITY := x`)
/// are variables too.
pub fn read_shell(text: &str, format: Format) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let mut scope = Scope::new(
        "script",
        0..text.lines().next().map_or(0, str::len),
        "export WANDB_ENTITY=<team>",
    );
    let view = match format {
        Format::Makefile => shell::dialect::makefile(text),
        Format::Justfile => shell::dialect::justfile(text),
        _ => shell::View::at(text, 0),
    };
    let command = Command::script_file(text, 0..text.len(), view);
    if format != Format::Shell {
        scope.vars = regex_vars(&MAKE_ASSIGNMENT, text, "script");
    }
    if format == Format::Shell {
        scope.vars.extend(directive_vars(text));
    }
    scope.vars.extend(shell_vars(&command.script, "script"));
    scope.commands.push(command);
    doc.scopes.push(scope);
    doc
}

/// The span of the block opened by the `{` at `open`, to its matching `}` (strings and
/// comments skipped roughly: quotes of all three kinds, `//` comments).
pub fn block(text: &str, open: usize) -> Range<usize> {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut depth = 0usize;
    let mut i = open;
    while let Some(&c) = b.get(i) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return open..i + 1;
                }
            }
            q @ (b'"' | b'\'') => {
                let triple = b.get(i..i + 3) == Some(&[q, q, q][..]);
                if triple {
                    let close = [q, q, q];
                    i += 3;
                    while i < b.len() && b.get(i..i + 3) != Some(&close[..]) {
                        i += 1;
                    }
                    i += 2;
                } else {
                    i += 1;
                    while i < b.len() && at(i) != q && at(i) != b'\n' {
                        if at(i) == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && at(i) != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    open..b.len()
}

/// `NAME = value` lines of a Jenkins `environment {}` block.
fn jenkins_env(text: &str, body: Range<usize>, origin: &str) -> Vec<Var> {
    let Some(slice) = text.get(body.clone()) else {
        return Vec::new();
    };
    JENKINS_ENV_LINE
        .captures_iter(slice)
        .filter_map(|c| {
            let (n, v) = (c.get(1)?, c.get(2)?);
            Some(Var {
                name: n.as_str().to_string(),
                value: jenkins_value(v.as_str()),
                name_span: body.start + n.start()..body.start + n.end(),
                value_span: body.start + v.start()..body.start + v.end(),
                origin: origin.to_string(),
            })
        })
        .collect()
}

fn jenkins_value(raw: &str) -> Value {
    let v = raw.trim();
    if v.starts_with("credentials(") {
        let id = v
            .trim_start_matches("credentials(")
            .trim_end_matches(')')
            .trim_matches(|c| c == '\'' || c == '"');
        return Value::Secret(format!("credentials:{id}"));
    }
    let v = v.trim_matches(|c| c == '\'' || c == '"');
    classify(v)
}

/// `withEnv(['A=1', "B=2"])` and `withCredentials([string(credentialsId: 'x', variable: 'V')])`
/// inside a span.
fn jenkins_wrappers(text: &str, within: Range<usize>) -> Vec<Var> {
    let mut out = Vec::new();
    let Some(slice) = text.get(within.clone()) else {
        return out;
    };
    let item = &*WITH_ENV_ITEM;
    for c in WITH_ENV.captures_iter(slice) {
        let Some(list) = c.get(1) else { continue };
        for ic in item.captures_iter(list.as_str()) {
            let (Some(n), Some(v)) = (ic.get(1), ic.get(2)) else {
                continue;
            };
            let base = within.start + list.start();
            out.push(Var {
                name: n.as_str().to_string(),
                value: classify(v.as_str()),
                name_span: base + n.start()..base + n.end(),
                value_span: base + v.start()..base + v.end(),
                origin: "withEnv".to_string(),
            });
        }
    }
    for c in WITH_CREDENTIALS.captures_iter(slice) {
        let (Some(id), Some(var)) = (c.get(1), c.get(2)) else {
            continue;
        };
        out.push(Var {
            name: var.as_str().to_string(),
            value: Value::Secret(format!("credentials:{}", id.as_str())),
            name_span: within.start + var.start()..within.start + var.end(),
            value_span: within.start + id.start()..within.start + id.end(),
            origin: "withCredentials".to_string(),
        });
    }
    out
}

/// `sh '...'`, `sh "..."`, `sh '''...'''`, `sh """..."""`, `sh(script: ...)` steps in a span.
fn jenkins_steps(text: &str, within: Range<usize>) -> Vec<Command> {
    let Some(slice) = text.get(within.clone()) else {
        return Vec::new();
    };
    JENKINS_STEP
        .captures_iter(slice)
        .filter_map(|c| c.get(1))
        .map(|m| {
            // The script without its quotes, so commands start their lines.
            let q = if m.as_str().starts_with("'''") || m.as_str().starts_with("\"\"\"") {
                3
            } else {
                1
            };
            let inner = m.start() + q..m.end().saturating_sub(q).max(m.start() + q);
            let body = slice.get(inner.clone()).unwrap_or("");
            let at = within.start + inner.start;
            Command::shell(
                body,
                at..at + body.len(),
                shell::dialect::groovy_string(body, at),
            )
        })
        .collect()
}

/// A Jenkinsfile: pipeline-level `environment {}` → each `stage('x') {}` with its own
/// `environment {}`, `withEnv`/`withCredentials` wrappers and `sh` steps.
pub fn read_jenkinsfile(text: &str) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let env_re = &*ENVIRONMENT_BLOCK;
    let stage_re = &*STAGE;
    let stages: Vec<(String, Range<usize>, Range<usize>)> = stage_re
        .captures_iter(text)
        .filter_map(|c| {
            let all = c.get(0)?;
            let name = c.get(1)?;
            let body = block(text, all.end() - 1);
            Some((name.as_str().to_string(), name.start()..name.end(), body))
        })
        .collect();
    // Only the outermost stages (parallel stages nest).
    let envs: Vec<Range<usize>> = env_re
        .find_iter(text)
        .map(|m| block(text, m.end() - 1))
        .collect();
    let in_stage = |r: &Range<usize>| {
        stages
            .iter()
            .any(|(_, _, b)| b.start <= r.start && r.end <= b.end)
    };
    let mut pipeline: Vec<Var> = Vec::new();
    for e in envs.iter().filter(|e| !in_stage(e)) {
        pipeline.extend(jenkins_env(
            text,
            e.start + 1..e.end.saturating_sub(1),
            "pipeline environment",
        ));
    }
    let hint = "environment {\n  WANDB_ENTITY = '<team>'\n}";
    // A pipeline with a cron trigger is scheduled; otherwise changes start it.
    let trigger = if text.contains("cron(") || text.contains("parameterizedCron(") {
        "schedule"
    } else {
        "push"
    };
    if stages.is_empty() {
        let mut scope = Scope::new("pipeline", 0..text.lines().next().map_or(0, str::len), hint);
        scope.vars = pipeline;
        scope.vars.extend(jenkins_wrappers(text, 0..text.len()));
        scope.commands = jenkins_steps(text, 0..text.len());
        scope.triggers = vec![trigger.to_string()];
        doc.scopes.push(scope);
        return doc;
    }
    for (name, name_span, body) in &stages {
        // Skip a stage that only groups others (its inner stages are scopes).
        let inner = stages
            .iter()
            .any(|(_, _, b)| b.start > body.start && b.end <= body.end);
        if inner {
            continue;
        }
        let mut scope = Scope::new(format!("stage `{name}`"), name_span.clone(), hint);
        scope.vars = pipeline.clone();
        for e in envs
            .iter()
            .filter(|e| body.start <= e.start && e.end <= body.end)
        {
            scope.vars.extend(jenkins_env(
                text,
                e.start + 1..e.end.saturating_sub(1),
                "stage environment",
            ));
        }
        scope.vars.extend(jenkins_wrappers(text, body.clone()));
        scope.commands = jenkins_steps(text, body.clone());
        scope.triggers = vec![trigger.to_string()];
        doc.scopes.push(scope);
    }
    doc
}

/// Python: each Airflow operator call (`...Operator(`) is a scope, named by its `task_id`,
/// with the variables of its `env_vars=`/`env=` dict and its `Secret("env", NAME, ...)`
/// entries; the module itself is one more scope (its code, for printing the key) with no
/// credential of its own.
pub fn read_python(text: &str) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let mut module = Scope::new("module", 0..text.lines().next().map_or(0, str::len), "");
    module.entity_checked = false;
    module.commands.push(Command::code(text, 0..text.len()));
    doc.scopes.push(module);
    let operator = &*OPERATOR;
    let task_id = &*TASK_ID;
    let secret = &*ENV_SECRET;
    let named = named_secrets(text);
    for call in operator.captures_iter(text) {
        let (Some(all), Some(kind)) = (call.get(0), call.get(1)) else {
            continue;
        };
        let body = paren_block(text, all.end() - 1);
        let Some(slice) = text.get(body.clone()) else {
            continue;
        };
        let mut vars = env_dict_vars(text, &body, slice);
        let mut unknown = Vec::new();
        named_env(text, slice, body.start, &mut vars, &mut unknown);
        for c in secret.captures_iter(slice) {
            let (Some(n), Some(s), Some(k)) = (c.get(1), c.get(2), c.get(3)) else {
                continue;
            };
            vars.push(Var {
                name: n.as_str().to_string(),
                value: Value::Secret(format!("{}/{}", s.as_str(), k.as_str())),
                name_span: body.start + n.start()..body.start + n.end(),
                value_span: body.start + s.start()..body.start + k.end(),
                origin: "secrets".to_string(),
            });
        }
        for c in SECRETS_ARG.captures_iter(slice) {
            let Some(list) = c.get(1) else { continue };
            for ident in list
                .as_str()
                .split([',', ' ', '\n', '\t'])
                .filter(|w| !w.is_empty())
            {
                if let Some((_, v)) = named.iter().find(|(n, _)| n == ident) {
                    vars.push(v.clone());
                }
            }
        }
        vars.extend(v1_env_vars(slice, body.start));
        // A BashOperator's command is a script (and Airflow logs it).
        let mut commands = Vec::new();
        for c in BASH_COMMAND.captures_iter(slice) {
            let Some(m) = c.get(1) else { continue };
            let inner = m.start() + 1..m.end().saturating_sub(1).max(m.start() + 1);
            let code = slice.get(inner.clone()).unwrap_or("");
            let at = body.start + inner.start;
            commands.push(Command::shell(
                code,
                at..at + code.len(),
                shell::View::at(code, at),
            ));
        }
        if vars.is_empty() && commands.is_empty() && unknown.is_empty() {
            continue;
        }
        let label = task_id.captures(slice).and_then(|t| t.get(1)).map_or_else(
            || format!("`{}`", kind.as_str()),
            |t| format!("task `{}`", t.as_str()),
        );
        let mut scope = Scope::new(
            label,
            kind.start()..kind.end(),
            "env_vars={\"WANDB_ENTITY\": \"<team>\", ...}   # in the operator",
        );
        scope.vars = vars;
        scope.commands = commands;
        scope.unknown = unknown;
        doc.scopes.push(scope);
    }
    // Launchers that run functions and tasks remotely: Modal apps, Kubeflow pipelines.
    if super::python_modal::claims(text) {
        doc.scopes.extend(super::python_modal::scopes(text));
    }
    if super::kfp::claims(text) {
        doc.scopes.extend(super::kfp::scopes(text));
    }
    doc
}

/// `name = Secret("env", "WANDB_API_KEY", "secret", "key")` defined once, passed to
/// operators by `secrets=[name]`: the variable enters where the Secret is defined. Returns
/// (Python name, variable) pairs.
fn named_secrets(text: &str) -> Vec<(String, Var)> {
    let mut named: Vec<(String, Var)> = Vec::new();
    for c in NAMED_SECRET.captures_iter(text) {
        let (Some(var), Some(n), Some(sec), Some(key)) = (c.get(1), c.get(2), c.get(3), c.get(4))
        else {
            continue;
        };
        named.push((
            var.as_str().to_string(),
            Var {
                name: n.as_str().to_string(),
                value: Value::Secret(format!("{}/{}", sec.as_str(), key.as_str())),
                name_span: n.start()..n.end(),
                value_span: sec.start()..key.end(),
                origin: "secrets".to_string(),
            },
        ));
    }
    named
}

/// The variables of the `env_vars=`/`env=` dicts (`{...}` or `dict(...)`) in an operator
/// call whose arguments are `body` (`slice` is its text).
fn env_dict_vars(text: &str, body: &Range<usize>, slice: &str) -> Vec<Var> {
    let mut vars = Vec::new();
    for c in ENV_ARG.captures_iter(slice) {
        let Some(open) = c.get(2) else { continue };
        let at = body.start + open.start();
        let dict = if open.as_str().starts_with('{') {
            block(text, at)
        } else {
            paren_block(text, body.start + open.end() - 1)
        };
        vars.extend(dict_vars(text, dict, "env_vars"));
    }
    vars
}

/// An operator's environment given by name: `env_vars=ENV` with `ENV = {...}`, `dict(...)`
/// or `[V1EnvVar(...), ...]` defined at the start of a line of the DAG file, or
/// `Variable.get("name", deserialize_json=True)` (there or in the call): an Airflow Variable
/// whose name says W&B holds the credential (like a Secret loaded whole); any other is a
/// source of unknown contents. `slice` is the call's arguments, at `base` in `text`.
fn named_env(
    text: &str,
    slice: &str,
    base: usize,
    vars: &mut Vec<Var>,
    unknown: &mut Vec<super::Unknown>,
) {
    let from_variable =
        |name: &str, span: Range<usize>, vars: &mut Vec<Var>, unknown: &mut Vec<super::Unknown>| {
            if name.to_ascii_lowercase().contains("wandb") {
                vars.insert(
                    0,
                    Var {
                        name: super::API_KEY.to_string(),
                        value: Value::Secret(format!("Airflow Variable `{name}`")),
                        name_span: span.clone(),
                        value_span: span,
                        origin: format!("Airflow Variable `{name}`"),
                    },
                );
            } else {
                unknown.push(super::Unknown {
                    what: format!("Airflow Variable `{name}` (JSON)"),
                    span,
                    file: None,
                });
            }
        };
    for c in ENV_FROM_VARIABLE.captures_iter(slice) {
        if let Some(n) = c.get(1) {
            from_variable(n.as_str(), base + n.start()..base + n.end(), vars, unknown);
        }
    }
    for c in ENV_BY_NAME.captures_iter(slice) {
        let Some(name) = c.get(1) else { continue };
        if matches!(name.as_str(), "None" | "True" | "False") {
            continue;
        }
        // The definition: `NAME = ...` at the start of a line, the last one before the call.
        let def = format!("{} =", name.as_str());
        let Some(at) = text[..base]
            .match_indices(def.as_str())
            .filter(|(i, _)| *i == 0 || text.as_bytes().get(i - 1) == Some(&b'\n'))
            .map(|(i, _)| i)
            .last()
        else {
            continue;
        };
        let rhs_at = at + def.len();
        let rest = &text[rhs_at..];
        let lead = rest.len() - rest.trim_start().len();
        let open = rhs_at + lead;
        let rhs = &text[open..];
        if rhs.starts_with('{') || rhs.starts_with("dict(") {
            let mut found = Vec::new();
            {
                let dict = if rhs.starts_with('{') {
                    block(text, open)
                } else {
                    paren_block(text, open + 4)
                };
                let dict_text = text.get(dict.clone()).unwrap_or("");
                for pc in ENV_PAIR.captures_iter(dict_text) {
                    let (Some(n), Some(v)) = (pc.get(1).or_else(|| pc.get(2)), pc.get(3)) else {
                        continue;
                    };
                    let raw = v.as_str().trim();
                    found.push(Var {
                        name: n.as_str().to_string(),
                        value: python_value(raw),
                        name_span: dict.start + n.start()..dict.start + n.end(),
                        value_span: dict.start + v.start()..dict.start + v.start() + raw.len(),
                        origin: format!("env_vars `{}`", name.as_str()),
                    });
                }
            }
            vars.extend(found);
        } else if rhs.starts_with('[') {
            let end = rhs.find("\n]").map_or(rhs.len(), |e| e + 2);
            vars.extend(v1_env_vars(&rhs[..end], open));
        } else if let Some(c) = VARIABLE_JSON.captures(rhs.lines().next().unwrap_or("")) {
            if let Some(n) = c.get(1) {
                from_variable(n.as_str(), open + n.start()..open + n.end(), vars, unknown);
            }
        }
    }
}

/// `env_vars=[k8s.V1EnvVar(name="X", value="..." | value_from=...)]` in the arguments `slice`
/// of an operator call that start at byte `base`.
fn v1_env_vars(slice: &str, base: usize) -> Vec<Var> {
    let mut vars = Vec::new();
    for c in ENV_VAR_OBJ.captures_iter(slice) {
        let (Some(n), Some(kind)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let (value, value_span) = match (kind.as_str(), c.get(3)) {
            ("value", Some(v)) => (python_value(v.as_str()), v.start()..v.end()),
            _ => (
                Value::Secret("value_from".to_string()),
                kind.start()..kind.end(),
            ),
        };
        vars.push(Var {
            name: n.as_str().to_string(),
            value,
            name_span: base + n.start()..base + n.end(),
            value_span: base + value_span.start..base + value_span.end,
            origin: "env_vars".to_string(),
        });
    }
    vars
}

/// The span of the parenthesised block opened by the `(` at `open`, to its matching `)` (the
/// rest of the text when it is not closed).
pub(super) fn paren_block(text: &str, open: usize) -> Range<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    for (i, ch) in b.iter().enumerate().skip(open) {
        match ch {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return open..i + 1;
                }
            }
            _ => {}
        }
    }
    open..b.len()
}

/// A Python expression as a value: a string literal is classified like any written value; a
/// call, a name, an f-string or a subscript is a reference.
pub(super) fn python_value(raw: &str) -> Value {
    let v = raw.trim().trim_end_matches(',');
    let quoted = (v.starts_with('"') && v.ends_with('"') && v.len() >= 2)
        || (v.starts_with('\'') && v.ends_with('\'') && v.len() >= 2);
    if quoted {
        let inner = &v[1..v.len() - 1];
        if inner.contains("{{") {
            return Value::Secret(inner.to_string());
        }
        return classify(inner);
    }
    // A call, a name, an f-string or a subscript: not a literal written here.
    Value::Secret(v.to_string())
}

/// The variables of the Python dict literal at `dict` (`{"NAME": value, ...}` or the
/// arguments of `dict(NAME=value, ...)`), with `origin`.
pub(super) fn dict_vars(text: &str, dict: Range<usize>, origin: &str) -> Vec<Var> {
    let dict_text = text.get(dict.clone()).unwrap_or("");
    let mut vars = Vec::new();
    for pc in ENV_PAIR.captures_iter(dict_text) {
        let (Some(n), Some(v)) = (pc.get(1).or_else(|| pc.get(2)), pc.get(3)) else {
            continue;
        };
        let raw = v.as_str().trim();
        vars.push(Var {
            name: n.as_str().to_string(),
            value: python_value(raw),
            name_span: dict.start + n.start()..dict.start + n.end(),
            value_span: dict.start + v.start()..dict.start + v.start() + raw.len(),
            origin: origin.to_string(),
        });
    }
    vars
}

/// Where the value of the last assignment `name = ...` before byte `before` starts (a
/// statement of its own line, at any indentation, not a keyword argument inside brackets),
/// if there is one.
pub(super) fn definition(text: &str, name: &str, before: usize) -> Option<usize> {
    let head = text.get(..before)?;
    head.match_indices(name)
        .filter(|(i, _)| {
            let line = head
                .get(..*i)
                .map_or("", |h| h.rsplit('\n').next().unwrap_or(""));
            line.trim().is_empty() && (line.is_empty() || !in_brackets(text, *i))
        })
        .filter_map(|(i, _)| {
            let rest = text.get(i + name.len()..)?;
            let eq = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let after = rest.get(eq..)?;
            (after.starts_with('=') && !after.starts_with("=="))
                .then(|| {
                    let value = after.get(1..)?;
                    Some(i + name.len() + eq + 1 + (value.len() - value.trim_start().len()))
                })
                .flatten()
        })
        .last()
}

/// Whether byte `at` is inside brackets opened since the last line that starts at column 0
/// (strings skipped roughly: a quote ends at its line's end).
fn in_brackets(text: &str, at: usize) -> bool {
    let head = text.get(..at).unwrap_or("");
    let from = head
        .rmatch_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|i| {
            text.as_bytes()
                .get(*i)
                .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'#' && *b != b')')
        })
        .unwrap_or(0);
    let (mut depth, mut quote) = (0i64, None::<char>);
    for c in head.get(from..).unwrap_or("").chars() {
        match (quote, c) {
            (_, '\n') => quote = None,
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

/// `wandb/settings`: INI; `entity = x` under `[default]`.
pub fn read_settings(text: &str) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let mut section = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') && t.ends_with(']') {
            section = t[1..t.len() - 1].trim().to_string();
            continue;
        }
        if section == "default" {
            if let Some((k, v)) = t.split_once('=') {
                if k.trim() == "entity" && !v.trim().is_empty() {
                    doc.settings_entity = Some(v.trim().to_string());
                }
            }
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jenkins_stages_and_wrappers() {
        let text = "pipeline {\n  environment {\n    WANDB_PROJECT = 'p'\n  }\n  stages {\n    stage('Train') {\n      environment {\n        WANDB_API_KEY = credentials('wandb-ci')\n      }\n      steps {\n        sh 'python train.py'\n      }\n    }\n    stage('Eval') {\n      steps {\n        withCredentials([string(credentialsId: 'wandb-eval', variable: 'WANDB_API_KEY')]) {\n          withEnv(['WANDB_ENTITY=ml']) { sh \"python eval.py\" }\n        }\n      }\n    }\n  }\n}\n";
        let doc = read_jenkinsfile(text);
        assert_eq!(doc.scopes.len(), 2);
        let t = &doc.scopes[0];
        assert_eq!(t.label, "stage `Train`");
        assert!(t.var("WANDB_PROJECT").is_some());
        assert_eq!(
            t.var("WANDB_API_KEY").map(|v| v.value.clone()),
            Some(Value::Secret("credentials:wandb-ci".into()))
        );
        assert_eq!(t.commands.len(), 1);
        let e = &doc.scopes[1];
        assert!(e.var("WANDB_ENTITY").is_some());
        assert!(e.var("WANDB_API_KEY").is_some());
    }

    #[test]
    fn airflow_env_vars() {
        let text = "from airflow import DAG\ntrain = KubernetesPodOperator(\n    task_id=\"train\",\n    env_vars={\n        \"WANDB_API_KEY\": Variable.get(\"wandb_key\"),\n        \"WANDB_PROJECT\": \"p\",\n    },\n)\n";
        let doc = read_python(text);
        assert_eq!(doc.scopes.len(), 2);
        let s = &doc.scopes[1];
        assert_eq!(s.label, "task `train`");
        let k = s.var("WANDB_API_KEY").expect("key");
        assert!(matches!(k.value, Value::Secret(_)));
        assert_eq!(&text[k.name_span.clone()], "WANDB_API_KEY");
        assert_eq!(
            s.var("WANDB_PROJECT").map(|v| v.value.clone()),
            Some(Value::Literal("p".into()))
        );
    }

    #[test]
    fn airflow_env_by_name_and_from_variables() {
        let text = "from airflow.models import Variable\nENV = {\n    \"WANDB_API_KEY\": Variable.get(\"wandb_key\"),\n    \"WANDB_PROJECT\": \"p\",\n}\nPOD_ENV = [\n    k8s.V1EnvVar(name=\"WANDB_API_KEY\", value_from=src),\n]\ntrain = BashOperator(task_id=\"train\", bash_command=\"python t.py\", env=ENV)\npod = KubernetesPodOperator(task_id=\"pod\", env_vars=POD_ENV)\nj = KubernetesPodOperator(task_id=\"j\", env_vars=Variable.get(\"wandb_env\", deserialize_json=True))\nk = KubernetesPodOperator(task_id=\"k\", env_vars=Variable.get(\"pod_env\", deserialize_json=True))\n";
        let doc = read_python(text);
        let task = |l: &str| doc.scopes.iter().find(|s| s.label == l).expect(l);
        let t = task("task `train`");
        assert!(matches!(
            t.var("WANDB_API_KEY").map(|v| &v.value),
            Some(Value::Secret(_))
        ));
        assert_eq!(
            t.var("WANDB_PROJECT").map(|v| v.value.clone()),
            Some(Value::Literal("p".into()))
        );
        assert!(task("task `pod`").var("WANDB_API_KEY").is_some());
        let j = task("task `j`")
            .var("WANDB_API_KEY")
            .expect("a W&B variable holds the key");
        assert!(j.origin.contains("wandb_env"));
        let k = task("task `k`");
        assert!(k.var("WANDB_API_KEY").is_none());
        assert_eq!(k.unknown.len(), 1);
    }

    #[test]
    fn batch_directives_hand_the_job_variables() {
        let text = "#!/bin/bash\n#SBATCH --nodes=2\n#SBATCH --export=WANDB_API_KEY,HOME\n#PBS -v WANDB_PROJECT=p\npython train.py\n";
        let doc = read_shell(text, Format::Shell);
        let s = &doc.scopes[0];
        let k = s.var("WANDB_API_KEY").expect("forwarded by the directive");
        assert_eq!(k.value, Value::Inherited);
        assert_eq!(&text[k.name_span.clone()], "WANDB_API_KEY");
        assert_eq!(
            s.var("WANDB_PROJECT").map(|v| v.value.clone()),
            Some(Value::Literal("p".into()))
        );
    }

    #[test]
    fn airflow_secrets_without_env_vars() {
        let text = "a = BashOperator(task_id=\"noop\", bash_command=\"true\")\nb = KubernetesPodOperator(\n    task_id=\"score\",\n    secrets=[Secret(\"env\", \"WANDB_API_KEY\", \"wandb\", \"api-key\")],\n)\n";
        let doc = read_python(text);
        // The module, the BashOperator (its command is a script), the pod operator.
        assert_eq!(doc.scopes.len(), 3);
        assert_eq!(doc.scopes[1].commands[0].text, "true");
        let s = &doc.scopes[2];
        assert_eq!(s.label, "task `score`");
        assert_eq!(
            s.var("WANDB_API_KEY").map(|v| v.value.clone()),
            Some(Value::Secret("wandb/api-key".into()))
        );
    }

    #[test]
    fn settings_entity() {
        let doc = read_settings("[default]\nentity = ml-team\nproject = p\n");
        assert_eq!(doc.settings_entity.as_deref(), Some("ml-team"));
    }
}
