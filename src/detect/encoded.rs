//! Keys hidden in base64: the values of a Kubernetes Secret's `data:` map (Kubernetes holds
//! them base64-encoded, so `kubectl create secret --dry-run -o yaml` writes every key that
//! way), and a `wandb_v1_` key base64-encoded anywhere: `wandb_v1_` is nine bytes, so its
//! encoding at the start of a base64 string is always `d2FuZGJfdjFf`, as self-identifying as
//! the key itself.
//!
//! Each such value is decoded and put back in place of its base64 text in a copy of the file;
//! the copy is scanned like any file (so the decoded key is judged in its real surroundings:
//! the data key's name, the Secret's name) and a hit inside a decoded value is reported at the
//! value's base64 text in the file.

use std::ops::Range;

/// `wandb_v1_` in base64 (standard and URL-safe alphabets alike).
pub const V1_BASE64: &[u8] = b"d2FuZGJfdjFf";

/// One base64 value, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The base64 text in the file.
    pub span: Range<usize>,
    /// The decoded bytes.
    pub decoded: Vec<u8>,
    /// Where it was found, for the finding's message.
    pub what: String,
}

/// Decodes base64 text (standard alphabet, padded or not, URL-safe too; whitespace inside, as
/// in a folded YAML value, is ignored). `None` when it is not base64 or decodes to nothing.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let unpadded = clean
        .strip_suffix(b"==")
        .or_else(|| clean.strip_suffix(b"="));
    let body = unpadded.unwrap_or(&clean);
    let decoded = if body.iter().any(|b| matches!(b, b'-' | b'_')) {
        data_encoding::BASE64URL_NOPAD.decode(body).ok()?
    } else {
        data_encoding::BASE64_NOPAD.decode(body).ok()?
    };
    (!decoded.is_empty()).then_some(decoded)
}

