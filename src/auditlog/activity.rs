//! What the audit logs say each service account did. Events are attributed to registry
//! accounts through their `audit_ids` (matched against `actor_user_id` and `actor_email`);
//! actors that are neither an account nor a member of a registry team are kept as unknown
//! actors. Logs without names (bucket files, `anonymize=true`) are placed by the W&B ids the
//! registry gives teams and projects (`entity_asset`, `project_asset`). Key events count for
//! the account whose key it is (`user_asset`/`user_email`), not the admin who acted; refused
//! requests without an actor are kept, grouped by address and SDK version. Built one event at
//! a time: memory grows with accounts, actors and days, never with the number of events.

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
    /// `user:create_api_key` events for this account's keys (whoever acted).
    pub keys_created: Vec<Timestamp>,
    /// `user:delete_api_key` events for this account's keys (whoever acted).
    pub keys_deleted: Vec<Timestamp>,
    /// `user:deactivate` and `team:uninvite` events that removed this account (whoever acted).
    pub removals: Vec<Removal>,
    /// `organization:update_member` events on this account (role or seat changed).
    pub member_updates: usize,
    /// Interactive sign-ins (`user:login`, `user:initiate_login`, `user:logout`): a person.
    pub logins: usize,
    /// Events that carry an SDK version (`cli_version`): made through the W&B SDK or CLI.
    pub sdk_events: usize,
    /// Refused requests (401 or 403) per (entity, project) acted on.
    pub refused_projects: BTreeMap<(String, String), Refusals>,
    /// Events that were not refused and name no entity (`entity_name`): bucket-synced and
    /// anonymized logs carry none.
    pub unnamed_events: usize,
    /// Refused requests that name no project (`entity_name` or `project_name` missing).
    pub unnamed_refusals: usize,
}

/// An account removed: deactivated, or uninvited from a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// When.
    pub at: Option<Timestamp>,
    /// `user:deactivate` or `team:uninvite`.
    pub action: String,
    /// The team it was uninvited from.
    pub team: Option<String>,
}

