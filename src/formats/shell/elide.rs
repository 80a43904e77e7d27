//! Lines of a script that no reading here can use, blanked before the parse.
//!
//! tree-sitter-bash reads about 1,000 machine instructions per byte, and many lines of a long
//! script are `echo`s, comments and file utilities that say nothing about W&B. A line is
//! blanked only when all of these hold:
//! - it starts and ends outside any quote, substitution, heredoc or continuation;
//! - every command on it starts with a utility of [`UTILITIES`] (never a wrapper, launcher,
//!   shell, assignment or reserved word);
//! - it has no pipe, background `&`, parenthesis, command or process substitution, input
//!   redirection, redirection to a file, array expansion or indirection;
//! - it names nothing the readings look for (`wandb`, `entity`, `login`, `netrc`,
//!   `secrets`, in any case).
//!
//! A command line becomes `:` and spaces (a command that does nothing, so that `if`/`then`
//! bodies stay valid); a comment line becomes `#` and spaces; byte offsets do not move, and the
//! parser skips the spaces (tree-sitter included ranges). The first
//! words of the blanked commands are kept ([`Elided::words`]): a reading that asks whether a
//! script runs anything but utilities still sees them. The parse of the blanked text is
//! checked ([`super::parse`]): every blanked command must come back as a `:` command among
//! statements only; otherwise the whole text is parsed as written.

use std::ops::Range;

/// Utilities whose command lines can be blanked: they start no process that could run W&B
/// code, read no script, set no variable and print nothing the readings look at.
pub const UTILITIES: &[&str] = &[
    "echo",
    "printf",
    "wc",
    "sha256sum",
    "sha1sum",
    "md5sum",
    "ls",
    "mkdir",
    "rm",
    "rmdir",
    "cp",
    "mv",
    "sleep",
    "true",
    "false",
    "test",
    "[",
    "return",
    "exit",
    "shift",
    "sort",
    "uniq",
    "head",
    "tail",
    "touch",
    "chmod",
    "chown",
    "ln",
    "wait",
    "pwd",
    "grep",
    "cat",
    "date",
    "basename",
    "dirname",
    "du",
    "df",
    "tr",
    "cut",
    "break",
    "continue",
    ":",
];

/// Texts shorter than this are parsed as written (blanking would save nothing).
const MIN_LEN: usize = 2048;

/// A text with its blankable lines blanked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elided {
    /// The text, same length as the original.
    pub text: String,
    /// The command lines now `:` (text ranges, in order).
    pub commands: Vec<Range<usize>>,
    /// The first words of the blanked commands, each once.
    pub words: Vec<String>,
    /// The blanks left after each blanked line's `:` or `#`: (start, end, row, start column,
    /// end column), 0-based. The parser skips them (they are not the shell's to read).
    pub skipped: Vec<(usize, usize, usize, usize, usize)>,
}

/// What the lexer is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Single,
    Ansi,
    Double,
    Backtick,
    Paren,
    Brace,
}

/// What one line showed the lexer.
#[derive(Debug, Default)]
struct Line {
    /// Something that forbids blanking was seen.
    bad: bool,
    /// The first word of each command on the line (unquoted words only).
    firsts: Vec<String>,
    /// Only a comment (or nothing) stands on the line.
    comment_only: bool,
}

