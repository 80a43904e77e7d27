//! Masking: no output ever holds a whole secret. A secret is shown as its first four
//! characters and its length (`wand…(86)`); snippets replace secret bytes with `*` (same
//! length, so spans stay valid) and are cut to a small window around the hit.

use std::ops::Range;

use sha2::{Digest, Sha256};

pub use crate::finding::Snippet;

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
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    trust(&hex);
    hex
}

/// A stable identity for each finding, in order: a hash of its fingerprint (rule and secret,
/// or rule and object), its path and its rank among identical findings of that path. It has no
/// line or column, so it survives lines moving and reformatting; SARIF, GitLab Code Quality and
/// baselines use it.
pub fn stable_ids(findings: &[crate::finding::Finding]) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
    findings
        .iter()
        .map(|f| {
            let path = f.location.as_ref().map_or("", |l| l.path.as_str());
            let account = f.account().unwrap_or("");
            let base = format!("{}|{path}|{account}", f.fingerprint);
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            fingerprint("stable", format!("{base}|{n}").as_bytes())
        })
        .collect()
}

/// `text` with every key-shaped run masked (24 or more token characters holding a digit keep
/// their first characters only): for text from outside (a scan result read back by `report`)
/// that must never carry a whole secret onward.
pub fn mask_text(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    mask_key_shaped(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Tokens this program made itself (fingerprints, stable ids, commit ids) that look like keys
/// but must reach the output whole; see [`trust`].
static TRUSTED: std::sync::Mutex<std::collections::BTreeSet<String>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// Marks a token this program derived itself (a fingerprint, a stable id, a commit id read
/// from git) as safe to print whole. Only exact 32- or 40-character lowercase hex tokens are
/// taken: no W&B key shape is 32 hex, and a 40-hex commit id comes from git, not from input.
pub fn trust(token: &str) {
    let ok = matches!(token.len(), 32 | 40)
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        if let Ok(mut set) = TRUSTED.lock() {
            set.insert(token.to_string());
        }
    }
}

/// [`trust`] for a fingerprint read back from a file (an allow entry, a baseline): only the
/// 32-hex fingerprint shape, which no W&B key has, is let through.
pub fn trust_fingerprint(token: &str) {
    if token.len() == 32 {
        trust(token);
    }
}

fn trusted(token: &[u8]) -> bool {
    let Ok(token) = std::str::from_utf8(token) else {
        return false;
    };
    TRUSTED.lock().map(|s| s.contains(token)).unwrap_or(false)
}

/// The prefix of current W&B keys.
const V1_PREFIX: &[u8] = b"wandb_v1_";
/// Fewest characters after `wandb_v1_` that make a token masked in output: fewer than a key's
/// first 30 characters are never a leak, and names like `wandb_v1_api_test` stay readable.
const MIN_V1_REST: usize = 16;
/// Shortest run of letters and digits masked in output: W&B keys carry 40 (legacy, self-managed)
/// or 49 (current) in one run; 32 catches a mangled key without touching ordinary words.
const MIN_OUTPUT_RUN: usize = 32;

/// `text` as it may leave the program: every key-shaped token keeps its first characters and
/// the rest is `*`. This is the last step before any byte is printed or written, whatever it
/// carries (messages, paths, commit metadata, snippets, diagnostics, report cells).
///
/// Masked: everything after `wandb_v1_` and four more characters up to the end of the
/// `[A-Za-z0-9_]` run, when 16 or more characters follow the prefix; and every run of 32 or more ASCII letters and digits holding a digit
/// (legacy and self-managed keys, the halves of a current key), unless it is a token the
/// program made itself ([`trust`]). Masking keeps the byte length, and touches only ASCII
/// letters and digits, so every output format stays well formed.
pub fn mask_output(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut masked: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
            continue;
        }
        // A word of [A-Za-z0-9_]: check for a v1 key anywhere in it, then its alphanumeric runs.
        let word_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            i += 1;
        }
        let word = word_start..i;
        let mut from = word.start;
        while let Some(at) = bytes.get(from..word.end).and_then(|w| find(w, V1_PREFIX)) {
            let rest = from + at + V1_PREFIX.len();
            let start = rest + SHOWN;
            // `wandb_v1_api_test.py` is a file name; a key has 77 characters after the prefix.
            if word.end.saturating_sub(rest) >= MIN_V1_REST {
                let out = masked.get_or_insert_with(|| bytes.to_vec());
                mask_range(out, start..word.end);
            }
            from = word.end;
        }
        let mut j = word.start;
        while j < word.end {
            let run_start = j;
            while j < word.end && bytes.get(j).is_some_and(u8::is_ascii_alphanumeric) {
                j += 1;
            }
            let run = bytes.get(run_start..j).unwrap_or(&[]);
            if run.len() >= MIN_OUTPUT_RUN && run.iter().any(u8::is_ascii_digit) && !trusted(run) {
                let out = masked.get_or_insert_with(|| bytes.to_vec());
                mask_range(out, run_start + SHOWN..j);
            }
            j += 1;
        }
    }
    match masked {
        // Only ASCII letters and digits were replaced, so the text is still UTF-8.
        Some(out) => std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned()),
        None => std::borrow::Cow::Borrowed(text),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
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

