//! Fake keys for rule examples and tests. Rule files never hold a key: they hold placeholders
//! that expand here, deterministically, to generated fakes of the real shapes.
//!
//! Placeholders: `{{v1}}`, `{{hex40}}`, `{{prefixed:NAME}}`, `{{hex:N}}`, `{{alnum:N}}`,
//! `{{jwt}}`; a `#tag` suffix (`{{hex40#b}}`) makes a distinct value of the same shape. The
//! same placeholder text expands to the same value within one expansion.

use std::collections::HashMap;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A small deterministic generator (splitmix64); not for anything but fakes.
#[derive(Debug, Clone)]
pub struct Fakes {
    state: u64,
}

impl Fakes {
    /// A generator whose output depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick(&mut self, alphabet: &[u8], n: usize) -> String {
        let len = alphabet.len().max(1) as u64;
        (0..n)
            .map(|_| {
                let i = (self.next() % len) as usize;
                char::from(alphabet.get(i).copied().unwrap_or(b'a'))
            })
            .collect()
    }

    /// A current-shape key: `wandb_v1_` + 27 + `_` + 49 alphanumerics.
    pub fn v1(&mut self) -> String {
        format!("wandb_v1_{}_{}", self.pick(ALNUM, 27), self.pick(ALNUM, 49))
    }

    /// `n` lowercase hex characters (40 is the legacy key shape).
    pub fn hex(&mut self, n: usize) -> String {
        self.pick(HEX, n)
    }

    /// `n` alphanumerics.
    pub fn alnum(&mut self, n: usize) -> String {
        self.pick(ALNUM, n)
    }

    /// A self-managed key: `PREFIX-` + 40 hex.
    pub fn prefixed(&mut self, prefix: &str) -> String {
        format!("{prefix}-{}", self.hex(40))
    }

    /// A JWT-shaped token (header, payload, signature; not signed).
    pub fn jwt(&mut self) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{}.{}",
            self.pick(B64URL, 90),
            self.pick(B64URL, 43)
        )
    }
}

enum Placeholder {
    V1,
    Hex(usize),
    Alnum(usize),
    Prefixed(String),
    Jwt,
}

fn parse(body: &str) -> Option<Placeholder> {
    let base = body.split('#').next().unwrap_or(body);
    match base {
        "v1" => Some(Placeholder::V1),
        "hex40" => Some(Placeholder::Hex(40)),
        "jwt" => Some(Placeholder::Jwt),
        _ => {
            let (kind, arg) = base.split_once(':')?;
            match kind {
                "hex" => arg
                    .parse()
                    .ok()
                    .filter(|n| (1..=4096).contains(n))
                    .map(Placeholder::Hex),
                "alnum" => arg
                    .parse()
                    .ok()
                    .filter(|n| (1..=4096).contains(n))
                    .map(Placeholder::Alnum),
                "prefixed"
                    if !arg.is_empty()
                        && arg.len() <= 16
                        && arg
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
                {
                    Some(Placeholder::Prefixed(arg.to_string()))
                }
                _ => None,
            }
        }
    }
}

/// Every `{{...}}` in `text`, as (byte range, body).
fn placeholders(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|t| t.find("{{")) {
        let start = from + open;
        let Some(close) = text.get(start + 2..).and_then(|t| t.find("}}")) else {
            break;
        };
        let end = start + 2 + close + 2;
        let body = text.get(start + 2..end - 2).unwrap_or("").trim();
        // `${{ secrets.X }}` is GitHub Actions syntax, not a placeholder: only bodies that
        // look like ours (no spaces, no dots) are taken.
        if !body.is_empty() && !body.contains(' ') && !body.contains('.') {
            out.push((start..end, body));
        }
        from = end;
    }
    out
}

/// Fails with the first placeholder body that is not one of ours.
pub fn check_placeholders(text: &str) -> Result<(), String> {
    for (_, body) in placeholders(text) {
        if parse(body).is_none() {
            return Err(body.to_string());
        }
    }
    Ok(())
}

/// Expands every placeholder of `text` with values from `fakes`; returns the text and the
/// generated secrets (in order of first appearance).
pub fn expand(text: &str, fakes: &mut Fakes) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len() + 64);
    let mut values: HashMap<String, String> = HashMap::new();
    let mut secrets = Vec::new();
    let mut last = 0;
    for (range, body) in placeholders(text) {
        let Some(ph) = parse(body) else { continue };
        out.push_str(text.get(last..range.start).unwrap_or(""));
        let value = values
            .entry(body.to_string())
            .or_insert_with(|| {
                let v = match &ph {
                    Placeholder::V1 => fakes.v1(),
                    Placeholder::Hex(n) => fakes.hex(*n),
                    Placeholder::Alnum(n) => fakes.alnum(*n),
                    Placeholder::Prefixed(p) => fakes.prefixed(p),
                    Placeholder::Jwt => fakes.jwt(),
                };
                secrets.push(v.clone());
                v
            })
            .clone();
        out.push_str(&value);
        last = range.end;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    (out, secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_right() {
        let mut f = Fakes::new(1);
        let v1 = f.v1();
        assert_eq!(v1.len(), 86);
        assert!(v1.starts_with("wandb_v1_"));
        assert_eq!(v1.as_bytes().get(36), Some(&b'_'));
        let hex = f.hex(40);
        assert!(hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(f.prefixed("local").starts_with("local-"));
    }

    #[test]
    fn same_placeholder_same_value_and_tags_differ() {
        let mut f = Fakes::new(7);
        let (text, secrets) = expand(
            "a={{hex40}} b={{hex40}} c={{hex40#b}} ${{ secrets.X }}",
            &mut f,
        );
        assert_eq!(secrets.len(), 2);
        let first = secrets.first().expect("one secret");
        assert_eq!(text.matches(first.as_str()).count(), 2);
        assert!(text.ends_with("${{ secrets.X }}"));
    }

    #[test]
    fn unknown_placeholders_are_rejected() {
        assert!(check_placeholders("{{hex40}} {{v1}} {{prefixed:vm}} {{hex:41}}").is_ok());
        assert_eq!(check_placeholders("{{v2}}"), Err("v2".to_string()));
    }
}
