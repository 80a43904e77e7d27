//! Does a key-shaped token sit in a W&B context? Everything here reads a bounded window of
//! bytes around the token (the line, a few lines above, the enclosing section), so the cost per
//! candidate does not grow with the file.

use std::sync::OnceLock;

/// How strongly the surroundings tie a token to W&B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Nothing says W&B.
    None,
    /// W&B is near: a credential name next to wandb, a wandb section, a notebook using wandb.
    Wandb,
    /// Assigned directly to a W&B key name, or given to `wandb login` / `wandb.login(key=)`.
    Direct,
}

/// The verdict on one token: how strong, and why (for the message).
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Strength of the W&B context.
    pub strength: Strength,
    /// Human words for the context, e.g. "assigned to `WANDB_API_KEY`".
    pub why: String,
    /// The context counts only for the self-managed `<prefix>-<40>` shape: a netrc entry for
    /// a host that does not say wandb (the key's prefix names the deployment).
    pub prefixed_only: bool,
}

impl Verdict {
    fn none() -> Self {
        Self {
            strength: Strength::None,
            why: String::new(),
            prefixed_only: false,
        }
    }
    fn new(strength: Strength, why: impl Into<String>) -> Self {
        Self {
            strength,
            why: why.into(),
            prefixed_only: false,
        }
    }
}

/// What kind of file the bytes come from, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.netrc`, `_netrc`, `netrc`, `*.netrc`.
    Netrc,
    /// `wandb/settings` (the SDK's INI settings file).
    WandbSettings,
    /// A Jupyter notebook (`.ipynb`).
    Notebook,
    /// INI / TOML / cfg: `[section]` headers apply.
    Sectioned,
    /// Anything else.
    Other,
}

impl FileKind {
    /// Classifies a path (with `/` separators).
    pub fn of(path: &str) -> Self {
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), ".netrc" | "_netrc" | "netrc") || lower.ends_with(".netrc") {
            FileKind::Netrc
        } else if path.ends_with("wandb/settings") {
            FileKind::WandbSettings
        } else if lower.ends_with(".ipynb") {
            FileKind::Notebook
        } else if [".toml", ".ini", ".cfg", ".conf", ".properties"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            FileKind::Sectioned
        } else {
            FileKind::Other
        }
    }

    /// Files that can hold a W&B key without saying "wandb" anywhere (a netrc for a
    /// self-managed host); they skip the keyword prefilter.
    pub fn always_scan(self) -> bool {
        matches!(self, FileKind::Netrc | FileKind::WandbSettings)
    }
}

/// Per-file state shared by every candidate in the file; expensive parts are computed lazily.
pub struct FileCtx<'a> {
    /// Display path, `/`-separated.
    pub path: &'a str,
    /// The whole file.
    pub bytes: &'a [u8],
    /// Kind by name.
    pub kind: FileKind,
    /// Bytes read on each side of a candidate within its line (see [`DEFAULT_WINDOW`]).
    pub window: usize,
    /// The path says wandb.
    path_says_wandb: bool,
    /// The content says wandb (any case) somewhere; computed on first use.
    content_says_wandb: OnceLock<bool>,
    sinks: OnceLock<Vec<String>>,
    cells: OnceLock<Vec<usize>>,
    hashing_cells: OnceLock<Vec<bool>>,
}

impl<'a> FileCtx<'a> {
    /// Builds the context for one file, judging candidates on `window` bytes on each side
    /// (clamped to [`MIN_WINDOW`]..=[`MAX_WINDOW`]).
    pub fn new(path: &'a str, bytes: &'a [u8], window: usize) -> Self {
        let kind = FileKind::of(path);
        Self {
            path,
            bytes,
            kind,
            window: window.clamp(MIN_WINDOW, MAX_WINDOW),
            path_says_wandb: path.to_ascii_lowercase().contains("wandb"),
            content_says_wandb: OnceLock::new(),
            sinks: OnceLock::new(),
            cells: OnceLock::new(),
            hashing_cells: OnceLock::new(),
        }
    }

    /// Identifiers whose value the file hands to W&B (`wandb.login(key=api_key)` gives
    /// `api_key`), found once per file.
    /// The file mentions wandb (any case) somewhere, or its path does.
    pub fn mentions_wandb(&self) -> bool {
        self.path_says_wandb
            || *self
                .content_says_wandb
                .get_or_init(|| mentions_wandb(self.bytes))
    }

    fn sinks(&self) -> &[String] {
        self.sinks.get_or_init(|| find_sinks(self.bytes))
    }

    /// Where each notebook cell starts (its `"cell_type"` key), found once per file.
    fn cell_starts(&self) -> &[usize] {
        self.cells
            .get_or_init(|| memchr::memmem::find_iter(self.bytes, b"\"cell_type\"").collect())
    }

    /// The notebook cell holding `pos`: its 1-based number and byte range.
    fn cell(&self, pos: usize) -> Option<(usize, std::ops::Range<usize>)> {
        let starts = self.cell_starts();
        let n = starts.partition_point(|s| *s <= pos);
        let start = *starts.get(n.checked_sub(1)?)?;
        let end = starts.get(n).copied().unwrap_or(self.bytes.len());
        Some((n, start..end))
    }

