//! Stretches of a script file that a plain line reader understands exactly as the parser
//! does, read without the parser.
//!
//! tree-sitter-bash costs about a microsecond per line of a long script, and most of a long
//! script is plain: commands of plain words, assignments, `export`/`local`, function headers,
//! and `if`/`for`/`while` blocks built of those. A stretch is taken only when all of these hold:
//! - it is whole lines at the top level (outside every block, quote, heredoc and
//!   continuation), from the start of the file on, or after lines that open nothing;
//! - every line in it is empty, a comment, a utility line the blanking reads
//!   ([`super::elide`]), or one of the forms below, with blocks closed inside it;
//! - every word is plain: letters, digits, `_ . / : , + % @ = -`, single-quoted text,
//!   double-quoted text without backslashes, backticks or `$(`, and `$NAME`, `$1`, `$@`,
//!   `${NAME...}` expansions without quotes, spaces, `+`, `[`, `]` or `!` inside.
//!
//! The forms: `[NAME=value ...] command words`; `NAME=value`; `export|local|declare|readonly|
//! typeset` with `NAME=value`, `NAME` and `-flags`; `name() {` / `function name {` and `}`;
//! `if|elif|while|until COND; then|do` where COND is a command as above or `[ words ]`;
//! `else`, `fi`, `done`; `for NAME in words; do`. Anything else ends the stretch. A line
//! outside every stretch is parsed; after a line that may open a block, a quote or a heredoc
//! ([`neutral`] says which do not), nothing more is taken.

use std::ops::Range;

/// A stretch of whole lines read without the parser, and what it holds, in text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Its bytes: from the start of its first line to past its last line's newline.
    pub range: Range<usize>,
    /// (row, column) of `range.start` and of `range.end`, 0-based.
    pub points: ((usize, usize), (usize, usize)),
    /// What it holds.
    pub items: Vec<Item>,
}

/// One thing a stretch holds (byte ranges in the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A simple command: its `NAME=value` prefixes, its words, and its span.
    Command {
        /// The prefix assignments.
        assigns: Vec<Range<usize>>,
        /// The words, the command's name first.
        words: Vec<Range<usize>>,
        /// From its first to its last word.
        span: Range<usize>,
    },
    /// `export A=1 B`: the keyword and the words after it.
    Declaration {
        /// The keyword first.
        words: Vec<Range<usize>>,
        /// From the keyword to the last word.
        span: Range<usize>,
    },
    /// `NAME=value` on its own.
    Assign(Range<usize>),
    /// A function's name, at its header.
    Function(String),
}

/// Words that open, close or continue a block, or are not commands to the parser.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "select", "function", "coproc", "in", "time", "{", "}", "!", "[[", "]]", "[", "]", "unset",
    "unsetenv",
];

/// Keywords of declaration commands.
const DECLARATIONS: &[&str] = &["export", "local", "declare", "readonly", "typeset"];

/// A block open at a line's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Function,
    If,
    Loop,
}

/// What one line is.
enum Line {
    /// Empty or a comment.
    Blank,
    /// Read: its items, and what it does to the open blocks.
    Read(Vec<Item>, Effect),
}

/// What a line does to the open blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    None,
    Push(Open),
    /// `elif`/`else`: inside an `if`.
    Within(Open),
    Pop(Open),
}