/// The shortest run of key characters that counts as a piece of a reported key.
const PIECE_MIN: usize = 6;
/// How far before a snippet a `wandb_v1_` prefix is looked for, whose string pieces may run
/// on into the snippet (Python's implicit concatenation over lines).
const PIECE_LOOKBACK: usize = 512;
/// How far from a snippet a reported key may be for its pieces to be masked in it.
const PIECE_NEAR: usize = 4096;
/// The characters after `wandb_v1_` in a key: 27, `_`, 49.
const V1_BODY: usize = 77;

fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// The bytes of a key cut into string pieces after a `wandb_v1_` prefix that starts at `p`:
/// `"wandb_v1_abc" + "def…"`, `("wandb_v1_abc"\n "def…")`, `'wandb_v1_' . 'abc'`. The pieces
/// follow each other as quoted strings joined by spaces, line breaks, `+`, `.`, `,` or a `\`
/// line continuation, up to the length of a key's body. Returns the byte ranges of the
/// pieces' characters (in `bytes`).
fn v1_pieces(bytes: &[u8], p: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = p + b"wandb_v1_".len();
    let mut body = 0;
    loop {
        let from = i;
        while body < V1_BODY && bytes.get(i).is_some_and(|b| is_key_char(*b)) {
            i += 1;
            body += 1;
        }
        if i > from {
            out.push(from..i);
        }
        // The piece must close its string, and the next one open right after the joiner.
        if body >= V1_BODY || !bytes.get(i).is_some_and(|b| is_quote(*b)) {
            break;
        }
        let mut j = i + 1;
        while bytes
            .get(j)
            .is_some_and(|b| b.is_ascii_whitespace() || matches!(b, b'+' | b'.' | b',' | b'\\'))
        {
            j += 1;
        }
        if !bytes.get(j).is_some_and(|b| is_quote(*b)) {
            break;
        }
        i = j + 1;
    }
    out
}

/// Masks, in `raw` (which is `bytes[start..]`), the pieces of keys cut into strings: the
/// string pieces after a `wandb_v1_` prefix, and on any line holding a run of at least
/// [`PIECE_MIN`] key characters that is part of a reported secret within [`PIECE_NEAR`] bytes,
/// that run and every quoted string of key characters.
fn mask_pieces(raw: &mut [u8], bytes: &[u8], start: usize, secrets: &[Range<usize>]) {
    let end = start + raw.len();
    let from = start.saturating_sub(PIECE_LOOKBACK);
    let region = bytes.get(from..end).unwrap_or(&[]);
    for p in memchr::memmem::find_iter(region, b"wandb_v1_") {
        let p = from + p;
        let pieces = v1_pieces(bytes, p);
        // Like a whole key, the prefix shows its first characters only.
        let prefix = (!pieces.is_empty()).then(|| p + SHOWN..p + b"wandb_v1_".len());
        for piece in prefix.into_iter().chain(pieces) {
            if piece.end > start {
                mask_range(raw, piece.start.saturating_sub(start)..piece.end - start);
            }
        }
    }
    // The reported keys near the window (a bounded number, however many the file holds).
    let (near_start, near_end) = (from.saturating_sub(PIECE_NEAR), end + PIECE_NEAR);
    let mut keys: Vec<&[u8]> = secrets
        .iter()
        .filter(|s| s.end > near_start && s.start < near_end)
        .filter_map(|s| bytes.get(s.clone()))
        .filter(|k| k.len() >= 2 * PIECE_MIN)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return;
    }
    let mut line_start = 0;
    while line_start < raw.len() {
        let line_end = memchr::memchr(b'\n', raw.get(line_start..).unwrap_or(&[]))
            .map_or(raw.len(), |i| line_start + i);
        let mut pieces = Vec::new();
        let mut i = line_start;
        while i < line_end {
            let run_start = i;
            while i < line_end && raw.get(i).is_some_and(|b| is_key_char(*b)) {
                i += 1;
            }
            let run = raw.get(run_start..i).unwrap_or(&[]);
            // (`wandb_v1_` alone is every v1 key's prefix, not a piece of one.)
            if run.len() >= PIECE_MIN
                && memchr::memmem::find(b"wandb_v1_", run).is_none()
                && keys.iter().any(|k| memchr::memmem::find(k, run).is_some())
            {
                pieces.push(run_start..i);
            }
            i += 1;
        }
        if !pieces.is_empty() {
            for r in pieces {
                mask_range(raw, r);
            }
            mask_quoted_fragments(raw, line_start..line_end);
        }
        line_start = line_end + 1;
    }
}

