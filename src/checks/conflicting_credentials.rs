//! C006 `conflicting-credentials`: both `WANDB_API_KEY` and `WANDB_IDENTITY_TOKEN_FILE` set in
//! one scope, which the SDK refuses.

use super::scope::{origin_note, ConfigHit, FileChecks, ScopeInput};
use super::{Check, Run};
use crate::formats::{API_KEY, TOKEN_FILE};
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "conflicting-credentials",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    let (Some(k), Some(t)) = (input.key(), input.token()) else {
        return;
    };
    let later = if k.name_span.start > t.name_span.start {
        k
    } else {
        t
    };
    out.push(ConfigHit {
        check: CHECK.name,
        span: later.name_span.clone(),
        message: format!(
            "{} sets both `{API_KEY}`{} and `{TOKEN_FILE}`{}: the SDK refuses to start",
            input.scope.label,
            origin_note(&input.scope.label, &k.origin),
            origin_note(&input.scope.label, &t.origin)
        ),
        help: Some(format!(
            "keep one: `{TOKEN_FILE}` for identity federation, or `{API_KEY}`"
        )),
        mask: Vec::new(),
        identity: input.scope.label.clone(),
    });
}
