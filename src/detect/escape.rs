//! Escapes glued to the front of a key. In a JSON or C string (`"login ok\nwandb_v1_…"`) and in a
//! URL (`?key%3Dwandb_v1_…`) the escape's tail is a letter or hex digit: part of the same run of
//! key characters as the key, so a plain word boundary would not see the key start. An escape
//! that ends right before a candidate counts as a boundary.
//!
//! `\` and `%` are not key characters, so an escape's tail can only stand at the start of a run:
//! [`escape_len`] says how long it is there, and the detector looks at the run after it too.

/// The single-letter escapes of C, JSON, shell `$'…'` and Python strings.
const LETTERS: &[u8] = b"abefnrtv0";

/// Whether the byte at `i` is escaped by an odd number of backslashes right before it (`\n`
/// is an escape, `\\n` a backslash and a letter).
fn escaped(bytes: &[u8], i: usize) -> bool {
    let slashes = bytes
        .get(..i)
        .unwrap_or(&[])
        .iter()
        .rev()
        .take_while(|b| **b == b'\\')
        .count();
    slashes % 2 == 1
}

fn hex_digits(bytes: &[u8], from: usize, n: usize) -> bool {
    bytes
        .get(from..from + n)
        .is_some_and(|d| d.len() == n && d.iter().all(u8::is_ascii_hexdigit))
}

/// Length of the escape tail at `start` (the bytes after its `\` or `%`), or 0 when no escape
/// starts right before `start`: `\n` → 1, `\x3d` → 3, `\u003d` → 5, `\U0000003d` → 9,
/// `%3D` → 2.
pub fn escape_len(bytes: &[u8], start: usize) -> usize {
    let Some(before) = start.checked_sub(1).and_then(|i| bytes.get(i)) else {
        return 0;
    };
    match before {
        b'%' if hex_digits(bytes, start, 2) => 2,
        b'\\' if escaped(bytes, start) => match bytes.get(start) {
            Some(b'x') if hex_digits(bytes, start + 1, 2) => 3,
            Some(b'u') if hex_digits(bytes, start + 1, 4) => 5,
            Some(b'U') if hex_digits(bytes, start + 1, 8) => 9,
            Some(c) if LETTERS.contains(c) => 1,
            _ => 0,
        },
        _ => 0,
    }
}

/// Whether an escape ends right before `start` (its `\` or `%` begins the run of key
/// characters `start` is in): `\nwandb_v1_…` at the `w`.
pub fn after_escape(bytes: &[u8], start: usize) -> bool {
    escape_before(bytes, start).is_some()
}

/// The escape that ends right before `start`: its whole length (with its `\` or `%`) and the
/// byte it stands for, as far as context judging needs it: a printable ASCII character as
/// itself (`%3D` is `=`, `\u0022` is `"`), anything else (`\n`, `\t`, `%0A`, a non-ASCII
/// code) as a space.
pub fn escape_before(bytes: &[u8], start: usize) -> Option<(usize, u8)> {
    // The longest escape tail is 9 bytes; its `\` or `%` sits right before it.
    let n = (1..=9).find(|n| {
        start
            .checked_sub(*n)
            .is_some_and(|s| escape_len(bytes, s) == *n)
    })?;
    let tail = bytes.get(start - n..start)?;
    let code = match tail {
        [_] => None,
        [b'x' | b'u' | b'U', digits @ ..] | digits => std::str::from_utf8(digits)
            .ok()
            .and_then(|d| u32::from_str_radix(d, 16).ok()),
    };
    let byte = match code.and_then(|c| u8::try_from(c).ok()) {
        Some(c) if c.is_ascii_graphic() => c,
        _ => b' ',
    };
    Some((n + 1, byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_tails() {
        let at = |t: &str| escape_len(t.as_bytes(), 1);
        assert_eq!(at(r"\nabc"), 1);
        assert_eq!(at(r"\tabc"), 1);
        assert_eq!(at(r"\x3dabc"), 3);
        assert_eq!(at(r"\u003Dabc"), 5);
        assert_eq!(at(r"\U0000003dabc"), 9);
        assert_eq!(at("%3Dabc"), 2);
        assert_eq!(at("%0aabc"), 2);
        assert_eq!(at(r"\qabc"), 0, "not an escape letter");
        assert_eq!(at(r"\xzz"), 0, "`\\x` needs two hex digits");
        assert_eq!(at("%zzabc"), 0);
        assert_eq!(at("xnabc"), 0);
        // `\\n`: an escaped backslash, then a plain `n`.
        assert_eq!(escape_len(br"\\nabc", 2), 0);
        assert_eq!(escape_len(br"\\\nabc", 3), 1);
        assert_eq!(escape_len(b"", 0), 0);
        assert_eq!(escape_len(b"%", 1), 0);
    }

    #[test]
    fn after_an_escape() {
        let t = br"log\nwandb url%3Dwandb \x3dwandb \u003dwandb plainwandb \\nwandb";
        let at = |word: &str, nth: usize| {
            let s = String::from_utf8_lossy(t);
            let i = s.match_indices(word).nth(nth).map(|m| m.0).expect("word");
            after_escape(t, i)
        };
        assert!(at("wandb", 0));
        assert!(at("wandb", 1));
        assert!(at("wandb", 2));
        assert!(at("wandb", 3));
        assert!(!at("wandb", 4));
        assert!(!at("wandb", 5));
        assert!(!after_escape(t, 0));
    }

    #[test]
    fn what_an_escape_stands_for() {
        let before = |t: &[u8]| escape_before(t, t.len());
        assert_eq!(before(br"key\n"), Some((2, b' ')));
        assert_eq!(before(b"key%3D"), Some((3, b'=')));
        assert_eq!(before(b"key%0a"), Some((3, b' ')));
        assert_eq!(before(br"key\x3a"), Some((4, b':')));
        assert_eq!(before(br"key\u0022"), Some((6, b'"')));
        assert_eq!(before(br"key\u00e9"), Some((6, b' ')));
        assert_eq!(before(br"key\U0001F600"), Some((10, b' ')));
        assert_eq!(before(b"key="), None);
        assert_eq!(before(br"key\\n"), None);
    }
}
