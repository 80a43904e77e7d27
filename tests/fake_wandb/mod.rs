//! A fake W&B server on 127.0.0.1 for the tests of `audit fetch`, `scan --verify` and
//! `registry init/sync`: the documented audit-log endpoints (Multi-tenant Cloud's
//! `/audit_logs`, an instance's `/admin/audit_logs` in its NDJSON and paged forms), the
//! GraphQL `viewer` and team-members queries, basic auth with user `api`, and the failures a
//! client must survive (401, 429 with `Retry-After`, 5xx, bodies cut short). One thread
//! answers one connection at a time; every request is logged for the tests to inspect.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A failure served instead of the next audit-log answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status, with an error body.
    Status(u16),
    /// 429 with `Retry-After: secs`.
    TooMany(u64),
    /// A 200 whose body is cut short (the connection closes before Content-Length bytes).
    Truncated,
}

/// A key's owner, as the viewer query returns it.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub id: String,
    pub username: String,
    pub entity: String,
    pub email: String,
    pub account_type: String,
}

/// A team member.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub username: String,
    pub email: String,
    pub account_type: String,
}

/// What the server knows and how it misbehaves.
#[derive(Debug, Default)]
pub struct World {
    /// The key audit-log requests and team queries must carry.
    pub admin_key: String,
    /// Events by UTC day (`YYYY-MM-DD`), each a JSON object line.
    pub events: BTreeMap<String, Vec<String>>,
    /// Failures for the next audit-log requests, in order.
    pub faults: VecDeque<Fault>,
    /// Days that always answer 500.
    pub broken_days: Vec<String>,
    /// An instance from before paging: `limit`, `endDate` and `cursor` are ignored, NDJSON
    /// of the `startDate` day is sent.
    pub legacy: bool,
    /// Keys the viewer query knows.
    pub viewers: BTreeMap<String, Viewer>,
    /// The viewer has no `accountType` field (400 for a query that asks it).
    pub viewer_without_type: bool,
    /// Teams and their members.
    pub teams: BTreeMap<String, Vec<Member>>,
    /// Every request: `METHOD path?query`.
    pub log: Vec<String>,
}

/// A running fake server.
pub struct FakeWandb {
    pub url: String,
    pub world: Arc<Mutex<World>>,
}

impl FakeWandb {
    /// Starts a server for `world`.
    pub fn start(world: World) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let world = Arc::new(Mutex::new(world));
        let w = Arc::clone(&world);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let w = Arc::clone(&w);
                std::thread::spawn(move || serve(stream, &w));
            }
        });
        FakeWandb { url, world }
    }

    /// The requests served so far.
    pub fn log(&self) -> Vec<String> {
        self.world.lock().expect("world").log.clone()
    }
}

struct Req {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    raw_target: String,
    auth_key: Option<String>,
    body: String,
}

fn read_request(stream: &mut TcpStream) -> Option<Req> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut length = 0usize;
    let mut auth_key = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        let (name, value) = h.split_once(':')?;
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "authorization" => {
                let b64 = value.strip_prefix("Basic ")?;
                let pair = data_encoding::BASE64.decode(b64.as_bytes()).ok()?;
                let pair = String::from_utf8(pair).ok()?;
                auth_key = pair.strip_prefix("api:").map(str::to_string);
            }
            _ => {}
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    let (path, q) = target.split_once('?').unwrap_or((&target, ""));
    let query = q
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect();
    Some(Req {
        method,
        path: path.to_string(),
        query,
        raw_target: target.clone(),
        auth_key,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Percent-decoding of a query value.
fn decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(n) = u8::from_str_radix(&v[i + 1..i + 3], 16) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, String)], body: &str) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn serve(mut stream: TcpStream, world: &Mutex<World>) {
    let Some(req) = read_request(&mut stream) else {
        return;
    };
    let mut w = world.lock().expect("world");
    w.log.push(format!("{} {}", req.method, req.raw_target));
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/audit_logs") => audit(&mut stream, &mut w, &req, true),
        ("GET", "/admin/audit_logs") => audit(&mut stream, &mut w, &req, false),
        ("POST", "/graphql") => graphql(&mut stream, &w, &req),
        _ => respond(&mut stream, 404, &[], "{\"error\":\"not found\"}"),
    }
}

/// The next day, `YYYY-MM-DD`.
fn next_day(day: &str) -> String {
    let d: jiff::civil::Date = day.parse().expect("day");
    d.tomorrow().expect("tomorrow").to_string()
}

fn strip_names(line: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).expect("event");
    if let Some(o) = v.as_object_mut() {
        for k in [
            "actor_email",
            "user_email",
            "entity_name",
            "project_name",
            "report_name",
        ] {
            o.remove(k);
        }
    }
    v.to_string()
}

