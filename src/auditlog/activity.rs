//! What the audit logs say each service account did. Events are attributed to registry
//! accounts through their `audit_ids` (matched against `actor_user_id` and `actor_email`);
//! actors that are neither an account nor a member of a registry team are kept as unknown
//! actors. Built one event at a time: memory grows with accounts, actors and days, never with
//! the number of events.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::AuditEvent;
use crate::registry::Registry;

/// One actor's activity over the logs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActorActivity {
    /// Events attributed.
    pub events: usize,
    /// Earliest event time.
    pub first: Option<Timestamp>,
    /// Latest event time.
    pub last: Option<Timestamp>,
    /// Entities (teams) acted on.
    pub teams: BTreeSet<String>,
    /// (entity, project) pairs acted on.
    pub projects: BTreeSet<(String, String)>,
    /// Events per UTC day (every dated event, with or without a response code).
    pub events_per_day: BTreeMap<Date, usize>,
    /// Per UTC day: response code → count.
    pub codes_per_day: BTreeMap<Date, BTreeMap<u16, usize>>,
    /// `user:create_api_key` events by this actor.
    pub keys_created: Vec<Timestamp>,
    /// `user:delete_api_key` events by this actor.
    pub keys_deleted: Vec<Timestamp>,
    /// Refused requests (401 or 403) per (entity, project) acted on.
    pub refused_projects: BTreeMap<(String, String), Refusals>,
    /// Events that were not refused and name no entity (`entity_name`): bucket-synced and
    /// anonymized logs carry none.
    pub unnamed_events: usize,
    /// Refused requests that name no project (`entity_name` or `project_name` missing).
    pub unnamed_refusals: usize,
}

/// Refused requests on one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusals {
    /// How many.
    pub count: usize,
    /// The first.
    pub first: Option<Timestamp>,
    /// The last.
    pub last: Option<Timestamp>,
}

impl ActorActivity {
    fn add(&mut self, ev: &AuditEvent) {
        self.events += 1;
        if let Some(t) = ev.timestamp {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
            let day = t.to_zoned(TimeZone::UTC).date();
            *self.events_per_day.entry(day).or_default() += 1;
            if let Some(code) = ev.response_code {
                *self
                    .codes_per_day
                    .entry(day)
                    .or_default()
                    .entry(code)
                    .or_default() += 1;
            }
            match ev.action.as_deref() {
                Some("user:create_api_key") => self.keys_created.push(t),
                Some("user:delete_api_key") => self.keys_deleted.push(t),
                _ => {}
            }
        }
        let refused = matches!(ev.response_code, Some(401 | 403));
        let named = ev.entity_name.is_some() && ev.project_name.is_some();
        if refused && !named {
            self.unnamed_refusals += 1;
        }
        if !refused && ev.entity_name.is_none() {
            self.unnamed_events += 1;
        }
        if let Some(team) = &ev.entity_name {
            // A refused request touched nothing: it does not count as working in the team.
            if !refused {
                self.teams.insert(team.clone());
            }
            if let Some(project) = &ev.project_name {
                let key = (team.clone(), project.clone());
                if refused {
                    let r = self.refused_projects.entry(key).or_insert(Refusals {
                        count: 0,
                        first: None,
                        last: None,
                    });
                    r.count += 1;
                    if let Some(t) = ev.timestamp {
                        r.first = Some(r.first.map_or(t, |f| f.min(t)));
                        r.last = Some(r.last.map_or(t, |l| l.max(t)));
                    }
                } else {
                    self.projects.insert(key);
                }
            }
        }
    }

