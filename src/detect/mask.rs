//! Masking: no output ever holds a whole secret. A secret is shown as its first four
//! characters and its length (`wand…(86)`); snippets replace secret bytes with `*` (same
//! length, so spans stay valid) and are cut to a small window around the hit.

use std::ops::Range;

use sha2::{Digest, Sha256};

/// How many characters of a secret are ever shown.
pub const SHOWN: usize = 4;

/// `wand…(86)`: the first four characters and the length in characters.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let len = text.chars().count();
    let head: String = text.chars().take(SHOWN.min(len / 2)).collect();
    format!("{head}…({len})")
}

/// The stable identity of a secret for a rule: hex of SHA-256 over rule id and secret, cut to
/// 128 bits. The same key under the same rule has the same fingerprint in every file, commit
/// and line; the key cannot be recovered from it.
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0u8]);
    h.update(secret);
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// `text` with every key-shaped run masked (24 or more token characters holding a digit keep
/// their first characters only): for text from outside (a scan result read back by `report`)
/// that must never carry a whole secret onward.
pub fn mask_text(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    mask_key_shaped(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Key-shaped runs that are masked in every snippet whether or not they were reported, so
/// that a suppressed or unrecognised key next to a finding never shows either.
fn mask_key_shaped(text: &mut [u8]) {
    let mut i = 0;
    while i < text.len() {
        let run_start = i;
        while i < text.len() && text.get(i).is_some_and(|b| is_key_char(*b)) {
            i += 1;
        }
        let run = run_start..i;
        if run.len() >= 24 {
            let has_digit = text
                .get(run.clone())
                .is_some_and(|r| r.iter().any(u8::is_ascii_digit));
            if has_digit {
                mask_range(text, run.start + SHOWN..run.end);
            }
        }
        i += 1;
    }
}

/// Bytes of the runs [`mask_key_shaped`] judges.
fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

fn mask_range(text: &mut [u8], range: Range<usize>) {
    let end = range.end.min(text.len());
    for b in text
        .get_mut(range.start.min(end)..end)
        .into_iter()
        .flatten()
    {
        if !b.is_ascii_whitespace() && *b != b'"' {
            *b = b'*';
        }
    }
}

/// A masked window of a file around one hit, ready for miette: no secret, at most a few
/// lines, long lines clipped around the hit.
#[derive(Debug, Clone)]
pub struct Snippet {
    /// Display name (the path).
    pub name: String,
    /// The masked window text.
    pub text: String,
    /// 0-based line number of the window's first line in the file.
    pub first_line: usize,
    /// Characters clipped from the start of the hit's line (added back to columns).
    pub col_offset: usize,
    /// 0-based line of the hit within the window.
    pub hit_line: usize,
    /// The hit's byte range within `text`.
    pub span: Range<usize>,
}

/// Longest line kept whole in a snippet; longer lines are clipped around the hit.
const MAX_LINE: usize = 160;
/// Widest a masked secret is drawn in a snippet, in characters.
const MAX_SHOWN_SECRET: usize = 48;
/// Lines of context above and below the hit.
const CONTEXT: usize = 1;
/// Bytes of a long line read on each side of the hit before clipping for display.
const WINDOW: usize = super::context::DEFAULT_WINDOW;

/// The farthest a snippet reaches from its hit's start, in bytes, on either side: the hit's
/// line and one line above and below, each cut to [`WINDOW`] bytes.
pub const REACH: usize = 2 * WINDOW + 4 * CONTEXT + 4;

/// `spans` sorted by start, overlapping ones merged: the form [`near`] searches.
pub fn sorted_disjoint(spans: impl IntoIterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut v: Vec<Range<usize>> = spans.into_iter().collect();
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The spans of `sorted` (from [`sorted_disjoint`]) that a snippet around `hit` can show: a
/// binary search, so a file with many secrets builds each snippet in time independent of
/// how many there are.
pub fn near<'s>(sorted: &'s [Range<usize>], hit: &Range<usize>) -> &'s [Range<usize>] {
    let lo = hit.start.saturating_sub(REACH);
    let hi = hit.start.saturating_add(REACH);
    // Disjoint and sorted by start, so sorted by end too.
    let from = sorted.partition_point(|s| s.end <= lo);
    let to = sorted.partition_point(|s| s.start < hi).max(from);
    sorted.get(from..to).unwrap_or(&[])
}

impl Snippet {
    /// Builds the window for a hit at `hit` in `bytes` (whose line is `line0`, 0-based), masking
    /// every range in `secrets` and every key-shaped run.
    /// `col0` is the hit's 0-based column in characters on its whole line (the line may be
    /// longer than the window read here).
    pub fn new(
        name: &str,
        bytes: &[u8],
        hit: Range<usize>,
        line0: usize,
        col0: usize,
        secrets: &[Range<usize>],
    ) -> Self {
        use super::context::{line_above, line_below, line_bounds};
        let (ls, le) = line_bounds(bytes, hit.start, WINDOW);
        // Lines above and below: only real line breaks delimit them, not a window edge of a
        // long line.
        let mut start = ls;
        let mut above = 0;
        while above < CONTEXT {
            match line_above(bytes, start, WINDOW) {
                Some((s, _)) => start = s,
                None => break,
            }
            above += 1;
        }
        let mut end = le;
        for _ in 0..CONTEXT {
            match line_below(bytes, end, WINDOW) {
                Some((_, e)) => end = e,
                None => break,
            }
        }
        // Only the clipped pieces drawn are masked, each widened to whole runs of key
        // characters, so masking decides exactly as it would over the whole window and the
        // cost per snippet stays small however long the line is.
        let masked = |a: usize, b: usize| -> Vec<u8> {
            let is_run = |i: usize| bytes.get(i).is_some_and(|b| is_key_char(*b));
            let mut lo = a.max(start);
            while lo > start && is_run(lo - 1) {
                lo -= 1;
            }
            let mut hi = b.min(end).max(lo);
            while hi < end && is_run(hi) {
                hi += 1;
            }
            let mut piece = bytes.get(lo..hi).unwrap_or(&[]).to_vec();
            for s in secrets {
                if s.end > start && s.start < end {
                    // Keep the first characters of a secret starting in the window visible,
                    // like `redact`.
                    let keep = if s.start >= start {
                        SHOWN.min(s.len() / 2)
                    } else {
                        0
                    };
                    let from = (s.start.max(start) + keep).max(lo);
                    let to = s.end.min(end).min(hi);
                    if from < to {
                        mask_range(&mut piece, from - lo..to - lo);
                    }
                }
            }
            mask_key_shaped(&mut piece);
            piece
                .get(a.max(lo) - lo..b.min(hi).max(a.max(lo)) - lo)
                .unwrap_or(&[])
                .to_vec()
        };

        // Split into lines, clip each, and track the hit's position.
        let mut text = String::new();
        let mut span = 0..0;
        let mut col_offset = 0;
        let mut offset = start;
        let window = bytes.get(start..end).unwrap_or(&[]);
        // memchr, not a byte-by-byte split: the window can be long and there is one per hit.
        let breaks = memchr::memchr_iter(b'\n', window).chain(std::iter::once(window.len()));
        let mut prev = 0;
        for (i, cut) in breaks.enumerate() {
            let line = window.get(prev..cut).unwrap_or(&[]);
            prev = cut + 1;
            let line_start_in_file = offset;
            offset += line.len() + 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let is_hit = line_start_in_file == ls;
            let (from, to) = if is_hit {
                let hs = hit.start - ls;
                let he = (hit.end - ls).min(line.len());
                if line.len() > MAX_LINE {
                    let from = hs.saturating_sub(40);
                    let to = (he + 40).min(line.len());
                    (from, to)
                } else {
                    (0, line.len())
                }
            } else {
                (0, line.len().min(MAX_LINE))
            };
            let drawn = masked(line_start_in_file + from, line_start_in_file + to);
            let lossy = |r: std::ops::Range<usize>| {
                let r = r.start.saturating_sub(from)..r.end.saturating_sub(from);
                String::from_utf8_lossy(drawn.get(r).unwrap_or(&[])).replace('\t', "    ")
            };
            if i > 0 {
                text.push('\n');
            }
            if from > 0 {
                text.push('…');
            }
            if is_hit {
                let hs = (hit.start - ls).clamp(from, to);
                let he = (hit.end - ls).clamp(hs, to);
                text.push_str(&lossy(from..hs));
                // A long secret is drawn at a bounded width: its masked tail says nothing.
                let mut shown = lossy(hs..he);
                if shown.chars().count() > MAX_SHOWN_SECRET {
                    shown = shown.chars().take(MAX_SHOWN_SECRET - 1).collect();
                    shown.push('…');
                }
                let s = text.len();
                text.push_str(&shown);
                span = s..text.len();
                // What the drawn line shows before the hit, versus the real column.
                let drawn_start = text
                    .get(..s)
                    .and_then(|t| t.rfind('\n'))
                    .map_or(0, |i| i + 1);
                let drawn = text.get(drawn_start..s).map_or(0, |t| t.chars().count());
                col_offset = col0.saturating_sub(drawn);
                text.push_str(&lossy(he..to));
            } else {
                text.push_str(&lossy(from..to));
            }
            if to < line.len() {
                text.push('…');
            }
        }
        Snippet {
            name: name.to_string(),
            text,
            first_line: line0.saturating_sub(above),
            col_offset,
            hit_line: above,
            span,
        }
    }
}

impl miette::SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // Columns in characters (miette counts bytes), plus what clipping removed.
        let offset = span.offset().min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let mut column = before.get(line_start..).map_or(0, |t| t.chars().count());
        if inner.line() == self.hit_line {
            column += self.col_offset;
        }
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_shows_four() {
        assert_eq!(redact(b"wandb_v1_abc"), "wand…(12)");
        assert_eq!(redact(b"ab"), "a…(2)");
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn snippet_masks_and_clips() {
        let key = "3f1c9a7be2d4058c61a9f03b7e25d8c4a9016b3e"; // wandb-sa-lint: allow S001 -- fake key for the masking test
        let long = "x".repeat(500);
        let text = format!("a\n{long} WANDB_API_KEY={key} tail\nb\n");
        let start = text.find(key).expect("key");
        let s = Snippet::new(
            "f",
            text.as_bytes(),
            start..start + key.len(),
            1,
            515,
            &[start..start + key.len()],
        );
        assert!(!s.text.contains(key));
        assert!(!s.text.contains(&key[4..]));
        assert!(s.text.contains("3f1c****"));
        assert!(s.text.len() < 300);
        assert_eq!(
            s.text.get(s.span.clone()).map(|t| t.starts_with("3f1c")),
            Some(true)
        );
        assert_eq!(s.first_line, 0);
        // The drawn line starts with `…` and 40 characters before the hit; the rest of the
        // real column is carried as an offset.
        assert_eq!(s.col_offset, 515 - 41);
    }
}
