//! Kubeflow Pipelines in Python: each task of a pipeline function is a scope, the container
//! it runs in, with the environment the pipeline gives it:
//!
//! - v2: `task.set_env_variable(name="X", value=...)` and
//!   `kubernetes.use_secret_as_env(task, secret_name="s", secret_key_to_env={"k": "X"})`;
//! - v1: `op.add_env_variable(V1EnvVar(name="X", value=...))`, the `V1EnvVar` inline or bound
//!   to a name earlier in the file.
//!
//! A task is named by the variable that holds it (`train_task = train(...)`, then
//! `train_task.set_env_variable(...)`), within the `def` it is built in; calls chained on a
//! component call (`train(...).set_env_variable(...)`) belong to the statement's target.

use std::ops::Range;

use super::text::{definition, paren_block, python_value};
use super::{Scope, Value, Var};

crate::pattern::patterns! {
    ENV_CALL: Text = r"\.\s*(set_env_variable|add_env_variable)\s*\(";
    SECRET_AS_ENV: Text = r"\buse_secret_as_env\s*\(";
    TOP_DEF: Text = r"(?m)^(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)";
    NAME_ARG: Text = r#"\bname\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)')"#;
    VALUE_ARG: Text = r"\bvalue\s*=\s*";
    STRING: Text = r#""([^"\n]*)"|'([^'\n]*)'"#;
    SECRET_NAME: Text = r#"\bsecret_name\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z_][A-Za-z0-9_.]*))"#;
    KEY_TO_ENV: Text = r"\bsecret_key_to_env\s*=\s*\{";
    PAIR: Text = r#"(?:"([^"\n]*)"|'([^'\n]*)')\s*:\s*(?:"([^"\n]*)"|'([^'\n]*)')"#;
    V1_ENV: Text = r"\bV1EnvVar\s*\(";
    TARGET: Text = r"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[^=]";
}

/// Whether a file can hold a Kubeflow pipeline that sets environment variables.
pub fn claims(text: &str) -> bool {
    text.contains("set_env_variable")
        || text.contains("add_env_variable")
        || text.contains("use_secret_as_env")
}

/// The tasks of the file's pipelines that are given environment variables, as scopes.
pub fn scopes(text: &str) -> Vec<Scope> {
    let defs: Vec<(usize, &str)> = TOP_DEF
        .captures_iter(text)
        .filter_map(|c| Some((c.get(0)?.start(), c.get(1)?.as_str())))
        .collect();
    let mut tasks: Vec<((usize, String), Scope)> = Vec::new();
    let mut add = |at: usize, task: String, vars: Vec<Var>| {
        if vars.is_empty() {
            return;
        }
        let def = defs.iter().rev().find(|(d, _)| *d <= at);
        let key = (def.map_or(0, |d| d.0), task.clone());
        if let Some((_, s)) = tasks.iter_mut().find(|(k, _)| *k == key) {
            s.vars.extend(vars);
            return;
        }
        let label = match def {
            Some((_, f)) => format!("kfp task `{task}` in `{f}`"),
            None => format!("kfp task `{task}`"),
        };
        let mut scope = Scope::new(
            label,
            at..at + 1,
            "task.set_env_variable(name=\"WANDB_ENTITY\", value=\"<team>\")   # on the task",
        );
        scope.vars = vars;
        tasks.push((key, scope));
    };
    for m in ENV_CALL.captures_iter(text) {
        let (Some(all), Some(kind)) = (m.get(0), m.get(1)) else {
            continue;
        };
        let args = paren_block(text, all.end() - 1);
        let vars = if kind.as_str() == "set_env_variable" {
            set_env(text, args)
        } else {
            add_env(text, args)
        };
        let task = task_name(text, all.start());
        add(all.start(), task, vars);
    }
    for m in SECRET_AS_ENV.find_iter(text) {
        let args = paren_block(text, m.end() - 1);
        let slice = text.get(args.clone()).unwrap_or("");
        let inner = slice.get(1..).unwrap_or("");
        // The task: the first argument (or `task=`), else the statement's target.
        let first = inner
            .trim_start()
            .strip_prefix("task")
            .and_then(|r| r.trim_start().strip_prefix('='))
            .unwrap_or(inner)
            .trim_start();
        let word: String = first
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let plain = !word.is_empty()
            && first
                .get(word.len()..)
                .is_some_and(|r| r.trim_start().starts_with([',', ')']));
        let task = if plain {
            word
        } else {
            statement_target(text, m.start()).unwrap_or_else(|| "task".to_string())
        };
        add(m.start(), task, secret_env(text, args));
    }
    tasks.into_iter().map(|(_, s)| s).collect()
}