/// The text with the lines no reading can use blanked, or `None` when it is short, nothing
/// could be blanked, or the lexer lost its way (a heredoc it cannot read).
pub fn elide(text: &str) -> Option<Elided> {
    if text.len() < MIN_LEN {
        return None;
    }
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut stack: Vec<Ctx> = Vec::new();
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    let mut pos = 0usize;
    let mut line_no = 0usize;
    let mut skipped = Vec::new();
    let mut continues = false;
    while pos < b.len() {
        let end =
            memchr::memchr(b'\n', b.get(pos..).unwrap_or_default()).map_or(b.len(), |i| pos + i);
        line_no += 1;
        // A heredoc body line: only its delimiter ends it.
        if let Some((delim, strip)) = heredocs.first() {
            let mut body = &text[pos..end];
            if *strip {
                body = body.trim_start_matches('\t');
            }
            if body.strip_suffix('\r').unwrap_or(body) == delim {
                heredocs.remove(0);
            }
            pos = end + 1;
            continue;
        }
        // A line after a backslash continuation goes on the command before it.
        let clean_start = stack.is_empty() && !continues;
        let (line, continued) = lex_line(b, pos, end, &mut stack, &mut heredocs)?;
        continues = continued;
        let clean_end = stack.is_empty() && heredocs.is_empty() && !continued;
        if clean_start && clean_end && line_no > 1 && !line.bad {
            let raw = &text[pos..end];
            if line.comment_only {
                if raw.trim_start().starts_with('#') {
                    let start = pos + (raw.len() - raw.trim_start().len());
                    blank(&mut out, start, end, false);
                    skip(&mut skipped, &out, start, end, line_no, pos);
                }
            } else if !line.firsts.is_empty()
                && line.firsts.iter().all(|w| UTILITIES.contains(&w.as_str()))
                && !names_a_needle(raw)
            {
                let start = pos + (raw.len() - raw.trim_start().len());
                blank(&mut out, start, end, true);
                commands.push(start..end);
                skip(&mut skipped, &out, start, end, line_no, pos);
                // `[ ... ]` is a test expression to the parser, not a command.
                for w in line.firsts.into_iter().filter(|w| w != "[") {
                    if !words.contains(&w) {
                        words.push(w);
                    }
                }
            }
        }
        pos = end + 1;
    }
    if commands.is_empty() {
        return None;
    }
    let text = String::from_utf8(out).ok()?;
    Some(Elided {
        skipped,
        text,
        commands,
        words,
    })
}

/// Blanks `out[start..end]` (a `\r` before the newline stays): `:` then spaces for a command
/// line, `#` then spaces for a comment (a comment stays a comment: tree-sitter-bash reads
/// some later function definitions differently when a comment before them disappears).
fn blank(out: &mut [u8], start: usize, end: usize, command: bool) {
    let end = if end > start && out.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    for (i, byte) in out.iter_mut().enumerate().take(end).skip(start) {
        *byte = match (i == start, command) {
            (true, true) => b':',
            (true, false) => b'#',
            _ => b' ',
        };
    }
}

/// Records the blanks of the line blanked at `start..end` (line `line_no`, 1-based, starting
/// at `line_start`): everything after its first byte up to the line's end (a `\r` stays).
fn skip(
    skipped: &mut Vec<(usize, usize, usize, usize, usize)>,
    out: &[u8],
    start: usize,
    end: usize,
    line_no: usize,
    line_start: usize,
) {
    let end = if end > start && out.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    if end > start + 1 {
        let row = line_no.saturating_sub(1);
        skipped.push((
            start + 1,
            end,
            row,
            start + 1 - line_start,
            end - line_start,
        ));
    }
}

/// Whether the line names something a reading looks for.
fn names_a_needle(line: &str) -> bool {
    static NEEDLES: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    NEEDLES
        .get_or_init(|| regex::Regex::new(r"(?i)wandb|entity|login|netrc|secrets|\[[@*]\]").ok())
        .as_ref()
        .is_none_or(|re| re.is_match(line))
}