    /// Whether the cell holding `pos` computes hashes or asks git (`git rev-parse`,
    /// `hexdigest()`, `sha256`): a bare 40-hex value it prints is a digest, not a key.
    /// Judged once per cell.
    fn cell_hashes(&self, pos: usize) -> bool {
        let flags = self.hashing_cells.get_or_init(|| {
            let starts = self.cell_starts();
            (0..starts.len())
                .map(|i| {
                    let start = starts.get(i).copied().unwrap_or(0);
                    let end = starts.get(i + 1).copied().unwrap_or(self.bytes.len());
                    let cell = self
                        .bytes
                        .get(start..end)
                        .unwrap_or(&[])
                        .to_ascii_lowercase();
                    HASHING_WORDS
                        .iter()
                        .any(|w| memchr::memmem::find(&cell, w).is_some())
                })
                .collect()
        });
        self.cell(pos)
            .and_then(|(n, _)| flags.get(n.checked_sub(1)?).copied())
            .unwrap_or(false)
    }
}

crate::pattern::patterns! {
    SINK_CALL: Bytes = r#"(?i)wandb\s*\.\s*(?:login|Api|Settings)\s*\([^)]{0,400}?\b(?:key|api_key)\s*=\s*([A-Za-z_][A-Za-z0-9_.]*)"#;
    SINK_ENV: Bytes = r#"(?m)WANDB_API_KEY["']?\s*\]?\s*(?:=|,)\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\)?\s*$"#;
    SINK_SHELL: Bytes = r#"(?i)(?:WANDB_API_KEY\s*=\s*["']?|wandb\s+login\s+(?:--?[a-z-]+\s+)*["']?)\$\{?([A-Za-z_][A-Za-z0-9_]*)"#;
    WANDB: Bytes = r"(?i)wandb";
    TYPED: Bytes = r"([A-Za-z_][A-Za-z0-9_]*)\??\s*:\s*&?(?:'static\s+)?[A-Za-z_][A-Za-z0-9_.<>\[\], |]*$";
    LOGIN: Bytes = r"(?i)\bwandb\s+login\b([^;&|]*)$";
    BASIC_AUTH: Bytes = r#"(?i)(?:basic_?auth\w*\s*\(\s*["']api["']\s*,\s*["']?|\bauth\s*[=:]\s*[\(\[]\s*["']api["']\s*,\s*["']?|(?:-u|--user)\s*["']?api:|://api:)$"#;
    GIT_CREDENTIAL: Bytes = r"(?i)\bgit\s+(?:-C\s+\S+\s+)?(?:checkout|reset|show|cherry-pick|revert|rev-parse|log|diff|merge|rebase|fetch|switch|tag|branch|describe|bisect|blame|archive|commit|worktree|update-ref|cat-file|ls-tree|verify-commit)\b[^;&|]*$";
    NAME: Bytes = r#"(?:^|[\s{,"'-])"?name"?\s*[:=]\s*["']?([A-Za-z_][A-Za-z0-9_.-]*)"#;
}

