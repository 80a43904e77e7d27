//! Whether bash would accept a script (`bash -n`): brush-parser, a bash-compatible parser,
//! gives the verdict and bash's line and column. tree-sitter reads the script for everything
//! else (it recovers from errors and keeps byte spans on every node), but its grammar rejects
//! some valid scripts and accepts some invalid ones; brush agreed with `bash -n` on every file
//! of the real-script corpus (`fixtures/real/shell/`). The two readers and the reasons are
//! in docs/design.md.

use brush_parser::{ParseError, Parser, ParserOptions};

/// Texts above this size are not judged (a script is far smaller).
const MAX_LEN: usize = 1 << 20;
/// Bracket nesting above this depth is not judged: the parser recurses once per level.
const MAX_NESTING: usize = 200;

/// A syntax error bash would report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line (0 when the parser gave none, e.g. at the end of the input).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// The parser's words.
    pub message: String,
}

/// The syntax error in `text` as bash reads it, if any; `None` also for a text too large or
/// too deeply nested to judge here (the reading itself goes on either way).
pub fn bash_syntax_error(text: &str) -> Option<SyntaxError> {
    if text.len() > MAX_LEN || nesting(text) > MAX_NESTING {
        return None;
    }
    let options = ParserOptions {
        // `bash -n` never runs `shopt -s extglob`: `!(x)` is a syntax error there.
        enable_extended_globbing: false,
        ..ParserOptions::default()
    };
    let judged = std::panic::catch_unwind(|| {
        let mut parser = Parser::new(std::io::BufReader::new(text.as_bytes()), &options);
        parser.parse_program().err()
    });
    let error = match judged {
        Ok(e) => e?,
        Err(_) => return None,
    };
    let (line, column) = match &error {
        ParseError::ParsingNear(p) => (p.line, p.column),
        ParseError::Tokenizing {
            position: Some(p), ..
        } => (p.line, p.column),
        _ => (0, 0),
    };
    Some(SyntaxError {
        line,
        column,
        message: error.to_string(),
    })
}

/// The deepest bracket nesting of the text (`(`, `{`, `[`), counted roughly.
fn nesting(text: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_match_bash() {
        assert_eq!(
            bash_syntax_error("echo ok\nif true; then echo y; fi\n"),
            None
        );
        let e = bash_syntax_error("echo ok\nif true; then\n").expect("unterminated if");
        assert!(e.message.contains("syntax error"), "{e:?}");
        assert!(bash_syntax_error("fi\n").is_some());
        assert!(bash_syntax_error("ls !(keep).txt\n").is_some());
        // A final line continuation and a here-string after a redirect are fine for bash.
        assert_eq!(bash_syntax_error("echo a \\\n"), None);
        assert_eq!(bash_syntax_error("cat >/dev/null <<<\"$R\"\n"), None);
        // Deep nesting is left unjudged rather than risking the stack.
        assert_eq!(bash_syntax_error(&"(".repeat(100_000)), None);
    }
}