/// Lexes `b[start..end]` (one line without its newline), carrying the quote and bracket
/// state across lines. Returns what the line showed and whether it ends with a backslash
/// continuation; `None` when a heredoc's delimiter cannot be read.
fn lex_line(
    b: &[u8],
    start: usize,
    end: usize,
    stack: &mut Vec<Ctx>,
    heredocs: &mut Vec<(String, bool)>,
) -> Option<(Line, bool)> {
    let mut line = Line {
        comment_only: stack.is_empty(),
        ..Line::default()
    };
    let mut st = Lexer {
        // At the start of a command's first word (top level only).
        command_start: stack.is_empty(),
        // At the start of a word (a `#` there opens a comment).
        word_start: true,
        bad: false,
        stack,
        heredocs,
    };
    let mut i = start;
    while i < end {
        let c = at(b, i);
        if let Some(next) = quoted(b, i, c, &mut st) {
            i = next;
            continue;
        }
        // Top level, or inside `$( )`, `( )` or `${ }`.
        if c == b' ' || c == b'\t' || c == b'\r' {
            st.word_start = true;
            i += 1;
            continue;
        }
        if c == b'#' && st.word_start && st.stack.last() != Some(&Ctx::Brace) {
            // A comment: the rest of the line.
            break;
        }
        line.comment_only = false;
        if st.stack.is_empty() && st.command_start && st.word_start {
            // The command's first word, up to a blank or an operator.
            let w_end = (i..end)
                .find(|&k| {
                    matches!(
                        at(b, k),
                        b' ' | b'\t' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
                    )
                })
                .unwrap_or(end);
            let word = String::from_utf8_lossy(b.get(i..w_end).unwrap_or_default()).into_owned();
            let plain = !word.is_empty()
                && word
                    .bytes()
                    .all(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'-' | b'[' | b':'));
            if !plain {
                st.bad = true;
            }
            line.firsts.push(word);
            st.command_start = false;
        }
        st.word_start = false;
        match operator(b, i, end, c, &mut st) {
            Ok(next) => i = next,
            Err(Stop::Continued) => {
                line.bad |= st.bad;
                return Some((line, true));
            }
            Err(Stop::Unreadable) => return None,
        }
    }
    line.bad |= st.bad;
    Some((line, false))
}

/// The lexer's state within a line.
struct Lexer<'s> {
    command_start: bool,
    word_start: bool,
    /// Something that forbids blanking was seen.
    bad: bool,
    stack: &'s mut Vec<Ctx>,
    heredocs: &'s mut Vec<(String, bool)>,
}

/// Why a line's lexing stopped early.
enum Stop {
    /// A backslash ends the line: the command goes on.
    Continued,
    /// A heredoc whose delimiter cannot be read.
    Unreadable,
}

/// The byte `c` at `i` read inside a quote, a backtick or at the `}` of `${ }`: where the
/// lexer goes on, or `None` at the top level (and inside `$( )`, `( )`, `${ }`).
fn quoted(b: &[u8], i: usize, c: u8, st: &mut Lexer<'_>) -> Option<usize> {
    let mut i = i;
    let stack = &mut *st.stack;
    match stack.last().copied() {
        Some(Ctx::Single) => {
            if c == b'\'' {
                stack.pop();
            }
            Some(i + 1)
        }
        Some(Ctx::Ansi) => {
            match c {
                b'\\' => i += 1,
                b'\'' => {
                    stack.pop();
                }
                _ => {}
            }
            Some(i + 1)
        }
        Some(Ctx::Double) => {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'`' => {
                    st.bad = true;
                    stack.push(Ctx::Backtick);
                }
                b'$' if b.get(i + 1) == Some(&b'(') => {
                    st.bad = true;
                    stack.push(Ctx::Paren);
                    i += 1;
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    stack.push(Ctx::Brace);
                    i += 1;
                }
                _ => {}
            }
            Some(i + 1)
        }
        Some(Ctx::Backtick) => {
            match c {
                b'\\' => i += 1,
                b'`' => {
                    stack.pop();
                }
                _ => {}
            }
            Some(i + 1)
        }
        Some(Ctx::Brace) if c == b'}' => {
            stack.pop();
            Some(i + 1)
        }
        _ => None,
    }
}

