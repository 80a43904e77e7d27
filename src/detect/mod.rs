//! Secret detection over bytes: a keyword prefilter decides which files deserve a closer look,
//! the rules' shape regexes find candidates, and `context` judges each candidate.

pub mod context;
pub mod encoded;
pub mod escape;
pub mod mask;

use std::ops::Range;
use std::sync::Arc;

use regex::bytes::Regex;

use crate::rules::{ContextLevel, Kind, Rule, RuleSet};
use context::{assess, FileCtx, Strength};

crate::pattern::patterns! {
    TOKEN_CACHE_URL_KEY: Bytes = r#""credentials"\s*:\s*\{\s*"https?://[^"]+"\s*:\s*\{"#;
    TOKEN_CACHE_VALUE: Bytes = r#""access_token"\s*:\s*"([^"\\]*)""#;
    PLACEHOLDER_WORDS: Bytes = r"(?i)xxxx|your|example|placeholder|dummy|redacted|changeme|sample|insert|replace|\*\*\*\*";
}

/// One secret found in a file, before suppression and rendering.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The rule that found it.
    pub rule: Arc<Rule>,
    /// The shape's name (`v1`, `legacy`, ...).
    pub shape: String,
    /// Byte range of the secret in the file.
    pub span: Range<usize>,
    /// Why it is a W&B credential ("assigned to `WANDB_API_KEY`"); may be empty.
    pub why: String,
}

/// What [`Detector::screen`] says of some bytes seen without their path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// No rule keyword: nothing to find unless the path is [`Detector::keyword_free`].
    NoKeyword,
    /// Nothing to find under any path.
    NoShape,
    /// May hold a finding: scan with the path.
    MayHit,
}

/// One shape of one rule, with its own copy of the regex: a cloned `Regex` has its own cache
/// pool, so a detector cloned per thread never contends for the rules' shared one.
#[derive(Clone)]
struct ShapeRef {
    rule: Arc<Rule>,
    shape: usize,
    regex: Regex,
    priority: usize,
    /// The shape identifies itself (`ContextLevel::Anywhere`): found even inside base64.
    anywhere: bool,
}

/// A compiled detector for the secret rules of a catalogue. Clone one per thread for
/// heavy parallel use (see [`ShapeRef`]).
#[derive(Clone)]
pub struct Detector {
    shapes: Vec<ShapeRef>,
    token_cache: Vec<ShapeRef>,
    keywords: Option<Regex>,
    /// The keywords include `wandb`: a file they miss names W&B in no case.
    keywords_cover_wandb: bool,
    window: usize,
    yaml_limits: crate::yaml::Limits,
}

impl Detector {
    /// Compiles the secret rules of `rules` (other kinds are ignored).
    pub fn new(rules: &RuleSet) -> Self {
        let mut shapes = Vec::new();
        let mut token_cache = Vec::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut priority = 0;
        for rule in rules.iter().filter(|r| r.kind == Kind::Secret) {
            for (i, shape) in rule.patterns.iter().enumerate() {
                let r = ShapeRef {
                    rule: Arc::clone(rule),
                    shape: i,
                    regex: shape.regex.clone(),
                    priority,
                    anywhere: shape.context == ContextLevel::Anywhere,
                };
                priority += 1;
                if shape.context == ContextLevel::TokenCache {
                    token_cache.push(r);
                } else {
                    shapes.push(r);
                }
            }
            keywords.extend(rule.keywords.iter().map(|k| regex::escape(k)));
        }
        keywords.sort();
        keywords.dedup();
        let keywords_cover_wandb = keywords.iter().any(|k| k.eq_ignore_ascii_case("wandb"));
        let keywords = if keywords.is_empty() {
            None
        } else {
            Regex::new(&format!("(?i){}", keywords.join("|"))).ok()
        };
        Self {
            shapes,
            token_cache,
            keywords_cover_wandb: keywords_cover_wandb && keywords.is_some(),
            keywords,
            window: context::DEFAULT_WINDOW,
            yaml_limits: crate::yaml::Limits::default(),
        }
    }

    /// Judges the context of each candidate on `window` bytes on each side of it within its
    /// line (`context-window`; [`FileCtx::new`] clamps it to
    /// [`context::MIN_WINDOW`]..=[`context::MAX_WINDOW`]).
    pub fn with_window(mut self, window: usize) -> Self {
        self.window = window;
        self
    }

