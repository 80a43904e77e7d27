//! The YAML layer: span-aware loading, and the limits every load enforces.
//!
//! Rule files load through saphyr's typed tree ([`load`]); the registry and the configuration
//! readers use the lean tree of [`tree`]. saphyr reports positions in *characters*; everything
//! else in this crate (miette labels, findings) works in *bytes*, so this module converts
//! once, here. Both loaders take their [`Limits`] as a value: nothing here is process-global.
//! This module imports nothing from the rest of the crate.

#[path = "../../vendor/saphyr-parser/src/lib.rs"]
#[allow(
    missing_docs,
    dead_code,
    unused,
    unexpected_cfgs,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
// saphyr-parser 0.3.4 with the `libyaml_indentation` option, compiled as a module of this crate
// rather than patched in as a path crate: a published crate can depend on registry crates only
// (vendor/saphyr-parser/VENDORED.md). Its own lints are its authors' business.
pub(crate) mod parser;
pub mod tree;

use std::borrow::Cow;

use saphyr::{MarkedYamlOwned, ScalarOwned, YamlDataOwned, YamlLoader};

/// Nodes that alias expansion may produce in one file, by default (`max-yaml-aliases`).
pub const ALIAS_BUDGET: usize = 100_000;
/// How deeply collections may nest, by default (`max-yaml-depth`).
pub const MAX_DEPTH: usize = 256;

/// What a YAML load refuses: alias expansion past `aliases` nodes (an alias bomb) and
/// collections nested deeper than `depth` (saphyr's loader recurses once per level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Nodes alias expansion may produce in one file.
    pub aliases: usize,
    /// How deeply collections may nest; at least 1.
    pub depth: usize,
}

impl Limits {
    /// The limits `max-yaml-aliases` and `max-yaml-depth` of the configuration name; a depth
    /// of 0 counts as 1.
    pub fn new(aliases: usize, depth: usize) -> Self {
        Self {
            aliases,
            depth: depth.max(1),
        }
    }
}

impl Default for Limits {
    /// [`ALIAS_BUDGET`] and [`MAX_DEPTH`].
    fn default() -> Self {
        Self::new(ALIAS_BUDGET, MAX_DEPTH)
    }
}

/// A byte range in the source text, `start..end`.
pub type ByteSpan = std::ops::Range<usize>;

/// Maps saphyr's character indices to byte offsets of one source text.
pub struct CharIndex<'a> {
    text: &'a str,
    /// Byte offset of every character, only built when the text is not pure ASCII.
    offsets: Option<Vec<usize>>,
}

impl<'a> CharIndex<'a> {
    /// Builds the index for `text`; for ASCII text no table is allocated.
    pub fn new(text: &'a str) -> Self {
        let offsets = if text.is_ascii() {
            None
        } else {
            Some(text.char_indices().map(|(b, _)| b).collect())
        };
        Self { text, offsets }
    }

    /// The byte offset of character `idx`; an index past the end maps to the text's length.
    pub fn byte(&self, idx: usize) -> usize {
        match &self.offsets {
            None => idx.min(self.text.len()),
            Some(o) => o.get(idx).copied().unwrap_or(self.text.len()),
        }
    }

    /// The text of a byte span (empty if out of range).
    pub fn slice(&self, span: &ByteSpan) -> &'a str {
        self.text.get(span.clone()).unwrap_or("")
    }

    /// The byte span of a node (its start to its end marker).
    pub fn span(&self, node: &MarkedYamlOwned) -> ByteSpan {
        let start = self.byte(node.span.start.index());
        let end = self.byte(node.span.end.index()).max(start);
        start..end
    }
}

/// Why a YAML text could not be loaded at all.
#[derive(Debug, Clone)]
pub struct YamlSyntaxError {
    /// What the parser said.
    pub message: String,
    /// Where, in bytes.
    pub offset: usize,
}

/// Loads every document of `text` with positions under the default [`Limits`] (the rule-file
/// loader's entry: it is given no configuration). An empty text gives no documents.
pub fn load(text: &str) -> Result<Vec<MarkedYamlOwned>, YamlSyntaxError> {
    load_with(text, &Limits::default())
}