/// The stretches of `text` read without the parser. `blanked`: the starts of the lines the
/// blanking turned to `:` (sorted), which are read as nothing.
pub fn regions(text: &str, blanked: &[usize]) -> Vec<Region> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    // The stretch being built: its start (offset, row), items, and its last point at the top
    // level after a line that is not blank (end offset, end point, items so far).
    let mut start: Option<(usize, usize)> = None;
    let mut items: Vec<Item> = Vec::new();
    let mut done: Option<(usize, (usize, usize), usize)> = None;
    let mut pos = 0usize;
    let mut row = 0usize;
    while pos < b.len() {
        let end =
            memchr::memchr(b'\n', b.get(pos..).unwrap_or_default()).map_or(b.len(), |i| pos + i);
        let (next, next_point) = if end < b.len() {
            (end + 1, (row + 1, 0))
        } else {
            (end, (row, end - pos))
        };
        let line = text.get(pos..end).unwrap_or("");
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let read = if blanked.binary_search(&(pos + indent)).is_ok() {
            Some(Line::Read(Vec::new(), Effect::None))
        } else {
            read_line(text, pos + indent, end)
        };
        let applied = match read {
            Some(Line::Blank) => Some((Vec::new(), true)),
            Some(Line::Read(found, effect)) => apply(&mut stack, effect).then_some((found, false)),
            None => None,
        };
        match applied {
            Some((found, blank)) => {
                start.get_or_insert((pos, row));
                items.extend(found);
                if stack.is_empty() && !blank {
                    done = Some((next, next_point, items.len()));
                }
            }
            None => {
                close(&mut out, start.take(), done.take(), &mut items);
                if !stack.is_empty() || !neutral(b, pos + indent, end) {
                    return out;
                }
            }
        }
        pos = next;
        row += 1;
    }
    close(&mut out, start, done, &mut items);
    out
}

/// Ends the stretch being built at its last point at the top level.
fn close(
    out: &mut Vec<Region>,
    start: Option<(usize, usize)>,
    done: Option<(usize, (usize, usize), usize)>,
    items: &mut Vec<Item>,
) {
    if let (Some((from, row)), Some((to, point, n))) = (start, done) {
        items.truncate(n);
        out.push(Region {
            range: from..to,
            points: ((row, 0), point),
            items: std::mem::take(items),
        });
    }
    items.clear();
}

/// Applies a line's effect on the open blocks; false when it does not fit them.
fn apply(stack: &mut Vec<Open>, effect: Effect) -> bool {
    match effect {
        Effect::None => true,
        Effect::Push(o) => {
            stack.push(o);
            true
        }
        Effect::Within(o) => stack.last() == Some(&o),
        Effect::Pop(o) => stack.pop() == Some(o),
    }
}

/// Reads the line `text[start..end]` (after its indentation): `None` when it is none of the
/// forms.
fn read_line(text: &str, start: usize, end: usize) -> Option<Line> {
    let line = text.get(start..end)?;
    if line.is_empty() || line.starts_with('#') {
        return Some(Line::Blank);
    }
    if line.contains('\r') {
        return None;
    }
    let closer = |o| Some(Line::Read(Vec::new(), Effect::Pop(o)));
    match line.trim_end_matches([' ', '\t']) {
        "}" => return closer(Open::Function),
        "fi" => return closer(Open::If),
        "done" => return closer(Open::Loop),
        "else" => return Some(Line::Read(Vec::new(), Effect::Within(Open::If))),
        _ => {}
    }
    if let Some(name) = function_header(line) {
        return Some(Line::Read(
            vec![Item::Function(name.to_string())],
            Effect::Push(Open::Function),
        ));
    }
    let toks = tokens(text.as_bytes(), start, end)?;
    let word = |r: &Range<usize>| text.get(r.clone()).unwrap_or("");
    let mut parts = toks.split(|t| t.is_none());
    let first: Vec<Range<usize>> = parts.next()?.iter().flatten().cloned().collect();
    let second: Option<Vec<Range<usize>>> =
        parts.next().map(|p| p.iter().flatten().cloned().collect());
    if parts.next().is_some() {
        return None;
    }
    let head = word(first.first()?);
    let (open, keyword) = match (head, second.as_deref()) {
        (_, None) => return statement(text, &first).map(|i| Line::Read(vec![i], Effect::None)),
        ("if", Some([k])) if word(k) == "then" => (Effect::Push(Open::If), true),
        ("elif", Some([k])) if word(k) == "then" => (Effect::Within(Open::If), true),
        ("while" | "until", Some([k])) if word(k) == "do" => (Effect::Push(Open::Loop), true),
        ("for", Some([k])) if word(k) == "do" => (Effect::Push(Open::Loop), false),
        _ => return None,
    };
    let cond = first.get(1..)?;
    if !keyword {
        // `for NAME in words`: nothing in it is a command or an assignment.
        let name = cond.first().map(word)?;
        let plain = name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        return (plain && cond.get(1).map(word) == Some("in"))
            .then(|| Line::Read(Vec::new(), open));
    }
    let items = match cond.first().map(word)? {
        // A test expression: no command to the parser.
        "[" => {
            let last = cond.last().map(word)?;
            let inner_plain = cond
                .get(1..cond.len() - 1)?
                .iter()
                .all(|r| !matches!(word(r), "[" | "]") && !has_glob(word(r)));
            if last != "]" || !inner_plain {
                return None;
            }
            Vec::new()
        }
        _ => vec![command(text, cond)?],
    };
    Some(Line::Read(items, open))
}

