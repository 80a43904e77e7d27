//! A pretty-printed audit log: JSON objects (pages of the API, or events) spread over lines,
//! one after another, as `jq .` or `json.dump(indent=2)` write a saved answer. Read as a stream
//! of values, one page entry at a time; problems name the line where the reader stood. A value
//! that is not JSON stops the file there (what came before is kept).

use std::cell::Cell;
use std::io::{BufRead, Read};
use std::rc::Rc;

use serde::de::DeserializeSeed;

use super::parse::{Top, TopSeed};
use super::{count_mismatch, deliver, AuditEvent, LogProblem, ReadStats, MAX_LINE};

/// Where the reader stands: newlines passed, and bytes since the last page entry ended.
#[derive(Default)]
struct Track {
    newlines: Cell<usize>,
    since_entry: Cell<usize>,
}

/// Counts the lines of what passes, and refuses one entry (or one top-level event) longer than
/// [`MAX_LINE`], so that memory stays bounded whatever the document holds; a long line of many
/// entries (a whole page on one line) is fine.
struct Counting<R> {
    inner: R,
    track: Rc<Track>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        let t = &self.track;
        let newlines = out
            .get(..n)
            .unwrap_or(&[])
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        t.newlines.set(t.newlines.get() + newlines);
        t.since_entry.set(t.since_entry.get() + n);
        if t.since_entry.get() > MAX_LINE {
            return Err(std::io::Error::other(format!(
                "an entry longer than {} MiB",
                MAX_LINE >> 20
            )));
        }
        Ok(n)
    }
}

/// One pretty-printed file.
pub(super) struct Document<'a> {
    /// The file, for problems.
    pub shown: &'a str,
    /// Whether it is a decompressed gzip stream.
    pub gz: bool,
    /// The line number of `prefix`'s first line.
    pub start_line: usize,
}

impl Document<'_> {
    /// Reads `prefix` (the lines already taken) and then `rest`.
    pub fn read(
        &self,
        prefix: Vec<u8>,
        rest: impl BufRead,
        stats: &mut ReadStats,
        on_event: &mut dyn FnMut(AuditEvent),
        on_problem: &mut dyn FnMut(LogProblem),
    ) {
        let track = Rc::new(Track::default());
        let mut input = Counting {
            inner: std::io::Cursor::new(prefix).chain(rest),
            track: Rc::clone(&track),
        };
        let line = || self.start_line + track.newlines.get();
        let problem = |line: usize, message: String| LogProblem {
            path: self.shown.to_string(),
            line: Some(line),
            message,
        };
        loop {
            let mut b = [0u8; 1];
            // The next value's first byte (whitespace between values is skipped).
            loop {
                match input.read(&mut b) {
                    Ok(0) => {
                        stats.lines += track.newlines.get();
                        return;
                    }
                    Ok(_) if b.iter().all(u8::is_ascii_whitespace) => {}
                    Ok(_) => break,
                    Err(e) => {
                        on_problem(problem(line(), self.broken(&e.to_string())));
                        return;
                    }
                }
            }
            track.since_entry.set(1);
            let parsed = {
                let mut de = serde_json::Deserializer::from_reader(b.as_slice().chain(&mut input));
                let mut sink = |e| {
                    deliver(e, line(), stats, on_event, on_problem, self.shown);
                    track.since_entry.set(0);
                };
                TopSeed { sink: &mut sink }.deserialize(&mut de)
            };
            match parsed {
                Ok(Top::Event(ev)) => {
                    stats.events += 1;
                    on_event(ev);
                }
                Ok(Top::Page { count, entries }) => {
                    if let Some(m) = count_mismatch(count, entries) {
                        on_problem(problem(line(), m));
                    }
                }
                Err(e) => {
                    stats.malformed += 1;
                    stats.lines += track.newlines.get();
                    // serde's own position counts from the value's start: the line is ours.
                    let m = e.to_string();
                    let m = m.rsplit_once(" at line ").map_or(m.as_str(), |(m, _)| m);
                    let message = match e.classify() {
                        serde_json::error::Category::Io => self.broken(m),
                        serde_json::error::Category::Data => {
                            format!("{m}; the rest of the file is not read")
                        }
                        _ => format!("not JSON: {m}; the rest of the file is not read"),
                    };
                    on_problem(problem(line(), message));
                    return;
                }
            }
        }
    }

    fn broken(&self, why: &str) -> String {
        let what = if self.gz { "gzip stream" } else { "file" };
        format!("the {what} breaks here ({why}); what came before was read")
    }
}
