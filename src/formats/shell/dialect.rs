//! The places shell hides in, turned into [`View`]s the parser reads: YAML scalars (the text
//! the runner hands the shell, after YAML's own quoting and folding), CI expressions
//! (`${{ ... }}`, which the runner substitutes before the shell starts), Makefile and
//! justfile recipes (`$$`, recipe prefixes, the lines that are not recipes), Dockerfile
//! instructions (flags, comment lines inside continuations, `RUN <<EOF`), and exec-form word
//! lists (`["bash", "-c", "..."]`). Every view keeps the file offset of each byte.

use super::word::Offsets;
use super::View;

/// A view of `decoded`, the value of a YAML scalar written as `raw` at `base` in the file:
/// each decoded byte is matched to the raw byte it came from (quotes, escapes, indentation
/// and block headers skipped). When the two cannot be matched, every byte points at the
/// scalar's start.
pub fn yaml_scalar(raw: &str, decoded: &str, base: usize) -> View {
    if raw == decoded {
        return neutralised(View::at(decoded, base));
    }
    let r = raw.as_bytes();
    let mut map = Vec::with_capacity(decoded.len() + 1);
    let mut j = 0;
    // A block scalar's header line (`|`, `>-`, `|2`) is not part of the value.
    if raw.starts_with(['|', '>']) {
        j = raw.find('\n').map_or(raw.len(), |i| i + 1);
    } else if raw.starts_with(['"', '\'']) {
        j = 1;
    }
    for &d in decoded.as_bytes() {
        while r.get(j).is_some_and(|&c| c != d) {
            j += 1;
        }
        if j >= r.len() {
            map.clear();
            break;
        }
        map.push(base + j);
        j += 1;
    }
    if map.len() != decoded.len() {
        map = vec![base; decoded.len()];
    }
    map.push(base + raw.len());
    neutralised(View {
        text: decoded.to_string(),
        offsets: Offsets::from_vec(map),
        original: None,
    })
}

/// CI expressions (`${{ secrets.X }}`) replaced for parsing by a variable reference of the
/// same length (`${_______}`); the words keep the expression as written.
pub fn neutralised(mut view: View) -> View {
    if !view.text.contains("${{") {
        return view;
    }
    let mut text = view.text.clone().into_bytes();
    let mut i = 0;
    while let Some(at) = view
        .text
        .get(i..)
        .and_then(|r| r.find("${{"))
        .map(|k| i + k)
    {
        let Some(close) = view.text.get(at + 3..).and_then(|r| r.find("}}")) else {
            break;
        };
        let end = at + 3 + close + 2;
        for (k, b) in text.iter_mut().enumerate().take(end - 1).skip(at + 2) {
            // Keep multi-byte characters whole: replace every byte of the region by `_`.
            let _ = k;
            *b = b'_';
        }
        if let Some(b) = text.get_mut(end - 1) {
            *b = b'}';
        }
        i = end;
    }
    let parsed = String::from_utf8(text).unwrap_or_else(|_| view.text.clone());
    view.original = Some(std::mem::replace(&mut view.text, parsed));
    view
}

/// The recipe lines of a Makefile as shell: every other line blanked (its newline kept, so
/// offsets stay those of the file), recipe prefixes (`@`, `-`, `+`) blanked, and make's `$$`
/// read as the shell's `$`.
pub fn makefile(text: &str) -> View {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut in_rule = false;
    let mut continued = false;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let recipe = in_rule && (line.starts_with('\t') || continued);
        if !recipe {
            let trimmed = body.trim_start();
            if !trimmed.is_empty() && !trimmed.starts_with('#') && !continued {
                // A rule line (`target: deps`) opens recipes; an assignment or directive
                // does not end them only when it is a comment or blank.
                in_rule = is_rule_line(trimmed);
            }
            continued = body.ends_with('\\');
            blank(line, pos, &mut out, &mut map);
        } else {
            let mut k = 0;
            let b = line.as_bytes();
            // The recipe prefix characters before the command.
            let lead = if continued {
                0
            } else {
                line.len() - line.trim_start_matches(['\t', ' ', '@', '-', '+']).len()
            };
            while let Some(&byte) = b.get(k) {
                if k < lead {
                    out.push(if byte == b'\t' { '\t' } else { ' ' });
                    map.push(pos + k);
                    k += 1;
                } else if byte == b'$' && b.get(k + 1) == Some(&b'$') {
                    // `$$` is the shell's `$`.
                    out.push('$');
                    map.push(pos + k + 1);
                    k += 2;
                } else {
                    let ch_len = utf8_len(byte);
                    out.push_str(line.get(k..k + ch_len).unwrap_or(" "));
                    for x in 0..ch_len {
                        map.push(pos + k + x);
                    }
                    k += ch_len;
                }
            }
            continued = body.ends_with('\\');
        }
        pos += line.len();
    }
    map.push(text.len());
    View {
        text: out,
        offsets: Offsets::from_vec(map),
        original: None,
    }
}

