//! Byte offsets to 1-based lines and character columns ([`LineIndex`]).

use std::sync::OnceLock;

use crate::finding::Location;
use crate::suppress::inline::{InlineAllow, Lines, Memo};

/// Line starts of a file, for 1-based line and character-column positions. Every lookup costs
/// a binary search and at most [`NEAR`] bytes of counting, whatever the line's length: a file
/// of one long line with many findings is positioned in linear total time. Both tables are
/// built on first use: most files indexed for their possible findings never ask.
pub struct LineIndex<'a> {
    bytes: &'a [u8],
    starts: OnceLock<Vec<usize>>,
    /// Characters before each [`CHAR_BLOCK`]-aligned byte offset (a checkpoint table), built
    /// for the first column further than [`NEAR`] bytes into its line.
    chars_before: OnceLock<Vec<usize>>,
    /// Inline allow comments by 0-based line, read once per line.
    allows: Memo,
}

/// Bytes between two checkpoints of [`LineIndex`]'s character counts.
const CHAR_BLOCK: usize = 256;

/// Columns up to this many bytes into their line are counted directly, without the
/// checkpoint table.
const NEAR: usize = 4 * CHAR_BLOCK;

fn is_char_start(b: u8) -> bool {
    (b & 0xC0) != 0x80
}

fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| is_char_start(**b)).count()
}

impl<'a> LineIndex<'a> {
    /// Indexes `bytes` (lazily: nothing is read before the first lookup).
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            starts: OnceLock::new(),
            chars_before: OnceLock::new(),
            allows: Memo::default(),
        }
    }

    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.bytes).map(|i| i + 1));
            starts
        })
    }

    fn chars_before(&self) -> &[usize] {
        self.chars_before.get_or_init(|| {
            let mut table = Vec::with_capacity(self.bytes.len() / CHAR_BLOCK + 1);
            let mut n = 0;
            for block in self.bytes.chunks(CHAR_BLOCK) {
                table.push(n);
                n += count_chars(block);
            }
            table.push(n);
            table
        })
    }

    /// Characters in `bytes[..pos]`, from the nearest checkpoint.
    fn chars_upto(&self, pos: usize) -> usize {
        let pos = pos.min(self.bytes.len());
        let block = pos / CHAR_BLOCK;
        let base = self.chars_before().get(block).copied().unwrap_or(0);
        let from = block * CHAR_BLOCK;
        base + count_chars(self.bytes.get(from..pos).unwrap_or(&[]))
    }

    /// 0-based line of byte `pos`.
    pub fn line0(&self, pos: usize) -> usize {
        self.starts()
            .partition_point(|s| *s <= pos)
            .saturating_sub(1)
    }

    /// `span` clamped to the file, and its location under the display `path`. Readers and
    /// checks compute spans; this keeps them inside the file whatever happens.
    pub fn locate(
        &self,
        path: &str,
        span: &std::ops::Range<usize>,
    ) -> (std::ops::Range<usize>, Location) {
        let end = span.end.min(self.bytes.len());
        let span = span.start.min(end)..end;
        let (line, column) = self.position(span.start);
        let (end_line, end_column) = self.position(span.end);
        let loc = Location {
            path: path.to_string(),
            line,
            column,
            end_line,
            end_column,
        };
        (span, loc)
    }

    /// 1-based (line, column in characters) of byte `pos`.
    pub fn position(&self, pos: usize) -> (usize, usize) {
        let l = self.line0(pos);
        let start = self.starts().get(l).copied().unwrap_or(0);
        let pos = pos.min(self.bytes.len()).max(start.min(self.bytes.len()));
        let start = start.min(pos);
        let chars = if pos - start <= NEAR {
            count_chars(self.bytes.get(start..pos).unwrap_or(&[]))
        } else {
            self.chars_upto(pos).saturating_sub(self.chars_upto(start))
        };
        (l + 1, chars + 1)
    }

    /// The text of 0-based line `l` (without the line break).
    pub fn line_text(&self, l: usize) -> &'a [u8] {
        let starts = self.starts();
        let start = starts.get(l).copied().unwrap_or(self.bytes.len());
        let end = starts
            .get(l + 1)
            .map_or(self.bytes.len(), |e| e.saturating_sub(1));
        self.bytes.get(start..end.max(start)).unwrap_or(&[])
    }
}

impl Lines for LineIndex<'_> {
    /// Read once per line however many findings the line holds.
    fn inline_allow(&self, l: usize) -> Option<InlineAllow> {
        self.allows.get(l, || self.line_text(l))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions near the line start (counted directly) and far into a long line (from the
    /// checkpoint table) agree with a plain count of characters.
    #[test]
    fn columns_near_and_far_agree_with_a_plain_count() {
        let text = format!("ab\n{}x\n", "é-".repeat(NEAR));
        let lines = LineIndex::new(text.as_bytes());
        for pos in (0..text.len()).filter(|p| text.is_char_boundary(*p)) {
            let start = text
                .get(..pos)
                .and_then(|t| t.rfind('\n'))
                .map_or(0, |i| i + 1);
            let line = text.get(..pos).map_or(0, |t| t.matches('\n').count()) + 1;
            let column = text.get(start..pos).map_or(0, |t| t.chars().count()) + 1;
            assert_eq!(lines.position(pos), (line, column), "at {pos}");
        }
        assert_eq!(lines.line_text(0), b"ab");
    }
}