    /// Parses Kubernetes Secrets (for their base64 `data:` values) under `limits`
    /// (`max-yaml-aliases`, `max-yaml-depth`); a manifest past them is not decoded.
    pub fn with_yaml_limits(mut self, limits: crate::yaml::Limits) -> Self {
        self.yaml_limits = limits;
        self
    }

    /// True when the detector has nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty() && self.token_cache.is_empty()
    }

    /// Judges `bytes` without their path, for blobs decoded before their paths are known.
    /// [`Screen::NoShape`] and [`Screen::NoKeyword`] are exact: with them, [`Detector::scan`]
    /// finds nothing under any path, or under any path [`Detector::keyword_free`] rejects.
    pub fn screen(&self, bytes: &[u8]) -> Screen {
        if self.is_empty() {
            return Screen::NoShape;
        }
        if !self.keyword_hit(bytes) {
            return Screen::NoKeyword;
        }
        if !self.token_cache.is_empty()
            && memchr::memmem::find(bytes, b"\"access_token\"").is_some()
        {
            return Screen::MayHit;
        }
        // Base64 that may hide a key (see `encoded`): decided with the path.
        let has = |n: &[u8]| memchr::memmem::find(bytes, n).is_some();
        if has(encoded::V1_BASE64) || (has(b"Secret") && has(b"data")) {
            return Screen::MayHit;
        }
        let shape_hit = token_runs(bytes)
            .into_iter()
            .filter_map(|run| windows(bytes, run))
            .any(|w| {
                let Some(window) = bytes.get(w.clone()) else {
                    return false;
                };
                self.shapes.iter().any(|sr| {
                    sr.regex
                        .find_iter(window)
                        .any(|m| at_boundary(bytes, w.start + m.start(), w.start + m.end()))
                })
            });
        if shape_hit {
            Screen::MayHit
        } else {
            Screen::NoShape
        }
    }

    /// Whether a file at `path` is scanned even without a keyword (a netrc, `wandb/settings`):
    /// a [`Screen::NoKeyword`] blob at such a path still needs [`Detector::scan`].
    pub fn keyword_free(path: &str) -> bool {
        context::FileKind::of(path).always_scan()
    }

    /// Finds the secrets in one file. `path` is the display path (`/`-separated); its name
    /// decides the file kind (netrc, notebook, ...).
    pub fn scan(&self, path: &str, bytes: &[u8]) -> Vec<Hit> {
        self.scan_with(path, bytes, true)
    }

    /// [`Detector::scan`], and whether the file may name W&B at all: `false` only when the
    /// keyword prefilter, which looks for `wandb` in any case, found none of its keywords.
    /// The configuration readers' own tests for `wandb` need not run then.
    pub fn scan_and_screen(&self, path: &str, bytes: &[u8]) -> (Vec<Hit>, bool) {
        if self.is_empty() {
            return (Vec::new(), true);
        }
        let keyword_hit = self.keyword_hit(bytes);
        let hits = self.scan_found(path, bytes, true, keyword_hit);
        (hits, keyword_hit || !self.keywords_cover_wandb)
    }

    fn keyword_hit(&self, bytes: &[u8]) -> bool {
        match &self.keywords {
            Some(k) => k.is_match(bytes),
            None => true,
        }
    }

    /// [`Detector::scan`]; `decode` says whether base64 values are decoded and looked into
    /// (not in the copy of a file whose values were already decoded).
    fn scan_with(&self, path: &str, bytes: &[u8], decode: bool) -> Vec<Hit> {
        self.scan_found(path, bytes, decode, self.keyword_hit(bytes))
    }

    /// [`Detector::scan_with`], the keyword prefilter's answer for `bytes` known.
    fn scan_found(&self, path: &str, bytes: &[u8], decode: bool, keyword_hit: bool) -> Vec<Hit> {
        if self.is_empty() {
            return Vec::new();
        }
        let kind = context::FileKind::of(path);
        if !keyword_hit && !kind.always_scan() {
            return Vec::new();
        }
        let fc = FileCtx::new(path, bytes, self.window);

        // Candidates from every shape; overlaps go to the longest, then the earliest shape.
        // Keys are made of token bytes, so the shapes only run inside long runs of them: one
        // cheap pass over the file instead of one regex pass per shape.
        let mut cands: Vec<(Range<usize>, &ShapeRef)> = Vec::new();
        for w in token_runs(bytes)
            .into_iter()
            .filter_map(|run| windows(bytes, run))
        {
            let Some(window) = bytes.get(w.clone()) else {
                continue;
            };
            // A run of base64 (next to `+`, `/` or `=`) made of word bytes only: a match in it
            // touching that side is dropped below, and one elsewhere in it has a word byte
            // beside it, so no boundary. Only self-identifying shapes can be found there.
            let base64_run =
                in_base64(bytes, &w) && !window.iter().any(|&c| c == b'-' || c == b'.');
            for sr in self.shapes.iter().filter(|sr| sr.anywhere || !base64_run) {
                for m in sr.regex.find_iter(window) {
                    let (start, end) = (w.start + m.start(), w.start + m.end());
                    // A run glued to `+` or `/` is a piece of base64 (an image in a notebook
                    // output, a certificate): only self-identifying shapes are looked at there.
                    // Dropped before the sort, which the base64 of a notebook would swell.
                    if at_boundary(bytes, start, end)
                        && (sr.anywhere || !in_base64(bytes, &(start..end)))
                    {
                        cands.push((start..end, sr));
                    }
                }
            }
        }
        cands.sort_by(|a, b| {
            (b.0.len(), a.1.priority, a.0.start).cmp(&(a.0.len(), b.1.priority, b.0.start))
        });
        // The token cache is the more specific structure: its values are claimed first.
        let mut taken = Taken::default();
        let mut hits = Vec::new();
        if !self.token_cache.is_empty() {
            self.scan_token_cache(&fc, &mut taken, &mut hits);
        }
        // A decoded base64 value is reported at its base64 text, which no other shape claims.
        if decode {
            for h in self.encoded_hits(path, bytes) {
                if !taken.overlaps(&h.span) {
                    taken.insert(h.span.clone());
                    hits.push(h);
                }
            }
        }
        for (range, sr) in cands {
            if taken.overlaps(&range) {
                continue;
            }
            let Some(shape) = sr.rule.patterns.get(sr.shape) else {
                continue;
            };
            let token = bytes.get(range.clone()).unwrap_or(&[]);
            if is_placeholder(token) {
                continue;
            }
            let verdict = assess(&fc, range.start, range.end);
            let needed = match shape.context {
                ContextLevel::Anywhere => Strength::None,
                ContextLevel::Wandb => Strength::Wandb,
                ContextLevel::Assignment => Strength::Direct,
                ContextLevel::TokenCache => continue,
            };
            if verdict.strength < needed {
                continue;
            }
            // A self-identifying shape (`wandb_v1_`) is a W&B key whatever surrounds it; the
            // "prefixed keys only" narrowing (a netrc block for another host) is for the
            // shapes that need context.
            if verdict.prefixed_only
                && shape.context != ContextLevel::Anywhere
                && !is_prefixed(token)
            {
                continue;
            }
            if shape.context == ContextLevel::Assignment && !looks_random(token) {
                continue;
            }
            taken.insert(range.clone());
            hits.push(Hit {
                rule: Arc::clone(&sr.rule),
                shape: shape.name.clone(),
                span: range,
                why: verdict.why,
            });
        }
        hits.sort_by_key(|h| h.span.start);
        hits
    }

    /// Keys in base64 values (see [`encoded`]): the values are decoded in a copy of the file,
    /// the copy is scanned, and a hit inside a decoded value is reported at its base64 text.
    fn encoded_hits(&self, path: &str, bytes: &[u8]) -> Vec<Hit> {
        let mut found = encoded::secret_values(path, bytes, &self.yaml_limits);
        found.extend(encoded::v1_anywhere(bytes));
        if found.is_empty() {
            return Vec::new();
        }
        // Sorted and without overlaps; a Secret's value wins over a run found in it.
        found.sort_by_key(|e| e.span.start);
        let mut kept: Vec<encoded::Encoded> = Vec::with_capacity(found.len());
        for e in found {
            if kept.last().is_none_or(|k| k.span.end <= e.span.start) {
                kept.push(e);
            }
        }
        let (copy, places) = encoded::substitute(bytes, &kept);
        // Both sorted by position: one pass pairs each decoded value with its first hit.
        let inner = self.scan_with(path, &copy, false);
        let mut inner = inner.iter().peekable();
        let mut out = Vec::new();
        for (e, place) in kept.iter().zip(&places) {
            while inner.next_if(|h| h.span.start < place.start).is_some() {}
            let Some(h) = inner.next_if(|h| h.span.end <= place.end) else {
                continue;
            };
            while inner.next_if(|h| h.span.start < place.end).is_some() {}
            let why = if h.why.is_empty() {
                e.what.clone()
            } else {
                format!("{}, {}", e.what, h.why)
            };
            out.push(Hit {
                rule: Arc::clone(&h.rule),
                shape: h.shape.clone(),
                span: e.span.clone(),
                why,
            });
        }
        out
    }

    /// The `access_token` values of a W&B federation token cache:
    /// `{"credentials": {"<base_url>": {"access_token": ..., "expires_at": ...}}}`.
    fn scan_token_cache(&self, fc: &FileCtx<'_>, taken: &mut Taken, hits: &mut Vec<Hit>) {
        let bytes = fc.bytes;
        if memchr::memmem::find(bytes, b"\"credentials\"").is_none()
            || memchr::memmem::find(bytes, b"\"access_token\"").is_none()
        {
            return;
        }
        let url_key = &*TOKEN_CACHE_URL_KEY;
        let value = &*TOKEN_CACHE_VALUE;
        if !url_key.is_match(bytes) {
            return;
        }
        for caps in value.captures_iter(bytes) {
            let Some(m) = caps.get(1) else { continue };
            let range = m.range();
            if taken.overlaps(&range) {
                continue;
            }
            let token = m.as_bytes();
            if token.is_empty() || is_placeholder(token) || token.starts_with(b"$") {
                continue;
            }
            for sr in &self.token_cache {
                let Some(shape) = sr.rule.patterns.get(sr.shape) else {
                    continue;
                };
                let full = sr
                    .regex
                    .find(token)
                    .is_some_and(|f| f.start() == 0 && f.end() == token.len());
                if full {
                    taken.insert(range.clone());
                    hits.push(Hit {
                        rule: Arc::clone(&sr.rule),
                        shape: shape.name.clone(),
                        span: range.clone(),
                        why: "access_token of a W&B credentials token cache".to_string(),
                    });
                    break;
                }
            }
        }
    }
}

