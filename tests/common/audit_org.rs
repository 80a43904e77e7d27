//! A generated organization for the audit analyzer: a registry of 25 service accounts (each
//! built to break one account rule, or none) and 90 days of W&B audit logs, deterministic
//! from a seed. Test support (`common::audit_org`), also used by the benchmark generator
//! (`bench/gen_audit.rs` includes this file by path). The seed changes the noise (which projects, how many
//! events, when in the day), never which account breaks which rule.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

/// The date the organization is judged on.
pub const AS_OF: &str = "2026-11-01";
/// The `audit`/`report` arguments naming the organization written by [`write`] (run in its
/// directory).
pub const INPUTS: &[&str] = &[
    "--registry",
    "registry.yaml",
    "--audit-log",
    "logs",
    "--as-of",
    AS_OF,
];
/// Days of logs, ending the day before [`AS_OF`].
pub const DAYS: u32 = 90;

/// The (account, rule) pairs the organization must produce, sorted.
pub const EXPECTED: &[(&str, &str)] = &[
    ("Prod_Monitor", "A001"),
    ("argo-workflow-launcher", "A008"),
    ("batch-scoring-pipeline", "A004"),
    ("eval-dashboard-refresher", "A006"),
    ("feature-store-sync", "A005"),
    ("legacy-churn-exporter", "A002"),
    ("legacy-churn-exporter", "A004"),
    ("ml-training-orchestrator", "A003"),
    ("model-registry-promoter", "A004"),
    ("model-registry-promoter", "A005"),
    ("multi-pipeline-runner", "A009"),
    ("org-audit-collector", "A007"),
    ("prod-canary-checker", "A010"),
    ("quick-hack-sa@acme.iam.wandb", "A006"),
    ("risk-model-evaluator", "A011"),
    ("service-account-1", "A001"),
    ("shadow-exporter@acme.iam.wandb", "A006"),
    ("sweep-agent-runner", "A002"),
    ("team-helper", "A001"),
    ("temp", "A001"),
    ("test-sa", "A001"),
    ("unidentified key from 10.99.0.7 (SDK 0.19.1)", "A010"),
];

/// The accounts built to break no rule.
pub const HEALTHY: &[&str] = &[
    "ci-model-training",
    "nightly-eval-pipeline",
    "prod-inference-monitor",
    "org-report-exporter",
    "gitlab-release-publisher",
    "jupyter-shared-notebooks",
    "data-quality-checker",
    "weekly-retrain-scheduler",
];

/// A small deterministic generator (splitmix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A team: (name, members, projects as (name, visibility)).
pub type Team = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// The teams.
pub const TEAMS: &[Team] = &[
    (
        "ml-team",
        &[
            "alice@acme.com",
            "bob@acme.com",
            "chen@acme.com",
            "dana@acme.com",
        ],
        &[
            ("churn-model", "team"),
            ("forecast", "team"),
            ("sensitive-eval", "restricted"),
            ("shared-benchmarks", "open"),
        ],
    ),
    (
        "research",
        &["erin@acme.com", "farid@acme.com", "gita@acme.com"],
        &[
            ("papers", "team"),
            ("llm-evals", "open"),
            ("scratch", "public"),
        ],
    ),
    (
        "platform",
        &["hana@acme.com", "ivan@acme.com"],
        &[("infra-metrics", "team"), ("release-gates", "team")],
    ),
    (
        "data-eng",
        &["jo@acme.com", "kai@acme.com", "lee@acme.com"],
        &[
            ("feature-store", "team"),
            ("data-quality", "team"),
            ("pii-audit", "restricted"),
        ],
    ),
];

/// How an account behaves in the logs.
#[derive(Clone, Copy, PartialEq)]
pub enum Act {
    /// Several events a day in its team's projects.
    Daily,
    /// One day a week.
    Weekly,
    /// Never appears.
    Silent,
    /// Daily, across these teams.
    Across(&'static [&'static str]),
}

/// One account of the registry and how it behaves.
pub struct Spec {
    pub name: &'static str,
    pub id: u32,
    /// The registry entry's lines after `- name:` (indented by 4).
    pub entry: &'static str,
    pub act: Act,
    pub team: &'static str,
}

