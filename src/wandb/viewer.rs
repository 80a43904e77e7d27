//! Who a key belongs to: the GraphQL `viewer` query the W&B SDK sends when it checks a key,
//! asked with the key itself (basic auth, user `api`). A key W&B refuses (401, or no viewer)
//! is revoked or was never valid; a key W&B could not be asked about (network, 5xx after the
//! retries, an unreadable answer) is unknown, never revoked.

use serde_json::Value;

use super::{ApiError, ApiKey, Client, Request, Retry};

/// The viewer query with the account type; [`VIEWER_SDK`] is asked when a server does not
/// know `accountType` on the viewer.
const VIEWER_TYPED: &str =
    "query Viewer { viewer { id entity username email accountType flags teams { edges { node { name } } } } }";
/// The fields the SDK's own `viewer` query asks.
const VIEWER_SDK: &str =
    "query Viewer { viewer { id entity username email flags teams { edges { node { name } } } } }";

/// The account a key belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Owner {
    /// W&B's id of the user or service account.
    pub id: String,
    /// Its username.
    pub username: String,
    /// Its default entity.
    pub entity: String,
    /// Its email, when W&B tells.
    pub email: Option<String>,
    /// Whether it is a service account, when W&B tells (`accountType`).
    pub service_account: Option<bool>,
    /// The teams it is in.
    pub teams: Vec<String>,
}

/// What W&B says about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStatus {
    /// Accepted: it works, and belongs to this account.
    Live(Owner),
    /// Refused: deleted, or never valid on this host.
    Revoked,
    /// Not known: W&B could not be asked, or answered something else (the reason).
    Unknown(String),
}

impl KeyStatus {
    /// `live`, `revoked` or `unknown`.
    pub fn label(&self) -> &'static str {
        match self {
            KeyStatus::Live(_) => "live",
            KeyStatus::Revoked => "revoked",
            KeyStatus::Unknown(_) => "unknown",
        }
    }
}

/// Whether an `accountType` names a service account (`USER` names a person).
pub fn is_service_type(account_type: &str) -> bool {
    account_type.to_ascii_uppercase().contains("SERVICE")
}

/// Asks `host` who `key` belongs to.
pub fn verify(host: &str, key: &str, retry: &Retry) -> KeyStatus {
    let client = Client::new(host, ApiKey::new(key), retry.clone());
    match ask(&client, VIEWER_TYPED) {
        Err(Asked::Schema) => match ask(&client, VIEWER_SDK) {
            Ok(s) => s,
            Err(Asked::Schema) => KeyStatus::Unknown("the viewer query was refused".to_string()),
            Err(Asked::Failed(e)) => *e,
        },
        Ok(s) => s,
        Err(Asked::Failed(e)) => *e,
    }
}

enum Asked {
    /// The server does not know a field asked (GraphQL errors, no data).
    Schema,
    /// A final answer reached through an error.
    Failed(Box<KeyStatus>),
}

fn ask(client: &Client, query: &str) -> Result<KeyStatus, Asked> {
    let body = serde_json::json!({ "query": query }).to_string();
    let text = match client.send(&Request::PostJson {
        path: "/graphql",
        body,
    }) {
        Ok(t) => t,
        Err(ApiError::Unauthorized { .. }) => return Ok(KeyStatus::Revoked),
        Err(ApiError::Status { status: 400, .. }) => return Err(Asked::Schema),
        Err(e) => return Err(Asked::Failed(Box::new(KeyStatus::Unknown(e.to_string())))),
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Err(Asked::Failed(Box::new(KeyStatus::Unknown(
            "the answer is not JSON".to_string(),
        ))));
    };
    let viewer = v.pointer("/data/viewer");
    match viewer {
        Some(Value::Object(o)) => Ok(KeyStatus::Live(owner(o))),
        // Asked with a key, answered as for nobody: the key is not accepted.
        Some(Value::Null) => Ok(KeyStatus::Revoked),
        _ if v.get("errors").is_some() => Err(Asked::Schema),
        _ => Err(Asked::Failed(Box::new(KeyStatus::Unknown(
            "the answer has no viewer".to_string(),
        )))),
    }
}

fn owner(o: &serde_json::Map<String, Value>) -> Owner {
    let s = |k: &str| match o.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let teams = o
        .get("teams")
        .and_then(|t| t.get("edges"))
        .and_then(Value::as_array)
        .map(|edges| {
            edges
                .iter()
                .filter_map(|e| e.pointer("/node/name").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Owner {
        id: s("id"),
        username: s("username"),
        entity: s("entity"),
        email: Some(s("email")).filter(|e| !e.is_empty()),
        service_account: o
            .get("accountType")
            .and_then(Value::as_str)
            .map(is_service_type),
        teams,
    }
}
