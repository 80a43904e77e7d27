//! C002 `literal-api-key`: `WANDB_API_KEY` set to a literal value in configuration, not read
//! from a secret store (the image rule, C003, covers Dockerfiles).

use super::scope::{definition_label, origin_note, ConfigHit, FileChecks, ScopeInput};
use super::{Check, Run};
use crate::formats::{self, Format, Value, API_KEY};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "literal-api-key",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    let scope = input.scope;
    let Some(v) = scope.var(API_KEY) else {
        return;
    };
    let Value::Literal(lit) = &v.value else {
        return;
    };
    if input.format == Format::Dockerfile
        || formats::is_placeholder(lit)
        || v.origin.starts_with("env_file")
    {
        return;
    }
    out.push(ConfigHit {
        check: CHECK.name,
        span: v.value_span.clone(),
        message: format!(
            "`{API_KEY}` is set to a literal value in {}{}, not read from a secret store",
            definition_label(scope, &v.origin),
            origin_note(&definition_label(scope, &v.origin), &v.origin)
        ),
        help: None,
        mask: vec![v.value_span.clone()],
        identity: format!("{}|{}", definition_label(scope, &v.origin), v.origin),
    });
}