/// `set_env_variable(name="X", value=...)` or `("X", value)`.
fn set_env(text: &str, args: Range<usize>) -> Vec<Var> {
    let slice = text.get(args.clone()).unwrap_or("");
    let name = NAME_ARG
        .captures(slice)
        .and_then(|c| c.get(1).or(c.get(2)))
        .or_else(|| STRING.captures(slice).and_then(|c| c.get(1).or(c.get(2))));
    let Some(n) = name else {
        return Vec::new();
    };
    // The value: `value=...`, or the argument after the name.
    let value_at = VALUE_ARG.find(slice).map(|v| v.end()).or_else(|| {
        let after = slice.get(n.end() + 1..)?;
        let comma = after.find(',')?;
        let rest = after.get(comma + 1..)?;
        Some(n.end() + 1 + comma + 1 + (rest.len() - rest.trim_start().len()))
    });
    let (value, value_span) = match value_at {
        Some(v) => {
            let raw = expression(slice, v);
            (
                python_value(slice.get(raw.clone()).unwrap_or("")),
                args.start + raw.start..args.start + raw.end,
            )
        }
        None => (Value::Inherited, args.start + n.end()..args.start + n.end()),
    };
    vec![Var {
        name: n.as_str().to_string(),
        value,
        name_span: args.start + n.start()..args.start + n.end(),
        value_span,
        origin: "set_env_variable".to_string(),
    }]
}

/// `add_env_variable(V1EnvVar(...))`, or a name bound to a `V1EnvVar(...)` before the call.
fn add_env(text: &str, args: Range<usize>) -> Vec<Var> {
    let slice = text.get(args.clone()).unwrap_or("");
    if let Some(m) = V1_ENV.find(slice) {
        return set_env(text, paren_block(text, args.start + m.end() - 1));
    }
    let name = slice.trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Vec::new();
    }
    let Some(def) = definition(text, name, args.start) else {
        return Vec::new();
    };
    let rest = text.get(def..).unwrap_or("");
    match V1_ENV.find(rest) {
        Some(m) if rest.get(..m.start()).is_some_and(|h| !h.contains('\n')) => {
            set_env(text, paren_block(text, def + m.end() - 1))
        }
        _ => Vec::new(),
    }
}

/// `use_secret_as_env(..., secret_name="s", secret_key_to_env={"key": "ENV"})`.
fn secret_env(text: &str, args: Range<usize>) -> Vec<Var> {
    let slice = text.get(args.clone()).unwrap_or("");
    let secret = SECRET_NAME
        .captures(slice)
        .and_then(|c| c.get(1).or(c.get(2)).or(c.get(3)))
        .map_or("?", |m| m.as_str());
    let Some(open) = KEY_TO_ENV.find(slice) else {
        return Vec::new();
    };
    let map = super::text::block(text, args.start + open.end() - 1);
    let map_text = text.get(map.clone()).unwrap_or("");
    PAIR.captures_iter(map_text)
        .filter_map(|c| {
            let key = c.get(1).or(c.get(2))?;
            let env = c.get(3).or(c.get(4))?;
            let span = map.start + env.start()..map.start + env.end();
            Some(Var {
                name: env.as_str().to_string(),
                value: Value::Secret(format!("{secret}/{}", key.as_str())),
                name_span: span.clone(),
                value_span: map.start + key.start()..map.start + key.end(),
                origin: format!("Kubernetes Secret `{secret}`"),
            })
        })
        .collect()
}

