//! Downloading audit logs, one UTC day per request (paged by cursor), from either endpoint:
//! Multi-tenant Cloud's `/audit_logs` or a Dedicated or Self-Managed instance's
//! `/admin/audit_logs`. A day is the unit: the caller writes it whole, so a run that stops
//! resumes at the first day not written and never writes a line twice.

use jiff::civil::Date;
use serde_json::Value;

use super::{ApiError, Client, Request};

/// Which audit-log API the host serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `https://api.wandb.ai/audit_logs`: JSON pages, at most 7 days a request, no `anonymize`.
    MultiTenant,
    /// `<host>/admin/audit_logs`: Dedicated Cloud and Self-Managed.
    Instance,
}

impl Endpoint {
    /// The endpoint a host serves: Multi-tenant Cloud for `api.wandb.ai`, an instance's
    /// otherwise.
    pub fn for_host(host: &str) -> Self {
        let bare = host
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        if bare.eq_ignore_ascii_case("api.wandb.ai") {
            Endpoint::MultiTenant
        } else {
            Endpoint::Instance
        }
    }

    /// The path under the host.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::MultiTenant => "/audit_logs",
            Endpoint::Instance => "/admin/audit_logs",
        }
    }
}

/// How to fetch.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// `anonymize=true` (instances only): IDs, no emails or names.
    pub anonymize: bool,
    /// Events per page (at most 20,000 on an instance).
    pub limit: u32,
}

/// The most events an instance returns per page.
pub const INSTANCE_MAX_LIMIT: u32 = 20_000;

/// One answer of the endpoint, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The events, one JSON object per line (compact).
    pub lines: Vec<String>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

/// Reads an answer: a JSON object with `audit_logs` (and `next_cursor`), or newline-delimited
/// JSON events (what an instance sends without `limit` or `endDate`, and what an instance
/// that predates paging sends whatever is asked). An error object, a cut-short or non-JSON
/// body is an error.
pub fn parse_page(body: &str) -> Result<Page, String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Ok(Page {
            lines: Vec::new(),
            next: None,
        });
    }
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(trimmed) {
        if let Some(logs) = map.get("audit_logs") {
            let Value::Array(items) = logs else {
                return Err("`audit_logs` is not a list".to_string());
            };
            let mut lines = Vec::with_capacity(items.len());
            for item in items {
                if !item.is_object() {
                    return Err("an entry of `audit_logs` is not an object".to_string());
                }
                lines.push(item.to_string());
            }
            let next = match map.get("next_cursor") {
                Some(Value::String(c)) if !c.is_empty() => Some(c.clone()),
                None | Some(Value::Null) | Some(Value::String(_)) => None,
                Some(_) => return Err("`next_cursor` is neither a string nor null".to_string()),
            };
            return Ok(Page { lines, next });
        }
        let looks_like_event = map.contains_key("action") || map.contains_key("timestamp");
        if !looks_like_event {
            let said = ["error", "errors", "message", "detail"]
                .iter()
                .find_map(|k| map.get(*k))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_else(|| "an object without `audit_logs`".to_string());
            return Err(format!("not audit logs: {}", clip(&said)));
        }
    }
    let mut lines = Vec::new();
    for (i, line) in trimmed.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(_)) => lines.push(line.to_string()),
            _ => {
                return Err(format!(
                    "line {} is not a JSON object (the answer may have been cut short)",
                    i + 1
                ))
            }
        }
    }
    Ok(Page { lines, next: None })
}

