//! W&B audit logs: newline-delimited JSON, one event per line, as W&B writes
//! them to the audit bucket (a file per day) or returns them from `GET /admin/audit_logs`.
//! Files and folders (read in name order, recursively), `.gz` transparently. Reading streams:
//! one line buffer is reused, so memory does not grow with the number of lines. A line that
//! is not an event (bad JSON, a field of the wrong type, invalid UTF-8) is one problem with its
//! file and line, and reading goes on; a broken gzip stream is reported where it broke, and
//! what was read before is kept.

pub mod activity;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::source::files::{self, InputKind, OpenError, Passed, ProbeError};

/// One audit event. Known fields are typed; everything else is kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditEvent {
    /// When (RFC 3339, any offset).
    pub timestamp: Option<jiff::Timestamp>,
    /// `user:login`, `artifact:read`, ... (unknown actions are kept).
    pub action: Option<String>,
    /// The acting user or service account id.
    pub actor_user_id: Option<String>,
    /// The acting user's email.
    pub actor_email: Option<String>,
    /// The client address.
    pub actor_ip: Option<String>,
    /// The HTTP status of the request.
    pub response_code: Option<u16>,
    /// The entity (team) acted on.
    pub entity_name: Option<String>,
    /// The project acted on.
    pub project_name: Option<String>,
    /// The user acted on (invitations, key creation).
    pub user_email: Option<String>,
    /// The SDK or CLI version that made the request.
    pub cli_version: Option<String>,
    /// Every other field, as written.
    pub extra: Map<String, Value>,
}

/// A line or file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogProblem {
    /// The file.
    pub path: String,
    /// 1-based line, when the problem is a line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// Counts of a read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Files read.
    pub files: usize,
    /// Non-blank lines seen.
    pub lines: usize,
    /// Events delivered.
    pub events: usize,
    /// Lines skipped as malformed.
    pub malformed: usize,
}

/// Why an audit log named on the command line cannot be read (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LogInputError {
    /// Nothing at the path.
    #[error("no such path `{0}`")]
    #[diagnostic(code(audit::log), help("check the path given to --audit-log"))]
    Missing(String),
    /// A FIFO, pipe, socket or device (`/dev/zero` would never end).
    #[error("audit log `{0}` is not a regular file or folder: it is not read")]
    #[diagnostic(
        code(audit::log),
        help("save the log to a file (or a folder of files) and name that")
    )]
    NotAFile(String),
    /// The file or folder cannot be opened.
    #[error("cannot read audit log `{path}`: {message}")]
    #[diagnostic(code(audit::log))]
    Unreadable {
        /// The path as given.
        path: String,
        /// What the system said.
        message: String,
    },
}

/// Checks that every audit log named on the command line is a regular file or a folder that
/// can be opened (a symlink is followed: the user named it).
pub fn check_logs(paths: &[PathBuf]) -> Result<(), LogInputError> {
    for p in paths {
        let shown = p.display().to_string();
        let unreadable = |e: std::io::Error| LogInputError::Unreadable {
            path: shown.clone(),
            message: e.to_string(),
        };
        match crate::source::files::probe_input(p) {
            Ok(InputKind::Folder | InputKind::File) => {}
            Ok(InputKind::Other) => return Err(LogInputError::NotAFile(shown)),
            Err(ProbeError::Missing) => return Err(LogInputError::Missing(shown)),
            Err(ProbeError::Io(e)) => return Err(unreadable(e)),
        }
    }
    Ok(())
}

/// The state file `audit fetch` keeps beside its daily files: not a log, never read as one.
pub const FETCH_STATE_FILE: &str = ".wandb-sa-lint-fetch.json";

/// Whether a file found in a folder is `audit fetch`'s own (its state file, or a temporary
/// file a stopped write left behind), not a log.
fn fetch_own(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n == FETCH_STATE_FILE || (n.starts_with(".wandb-sa-lint-") && n.ends_with(".tmp"))
    })
}