/// The byte ranges already claimed by a hit in one file: disjoint, kept by start, so that
/// each candidate is checked in logarithmic time however many hits the file has.
#[derive(Default)]
struct Taken(std::collections::BTreeMap<usize, usize>);

impl Taken {
    /// Whether `range` overlaps a claimed range.
    fn overlaps(&self, range: &Range<usize>) -> bool {
        // The claimed ranges are disjoint: the last one starting before `range` ends is the
        // only one that can reach into it.
        self.0
            .range(..range.end)
            .next_back()
            .is_some_and(|(_, end)| *end > range.start)
    }

    /// Claims `range` (which overlaps no claimed range).
    fn insert(&mut self, range: Range<usize>) {
        if !range.is_empty() {
            self.0.insert(range.start, range.end);
        }
    }
}

/// Shortest run worth a look: the shortest key shape (a JWT) is longer than this.
const MIN_RUN: usize = 20;

/// Bytes per block of [`token_mask`].
const BLOCK: usize = 64;

/// Bytes that keys and tokens are made of: ASCII letters and digits, `_`, `-` and `.`. Every
/// general key shape (`v1`, `<prefix>-<40>`, 40-hex, mangled alphanumerics, JWT) matches only
/// strings of these. Written as ranges, which the compiler turns into vector compares.
fn is_token(b: u8) -> bool {
    let lower = b | 0x20;
    lower.wrapping_sub(b'a') < 26
        || b.wrapping_sub(b'0') < 10
        || b == b'_'
        || b == b'-'
        || b == b'.'
}