/// Every registry account. The ids give `actor_user_id`s (`VXNlcjo<id>`).
pub const ACCOUNTS: &[Spec] = &[
    Spec { name: "ci-model-training", id: 101, team: "ml-team", act: Act::Daily, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Log training runs from GitHub Actions CI\nowner: ml-platform@acme.com\nused_by: [.github/workflows/train.yml, secrets.WANDB_CI_TRAINING_KEY]\ncreated: 2025-01-10\napi_keys:\n  - {name: gha-2026q3, id: a101, created: 2026-09-15, last_used: 2026-10-31}\n" },
    Spec { name: "nightly-eval-pipeline", id: 102, team: "research", act: Act::Daily, entry: "scope: team\nteam: research\nauth: api-key\npurpose: Nightly evaluation of candidate models (Airflow)\nowner: research-infra@acme.com\nused_by: [dags/nightly_eval.py]\ncreated: 2025-03-02\napi_keys:\n  - {name: airflow-2026q3, id: a102, created: 2026-09-01, last_used: 2026-10-31}\n" },
    Spec { name: "prod-inference-monitor", id: 103, team: "ml-team", act: Act::Daily, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Production inference monitoring from Kubernetes\nowner: sre@acme.com\nused_by: [k8s/monitor.yaml]\ncreated: 2025-02-01\napi_keys:\n  - {name: k8s-2026q3, id: a103, created: 2026-09-20, last_used: 2026-10-31}\n" },
    Spec { name: "org-report-exporter", id: 104, team: "platform", act: Act::Across(&["ml-team", "research", "platform"]), entry: "scope: organization\nteam: platform\nauth: api-key\npurpose: Export org-wide usage reports\nowner: platform@acme.com\nused_by: [.github/workflows/reports.yml]\ncreated: 2025-04-01\napi_keys:\n  - {name: reports-2026q3, id: a104, created: 2026-09-10, last_used: 2026-10-31}\n" },
    Spec { name: "gitlab-release-publisher", id: 105, team: "platform", act: Act::Daily, entry: "scope: team\nteam: platform\nauth: federated\npurpose: Publish release gates from GitLab CI (OIDC)\nowner: platform@acme.com\nused_by: [.gitlab-ci.yml]\ncreated: 2025-05-01\n" },
    Spec { name: "jupyter-shared-notebooks", id: 106, team: "research", act: Act::Daily, entry: "scope: team\nteam: research\nauth: api-key\npurpose: Shared JupyterHub notebooks of the research team\nowner: research-infra@acme.com\nused_by: [notebooks/]\ncreated: 2025-05-20\napi_keys:\n  - {name: hub-2026q4, id: a106, created: 2026-10-01, last_used: 2026-10-31}\n" },
    Spec { name: "data-quality-checker", id: 107, team: "data-eng", act: Act::Daily, entry: "scope: team\nteam: data-eng\nauth: api-key\npurpose: Data quality checks logged from Dagster\nowner: data-eng@acme.com\nused_by: [dagster/quality_job.py]\ncreated: 2025-06-11\napi_keys:\n  - {name: dagster-2026q3, id: a107, created: 2026-08-20, last_used: 2026-10-30}\n" },
    Spec { name: "weekly-retrain-scheduler", id: 108, team: "ml-team", act: Act::Weekly, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Weekly retraining of the churn model\nowner: ml-platform@acme.com\nused_by: [.github/workflows/weekly-retrain.yml]\ncreated: 2025-07-01\napi_keys:\n  - {name: main, id: a108, created: 2026-08-15, last_used: 2026-10-26}\n  - {name: rotation, id: a108b, created: 2026-10-29}\n" },
    // A001: generic, numbered, temporary, not kebab-case, no purpose.
    Spec { name: "service-account-1", id: 111, team: "ml-team", act: Act::Daily, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Upload churn features\nowner: ml-platform@acme.com\nused_by: [.github/workflows/features.yml]\ncreated: 2026-01-05\napi_keys:\n  - {name: k1, id: a111, created: 2026-09-01, last_used: 2026-10-31}\n" },
    Spec { name: "test-sa", id: 112, team: "research", act: Act::Daily, entry: "scope: team\nteam: research\nauth: api-key\npurpose: Log paper experiments\nowner: research-infra@acme.com\nused_by: [.github/workflows/papers.yml]\ncreated: 2026-02-01\napi_keys:\n  - {name: k1, id: a112, created: 2026-09-01, last_used: 2026-10-31}\n" },
    Spec { name: "temp", id: 113, team: "data-eng", act: Act::Daily, entry: "scope: team\nteam: data-eng\nauth: api-key\npurpose: Feature backfill\nowner: data-eng@acme.com\nused_by: [jenkins/Jenkinsfile]\ncreated: 2026-03-01\napi_keys:\n  - {name: k1, id: a113, created: 2026-09-01, last_used: 2026-10-31}\n" },
    Spec { name: "Prod_Monitor", id: 114, team: "platform", act: Act::Daily, entry: "scope: team\nteam: platform\nauth: api-key\npurpose: Infrastructure metrics\nowner: sre@acme.com\nused_by: [charts/metrics/values.yaml]\ncreated: 2026-01-20\napi_keys:\n  - {name: k1, id: a114, created: 2026-09-01, last_used: 2026-10-31}\n" },
    Spec { name: "team-helper", id: 115, team: "ml-team", act: Act::Daily, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Forecast runs\nowner: ml-platform@acme.com\nused_by: [.github/workflows/forecast.yml]\ncreated: 2026-02-14\napi_keys:\n  - {name: k1, id: a115, created: 2026-09-01, last_used: 2026-10-31}\n" },
    // A002: unused (key last used long ago; never seen at all).
    Spec { name: "legacy-churn-exporter", id: 121, team: "ml-team", act: Act::Silent, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Export churn predictions to the warehouse\nowner: ml-platform@acme.com\nused_by: [.github/workflows/export.yml]\ncreated: 2025-01-10\napi_keys:\n  - {name: k2025, id: a121, created: 2025-01-10, last_used: 2026-04-03}\n" },
    Spec { name: "sweep-agent-runner", id: 122, team: "research", act: Act::Silent, entry: "scope: team\nteam: research\nauth: federated\npurpose: Hyperparameter sweep agents\nowner: research-infra@acme.com\nused_by: [k8s/sweeps.yaml]\ncreated: 2025-06-01\n" },
    // A003: organization scope, one team's projects only.
    Spec { name: "ml-training-orchestrator", id: 131, team: "ml-team", act: Act::Daily, entry: "scope: organization\nteam: ml-team\nauth: api-key\npurpose: Orchestrate training jobs\nowner: ml-platform@acme.com\nused_by: [k8s/orchestrator.yaml]\ncreated: 2025-08-01\napi_keys:\n  - {name: k1, id: a131, created: 2026-09-05, last_used: 2026-10-31}\n" },
    // A004: a key older than 90 days, still in use.
    Spec { name: "batch-scoring-pipeline", id: 141, team: "data-eng", act: Act::Daily, entry: "scope: team\nteam: data-eng\nauth: api-key\npurpose: Batch scoring of customer features\nowner: data-eng@acme.com\nused_by: [dags/batch_scoring.py]\ncreated: 2025-11-01\napi_keys:\n  - {name: k-2026-03, id: a141, created: 2026-03-01, last_used: 2026-10-31}\n" },
    // A005: a spare never used; an old key left behind (also stale: A004).
    Spec { name: "feature-store-sync", id: 151, team: "data-eng", act: Act::Daily, entry: "scope: team\nteam: data-eng\nauth: api-key\npurpose: Sync the feature store's run metadata\nowner: data-eng@acme.com\nused_by: [dags/feature_sync.py]\ncreated: 2025-09-01\napi_keys:\n  - {name: main, id: a151, created: 2026-09-01, last_used: 2026-10-31}\n  - {name: spare, id: a151b, created: 2026-09-20}\n" },
    Spec { name: "model-registry-promoter", id: 152, team: "ml-team", act: Act::Daily, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Promote models in the registry after evaluation\nowner: ml-platform@acme.com\nused_by: [.github/workflows/promote.yml]\ncreated: 2025-10-01\napi_keys:\n  - {name: current, id: a152, created: 2026-09-15, last_used: 2026-10-31}\n  - {name: old, id: a152b, created: 2026-06-01, last_used: 2026-07-15}\n" },
    // A006: no owner.
    Spec { name: "eval-dashboard-refresher", id: 161, team: "research", act: Act::Daily, entry: "scope: team\nteam: research\nauth: api-key\npurpose: Refresh the evaluation dashboard\nused_by: [dags/refresh_dashboard.py]\ncreated: 2026-04-01\napi_keys:\n  - {name: k1, id: a161, created: 2026-09-01, last_used: 2026-10-31}\n" },
    // A007: organization scope without a default team (active in several teams).
    Spec { name: "org-audit-collector", id: 171, team: "platform", act: Act::Across(&["ml-team", "data-eng", "platform"]), entry: "scope: organization\nauth: api-key\npurpose: Collect audit evidence across teams\nowner: security@acme.com\nused_by: [.github/workflows/audit-evidence.yml]\ncreated: 2025-12-01\napi_keys:\n  - {name: k1, id: a171, created: 2026-09-01, last_used: 2026-10-31}\n" },
    // A008: federated, yet keys listed.
    Spec { name: "argo-workflow-launcher", id: 181, team: "platform", act: Act::Daily, entry: "scope: team\nteam: platform\nauth: federated\npurpose: Launch Argo workflows\nowner: platform@acme.com\nused_by: [argo/launcher.yaml]\ncreated: 2026-01-15\napi_keys:\n  - {name: pre-oidc, id: a181, created: 2026-09-01, last_used: 2026-10-31}\n" },
    // A009: one account for three systems.
    Spec { name: "multi-pipeline-runner", id: 191, team: "ml-team", act: Act::Daily, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Training, monitoring and evaluation jobs\nowner: ml-platform@acme.com\nused_by: [.github/workflows/train-all.yml, k8s/runner.yaml, dags/runner.py]\ncreated: 2026-02-01\napi_keys:\n  - {name: k1, id: a191, created: 2026-09-01, last_used: 2026-10-31}\n" },
    // A010: a burst of refusals on one day.
    Spec { name: "prod-canary-checker", id: 201, team: "platform", act: Act::Daily, entry: "scope: team\nteam: platform\nauth: api-key\npurpose: Canary checks of production releases\nowner: sre@acme.com\nused_by: [k8s/canary.yaml]\ncreated: 2026-01-01\napi_keys:\n  - {name: k1, id: a201, created: 2026-09-01, last_used: 2026-10-31}\n" },
    // A011: refused on a restricted project it is not listed on.
    Spec { name: "risk-model-evaluator", id: 211, team: "ml-team", act: Act::Daily, entry: "scope: team\nteam: ml-team\nauth: api-key\npurpose: Evaluate risk models on the sensitive eval set\nowner: ml-platform@acme.com\nused_by: [.github/workflows/risk-eval.yml]\ncreated: 2026-03-15\napi_keys:\n  - {name: k1, id: a211, created: 2026-09-01, last_used: 2026-10-31}\n" },
];

/// The registry file's text.
pub fn registry() -> String {
    registry_text(false)
}

/// The registry file's text; with `ids`, teams, projects and members also carry their W&B
/// ids (for logs without names).
pub fn registry_text(ids: bool) -> String {
    let mut s = String::from("# Generated by bench/audit_org.rs: acme's service-account registry.\norganization: acme\nteams:\n");
    for (team, members, projects) in TEAMS {
        s.push_str(&format!("  {team}:\n"));
        if ids {
            s.push_str(&format!("    id: {}\n", team_id(team)));
            let member_ids: Vec<String> = members.iter().map(|m| user_id(m)).collect();
            s.push_str(&format!("    member_ids: [{}]\n", member_ids.join(", ")));
        }
        s.push_str(&format!(
            "    members: [{}]\n    projects:\n",
            members.join(", ")
        ));
        for (p, vis) in *projects {
            let id = if ids {
                format!("id: {}, ", project_id(team, p))
            } else {
                String::new()
            };
            if *p == "sensitive-eval" {
                s.push_str(&format!(
                    "      {p}: {{{id}visibility: {vis}, members: [alice@acme.com, prod-inference-monitor]}}\n"
                ));
            } else {
                s.push_str(&format!("      {p}: {{{id}visibility: {vis}}}\n"));
            }
        }
    }
    s.push_str("service_accounts:\n");
    for a in ACCOUNTS {
        s.push_str(&format!("  - name: {}\n", a.name));
        s.push_str(&format!(
            "    audit_ids: [\"VXNlcjo{}\", \"{}@acme.iam.wandb\"]\n",
            a.id,
            a.name.to_ascii_lowercase()
        ));
        for line in a.entry.lines() {
            s.push_str(&format!("    {line}\n"));
        }
    }
    s
}

fn team(name: &str) -> &'static Team {
    TEAMS.iter().find(|t| t.0 == name).unwrap_or(&TEAMS[0])
}

/// The non-restricted projects of a team (what its accounts normally write to).
fn open_projects(name: &str) -> Vec<&'static str> {
    team(name)
        .2
        .iter()
        .filter(|(_, v)| *v != "restricted")
        .map(|(p, _)| *p)
        .collect()
}

/// 2026-08-03 + `day` (days of logs end the day before [`AS_OF`]).
fn date(day: u32) -> String {
    const MONTHS: [(u32, u32); 4] = [(8, 31), (9, 30), (10, 31), (11, 30)];
    let mut d = 3 + day;
    for (m, len) in MONTHS {
        if d <= len {
            return format!("2026-{m:02}-{d:02}");
        }
        d -= len;
    }
    format!("2026-12-{d:02}")
}

const ACTIONS: &[&str] = &[
    "run:update",
    "run:update",
    "run:update",
    "artifact:create",
    "artifact:read",
    "project:read",
    "run:stop",
    "sweep:create_agent",
    "report:read",
];

/// Writes one event line.
#[allow(clippy::too_many_arguments)]
fn event(
    out: &mut Vec<u8>,
    rng: &mut Rng,
    day: u32,
    action: &str,
    actor: (Option<u32>, &str),
    entity: Option<&str>,
    project: Option<&str>,
    code: u16,
    user_email: Option<&str>,
) {
    let (h, m, sec) = (rng.below(24), rng.below(60), rng.below(60));
    let _ = write!(
        out,
        "{{\"timestamp\":\"{}T{h:02}:{m:02}:{sec:02}Z\",\"action\":\"{action}\"",
        date(day)
    );
    let sdk = actor.1.ends_with("@acme.iam.wandb");
    match actor {
        (None, email) => {
            // People and unlisted accounts carry a W&B id too, as real logs do.
            let _ = write!(
                out,
                ",\"actor_user_id\":\"{}\",\"actor_email\":\"{email}\"",
                user_id(email)
            );
        }
        (Some(id), email) => {
            // Some events carry only the id, some both: attribution must use either.
            if rng.below(3) == 0 {
                let _ = write!(out, ",\"actor_user_id\":\"VXNlcjo{id}\"");
            } else {
                let _ = write!(
                    out,
                    ",\"actor_user_id\":\"VXNlcjo{id}\",\"actor_email\":\"{email}\""
                );
            }
        }
    }
    let _ = write!(
        out,
        ",\"actor_ip\":\"10.{}.{}.{}\",\"response_code\":{code}",
        rng.below(256),
        rng.below(256),
        rng.below(256)
    );
    if let Some(e) = entity {
        let _ = write!(
            out,
            ",\"entity_name\":\"{e}\",\"entity_asset\":\"{}\"",
            team_id(e)
        );
    }
    if let Some(p) = project {
        // The draw is kept so that the seed gives the same noise as before.
        let _ = rng.below(1_000_000);
        let _ = write!(
            out,
            ",\"project_name\":\"{p}\",\"project_asset\":\"{}\"",
            project_id(entity.unwrap_or(""), p)
        );
    }
    if let Some(u) = user_email {
        let _ = write!(
            out,
            ",\"user_email\":\"{u}\",\"user_asset\":\"{}\"",
            user_id(u)
        );
    }
    if action.starts_with("artifact:") {
        let _ = write!(
            out,
            ",\"artifact_name\":\"model-{}\",\"artifact_digest\":\"{:016x}{:016x}\"",
            rng.below(500),
            rng.next(),
            rng.next()
        );
    }
    let (a, b) = (rng.next(), rng.next());
    let _ = write!(
        out,
        ",\"request_id\":\"{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}\"",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b & 0xfff,
        b >> 16,
    );
    let (v1, v2, u1, u2, py) = (
        rng.below(3),
        rng.below(10),
        rng.below(3),
        rng.below(10),
        rng.below(10),
    );
    // Service accounts call through the SDK (`cli_version`); people act in the browser.
    if sdk {
        let _ = writeln!(
            out,
            ",\"cli_version\":\"0.2{v1}.{v2}\",\"user_agent\":\"wandb-core/0.2{u1}.{u2} (linux; x86_64) python/3.11.{py} requests/2.32\"}}"
        );
    } else {
        let _ = writeln!(
            out,
            ",\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0\"}}"
        );
    }
}

/// A W&B-like id (base64 of `<Kind>:<n>`-shaped) derived from a name: stable across days and forms.
fn derived_id(prefix: &str, name: &str) -> String {
    // FNV-1a: no dependency, the same on every platform.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{prefix}{:x}", h % 0xffff_ffff)
}

/// The W&B user id of an email: a registry account's own id, or one derived from the email.
pub fn user_id(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    match ACCOUNTS
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(local) && email.ends_with("@acme.iam.wandb"))
    {
        Some(a) => format!("VXNlcjo{}", a.id),
        None => derived_id("VXNlcjo", email),
    }
}

/// The W&B id of a team.
pub fn team_id(team: &str) -> String {
    derived_id("RW50aXR5Oj", team)
}

/// The W&B id of a project.
pub fn project_id(team: &str, project: &str) -> String {
    derived_id("UHJvamVjdDo", &format!("{team}/{project}"))
}

/// Refused requests without an actor (a revoked key still used by a forgotten job): a burst
/// of 30 on day 75 and one or two on a few other days, from one address and SDK version.
fn anonymous_refusals(out: &mut Vec<u8>, day: u32) {
    let n = match day {
        75 => 30,
        d if d % 9 == 4 => 1 + d % 2,
        _ => 0,
    };
    for i in 0..n {
        let _ = writeln!(
            out,
            "{{\"timestamp\":\"{}T03:{:02}:{:02}Z\",\"action\":\"run:update\",\"actor_ip\":\"10.99.0.7\",\"response_code\":401,\"cli_version\":\"0.19.1\"}}",
            date(day),
            i / 60,
            i % 60
        );
    }
}

/// One day of logs. `filler` extra human events pad the day for benchmarks.
fn day_lines(rng: &mut Rng, day: u32, filler: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    for a in ACCOUNTS {
        let email = format!("{}@acme.iam.wandb", a.name.to_ascii_lowercase());
        let actor = (Some(a.id), email.as_str());
        let active_today = match a.act {
            Act::Silent => false,
            Act::Weekly => day % 7 == 3,
            Act::Daily | Act::Across(_) => true,
        };
        if !active_today {
            continue;
        }
        let n = 2 + rng.below(5);
        for _ in 0..n {
            let t = match a.act {
                Act::Across(teams) => *rng.pick(teams),
                _ => a.team,
            };
            let projects = open_projects(t);
            let p = *rng.pick(&projects);
            let action = *rng.pick(ACTIONS);
            event(
                &mut out,
                rng,
                day,
                action,
                actor,
                Some(t),
                Some(p),
                200,
                None,
            );
        }
        // The healthy monitor writes to the restricted project it is listed on.
        if a.name == "prod-inference-monitor" {
            event(
                &mut out,
                rng,
                day,
                "run:update",
                actor,
                Some("ml-team"),
                Some("sensitive-eval"),
                200,
                None,
            );
        }
        // A handful of refusals now and then: never more than the daily limit.
        if rng.below(10) == 0 {
            let projects = open_projects(a.team);
            let p = *rng.pick(&projects);
            for _ in 0..1 + rng.below(3) {
                event(
                    &mut out,
                    rng,
                    day,
                    "run:update",
                    actor,
                    Some(a.team),
                    Some(p),
                    401,
                    None,
                );
            }
        }
        if a.name == "prod-canary-checker" && day == 70 {
            for _ in 0..35 {
                event(
                    &mut out,
                    rng,
                    day,
                    "run:update",
                    actor,
                    Some("platform"),
                    Some("release-gates"),
                    401,
                    None,
                );
            }
        }
        if a.name == "risk-model-evaluator" && (60..63).contains(&day) {
            for _ in 0..3 {
                event(
                    &mut out,
                    rng,
                    day,
                    "run:update",
                    actor,
                    Some("ml-team"),
                    Some("sensitive-eval"),
                    403,
                    None,
                );
            }
        }
    }
    // Accounts the registry does not list.
    if day == 20 {
        event(
            &mut out,
            rng,
            day,
            "team:create_service_account",
            (None, "hana@acme.com"),
            Some("platform"),
            None,
            200,
            Some("shadow-exporter@acme.iam.wandb"),
        );
    }
    if day > 20 && day.is_multiple_of(3) {
        event(
            &mut out,
            rng,
            day,
            "artifact:read",
            (None, "shadow-exporter@acme.iam.wandb"),
            Some("platform"),
            Some("infra-metrics"),
            200,
            None,
        );
    }
    if day == 50 {
        event(
            &mut out,
            rng,
            day,
            "team:create_service_account",
            (None, "erin@acme.com"),
            Some("research"),
            None,
            200,
            Some("quick-hack-sa@acme.iam.wandb"),
        );
    }
    anonymous_refusals(&mut out, day);
    // People: logins, reads, invitations, key management.
    let humans = 6 + rng.below(10) + filler;
    for _ in 0..humans {
        let (t, members, _) = *rng.pick(TEAMS);
        let who = *rng.pick(members);
        let projects = open_projects(t);
        let p = *rng.pick(&projects);
        match rng.below(12) {
            0 => event(
                &mut out,
                rng,
                day,
                "user:login",
                (None, who),
                None,
                None,
                200,
                None,
            ),
            1 => {
                let invited = *rng.pick(members);
                event(
                    &mut out,
                    rng,
                    day,
                    "team:invite_user",
                    (None, who),
                    Some(t),
                    None,
                    200,
                    Some(invited),
                );
            }
            2 => event(
                &mut out,
                rng,
                day,
                "user:create_api_key",
                (None, who),
                None,
                None,
                200,
                None,
            ),
            _ => {
                let action = *rng.pick(ACTIONS);
                event(
                    &mut out,
                    rng,
                    day,
                    action,
                    (None, who),
                    Some(t),
                    Some(p),
                    200,
                    None,
                );
            }
        }
    }
    // An admin creates and deletes keys of a service account: they are the account's keys.
    if day == 85 || day == 86 {
        let action = if day == 85 {
            "user:create_api_key"
        } else {
            "user:delete_api_key"
        };
        event(
            &mut out,
            rng,
            day,
            action,
            (None, "hana@acme.com"),
            None,
            None,
            200,
            Some("ci-model-training@acme.iam.wandb"),
        );
    }
    out
}

/// Writes `registry.yaml` and `logs/` (one file per day, every seventh gzipped) under `dir`.
/// `lines` asks for about that many events in all (0: the natural few thousand). Returns the
/// number of lines and bytes written.
pub fn write(dir: &Path, seed: u64, lines: u64) -> std::io::Result<(u64, u64)> {
    std::fs::create_dir_all(dir.join("logs"))?;
    std::fs::write(dir.join("registry.yaml"), registry())?;
    let mut rng = Rng::new(seed);
    // About 95 account events and a dozen human ones a day without filler.
    let filler = if lines == 0 {
        0
    } else {
        (lines / u64::from(DAYS)).saturating_sub(104)
    };
    let (mut total_lines, mut total_bytes) = (0u64, 0u64);
    for day in 0..DAYS {
        let bytes = day_lines(&mut rng, day, filler);
        total_lines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
        total_bytes += bytes.len() as u64;
        let name = format!("audit-{}.jsonl", date(day));
        if day % 7 == 6 {
            let f = std::fs::File::create(dir.join("logs").join(format!("{name}.gz")))?;
            let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
            gz.write_all(&bytes)?;
            gz.finish()?;
        } else {
            std::fs::write(dir.join("logs").join(name), &bytes)?;
        }
    }
    Ok((total_lines, total_bytes))
}

/// The forms W&B hands audit logs out in (docs/audit-logs.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The API's streaming answer: one event per line (what [`write`] writes).
    Ndjson,
    /// The API's paginated answer: one page (a JSON object) per file, on one line.
    PageFiles,
    /// Pages of 40 entries, one page per line.
    PageLines,
    /// Pages of 100 entries, pretty-printed, several per file.
    PrettyPages,
    /// The instance bucket: `wandb-audit-logs/`, one NDJSON file a day, without names or
    /// emails (as `anonymize=true`).
    Bucket,
}

/// Every form.
pub const FORMS: &[Form] = &[
    Form::Ndjson,
    Form::PageFiles,
    Form::PageLines,
    Form::PrettyPages,
    Form::Bucket,
];

/// The fields `anonymize=true` and bucket files leave out (names and emails).
const PII: &[&str] = &[
    "actor_email",
    "user_email",
    "entity_name",
    "project_name",
    "report_name",
    "artifact_qualified_name",
    "artifact_name",
];

/// Writes `registry.yaml` (with W&B ids when `ids`) and `logs/` holding the same
/// organization's 90 days of events as `form`. Every seventh day is gzipped (its name ends in
/// `.gz`), and day 10 is gzipped under a plain name: the reader goes by content.
pub fn write_form(dir: &Path, seed: u64, form: Form, ids: bool) -> std::io::Result<()> {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs)?;
    std::fs::write(dir.join("registry.yaml"), registry_text(ids))?;
    let mut rng = Rng::new(seed);
    for day in 0..DAYS {
        let bytes = day_lines(&mut rng, day, 0);
        let d = date(day);
        let events = || -> Vec<serde_json::Value> {
            String::from_utf8_lossy(&bytes)
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        };
        let (name, body) = match form {
            Form::Ndjson => (format!("audit-{d}.jsonl"), bytes.clone()),
            Form::PageFiles => {
                let all = events();
                let mut text = page(&all, &d, None).to_string();
                text.push('\n');
                (format!("audit-{d}.json"), text.into_bytes())
            }
            Form::PageLines | Form::PrettyPages => {
                let all = events();
                let size = if form == Form::PageLines { 40 } else { 100 };
                let chunks: Vec<&[serde_json::Value]> = all.chunks(size).collect();
                let mut text = String::new();
                for (i, chunk) in chunks.iter().enumerate() {
                    let cursor = (i + 1 < chunks.len()).then(|| format!("Y3Vyc29yOj{day}x{i}"));
                    let v = page(chunk, &d, cursor);
                    if form == Form::PageLines {
                        text.push_str(&v.to_string());
                    } else {
                        text.push_str(&serde_json::to_string_pretty(&v).unwrap_or_default());
                    }
                    text.push('\n');
                }
                (format!("audit-{d}.json"), text.into_bytes())
            }
            Form::Bucket => {
                let mut text = String::new();
                for mut v in events() {
                    if let Some(map) = v.as_object_mut() {
                        for k in PII {
                            map.remove(*k);
                        }
                    }
                    text.push_str(&v.to_string());
                    text.push('\n');
                }
                (format!("wandb-audit-logs/{d}.jsonl"), text.into_bytes())
            }
        };
        let path = logs.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if day % 7 == 6 || day == 10 {
            let named = if day == 10 {
                name
            } else {
                format!("{name}.gz")
            };
            let f = std::fs::File::create(logs.join(named))?;
            let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
            gz.write_all(&body)?;
            gz.finish()?;
        } else {
            std::fs::write(path, &body)?;
        }
    }
    Ok(())
}

/// One page of the paginated API answer.
fn page(entries: &[serde_json::Value], day: &str, cursor: Option<String>) -> serde_json::Value {
    serde_json::json!({
        "audit_logs": entries,
        "range_start_time": format!("{day}T00:00:00Z"),
        "range_end_time": format!("{day}T23:59:59Z"),
        "count": entries.len(),
        "next_cursor": cursor,
    })
}
