//! The inline allow comment: `wandb-sa-lint: allow S001 -- reason` on a finding's line or the
//! line above.

use std::collections::HashMap;
use std::sync::Mutex;

/// An inline allow comment: the rules it names (ids or names), and whether it gives a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineAllow {
    /// The rules named, as written.
    pub rules: Vec<String>,
    /// Whether `-- reason` follows them.
    pub has_reason: bool,
}

impl InlineAllow {
    /// Whether the comment names the rule `id` (any case) or `name`.
    pub fn names(&self, id: &str, name: &str) -> bool {
        self.rules
            .iter()
            .any(|r| r.eq_ignore_ascii_case(id) || r == name)
    }
}

crate::pattern::patterns! {
    INLINE_ALLOW: Text = r"wandb-sa-lint:\s*allow\s+([A-Za-z0-9][A-Za-z0-9_, -]*?)\s*(?:--\s*(\S.*))?$";
}

/// The inline allow comment on a line of text (without its line break), if any.
pub fn parse(line: &[u8]) -> Option<InlineAllow> {
    let text = String::from_utf8_lossy(line);
    let caps = INLINE_ALLOW.captures(text.trim_end())?;
    let rules = caps
        .get(1)?
        .as_str()
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Some(InlineAllow {
        rules,
        has_reason: caps.get(2).is_some(),
    })
}

/// A file's lines as suppression reads them: the inline allow comment on a 0-based line.
pub trait Lines {
    /// The inline allow comment on 0-based line `l`, if any.
    fn inline_allow(&self, l: usize) -> Option<InlineAllow>;
}

/// Inline allow comments by 0-based line, each line parsed once however many findings it
/// holds (a one-line file with thousands of findings is parsed once, not once per finding).
#[derive(Debug, Default)]
pub struct Memo {
    parsed: Mutex<HashMap<usize, Option<InlineAllow>>>,
}

impl Memo {
    /// The comment on line `l`, whose text `text` gives when it was not parsed yet.
    pub fn get<'t>(&self, l: usize, text: impl FnOnce() -> &'t [u8]) -> Option<InlineAllow> {
        match self.parsed.lock() {
            Ok(mut memo) => memo.entry(l).or_insert_with(|| parse(text())).clone(),
            Err(_) => parse(text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_name_rules_and_maybe_a_reason() {
        let a =
            parse(b"key = x  # wandb-sa-lint: allow S001, C002 -- test fixture").expect("allow");
        assert_eq!(a.rules, ["S001", "C002"]);
        assert!(a.has_reason);
        assert!(a.names("s001", "") && a.names("", "C002") && !a.names("S002", "x"));
        let b = parse(b"# wandb-sa-lint: allow committed-api-key").expect("allow");
        assert!(!b.has_reason);
        assert_eq!(parse(b"# nothing here"), None);
    }
}