/// The files under `paths`: files as given, folders walked recursively in name order. In a
/// folder, symlinks are not followed and FIFOs, sockets and devices are not read: each is a
/// problem, never dropped silently.
pub fn log_files(paths: &[PathBuf], problems: &mut dyn FnMut(LogProblem)) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if files::is_folder(p) {
            let mut found = files::files_under(p, &mut |passed| {
                let (path, message) = match passed {
                    Passed::Symlink(e) => (e, "a symlink (not followed): not read".to_string()),
                    Passed::Special(e) => (
                        e,
                        "not a regular file (a FIFO, socket or device): not read".to_string(),
                    ),
                    Passed::Unlisted(err) => (p.clone(), format!("cannot list: {err}")),
                };
                problems(LogProblem {
                    path: path.display().to_string(),
                    line: None,
                    message,
                });
            });
            found.retain(|f| !fetch_own(f));
            out.append(&mut found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Reads every event of the logs under `paths`, in order, handing each to `on_event` and each
/// problem to `on_problem`.
pub fn read(
    paths: &[PathBuf],
    on_event: &mut dyn FnMut(AuditEvent),
    on_problem: &mut dyn FnMut(LogProblem),
) -> ReadStats {
    let mut stats = ReadStats::default();
    for file in log_files(paths, on_problem) {
        read_file(&file, &mut stats, on_event, on_problem);
    }
    stats
}

fn read_file(
    path: &Path,
    stats: &mut ReadStats,
    on_event: &mut dyn FnMut(AuditEvent),
    on_problem: &mut dyn FnMut(LogProblem),
) {
    let shown = path.display().to_string();
    // Never open what is not a regular file: a FIFO blocks, `/dev/zero` never ends.
    let file = match files::open_regular(path) {
        Ok(f) => f,
        Err(OpenError::NotRegular) => {
            on_problem(LogProblem {
                path: shown,
                line: None,
                message: "not a regular file: not read".to_string(),
            });
            return;
        }
        Err(OpenError::Io(e)) => {
            on_problem(LogProblem {
                path: shown,
                line: None,
                message: format!("cannot open: {e}"),
            });
            return;
        }
    };
    stats.files += 1;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let source: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    read_stream(&shown, source, gz, stats, on_event, on_problem);
}

/// Longest audit-log line read; a longer one is skipped (and reported) without being held in
/// memory.
pub const MAX_LINE: usize = 16 << 20;

/// Reads one line into `buf` (without holding more than [`MAX_LINE`] bytes of it). Returns the
/// bytes consumed (0 at the end) and whether the line was longer than the limit.
fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok((consumed, too_long));
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            let room = MAX_LINE.saturating_sub(buf.len());
            if take > room {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk.get(..take).unwrap_or(&[]));
            }
        }
        reader.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, too_long));
        }
    }
}