fn find_sinks(bytes: &[u8]) -> Vec<String> {
    let call = &*SINK_CALL;
    let env = &*SINK_ENV;
    let shell = &*SINK_SHELL;
    let mut out = Vec::new();
    for r in [call, env, shell] {
        for caps in r.captures_iter(bytes) {
            if let Some(m) = caps.get(1) {
                let ident = String::from_utf8_lossy(m.as_bytes()).to_string();
                if matches!(ident.as_str(), "os" | "None" | "null" | "True" | "False") {
                    continue;
                }
                // `cfg.api_key` is assigned as `api_key` elsewhere: keep the last segment too.
                if let Some(last) = ident.rsplit('.').next() {
                    if last != ident {
                        out.push(last.to_string());
                    }
                }
                out.push(ident);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// How far the context judge looks for a line break on either side of a position, by default
/// (`context-window` in the configuration). Longer lines (minified JSON, notebook outputs)
/// are judged on this window around the token, so the cost per candidate never grows with
/// the file.
pub const DEFAULT_WINDOW: usize = 4096;
/// Smallest window the configuration accepts: room for an assignment and a key.
pub const MIN_WINDOW: usize = 256;
/// Largest window the configuration accepts.
pub const MAX_WINDOW: usize = 1 << 20;
/// How far above a candidate the enclosing section is looked for, in windows.
pub const ENCLOSING_WINDOWS: usize = 16;

/// Byte range of the line holding `pos` (without the line break), cut to `window` bytes on
/// each side of `pos`.
pub fn line_bounds(bytes: &[u8], pos: usize, window: usize) -> (usize, usize) {
    let pos = pos.min(bytes.len());
    let lo = pos.saturating_sub(window);
    let hi = pos.saturating_add(window).min(bytes.len());
    let start =
        memchr::memrchr(b'\n', bytes.get(lo..pos).unwrap_or(&[])).map_or(lo, |i| lo + i + 1);
    let end = memchr::memchr(b'\n', bytes.get(pos..hi).unwrap_or(&[])).map_or(hi, |i| pos + i);
    let end = if end > start && bytes.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    (start, end.max(start))
}

/// Where the line after the one ending at `end` (as [`line_bounds`] gives it) starts: past
/// `\n` or `\r\n`.
pub fn next_line(bytes: &[u8], end: usize) -> usize {
    match (bytes.get(end), bytes.get(end + 1)) {
        (Some(b'\r'), Some(b'\n')) => end + 2,
        _ => end + 1,
    }
}

/// The line above the one that [`line_bounds`] gave as starting at `start`, cut to `window`
/// bytes; `None` at the file's start or when `start` is a window edge inside a long line
/// (a window edge is not a line break).
pub fn line_above(bytes: &[u8], start: usize, window: usize) -> Option<(usize, usize)> {
    (start > 0 && bytes.get(start - 1) == Some(&b'\n'))
        .then(|| line_bounds(bytes, start - 1, window))
}

/// The line below the one that [`line_bounds`] gave as ending at `end`, cut to `window`
/// bytes; `None` at the file's end or when `end` is a window edge inside a long line.
pub fn line_below(bytes: &[u8], end: usize, window: usize) -> Option<(usize, usize)> {
    matches!(bytes.get(end), Some(b'\n' | b'\r'))
        .then(|| line_bounds(bytes, next_line(bytes, end), window))
}

/// Where the line holding the byte before `pos` really starts, looking no further back than
/// `floor`: `None` when its start lies beyond `floor`.
fn real_line_start(bytes: &[u8], pos: usize, floor: usize) -> Option<usize> {
    match memchr::memrchr(b'\n', bytes.get(floor..pos).unwrap_or(&[])) {
        Some(i) => Some(floor + i + 1),
        None if floor == 0 => Some(0),
        None => None,
    }
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len().max(1))
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// True if `bytes` mention wandb in any case.
pub fn mentions_wandb(bytes: &[u8]) -> bool {
    WANDB.is_match(bytes)
}

// ----- names -------------------------------------------------------------------------------

/// What a variable or key name says about the value assigned to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameClass {
    /// Says sha/commit/digest/...: never a key.
    Negative,
    /// Says wandb and key/token/secret/password.
    WandbKey,
    /// Says wandb, but not what kind of value.
    WandbOther,
    /// A generic credential name (`api_key`, `key`, `password`, `token`).
    Generic,
    /// Anything else (`GITHUB_TOKEN`, `model_path`).
    Other,
}

const NEGATIVE: &[&str] = &[
    "sha",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "md5",
    "commit",
    "commits",
    "revision",
    "rev",
    "digest",
    "hash",
    "hashes",
    "checksum",
    "checksums",
    "tree",
    "etag",
    "integrity",
    "oid",
    "uuid",
    "guid",
    "id",
    "runid",
    "fingerprint",
    "nonce",
    "salt",
    "head",
    "ref",
    "pin",
    "version",
];
const CRED: &[&str] = &[
    "key",
    "apikey",
    "token",
    "secret",
    "password",
    "passwd",
    "pass",
    "pwd",
    "auth",
    "credential",
    "credentials",
    "apitoken",
];
const GENERIC_VOCAB: &[&str] = &[
    "api", "access", "my", "the", "default", "user", "login", "private", "env", "os", "environ",
    "config", "cfg", "settings", "client", "service", "account", "sa", "prod", "dev", "staging",
];

/// Splits a name into lowercase words at `_`, `-`, `.`, spaces and camelCase boundaries.
fn segments(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn classify_name(name: &str) -> NameClass {
    let segs = segments(name);
    if segs.is_empty() {
        return NameClass::Other;
    }
    if segs.iter().any(|s| NEGATIVE.contains(&s.as_str())) {
        return NameClass::Negative;
    }
    let wandb = segs.iter().any(|s| s.contains("wandb"));
    let cred = segs.iter().any(|s| {
        CRED.contains(&s.as_str())
            || s.ends_with("apikey")
            || s.ends_with("token")
            || s.ends_with("key")
    });
    match (wandb, cred) {
        (true, true) => NameClass::WandbKey,
        (true, false) => NameClass::WandbOther,
        (false, true) => {
            let generic = segs
                .iter()
                .all(|s| CRED.contains(&s.as_str()) || GENERIC_VOCAB.contains(&s.as_str()));
            if generic {
                NameClass::Generic
            } else {
                NameClass::Other
            }
        }
        (false, false) => NameClass::Other,
    }
}

/// The assignment that precedes a token on its line.
#[derive(Debug, Default)]
struct Assignment {
    /// The name assigned to (`WANDB_API_KEY`, `key`, `password`), if any.
    name: Option<String>,
    /// The word before the name (`wandb.login` for `wandb.login(key=`), if the name is a
    /// keyword argument of a call.
    callee: Option<String>,
    /// Whether an operator (`=`, `:`, `,`, `(`) stood between name and value.
    operator: bool,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'$')
}

fn trim_end_by(s: &[u8], pred: impl Fn(u8) -> bool) -> &[u8] {
    let mut end = s.len();
    while end > 0 && s.get(end - 1).is_some_and(|b| pred(*b)) {
        end -= 1;
    }
    s.get(..end).unwrap_or(&[])
}

fn trailing_ident(s: &[u8]) -> (&[u8], Option<String>) {
    let mut start = s.len();
    while start > 0 && s.get(start - 1).is_some_and(|b| is_ident_byte(*b)) {
        start -= 1;
    }
    let ident = s.get(start..).unwrap_or(&[]);
    let ident = trim_start_dashes(ident);
    let rest = s.get(..start).unwrap_or(&[]);
    if ident.is_empty() {
        (rest, None)
    } else {
        (rest, Some(String::from_utf8_lossy(ident).to_string()))
    }
}

fn trim_start_dashes(s: &[u8]) -> &[u8] {
    let mut i = 0;
    while s.get(i).is_some_and(|b| matches!(b, b'-' | b'$' | b'.')) {
        i += 1;
    }
    s.get(i..).unwrap_or(&[])
}

fn is_quote_or_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'`' | b'\\')
}

fn parse_assignment(prefix: &[u8]) -> Assignment {
    let p = trim_end_by(prefix, is_quote_or_space);
    let p = strip_ansi_tail(p);
    let p = trim_end_by(p, is_quote_or_space);
    let ops: &[&[u8]] = &[b":=", b"=>", b"+=", b"?=", b"=", b":", b",", b"("];
    let mut operator = false;
    let mut rest = p;
    for op in ops {
        if rest.ends_with(op) {
            rest = rest.get(..rest.len() - op.len()).unwrap_or(&[]);
            operator = true;
            if *op == b"(" {
                // Positional argument: the "name" is the callee.
                let (_, callee) = trailing_ident(trim_end_by(rest, |b| b == b' '));
                return Assignment {
                    name: None,
                    callee,
                    operator: true,
                };
            }
            break;
        }
    }
    let rest = trim_end_by(rest, |b| {
        is_quote_or_space(b) || matches!(b, b']' | b')' | b'}')
    });
    let rest = trim_end_by(strip_ansi_tail(rest), is_quote_or_space);
    // A typed declaration names the variable before its type: `const KEY: &str =`,
    // `api_key: str =`, `let key: String =`, `apiKey: string =`.
    let rest = match TYPED.captures(rest).and_then(|c| c.get(1)) {
        // Not a PowerShell scope (`$env:WANDB_API_KEY =`), and not when the "type" is itself
        // the credential name.
        Some(m)
            if operator
                && !rest.get(..m.start()).is_some_and(|b| b.ends_with(b"$"))
                && !matches!(
                    classify_name(&String::from_utf8_lossy(rest.get(m.end()..).unwrap_or(&[]))),
                    NameClass::WandbKey | NameClass::Generic
                ) =>
        {
            rest.get(..m.end()).unwrap_or(rest)
        }
        _ => rest,
    };
    let (before, name) = trailing_ident(rest);
    // A keyword argument: `callee(other=1, key=`.
    let callee = if operator {
        let before = trim_end_by(before, |b| b == b' ');
        match memchr::memrchr(b'(', before) {
            Some(open) if !before.get(open..).unwrap_or(&[]).contains(&b')') => {
                trailing_ident(trim_end_by(before.get(..open).unwrap_or(&[]), |b| {
                    b == b' '
                }))
                .1
            }
            _ => None,
        }
    } else {
        None
    };
    Assignment {
        name,
        callee,
        operator,
    }
}

/// Drops an ANSI colour sequence (`\x1b[0;33m`, or its JSON-escaped `\u001b[33m`) that ends `s`.
fn strip_ansi_tail(s: &[u8]) -> &[u8] {
    let mut cur = s;
    loop {
        if !cur.ends_with(b"m") {
            return cur;
        }
        let body = cur.get(..cur.len() - 1).unwrap_or(&[]);
        let digits = trim_end_by(body, |b| b.is_ascii_digit() || b == b';');
        if !digits.ends_with(b"[") {
            return cur;
        }
        let before = digits.get(..digits.len() - 1).unwrap_or(&[]);
        let esc: &[&[u8]] = &[b"\x1b", b"\\u001b", b"\\u001B", b"\\x1b", b"\\033", b"\\e"];
        match esc.iter().find(|e| before.ends_with(e)) {
            Some(e) => cur = before.get(..before.len() - e.len()).unwrap_or(&[]),
            None => return cur,
        }
    }
}

/// True if the bytes before `start` end an ANSI colour sequence, so that a token right after
/// its final `m` still starts at a boundary.
pub fn ansi_before(bytes: &[u8], start: usize) -> bool {
    let from = start.saturating_sub(24);
    let window = bytes.get(from..start).unwrap_or(&[]);
    strip_ansi_tail(window).len() != window.len()
}

// ----- surroundings ------------------------------------------------------------------------

fn wandb_login_before(prefix: &[u8]) -> bool {
    LOGIN.is_match(prefix)
}

/// HTTP basic auth with user `api`, which is how the W&B API takes a key:
/// `SetBasicAuth("api", KEY)`, `auth=("api", KEY)`, `HTTPBasicAuth("api", KEY)`,
/// `curl -u api:KEY`, `https://api:KEY@host`.
fn basic_auth_api_user(prefix: &[u8]) -> bool {
    BASIC_AUTH.is_match(prefix)
}

fn git_argument(prefix: &[u8]) -> bool {
    GIT_CREDENTIAL.is_match(prefix)
}

const HASHING_WORDS: &[&[u8]] = &[
    b"rev-parse",
    b"hexdigest",
    b"sha1",
    b"sha256",
    b"hashlib",
    b"git log",
    b"commit",
    b"checksum",
    b"md5",
];

fn notebook_cell(fc: &FileCtx<'_>, pos: usize) -> Option<String> {
    let (number, range) = fc.cell(pos)?;
    let in_cell = fc.bytes.get(range.start..pos)?;
    let out = memchr::memmem::rfind(in_cell, b"\"outputs\"");
    let src = memchr::memmem::rfind(in_cell, b"\"source\"");
    let part = match (out, src) {
        (Some(o), Some(s)) if o > s => "output",
        (Some(_), None) => "output",
        _ => "source",
    };
    Some(format!("{part} of cell {number}"))
}

/// `in the output of cell 3 of a notebook that uses wandb`, or without the cell when none is
/// known.
fn in_notebook(fc: &FileCtx<'_>, pos: usize) -> String {
    match notebook_cell(fc, pos) {
        Some(cell) => format!("in the {cell} of a notebook that uses wandb"),
        None => "in a notebook that uses wandb".to_string(),
    }
}

/// A value that stands alone in a notebook's JSON string: nothing but quotes, ANSI colour
/// codes and spaces before it, and the string's end (or a newline escape) after it.
fn stands_alone(prefix: &[u8], suffix: &[u8]) -> bool {
    let before = trim_end_by(strip_ansi_tail(trim_end_by(prefix, |b| b == b' ')), |b| {
        b == b' '
    });
    let after = suffix.trim_ascii_start();
    let after = strip_ansi_head(after);
    before.ends_with(b"\"")
        && (after.starts_with(b"\"") || after.starts_with(b"\\n") || after.starts_with(b"\\r"))
}

/// Drops ANSI colour sequences (raw or JSON-escaped) that start `s`.
fn strip_ansi_head(s: &[u8]) -> &[u8] {
    let mut cur = s;
    loop {
        let esc: &[&[u8]] = &[b"\x1b[", b"\\u001b[", b"\\u001B[", b"\\x1b[", b"\\033["];
        let Some(e) = esc.iter().find(|e| cur.starts_with(e)) else {
            return cur;
        };
        let rest = cur.get(e.len()..).unwrap_or(&[]);
        let digits = rest
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b';')
            .count();
        match rest.get(digits) {
            Some(b'm') => cur = rest.get(digits + 1..).unwrap_or(&[]),
            _ => return cur,
        }
    }
}

