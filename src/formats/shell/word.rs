//! Shell words as the shell sees them: quotes removed, backslash escapes resolved, expansions
//! (`$X`, `${X}`, `$(...)`, backticks) kept as written. Every byte of a word's value keeps the
//! offset of the source byte it came from, so a finding about part of a word (the value of
//! `-e WANDB_API_KEY=...`, the script inside `bash -c '...'`) points at the exact place.

use std::ops::Range;

/// Where the bytes of a text came from: for each byte of the text, its offset in the file,
/// plus one entry for the end. A text copied as it stands (most words, most views) is a
/// shift and costs nothing; only texts whose bytes moved (quotes removed, escapes resolved)
/// keep a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offsets {
    /// Byte `i` of the text is byte `base + i` of the file; the text has `len` bytes.
    Shift {
        /// Where the text starts in the file.
        base: usize,
        /// The text's length.
        len: usize,
    },
    /// Byte `i` of the text is byte `table[i]` of the file (one more entry for the end).
    Table(Vec<usize>),
}

impl Offsets {
    /// The identity map of a text of `len` bytes that starts at `base` in the file.
    pub fn shifted(base: usize, len: usize) -> Self {
        Self::Shift { base, len }
    }

    /// A map from explicit per-byte offsets (one more entry than the text has bytes).
    pub fn from_vec(v: Vec<usize>) -> Self {
        Self::Table(v)
    }

    /// The offsets of a text derived from this one's text, whose byte `i` came from this
    /// text's byte `map[i]` (`map` has one more entry, for the end). A map that moves
    /// nothing (`map[i] == i`) keeps a shift a shift.
    pub fn compose(&self, map: &[usize]) -> Self {
        let len = map.len().saturating_sub(1);
        let identity = map.iter().enumerate().all(|(i, &m)| i == m);
        match self {
            Self::Shift { base, .. } if identity => Self::Shift { base: *base, len },
            _ => Self::Table(map.iter().map(|&m| self.at(m)).collect()),
        }
    }

    /// The file offset of byte `i` of the text (the end for `i` past it).
    pub fn at(&self, i: usize) -> usize {
        match self {
            Self::Shift { base, len } => base + i.min(*len),
            Self::Table(t) => match t.get(i) {
                Some(&o) => o,
                None => t.last().copied().unwrap_or(0),
            },
        }
    }

    /// The file range of the text's bytes `r`: from the first byte's offset to just past the
    /// last byte's.
    pub fn range(&self, r: Range<usize>) -> Range<usize> {
        if r.start >= r.end {
            let at = self.at(r.start);
            return at..at;
        }
        let start = self.at(r.start);
        let end = self.at(r.end - 1) + 1;
        start..end.max(start)
    }

    /// The offsets of the sub-text `r` (a map for `text[r]`).
    pub fn slice(&self, r: Range<usize>) -> Offsets {
        match self {
            Self::Shift { base, len } => {
                let end = r.end.min(*len);
                let start = r.start.min(end);
                Self::Shift {
                    base: base + start,
                    len: end - start,
                }
            }
            Self::Table(t) => {
                let end = r.end.min(t.len().saturating_sub(1));
                let start = r.start.min(end);
                let mut v: Vec<usize> = t.get(start..end).unwrap_or(&[]).to_vec();
                v.push(self.at(end));
                Self::Table(v)
            }
        }
    }
}

/// One word of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The value: quotes removed, escapes resolved, expansions kept as written.
    pub text: String,
    /// Its span in the file.
    pub span: Range<usize>,
    /// The word holds an expansion (`$X`, `${X}`, `$(...)`, a backtick) outside single
    /// quotes: its value is not known from the text.
    pub expands: bool,
    /// The file offset of each byte of `text`.
    pub offsets: Offsets,
}

impl Word {
    /// The file range of the value's bytes `r`.
    pub fn range(&self, r: Range<usize>) -> Range<usize> {
        self.offsets.range(r)
    }

    /// The word is exactly one reference to a variable (`$X`, `"${X}"`, `${X:-d}`): its name.
    pub fn variable(&self) -> Option<&str> {
        let t = self.text.as_str();
        let inner = t
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| t.strip_prefix('$'))?;
        let end = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let name = &inner[..end];
        let rest = &inner[end..];
        let ok_rest = rest.is_empty() || (t.starts_with("${") && rest.starts_with([':', '-', '=']));
        (!name.is_empty() && ok_rest).then_some(name)
    }
}

