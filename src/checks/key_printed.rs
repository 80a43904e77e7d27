//! C008 `key-printed`: a command that prints the key (or dumps the environment that holds it)
//! to the CI log.

use super::scope::{ConfigHit, FileChecks, ScopeInput};
use super::{Check, Run};
use crate::formats::shell;
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "key-printed",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    let scope = input.scope;
    // A Python module is code, not shell: only its print calls are looked at.
    let shell_like = input.shell_like();
    let key_in_env = input.key().is_some() || input.token().is_some();
    for c in &scope.commands {
        // A text that never names the key can only dump the environment, which matters only
        // where a key is in it.
        let printed = if shell_like && c.shell {
            if c.may_hold(&["WANDB_API_KEY"]) || (key_in_env && shell::may_dump_env(&c.text)) {
                shell::prints_key(&c.script)
            } else {
                Vec::new()
            }
        } else {
            // Code: ranges into its text, made file ranges here.
            shell::python_prints_key(&c.text)
                .into_iter()
                .map(|(s, what)| (c.span.start + s.start..c.span.start + s.end, what))
                .collect()
        };
        for (span, what) in printed {
            // Dumps only matter where a key is in the environment.
            if what.starts_with("dumps") && !key_in_env {
                continue;
            }
            out.push(ConfigHit {
                check: CHECK.name,
                span,
                message: format!("a command in {} {what}: CI logs are read by many more people than secrets are", scope.label),
                help: Some("remove the command; to check the key is set, test it without printing (`test -n \"$WANDB_API_KEY\"`)".to_string()),
                mask: Vec::new(),
                identity: format!("{}|{}", scope.label, what),
            });
        }
    }
}