/// Where an event happened, as far as names or registry ids tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// The team: its name, or `id:<entity_asset>` when the registry does not name the id.
    pub team: Option<String>,
    /// The project's name (by name, or by an id the registry gives).
    pub project: Option<String>,
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
    fn add(&mut self, ev: &AuditEvent, place: &Place) {
        self.events += 1;
        if ev.cli_version.is_some() {
            self.sdk_events += 1;
        }
        if matches!(
            ev.action.as_deref(),
            Some("user:login" | "user:initiate_login" | "user:logout")
        ) {
            self.logins += 1;
        }
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
        }
        let refused = matches!(ev.response_code, Some(401 | 403));
        let named = place.team.is_some() && place.project.is_some();
        if refused && !named {
            self.unnamed_refusals += 1;
        }
        if !refused && place.team.is_none() {
            self.unnamed_events += 1;
        }
        if let Some(team) = &place.team {
            // A refused request touched nothing: it does not count as working in the team.
            if !refused {
                self.teams.insert(team.clone());
            }
            if let Some(project) = &place.project {
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
    /// Refused requests (401/403) that name no actor (a revoked or wrong key), grouped by
    /// caller: `<actor_ip> (SDK <cli_version>)`.
    pub refused_callers: BTreeMap<String, ActorActivity>,
    /// Service accounts created.
    pub creations: Vec<AccountCreation>,
    /// Earliest and latest event times: the window the logs cover.
    pub window: Option<(Timestamp, Timestamp)>,
    /// Events seen.
    pub events: usize,
    /// Events that name no actor and were not refused (kept nowhere else).
    pub anonymous_events: usize,
    /// Team ids (`entity_asset`) seen that the registry does not give to a team.
    pub unknown_team_ids: BTreeSet<String>,
    /// Project ids (`project_asset`) seen on refused requests that the registry does not give
    /// to a project.
    pub unknown_project_ids: BTreeSet<String>,
    ids: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
    members: BTreeSet<String>,
    team_ids: BTreeMap<String, String>,
    project_ids: BTreeMap<String, (String, String)>,
}

/// An actor or account id as the maps hold it.
fn norm(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

impl Activity {
    /// An empty model for the accounts of `registry`.
    pub fn new(registry: &Registry) -> Self {
        let mut ids = BTreeMap::new();
        let mut names = BTreeMap::new();
        for a in &registry.accounts {
            for id in &a.audit_ids {
                ids.insert(norm(id), a.name.clone());
            }
            names.insert(norm(&a.name), a.name.clone());
        }
        let mut members = BTreeSet::new();
        let mut team_ids = BTreeMap::new();
        let mut project_ids = BTreeMap::new();
        for t in &registry.teams {
            members.extend(t.members.iter().chain(&t.member_ids).map(|m| norm(m)));
            if let Some(id) = &t.id {
                team_ids.insert(norm(id), t.name.clone());
            }
            for p in &t.projects {
                if let Some(id) = &p.id {
                    project_ids.insert(norm(id), (t.name.clone(), p.name.clone()));
                }
            }
        }
        Self {
            ids,
            names,
            members,
            team_ids,
            project_ids,
            ..Self::default()
        }
    }

    /// The registry account an event's actor is, if any: by `audit_ids`, or else by an
    /// `actor_email` whose local part is the account's name (for entries without
    /// `audit_ids`).
    pub fn account_of(&self, ev: &AuditEvent) -> Option<&str> {
        self.account_by(ev.actor_user_id.as_deref(), ev.actor_email.as_deref())
    }

    /// The registry account an event acts on (`user_asset`, `user_email`), if any.
    pub fn subject_of(&self, ev: &AuditEvent) -> Option<&str> {
        self.account_by(ev.user_asset.as_deref(), ev.user_email.as_deref())
    }

    fn account_by(&self, id: Option<&str>, email: Option<&str>) -> Option<&str> {
        [id, email]
            .into_iter()
            .flatten()
            .find_map(|id| self.ids.get(&norm(id)))
            .or_else(|| {
                let (local, _) = email?.split_once('@')?;
                self.names.get(&norm(local))
            })
            .map(String::as_str)
    }

    /// Where an event happened: names first, then the registry's ids; a team id the registry
    /// does not name still tells one team from another (`id:<entity_asset>`).
    pub fn place_of(&self, ev: &AuditEvent) -> Place {
        let by_project = ev
            .project_asset
            .as_deref()
            .and_then(|id| self.project_ids.get(&norm(id)));
        let team = ev
            .entity_name
            .clone()
            .or_else(|| {
                let id = ev.entity_asset.as_deref()?;
                self.team_ids.get(&norm(id)).cloned()
            })
            .or_else(|| by_project.map(|(t, _)| t.clone()))
            .or_else(|| {
                ev.entity_asset
                    .as_deref()
                    .map(|id| format!("id:{}", id.trim()))
            });
        let project = ev
            .project_name
            .clone()
            .or_else(|| by_project.map(|(_, p)| p.clone()));
        Place { team, project }
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
        let place = self.place_of(ev);
        self.note_ids(ev, &place);
        self.subject_events(ev, &place);
        if let Some(name) = self.account_of(ev).map(str::to_string) {
            self.accounts.entry(name).or_default().add(ev, &place);
            return;
        }
        let actor = ev.actor_email.clone().or_else(|| ev.actor_user_id.clone());
        let Some(actor) = actor else {
            if matches!(ev.response_code, Some(401 | 403)) {
                let caller = format!(
                    "{} (SDK {})",
                    ev.actor_ip.as_deref().unwrap_or("unknown address"),
                    ev.cli_version.as_deref().unwrap_or("none")
                );
                self.refused_callers
                    .entry(caller)
                    .or_default()
                    .add(ev, &place);
            } else {
                self.anonymous_events += 1;
            }
            return;
        };
        let known = [&ev.actor_email, &ev.actor_user_id]
            .into_iter()
            .flatten()
            .any(|a| self.members.contains(&norm(a)));
        if known {
            return;
        }
        self.unknown_actors
            .entry(actor)
            .or_default()
            .add(ev, &place);
    }

    /// Remembers the ids the registry does not name (for the notes of the rules that need
    /// them).
    fn note_ids(&mut self, ev: &AuditEvent, place: &Place) {
        if let (Some(id), Some(team)) = (&ev.entity_asset, &place.team) {
            if team.starts_with("id:") && self.unknown_team_ids.len() < 1000 {
                self.unknown_team_ids.insert(id.clone());
            }
        }
        let refused = matches!(ev.response_code, Some(401 | 403));
        if let (true, Some(id), None) = (refused, &ev.project_asset, &place.project) {
            if self.unknown_project_ids.len() < 1000 {
                self.unknown_project_ids.insert(id.clone());
            }
        }
    }

    /// What an event does to the account it acts on: key creation and deletion, creation of
    /// a service account, removal, a role change.
    fn subject_events(&mut self, ev: &AuditEvent, place: &Place) {
        let Some(action) = ev.action.as_deref() else {
            return;
        };
        if action == "team:create_service_account" {
            let named = ev
                .user_email
                .clone()
                .or_else(|| ev.user_asset.clone())
                .or_else(|| {
                    ["username", "service_account_name"].iter().find_map(|k| {
                        ev.extra
                            .get(*k)
                            .and_then(|v| v.as_str())
                            .map(str::to_string)
                    })
                });
            self.creations.push(AccountCreation {
                at: ev.timestamp,
                team: place.team.clone(),
                account: named,
            });
            return;
        }
        let key_event = matches!(action, "user:create_api_key" | "user:delete_api_key");
        let removal = matches!(
            action,
            "user:deactivate" | "team:uninvite" | "organization:update_member"
        );
        if !key_event && !removal {
            return;
        }
        let subject = match self.subject_of(ev) {
            Some(s) => Some(s.to_string()),
            // A key event naming no one is the actor's own key.
            None if key_event && ev.user_asset.is_none() && ev.user_email.is_none() => {
                self.account_of(ev).map(str::to_string)
            }
            None => None,
        };
        let Some(subject) = subject else { return };
        let entry = self.accounts.entry(subject).or_default();
        match (action, ev.timestamp) {
            ("user:create_api_key", Some(t)) => entry.keys_created.push(t),
            ("user:delete_api_key", Some(t)) => entry.keys_deleted.push(t),
            ("user:deactivate" | "team:uninvite", at) => entry.removals.push(Removal {
                at,
                action: action.to_string(),
                team: place.team.clone(),
            }),
            ("organization:update_member", _) => entry.member_updates += 1,
            _ => {}
        }
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

    #[test]
    fn ids_place_events_and_key_events_belong_to_the_key_owner() {
        let registry = crate::registry::parse(
            "r.yaml",
            "teams:\n  ml-team:\n    id: RW50aXR5OjE\n    member_ids: [VXNlcjo5]\n    projects:\n      eval: {id: UHJvamVjdDox, visibility: restricted}\nservice_accounts:\n  - name: ci-training\n    audit_ids: [VXNlcjox]\n",
        )
        .expect("registry");
        let mut act = Activity::new(&registry);
        for line in [
            // Anonymized: ids only.
            r#"{"timestamp":"2026-10-01T10:00:00Z","action":"run:update","actor_user_id":"VXNlcjox","entity_asset":"RW50aXR5OjE","project_asset":"UHJvamVjdDox","response_code":403,"cli_version":"0.21.0"}"#,
            r#"{"timestamp":"2026-10-01T11:00:00Z","action":"run:update","actor_user_id":"VXNlcjox","entity_asset":"RW50aXR5Ojk","response_code":200,"cli_version":"0.21.0"}"#,
            // A member known by id; an admin creating the account's key.
            r#"{"timestamp":"2026-10-02T09:00:00Z","action":"user:create_api_key","actor_user_id":"VXNlcjo5","user_asset":"VXNlcjox"}"#,
            r#"{"timestamp":"2026-10-03T09:00:00Z","action":"user:deactivate","actor_user_id":"VXNlcjo5","user_asset":"VXNlcjox"}"#,
            // Refusals without an actor, and an unknown id that signs in.
            r#"{"timestamp":"2026-10-04T09:00:00Z","action":"run:update","actor_ip":"10.0.0.1","cli_version":"0.19.1","response_code":401}"#,
            r#"{"timestamp":"2026-10-04T09:01:00Z","action":"run:update","actor_ip":"10.0.0.1","cli_version":"0.19.1","response_code":401}"#,
            r#"{"timestamp":"2026-10-04T09:02:00Z","action":"user:login","actor_user_id":"VXNlcjo4"}"#,
        ] {
            act.add(&parse_line(line.as_bytes()).expect("event"));
        }
        let ci = act.accounts.get("ci-training").expect("by id");
        assert_eq!(
            ci.events, 2,
            "the admin's key event is not the account's activity"
        );
        assert_eq!(ci.keys_created.len(), 1);
        assert_eq!(ci.removals.len(), 1);
        let refused = ci
            .refused_projects
            .get(&("ml-team".to_string(), "eval".to_string()))
            .expect("placed by project id");
        assert_eq!(refused.count, 1);
        // A team id the registry does not name still counts as a team.
        assert!(ci.teams.contains("id:RW50aXR5Ojk"), "{:?}", ci.teams);
        assert_eq!(ci.sdk_events, 2);
        assert_eq!(act.refused_callers.len(), 1);
        let caller = act
            .refused_callers
            .get("10.0.0.1 (SDK 0.19.1)")
            .expect("grouped");
        assert_eq!(caller.refusals_per_day().values().sum::<usize>(), 2);
        assert_eq!(
            act.unknown_actors.keys().collect::<Vec<_>>(),
            vec!["VXNlcjo4"]
        );
        assert_eq!(act.unknown_actors["VXNlcjo4"].logins, 1);
    }
}