/// `name() {`, `name () {`, `function name {`, `function name() {`: the name.
fn function_header(line: &str) -> Option<&str> {
    let rest = line.trim_end_matches([' ', '\t']).strip_suffix('{')?;
    let rest = rest.trim_end_matches([' ', '\t']);
    let (rest, parens) = match rest.strip_suffix("()") {
        Some(r) => (r.trim_end_matches([' ', '\t']), true),
        None => (rest, false),
    };
    let (name, keyword) = match rest.strip_prefix("function ") {
        Some(n) => (n.trim_start_matches([' ', '\t']), true),
        None => (rest, false),
    };
    let ok = (parens || keyword)
        && name
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && !RESERVED.contains(&name)
        && !DECLARATIONS.contains(&name);
    ok.then_some(name)
}

/// One statement of words: a declaration, an assignment on its own, or a command.
fn statement(text: &str, words: &[Range<usize>]) -> Option<Item> {
    let word = |r: &Range<usize>| text.get(r.clone()).unwrap_or("");
    let head = word(words.first()?);
    if words.iter().any(|r| has_glob(word(r))) {
        return None;
    }
    if DECLARATIONS.contains(&head) {
        let ok = words.iter().skip(1).all(|r| {
            let w = word(r);
            assignment(w)
                || (w.starts_with('-')
                    && w.len() > 1
                    && w.bytes().skip(1).all(|c| c.is_ascii_alphabetic()))
                || is_name(w)
        });
        return ok.then(|| Item::Declaration {
            words: words.to_vec(),
            span: span(words),
        });
    }
    if words.len() == 1 && assignment(head) {
        return Some(Item::Assign(words.first()?.clone()));
    }
    command(text, words)
}

/// A simple command: `NAME=value` prefixes, then a command name that is a plain word.
fn command(text: &str, words: &[Range<usize>]) -> Option<Item> {
    let word = |r: &Range<usize>| text.get(r.clone()).unwrap_or("");
    let n = words.iter().take_while(|r| assignment(word(r))).count();
    let name = word(words.get(n)?);
    let plain_name = name
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/' | b':'));
    if !plain_name || name.is_empty() || RESERVED.contains(&name) || DECLARATIONS.contains(&name) {
        return None;
    }
    if words
        .iter()
        .any(|r| has_glob(word(r)) || matches!(word(r), "[" | "]"))
    {
        return None;
    }
    Some(Item::Command {
        assigns: words.get(..n)?.to_vec(),
        words: words.get(n..)?.to_vec(),
        span: span(words),
    })
}

fn span(words: &[Range<usize>]) -> Range<usize> {
    let start = words.first().map_or(0, |r| r.start);
    let end = words.last().map_or(start, |r| r.end);
    start..end
}

/// `NAME=value` with a value.
fn assignment(w: &str) -> bool {
    w.split_once('=')
        .is_some_and(|(name, value)| is_name(name) && !value.is_empty())
}

fn is_name(w: &str) -> bool {
    w.bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && w.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn has_glob(w: &str) -> bool {
    w.contains(['*', '?'])
}

/// The words of `b[start..end]`, `None` standing for each `;`; `None` when anything is not
/// plain (see the module's documentation). A trailing comment is refused too: the parser
/// may make it part of the command.
fn tokens(b: &[u8], start: usize, end: usize) -> Option<Vec<Option<Range<usize>>>> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        let c = *b.get(i)?;
        match c {
            b' ' | b'\t' => i += 1,
            b';' => {
                if b.get(i + 1) == Some(&b';') {
                    return None;
                }
                out.push(None);
                i += 1;
            }
            _ => {
                let w_end = word_end(b, i, end)?;
                out.push(Some(i..w_end));
                i = w_end;
            }
        }
    }
    Some(out)
}