/// Masks the content of every quoted string on `line` made only of key characters.
fn mask_quoted_fragments(raw: &mut [u8], line: Range<usize>) {
    let mut i = line.start;
    while i < line.end {
        let Some(q) = raw.get(i).copied().filter(|b| is_quote(*b)) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < line.end && raw.get(j).is_some_and(|b| is_key_char(*b)) {
            j += 1;
        }
        if j < line.end && raw.get(j) == Some(&q) && j > i + 1 {
            mask_range(raw, i + 1..j);
            i = j + 1;
        } else {
            i = j.max(i + 1);
        }
    }
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
    /// every range in `secrets`, every key-shaped run, and the pieces of keys cut into strings
    /// (see `mask_pieces`).
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
        Self::build(name, bytes, hit, (line0, col0), secrets, MAX_SHOWN_SECRET)
    }

    /// [`Snippet::new`] for a hit that is no secret (a registry entry): the hit is drawn
    /// whole, so the value under discussion is never cut. Key-shaped runs are still masked.
    pub fn whole(name: &str, bytes: &[u8], hit: Range<usize>, line0: usize, col0: usize) -> Self {
        Self::build(name, bytes, hit, (line0, col0), &[], MAX_LINE)
    }

    fn build(
        name: &str,
        bytes: &[u8],
        hit: Range<usize>,
        (line0, col0): (usize, usize),
        secrets: &[Range<usize>],
        max_shown: usize,
    ) -> Self {
        let (ls, le) = super::context::line_bounds(bytes, hit.start, WINDOW);
        let (start, above, end) = context_lines(bytes, ls, le);
        let masked = |a: usize, b: usize| masked_piece(bytes, start..end, secrets, a..b);

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
                if shown.chars().count() > max_shown {
                    shown = shown.chars().take(max_shown - 1).collect();
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

/// The lines around the hit's line `ls..le` that a snippet draws: (first byte, lines above,
/// end byte). Only real line breaks delimit them, not a window edge of a long line.
fn context_lines(bytes: &[u8], ls: usize, le: usize) -> (usize, usize, usize) {
    use super::context::{line_above, line_below};
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
    (start, above, end)
}

/// The bytes `a..b` of a snippet's window `start..end` of `bytes`, masked: every range in
/// `secrets`, every key-shaped run and the pieces of keys cut into strings.
///
/// Only the clipped pieces drawn are masked, each widened to whole runs of key
/// characters, so masking decides exactly as it would over the whole window and the
/// cost per snippet stays small however long the line is.
fn masked_piece(
    bytes: &[u8],
    Range { start, end }: Range<usize>,
    secrets: &[Range<usize>],
    Range { start: a, end: b }: Range<usize>,
) -> Vec<u8> {
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
    mask_pieces(&mut piece, bytes, lo, secrets);
    mask_key_shaped(&mut piece);
    piece
        .get(a.max(lo) - lo..b.min(hi).max(a.max(lo)) - lo)
        .unwrap_or(&[])
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_masking_keeps_names_and_masks_every_key_shape() {
        let v1 = format!("wandb_v1_{}_{}", "Ab3".repeat(9), "x9Y".repeat(16) + "z");
        let hex = "3f1c9a7be2d4058c61a9f03b7e25d8c4a9016b3e"; // wandb-sa-lint: allow S001 -- fake key for the masking test
        let text = format!(
            "job `{v1}` in dir/{hex}_suffix/local-{hex}.env, tests/wandb_v1_api_test.py, train-resnet50-imagenet-2024.yaml"
        );
        let out = mask_output(&text);
        assert!(!out.contains(&v1[..30]) && !out.contains(&v1[v1.len() - 30..]));
        assert!(!out.contains(&hex[..30]) && !out.contains(&hex[10..]));
        assert!(out.contains("`wandb_v1_Ab3A****"), "{out}");
        assert!(out.contains("dir/3f1c*"), "{out}");
        assert!(out.contains("_suffix/local-3f1c*"), "{out}");
        assert!(out.contains("tests/wandb_v1_api_test.py"), "{out}");
        assert!(out.contains("train-resnet50-imagenet-2024.yaml"), "{out}");
        assert_eq!(out.len(), text.len());
        // Our own tokens pass whole.
        let fp = fingerprint("S001", b"secret");
        assert_eq!(mask_output(&format!("id {fp}")), format!("id {fp}"));
        let other = "0123456789abcdef0123456789abcdef";
        assert_ne!(mask_output(other), other);
    }

    #[test]
    fn redact_shows_four() {
        assert_eq!(redact(b"wandb_v1_abc"), "wand…(12)");
        assert_eq!(redact(b"ab"), "a…(2)");
    }

    /// Every piece of `key` of at least 4 characters past its first 4 that `text` shows.
    fn shown_pieces(text: &str, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for len in [4usize, 5, 8] {
            for i in 4..key.len().saturating_sub(len) {
                let piece = &key[i..i + len];
                if piece.bytes().all(|b| b.is_ascii_alphanumeric()) && text.contains(piece) {
                    out.push(piece.to_string());
                }
            }
        }
        out
    }

    #[test]
    fn pieces_of_keys_cut_into_strings_are_masked() {
        let mut f = crate::rules::fakes::Fakes::new(9);
        let (key, other) = (f.v1(), f.v1());
        let body = &other[9..];
        let text = format!(
            "KEY = \"{key}\"\nA = \"wandb_v1_\" + \"{}\" + '{}' + \"{}\"\nB = (\"wandb_v1_{}\"\n     \"{}\"\n     \"{}\")\nC = call(\"{key}\")\nPART = \"{}\" + \"{}\"\nD = \"{key}\"\n",
            &body[..5],
            &body[5..30],
            &body[30..],
            &body[..3],
            &body[3..40],
            &body[40..],
            &key[20..26],
            &key[26..29],
        );
        let hits: Vec<Range<usize>> = text
            .match_indices(key.as_str())
            .map(|(i, _)| i..i + key.len())
            .collect();
        assert_eq!(hits.len(), 3);
        let line_of = |pos: usize| text[..pos].matches('\n').count();
        for h in &hits {
            let s = Snippet::new(
                "f.py",
                text.as_bytes(),
                h.clone(),
                line_of(h.start),
                0,
                &hits,
            );
            assert!(
                shown_pieces(&s.text, &key).is_empty(),
                "{}\n{:?}",
                s.text,
                shown_pieces(&s.text, &key)
            );
            assert!(
                shown_pieces(&s.text, &other).is_empty(),
                "{}\n{:?}",
                s.text,
                shown_pieces(&s.text, &other)
            );
        }
        // The snippet of the hit on line 5 shows line 4 (the end of `B`, whose prefix is two
        // lines up, out of the window) and line 6 (pieces of the reported key).
        let s = Snippet::new("f.py", text.as_bytes(), hits[1].clone(), 5, 0, &hits);
        assert!(s.text.starts_with("     \"***"), "{}", s.text);
        assert!(s.text.contains("PART = \"******\" + \"***\""), "{}", s.text);
        // Names and ordinary words stay readable.
        assert!(s.text.contains("C = call(\"wand"), "{}", s.text);
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
