//! Span-aware YAML loading shared by every reader of YAML we own (rule files now; registry and
//! CI formats later). saphyr reports positions in *characters*; everything else in this crate
//! (miette labels, findings) works in *bytes*, so this module converts once, here.

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};

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

/// Loads every document of `text` with positions. An empty text gives no documents.
pub fn load(text: &str) -> Result<Vec<MarkedYamlOwned>, YamlSyntaxError> {
    // `load_from_str` feeds the parser through a buffered `chars()` iterator; the parser's
    // own `&str` input is several times faster on the CI files we read by the thousand.
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    MarkedYamlOwned::load_from_parser(&mut parser).map_err(|e| {
        let idx = CharIndex::new(text);
        YamlSyntaxError {
            message: e.info().to_string(),
            offset: idx.byte(e.marker().index()),
        }
    })
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

/// How deep merge keys are followed (`<<: *a` where `a` itself merges ...).
const MERGE_DEPTH: usize = 16;

/// A mapping's entries with string keys, in document order, with YAML merge keys
/// (`<<: *anchor`, `<<: [*a, *b]`) resolved: keys written in the mapping win over merged ones,
/// earlier merged mappings over later ones. `None` if the node is not a mapping.
pub fn mapping(
    node: &MarkedYamlOwned,
) -> Option<Vec<(String, &MarkedYamlOwned, &MarkedYamlOwned)>> {
    fn collect<'n>(
        node: &'n MarkedYamlOwned,
        depth: usize,
        out: &mut Vec<(String, &'n MarkedYamlOwned, &'n MarkedYamlOwned)>,
    ) -> bool {
        let node = match &node.data {
            YamlDataOwned::Tagged(_, inner) => inner.as_ref(),
            _ => node,
        };
        let YamlDataOwned::Mapping(m) = &node.data else {
            return false;
        };
        let mut merged = Vec::new();
        for (k, v) in m.iter() {
            let Some(key) = scalar_text(k) else { continue };
            if key == "<<" && depth < MERGE_DEPTH {
                match &v.data {
                    YamlDataOwned::Sequence(items) => {
                        for item in items {
                            collect(item, depth + 1, &mut merged);
                        }
                    }
                    _ => {
                        collect(v, depth + 1, &mut merged);
                    }
                }
                continue;
            }
            if !out.iter().any(|(k2, _, _)| *k2 == key) {
                out.push((key, k, v));
            }
        }
        for (key, k, v) in merged {
            if !out.iter().any(|(k2, _, _)| *k2 == key) {
                out.push((key, k, v));
            }
        }
        true
    }
    let mut out = Vec::new();
    collect(node, 0, &mut out).then_some(out)
}

/// The value of `key` in a mapping (merge keys resolved: a key written in the mapping wins,
/// then merged mappings in order). Allocates nothing: readers call it for every field.
pub fn get<'n>(node: &'n MarkedYamlOwned, key: &str) -> Option<&'n MarkedYamlOwned> {
    fn find<'n>(node: &'n MarkedYamlOwned, key: &str, depth: usize) -> Option<&'n MarkedYamlOwned> {
        let node = match &node.data {
            YamlDataOwned::Tagged(_, inner) => inner.as_ref(),
            _ => node,
        };
        let YamlDataOwned::Mapping(m) = &node.data else {
            return None;
        };
        let key_is = |k: &MarkedYamlOwned, want: &str| match &k.data {
            YamlDataOwned::Value(ScalarOwned::String(s)) => s == want,
            YamlDataOwned::Representation(s, _, _) => s == want,
            _ => scalar_text(k).is_some_and(|s| s == want),
        };
        let mut merges = false;
        for (k, v) in m.iter() {
            if key_is(k, key) {
                return Some(v);
            }
            merges |= key_is(k, "<<");
        }
        if !merges || depth >= MERGE_DEPTH {
            return None;
        }
        for (k, v) in m.iter() {
            if !key_is(k, "<<") {
                continue;
            }
            let found = match &v.data {
                YamlDataOwned::Sequence(items) => {
                    items.iter().find_map(|i| find(i, key, depth + 1))
                }
                _ => find(v, key, depth + 1),
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    find(node, key, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn syntax_error_has_offset() {
        let err = load("a: [1, 2\n").expect_err("unclosed flow sequence");
        assert!(err.offset <= 9);
        assert!(!err.message.is_empty());
    }
}
