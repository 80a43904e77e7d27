//! A009 `shared-account`: an account declared (`used_by`) for more than `max-systems`
//! automation systems.

use std::collections::BTreeMap;

use super::account::{AccountHit, CheckResult, Input};
use super::{Check, Run};
use crate::rules::{Kind, ParamDef, Rule};

/// The most systems one account may serve.
const MAX_SYSTEMS: ParamDef = ParamDef::number("max-systems", 1);

/// The table row.
pub const CHECK: Check = Check {
    name: "shared-account",
    kind: Kind::Account,
    params: &[MAX_SYSTEMS],
    run: Run::Account(run),
};

/// The automation system a `used_by` entry names, if it says.
pub fn system_of(entry: &str) -> Option<&'static str> {
    let e = entry.trim().to_ascii_lowercase();
    if e.starts_with("secrets.") || e.starts_with("${{") {
        return Some("GitHub Actions");
    }
    let table: &[(&[&str], &str)] = &[
        (&[".github/workflows", ".github/actions"], "GitHub Actions"),
        (&[".gitlab-ci", ".gitlab/"], "GitLab CI"),
        (&["jenkinsfile", "jenkins/"], "Jenkins"),
        (&[".circleci/"], "CircleCI"),
        (&["azure-pipelines"], "Azure Pipelines"),
        (&["bitbucket-pipelines"], "Bitbucket Pipelines"),
        (&["dags/", "airflow"], "Airflow"),
        (&["prefect"], "Prefect"),
        (&["dagster"], "Dagster"),
        (&["argo"], "Argo Workflows"),
        (&[".ipynb", "notebooks/", "jupyter", "colab"], "notebooks"),
        (
            &["docker-compose", "compose.yaml", "compose.yml"],
            "Docker Compose",
        ),
        (&["dockerfile"], "container images"),
        (
            &[
                "k8s/",
                "kubernetes/",
                "helm/",
                "charts/",
                "manifests/",
                "kustomize",
            ],
            "Kubernetes",
        ),
        (&["crontab", "cron/", "systemd/"], "host cron jobs"),
    ];
    table
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| e.contains(n)))
        .map(|(_, system)| *system)
}

fn run(rule: &Rule, input: &Input<'_>, out: &mut CheckResult) {
    let max = usize::try_from(MAX_SYSTEMS.number_in(rule)).unwrap_or(usize::MAX);
    for a in &input.registry.accounts {
        let mut systems: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for u in &a.used_by {
            if let Some(s) = system_of(u) {
                systems.entry(s).or_default().push(u);
            }
        }
        if systems.len() > max {
            let list: Vec<String> = systems
                .iter()
                .map(|(s, uses)| format!("{s} ({})", uses.join(", ")))
                .collect();
            out.hits.push(AccountHit::new(
                a,
                a.field_span("used_by"),
                format!(
                    "`{}` is declared for {} systems: {}",
                    a.name,
                    systems.len(),
                    list.join("; ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systems_of_uses() {
        assert_eq!(
            system_of(".github/workflows/train.yml"),
            Some("GitHub Actions")
        );
        assert_eq!(system_of("secrets.WANDB_KEY"), Some("GitHub Actions"));
        assert_eq!(system_of("k8s/monitor.yaml"), Some("Kubernetes"));
        assert_eq!(system_of("dags/nightly_eval.py"), Some("Airflow"));
        assert_eq!(system_of("scripts/run.sh"), None);
    }
}
