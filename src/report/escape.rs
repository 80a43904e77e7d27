//! Text made safe to leave the program: W&B keys masked and terminal control escaped. The
//! output layer ([`crate::cli::output`]) runs [`clean`] over every byte it prints or writes;
//! renderers use [`one_line`] for a single field (a path, a job name, a message), where a
//! newline would forge a line of its own.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::detect::mask::mask_output;

/// `text` made safe to leave the program: keys masked, terminal control escaped. `color`
/// lets the SGR colour sequences of a coloured run through; nothing else of ESC passes.
pub fn clean(text: &str, color: bool) -> String {
    escape_controls(&mask_output(text), color).into_owned()
}

/// `text` as one line for a terminal or a CI log: keys masked, and every control character
/// (newline included) shown as an escape, so a file or job named `x\n::error::forged` cannot
/// start a line of its own or move the cursor.
pub fn one_line(text: &str) -> String {
    let masked = crate::detect::mask::mask_output(text);
    if !masked.chars().any(char::is_control) {
        return masked.into_owned();
    }
    let mut out = String::with_capacity(masked.len() + 8);
    for c in masked.chars() {
        if c.is_control() {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Control characters shown as escapes. Newline and tab (and a CR before a newline) stay;
/// with `color`, complete SGR sequences (`ESC [ digits ; … m`) stay too.
pub fn escape_controls(text: &str, color: bool) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        if c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n') {
            out.push(c);
            continue;
        }
        if c == '\u{1b}' && color {
            if let Some(len) = sgr_len(text.get(i..).unwrap_or("")) {
                out.push_str(text.get(i..i + len).unwrap_or(""));
                for _ in 1..len {
                    chars.next();
                }
                continue;
            }
        }
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Whether `c` must not reach a terminal or a log raw.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `\x1b`, `\r`, `\u{9b}`: the escape shown for a control character.
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// The byte length of the SGR sequence at the start of `s` (`ESC [ 1;31 m`), if there is one.
fn sgr_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("\u{1b}[")?;
    let params = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (rest.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_colour_kept_only_when_asked() {
        let forged = "x\u{1b}]0;title\u{7}\u{1b}[31mred\u{1b}[0m\r\n\rend\u{9b}2J";
        let plain = escape_controls(forged, false);
        assert_eq!(
            plain,
            "x\\x1b]0;title\\x07\\x1b[31mred\\x1b[0m\r\n\\rend\\u{9b}2J"
        );
        let coloured = escape_controls(forged, true);
        assert_eq!(
            coloured,
            "x\\x1b]0;title\\x07\u{1b}[31mred\u{1b}[0m\r\n\\rend\\u{9b}2J"
        );
        assert_eq!(escape_controls("a\u{202e}b", false), "a\\u{202e}b");
        assert!(matches!(
            escape_controls("plain\n\ttext", false),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn one_line_escapes_newlines_and_masks() {
        let key = format!(
            "wandb_v1_{}_{}",
            "A1b2C3d4E5".repeat(3).get(..27).unwrap_or(""),
            "z9".repeat(25).get(..49).unwrap_or("")
        );
        let shown = one_line(&format!("x\n::error file=README.md::forged {key}"));
        assert!(shown.starts_with("x\\n::error"), "{shown}");
        assert!(!shown.contains('\n'));
        assert!(!shown.contains(&key[..30]));
        assert!(shown.contains("wandb_v1_A1b2*"), "{shown}");
    }
}