/// Loads every document of `text` with positions, refusing what `limits` refuses. An empty
/// text gives no documents.
pub fn load_with(text: &str, limits: &Limits) -> Result<Vec<MarkedYamlOwned>, YamlSyntaxError> {
    // saphyr's loader recurses once per nesting level: refuse deep input before it does, and
    // alias bombs (the owned tree expands every alias) with the same tree loader's checks.
    tree::load(text, limits)?;
    // `load_from_str` feeds the parser through a buffered `chars()` iterator; the parser's
    // own `&str` input is several times faster on the CI files we read by the thousand.
    let mut parser = parser::Parser::new_from_str(text).libyaml_indentation(true);
    let mut loader = Loader(YamlLoader::default());
    let syntax = |info: &str, index: usize| YamlSyntaxError {
        message: info.to_string(),
        offset: CharIndex::new(text).byte(index),
    };
    parser
        .load(&mut loader, true)
        .map_err(|e| syntax(e.info(), e.marker().index()))?;
    if let Some(e) = loader.0.error() {
        return Err(syntax(e.info(), e.marker().index()));
    }
    Ok(loader.0.into_documents())
}

/// saphyr's tree loader fed by the vendored parser: the events are the same, only their types
/// come from the other copy of the parser, so each is moved across as is.
struct Loader<'input>(YamlLoader<'input, MarkedYamlOwned>);

impl<'input> parser::SpannedEventReceiver<'input> for Loader<'input> {
    fn on_event(&mut self, ev: parser::Event<'input>, span: parser::Span) {
        use parser::Event as E;
        use saphyr_parser::Event as U;
        let tag = |t: Option<Cow<'input, parser::Tag>>| {
            t.map(|t| {
                let t = t.into_owned();
                Cow::Owned(saphyr::Tag {
                    handle: t.handle,
                    suffix: t.suffix,
                })
            })
        };
        let ev = match ev {
            E::Nothing => U::Nothing,
            E::StreamStart => U::StreamStart,
            E::StreamEnd => U::StreamEnd,
            E::DocumentStart(explicit) => U::DocumentStart(explicit),
            E::DocumentEnd => U::DocumentEnd,
            E::Alias(id) => U::Alias(id),
            E::Scalar(value, style, anchor, t) => {
                U::Scalar(value, scalar_style(style), anchor, tag(t))
            }
            E::SequenceStart(anchor, t) => U::SequenceStart(anchor, tag(t)),
            E::SequenceEnd => U::SequenceEnd,
            E::MappingStart(anchor, t) => U::MappingStart(anchor, tag(t)),
            E::MappingEnd => U::MappingEnd,
        };
        let marker = |m: parser::Marker| saphyr::Marker::new(m.index(), m.line(), m.col());
        let span = saphyr_parser::Span::new(marker(span.start), marker(span.end));
        saphyr_parser::SpannedEventReceiver::on_event(&mut self.0, ev, span);
    }
}

/// The vendored parser's scalar style as saphyr's.
fn scalar_style(style: parser::ScalarStyle) -> saphyr::ScalarStyle {
    use parser::ScalarStyle as S;
    match style {
        S::Plain => saphyr::ScalarStyle::Plain,
        S::SingleQuoted => saphyr::ScalarStyle::SingleQuoted,
        S::DoubleQuoted => saphyr::ScalarStyle::DoubleQuoted,
        S::Literal => saphyr::ScalarStyle::Literal,
        S::Folded => saphyr::ScalarStyle::Folded,
    }
}

/// The node's value as a string if it is a scalar string (or a plain scalar that reads as one).
pub fn as_str(node: &MarkedYamlOwned) -> Option<&str> {
    match &node.data {
        YamlDataOwned::Value(ScalarOwned::String(s)) => Some(s.as_str()),
        YamlDataOwned::Representation(s, _, _) => Some(s.as_str()),
        _ => None,
    }
}

/// A short name of the node's type for messages ("a mapping", "a string", ...).
pub fn type_name(node: &MarkedYamlOwned) -> &'static str {
    match &node.data {
        YamlDataOwned::Value(ScalarOwned::String(_)) | YamlDataOwned::Representation(..) => {
            "a string"
        }
        YamlDataOwned::Value(ScalarOwned::Null) => "null",
        YamlDataOwned::Value(ScalarOwned::Boolean(_)) => "a boolean",
        YamlDataOwned::Value(ScalarOwned::Integer(_)) => "an integer",
        YamlDataOwned::Value(ScalarOwned::FloatingPoint(_)) => "a number",
        YamlDataOwned::Sequence(_) => "a list",
        YamlDataOwned::Mapping(_) => "a mapping",
        YamlDataOwned::Tagged(..) => "a tagged value",
        YamlDataOwned::Alias(_) => "an alias",
        YamlDataOwned::BadValue => "an invalid value",
    }
}

/// The entries of a mapping node in document order, or `None` if it is not a mapping.
pub fn entries(node: &MarkedYamlOwned) -> Option<Vec<(&MarkedYamlOwned, &MarkedYamlOwned)>> {
    match &node.data {
        YamlDataOwned::Mapping(m) => Some(m.iter().collect()),
        _ => None,
    }
}