/// Whether `path` names a file that may hold a Kubernetes manifest.
fn manifest_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// The decoded `data:` values of the Kubernetes Secrets in `bytes`, cheap to rule out: only
/// manifests that say `Secret` and `data` are parsed, under `limits`.
pub fn secret_values(path: &str, bytes: &[u8], limits: &crate::yaml::Limits) -> Vec<Encoded> {
    let finder = |n: &[u8]| memchr::memmem::find(bytes, n).is_some();
    if !manifest_path(path) || !finder(b"Secret") || !finder(b"data") {
        return Vec::new();
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    crate::formats::kubernetes::secret_data(text, limits)
        .into_iter()
        .filter_map(|v| {
            let decoded = decode(v.value.as_bytes())?;
            Some(Encoded {
                span: v.span,
                decoded,
                what: format!(
                    "base64-encoded in `data.{}` of Kubernetes Secret `{}`",
                    v.key, v.secret
                ),
            })
        })
        .collect()
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Base64 strings that start with the encoding of `wandb_v1_`, decoded.
pub fn v1_anywhere(bytes: &[u8]) -> Vec<Encoded> {
    let mut out: Vec<Encoded> = Vec::new();
    for at in memchr::memmem::find_iter(bytes, V1_BASE64) {
        let glued = at
            .checked_sub(1)
            .and_then(|i| bytes.get(i))
            .is_some_and(|b| is_base64(*b));
        if glued || out.last().is_some_and(|e| e.span.end > at) {
            continue;
        }
        let mut end = at;
        while bytes.get(end).is_some_and(|b| is_base64(*b)) {
            end += 1;
        }
        let padded = end + 2;
        while end < padded && bytes.get(end) == Some(&b'=') {
            end += 1;
        }
        let Some(decoded) = bytes.get(at..end).and_then(decode) else {
            continue;
        };
        out.push(Encoded {
            span: at..end,
            decoded,
            what: "base64-encoded".to_string(),
        });
    }
    out
}

/// A copy of `bytes` with each (sorted, non-overlapping) encoded value replaced by its
/// decoded bytes, and where each decoded value stands in the copy.
pub fn substitute(bytes: &[u8], encoded: &[Encoded]) -> (Vec<u8>, Vec<Range<usize>>) {
    let mut copy = Vec::with_capacity(bytes.len());
    let mut places = Vec::with_capacity(encoded.len());
    let mut from = 0;
    for e in encoded {
        copy.extend_from_slice(bytes.get(from..e.span.start).unwrap_or(&[]));
        let start = copy.len();
        copy.extend_from_slice(&e.decoded);
        places.push(start..copy.len());
        from = e.span.end;
    }
    copy.extend_from_slice(bytes.get(from..).unwrap_or(&[]));
    (copy, places)
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: crate::yaml::Limits = crate::yaml::Limits {
        aliases: crate::yaml::ALIAS_BUDGET,
        depth: crate::yaml::MAX_DEPTH,
    };

    fn b64(s: &str) -> String {
        data_encoding::BASE64.encode(s.as_bytes())
    }

    #[test]
    fn base64_forms() {
        assert_eq!(decode(b"YWJjZA==").as_deref(), Some(&b"abcd"[..]));
        assert_eq!(decode(b"YWJjZA").as_deref(), Some(&b"abcd"[..]));
        assert_eq!(decode(b"YWJj\n  ZA==").as_deref(), Some(&b"abcd"[..]));
        assert_eq!(decode(b"-_8=").as_deref(), Some(&[0xFB, 0xFF][..]));
        assert_eq!(decode(b"not base64!"), None);
        assert_eq!(decode(b""), None);
        assert_eq!(decode(b"===="), None);
    }

    #[test]
    fn the_v1_prefix_in_base64() {
        assert_eq!(b64("wandb_v1_").as_bytes(), V1_BASE64);
        let key = "wandb_v1_abc";
        let text = format!("x: {} y: a{}", b64(key), b64(key));
        let found = v1_anywhere(text.as_bytes());
        assert_eq!(found.len(), 1, "a run glued to other base64 is not a start");
        assert_eq!(found[0].decoded, key.as_bytes());
        assert_eq!(&text[found[0].span.clone()], b64(key));
    }

    #[test]
    fn secret_values_of_yaml_and_json_manifests() {
        let json = format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {{\"name\": \"w\"}}, \"data\": {{\"k\": \"{}\"}}}}",
            b64("abc")
        );
        let found = secret_values("k8s/secret.json", json.as_bytes(), &L);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].decoded, b"abc");
        assert_eq!(&json[found[0].span.clone()], b64("abc"));
        assert_eq!(
            found[0].what,
            "base64-encoded in `data.k` of Kubernetes Secret `w`"
        );
        // Not a manifest path, no Secret, or not base64: nothing.
        assert!(secret_values("notes.txt", json.as_bytes(), &L).is_empty());
        assert!(secret_values("k8s/cm.yaml", b"kind: ConfigMap\ndata: {k: YWJj}\n", &L).is_empty());
        assert!(secret_values(
            "k8s/s.yaml",
            b"kind: Secret\ndata: {k: \"{{ .Values.k | b64enc }}\"}\n",
            &L
        )
        .is_empty());
        // A block scalar of base64 over several lines.
        let block = format!(
            "kind: Secret\ndata:\n  k: |\n    {}\n    {}\n",
            &b64("abcdef")[..4],
            &b64("abcdef")[4..]
        );
        let found = secret_values("s.yml", block.as_bytes(), &L);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].decoded, b"abcdef");
    }

    #[test]
    fn substitution_places() {
        let bytes = b"k: QUJD\nj: REVG\n";
        let enc = |span: Range<usize>, d: &[u8]| Encoded {
            span,
            decoded: d.to_vec(),
            what: String::new(),
        };
        let (copy, places) = substitute(bytes, &[enc(3..7, b"ABC"), enc(11..15, b"DEF")]);
        assert_eq!(copy, b"k: ABC\nj: DEF\n");
        assert_eq!(places, vec![3..6, 10..13]);
    }
}
