//! C009 `secret-in-script`: a GitHub Actions `run:` script that writes a W&B secret as an
//! expression (`wandb login ${{ secrets.WANDB_API_KEY }}`). The runner substitutes the value
//! into the script text before any shell runs: it is in the script file on the runner and in
//! the arguments of the processes, and a value with quotes or `$` changes the script.

use std::ops::Range;

use super::scope::{ConfigHit, FileChecks, ScopeInput};
use super::{Check, Run};
use crate::formats::shell::{self, SimpleCommand, Word};
use crate::formats::{Format, API_KEY};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "secret-in-script",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    if !matches!(input.format, Format::GithubWorkflow | Format::GithubAction) {
        return;
    }
    let scope = input.scope;
    for c in scope
        .commands
        .iter()
        .filter(|c| c.shell && c.may_hold(&["secrets"]))
    {
        let script = &c.script;
        let mut found: Vec<(Range<usize>, String, String)> = Vec::new();
        let assigned = |a: &shell::Assign| a.value.as_ref().map(|v| secrets_in(v, Some(&a.name)));
        for sc in &script.commands {
            let login = is_login(sc);
            found.extend(sc.assigns.iter().filter_map(assigned).flatten());
            for w in &sc.argv {
                let var = wandb_var(&w.text).or(login.then_some(API_KEY));
                found.extend(secrets_in(w, var));
            }
            for r in &sc.redirects {
                if let Some(t) = &r.target {
                    found.extend(secrets_in(t, None));
                }
            }
        }
        found.extend(
            script
                .assignments
                .iter()
                .filter_map(|(a, _)| assigned(a))
                .flatten(),
        );
        for (span, secret, var) in found {
            out.push(ConfigHit {
                check: CHECK.name,
                span,
                message: format!(
                    "`${{{{ {secret} }}}}` is written into the `run:` script of {}: the runner puts the secret's value into the script text and the command's arguments before the shell runs",
                    scope.label
                ),
                help: Some(format!(
                    "give it to the step through `env:` and refer to `${var}` in the script (the SDK reads `WANDB_*` variables by itself):\nenv:\n  {var}: ${{{{ {secret} }}}}"
                )),
                mask: Vec::new(),
                identity: format!("{}|{secret}", scope.label),
            });
        }
    }
}

/// A `wandb login` command (its arguments are the key).
fn is_login(sc: &SimpleCommand) -> bool {
    let words: Vec<&str> = sc.argv.iter().map(|w| w.text.as_str()).collect();
    let rest = words.get(shell::wrapped_start(&words)..).unwrap_or(&[]);
    rest.iter()
        .position(|w| w.rsplit('/').next() == Some("wandb"))
        .is_some_and(|i| rest.get(i + 1) == Some(&"login"))
}

/// The W&B variable a word sets: `WANDB_API_KEY=...` (`export`, `env`, `docker run -e`).
fn wandb_var(text: &str) -> Option<&str> {
    text.split_once('=')
        .map(|(name, _)| name)
        .filter(|name| name.starts_with("WANDB_") && !name.contains("${{"))
}

/// The `${{ ... secrets.NAME ... }}` expressions of a word that name a W&B secret, or any
/// secret when the word feeds the W&B variable `var`: their file spans, `secrets.NAME`, and
/// the variable to give it through (`WANDB_API_KEY` when the word does not say).
fn secrets_in(w: &Word, var: Option<&str>) -> Vec<(Range<usize>, String, String)> {
    let mut out = Vec::new();
    let text = w.text.as_str();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|t| t.find("${{")) {
        let start = from + open;
        let Some(close) = text.get(start..).and_then(|t| t.find("}}")) else {
            break;
        };
        let end = start + close + 2;
        let inner = text.get(start + 3..end - 2).unwrap_or("");
        if let Some(name) = secret_name(inner) {
            let fed = var.filter(|v| v.starts_with("WANDB_"));
            if fed.is_some() || name.to_ascii_lowercase().contains("wandb") {
                let through = fed.unwrap_or(API_KEY).to_string();
                out.push((w.range(start..end), format!("secrets.{name}"), through));
            }
        }
        from = end;
    }
    out
}

/// The secret an expression reads: `secrets.NAME` or `secrets['NAME']`.
fn secret_name(inner: &str) -> Option<String> {
    let at = inner.find("secrets")?;
    let rest = inner.get(at + "secrets".len()..)?;
    let name: String = if let Some(r) = rest.strip_prefix('.') {
        r.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect()
    } else {
        let r = rest.strip_prefix('[')?.trim_start();
        let q = r.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        r.get(1..)?.split(q).next()?.to_string()
    };
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert_eq!(
            secret_name(" secrets.WANDB_KEY ").as_deref(),
            Some("WANDB_KEY")
        );
        assert_eq!(
            secret_name(" secrets['wandb-key'] ").as_deref(),
            Some("wandb-key")
        );
        assert_eq!(secret_name(" env.WANDB_KEY "), None);
        assert_eq!(secret_name(" secrets. "), None);
    }

    #[test]
    fn wandb_variables() {
        assert_eq!(
            wandb_var("WANDB_API_KEY=${{ secrets.K }}"),
            Some("WANDB_API_KEY")
        );
        assert_eq!(wandb_var("HF_TOKEN=${{ secrets.K }}"), None);
        assert_eq!(wandb_var("${{ secrets.K }}"), None);
    }
}