/// The items of a sequence node, or `None` if it is not a sequence.
pub fn items(node: &MarkedYamlOwned) -> Option<&[MarkedYamlOwned]> {
    match &node.data {
        YamlDataOwned::Sequence(s) => Some(s.as_slice()),
        _ => None,
    }
}

/// A scalar node's text whatever its type (`true`, `3`, `x`), or `None` for collections.
pub fn scalar_text(node: &MarkedYamlOwned) -> Option<String> {
    match &node.data {
        YamlDataOwned::Value(ScalarOwned::String(s)) => Some(s.clone()),
        YamlDataOwned::Representation(s, _, _) => Some(s.clone()),
        YamlDataOwned::Value(ScalarOwned::Boolean(b)) => Some(b.to_string()),
        YamlDataOwned::Value(ScalarOwned::Integer(i)) => Some(i.to_string()),
        YamlDataOwned::Value(ScalarOwned::FloatingPoint(f)) => Some(f.to_string()),
        YamlDataOwned::Value(ScalarOwned::Null) => Some(String::new()),
        YamlDataOwned::Tagged(_, inner) => scalar_text(inner),
        _ => None,
    }
}

/// Every `.yaml`/`.yml` file under `fixtures/` with its text, for tests that hold a reader
/// to the whole collection of real and crafted YAML.
#[cfg(test)]
pub(crate) fn fixture_yaml() -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path, text));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event (with its span) or error the parser gives on `text` from its `&str` input,
    /// or from the buffered character input that the published scanner loop reads (`str`
    /// finds plain scalars on bytes: `fetch_plain_scalar_run`).
    fn events(text: &str, from_str: bool) -> Vec<String> {
        let show = |e: Result<(parser::Event<'_>, parser::Span), parser::ScanError>| match e {
            Ok((ev, span)) => format!("{ev:?} {:?}-{:?}", span.start, span.end),
            Err(e) => format!("error {e:?}"),
        };
        if from_str {
            let p = parser::Parser::new_from_str(text).libyaml_indentation(true);
            p.take(100_000).map(show).collect()
        } else {
            let input = parser::BufferedInput::new(text.chars());
            let p = parser::Parser::new(input).libyaml_indentation(true);
            p.take(100_000).map(show).collect()
        }
    }

    #[test]
    fn plain_scalars_read_from_bytes_as_from_characters() {
        let crafted = [
            "a: b:c d: e\n",
            "k: v:\nx: 'q'\n",
            "k: [a:b, c: d, e:, f]\n",
            "{a: b,c:d, url: http://x:8080/p}\n",
            "k: caf\u{e9} na\u{ef}ve \u{1F600}:x\n",
            "k: a\u{FEFF}b\n",
            "k: tail:",
            "k: a#b c # comment\n",
            "- a\tb\n- c\r\n- d\0e\n",
            "k: first\n  second:third\n  fourth\n",
            "[a]b, c]\n",
            "k: {x: [1, 2:3], y: z}\n",
        ];
        let mut compared = 0;
        for text in crafted {
            assert_eq!(events(text, true), events(text, false), "{text:?}");
            compared += 1;
        }
        for (path, text) in fixture_yaml() {
            assert_eq!(events(&text, true), events(&text, false), "{path:?}");
            compared += 1;
        }
        assert!(compared > 800, "{compared} texts compared");
    }

    #[test]
    fn spans_are_bytes_on_non_ascii_lines() {
        let text = "a: é\nb: café\n";
        let docs = load(text).expect("valid yaml");
        let doc = docs.first().expect("one document");
        let idx = CharIndex::new(text);
        let e = entries(doc).expect("mapping");
        let (_, v) = e.get(1).expect("second entry");
        let span = idx.span(v);
        assert_eq!(&text[span.start..span.start + 5], "café");
    }

    #[test]
    fn rule_files_read_what_libyaml_reads() {
        let text = "examples:\n  bad: [\n\"x\"\n]\n  good: \"a\nb\"\n";
        let docs = load(text).expect("libyaml's indentation");
        let doc = docs.first().expect("one document");
        let e = entries(doc).expect("mapping");
        let (_, ex) = e.first().expect("examples");
        let ex = entries(ex).expect("a mapping");
        assert_eq!(items(ex[0].1).map(<[_]>::len), Some(1));
        assert_eq!(as_str(ex[1].1), Some("a b"));
    }

    #[test]
    fn syntax_error_has_offset() {
        let err = load("a: [1, 2\n").expect_err("unclosed flow sequence");
        assert!(err.offset <= 9);
        assert!(!err.message.is_empty());
    }
}