/// Bit `i` set when byte `i` of `block` (at most [`BLOCK`] bytes) is a token byte.
fn token_mask(block: &[u8]) -> u64 {
    let mut flags = [0u8; BLOCK];
    for (f, &b) in flags.iter_mut().zip(block) {
        *f = u8::from(is_token(b));
    }
    // Eight 0/1 bytes to eight bits with one multiply: byte `j` lands on bit `56 + j`.
    let mut mask = 0u64;
    for (k, word) in flags.chunks_exact(8).enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let bits = u64::from_le_bytes(w).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= bits << (8 * k);
    }
    mask
}

/// Whether the 128 bits of `w` hold [`MIN_RUN`] set bits in a row.
fn has_long_run(w: u128) -> bool {
    let mut x = w;
    // After each step bit `i` says "the 2, 4, 8, 16, then 20 bits from `i` up are all set".
    x &= x >> 1;
    x &= x >> 2;
    x &= x >> 4;
    x &= x >> 8;
    x &= x >> (MIN_RUN - 16);
    x != 0
}

/// Maximal runs of token bytes at least [`MIN_RUN`] long.
///
/// The file is read in blocks of [`BLOCK`] bytes, each turned into a bit mask of its token
/// bytes. A block is skipped when no run is open and neither it nor the block before it
/// (which may hold the start of a run reaching into it) has [`MIN_RUN`] token bytes in a
/// row; otherwise its runs are found from the mask's bit counts.
fn token_runs(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    // Start of the run still open at the end of the blocks read so far.
    let mut open: Option<usize> = None;
    let mut prev = 0u64;
    for (k, block) in bytes.chunks(BLOCK).enumerate() {
        let base = k * BLOCK;
        let mask = token_mask(block);
        if open.is_none() && !has_long_run((u128::from(mask) << 64) | u128::from(prev)) {
            prev = mask;
            continue;
        }
        let mut pos = 0u32;
        while pos < 64 {
            let rest = mask >> pos;
            match open {
                Some(start) => {
                    pos += rest.trailing_ones();
                    if pos >= 64 {
                        break;
                    }
                    let end = base + pos as usize;
                    if end - start >= MIN_RUN {
                        runs.push(start..end);
                    }
                    open = None;
                }
                None => {
                    if rest == 0 {
                        break;
                    }
                    pos += rest.trailing_zeros();
                    // A run at the block's first byte began in the block before (which was
                    // skipped, or it would be open): at its last non-token byte.
                    open = Some(if pos == 0 {
                        base.saturating_sub(prev.leading_ones() as usize)
                    } else {
                        base + pos as usize
                    });
                }
            }
        }
        prev = mask;
    }
    if let Some(start) = open {
        if bytes.len() - start >= MIN_RUN {
            runs.push(start..bytes.len());
        }
    }
    runs
}