/// The host of the netrc `machine` entry that holds `pos`, or `default`.
fn netrc_machine(bytes: &[u8], pos: usize, window: usize) -> Option<String> {
    let from = pos.saturating_sub(window);
    let window = bytes.get(from..pos)?;
    let text = String::from_utf8_lossy(window);
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut i = words.len();
    while i > 0 {
        i -= 1;
        match words.get(i) {
            Some(&"machine") => return words.get(i + 1).map(|s| s.to_string()),
            Some(&"default") => return Some("default".to_string()),
            _ => {}
        }
    }
    None
}

fn indent_of(line: &[u8]) -> Option<usize> {
    let n = line
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let rest = line.get(n..)?;
    if rest.is_empty() || rest.starts_with(b"#") || rest.starts_with(b"//") {
        None
    } else {
        Some(n)
    }
}

/// The best name class among the identifiers of the lines that enclose `line_start`: the
/// `[section]` header above it in INI/TOML files, and the less-indented lines above it (YAML,
/// JSON, JS, HCL). Returns the class and the line's text for the message. Lines are read
/// whole, from their real start, within [`ENCLOSING_WINDOWS`] windows above the candidate's
/// line (and at most 400 lines): a section further up, or a line starting beyond that, is
/// not seen.
fn enclosing(fc: &FileCtx<'_>, line_start: usize) -> Option<(NameClass, String)> {
    let bytes = fc.bytes;
    let floor = line_start.saturating_sub(ENCLOSING_WINDOWS.saturating_mul(fc.window));
    // The candidate's line from its real start, for its indentation.
    let ls = real_line_start(bytes, line_start, floor)?;
    let (_, le) = line_bounds(bytes, ls, fc.window);
    let mut cur = indent_of(bytes.get(ls..le).unwrap_or(&[])).unwrap_or(0);
    let mut pos = ls;
    let mut best: Option<(NameClass, String)> = None;
    let consider = |text: &[u8], best: &mut Option<(NameClass, String)>| {
        let lower = text.to_ascii_lowercase();
        if !contains_ci(&lower, b"wandb") {
            return;
        }
        let s = String::from_utf8_lossy(text);
        for ident in
            s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        {
            let class = classify_name(ident);
            let rank = |c: NameClass| match c {
                NameClass::WandbKey => 2,
                NameClass::WandbOther => 1,
                _ => 0,
            };
            if rank(class) > best.as_ref().map_or(0, |(c, _)| rank(*c)) {
                *best = Some((class, ident.to_string()));
            }
        }
    };
    for _ in 0..400 {
        // Bounded in lines and in bytes, whatever the file looks like.
        if pos == 0 {
            break;
        }
        let pe = pos - 1;
        let Some(ps) = real_line_start(bytes, pe, floor) else {
            break;
        };
        pos = ps;
        let line = bytes.get(ps..pe).unwrap_or(&[]);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let trimmed = line.trim_ascii();
        if fc.kind == FileKind::Sectioned || fc.kind == FileKind::WandbSettings {
            if trimmed.starts_with(b"[") && trimmed.ends_with(b"]") {
                consider(trimmed, &mut best);
                break;
            }
            continue;
        }
        let Some(ind) = indent_of(line) else { continue };
        if ind < cur {
            consider(line, &mut best);
            cur = ind;
            if cur == 0 {
                break;
            }
        }
    }
    best
}