/// Where the plain word starting at `i` ends, or `None`.
fn word_end(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let at = |k: usize| b.get(k).copied().filter(|_| k < end);
    // `[` and `]` only as words of their own (a test expression's brackets).
    if matches!(at(i), Some(b'[' | b']')) {
        return matches!(at(i + 1), None | Some(b' ' | b'\t' | b';')).then_some(i + 1);
    }
    let mut k = i;
    // tree-sitter-bash splits `a=$C/$B/` into an assignment and a command `B/`: a word with
    // two expansions outside quotes is left to it.
    let mut unquoted = 0;
    while let Some(c) = at(k) {
        match c {
            b' ' | b'\t' | b';' => break,
            b'\'' => {
                k += 1;
                while at(k)? != b'\'' {
                    k += 1;
                }
                k += 1;
            }
            b'"' => {
                k += 1;
                loop {
                    match at(k)? {
                        b'"' => break,
                        b'\\' | b'`' => return None,
                        b'$' => k = dollar(b, k, end)?,
                        _ => k += 1,
                    }
                }
                k += 1;
            }
            b'$' => {
                unquoted += 1;
                if unquoted > 1 {
                    return None;
                }
                k = dollar(b, k, end)?;
            }
            b'*' | b'?' => k += 1,
            c if c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b'_' | b'.' | b'/' | b':' | b',' | b'+' | b'%' | b'@' | b'=' | b'-'
                ) =>
            {
                k += 1
            }
            _ => return None,
        }
    }
    (k > i).then_some(k)
}

