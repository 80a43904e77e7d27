//! C004 `key-on-command-line`: the key given to `wandb login` as an argument, or set inline
//! before a command (`WANDB_API_KEY=<literal> cmd`).

use super::scope::{ConfigHit, FileChecks, ScopeInput};
use super::{Check, Run};
use crate::formats::{shell, API_KEY};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "key-on-command-line",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    // A Python module is code, not shell (an operator's `bash_command` is shell).
    if !input.shell_like() {
        return;
    }
    let scope = input.scope;
    for c in &scope.commands {
        for l in c.logins() {
            if let Some(lit) = l.literal {
                let span = lit;
                out.push(ConfigHit {
                    check: CHECK.name,
                    span: span.clone(),
                    message: format!("`wandb login` is given the key as an argument in {}: it shows in process lists and logs", scope.label),
                    help: Some("set `WANDB_API_KEY` from a secret store instead; the SDK reads it without `wandb login`".to_string()),
                    mask: vec![span],
                    identity: format!("{}|login", scope.label),
                });
            }
        }
        let inline = if c.may_hold(&[API_KEY]) {
            shell::inline_keys(&c.script)
        } else {
            Vec::new()
        };
        for (assign, value) in inline {
            out.push(ConfigHit {
                check: CHECK.name,
                span: assign,
                message: format!("`{API_KEY}=<literal>` prefixes a command in {}: the key shows in process lists, shell history and logs", scope.label),
                help: Some("set `WANDB_API_KEY` from a secret store in the environment instead".to_string()),
                mask: vec![value],
                identity: format!("{}|inline", scope.label),
            });
        }
    }
}