/// Names given on the lines just above a `value:` line: Kubernetes `- name: X` / `value: v`,
/// Terraform `name = "X"` / `value = "v"`, JSON `{"name": "X", "value": "v"}`.
fn owner_name(
    bytes: &[u8],
    line_start: usize,
    same_line_prefix: &[u8],
    window: usize,
) -> Option<String> {
    let r = &*NAME;
    if let Some(c) = r.captures(same_line_prefix) {
        return c
            .get(1)
            .map(|m| String::from_utf8_lossy(m.as_bytes()).to_string());
    }
    let mut pos = line_start;
    for _ in 0..3 {
        let Some((ps, pe)) = line_above(bytes, pos, window) else {
            break;
        };
        pos = ps;
        if let Some(c) = r.captures(bytes.get(ps..pe).unwrap_or(&[])) {
            return c
                .get(1)
                .map(|m| String::from_utf8_lossy(m.as_bytes()).to_string());
        }
    }
    None
}

/// Whether the `n` lines above and below the line `ls..le` (each cut to `window`) mention
/// wandb; the line itself counts too.
fn near_lines_mention_wandb(bytes: &[u8], ls: usize, le: usize, n: usize, window: usize) -> bool {
    let mut start = ls;
    for _ in 0..n {
        match line_above(bytes, start, window) {
            Some((s, _)) => start = s,
            None => break,
        }
    }
    let mut end = le;
    for _ in 0..n {
        match line_below(bytes, end, window) {
            Some((_, e)) => end = e,
            None => break,
        }
    }
    mentions_wandb(bytes.get(start..end).unwrap_or(&[]))
}

