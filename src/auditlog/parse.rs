//! One JSON value of an audit log as what it is: an event, a page of the API's paginated
//! answer (`{"audit_logs": [...], "range_start_time", "range_end_time", "count",
//! "next_cursor"}`) whose entries are handed on one at a time, or an object that holds none of
//! the audit-log fields (a saved error answer such as `{"error": "..."}`), which is an input
//! problem and never an event.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::AuditEvent;

/// The fields W&B documents for an audit event (and `run_asset`, which older pages list).
pub const EVENT_FIELDS: &[&str] = &[
    "action",
    "actor_email",
    "actor_ip",
    "actor_user_id",
    "artifact_asset",
    "artifact_digest",
    "artifact_qualified_name",
    "artifact_sequence_asset",
    "cli_version",
    "entity_asset",
    "entity_name",
    "project_asset",
    "project_name",
    "report_asset",
    "report_name",
    "response_code",
    "run_asset",
    "timestamp",
    "user_asset",
    "user_email",
];

/// The fields of a page besides `audit_logs`.
pub const PAGE_FIELDS: &[&str] = &["range_start_time", "range_end_time", "count", "next_cursor"];

/// What one top-level JSON object was (made once per line: the size of an event is fine).
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Top {
    /// One event.
    Event(AuditEvent),
    /// A page: its entries went to the sink.
    Page {
        /// The page's own `count`, when it has one.
        count: Option<u64>,
        /// Entries it held (events and bad entries).
        entries: u64,
    },
}

/// One entry of a page: an event, or why it is not one.
pub type Entry = Result<AuditEvent, String>;

/// Reads one top-level value, handing the entries of a page to `sink`.
pub struct TopSeed<'s> {
    /// Receives each entry of a page, in order.
    pub sink: &'s mut dyn FnMut(Entry),
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Top;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = Top;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        use serde::de::Error;
        let mut ev = AuditEvent::default();
        let mut known = false;
        let mut page: Option<u64> = None;
        let mut page_fields = false;
        let mut count = None;
        let mut others: Vec<String> = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match key.as_ref() {
                "audit_logs" => {
                    let n = map.next_value_seed(Entries {
                        sink: &mut *self.sink,
                    })?;
                    page = Some(page.unwrap_or(0) + n);
                }
                "count" => {
                    page_fields = true;
                    count = map.next_value::<Value>()?.as_u64();
                }
                k if PAGE_FIELDS.contains(&k) => {
                    page_fields = true;
                    map.next_value::<IgnoredAny>()?;
                }
                k if EVENT_FIELDS.contains(&k) => {
                    known = true;
                    set_field(&mut ev, k, map.next_value()?).map_err(A::Error::custom)?;
                }
                k => {
                    if others.len() < 5 {
                        others.push(format!("`{k}`"));
                    }
                    let value: Value = map.next_value()?;
                    ev.extra.insert(key.into_owned(), value);
                }
            }
        }
        if let Some(entries) = page {
            return Ok(Top::Page { count, entries });
        }
        if page_fields {
            return Err(A::Error::custom(
                "a page of the audit-log API without its `audit_logs` list: no event is read from it",
            ));
        }
        if known {
            return Ok(Top::Event(ev));
        }
        let what = if others.is_empty() {
            "an empty JSON object".to_string()
        } else {
            format!(
                "a JSON object with none of the audit-log fields (it has {})",
                others.join(", ")
            )
        };
        let hint = if ev.extra.contains_key("error")
            || ev.extra.contains_key("errors")
            || ev.extra.contains_key("message")
        {
            ": a saved error answer of the API? Fetch the logs again"
        } else {
            ""
        };
        Err(A::Error::custom(format!(
            "not an audit event: {what}{hint}"
        )))
    }
}

