//! The text encodings a file may be in, decided from its byte order mark. Windows editors and
//! PowerShell (`Out-File`, `>` in Windows PowerShell 5) write UTF-16 with a byte order mark; its
//! ASCII characters are each followed or preceded by a NUL byte, so such a file looks binary and
//! its keys match no pattern. Sources hand every file to detection as UTF-8 bytes: UTF-16 is
//! decoded first, and a UTF-8 byte order mark is dropped (it is not part of the first line).
//!
//! Positions of findings in a decoded file are positions in the decoded text: line numbers are
//! the file's, columns count characters as they do for any file.

use std::borrow::Cow;

use super::is_binary;

/// A file's encoding, as its byte order mark says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (or ASCII, or anything else) without a byte order mark.
    Plain,
    /// UTF-8 with its byte order mark `EF BB BF`.
    Utf8Bom,
    /// UTF-16, little-endian, byte order mark `FF FE`.
    Utf16Le,
    /// UTF-16, big-endian, byte order mark `FE FF`.
    Utf16Be,
}

impl Encoding {
    /// The encoding of `bytes`, from its first bytes. A UTF-16 mark counts only when a NUL
    /// byte follows somewhere: every ASCII character (every character of a key) has one in
    /// UTF-16, and without any the bytes are read as they are, as they always were (`FF FE`
    /// is also how invalid UTF-8 may start).
    pub fn of(bytes: &[u8]) -> Self {
        let nul = || memchr::memchr(0, bytes).is_some();
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            Encoding::Utf8Bom
        } else if bytes.starts_with(b"\xFF\xFE") && nul() {
            Encoding::Utf16Le
        } else if bytes.starts_with(b"\xFE\xFF") && nul() {
            Encoding::Utf16Be
        } else {
            Encoding::Plain
        }
    }
}

/// The text of a file as UTF-8 bytes for detection, or `None` when the file is binary (a NUL
/// byte in the first block of the text). Text without a byte order mark is borrowed as it is;
/// a UTF-8 byte order mark is dropped; UTF-16 is decoded (an unpaired surrogate becomes
/// U+FFFD, an odd last byte is dropped). UTF-32, whose byte order mark starts like UTF-16's,
/// decodes to NUL characters and so is binary.
pub fn text(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    let text = match Encoding::of(bytes) {
        Encoding::Plain => Cow::Borrowed(bytes),
        Encoding::Utf8Bom => Cow::Borrowed(bytes.get(3..).unwrap_or(&[])),
        Encoding::Utf16Le => Cow::Owned(utf16(bytes.get(2..).unwrap_or(&[]), u16::from_le_bytes)),
        Encoding::Utf16Be => Cow::Owned(utf16(bytes.get(2..).unwrap_or(&[]), u16::from_be_bytes)),
    };
    (!is_binary(&text)).then_some(text)
}

/// [`text`] of an owned buffer, reusing it when no decoding is needed.
pub fn text_owned(mut bytes: Vec<u8>) -> Option<Vec<u8>> {
    match Encoding::of(&bytes) {
        Encoding::Plain => (!is_binary(&bytes)).then_some(bytes),
        Encoding::Utf8Bom => {
            bytes.drain(..3);
            (!is_binary(&bytes)).then_some(bytes)
        }
        Encoding::Utf16Le | Encoding::Utf16Be => text(&bytes).map(Cow::into_owned),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Vec<u8> {
    let units = bytes.chunks_exact(2).map(|c| match c {
        [a, b] => unit([*a, *b]),
        _ => 0xFFFD,
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(s: &str) -> Vec<u8> {
        let mut v = vec![0xFF, 0xFE];
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    fn be(s: &str) -> Vec<u8> {
        let mut v = vec![0xFE, 0xFF];
        v.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        v
    }

    #[test]
    fn utf16_is_decoded_both_ways() {
        let s = "WANDB_API_KEY=abc\r\nnaïve 🙂 line\n";
        for bytes in [le(s), be(s)] {
            assert!(is_binary(&bytes), "raw UTF-16 looks binary");
            assert_eq!(text(&bytes).as_deref(), Some(s.as_bytes()));
            assert_eq!(text_owned(bytes).as_deref(), Some(s.as_bytes()));
        }
        // An odd last byte and an unpaired surrogate do not stop decoding.
        let mut odd = le("ab");
        odd.push(b'c');
        assert_eq!(text(&odd).as_deref(), Some(&b"ab"[..]));
        let lone = [0xFF, 0xFE, 0x00, 0xD8, b'x', 0];
        assert_eq!(text(&lone).as_deref(), Some("\u{FFFD}x".as_bytes()));
    }

    #[test]
    fn utf8_bom_is_dropped_and_binary_stays_binary() {
        let with_bom = b"\xEF\xBB\xBFkey: value\n".to_vec();
        assert_eq!(text(&with_bom).as_deref(), Some(&b"key: value\n"[..]));
        assert_eq!(text_owned(with_bom).as_deref(), Some(&b"key: value\n"[..]));
        let plain = b"key: value\n";
        assert!(matches!(text(plain), Some(Cow::Borrowed(_))));
        assert_eq!(text(b"\x7fELF\x02\x01\x00\x00"), None);
        // UTF-32 LE starts with the UTF-16 LE mark, then decodes to NUL characters.
        let utf32: Vec<u8> = [0xFF, 0xFE, 0, 0, b'a', 0, 0, 0].to_vec();
        assert_eq!(text(&utf32), None);
        assert_eq!(text_owned(utf32), None);
        assert_eq!(text(b"").as_deref(), Some(&b""[..]));
        // A UTF-16 mark with no NUL byte after it: no ASCII text in UTF-16, so the bytes are
        // read as they are (invalid UTF-8 that happens to start with `FF FE`).
        let garbage = b"\xFF\xFE garbage \xC3\x28 WANDB_API_KEY=x\n";
        assert_eq!(Encoding::of(garbage), Encoding::Plain);
        assert_eq!(text(garbage).as_deref(), Some(&garbage[..]));
        assert_eq!(text(b"\xFE\xFF").as_deref(), Some(&b"\xFE\xFF"[..]));
    }
}