/// Judges the W&B context of the token at `start..end`.
pub fn assess(fc: &FileCtx<'_>, start: usize, end: usize) -> Verdict {
    let bytes = fc.bytes;
    let (ls, le) = line_bounds(bytes, start, fc.window);
    let mut prefix = bytes
        .get(ls.max(start.saturating_sub(300))..start)
        .unwrap_or(&[]);
    // A string or URL escape right before the token (`"password\t<key>"`, `key%3D<key>`) is
    // judged as the character it stands for.
    let unescaped: Vec<u8>;
    if let Some((len, byte)) = super::escape::escape_before(bytes, start) {
        let kept = prefix
            .get(..prefix.len().saturating_sub(len))
            .unwrap_or(&[]);
        unescaped = [kept, &[byte]].concat();
        prefix = &unescaped;
    }
    let line = bytes.get(ls..le).unwrap_or(&[]);
    let suffix = bytes.get(end..le.max(end)).unwrap_or(&[]);

    // Pins, paths and URLs: `action@<sha>`, `.../commit/<sha>`, `#<sha>`.
    if let Some(&b) = prefix.last() {
        if matches!(b, b'@' | b'/' | b'#') {
            return Verdict::none();
        }
    }
    if git_argument(prefix) {
        return Verdict::none();
    }
    // `<sha>  file` / `<sha> *file`: a checksum listing.
    if prefix.trim_ascii().is_empty() && (suffix.starts_with(b"  ") || suffix.starts_with(b" *")) {
        return Verdict::none();
    }

    let asg = parse_assignment(prefix);
    let line_wandb = mentions_wandb(line);

    if wandb_login_before(prefix) {
        return Verdict::new(Strength::Direct, "given to `wandb login`");
    }
    if basic_auth_api_user(prefix)
        && (line_wandb || near_lines_mention_wandb(bytes, ls, le, 2, fc.window))
    {
        return Verdict::new(
            Strength::Direct,
            "HTTP basic-auth password for user `api`, the way the W&B API takes a key",
        );
    }
    if let Some(v) = wandb_call_argument(&asg) {
        return v;
    }

    let mut name = asg.name.clone();
    let mut class = name.as_deref().map_or(NameClass::Other, classify_name);
    if matches!(
        name.as_deref().map(str::to_ascii_lowercase).as_deref(),
        Some("value" | "default" | "val" | "data" | "stringdata")
    ) {
        if let Some(owner) = owner_name(bytes, ls, prefix, fc.window) {
            class = classify_name(&owner);
            name = Some(owner);
        } else {
            // No owner on the lines above: the enclosing block names it (HCL `variable "x" {`).
            class = NameClass::Other;
            name = None;
        }
    }
    let shown = name.clone().unwrap_or_default();

    match class {
        NameClass::Negative => return Verdict::none(),
        NameClass::WandbKey => {
            return Verdict::new(Strength::Direct, format!("assigned to `{shown}`"));
        }
        NameClass::Generic => return generic_name(fc, &shown, start, (ls, le), line_wandb),
        NameClass::WandbOther if asg.operator => {
            return Verdict::new(Strength::Wandb, format!("assigned to `{shown}`"));
        }
        _ => {}
    }

    // No telling name: the enclosing structure or the notebook decides.
    if !matches!(class, NameClass::Other) || name.is_none() || !asg.operator {
        if let Some((NameClass::WandbKey, section)) = enclosing(fc, ls) {
            return Verdict::new(Strength::Direct, format!("value of `{section}`"));
        }
    }
    if fc.kind == FileKind::Notebook
        && fc.mentions_wandb()
        && !matches!(class, NameClass::Other if asg.operator)
        && (asg.name.is_some() || stands_alone(prefix, suffix))
        && !fc.cell_hashes(start)
    {
        return Verdict::new(Strength::Wandb, in_notebook(fc, start));
    }
    Verdict::none()
}

