//! `init`: a starter `.wandb-sa-lint.toml` (every setting at its default, commented out, with
//! a line saying what it does) and, with `--registry FILE`, a commented registry skeleton.
//! Nothing is replaced without `--force`, and nothing is written through a symbolic link.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::args::InitArgs;
use super::diag::Fatal;
use super::{output, EXIT_CLEAN};
use crate::config::Config;
use crate::rules::{Param, RuleSet};

/// The file `init` writes in the current folder.
const CONFIG_FILE: &str = ".wandb-sa-lint.toml";

/// Writes the starter files, refusing (before writing any) when one exists and `--force` was
/// not given; prints each file written.
pub(super) fn init(args: &InitArgs) -> Result<u8, Fatal> {
    let catalogue = super::rules::load_rules(&Config::default())?;
    let mut files = vec![(
        PathBuf::from(CONFIG_FILE),
        starter_config(&catalogue),
        "configuration: every setting at its default, commented out",
    )];
    if let Some(registry) = &args.registry {
        files.push((
            registry.clone(),
            REGISTRY_SKELETON.to_string(),
            "registry skeleton: replace the example team and account with yours",
        ));
    }
    if !args.force {
        let taken: Vec<String> = files
            .iter()
            .filter(|(path, _, _)| output::exists(path))
            .map(|(path, _, _)| format!("`{}`", path.display()))
            .collect();
        if !taken.is_empty() {
            return Err(Fatal::Exists(taken.join(", ")));
        }
    }
    for (path, text, what) in &files {
        write(path, text, args.force)?;
        output::stdout(&format!("wrote {} ({what})\n", path.display()), false);
    }
    Ok(EXIT_CLEAN)
}

fn write(path: &Path, text: &str, force: bool) -> Result<(), Fatal> {
    let written = if force {
        output::write_file(path, text)
    } else {
        output::write_new_file(path, text)
    };
    written.map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => Fatal::Exists(format!("`{}`", path.display())),
        _ => Fatal::Write {
            path: path.display().to_string(),
            source,
        },
    })
}

/// The starter configuration: every setting with its default, commented out, so that the file
/// as written (and with any line uncommented) means the built-in defaults.
fn starter_config(rules: &RuleSet) -> String {
    let d = Config::default();
    let fail_on = d.fail_on.map_or("never", |s| s.as_str());
    let mut s = format!(
        "# wandb-sa-lint configuration, written by `wandb-sa-lint init`.
# Every setting is shown at its default, commented out: uncomment a line to change it.
# docs/configuration.md has the details; `wandb-sa-lint --show-config` prints what is in force.

# Files larger than this are skipped (bytes, or a string such as \"10MiB\").
# max-file-size = {}
# YAML nested deeper than this is refused (a parse note; secret rules still run); at most 4096.
# max-yaml-depth = {}
# Nodes that YAML alias expansion may produce in one file (against alias bombs).
# max-yaml-aliases = {}
# Bytes of a key's line judged on each side of it (256 to 1048576, or \"4KiB\").
# context-window = {}
# Lowest severity that makes a run exit 1: \"error\", \"warning\", \"info\" or \"never\".
# fail-on = \"{fail_on}\"
# Globs of files not to scan, replacing those of lower layers (a glob without `/` matches
# at any depth; globs are relative to this file).
# exclude = []
# Globs added to the excludes of lower layers.
# extend-exclude = []
# Folders of extra rule files (the rule-file schema; a rule with a built-in id replaces it).
# rule-dirs = []

# Each rule's severity (\"error\", \"warning\", \"info\") or \"off\", by id or name.
# [rules]
",
        d.max_file_size, d.max_yaml_depth, d.max_yaml_aliases, d.context_window
    );
    for r in rules.iter() {
        let _ = writeln!(s, "# {} = \"{}\"  # {}", r.id, r.severity, r.name);
    }
    s.push_str(
        "\n# Rule parameters. A key directly under `[params]` applies to every rule declaring it;
# `[params.RULE]` to one rule (`wandb-sa-lint explain RULE` says what each parameter does).
",
    );
    for r in rules.iter().filter(|r| !r.params.is_empty()) {
        let _ = writeln!(s, "# [params.{}]  # {}", r.id, r.name);
        for (name, value) in &r.params {
            let _ = writeln!(s, "# {name} = {}", toml_value(value));
        }
    }
    s.push_str(ALLOW_EXAMPLE);
    s
}

