//! C003 `key-in-image`: the key stored in a container image, by `ENV`/`ARG` or by a `RUN` step
//! that logs in or writes a netrc.

use super::scope::{ConfigHit, FileChecks, ScopeInput};
use super::{Check, Run};
use crate::formats::{shell, Format, Value, API_KEY};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "key-in-image",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    if input.format != Format::Dockerfile {
        return;
    }
    let scope = input.scope;
    for v in scope
        .vars
        .iter()
        .filter(|v| v.name == API_KEY && (v.origin == "ENV" || v.origin == "ARG"))
    {
        let literal = matches!(v.value, Value::Literal(_));
        out.push(ConfigHit {
            check: CHECK.name,
            span: v.name_span.clone(),
            message: format!(
                "`{} {API_KEY}`{} in {}: the key is stored in the image ({})",
                v.origin,
                if literal { " with a literal value" } else { "" },
                scope.label,
                if v.origin == "ARG" { "build arguments persist in the image history" } else { "every container and layer export carries it" }
            ),
            help: Some("use a BuildKit secret mount for build steps (`RUN --mount=type=secret,id=wandb,env=WANDB_API_KEY ...`) and pass the key at run time".to_string()),
            mask: vec![v.value_span.clone()],
            identity: format!("{}|{}", scope.label, v.origin),
        });
    }
    for c in scope
        .commands
        .iter()
        .filter(|c| c.text.trim_start().to_ascii_uppercase().starts_with("RUN"))
    {
        let login = c.logins().into_iter().next().map(|l| {
            (
                l.span,
                "runs `wandb login`, which writes the key to ~/.netrc",
            )
        });
        let netrc = shell::writes_netrc(&c.script).map(|s| (s, "writes a netrc"));
        if let Some((s, what)) = login.or(netrc) {
            out.push(ConfigHit {
                check: CHECK.name,
                span: s,
                message: format!("a `RUN` step in {} {what}: the key stays in the image layer", scope.label),
                help: Some("give the step the key through a secret mount (`RUN --mount=type=secret,id=wandb,env=WANDB_API_KEY ...`) and let the SDK read the variable; never log in inside a build".to_string()),
                mask: Vec::new(),
                identity: format!("{}|{}", scope.label, what),
            });
        }
    }
}
