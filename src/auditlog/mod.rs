//! W&B audit logs: newline-delimited JSON, one event per line, as W&B writes
//! them to the audit bucket (a file per day) or returns them from `GET /admin/audit_logs`.
//! Files and folders (read in name order, recursively), `.gz` transparently. Reading streams:
//! one line buffer is reused, so memory does not grow with the number of lines. A line that
//! is not an event (bad JSON, a field of the wrong type, invalid UTF-8) is one problem with its
//! file and line, and reading goes on; a broken gzip stream is reported where it broke, and
//! what was read before is kept.

pub mod activity;
mod document;
pub mod parse;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub use parse::EVENT_FIELDS;

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
    /// The entity's W&B id (`entity_asset`: anonymized logs carry it instead of the name).
    pub entity_asset: Option<String>,
    /// The project acted on.
    pub project_name: Option<String>,
    /// The project's W&B id (`project_asset`).
    pub project_asset: Option<String>,
    /// The user acted on (invitations, key creation).
    pub user_email: Option<String>,
    /// The W&B id of the user acted on (`user_asset`).
    pub user_asset: Option<String>,
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
    /// Lines (or page entries) skipped as malformed.
    pub malformed: usize,
    /// Files of which nothing could be read (not opened, or not one event in them): the run
    /// did not see what it was asked to judge.
    pub unread_files: Vec<String>,
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
        Err(e) => {
            let message = match e {
                OpenError::NotRegular => "not a regular file: not read".to_string(),
                OpenError::Io(e) => format!("cannot open: {e}"),
            };
            on_problem(LogProblem {
                path: shown.clone(),
                line: None,
                message,
            });
            stats.unread_files.push(shown);
            return;
        }
    };
    stats.files += 1;
    // Gzip is told by its magic bytes, not the name: `.gz` names lie both ways.
    let mut file = BufReader::new(file);
    let gz = file.fill_buf().is_ok_and(|b| b.starts_with(&[0x1f, 0x8b]));
    let source: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let events_before = stats.events;
    let mut problems = 0usize;
    read_stream(&shown, source, gz, stats, on_event, &mut |p| {
        problems += 1;
        on_problem(p);
    });
    if stats.events == events_before && problems > 0 {
        stats.unread_files.push(shown);
    }
}

/// Longest audit-log line read; a longer one is skipped (and reported) without being held in
/// memory.
pub const MAX_LINE: usize = 16 << 20;

/// Reads one line into `buf` (without holding more than [`MAX_LINE`] bytes of it). Returns the
/// bytes consumed (0 at the end) and whether the line is longer than the limit: then `buf`
/// holds its first [`MAX_LINE`] bytes and the reader stands right after them.
fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<(usize, bool)> {
    let mut consumed = 0;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok((consumed, false));
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = MAX_LINE.saturating_sub(buf.len());
        if take > room {
            buf.extend_from_slice(chunk.get(..room).unwrap_or(&[]));
            reader.consume(room);
            return Ok((consumed + room, true));
        }
        buf.extend_from_slice(chunk.get(..take).unwrap_or(&[]));
        reader.consume(take);
        consumed += take;
        if done {
            return Ok((consumed, false));
        }
    }
}

/// A line longer than [`MAX_LINE`], of which `buf` holds the start: a JSON value (a page of a
/// million entries as the API answers it) is read as a stream, one entry at a time, to the end
/// of the stream (true); anything else is skipped as one bad line (false: reading goes on).
fn long_line(
    doc: &document::Document<'_>,
    buf: &[u8],
    reader: &mut impl BufRead,
    stats: &mut ReadStats,
    on_event: &mut dyn FnMut(AuditEvent),
    on_problem: &mut dyn FnMut(LogProblem),
) -> bool {
    let line_no = doc.start_line;
    let start = if line_no == 1 {
        buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf)
    } else {
        buf
    };
    if start.trim_ascii_start().starts_with(b"{") {
        doc.read(start.to_vec(), reader, stats, on_event, on_problem);
        return true;
    }
    stats.lines += 1;
    stats.malformed += 1;
    let problem = |message: String| LogProblem {
        path: doc.shown.to_string(),
        line: Some(line_no),
        message,
    };
    if let Err(e) = skip_line(reader) {
        let what = if doc.gz { "gzip stream" } else { "file" };
        on_problem(problem(format!(
            "the {what} breaks in line {line_no} ({e}); the lines before were read"
        )));
        return true;
    }
    on_problem(problem(format!(
        "the line is longer than {} MiB; skipped",
        MAX_LINE >> 20
    )));
    false
}