/// Where the expansion at `i` (a `$`) ends: `$NAME`, `$1`, `$@` and the like, or `${...}`
/// of plain characters; `None` for anything else.
fn dollar(b: &[u8], i: usize, end: usize) -> Option<usize> {
    let at = |k: usize| b.get(k).copied().filter(|_| k < end);
    match at(i + 1)? {
        c if c.is_ascii_alphabetic() || c == b'_' => {
            let mut k = i + 1;
            while at(k).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
                k += 1;
            }
            Some(k)
        }
        c if c.is_ascii_digit() || matches!(c, b'@' | b'#' | b'?' | b'$') => Some(i + 2),
        b'{' => {
            let mut k = i + 2;
            // `${!x}` (indirection), `${a[@]}` (arrays), `${x:+...}` (alternatives) and
            // anything quoted or nested are left to the parser.
            if !at(k).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'#') {
                return None;
            }
            loop {
                match at(k)? {
                    b'}' => return Some(k + 1),
                    c if c.is_ascii_alphanumeric()
                        || matches!(
                            c,
                            b'_' | b':'
                                | b'-'
                                | b'='
                                | b'?'
                                | b'.'
                                | b'/'
                                | b'%'
                                | b'#'
                                | b','
                                | b'@'
                        ) =>
                    {
                        k += 1
                    }
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// Whether the line `b[start..end]`, left to the parser, surely opens and closes nothing: it
/// ends outside every quote and substitution and without a continuation, holds no heredoc,
/// no `(`, `)`, `{`, `}` outside quotes and substitutions, no `case`, no pipeline of three
/// commands, and no command starts with a word that opens or closes a block.
pub fn neutral(b: &[u8], start: usize, end: usize) -> bool {
    let mut lexer = Neutral {
        b,
        end,
        stack: Vec::new(),
        pipes: 0,
        command_start: true,
        word_start: true,
    };
    let mut i = start;
    while i < end {
        match lexer.step(i) {
            Some(next) => i = next,
            None => return false,
        }
    }
    lexer.stack.is_empty()
}

/// What [`neutral`]'s lexer is inside of.
#[derive(PartialEq)]
enum Ctx {
    Single,
    Double,
    Paren,
    Brace,
    Back,
}

/// [`neutral`]'s lexer.
struct Neutral<'b> {
    b: &'b [u8],
    end: usize,
    stack: Vec<Ctx>,
    /// `|` seen at the top level: tree-sitter-bash glues the lines after a pipeline of three
    /// commands into its last command when a later pipeline goes on past a backslash, so such
    /// a line ends the reading (the parser then sees what follows as in the whole file).
    pipes: usize,
    command_start: bool,
    word_start: bool,
}

impl Neutral<'_> {
    fn at(&self, k: usize) -> Option<u8> {
        self.b.get(k).copied().filter(|_| k < self.end)
    }

    /// One step from `i`: where the lexer goes on, or `None` when the line is not neutral
    /// (the end of the line for a comment).
    fn step(&mut self, i: usize) -> Option<usize> {
        let c = self.at(i)?;
        if let Some(next) = self.quoted(i, c) {
            return next;
        }
        let top = self.stack.is_empty();
        if matches!(c, b' ' | b'\t') {
            self.word_start = true;
            return Some(i + 1);
        }
        if c == b'#' && self.word_start {
            // At the top level the rest of the line is a comment.
            return top.then_some(self.end);
        }
        if self.word_start && !self.word_ok(i, top) {
            return None;
        }
        self.word_start = false;
        let mut i = i;
        match c {
            b'\\' => {
                // A continuation at the line's end.
                self.at(i + 1)?;
                i += 1;
            }
            b'\'' => self.stack.push(Ctx::Single),
            b'"' => self.stack.push(Ctx::Double),
            b'`' => self.stack.push(Ctx::Back),
            b'$' => match self.at(i + 1) {
                Some(b'(') => {
                    self.open(Ctx::Paren);
                    i += 1;
                }
                Some(b'{') => {
                    self.stack.push(Ctx::Brace);
                    i += 1;
                }
                Some(b'\'' | b'"') => return None,
                _ => {}
            },
            b'(' if !top => self.open(Ctx::Paren),
            b')' if self.stack.last() == Some(&Ctx::Paren) => {
                self.stack.pop();
                self.word_start = true;
            }
            b'(' | b')' | b'{' | b'}' => return None,
            b'<' if self.at(i + 1) == Some(b'<') => return None,
            b';' if self.at(i + 1) == Some(b';') => return None,
            b'|' if top && self.at(i + 1) != Some(b'|') => {
                self.pipes += 1;
                if self.pipes > 1 {
                    return None;
                }
                self.open_command();
            }
            b'|' if top => {
                i += 1;
                self.open_command();
            }
            b';' | b'&' | b'|' => self.open_command(),
            _ => {}
        }
        Some(i + 1)
    }

    fn open(&mut self, ctx: Ctx) {
        self.stack.push(ctx);
        self.open_command();
    }

    fn open_command(&mut self) {
        self.command_start = true;
        self.word_start = true;
    }

    /// Whether the word starting at `i` leaves the line neutral (not `case`, not a word that
    /// opens or closes a block where a command starts).
    fn word_ok(&mut self, i: usize, top: bool) -> bool {
        let w_end = (i..self.end)
            .find(|&k| {
                !self.at(k).is_some_and(|x| {
                    x.is_ascii_alphanumeric()
                        || matches!(x, b'_' | b'[' | b']' | b'{' | b'}' | b'!')
                })
            })
            .unwrap_or(self.end);
        let w = std::str::from_utf8(self.b.get(i..w_end).unwrap_or_default()).unwrap_or("");
        let opens = top
            && self.command_start
            && RESERVED.contains(&w)
            && !matches!(w, "[" | "[[" | "time" | "!" | "unset" | "unsetenv");
        if w == "case" || opens {
            return false;
        }
        if self.at(w_end) != Some(b'=') {
            self.command_start = false;
        }
        true
    }

    /// The byte `c` at `i` inside a quote, a backtick or at the `}` of `${ }`: where the lexer
    /// goes on (`Some(None)`: not neutral), or `None` at the top level and inside `$( )`.
    fn quoted(&mut self, i: usize, c: u8) -> Option<Option<usize>> {
        let next = match self.stack.last()? {
            Ctx::Single => {
                if c == b'\'' {
                    self.stack.pop();
                }
                i + 1
            }
            Ctx::Double => match c {
                b'\\' => i + 2,
                b'"' => {
                    self.stack.pop();
                    i + 1
                }
                b'`' => {
                    self.stack.push(Ctx::Back);
                    i + 1
                }
                b'$' if matches!(self.at(i + 1), Some(b'(' | b'{')) => {
                    let inner = if self.at(i + 1) == Some(b'(') {
                        Ctx::Paren
                    } else {
                        Ctx::Brace
                    };
                    self.stack.push(inner);
                    i + 2
                }
                _ => i + 1,
            },
            Ctx::Back => match c {
                b'\\' => i + 2,
                b'`' => {
                    self.stack.pop();
                    i + 1
                }
                b'\'' | b'"' | b'#' | b'<' | b'(' | b')' => return Some(None),
                _ => i + 1,
            },
            Ctx::Brace if c == b'}' => {
                self.stack.pop();
                i + 1
            }
            Ctx::Brace | Ctx::Paren => return None,
        };
        Some(Some(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<(String, Vec<String>)> {
        regions(text, &[])
            .into_iter()
            .map(|r| {
                let words = r
                    .items
                    .iter()
                    .map(|i| match i {
                        Item::Command { words, .. } | Item::Declaration { words, .. } => words
                            .iter()
                            .map(|w| text[w.clone()].to_string())
                            .collect::<Vec<_>>()
                            .join(" "),
                        Item::Assign(r) => format!("={}", &text[r.clone()]),
                        Item::Function(n) => format!("fn {n}"),
                    })
                    .collect();
                (text[r.range].to_string(), words)
            })
            .collect()
    }

    #[test]
    fn plain_blocks_are_read_and_the_rest_left_to_the_parser() {
        let text = "#!/bin/bash\nset -e\nexport A=\"$(vault read x)\"\nf() {\n  X=\"${Y:-z}\"\n  if [ -z \"$X\" ]; then\n    python -m a.b --c \"$@\"\n  fi\n}\nfor f in a/*.json; do\n  run \"$f\"\ndone\n";
        let got = items(text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "#!/bin/bash\nset -e\n");
        assert_eq!(got[0].1, vec!["set -e"]);
        assert!(got[1].0.starts_with("f() {\n") && got[1].0.ends_with("done\n"));
        assert_eq!(
            got[1].1,
            vec![
                "fn f",
                "=X=\"${Y:-z}\"",
                "python -m a.b --c \"$@\"",
                "run \"$f\""
            ]
        );
    }

    #[test]
    fn an_unknown_line_inside_a_block_stops_the_reading() {
        let text = "a=1\nf() {\n  echo x | sort\n}\nb=2\n";
        let got = items(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "a=1\n");
        // A line that may open a block stops it for the rest of the file.
        let text = "a=1\ncase $x in\n  y) b=2 ;;\nesac\nc=3\n";
        assert_eq!(items(text).len(), 1);
        // A line that opens nothing does not.
        let text = "a=1\necho \"$(date)\" | tee log\nc=3\n";
        let got = items(text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0, "c=3\n");
    }

    #[test]
    fn unplain_words_are_left_to_the_parser() {
        for line in [
            "echo \"a\\\"b\"",
            "echo `date`",
            "echo $(date)",
            "cmd > out",
            "a && b",
            "x=(1 2)",
            "echo ${a[@]}",
            "echo ${x:+-e X}",
            "echo ~/x",
            "echo a # note",
            "A= cmd",
            "A=1 B=2",
            "ls *.txt",
            "f() { echo; }",
            "then",
            "export $X",
            "echo ok\r",
            "a=$C/$B/",
        ] {
            assert!(items(&format!("{line}\n")).is_empty(), "{line}");
        }
    }

    #[test]
    fn neutral_lines() {
        let yes = [
            "echo \"$(a | b)\" | c",
            "X=$(cmd) y",
            "a && b || c &",
            "a | b || c",
            "[ -f x ] && . ./x",
            "echo '(' \"{\" # ( {",
        ];
        let no = [
            "if x; then",
            "case $a in",
            "f() {",
            "cat <<EOF",
            "echo \\",
            "echo \"open",
            "( cd x )",
            "{ a; }",
            "a; do",
            "x=$(case a in b) c;; esac)",
            "a | while read l; do",
            "a | b | c",
        ];
        for l in yes {
            assert!(neutral(l.as_bytes(), 0, l.len()), "{l}");
        }
        for l in no {
            assert!(!neutral(l.as_bytes(), 0, l.len()), "{l}");
        }
    }
}