/// `wandb.login(key=<token>)`, `wandb.Api(api_key=...)`, `wandb.Settings(...)`: the token is
/// a key argument of a W&B call.
fn wandb_call_argument(asg: &Assignment) -> Option<Verdict> {
    let callee = asg.callee.as_ref()?;
    let lc = callee.to_ascii_lowercase();
    let wandb_call = lc.contains("wandb")
        && (lc.ends_with("login") || lc.ends_with("api") || lc.ends_with("settings"));
    let is_key_arg = asg
        .name
        .as_deref()
        .is_none_or(|n| matches!(classify_name(n), NameClass::Generic | NameClass::WandbKey));
    if !(wandb_call && is_key_arg) {
        return None;
    }
    let what = asg.name.as_deref().unwrap_or("the key argument");
    Some(Verdict::new(
        Strength::Direct,
        format!("passed as `{what}` to `{callee}`"),
    ))
}

/// The verdict on a token assigned to a generic credential name (`password`, `api_key`,
/// `token`) as `shown`, on the line `ls..le`: a netrc machine, the settings file, the file's
/// W&B sinks, the enclosing section, or wandb on or near the line decide.
fn generic_name(
    fc: &FileCtx<'_>,
    shown: &str,
    start: usize,
    (ls, le): (usize, usize),
    line_wandb: bool,
) -> Verdict {
    let bytes = fc.bytes;
    let line = bytes.get(ls..le).unwrap_or(&[]);
    let lname = shown.to_ascii_lowercase();
    if fc.kind == FileKind::Netrc
        || (matches!(lname.as_str(), "password" | "passwd") && contains_ci(line, b"machine"))
    {
        return match netrc_machine(bytes, start, fc.window) {
            Some(host) if mentions_wandb(host.as_bytes()) => Verdict::new(
                Strength::Direct,
                format!("netrc password for W&B host `{host}`"),
            ),
            Some(host) => {
                Verdict::new(Strength::Wandb, format!("netrc password for host `{host}`"))
                    .only_prefixed()
            }
            None => Verdict::none(),
        };
    }
    if fc.kind == FileKind::WandbSettings {
        return Verdict::new(
            Strength::Direct,
            format!("`{shown}` in the wandb settings file"),
        );
    }
    if fc.sinks().iter().any(|s| s == shown) {
        return Verdict::new(
            Strength::Direct,
            format!("assigned to `{shown}`, which the file passes to W&B"),
        );
    }
    if let Some((_, section)) = enclosing(fc, ls) {
        return Verdict::new(Strength::Direct, format!("`{shown}` under `{section}`"));
    }
    if line_wandb {
        return Verdict::new(
            Strength::Wandb,
            format!("assigned to `{shown}` next to wandb"),
        );
    }
    if near_lines_mention_wandb(bytes, ls, le, 2, fc.window) {
        return Verdict::new(Strength::Wandb, format!("assigned to `{shown}` near wandb"));
    }
    if fc.kind == FileKind::Notebook && fc.mentions_wandb() {
        return Verdict::new(
            Strength::Wandb,
            format!("assigned to `{shown}` {}", in_notebook(fc, start)),
        );
    }
    Verdict::none()
}

