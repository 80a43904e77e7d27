//! The members of a team, as the W&B SDK's public API reads them (`entity(name) { members
//! }`), without the `apiKey` field that query can carry: this tool never asks for a key.

use serde_json::Value;

use super::{ApiError, Client, Request};

/// The team-members query (the SDK's `GetTeamEntity`, reduced to what a registry needs).
const TEAM_MEMBERS: &str = "query TeamMembers($name: String!) { entity(name: $name) { id name isTeam members { id admin pending email username name accountType } } }";

/// A member of a team.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Member {
    /// W&B's id.
    pub id: String,
    /// Username.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Email, when W&B tells.
    pub email: Option<String>,
    /// `accountType` (`USER`, or a service-account type).
    pub account_type: String,
    /// Team admin.
    pub admin: bool,
}

impl Member {
    /// Whether this member is a service account.
    pub fn is_service_account(&self) -> bool {
        super::viewer::is_service_type(&self.account_type)
    }
}

/// A team as W&B describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TeamInfo {
    /// W&B's id of the entity.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its members, service accounts included.
    pub members: Vec<Member>,
}

/// The members of team `name`.
pub fn team(client: &Client, name: &str) -> Result<TeamInfo, ApiError> {
    let body = serde_json::json!({ "query": TEAM_MEMBERS, "variables": { "name": name } });
    let text = client.send(&Request::PostJson {
        path: "/graphql",
        body: body.to_string(),
    })?;
    let malformed = |message: String| ApiError::Malformed {
        host: client.host().to_string(),
        message,
    };
    let v: Value = serde_json::from_str(&text).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let Some(entity) = v.pointer("/data/entity").filter(|e| e.is_object()) else {
        let said = v
            .pointer("/errors/0/message")
            .and_then(Value::as_str)
            .unwrap_or("no such team, or the key may not see it");
        return Err(malformed(format!("team `{name}`: {said}")));
    };
    let s = |o: &Value, k: &str| match o.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let members = entity
        .get("members")
        .and_then(Value::as_array)
        .map(|ms| {
            ms.iter()
                .filter(|m| m.get("pending").and_then(Value::as_bool) != Some(true))
                .map(|m| Member {
                    id: s(m, "id"),
                    username: s(m, "username"),
                    name: s(m, "name"),
                    email: Some(s(m, "email")).filter(|e| !e.is_empty()),
                    account_type: s(m, "accountType"),
                    admin: m.get("admin").and_then(Value::as_bool).unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(TeamInfo {
        id: s(entity, "id"),
        name: s(entity, "name"),
        members,
    })
}