/// Skips the rest of the line the reader stands in.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(());
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        reader.consume(take);
        if done {
            return Ok(());
        }
    }
}

/// Reads the events of one stream (`shown` names it in problems; `gz` says whether it is a
/// decompressed gzip stream, for the wording of a broken one). Any chunking of the underlying
/// reader gives the same events and problems.
///
/// The form is told by the content: lines that are each one JSON value (events, or whole pages
/// of the API), or, when the first line opens a JSON object it does not close, a document of
/// pretty-printed objects (pages or events), read as a stream of values.
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
    let mut first = true;
    let problem = |line: usize, message: String| LogProblem {
        path: shown.clone(),
        line: Some(line),
        message,
    };
    loop {
        buf.clear();
        match read_line_capped(&mut reader, &mut buf) {
            Ok((0, _)) => break,
            Ok((_, true)) => {
                line_no += 1;
                first = false;
                let doc = document::Document {
                    shown: &shown,
                    gz,
                    start_line: line_no,
                };
                if long_line(&doc, &buf, &mut reader, stats, on_event, on_problem) {
                    return;
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                let what = if gz { "gzip stream" } else { "file" };
                on_problem(problem(
                    line_no + 1,
                    format!(
                        "the {what} breaks after line {line_no} ({e}); the {line_no} line(s) before were read"
                    ),
                ));
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
        // The first line's entries are held until it is known whether the file is a
        // pretty-printed document (then it is read again as one).
        let mut held: Vec<parse::Entry> = Vec::new();
        let parsed = if first {
            parse_top(line, &mut |e| held.push(e))
        } else {
            parse_top(line, &mut |e| {
                deliver(e, line_no, stats, on_event, on_problem, &shown)
            })
        };
        if std::mem::replace(&mut first, false) {
            // Pretty printers end the first line with the brace or bracket they open; a cut
            // NDJSON line rarely does, and is one bad line rather than a document.
            let trimmed = line.trim_ascii();
            let opens = trimmed.starts_with(b"{") && matches!(trimmed.last(), Some(b'{' | b'['));
            if matches!(&parsed, Err(e) if e.incomplete) && opens {
                stats.lines -= 1;
                let mut prefix = line.to_vec();
                prefix.push(b'\n');
                let doc = document::Document {
                    shown: &shown,
                    gz,
                    start_line: line_no,
                };
                doc.read(prefix, reader, stats, on_event, on_problem);
                return;
            }
            for e in held {
                deliver(e, line_no, stats, on_event, on_problem, &shown);
            }
        }
        match parsed {
            Ok(parse::Top::Event(ev)) => {
                stats.events += 1;
                on_event(ev);
            }
            Ok(parse::Top::Page { count, entries }) => {
                if let Some(m) = count_mismatch(count, entries) {
                    on_problem(problem(line_no, m));
                }
            }
            Err(e) => {
                stats.malformed += 1;
                on_problem(problem(line_no, e.message));
            }
        }
    }
}

/// An entry of a page read at `line`: an event, or a problem.
fn deliver(
    entry: parse::Entry,
    line: usize,
    stats: &mut ReadStats,
    on_event: &mut dyn FnMut(AuditEvent),
    on_problem: &mut dyn FnMut(LogProblem),
    shown: &str,
) {
    match entry {
        Ok(ev) => {
            stats.events += 1;
            on_event(ev);
        }
        Err(message) => {
            stats.malformed += 1;
            on_problem(LogProblem {
                path: shown.to_string(),
                line: Some(line),
                message,
            });
        }
    }
}

/// A page whose `count` is not the number of entries it holds (a page cut short).
fn count_mismatch(count: Option<u64>, entries: u64) -> Option<String> {
    let c = count?;
    (c != entries).then(|| {
        format!("the page says `count` {c} but holds {entries} entries: it may have been cut short")
    })
}

/// One line as an event, or why it is not one (a page of the API is not one event).
pub fn parse_line(line: &[u8]) -> Result<AuditEvent, String> {
    let mut entries = 0usize;
    match parse_top(line, &mut |_| entries += 1) {
        Ok(parse::Top::Event(ev)) => Ok(ev),
        Ok(parse::Top::Page { entries, .. }) => Err(format!(
            "a page of the audit-log API ({entries} entries), not one event"
        )),
        Err(e) => Err(e.message),
    }
}

/// Why a line is not an event or a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// What is wrong.
    pub message: String,
    /// The line is the start of a JSON value that goes on (a pretty-printed page).
    pub incomplete: bool,
}

/// One line as an event or a page (whose entries go to `sink`), or why it is neither.
pub fn parse_top(line: &[u8], sink: &mut dyn FnMut(parse::Entry)) -> Result<parse::Top, LineError> {
    use serde::de::DeserializeSeed;
    let text = std::str::from_utf8(line).map_err(|e| LineError {
        message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        incomplete: false,
    })?;
    let mut de = serde_json::Deserializer::from_str(text);
    parse::TopSeed { sink }
        .deserialize(&mut de)
        .and_then(|t| de.end().map(|()| t))
        .map_err(|e| json_error(&e))
}

/// A JSON error as a problem's message: our own messages (a field of the wrong type) without
/// serde's position suffix, syntax errors as "not JSON".
fn json_error(e: &serde_json::Error) -> LineError {
    use serde_json::error::Category;
    let msg = e.to_string();
    match e.classify() {
        Category::Data => LineError {
            message: msg
                .rsplit_once(" at line ")
                .map_or(msg.as_str(), |(m, _)| m)
                .to_string(),
            incomplete: false,
        },
        Category::Eof => LineError {
            message: format!("not JSON: {e}"),
            incomplete: true,
        },
        Category::Syntax | Category::Io => LineError {
            message: format!("not JSON: {e}"),
            incomplete: false,
        },
    }
}

/// An RFC 3339 date-time as an instant. jiff's instants end at `9999-12-30T22:00:00.999999999Z`
/// (so that every instant has a civil date in every offset); a valid date-time past that (the
/// last hours of 9999, the "forever" some exports write) is the last instant jiff has. Years
/// run from 0000 to 9999, as RFC 3339 says.
pub(crate) fn timestamp(t: &str) -> Result<jiff::Timestamp, jiff::Error> {
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
                malformed: 5,
                unread_files: Vec::new(),
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

    fn page(entries: &[&str], count: usize) -> String {
        format!(
            "{{\"audit_logs\":[{}],\"range_start_time\":\"2026-11-01T00:00:00Z\",\"range_end_time\":\"2026-11-02T00:00:00Z\",\"count\":{count},\"next_cursor\":null}}",
            entries.join(",")
        )
    }

    #[test]
    fn pages_one_per_line_are_their_entries() {
        let bad = r#"{"action": 3}"#;
        let text = format!(
            "{}\n{GOOD}\n{}\n{}\n",
            page(&[GOOD, GOOD], 2),
            page(&[GOOD, bad, GOOD], 3),
            page(&[GOOD], 4)
        );
        let (events, problems, stats) = stream(text.as_bytes());
        assert_eq!(events.len(), 6);
        assert_eq!(stats.events, 6);
        assert_eq!(stats.malformed, 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].line, Some(3));
        assert!(
            problems[0].message.contains("entry 2 of the page"),
            "{problems:?}"
        );
        assert_eq!(problems[1].line, Some(4));
        assert!(problems[1].message.contains("cut short"), "{problems:?}");
        // `audit_logs: null` is an empty page; a page without its list is a problem.
        let (events, problems, _) =
            stream(b"{\"audit_logs\":null,\"count\":0}\n{\"count\":3,\"next_cursor\":null}\n");
        assert!(events.is_empty());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("without its `audit_logs`"));
        // `parse_line` (rule examples) takes one event, not a page.
        assert!(parse_line(page(&[GOOD], 1).as_bytes()).is_err());
    }

    #[test]
    fn pretty_printed_pages_are_read_as_a_stream_with_lines() {
        let v: Value =
            serde_json::from_str(&page(&[GOOD, r#"{"action": 3}"#, GOOD], 3)).expect("json");
        let pretty = serde_json::to_string_pretty(&v).expect("pretty");
        let text = format!("{pretty}\n\n{pretty}\n{GOOD}\n");
        let (events, problems, stats) = stream(text.as_bytes());
        assert_eq!(events.len(), 5, "{problems:?}");
        assert_eq!(stats.malformed, 2);
        assert_eq!(problems.len(), 2, "{problems:?}");
        // The bad entry's line: where the reader stood when it ended.
        let lines_per_page = pretty.lines().count();
        let first = problems[0].line.expect("line");
        assert!(first > 1 && first < lines_per_page, "{problems:?}");
        assert_eq!(problems[1].line, Some(first + lines_per_page + 1));
        // A UTF-8 BOM and CRLF line ends change nothing.
        let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        let (events2, problems2, _) = stream(crlf.as_bytes());
        assert_eq!(events2, events);
        assert_eq!(problems2.len(), 2);
    }

    #[test]
    fn a_broken_pretty_file_keeps_what_came_before() {
        let v: Value = serde_json::from_str(&page(&[GOOD, GOOD, GOOD], 3)).expect("json");
        let pretty = serde_json::to_string_pretty(&v).expect("pretty");
        let cut = &pretty[..pretty.len() * 2 / 3];
        let (events, problems, _) = stream(cut.as_bytes());
        assert!(!events.is_empty() && events.len() < 3, "{}", events.len());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("not read") || problems[0].message.contains("breaks"));
    }

    #[test]
    fn an_object_without_audit_fields_is_a_problem_never_an_event() {
        for body in [
            r#"{"error":"unauthorized"}"#,
            r#"{"errors":[{"message":"user is associated with multiple organizations"}]}"#,
            "{}",
        ] {
            let (events, problems, _) = stream(format!("{body}\n").as_bytes());
            assert!(events.is_empty(), "{body}");
            assert_eq!(problems.len(), 1, "{body}");
            assert!(
                problems[0].message.contains("not an audit event"),
                "{problems:?}"
            );
        }
        let (_, problems, _) = stream(b"{\"error\":\"x\"}\n");
        assert!(problems[0].message.contains("error answer"), "{problems:?}");
        // Inside a page as well.
        let (events, problems, _) =
            stream(format!("{}\n", page(&[GOOD, r#"{"error":"x"}"#], 2)).as_bytes());
        assert_eq!(events.len(), 1);
        assert!(problems[0]
            .message
            .contains("entry 2 of the page: not an audit event"));
    }

    #[test]
    fn ids_may_be_numbers_and_assets_are_read() {
        let e = parse_line(
            br#"{"action":"user:create_api_key","actor_user_id":42,"user_asset":"VXNlcjo3","entity_asset":7,"project_asset":"UHJvamVjdDo5"}"#,
        )
        .expect("event");
        assert_eq!(e.actor_user_id.as_deref(), Some("42"));
        assert_eq!(e.entity_asset.as_deref(), Some("7"));
        assert_eq!(e.user_asset.as_deref(), Some("VXNlcjo3"));
        assert_eq!(e.project_asset.as_deref(), Some("UHJvamVjdDo5"));
        assert!(parse_line(br#"{"action":"a","actor_user_id":1.5}"#).is_err());
    }

    #[test]
    fn gzip_is_told_by_content_and_unreadable_files_are_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(page(&[GOOD, GOOD], 2).as_bytes()).expect("w");
        let bytes = gz.finish().expect("gz");
        std::fs::write(dir.path().join("a-page.json"), &bytes).expect("w");
        std::fs::write(dir.path().join("b-plain.jsonl.gz"), format!("{GOOD}\n")).expect("w");
        std::fs::write(
            dir.path().join("c-error.json"),
            "{\"error\":\"forbidden\"}\n",
        )
        .expect("w");
        let (events, problems, stats) = collect(&[dir.path().to_path_buf()]);
        assert_eq!(events.len(), 3, "{problems:?}");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(stats.unread_files.len(), 1);
        assert!(stats.unread_files[0].ends_with("c-error.json"));
    }

    #[test]
    fn a_page_on_one_line_longer_than_the_line_limit_is_read_entry_by_entry() {
        let pad = "x".repeat(1000);
        let entry = format!(
            r#"{{"timestamp":"2026-11-01T10:00:00Z","action":"run:update","actor_user_id":"VXNlcjox","note":"{pad}"}}"#
        );
        let n = MAX_LINE / entry.len() + 100;
        let entries = vec![entry.as_str(); n];
        let text = format!("{}\n{GOOD}\n", page(&entries, n));
        assert!(text.len() > MAX_LINE);
        let (events, problems, stats) = stream(text.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(events.len(), n + 1);
        assert_eq!(stats.malformed, 0);
    }

    #[test]
    fn a_cut_first_line_is_one_bad_line_not_a_document() {
        let text = format!("{{\"timestamp\":\"2026-11-01T1\n{GOOD}\n{GOOD}\n");
        let (events, problems, _) = stream(text.as_bytes());
        assert_eq!(events.len(), 2);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(1));
    }
}