/// A parameter as a TOML value.
fn toml_value(p: &Param) -> toml::Value {
    match p {
        Param::Number(n) => i64::try_from(*n)
            .map_or_else(|_| toml::Value::String(n.to_string()), toml::Value::Integer),
        Param::Text(t) => toml::Value::String(t.clone()),
        Param::List(l) => toml::Value::Array(l.iter().cloned().map(toml::Value::String).collect()),
    }
}

/// The `[[allow]]` part: examples, not defaults (there are no allow entries by default).
const ALLOW_EXAMPLE: &str = "
# Accepted findings. Each entry needs a `reason` and one of `fingerprint` (from a finding or
# the JSON output), `path` (a glob relative to this file) or `account` (a service account);
# `rules` limits it to some rules (ids or names). An entry that matches nothing is reported.
# For example:
#   [[allow]]
#   path = \"tests/fixtures/**\"
#   rules = [\"S001\"]
#   reason = \"generated fake keys for tests\"
#
#   [[allow]]
#   account = \"legacy-churn-exporter\"
#   rules = [\"unused-service-account\"]
#   reason = \"yearly export; runs every January\"
";

/// The registry skeleton: one team, one service account, every field explained.
const REGISTRY_SKELETON: &str = "\
# The organization's service-account registry, written by `wandb-sa-lint init --registry`.
# `wandb-sa-lint scan --registry FILE` checks CI jobs against it (rules C101-C104);
# `wandb-sa-lint audit --registry FILE --audit-log LOGS` judges the accounts against W&B's
# audit logs (rules A001-A011). Replace the example values with yours. JSON works too.

# Your W&B organization.
organization: acme

# Teams by name: each is a W&B entity.
teams:
  ml-team:
    # Who is in the team (emails).
    members: [alice@acme.com, bob@acme.com]
    # The team's projects by name. visibility: team (the default), restricted (only the
    # members listed), open (the whole organization), public or private.
    projects:
      churn:
        visibility: team
      payroll-forecast:
        visibility: restricted
        # Who may use a restricted project: emails or service-account names.
        members: [alice@acme.com, ci-model-training]

# The service accounts.
service_accounts:
  # Its name in W&B: say what it does, not `bot` or `svc1` (A001).
  - name: ci-model-training
    # team: reaches its team's projects only; organization: every team's non-restricted
    # projects, and then `team` is its default team (A003, A007).
    scope: team
    # Its team (a key of `teams` above).
    team: ml-team
    # How it signs in: api-key, or federated (identity federation, no API keys: A008).
    auth: api-key
    # What it is for, in a sentence (A006).
    purpose: trains the churn model on every merge to main
    # Who answers for it: a person or a group mailbox (A006).
    owner: alice@acme.com
    # When it was created (YYYY-MM-DD).
    created: 2026-01-05
    # What uses it: path globs of CI files and names of the secrets that hold its key (C104,
    # A009).
    used_by: [\".github/workflows/train.yml\", WANDB_API_KEY_TRAINING]
    # How it appears in the audit logs (the actor's email or name).
    audit_ids: [ci-model-training@acme.iam.wandb]
    # Its API keys: a name, W&B's key id (never the key itself) and dates (A004, A005).
    api_keys:
      - name: ci
        id: AbC123
        created: 2026-01-05
        last_used: 2026-01-05
";