    /// Refused requests (401 or 403) per UTC day.
    pub fn refusals_per_day(&self) -> BTreeMap<Date, usize> {
        self.codes_per_day
            .iter()
            .map(|(d, codes)| {
                let n = codes
                    .iter()
                    .filter(|(c, _)| matches!(**c, 401 | 403))
                    .map(|(_, n)| *n)
                    .sum();
                (*d, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// A `team:create_service_account` event.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountCreation {
    /// When.
    pub at: Option<Timestamp>,
    /// The team it was created in.
    pub team: Option<String>,
    /// The new account as the event names it (`user_email`, or a `user_asset`/`username`
    /// field), if it does.
    pub account: Option<String>,
}

/// Activity of every actor in the logs.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// Registry accounts by name (only those with events).
    pub accounts: BTreeMap<String, ActorActivity>,
    /// Actors that are neither a registry account nor a member of a registry team, by their
    /// email or id.
    pub unknown_actors: BTreeMap<String, ActorActivity>,
    /// Service accounts created.
    pub creations: Vec<AccountCreation>,
    /// Earliest and latest event times: the window the logs cover.
    pub window: Option<(Timestamp, Timestamp)>,
    /// Events seen.
    pub events: usize,
    ids: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
    members: BTreeSet<String>,
}

impl Activity {
    /// An empty model for the accounts of `registry`.
    pub fn new(registry: &Registry) -> Self {
        let mut ids = BTreeMap::new();
        let mut names = BTreeMap::new();
        for a in &registry.accounts {
            for id in &a.audit_ids {
                ids.insert(id.to_ascii_lowercase(), a.name.clone());
            }
            names.insert(a.name.to_ascii_lowercase(), a.name.clone());
        }
        let members = registry
            .teams
            .iter()
            .flat_map(|t| t.members.iter().map(|m| m.to_ascii_lowercase()))
            .collect();
        Self {
            ids,
            names,
            members,
            ..Self::default()
        }
    }

    /// The registry account an event's actor is, if any: by `audit_ids`, or else by an
    /// `actor_email` whose local part is the account's name (for entries without
    /// `audit_ids`).
    pub fn account_of(&self, ev: &AuditEvent) -> Option<&str> {
        [&ev.actor_user_id, &ev.actor_email]
            .into_iter()
            .flatten()
            .find_map(|id| self.ids.get(&id.to_ascii_lowercase()))
            .or_else(|| {
                let email = ev.actor_email.as_deref()?;
                let (local, _) = email.split_once('@')?;
                self.names.get(&local.to_ascii_lowercase())
            })
            .map(String::as_str)
    }

    /// Adds one event.
    pub fn add(&mut self, ev: &AuditEvent) {
        self.events += 1;
        if let Some(t) = ev.timestamp {
            self.window = Some(match self.window {
                None => (t, t),
                Some((a, b)) => (a.min(t), b.max(t)),
            });
        }
        if ev.action.as_deref() == Some("team:create_service_account") {
            let named = ev.user_email.clone().or_else(|| {
                ["user_asset", "username", "service_account_name"]
                    .iter()
                    .find_map(|k| {
                        ev.extra
                            .get(*k)
                            .and_then(|v| v.as_str())
                            .map(str::to_string)
                    })
            });
            self.creations.push(AccountCreation {
                at: ev.timestamp,
                team: ev.entity_name.clone(),
                account: named,
            });
        }
        if let Some(name) = self.account_of(ev).map(str::to_string) {
            self.accounts.entry(name).or_default().add(ev);
            return;
        }
        let actor = ev.actor_email.clone().or_else(|| ev.actor_user_id.clone());
        let Some(actor) = actor else { return };
        if self.members.contains(&actor.to_ascii_lowercase()) {
            return;
        }
        self.unknown_actors.entry(actor).or_default().add(ev);
    }

    /// How many whole days the logs cover.
    pub fn observed_days(&self) -> i64 {
        self.window.map_or(0, |(a, b)| {
            (b.as_second() - a.as_second()).div_euclid(86_400) + 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auditlog::parse_line;

    #[test]
    fn events_are_attributed_to_accounts_members_and_unknown_actors() {
        let registry = crate::registry::parse(
            "r.yaml",
            "teams:\n  ml-team: {members: [alice@acme.com]}\nservice_accounts:\n  - name: ci-training\n    audit_ids: [VXNlcjox, ci-training@acme.iam.wandb]\n  - name: eval-sync\n",
        )
        .expect("registry");
        let mut act = Activity::new(&registry);
        for line in [
            r#"{"timestamp":"2026-10-01T10:00:00Z","action":"run:update","actor_user_id":"VXNlcjox","entity_name":"ml-team","project_name":"churn","response_code":200}"#,
            r#"{"timestamp":"2026-10-03T23:30:00-02:00","action":"project:read","actor_email":"CI-Training@acme.iam.wandb","entity_name":"ml-team","project_name":"eval","response_code":403}"#,
            r#"{"timestamp":"2026-10-04T01:00:00Z","action":"project:read","actor_user_id":"VXNlcjox","response_code":401}"#,
            r#"{"timestamp":"2026-10-02T09:00:00Z","action":"user:login","actor_email":"alice@acme.com"}"#,
            r#"{"timestamp":"2026-10-05T09:00:00Z","action":"artifact:read","actor_email":"ghost@acme.com","entity_name":"research"}"#,
            r#"{"timestamp":"2026-10-06T09:00:00Z","action":"team:create_service_account","actor_email":"alice@acme.com","entity_name":"ml-team","user_email":"temp-sa@acme.iam.wandb"}"#,
            r#"{"timestamp":"2026-10-06T10:00:00Z","action":"user:create_api_key","actor_user_id":"VXNlcjox"}"#,
            r#"{"timestamp":"2026-10-06T11:00:00Z","action":"run:update","actor_email":"eval-sync@acme.iam.wandb","entity_name":"ml-team"}"#,
        ] {
            act.add(&parse_line(line.as_bytes()).expect("event"));
        }
        let ci = act.accounts.get("ci-training").expect("attributed");
        assert_eq!(ci.events, 4);
        // The key creation has no response code; it still counts on its day.
        assert_eq!(ci.events_per_day.values().sum::<usize>(), 4);
        assert_eq!(
            ci.first.map(|t| t.to_string()).as_deref(),
            Some("2026-10-01T10:00:00Z")
        );
        assert_eq!(
            ci.last.map(|t| t.to_string()).as_deref(),
            Some("2026-10-06T10:00:00Z")
        );
        assert_eq!(ci.teams.iter().collect::<Vec<_>>(), vec!["ml-team"]);
        // The refused read of ml-team/eval is a refusal, not a project worked in.
        assert_eq!(ci.projects.len(), 1);
        let refused = ci
            .refused_projects
            .get(&("ml-team".to_string(), "eval".to_string()))
            .expect("refusal kept per project");
        assert_eq!(refused.count, 1);
        assert_eq!(ci.keys_created.len(), 1);
        // 23:30 at -02:00 is 01:30 UTC on the 4th: both refusals fall on one UTC day.
        let refusals = ci.refusals_per_day();
        assert_eq!(refusals.len(), 1);
        assert_eq!(refusals.values().copied().collect::<Vec<_>>(), vec![2]);
        // Alice is a member, not unknown; ghost is unknown.
        assert_eq!(
            act.unknown_actors.keys().collect::<Vec<_>>(),
            vec!["ghost@acme.com"]
        );
        assert_eq!(act.creations.len(), 1);
        assert_eq!(
            act.creations[0].account.as_deref(),
            Some("temp-sa@acme.iam.wandb")
        );
        assert_eq!(act.observed_days(), 6);
        assert_eq!(act.events, 8);
        // No audit_ids: attributed by the email's local part.
        assert_eq!(act.accounts.get("eval-sync").map(|a| a.events), Some(1));
    }
}