fn audit(stream: &mut TcpStream, w: &mut World, req: &Req, multi_tenant: bool) {
    if req.auth_key.as_deref() != Some(w.admin_key.as_str()) {
        return respond(stream, 401, &[], "{\"error\":\"unauthorized\"}");
    }
    match w.faults.pop_front() {
        Some(Fault::Status(s)) => return respond(stream, s, &[], "{\"error\":\"try later\"}"),
        Some(Fault::TooMany(secs)) => {
            return respond(
                stream,
                429,
                &[("Retry-After", secs.to_string())],
                "{\"error\":\"rate limited\"}",
            )
        }
        Some(Fault::Truncated) => {
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n{\"audit_logs\": [{\"act";
            let _ = stream.write_all(head.as_bytes());
            return;
        }
        None => {}
    }
    let start = req.query.get("startDate").cloned().unwrap_or_default();
    if w.broken_days.contains(&start) {
        return respond(stream, 500, &[], "{\"error\":\"internal\"}");
    }
    let anonymize = req.query.get("anonymize").map(String::as_str) == Some("true");
    let num_days: usize = req
        .query
        .get("numDays")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let paged = multi_tenant
        || (!w.legacy && (req.query.contains_key("limit") || req.query.contains_key("endDate")));
    let days_count = if multi_tenant {
        num_days.min(7) + 1
    } else if !w.legacy && req.query.contains_key("endDate") {
        // Whole days from startDate to the exclusive endDate.
        let mut n = 0;
        let mut d = start.clone();
        let end = req.query.get("endDate").cloned().unwrap_or_default();
        while d < end && n < 400 {
            n += 1;
            d = next_day(&d);
        }
        n
    } else {
        num_days + 1
    };
    let mut lines = Vec::new();
    let mut d = start.clone();
    for _ in 0..days_count {
        for l in w.events.get(&d).cloned().unwrap_or_default() {
            lines.push(if anonymize { strip_names(&l) } else { l });
        }
        d = next_day(&d);
    }
    if !paged {
        let mut body = lines.join("\n");
        body.push('\n');
        return respond(
            stream,
            200,
            &[("Content-Type", "application/x-ndjson".into())],
            &body,
        );
    }
    let limit: usize = req
        .query
        .get("limit")
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let offset: usize = req
        .query
        .get("cursor")
        .and_then(|c| c.strip_prefix("off-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let page: Vec<serde_json::Value> = lines
        .iter()
        .skip(offset)
        .take(limit)
        .map(|l| serde_json::from_str(l).expect("event"))
        .collect();
    let next = (offset + limit < lines.len()).then(|| format!("off-{}", offset + limit));
    let body = serde_json::json!({
        "audit_logs": page,
        "range_start_time": format!("{start}T00:00:00Z"),
        "range_end_time": format!("{d}T00:00:00Z"),
        "count": page.len(),
        "next_cursor": next,
    });
    // Pretty-printed, as a browser or curl shows it: the client must not care.
    let text = serde_json::to_string_pretty(&body).expect("json");
    respond(
        stream,
        200,
        &[("Content-Type", "application/json".into())],
        &text,
    );
}

fn graphql(stream: &mut TcpStream, w: &World, req: &Req) {
    let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
    let query = body["query"].as_str().unwrap_or("");
    let key = req.auth_key.clone().unwrap_or_default();
    if query.contains("viewer") {
        let Some(v) = w.viewers.get(&key) else {
            return respond(
                stream,
                401,
                &[],
                "{\"errors\":[{\"message\":\"unauthorized\"}]}",
            );
        };
        if w.viewer_without_type && query.contains("accountType") {
            return respond(
                stream,
                400,
                &[],
                "{\"errors\":[{\"message\":\"Cannot query field \\\"accountType\\\" on type \\\"User\\\".\"}]}",
            );
        }
        let mut viewer = serde_json::json!({
            "id": v.id, "entity": v.entity, "username": v.username, "email": v.email,
            "flags": "{}", "teams": {"edges": [{"node": {"name": v.entity}}]},
        });
        if query.contains("accountType") {
            viewer["accountType"] = serde_json::json!(v.account_type);
        }
        let text = serde_json::json!({"data": {"viewer": viewer}}).to_string();
        return respond(stream, 200, &[], &text);
    }
    if query.contains("entity(name") {
        if key != w.admin_key {
            return respond(
                stream,
                401,
                &[],
                "{\"errors\":[{\"message\":\"unauthorized\"}]}",
            );
        }
        let name = body["variables"]["name"].as_str().unwrap_or("");
        let text = match w.teams.get(name) {
            Some(members) => {
                let ms: Vec<serde_json::Value> = members
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "id": m.id, "admin": false, "pending": false, "email": m.email,
                            "username": m.username, "name": m.username,
                            "accountType": m.account_type,
                        })
                    })
                    .collect();
                serde_json::json!({"data": {"entity": {"id": format!("ent-{name}"), "name": name, "isTeam": true, "members": ms}}})
            }
            None => serde_json::json!({"data": {"entity": null}}),
        };
        return respond(stream, 200, &[], &text.to_string());
    }
    respond(
        stream,
        400,
        &[],
        "{\"errors\":[{\"message\":\"unknown query\"}]}",
    )
}
