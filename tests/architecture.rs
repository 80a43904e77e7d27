//! The code's shape, checked: the top-level modules form no import circle, only `source/` and
//! the output writer touch the file system, and no function runs over 120 lines. Each check
//! reads `src/` as text (comments, strings and `#[cfg(test)]` parts left out), so a new file is
//! covered without a list to keep up to date.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest function the crate allows, in lines from `fn` to its closing brace.
const MAX_FN_LINES: usize = 120;

/// Every `.rs` file under `src/`, with its path relative to `src/` (`/`-separated).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("walk src/");
        let path: PathBuf = entry.path().to_path_buf();
        if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(&root)
                .expect("under src/")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).expect("read source");
            out.push((rel, text));
        }
    }
    assert!(out.len() > 20, "found only {} source files", out.len());
    out
}

/// `text` with comments, string and char literals blanked (kept as spaces, so line numbers
/// hold) and everything from the first `#[cfg(test)]` on dropped.
fn code_of(text: &str) -> String {
    let cut = text.find("#[cfg(test)]").unwrap_or(text.len());
    let bytes = text.as_bytes().get(..cut).unwrap_or_default();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, b: u8| out.push(if b == b'\n' { b'\n' } else { b' ' });
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        if b == b'/' && next == Some(b'/') {
            while let Some(&c) = bytes.get(i) {
                if c == b'\n' {
                    break;
                }
                blank(&mut out, c);
                i += 1;
            }
        } else if b == b'/' && next == Some(b'*') {
            let mut depth = 0usize;
            while let Some(&c) = bytes.get(i) {
                let n = bytes.get(i + 1).copied();
                if c == b'/' && n == Some(b'*') {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if c == b'*' && n == Some(b'/') {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c);
                    i += 1;
                }
            }
        } else if b == b'r' && matches!(next, Some(b'"') | Some(b'#')) && !ident_before(&out) {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while bytes.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if bytes.get(j) != Some(&b'"') {
                out.push(b);
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            out.extend(std::iter::repeat_n(b' ', j + 1 - i));
            i = j + 1;
            while i < bytes.len() && !bytes[i..].starts_with(&close) {
                blank(&mut out, bytes[i]);
                i += 1;
            }
            out.extend(std::iter::repeat_n(b' ', close.len()));
            i += close.len();
        } else if b == b'"' {
            out.push(b' ');
            i += 1;
            while let Some(&c) = bytes.get(i) {
                if c == b'\\' {
                    blank(&mut out, c);
                    if let Some(&e) = bytes.get(i + 1) {
                        blank(&mut out, e);
                    }
                    i += 2;
                    continue;
                }
                blank(&mut out, c);
                i += 1;
                if c == b'"' {
                    break;
                }
            }
        } else if b == b'\'' && is_char_literal(bytes, i) {
            let end = char_literal_end(bytes, i);
            out.extend(std::iter::repeat_n(b' ', end - i));
            i = end;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the byte before is part of an identifier (so `r"` is not a raw string's start).
fn ident_before(out: &[u8]) -> bool {
    out.last()
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Whether the `'` at `i` opens a char literal (`'a'`, `'\n'`, `'\u{1F600}'`), not a lifetime.
fn is_char_literal(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i + 1) {
        Some(b'\\') => true,
        Some(_) => {
            // One character (possibly multi-byte) then a quote.
            let rest = bytes.get(i + 1..).unwrap_or_default();
            let s = String::from_utf8_lossy(rest.get(..rest.len().min(5)).unwrap_or_default())
                .into_owned();
            let mut chars = s.chars();
            chars.next();
            chars.next() == Some('\'')
        }
        None => false,
    }
}

/// The index just past the char literal that opens at `i`.
fn char_literal_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if bytes.get(j) == Some(&b'\\') {
        j += 2;
    }
    while let Some(&c) = bytes.get(j) {
        j += 1;
        if c == b'\'' {
            break;
        }
    }
    j
}

/// The top-level module a source file belongs to (`scan/mod.rs` → `scan`), or `None` for the
/// crate roots.
fn top_module(rel: &str) -> Option<String> {
    let first = rel.split('/').next()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The top-level modules `code` names through `crate::`.
fn uses_of(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    for (at, _) in code.match_indices("crate::") {
        let rest = code.get(at + 7..).unwrap_or_default();
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c}`: the first word of each top-level item.
            let mut depth = 0usize;
            let mut item_start = true;
            let mut word = String::new();
            for c in group.chars() {
                if c.is_alphanumeric() || c == '_' {
                    if item_start {
                        word.push(c);
                    }
                    continue;
                }
                if !word.is_empty() {
                    out.insert(std::mem::take(&mut word));
                    item_start = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    _ => {}
                }
            }
        } else {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let preceded = at > 0 && bytes.get(at - 1).is_some_and(|c| c.is_ascii_alphanumeric());
            if !word.is_empty() && !preceded {
                out.insert(word);
            }
        }
    }
    out
}

#[test]
fn top_level_modules_form_no_import_circle() {
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (rel, text) in sources() {
        let Some(from) = top_module(&rel) else {
            continue;
        };
        for to in uses_of(&code_of(&text)) {
            if to != from {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .insert(rel.clone());
            }
        }
    }
    // A module is in a circle when it reaches itself.
    let mut circles = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        'search: while let Some((node, trail)) = stack.pop() {
            for next in graph.get(&node).map(|m| m.keys()).into_iter().flatten() {
                if next == start && trail.iter().all(|n| n >= start) {
                    let mut path = trail.clone();
                    path.push(next.clone());
                    let edges: Vec<String> = path
                        .windows(2)
                        .map(|w| {
                            let files = graph
                                .get(&w[0])
                                .and_then(|m| m.get(&w[1]))
                                .map(|s| s.iter().cloned().collect::<Vec<_>>().join(", "))
                                .unwrap_or_default();
                            format!("{} -> {} ({files})", w[0], w[1])
                        })
                        .collect();
                    circles.push(edges.join("; "));
                    break 'search;
                } else if seen.insert(next.clone()) {
                    let mut path = trail.clone();
                    path.push(next.clone());
                    stack.push((next.clone(), path));
                }
            }
        }
    }
    assert!(graph.len() > 5, "the module graph looks empty: {graph:?}");
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn only_source_and_the_output_writer_touch_the_file_system() {
    let allowed = |rel: &str| rel.starts_with("source/") || rel == "cli/output.rs";
    let mut offenders = Vec::new();
    let mut seen_allowed = 0;
    for (rel, text) in sources() {
        let code = code_of(&text);
        let touches = code.contains("std::fs") || code.contains("fs::") || code.contains("File::");
        if allowed(&rel) {
            seen_allowed += usize::from(touches);
        } else if touches {
            for (n, line) in code.lines().enumerate() {
                if line.contains("fs::") || line.contains("File::") {
                    offenders.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        seen_allowed > 0,
        "the check found no file-system use at all"
    );
    assert!(
        offenders.is_empty(),
        "file-system use outside src/source/ and src/cli/output.rs:\n{}",
        offenders.join("\n")
    );
}

/// The functions of `code` longer than `max` lines: (line, name, length).
fn long_functions(code: &str, max: usize) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else {
            continue;
        };
        let mut depth = 0i64;
        let mut opened = false;
        let mut end = i;
        'scan: for (j, l) in lines.iter().enumerate().skip(i) {
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    ';' if !opened && depth == 0 => break 'scan,
                    _ => {}
                }
                if opened && depth == 0 {
                    end = j;
                    break 'scan;
                }
            }
        }
        let len = end + 1 - i;
        if opened && len > max {
            out.push((i + 1, name, len));
        }
    }
    out
}

/// The name of the function a line declares, if it declares one.
fn fn_name(line: &str) -> Option<String> {
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w == "fn" {
            let name: String = words
                .next()?
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            return (!name.is_empty()).then_some(name);
        }
        let modifier = w.starts_with("pub")
            || matches!(
                w,
                "const" | "async" | "unsafe" | "extern" | "\"C\"" | "default"
            );
        if !modifier {
            return None;
        }
    }
    None
}

#[test]
fn no_function_runs_over_the_limit() {
    let mut offenders = Vec::new();
    for (rel, text) in sources() {
        for (line, name, len) in long_functions(&code_of(&text), MAX_FN_LINES) {
            offenders.push(format!("src/{rel}:{line}: `{name}` is {len} lines"));
        }
    }
    assert!(
        offenders.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_checks_themselves_can_fail() {
    // A circle, a read and a long function in made-up code are each seen.
    let code = code_of("use crate::scan::x; // crate::nothing\nfn f() { let _ = \"crate::y\"; }\n");
    assert_eq!(
        uses_of(&code).into_iter().collect::<Vec<_>>(),
        vec!["scan".to_string()]
    );
    let grouped = uses_of("use crate::{a::b, c, d::{e, f}};");
    assert_eq!(grouped.into_iter().collect::<Vec<_>>(), ["a", "c", "d"]);
    let long = format!("pub(crate) fn big() {{\n{}}}\n", "    x();\n".repeat(130));
    assert_eq!(
        long_functions(&code_of(&long), MAX_FN_LINES),
        vec![(1, "big".to_string(), 132)]
    );
    let short = format!("fn small() {{\n{}}}\n", "    x();\n".repeat(10));
    assert!(long_functions(&code_of(&short), MAX_FN_LINES).is_empty());
    let braces_in_strings = "fn s() {\n    let a = \"{{{\"; let b = '{';\n}\nfn t() {}\n";
    assert!(long_functions(&code_of(braces_in_strings), 2).len() == 1);
    let cut = code_of("fn a() {}\n#[cfg(test)]\nmod tests { use std::fs; }\n");
    assert!(!cut.contains("fs"));
}