/// `target: deps` (not `X := v`, `X ::= v`, not a `define`).
fn is_rule_line(line: &str) -> bool {
    let Some(colon) = line.find(':') else {
        return false;
    };
    let after = &line[colon + 1..];
    let before = &line[..colon];
    !after.starts_with('=')
        && !after.starts_with(":=")
        && !before.contains('=')
        && !before.starts_with("define ")
        && !before.starts_with("export ")
}

/// A justfile's recipe bodies as shell: the indented lines under a recipe header, with
/// `@`/`-` prefixes blanked; shebang recipes are skipped (they may be any language).
pub fn justfile(text: &str) -> View {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut in_recipe = false;
    let mut shebang = false;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let indented = line.starts_with([' ', '\t']);
        let body = line.trim();
        if !indented {
            if !body.is_empty() && !body.starts_with('#') {
                in_recipe = !body.contains(":=") && body.contains(':') && !body.starts_with("set ");
                shebang = false;
            }
            blank(line, pos, &mut out, &mut map);
        } else if in_recipe && !body.is_empty() {
            if body.starts_with("#!") {
                shebang = true;
            }
            if shebang {
                blank(line, pos, &mut out, &mut map);
            } else {
                let lead = line.len() - line.trim_start_matches([' ', '\t', '@', '-']).len();
                for (k, ch) in line.char_indices() {
                    if k < lead {
                        out.push(' ');
                        map.push(pos + k);
                    } else {
                        out.push(ch);
                        for x in 0..ch.len_utf8() {
                            map.push(pos + k + x);
                        }
                    }
                }
            }
        } else {
            blank(line, pos, &mut out, &mut map);
        }
        pos += line.len();
    }
    map.push(text.len());
    View {
        text: out,
        offsets: Offsets::from_vec(map),
        original: None,
    }
}

/// The shell of a Dockerfile `RUN`/`CMD`/`ENTRYPOINT` in shell form: `args` is the text
/// after the keyword at `base`. Its `--flags` are blanked, so are comment lines inside the
/// continuation (Docker drops them); `RUN <<EOF` makes the heredoc's body the script.
pub fn dockerfile_shell(args: &str, base: usize) -> View {
    let mut out = String::with_capacity(args.len());
    let mut map = Vec::with_capacity(args.len() + 1);
    // Leading `--mount=...`, `--network=...` flags.
    let mut skip = 0;
    loop {
        let rest = &args[skip..];
        let trimmed = rest.trim_start();
        if !trimmed.starts_with("--") {
            break;
        }
        let ws = rest.len() - trimmed.len();
        let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        skip += ws + end;
    }
    let rest = args[skip..].trim_start();
    let skip = args.len() - rest.len();
    // `RUN <<EOF` (optionally `<<-EOF`, quoted): the heredoc body is the script.
    if rest.starts_with("<<") {
        if let Some(nl) = rest.find('\n') {
            let header = &rest[..nl];
            let delim: String = header
                .trim_start_matches('<')
                .trim_start_matches('-')
                .chars()
                .filter(|c| !matches!(c, '"' | '\''))
                .take_while(|c| !c.is_whitespace())
                .collect();
            let body_start = skip + nl + 1;
            let body = &args[body_start..];
            let end = body
                .match_indices(&delim)
                .filter(|(i, _)| *i == 0 || body.as_bytes().get(i - 1) == Some(&b'\n'))
                .map(|(i, _)| i)
                .last()
                .unwrap_or(body.len());
            let script = &body[..end];
            return View::at(script, base + body_start);
        }
    }
    let mut pos = 0;
    let mut first = true;
    for line in args.split_inclusive('\n') {
        let t = line.trim_start();
        if !first && t.starts_with('#') {
            // Docker drops comment lines inside a continuation: so does the view.
        } else if pos + line.len() <= skip {
            blank(line, base + pos, &mut out, &mut map);
        } else {
            for (k, ch) in line.char_indices() {
                let keep = pos + k >= skip;
                out.push(if keep { ch } else { ' ' });
                let n = if keep { ch.len_utf8() } else { 1 };
                if !keep && ch.len_utf8() > 1 {
                    for x in 1..ch.len_utf8() {
                        out.push(' ');
                        map.push(base + pos + k + x);
                    }
                }
                for x in 0..n {
                    map.push(base + pos + k + x);
                }
            }
        }
        first = false;
        pos += line.len();
    }
    map.push(base + args.len());
    View {
        text: out,
        offsets: Offsets::from_vec(map),
        original: None,
    }
}