impl Verdict {
    fn only_prefixed(mut self) -> Self {
        self.prefixed_only = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(path: &str, text: &str, token: &str) -> Verdict {
        judge_on(path, text, token, DEFAULT_WINDOW)
    }

    fn judge_on(path: &str, text: &str, token: &str, window: usize) -> Verdict {
        let start = text.find(token).expect("token in text");
        let fc = FileCtx::new(path, text.as_bytes(), window);
        assess(&fc, start, start + token.len())
    }

    const K: &str = "3f1c9a7be2d4058c61a9f03b7e25d8c4a9016b3e";

    #[test]
    fn names() {
        assert_eq!(classify_name("WANDB_API_KEY"), NameClass::WandbKey);
        assert_eq!(classify_name("wandbApiKey"), NameClass::WandbKey);
        assert_eq!(classify_name("MY_WANDB_API_KEY"), NameClass::WandbKey);
        assert_eq!(classify_name("api_key"), NameClass::Generic);
        assert_eq!(classify_name("GITHUB_TOKEN"), NameClass::Other);
        assert_eq!(classify_name("commit_sha"), NameClass::Negative);
        assert_eq!(classify_name("wandb_run_id"), NameClass::Negative);
    }

    #[test]
    fn direct_contexts() {
        let cases = [
            ("a.py", format!("wandb.login(key=\"{K}\")")),
            ("a.py", format!("os.environ[\"WANDB_API_KEY\"] = \"{K}\"")),
            (
                "a.py",
                format!("os.environ.setdefault(\"WANDB_API_KEY\", \"{K}\")"),
            ),
            ("a.sh", format!("wandb login --relogin {K}")),
            ("Dockerfile", format!("ENV WANDB_API_KEY {K}")),
            (
                ".netrc",
                format!("machine api.wandb.ai\n  login user\n  password {K}\n"),
            ),
            (
                "a.py",
                format!("api_key = \"{K}\"\nwandb.login(key=api_key)\n"),
            ),
            ("values.yaml", format!("wandb:\n  apiKey: {K}\n")),
            (
                "k.yaml",
                format!("env:\n  - name: WANDB_API_KEY\n    value: \"{K}\"\n"),
            ),
            (
                "main.tf",
                format!("variable \"wandb_api_key\" {{\n  default = \"{K}\"\n}}\n"),
            ),
            ("k.rs", format!("const WANDB_API_KEY: &str = \"{K}\";")),
            ("k.ts", format!("export const wandbApiKey: string = '{K}';")),
            ("k.ps1", format!("$env:WANDB_API_KEY = \"{K}\"")),
            (
                "c.go",
                format!("req.SetBasicAuth(\"api\", \"{K}\") // wandb graphql"),
            ),
            (
                "c.py",
                format!("import wandb, requests\nrequests.post(url, auth=(\"api\", \"{K}\"))"),
            ),
            (
                "c.sh",
                format!("curl -u api:{K} https://api.wandb.ai/graphql"),
            ),
        ];
        for (path, text) in cases {
            let v = judge(path, &text, K);
            assert_eq!(v.strength, Strength::Direct, "{path}: {text} -> {v:?}");
        }
    }

    #[test]
    fn negatives() {
        let cases = [
            ("w.yml", format!("- uses: actions/checkout@{K} # wandb")),
            (
                "r.txt",
                format!("wandb @ git+https://github.com/wandb/wandb@{K}"),
            ),
            ("a.sh", format!("git checkout {K}  # wandb")),
            ("a.py", format!("wandb.config.commit_sha = \"{K}\"")),
            (
                ".netrc",
                format!("machine github.com login x password {K}\n"),
            ),
            ("x.env", format!("GITHUB_TOKEN={K}\n")),
            ("SHA1SUMS", format!("{K}  wandb-0.16.tar.gz")),
        ];
        for (path, text) in cases {
            let v = judge(path, &text, K);
            assert!(
                v.strength == Strength::None || v.prefixed_only,
                "{path}: {text} -> {v:?}"
            );
        }
    }

    #[test]
    fn ansi_prefix_is_a_boundary() {
        let text = format!("\"\\u001b[34m\\u001b[1mwandb\\u001b[0m: key \\u001b[33m{K}\"");
        let start = text.find(K).expect("key");
        assert!(ansi_before(text.as_bytes(), start));
    }

    fn judge_with(path: &str, text: &str, window: usize) -> Verdict {
        judge_on(path, text, K, window)
    }

    #[test]
    fn the_window_bounds_what_a_long_line_contributes() {
        // "wandb" 2,000 bytes before the key on the same line: inside a 4 KiB window, outside
        // a 256-byte one.
        let pad = "x ".repeat(1000);
        let text = format!("# wandb {pad} token = \"{K}\"\n");
        let v = judge_with("a.txt", &text, DEFAULT_WINDOW);
        assert_eq!(v.strength, Strength::Wandb, "{v:?}");
        assert!(v.why.contains("next to wandb"), "{v:?}");
        assert_eq!(
            judge_with("a.txt", &text, MIN_WINDOW).strength,
            Strength::None
        );
        // A netrc host 1,500 bytes up is found only by a window that reaches it.
        let netrc = format!(
            "machine api.wandb.ai login user\n{}password {K}\n",
            "#\n".repeat(750)
        );
        assert_eq!(
            judge_with(".netrc", &netrc, DEFAULT_WINDOW).strength,
            Strength::Direct
        );
        assert_eq!(
            judge_with(".netrc", &netrc, MIN_WINDOW).strength,
            Strength::None
        );
        // Out-of-range windows are clamped, not trusted.
        let fc = FileCtx::new("a.txt", text.as_bytes(), 1);
        assert_eq!(fc.window, MIN_WINDOW);
        let fc = FileCtx::new("a.txt", text.as_bytes(), usize::MAX);
        assert_eq!(fc.window, MAX_WINDOW);
    }

    #[test]
    fn a_window_edge_inside_a_long_line_is_not_a_neighbouring_line() {
        // The only mention of wandb is the far start of the key's own 10 KB line: neither a
        // window edge of that line nor anything else makes it a "nearby line".
        let text = format!("wandb{} token = \"{K}\"\n", " y".repeat(5000));
        assert_eq!(
            judge_with("a.txt", &text, DEFAULT_WINDOW).strength,
            Strength::None
        );
        // A real line above still counts.
        let text = format!("# wandb\n{} token = \"{K}\"\n", " y".repeat(5000));
        assert_eq!(
            judge_with("a.txt", &text, 1 << 14).strength,
            Strength::Wandb
        );
    }

    #[test]
    fn enclosing_sections_are_found_across_long_lines() {
        // A 10 KB line between the key and its `wandb:` section: read whole from its real
        // start by a 4 KiB window (a 64 KiB reach), out of reach of a 256-byte one (4 KiB).
        let long = "z".repeat(10_000);
        let text = format!("wandb:\n  description: \"{long}\"\n  key: {K}\n");
        let v = judge_with("values.yaml", &text, DEFAULT_WINDOW);
        assert_eq!(v.strength, Strength::Direct, "{v:?}");
        assert!(v.why.contains("under `wandb"), "{v:?}");
        assert_eq!(
            judge_with("values.yaml", &text, MIN_WINDOW).strength,
            Strength::None
        );
        // A key far along a long flow-mapping line: the window around it starts mid-line, and
        // the line's real start (within reach) gives the indentation that finds the section.
        let text = format!(
            "wandb:\n  {{\"a\": \"{}\", \"key\": \"{K}\"}}\n",
            "z".repeat(3000)
        );
        for window in [MIN_WINDOW, DEFAULT_WINDOW] {
            let v = judge_with("values.yaml", &text, window);
            assert_eq!(v.strength, Strength::Direct, "{window}: {v:?}");
        }
    }
}