/// Reads the events of one stream (`shown` names it in problems; `gz` says whether it is a
/// decompressed gzip stream, for the wording of a broken one). Any chunking of the underlying
/// reader gives the same events and problems.
pub fn read_stream(
    shown: &str,
    source: Box<dyn Read + '_>,
    gz: bool,
    stats: &mut ReadStats,
    on_event: &mut dyn FnMut(AuditEvent),
    on_problem: &mut dyn FnMut(LogProblem),
) {
    let shown = shown.to_string();
    let mut reader = BufReader::with_capacity(256 * 1024, source);
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut line_no = 0usize;
    loop {
        buf.clear();
        match read_line_capped(&mut reader, &mut buf) {
            Ok((0, _)) => break,
            Ok((_, true)) => {
                line_no += 1;
                stats.lines += 1;
                stats.malformed += 1;
                on_problem(LogProblem {
                    path: shown.clone(),
                    line: Some(line_no),
                    message: format!("the line is longer than {} MiB; skipped", MAX_LINE >> 20),
                });
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                let what = if gz { "gzip stream" } else { "file" };
                on_problem(LogProblem {
                    path: shown.clone(),
                    line: Some(line_no + 1),
                    message: format!(
                        "the {what} breaks after line {line_no} ({e}); the {line_no} line(s) before were read"
                    ),
                });
                return;
            }
        }
        line_no += 1;
        let mut line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        // Windows tools start a UTF-8 file with a byte order mark; it is not part of the JSON.
        if line_no == 1 {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        stats.lines += 1;
        match parse_line(line) {
            Ok(ev) => {
                stats.events += 1;
                on_event(ev);
            }
            Err(message) => {
                stats.malformed += 1;
                on_problem(LogProblem {
                    path: shown.clone(),
                    line: Some(line_no),
                    message,
                });
            }
        }
    }
}

/// One line as an event, or why it is not one.
pub fn parse_line(line: &[u8]) -> Result<AuditEvent, String> {
    let text = std::str::from_utf8(line)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde::Deserializer::deserialize_any(&mut de, EventVisitor)
        .and_then(|ev| de.end().map(|()| ev));
    match parsed {
        Ok(ev) => Ok(ev),
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            // Our own messages (a field of the wrong type), without serde's position suffix.
            let msg = e.to_string();
            Err(msg
                .rsplit_once(" at line ")
                .map_or(msg.as_str(), |(m, _)| m)
                .to_string())
        }
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

/// An RFC 3339 date-time as an instant. jiff's instants end at `9999-12-30T22:00:00.999999999Z`
/// (so that every instant has a civil date in every offset); a valid date-time past that (the
/// last hours of 9999, the "forever" some exports write) is the last instant jiff has. Years
/// run from 0000 to 9999, as RFC 3339 says.
fn timestamp(t: &str) -> Result<jiff::Timestamp, jiff::Error> {
    let err = match t.parse::<jiff::Timestamp>() {
        Ok(ts) => return Ok(ts),
        Err(e) => e,
    };
    use jiff::fmt::temporal::{Pieces, PiecesOffset};
    let pieces = Pieces::parse(t).map_err(|_| err.clone())?;
    let in_range = pieces.date().year() >= 9999
        && pieces.time().is_some()
        && matches!(
            pieces.offset(),
            Some(PiecesOffset::Zulu | PiecesOffset::Numeric(_))
        );
    if in_range {
        Ok(jiff::Timestamp::MAX)
    } else {
        Err(err)
    }
}

/// Reads an event straight from the JSON object: known fields into their types, every other
/// field into `extra`. No intermediate map of the whole line is built.
struct EventVisitor;

impl<'de> serde::de::Visitor<'de> for EventVisitor {
    type Value = AuditEvent;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<AuditEvent, A::Error> {
        use serde::de::Error;
        let mut ev = AuditEvent::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let slot = match key.as_ref() {
                "timestamp" => {
                    if let Some(t) =
                        text_value(&key, map.next_value()?).map_err(A::Error::custom)?
                    {
                        ev.timestamp = Some(timestamp(&t).map_err(|e| {
                            A::Error::custom(format!("`timestamp` `{t}` is not RFC 3339: {e}"))
                        })?);
                    }
                    continue;
                }
                "response_code" => {
                    ev.response_code = status(map.next_value()?).map_err(A::Error::custom)?;
                    continue;
                }
                "action" => &mut ev.action,
                "actor_user_id" => &mut ev.actor_user_id,
                "actor_email" => &mut ev.actor_email,
                "actor_ip" => &mut ev.actor_ip,
                "entity_name" => &mut ev.entity_name,
                "project_name" => &mut ev.project_name,
                "user_email" => &mut ev.user_email,
                "cli_version" => &mut ev.cli_version,
                _ => {
                    let value: Value = map.next_value()?;
                    ev.extra.insert(key.into_owned(), value);
                    continue;
                }
            };
            *slot = text_value(&key, map.next_value()?).map_err(A::Error::custom)?;
        }
        Ok(ev)
    }
}

/// A field name, borrowed from the line unless it holds escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
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

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const GOOD: &str = r#"{"timestamp":"2026-11-01T10:00:00Z","action":"user:login","actor_user_id":"VXNlcjox","actor_email":"ci@acme.iam.wandb","response_code":200,"entity_name":"ml-team","future_field":{"x":1}}"#;

    fn collect(paths: &[PathBuf]) -> (Vec<AuditEvent>, Vec<LogProblem>, ReadStats) {
        let (mut events, mut problems) = (Vec::new(), Vec::new());
        let stats = read(paths, &mut |e| events.push(e), &mut |p| problems.push(p));
        (events, problems, stats)
    }

    #[test]
    fn events_fields_and_offsets() {
        let e = parse_line(GOOD.as_bytes()).expect("event");
        assert_eq!(e.action.as_deref(), Some("user:login"));
        assert_eq!(e.response_code, Some(200));
        assert!(
            e.extra.contains_key("future_field"),
            "unknown fields are kept"
        );
        let a = parse_line(br#"{"timestamp":"2026-11-01T19:00:00+09:00","action":"x:new"}"#)
            .expect("offset");
        assert_eq!(a.timestamp, e.timestamp, "same instant in another offset");
        assert!(
            parse_line(br#"{"action":"run:stop"}"#).is_ok(),
            "optional fields may be missing"
        );
        assert!(
            parse_line(br#"{"response_code":"403"}"#).is_ok_and(|e| e.response_code == Some(403))
        );
    }

    #[test]
    fn malformed_lines_are_reported_and_reading_goes_on() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("2026-11-01.jsonl");
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(format!("{GOOD}\n\n{{not json\n{{\"action\": 3}}\n").as_bytes())
            .expect("w");
        f.write_all(b"{\"action\":\"a\xff\"}\n[1,2]\n{\"timestamp\":\"yesterday\"}\r\n")
            .expect("w");
        f.write_all(GOOD.as_bytes()).expect("w");
        drop(f);
        let (events, problems, stats) = collect(&[p]);
        assert_eq!(events.len(), 2);
        let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(3), Some(4), Some(5), Some(6), Some(7)]);
        assert!(problems[1].message.contains("`action` must be a string"));
        assert!(problems[2].message.contains("invalid UTF-8"));
        assert!(problems[4].message.contains("not RFC 3339"));
        assert_eq!(
            stats,
            ReadStats {
                files: 1,
                lines: 7,
                events: 2,
                malformed: 5
            }
        );
    }

    fn stream(bytes: &[u8]) -> (Vec<AuditEvent>, Vec<LogProblem>, ReadStats) {
        let (mut events, mut problems, mut stats) = (Vec::new(), Vec::new(), ReadStats::default());
        read_stream(
            "log.jsonl",
            Box::new(std::io::Cursor::new(bytes.to_vec())),
            false,
            &mut stats,
            &mut |e| events.push(e),
            &mut |p| problems.push(p),
        );
        (events, problems, stats)
    }

    #[test]
    fn a_utf8_bom_before_the_first_line_is_stripped() {
        let text = format!("\u{feff}{GOOD}\n{GOOD}\n");
        let (events, problems, stats) = stream(text.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0], events[1]);
        assert_eq!(stats.malformed, 0);
        // Only at the start of the stream: a BOM inside is not JSON.
        let text = format!("{GOOD}\n\u{feff}{GOOD}\n");
        let (events, problems, _) = stream(text.as_bytes());
        assert_eq!(events.len(), 1);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(2));
        // A BOM-only file holds nothing.
        let (events, problems, stats) = stream("\u{feff}\n".as_bytes());
        assert!(events.is_empty() && problems.is_empty(), "{problems:?}");
        assert_eq!(stats.lines, 0);
    }

    #[test]
    fn every_rfc3339_date_up_to_the_end_of_9999_is_accepted() {
        let at = |t: &str| {
            parse_line(format!(r#"{{"timestamp":"{t}","action":"a"}}"#).as_bytes())
                .map(|e| e.timestamp)
        };
        for t in [
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59.999999999Z",
            "9999-12-31T23:59:59+00:00",
            "9999-12-31T23:59:59-23:59",
            "9999-12-31T10:00:00+14:00",
            "9999-12-30T22:00:01Z",
            "0000-01-01T00:00:00Z",
            "0000-01-01T00:00:00+23:59",
            "0001-01-01T00:00:00.5-01:00",
        ] {
            assert!(matches!(at(t), Ok(Some(_))), "{t}: {:?}", at(t));
        }
        // Ordered as far as the clock can tell; the last day of 9999 is never before its eve.
        let eve = at("9999-12-30T00:00:00Z").ok().flatten();
        let last = at("9999-12-31T23:59:59Z").ok().flatten();
        assert!(eve <= last, "{eve:?} {last:?}");
        assert!(at("2026-11-01T10:00:00Z").ok().flatten() < last);
        for bad in [
            "10000-01-01T00:00:00Z",
            "9999-12-32T00:00:00Z",
            "9999-13-01T00:00:00Z",
            "9999-12-31T24:00:01Z",
            "yesterday",
        ] {
            assert!(at(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn folders_in_name_order_gzip_and_a_broken_stream() {
        let dir = tempfile::tempdir().expect("tmp");
        let day = |d: u32| {
            format!("{{\"timestamp\":\"2026-11-0{d}T00:00:00Z\",\"action\":\"day{d}\"}}\n")
        };
        std::fs::write(dir.path().join("b-2026-11-02.jsonl"), day(2)).expect("w");
        std::fs::write(dir.path().join("a-2026-11-01.jsonl"), day(1)).expect("w");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for _ in 0..500 {
            gz.write_all(day(3).as_bytes()).expect("w");
        }
        let bytes = gz.finish().expect("gz");
        std::fs::write(dir.path().join("c-2026-11-03.jsonl.gz"), &bytes).expect("w");
        let (events, problems, stats) = collect(&[dir.path().to_path_buf()]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(stats.files, 3);
        assert_eq!(events.len(), 502);
        assert_eq!(events[0].action.as_deref(), Some("day1"));
        assert_eq!(events[1].action.as_deref(), Some("day2"));
        // Cut the gzip stream short: what came before is kept, the break is reported.
        let cut = dir.path().join("cut.jsonl.gz");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("w");
        let (events, problems, _) = collect(&[cut]);
        assert!(!events.is_empty() && events.len() < 500, "{}", events.len());
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("gzip stream breaks"),
            "{:?}",
            problems[0]
        );
    }
}