/// The byte `c` at `i`, outside quotes: where the lexer goes on.
fn operator(b: &[u8], i: usize, end: usize, c: u8, st: &mut Lexer<'_>) -> Result<usize, Stop> {
    let mut i = i;
    match c {
        b'\\' => {
            if i + 1 >= end || (i + 2 == end && at(b, i + 1) == b'\r') {
                // A backslash ending the line (before LF or CRLF) continues the command.
                return Err(Stop::Continued);
            }
            i += 1;
        }
        b'\'' => st.stack.push(Ctx::Single),
        b'"' => st.stack.push(Ctx::Double),
        b'`' => {
            st.bad = true;
            st.stack.push(Ctx::Backtick);
        }
        b'$' => match b.get(i + 1) {
            Some(b'\'') => {
                st.stack.push(Ctx::Ansi);
                i += 1;
            }
            Some(b'"') => {
                st.stack.push(Ctx::Double);
                i += 1;
            }
            Some(b'(') => {
                st.bad = true;
                st.stack.push(Ctx::Paren);
                i += 1;
            }
            Some(b'{') => {
                if b.get(i + 2) == Some(&b'!') {
                    st.bad = true;
                }
                st.stack.push(Ctx::Brace);
                i += 1;
            }
            _ => {}
        },
        b'(' => {
            st.bad = true;
            st.stack.push(Ctx::Paren);
            st.word_start = true;
            st.command_start = true;
        }
        b')' => {
            st.bad = true;
            if st.stack.last() == Some(&Ctx::Paren) {
                st.stack.pop();
            }
            st.word_start = true;
        }
        b';' => {
            if b.get(i + 1) == Some(&b';') || b.get(i + 1) == Some(&b'&') {
                st.bad = true;
            }
            st.word_start = true;
            st.command_start = true;
        }
        b'|' => {
            if b.get(i + 1) == Some(&b'|') {
                i += 1;
            } else {
                st.bad = true;
            }
            st.word_start = true;
            st.command_start = true;
        }
        b'&' => {
            if b.get(i + 1) == Some(&b'&') {
                i += 1;
                st.command_start = true;
            } else if b.get(i + 1) == Some(&b'>') {
                // `&>file`.
                st.bad = true;
            } else {
                // A command in the background.
                st.bad = true;
                st.command_start = true;
            }
            st.word_start = true;
        }
        b'<' => {
            st.bad = true;
            if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') {
                let (delim, strip, next) =
                    heredoc_delimiter(b, i + 2, end).ok_or(Stop::Unreadable)?;
                st.heredocs.push((delim, strip));
                return Ok(next);
            }
        }
        b'>' => {
            // Only `>&N`, `>/dev/null` (after an optional fd) keep the line blankable.
            let rest = b.get(i + 1..end).unwrap_or_default();
            let rest = rest.strip_prefix(b">").unwrap_or(rest);
            let rest = rest.strip_prefix(b" ").unwrap_or(rest);
            // The target word must end there (`/dev/null/../x` is another file).
            let ends = |k: usize| {
                matches!(
                    rest.get(k),
                    None | Some(b' ' | b'\t' | b'\r' | b';' | b'&' | b'|' | b')')
                )
            };
            let to_fd = rest.first() == Some(&b'&')
                && rest.get(1).is_some_and(u8::is_ascii_digit)
                && ends(2);
            let to_null = rest.starts_with(b"/dev/null") && ends(b"/dev/null".len());
            if !to_fd && !to_null {
                st.bad = true;
            }
            if to_fd {
                // Past `&N`: the `&` is no background operator.
                let skipped = b.get(i + 1..end).unwrap_or_default().len() - rest.len();
                return Ok(i + skipped + 2);
            }
        }
        _ => {}
    }
    Ok(i + 1)
}