/// Unquotes the raw source of one word. Returns the value, for each value byte its index in
/// `raw` (plus one for the end), and whether the word expands anything.
pub fn unquote(raw: &str) -> (String, Vec<usize>, bool) {
    let b = raw.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut map: Vec<usize> = Vec::with_capacity(b.len() + 1);
    let mut expands = false;
    let mut i = 0;
    let mut dq = false;
    let push = |out: &mut Vec<u8>, map: &mut Vec<usize>, byte: u8, at: usize| {
        out.push(byte);
        map.push(at);
    };
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => {
                let Some(&next) = b.get(i + 1) else {
                    push(&mut out, &mut map, c, i);
                    i += 1;
                    continue;
                };
                if next == b'\n' {
                    // A line continuation: nothing.
                    i += 2;
                } else if next == b'\r' && b.get(i + 2) == Some(&b'\n') {
                    i += 3;
                } else if !dq || matches!(next, b'"' | b'\\' | b'$' | b'`') {
                    push(&mut out, &mut map, next, i + 1);
                    i += 2;
                } else {
                    push(&mut out, &mut map, c, i);
                    i += 1;
                }
            }
            b'"' => {
                dq = !dq;
                i += 1;
            }
            b'\'' if !dq => {
                let close = raw[i + 1..].find('\'').map_or(b.len(), |j| i + 1 + j);
                for (k, &byte) in b.iter().enumerate().take(close).skip(i + 1) {
                    push(&mut out, &mut map, byte, k);
                }
                i = close + 1;
            }
            b'$' if b.get(i + 1) == Some(&b'\'') && !dq => {
                // ANSI-C quoting: the common escapes resolved.
                let mut k = i + 2;
                while let Some(&d) = b.get(k) {
                    if d == b'\'' {
                        break;
                    }
                    if d == b'\\' {
                        if let Some(&e) = b.get(k + 1) {
                            let v = match e {
                                b'n' => b'\n',
                                b't' => b'\t',
                                b'r' => b'\r',
                                other => other,
                            };
                            push(&mut out, &mut map, v, k + 1);
                            k += 2;
                            continue;
                        }
                    }
                    push(&mut out, &mut map, d, k);
                    k += 1;
                }
                i = k + 1;
            }
            b'$' | b'`' => {
                let end = expansion_end(b, i);
                if end > i + 1 || c == b'`' {
                    expands = true;
                }
                for (k, &byte) in b.iter().enumerate().take(end).skip(i) {
                    push(&mut out, &mut map, byte, k);
                }
                i = end.max(i + 1);
            }
            _ => {
                push(&mut out, &mut map, c, i);
                i += 1;
            }
        }
    }
    map.push(b.len());
    // Bytes were copied whole from valid UTF-8 (multi-byte sequences never contain the
    // ASCII bytes acted on), so this never loses anything; be safe all the same.
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (text, map, expands)
}

/// The end of the expansion that starts at `i` (`$` or a backtick), kept whole: `$NAME`,
/// `$1`, `$@`, `${...}`, `$(...)`, `$((...))`, `` `...` ``. A lone `$` ends at `i + 1`.
fn expansion_end(b: &[u8], i: usize) -> usize {
    let at = |k: usize| b.get(k).copied();
    if at(i) == Some(b'`') {
        let mut k = i + 1;
        while let Some(c) = at(k) {
            if c == b'\\' {
                k += 2;
                continue;
            }
            if c == b'`' {
                return k + 1;
            }
            k += 1;
        }
        return b.len();
    }
    match at(i + 1) {
        Some(open @ (b'{' | b'(')) => {
            let close = if open == b'{' { b'}' } else { b')' };
            let mut depth = 0usize;
            let mut k = i + 1;
            let mut quote: Option<u8> = None;
            while let Some(c) = at(k) {
                match quote {
                    Some(q) => {
                        if c == b'\\' && q == b'"' {
                            k += 1;
                        } else if c == q {
                            quote = None;
                        }
                    }
                    None => {
                        if c == b'\\' {
                            k += 1;
                        } else if c == b'\'' || c == b'"' {
                            quote = Some(c);
                        } else if c == open {
                            depth += 1;
                        } else if c == close {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                return k + 1;
                            }
                        }
                    }
                }
                k += 1;
            }
            b.len()
        }
        Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
            let mut k = i + 1;
            while at(k).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
                k += 1;
            }
            k
        }
        Some(c)
            if c.is_ascii_digit()
                || matches!(c, b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') =>
        {
            i + 2
        }
        _ => i + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(raw: &str) -> (String, bool) {
        let (t, map, e) = unquote(raw);
        assert_eq!(map.len(), t.len() + 1, "{raw}");
        (t, e)
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(value("plain"), ("plain".into(), false));
        assert_eq!(value("'a b'"), ("a b".into(), false));
        assert_eq!(value("\"a \\\"b\\\" \\$c\""), ("a \"b\" $c".into(), false));
        assert_eq!(value("\"$K\""), ("$K".into(), true));
        assert_eq!(value("A=\"${B:-x}\"c"), ("A=${B:-x}c".into(), true));
        assert_eq!(value("'$K'"), ("$K".into(), false));
        assert_eq!(value("a\\ b"), ("a b".into(), false));
        assert_eq!(value("$(cat \"x y\")"), ("$(cat \"x y\")".into(), true));
        assert_eq!(value("$'a\\nb'"), ("a\nb".into(), false));
        assert_eq!(value("\"\\n\""), ("\\n".into(), false));
        assert_eq!(value("price$"), ("price$".into(), false));
    }

    #[test]
    fn offsets_point_at_the_source() {
        let raw = "X='ab'\"c\"";
        let (t, map, _) = unquote(raw);
        assert_eq!(t, "X=abc");
        let o = Offsets::from_vec(map.iter().map(|m| m + 10).collect());
        assert_eq!(o.range(2..5), 13..18);
        assert_eq!(o.at(0), 10);
    }

    #[test]
    fn variables() {
        let w = |t: &str| Word {
            text: t.to_string(),
            span: 0..t.len(),
            expands: true,
            offsets: Offsets::shifted(0, t.len()),
        };
        assert_eq!(w("$KEY").variable(), Some("KEY"));
        assert_eq!(w("${KEY:-}").variable(), Some("KEY"));
        assert_eq!(w("${KEY}x").variable(), None);
        assert_eq!(w("x$KEY").variable(), None);
    }
}
