//! C007 `ssl-disabled`: `WANDB_INSECURE_DISABLE_SSL` set to true.

use super::scope::{definition_label, ConfigHit, FileChecks, ScopeInput};
use super::{Check, Run};
use crate::formats::{self, Value};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "ssl-disabled",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    let scope = input.scope;
    let Some(v) = scope.var("WANDB_INSECURE_DISABLE_SSL") else {
        return;
    };
    let Value::Literal(l) = &v.value else {
        return;
    };
    if !formats::truthy(l) {
        return;
    }
    out.push(ConfigHit {
        check: CHECK.name,
        span: v.name_span.clone(),
        message: format!("`WANDB_INSECURE_DISABLE_SSL` is true in {}: the key travels to a server whose certificate is not checked", definition_label(scope, &v.origin)),
        help: Some("remove it; for a private CA set `REQUESTS_CA_BUNDLE` to the CA bundle instead".to_string()),
        mask: Vec::new(),
        identity: definition_label(scope, &v.origin),
    });
}