/// The byte at `i` (0 past the end: the callers bound `i` by the line's end).
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// The delimiter of the heredoc whose `<<` ends just before `from`: (word, tabs stripped,
/// where the lexer goes on). `None` when there is no word to read.
fn heredoc_delimiter(b: &[u8], from: usize, end: usize) -> Option<(String, bool, usize)> {
    let mut i = from;
    let strip = b.get(i) == Some(&b'-');
    if strip {
        i += 1;
    }
    while i < end && matches!(at(b, i), b' ' | b'\t') {
        i += 1;
    }
    let mut word = Vec::new();
    while i < end {
        match at(b, i) {
            b' ' | b'\t' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
            q @ (b'\'' | b'"') => {
                let close = (i + 1..end).find(|&k| at(b, k) == q)?;
                word.extend_from_slice(b.get(i + 1..close).unwrap_or_default());
                i = close + 1;
            }
            b'\\' => {
                if let Some(&n) = b.get(i + 1).filter(|_| i + 1 < end) {
                    word.push(n);
                }
                i += 2;
            }
            c => {
                word.push(c);
                i += 1;
            }
        }
    }
    if word.is_empty() {
        return None;
    }
    Some((String::from_utf8(word).ok()?, strip, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(body: &str) -> String {
        let mut t = String::from("#!/bin/bash\n");
        while t.len() < MIN_LEN {
            t.push_str(body);
        }
        t
    }

    #[test]
    fn blanks_utilities_and_comments_keeps_offsets() {
        let t = long("# a comment\necho \"done with $X\"\nsha256sum \"$f\" >&2\npython train.py\n");
        let e = elide(&t).expect("something blanked");
        assert_eq!(e.text.len(), t.len());
        assert!(e.text.contains("python train.py"));
        assert!(!e.text.contains("echo"));
        assert!(!e.text.contains("a comment"));
        assert!(e.text.starts_with("#!/bin/bash\n"));
        assert_eq!(&e.text[e.commands[0].clone()].trim_end(), &":");
        assert_eq!(e.words, vec!["echo".to_string(), "sha256sum".to_string()]);
    }

    #[test]
    fn keeps_what_a_reading_can_use() {
        for line in [
            "echo $WANDB_API_KEY\n",
            "echo \"$(date)\"\n",
            "echo `date`\n",
            "cat ~/.netrc\n",
            "echo x > run.sh\n",
            "echo x | bash\n",
            "X=1 echo hi\n",
            "export X=1\n",
            "echo \"${ARGS[@]}\"\n",
            "echo ${!NAME}\n",
            "echo entity\n",
            "wandb login\n",
            "nohup echo &\n",
            "sudo echo hi\n",
            "echo hi \\\n",
        ] {
            let t = long(line);
            let kept = elide(&t).is_none_or(|e| e.text.contains(line.trim_end()));
            assert!(kept, "{line:?} was blanked");
        }
    }

    #[test]
    fn never_blanks_inside_strings_heredocs_or_substitutions() {
        for t in [
            "X=\"\necho inside\n\"\n",
            "cat > run.sh <<'EOF'\necho inside\nEOF\n",
            "cat <<-EOF\n\techo inside\n\tEOF\n",
            "Y=$(\necho inside\n)\n",
            "A=(\necho\n)\n",
            "python -c '\necho inside\n'\n",
            "echo start \\\necho inside\n",
        ] {
            let text = long(t);
            let kept = elide(&text)
                .is_none_or(|e| e.text.contains("echo inside") || !text.contains("echo inside"));
            assert!(kept, "{t:?}");
            if let Some(e) = elide(&text) {
                // Whatever was blanked lies outside the construct.
                assert!(
                    e.text.matches("echo inside").count() == text.matches("echo inside").count(),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn continuations_before_crlf_and_redirections_to_other_files_are_kept() {
        let t = long("echo \"setting up\" \\\r\nexport WANDB_ENTITY\r\n");
        assert!(elide(&t).is_none_or(|e| e.text.contains("echo \"setting up\"")));
        for line in ["echo x >/dev/null/../../a\n", "echo x >&2x\n"] {
            let t = long(line);
            assert!(
                elide(&t).is_none_or(|e| e.text.contains(line.trim_end())),
                "{line:?}"
            );
        }
        let t = long("echo x >/dev/null\necho y 2>&1\n");
        assert!(elide(&t).is_some_and(|e| !e.text.contains("echo")));
    }

    #[test]
    fn short_texts_and_unreadable_heredocs_are_left_alone() {
        assert!(elide("echo hi\n").is_none());
        assert!(elide(&long("cat <<\n")).is_none());
    }
}
