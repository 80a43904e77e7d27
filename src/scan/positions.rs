//! Byte offsets to 1-based lines and character columns ([`LineIndex`]).

use crate::finding::Location;
use crate::suppress::inline::{InlineAllow, Lines, Memo};

/// Line starts of a file, for 1-based line and character-column positions. Every lookup costs
/// a binary search and at most [`CHAR_BLOCK`] bytes of counting, whatever the line's length:
/// a file of one long line with many findings is positioned in linear total time.
pub struct LineIndex<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
    /// Characters before each [`CHAR_BLOCK`]-aligned byte offset (a checkpoint table).
    chars_before: Vec<usize>,
    /// Inline allow comments by 0-based line, read once per line.
    allows: Memo,
}

/// Bytes between two checkpoints of [`LineIndex`]'s character counts.
const CHAR_BLOCK: usize = 256;

fn is_char_start(b: u8) -> bool {
    (b & 0xC0) != 0x80
}

impl<'a> LineIndex<'a> {
    /// Indexes `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let mut chars_before = Vec::with_capacity(bytes.len() / CHAR_BLOCK + 1);
        let mut n = 0;
        for block in bytes.chunks(CHAR_BLOCK) {
            chars_before.push(n);
            n += block.iter().filter(|b| is_char_start(**b)).count();
        }
        chars_before.push(n);
        Self {
            bytes,
            starts,
            chars_before,
            allows: Memo::default(),
        }
    }

    /// Characters in `bytes[..pos]`, from the nearest checkpoint.
    fn chars_upto(&self, pos: usize) -> usize {
        let pos = pos.min(self.bytes.len());
        let block = pos / CHAR_BLOCK;
        let base = self.chars_before.get(block).copied().unwrap_or(0);
        let from = block * CHAR_BLOCK;
        base + self
            .bytes
            .get(from..pos)
            .unwrap_or(&[])
            .iter()
            .filter(|b| is_char_start(**b))
            .count()
    }

    /// 0-based line of byte `pos`.
    pub fn line0(&self, pos: usize) -> usize {
        self.starts.partition_point(|s| *s <= pos).saturating_sub(1)
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
        let start = self.starts.get(l).copied().unwrap_or(0);
        let pos = pos.min(self.bytes.len()).max(start.min(self.bytes.len()));
        let chars = self
            .chars_upto(pos)
            .saturating_sub(self.chars_upto(start.min(pos)));
        (l + 1, chars + 1)
    }

    /// The text of 0-based line `l` (without the line break).
    pub fn line_text(&self, l: usize) -> &'a [u8] {
        let start = self.starts.get(l).copied().unwrap_or(self.bytes.len());
        let end = self
            .starts
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