/// At most 200 printable characters of what the server said.
fn clip(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// The query of one page of `day`.
fn query(plan: &Plan, day: Date, cursor: Option<&str>) -> Vec<(&'static str, String)> {
    let mut q = vec![("startDate", day.to_string())];
    match plan.endpoint {
        // `numDays=0`: the start day only.
        Endpoint::MultiTenant => q.push(("numDays", "0".to_string())),
        Endpoint::Instance => {
            // `endDate` is exclusive; it also asks for a JSON page.
            let end = day.tomorrow().unwrap_or(day);
            q.push(("endDate", end.to_string()));
            if plan.anonymize {
                q.push(("anonymize", "true".to_string()));
            }
        }
    }
    q.push(("limit", plan.limit.to_string()));
    if let Some(c) = cursor {
        q.push(("cursor", c.to_string()));
    }
    q
}

/// The most pages of one day followed (a server that never ends its cursor chain).
const MAX_PAGES: usize = 100_000;

/// Every event of `day` (UTC), following `next_cursor` to the end. `on_page` hears the
/// number of events of each page as it arrives.
pub fn fetch_day(
    client: &Client,
    plan: &Plan,
    day: Date,
    on_page: &mut dyn FnMut(usize),
) -> Result<Vec<String>, ApiError> {
    let mut lines = Vec::new();
    let mut cursor: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..MAX_PAGES {
        let page = fetch_page(client, plan, day, cursor.as_deref())?;
        on_page(page.lines.len());
        lines.extend(page.lines);
        match page.next {
            None => return Ok(lines),
            Some(next) => {
                if !seen.insert(next.clone()) {
                    return Err(ApiError::Malformed {
                        host: client.host().to_string(),
                        message: format!("the cursor of {day} came back a second time (a loop)"),
                    });
                }
                cursor = Some(next);
            }
        }
    }
    Err(ApiError::Malformed {
        host: client.host().to_string(),
        message: format!("{day} has more than {MAX_PAGES} pages"),
    })
}

/// One page, an unreadable answer asked again (with the client's backoff) before giving up.
fn fetch_page(
    client: &Client,
    plan: &Plan,
    day: Date,
    cursor: Option<&str>,
) -> Result<Page, ApiError> {
    let req = Request::Get {
        path: plan.endpoint.path(),
        query: query(plan, day, cursor),
    };
    let attempts = client.retry().attempts.max(1);
    let mut last = String::new();
    for attempt in 0..attempts {
        let body = client.send(&req)?;
        match parse_page(&body) {
            Ok(page) => return Ok(page),
            Err(e) if e.starts_with("not audit logs") => {
                return Err(ApiError::Malformed {
                    host: client.host().to_string(),
                    message: e,
                })
            }
            Err(e) => {
                last = e;
                if attempt + 1 < attempts {
                    client.backoff(attempt, None);
                }
            }
        }
    }
    Err(ApiError::Malformed {
        host: client.host().to_string(),
        message: last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_ndjson_are_read() {
        let page = parse_page(
            "{\n \"audit_logs\": [{\"action\": \"user:login\"}, {\"action\": \"x\"}],\n \"count\": 2, \"next_cursor\": \"abc\"}",
        )
        .expect("page");
        assert_eq!(
            page.lines,
            ["{\"action\":\"user:login\"}", "{\"action\":\"x\"}"]
        );
        assert_eq!(page.next.as_deref(), Some("abc"));
        let last = parse_page("{\"audit_logs\": [], \"next_cursor\": null}").expect("page");
        assert_eq!(last.next, None);
        let nd = parse_page("{\"action\":\"a\"}\n\n{\"action\":\"b\"}\n").expect("ndjson");
        assert_eq!(nd.lines.len(), 2);
        let one =
            parse_page("{\"action\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\"}").expect("one");
        assert_eq!(one.lines.len(), 1);
        assert!(parse_page("{\"audit_logs\": [{\"act").is_err());
        assert!(parse_page("{\"action\":\"a\"}\n{\"act").is_err());
        let err = parse_page("{\"error\": \"user is associated with multiple organizations\"}")
            .expect_err("error object");
        assert!(err.contains("multiple organizations"), "{err}");
        assert_eq!(parse_page("").expect("empty").lines.len(), 0);
    }

    #[test]
    fn the_endpoint_follows_the_host() {
        assert_eq!(
            Endpoint::for_host("https://api.wandb.ai"),
            Endpoint::MultiTenant
        );
        assert_eq!(
            Endpoint::for_host("https://acme.wandb.io"),
            Endpoint::Instance
        );
        assert_eq!(
            Endpoint::for_host("http://127.0.0.1:8080"),
            Endpoint::Instance
        );
        let plan = Plan {
            endpoint: Endpoint::Instance,
            anonymize: true,
            limit: 20_000,
        };
        let day: Date = "2026-08-31".parse().expect("date");
        let q = query(&plan, day, Some("c1"));
        assert!(q.contains(&("endDate", "2026-09-01".to_string())), "{q:?}");
        assert!(q.contains(&("anonymize", "true".to_string())));
        assert!(q.contains(&("cursor", "c1".to_string())));
    }
}