/// The shell of a Groovy string literal (a Jenkins `sh '...'`, `sh """..."""`): Groovy's
/// escapes (`\$`, `\"`, `\'`, `\\`, `\n`) resolved; `body` is the text between the quotes at
/// `base`.
pub fn groovy_string(body: &str, base: usize) -> View {
    let b = body.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut map = Vec::with_capacity(b.len() + 1);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'\\' {
            let resolved = match b.get(i + 1) {
                Some(&n @ (b'$' | b'"' | b'\'' | b'\\')) => Some(n),
                Some(b'n') => Some(b'\n'),
                Some(b't') => Some(b'\t'),
                _ => None,
            };
            if let Some(r) = resolved {
                out.push(r);
                map.push(base + i + 1);
                i += 2;
                continue;
            }
        }
        out.push(c);
        map.push(base + i);
        i += 1;
    }
    map.push(base + b.len());
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    View {
        text,
        offsets: Offsets::from_vec(map),
        original: None,
    }
}

/// A line replaced by spaces (its line ending kept).
fn blank(line: &str, pos: usize, out: &mut String, map: &mut Vec<usize>) {
    for (k, b) in line.bytes().enumerate() {
        out.push(if b == b'\n' || b == b'\r' {
            b as char
        } else {
            ' '
        });
        map.push(pos + k);
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::shell::Script;

    fn argvs(s: &Script) -> Vec<Vec<String>> {
        s.commands
            .iter()
            .map(|c| c.argv.iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    #[test]
    fn yaml_block_and_quoted_scalars_map_to_the_file() {
        let file = "run: |\n  wandb login ${{ secrets.K }}\n  python t.py\n";
        let raw = &file[5..];
        let decoded = "wandb login ${{ secrets.K }}\npython t.py\n";
        let v = yaml_scalar(raw, decoded, 5);
        let s = Script::parse(&v);
        assert_eq!(argvs(&s)[0], ["wandb", "login", "${{ secrets.K }}"]);
        assert_eq!(
            &file[s.commands[0].argv[2].span.clone()],
            "${{ secrets.K }}"
        );
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let file = "run: \"echo \\\"$K\\\"\"\n";
        let v = yaml_scalar(&file[5..file.len() - 1], "echo \"$K\"", 5);
        let s = Script::parse(&v);
        assert_eq!(argvs(&s)[0], ["echo", "$K"]);
        assert_eq!(&file[s.commands[0].argv[1].range(0..2)], "$K");
    }

    #[test]
    fn makefile_recipes_only() {
        let t = "WANDB_ENTITY ?= team\n\ntrain: data\n\t@echo \"key $$WANDB_API_KEY\"\n\tpython train.py \\\n\t  --entity $(ENTITY)\n\nx := y\n";
        let s = Script::parse(&makefile(t));
        let a = argvs(&s);
        assert_eq!(a[0], ["echo", "key $WANDB_API_KEY"], "{a:?}");
        assert_eq!(a[1][0], "python");
        assert!(a[1].contains(&"--entity".to_string()));
        assert_eq!(a.len(), 3, "{a:?}"); // `$(ENTITY)` is a substitution
    }

    #[test]
    fn justfile_recipes() {
        let t = "export WANDB_PROJECT := \"p\"\n\ntrain epochs=\"3\":\n    @wandb login $WANDB_API_KEY\n    python train.py --epochs {{epochs}}\n";
        let s = Script::parse(&justfile(t));
        let a = argvs(&s);
        assert_eq!(a[0], ["wandb", "login", "$WANDB_API_KEY"]);
        assert_eq!(a[1][0], "python");
    }

    #[test]
    fn dockerfile_flags_comments_and_heredocs() {
        let file = "RUN --mount=type=secret,id=k \\\n    # note: wandb login\n    pip install wandb && \\\n    wandb login\n";
        let args_at = 4;
        let v = dockerfile_shell(&file[args_at..file.len() - 1], args_at);
        let s = Script::parse(&v);
        assert_eq!(
            argvs(&s),
            [vec!["pip", "install", "wandb"], vec!["wandb", "login"]]
        );
        let file = "RUN <<EOF\nexport WANDB_API_KEY=abc\nwandb login\nEOF\n";
        let v = dockerfile_shell(&file[4..file.len() - 1], 4);
        let s = Script::parse(&v);
        assert_eq!(argvs(&s).last().unwrap(), &vec!["wandb", "login"]);
        assert_eq!(&file[s.assignments[0].0.name_span.clone()], "WANDB_API_KEY");
    }
}