/// The `audit_logs` list of a page: each entry to the sink; returns how many there were.
struct Entries<'s> {
    sink: &'s mut dyn FnMut(Entry),
}

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = u64;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = u64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of audit events (`audit_logs`)")
    }

    fn visit_unit<E>(self) -> Result<u64, E> {
        // `"audit_logs": null`: a page without entries.
        Ok(0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut n = 0;
        // One entry at a time: a page of 20,000 entries is never held whole.
        while let Some(v) = seq.next_element::<Value>()? {
            n += 1;
            (self.sink)(event_of(v).map_err(|e| format!("entry {n} of the page: {e}")));
        }
        Ok(n)
    }
}

/// An entry of a page as an event.
pub fn event_of(v: Value) -> Result<AuditEvent, String> {
    let Value::Object(map) = v else {
        return Err(format!("expected a JSON object, found {}", kind(&v)));
    };
    let mut ev = AuditEvent::default();
    let mut known = false;
    let mut others = Vec::new();
    for (k, value) in map {
        if EVENT_FIELDS.contains(&k.as_str()) {
            known = true;
            set_field(&mut ev, &k, value)?;
        } else {
            others.push(format!("`{k}`"));
            ev.extra.insert(k, value);
        }
    }
    if known {
        Ok(ev)
    } else {
        others.truncate(5);
        Err(format!(
            "not an audit event: a JSON object with none of the audit-log fields ({})",
            if others.is_empty() {
                "it is empty".to_string()
            } else {
                format!("it has {}", others.join(", "))
            }
        ))
    }
}

/// Sets the audit-log field `k` (one of [`EVENT_FIELDS`]) of `ev` from `value`.
fn set_field(ev: &mut AuditEvent, k: &str, value: Value) -> Result<(), String> {
    let slot = match k {
        "timestamp" => {
            if let Some(t) = text_value(k, value)? {
                ev.timestamp = Some(
                    super::timestamp(&t)
                        .map_err(|e| format!("`timestamp` `{t}` is not RFC 3339: {e}"))?,
                );
            }
            return Ok(());
        }
        "response_code" => {
            ev.response_code = status(value)?;
            return Ok(());
        }
        "actor_user_id" => return id_value(k, value).map(|v| ev.actor_user_id = v),
        "entity_asset" => return id_value(k, value).map(|v| ev.entity_asset = v),
        "project_asset" => return id_value(k, value).map(|v| ev.project_asset = v),
        "user_asset" => return id_value(k, value).map(|v| ev.user_asset = v),
        "action" => &mut ev.action,
        "actor_email" => &mut ev.actor_email,
        "actor_ip" => &mut ev.actor_ip,
        "entity_name" => &mut ev.entity_name,
        "project_name" => &mut ev.project_name,
        "user_email" => &mut ev.user_email,
        "cli_version" => &mut ev.cli_version,
        other => {
            ev.extra.insert(other.to_string(), value);
            return Ok(());
        }
    };
    *slot = text_value(k, value)?;
    Ok(())
}

/// A field name, borrowed from the line unless it holds escapes.
pub struct Key<'de>(pub std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A text field: a string, or null/absent.
fn text_value(name: &str, v: Value) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(format!("`{name}` must be a string, found {}", kind(&other))),
    }
}

/// An id: a string, or a whole number as some instances write user ids.
fn id_value(name: &str, v: Value) -> Result<Option<String>, String> {
    match v {
        Value::Number(n) if n.is_u64() || n.is_i64() => Ok(Some(n.to_string())),
        Value::String(s) if s.is_empty() => Ok(None),
        other => text_value(name, other),
    }
}

/// `response_code`: a number, or a numeric string as some exports write it.
fn status(v: Value) -> Result<Option<u16>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .map(Some)
            .ok_or_else(|| format!("`response_code` {n} is not an HTTP status")),
        Value::String(s) => s
            .trim()
            .parse::<u16>()
            .map(Some)
            .map_err(|_| format!("`response_code` `{s}` is not an HTTP status")),
        other => Err(format!(
            "`response_code` must be a number, found {}",
            kind(&other)
        )),
    }
}

/// The JSON type of a value, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
