//! C005 `shared-secret`: one secret gives W&B credentials to automations with different
//! purposes (scheduled, CI, service, manual). Each file records where its scopes read the key
//! from a secret; the check is settled once every file is read.

use super::scope::{entry_label, purpose, ConfigHit, FileChecks, ScopeInput, SecretUse};
use super::{Check, Run};
use crate::finding::Finding;
use crate::formats::Value;
use crate::rules::Kind;

/// The table row.
pub const CHECK: Check = Check {
    name: "shared-secret",
    kind: Kind::Config,
    params: &[],
    run: Run::Config(scope),
};

/// Records the scope's use of a secret as its key, for [`settle`].
fn scope(input: &ScopeInput<'_>, out: &mut FileChecks) {
    let Some(v) = input.key() else {
        return;
    };
    if let Value::Secret(name) = &v.value {
        out.secret_uses.push(SecretUse {
            secret: name.clone(),
            span: v.value_span.clone(),
            scope: entry_label(input.scope, &v.origin),
            purpose: purpose(&input.scope.triggers),
        });
    }
}

/// The place of a use, as a hit whose finding (located, suppressible) [`settle`] fills in.
pub fn hit_of(u: &SecretUse) -> ConfigHit {
    ConfigHit {
        check: CHECK.name,
        span: u.span.clone(),
        message: String::new(),
        help: None,
        mask: Vec::new(),
        identity: format!("{}|{}", u.scope, u.secret),
    }
}

/// A use of a secret in the file at a display path, with the finding to report there.
pub type Use = (SecretUse, String, Finding);

/// The findings for secrets used with more than one purpose: one per place the secret is
/// referenced, naming the scopes it feeds there and every use.
pub fn settle(mut uses: Vec<Use>) -> Vec<Finding> {
    let mut out = Vec::new();
    uses.sort_by(|a, b| {
        (&a.0.secret, &a.1, a.0.span.start).cmp(&(&b.0.secret, &b.1, b.0.span.start))
    });
    let mut i = 0;
    while i < uses.len() {
        let secret = uses.get(i).map(|u| u.0.secret.clone()).unwrap_or_default();
        let group: Vec<&Use> = uses
            .iter()
            .skip(i)
            .take_while(|u| u.0.secret == secret)
            .collect();
        i += group.len().max(1);
        settle_secret(&secret, &group, &mut out);
    }
    out
}

/// The findings for the uses `group` of one secret.
fn settle_secret(secret: &str, group: &[&Use], out: &mut Vec<Finding>) {
    // Purposes over every scope the secret reaches (jobs sharing one line count each).
    let mut purposes: Vec<&str> = group.iter().filter_map(|u| u.0.purpose).collect();
    purposes.sort_unstable();
    purposes.dedup();
    if purposes.len() < 2 {
        return;
    }
    let mut all: Vec<String> = group
        .iter()
        .map(|u| {
            format!(
                "{} in `{}` ({})",
                u.0.scope,
                u.1,
                u.0.purpose.unwrap_or("other")
            )
        })
        .collect();
    all.sort();
    all.dedup();
    // One finding per place the secret is referenced, naming the scopes it feeds there.
    let mut k = 0;
    while k < group.len() {
        let Some(first) = group.get(k) else { break };
        let here: Vec<&&Use> = group
            .iter()
            .skip(k)
            .take_while(|u| u.1 == first.1 && u.0.span == first.0.span)
            .collect();
        k += here.len().max(1);
        let mut scopes: Vec<String> = here
            .iter()
            .map(|u| format!("{} ({})", u.0.scope, u.0.purpose.unwrap_or("other")))
            .collect();
        scopes.dedup();
        let mut f = first.2.clone();
        f.message = format!(
            "secret `{secret}` gives W&B credentials to automations with different purposes ({}); here it feeds {}",
            purposes.join(", "),
            scopes.join(", "),
        );
        f.help = Some(format!(
            "create one service account per use case and a secret for each; the uses: {}",
            all.join("; ")
        ));
        out.push(f);
    }
}