/// The task an env call at `dot` (its `.`) is made on: the name before it (through chained
/// calls), or, on a component call, the statement's target.
fn task_name(text: &str, dot: usize) -> String {
    let bytes = text.as_bytes();
    let mut at = dot;
    // Up to 64 links of a chain.
    for _ in 0..64 {
        let head = text.get(..at).unwrap_or("").trim_end();
        at = head.len();
        if head.ends_with(')') {
            // Back to the matching `(`.
            let mut depth = 0usize;
            let mut open = None;
            for i in (0..at).rev() {
                match bytes.get(i) {
                    Some(b')') => depth += 1,
                    Some(b'(') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            open = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(open) = open else { break };
            let name_end = text.get(..open).unwrap_or("").trim_end().len();
            let word = word_before(text, name_end);
            let start = name_end - word.len();
            if text
                .get(..start)
                .is_some_and(|h| h.trim_end().ends_with('.'))
            {
                // A method of a chain: go on to its receiver.
                at = text.get(..start).map_or(0, |h| h.trim_end().len() - 1);
                continue;
            }
            return statement_target(text, dot).unwrap_or_else(|| word.to_string());
        }
        let word = word_before(text, at);
        if word.is_empty() {
            break;
        }
        return word.to_string();
    }
    statement_target(text, dot).unwrap_or_else(|| "task".to_string())
}

/// The identifier that ends at `end`.
fn word_before(text: &str, end: usize) -> &str {
    let head = text.get(..end).unwrap_or("");
    let len = head
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    head.get(end - len..).unwrap_or("")
}

/// `X` when the statement holding byte `at` is `X = ...`: the statement starts after the last
/// line end outside brackets before `at` (scanned from the start of its `def`).
fn statement_target(text: &str, at: usize) -> Option<String> {
    let from = TOP_DEF
        .find_iter(text.get(..at)?)
        .last()
        .map_or(0, |m| m.start());
    let bytes = text.as_bytes();
    let (mut depth, mut quote, mut start) = (0usize, None::<u8>, from);
    let mut i = from;
    while i < at {
        let b = bytes.get(i).copied().unwrap_or(b' ');
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(_) if b == b'\n' => {
                quote = None;
                if depth == 0 {
                    start = i + 1;
                }
            }
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'\n' if depth == 0 => start = i + 1,
                _ => {}
            },
        }
        i += 1;
    }
    let line = text.get(start..)?.lines().next()?;
    TARGET
        .captures(line)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

/// A Python expression in `s` starting at `at`: to the first `,` or `)` outside brackets and
/// strings.
fn expression(s: &str, at: usize) -> Range<usize> {
    let bytes = s.as_bytes();
    let (mut depth, mut quote, mut i) = (0usize, None::<u8>, at);
    while let Some(&b) = bytes.get(i) {
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => break,
                b')' | b']' | b'}' => depth -= 1,
                b',' | b'\n' | b'#' if depth == 0 => break,
                _ => {}
            },
        }
        i += 1;
    }
    let end = i.min(s.len());
    let raw = s.get(at..end).unwrap_or("");
    at..at + raw.trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_tasks_and_secrets() {
        let text = r#"from kfp import dsl, kubernetes

@dsl.pipeline
def training_pipeline():
    data = load_data()
    train_task = train(data=data.output)
    train_task = train_task.set_env_variable(
        name="WANDB_API_KEY", value=WANDB_API_KEY
    )
    train_task.set_env_variable(name="WANDB_PROJECT", value="p").set_env_variable("WANDB_ENTITY", "ml-team")
    eval_task = evaluate(model=train_task.output)
    kubernetes.use_secret_as_env(
        eval_task,
        secret_name="wandb",
        secret_key_to_env={"api_key": "WANDB_API_KEY"},
    )
    serve_task = kubernetes.use_secret_as_env(
        serve(x=1), secret_name="wandb", secret_key_to_env={"api_key": "WANDB_API_KEY"}
    )
    upload(x=1).set_env_variable(name="WANDB_API_KEY", value="k3y-in-kfp-5d1c")
"#;
        let scopes = scopes(text);
        let labels: Vec<&str> = scopes.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "kfp task `train_task` in `training_pipeline`",
                "kfp task `upload` in `training_pipeline`",
                "kfp task `eval_task` in `training_pipeline`",
                "kfp task `serve_task` in `training_pipeline`",
            ]
        );
        let t = &scopes[0];
        let key = t.var("WANDB_API_KEY").expect("key");
        assert_eq!(&text[key.name_span.clone()], "WANDB_API_KEY");
        assert_eq!(key.value, Value::Secret("WANDB_API_KEY".into()));
        assert_eq!(
            t.var("WANDB_ENTITY").map(|v| v.value.clone()),
            Some(Value::Literal("ml-team".into()))
        );
        assert_eq!(
            scopes[1].var("WANDB_API_KEY").map(|v| v.value.clone()),
            Some(Value::Literal("k3y-in-kfp-5d1c".into()))
        );
        assert_eq!(
            scopes[2].var("WANDB_API_KEY").map(|v| v.value.clone()),
            Some(Value::Secret("wandb/api_key".into()))
        );
    }

    #[test]
    fn v1_env_vars_inline_and_named() {
        let text = "def pipe(key):\n    op = dsl.ContainerOp(name=\"t\", image=\"i\")\n    env_key = V1EnvVar(name=\"WANDB_API_KEY\", value=key)\n    op = op.add_env_variable(env_key)\n    op.add_env_variable(k8s.V1EnvVar(name='WANDB_ENTITY', value='ml'))\n";
        let scopes = scopes(text);
        assert_eq!(scopes.len(), 1);
        let key = scopes[0].var("WANDB_API_KEY").expect("key");
        assert_eq!(key.name_span.start, text.find("WANDB_API_KEY").expect("k"));
        assert!(scopes[0].var("WANDB_ENTITY").is_some());
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            ".set_env_variable(",
            ")).set_env_variable(name=",
            "x.add_env_variable(y",
            "use_secret_as_env(task=, secret_key_to_env={",
            "é.set_env_variable('A', ",
            "a = b\n(((.set_env_variable(name='WANDB_API_KEY', value=é",
        ] {
            let _ = scopes(text);
        }
    }
}