/// The window of a run in which keys are matched: the run, less the tail of an escape at its
/// front (`\n`, `%3D`: see [`escape`]), which belongs to the escape, not to a key. `None` when
/// too little is left.
fn windows(bytes: &[u8], run: Range<usize>) -> Option<Range<usize>> {
    let k = escape::escape_len(bytes, run.start);
    (run.len().saturating_sub(k) >= MIN_RUN).then(|| run.start + k..run.end)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A match counts only if it is not part of a longer word: the bytes around it are not
/// alphanumeric or `_`. An ANSI colour code or a string or URL escape (`\n`, `%3D`) right
/// before it is a boundary too, and so is a `_` after a self-identifying `wandb_v1_` key
/// (`<key>_suffix` still gives the whole key away).
fn at_boundary(bytes: &[u8], start: usize, end: usize) -> bool {
    let left_ok = start == 0
        || bytes.get(start - 1).is_some_and(|b| !is_word(*b))
        || context::ansi_before(bytes, start)
        || escape::after_escape(bytes, start);
    // A `.` after the match ends it only at the end of a sentence, not inside `a.b`.
    let right_ok = match bytes.get(end) {
        None => true,
        Some(b'.') => !bytes.get(end + 1).is_some_and(|c| is_word(*c)),
        Some(b'_') => bytes
            .get(start..end)
            .is_some_and(|t| t.starts_with(b"wandb_v1_")),
        Some(b) => !is_word(*b),
    };
    left_ok && right_ok
}

fn in_base64(bytes: &[u8], range: &Range<usize>) -> bool {
    let left = range.start.checked_sub(1).and_then(|i| bytes.get(i));
    let right = bytes.get(range.end);
    matches!(left, Some(b'+' | b'/')) || matches!(right, Some(b'+' | b'/' | b'='))
}

fn is_prefixed(token: &[u8]) -> bool {
    token.contains(&b'-')
}

/// The random part of a key: what follows `wandb_v1_` or a `<prefix>-`.
fn body(token: &[u8]) -> &[u8] {
    if let Some(rest) = token.strip_prefix(b"wandb_v1_") {
        return rest;
    }
    match memchr::memchr(b'-', token) {
        Some(i) if i <= 16 => token.get(i + 1..).unwrap_or(token),
        _ => token,
    }
}

/// Placeholders and documentation values: `xxxx…`, `0000…`, `your_key_here`, `0123456789abcdef…`.
pub fn is_placeholder(token: &[u8]) -> bool {
    let b = body(token);
    if b.is_empty() {
        return true;
    }
    // A current-shape key has two random parts: either one filled in by hand gives it away.
    if token.starts_with(b"wandb_v1_")
        && b.split(|c| *c == b'_')
            .any(|part| part.len() >= 8 && is_placeholder_part(part))
    {
        return true;
    }
    is_placeholder_part(b)
}

fn is_placeholder_part(b: &[u8]) -> bool {
    // Three tests of which any one is enough: the cheap counts first, the regex last.
    if distinct_bytes(b) < 6 {
        return true;
    }
    let steps = b
        .windows(2)
        .filter(|w| matches!(w, [x, y] if y.wrapping_sub(*x) == 1))
        .count();
    steps * 10 >= b.len().saturating_sub(1) * 6 || PLACEHOLDER_WORDS.is_match(b)
}

/// How many different byte values `b` holds (one bit per value).
fn distinct_bytes(b: &[u8]) -> u32 {
    let mut seen = [0u64; 4];
    for &c in b {
        if let Some(w) = seen.get_mut(usize::from(c >> 6)) {
            *w |= 1 << (c & 63);
        }
    }
    seen.iter().map(|w| w.count_ones()).sum()
}

/// A mangled key must still look like a key: letters and digits mixed, no long runs.
fn looks_random(token: &[u8]) -> bool {
    let digits = token.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = token.iter().filter(|b| b.is_ascii_alphabetic()).count();
    digits >= 2 && letters >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert!(is_placeholder(b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(is_placeholder(b"0000000000000000000000000000000000000000"));
        assert!(is_placeholder(b"0123456789abcdef0123456789abcdef01234567"));
        assert!(is_placeholder(
            b"local-0000000000000000000000000000000000000000"
        ));
        assert!(!is_placeholder(b"3f1c9a7be2d4058c61a9f03b7e25d8c4a9016b3e"));
        // A v1 key whose first part is random but whose second is filler.
        let filler = format!("wandb_v1_Xk3pQ9vLm2Rt8Yw4Zb6Nc1Hd7Jf_{}", "x".repeat(49));
        assert!(is_placeholder(filler.as_bytes()));
        assert_eq!(distinct_bytes(b"aabbcc"), 3);
        assert_eq!(distinct_bytes(&(0..=255).collect::<Vec<u8>>()), 256);
        assert!(is_placeholder(b"3f1c9a7be2d4058c61a9YOUR03b7e25d8c4a9016b"));
    }

    /// The obvious byte-by-byte scan the skip loop must agree with.
    fn plain_runs(text: &[u8]) -> Vec<Range<usize>> {
        let mut v = Vec::new();
        let mut start = None;
        for (i, b) in text.iter().chain(std::iter::once(&b' ')).enumerate() {
            match (is_token(*b), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if i - s >= MIN_RUN {
                        v.push(s..i);
                    }
                    start = None;
                }
                _ => {}
            }
        }
        v
    }

    #[test]
    fn token_runs_match_a_plain_scan() {
        let text = b"short words only here, then a_long-token.run_of_bytes_1234 and x=abcdefghijklmnopqrstu end abcdefghijklmnopqrs";
        let plain = plain_runs(text);
        assert_eq!(token_runs(text), plain);
        assert_eq!(plain.len(), 2);
        let all = [b'a'; 300];
        assert_eq!(token_runs(&all), vec![0..300]);
        assert_eq!(token_runs(&all[..19]), Vec::<Range<usize>>::new());
        assert_eq!(token_runs(&all[..20]), vec![0..20]);
        // Runs that end, start or lie across a block's edge, of lengths around MIN_RUN.
        for len in [19, 20, 21, 63, 64, 65, 128, 129] {
            for at in [0, 1, 44, 45, 50, 63, 64, 65, 120, 127, 128] {
                let mut text = vec![b' '; 300];
                for b in text.iter_mut().skip(at).take(len) {
                    *b = b'k';
                }
                assert_eq!(token_runs(&text), plain_runs(&text), "run of {len} at {at}");
            }
        }
        // Random texts over token bytes, separators and bytes near the token classes'
        // edges (`@`, `[`, backtick, `{`, `/`, `:`, non-ASCII): the blocks find what a
        // plain scan finds.
        let alphabet = b"kZ09_-.aAzZ @[`{/:+=\x80\xff\xc0\xdf";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..2000 {
            let len = (next() % 700) as usize;
            // Sparse, middling and dense separators.
            let gap = [5, 23, 90][round % 3];
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % gap == 0 {
                        alphabet
                            .get(12 + (r / gap) as usize % 12)
                            .copied()
                            .unwrap_or(b' ')
                    } else {
                        alphabet
                            .get((r / gap) as usize % 12)
                            .copied()
                            .unwrap_or(b'k')
                    }
                })
                .collect();
            assert_eq!(
                token_runs(&text),
                plain_runs(&text),
                "{}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    #[test]
    fn the_screen_says_which_files_may_name_wandb() {
        let (rules, problems) = crate::rules::load_embedded(crate::checks::CHECKS);
        assert!(problems.is_empty());
        let detector = Detector::new(&rules);
        assert!(detector.keywords_cover_wandb);
        let plain = b"import torch\nprint('training')\n";
        assert!(!detector.scan_and_screen("a.py", plain).1);
        for named in [
            &b"WANDB_ENTITY=acme"[..],
            b"import wandb",
            b"WandB run",
            b"wAnDb",
        ] {
            assert!(detector.scan_and_screen("a.py", named).1, "{named:?}");
        }
        // The hits are those of `scan`.
        let text = format!(
            "WANDB_API_KEY={}\n",
            "3f1c9a7be2d4058c61a9f03b7e25d8c4a9016b3e"
        );
        let (hits, named) = detector.scan_and_screen(".env", text.as_bytes());
        assert!(named);
        assert_eq!(hits.len(), detector.scan(".env", text.as_bytes()).len());
        assert_eq!(hits.len(), 1);
        // Keywords without `wandb` (a catalogue of other rules) say nothing of W&B.
        let mut other = detector.clone();
        other.keywords = Regex::new("(?i)access_token").ok();
        other.keywords_cover_wandb = false;
        assert!(other.scan_and_screen("a.py", plain).1);
    }

    #[test]
    fn token_mask_agrees_with_the_table() {
        for b in 0..=255u8 {
            let want = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
            assert_eq!(is_token(b), want, "byte {b:#04x}");
            let block = [b; BLOCK];
            let want = if is_token(b) { u64::MAX } else { 0 };
            assert_eq!(token_mask(&block), want, "byte {b:#04x}");
        }
        // Each bit at its own place, in a full and in a short block.
        let mut block = [b' '; BLOCK];
        for i in 0..BLOCK {
            if let Some(b) = block.get_mut(i) {
                *b = b'x';
            }
            assert_eq!(token_mask(&block), 1 << i);
            assert_eq!(token_mask(block.get(..=i).unwrap_or(&[])), 1 << i);
            if let Some(b) = block.get_mut(i) {
                *b = b' ';
            }
        }
    }

    #[test]
    fn boundaries() {
        let t = b"x=3f1c9a7be2d4058c61a9f03b7e25d8c4a9016b3e7";
        assert!(!at_boundary(t, 2, 42));
        assert!(at_boundary(b"k=abc.", 2, 5));
        assert!(!at_boundary(b"k=abc.d", 2, 5));
    }
}
