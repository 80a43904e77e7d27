//! What shell commands (CI steps, `RUN` instructions, scripts) do with W&B credentials. Every
//! function takes the command's raw text as written in the file and returns byte ranges into
//! that text, so callers add the command's offset and point at the exact place.

use std::ops::Range;

crate::pattern::patterns! {
    PASSES_ENTITY: Text = r#"(?s)wandb\.init\([^)]*?\bentity\s*=|weave\.init\(\s*(?:f?["'][^"'/\s]+/[^"'\s]+["']|project_name\s*=\s*f?["'][^"'/\s]+/)|--entity["']?(?:\s*,\s*|\s*=\s*|\s+)["']?[A-Za-z0-9_${]|wandb\.Api\([^)]*?["']entity["']|os\.environ\s*\[\s*["']WANDB_ENTITY["']\s*\]\s*=[^=]|os\.environ\.setdefault\(\s*["']WANDB_ENTITY["']|os\.putenv\(\s*["']WANDB_ENTITY["']"#;
    LOGIN: Text = r"\bwandb\s+login\b([^\r\n;&|]*)";
    INLINE_KEY: Text = r#"(?m)(?:^|[\s;&|(])(WANDB_API_KEY=("[^"\n]*"|'[^'\n]*'|[^\s;&|'"]+))[ \t]+[A-Za-z./]"#;
    PY_PRINTS_KEY: Text = r#"\bprint\s*\([^\n)]*(?:os\.environ\s*\[\s*["']WANDB_API_KEY["']\s*\]|os\.environ\.get\(\s*["']WANDB_API_KEY["']|os\.getenv\(\s*["']WANDB_API_KEY["'])"#;
    ASSIGNMENT: Text = r#"(?mR)^[ \t]*(?:export[ \t]+|declare[ \t]+-x[ \t]+|set[ \t]+)?(WANDB_[A-Z_]+)[ \t]*(?::?=)[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s;#]*)[ \t]*(?:#.*)?$"#;
    WRITES_NETRC: Text = r">>?\s*\S*[/~]?\.netrc\b";
}

/// Whether the text passes the entity itself: `wandb.init(... entity=...)`,
/// `weave.init("team/project")`, `--entity x`, `wandb.Api(overrides={"entity": ...})`,
/// `os.environ["WANDB_ENTITY"] = ...`.
pub fn passes_entity(text: &str) -> bool {
    PASSES_ENTITY.is_match(text)
}

/// A `wandb login` in the text: the whole command, and its literal key argument if one is
/// given on the command line (not a `$VAR` reference, not a flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// `wandb login ...` up to the end of the command.
    pub span: Range<usize>,
    /// The literal key argument, if any.
    pub literal: Option<Range<usize>>,
}

/// Every `wandb login` in `text`.
pub fn logins(text: &str) -> Vec<Login> {
    let mut out = Vec::new();
    for c in LOGIN.captures_iter(text) {
        let (Some(all), Some(args)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let mut literal = None;
        let mut pos = args.start();
        for word in args.as_str().split_whitespace() {
            let at = text
                .get(pos..)
                .and_then(|rest| rest.find(word))
                .map_or(pos, |i| pos + i);
            pos = at + word.len();
            if word.starts_with('-') || word.starts_with('#') {
                if word.starts_with('#') {
                    break;
                }
                continue;
            }
            let bare = word.trim_matches(|c| c == '"' || c == '\'');
            if bare.starts_with('$')
                || bare.starts_with('%')
                || bare.contains("${{")
                || bare.len() < 8
            {
                break;
            }
            if bare
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                literal = Some(at..at + word.len());
            }
            break;
        }
        let end = all.start() + all.as_str().trim_end().len();
        out.push(Login {
            span: all.start()..end,
            literal,
        });
    }
    out
}

/// `WANDB_API_KEY=<literal> cmd`: the key given to one command on its command line. Returns
/// the assignment's range and the value's range.
pub fn inline_keys(text: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out = Vec::new();
    for c in INLINE_KEY.captures_iter(text) {
        let (Some(assign), Some(value)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let line_start = text[..assign.start()].rfind('\n').map_or(0, |i| i + 1);
        let before = text[line_start..assign.start()].trim_start();
        // `export X=... cmd` is not an inline assignment; `env X=... cmd` is.
        if before.starts_with("export") || before.starts_with("ENV") || before.starts_with("ARG") {
            continue;
        }
        let v = value.as_str().trim_matches(|c| c == '"' || c == '\'');
        if super::reference_name(v).is_some() || super::is_placeholder(v) {
            continue;
        }
        out.push((assign.start()..assign.end(), value.start()..value.end()));
    }
    out
}

/// The simple commands of a text: each line split at `;`, `&&`, `||` and `|` outside quotes.
/// Ranges into `text`, trimmed.
pub fn simple_commands(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut start = 0;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    let push = |from: usize, to: usize, out: &mut Vec<Range<usize>>| {
        let seg = text.get(from..to).unwrap_or("");
        let lead = seg.len() - seg.trim_start().len();
        let trimmed = seg.trim();
        if !trimmed.is_empty() {
            out.push(from + lead..from + lead + trimmed.len());
        }
    };
    while let Some(&c) = b.get(i) {
        match quote {
            Some(q) => {
                if c == b'\\' && q == b'"' {
                    i += 1;
                } else if c == q {
                    quote = None;
                } else if c == b'\n' {
                    quote = None;
                    push(start, i, &mut out);
                    start = i + 1;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'\n' | b';' | b'|' | b'&' => {
                    push(start, i, &mut out);
                    // `&&`, `||`: skip the second character.
                    if (c == b'&' || c == b'|') && b.get(i + 1) == Some(&c) {
                        i += 1;
                    }
                    start = i + 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    push(start, b.len(), &mut out);
    out
}

/// Where the command proper starts in a simple command: after YAML list dashes and quotes,
/// a Dockerfile keyword and its `--flags`, `sudo`/`exec`, and `NAME=value` prefixes.
fn command_start(raw: &str) -> usize {
    let mut rest = raw;
    let skip = |r: &str| {
        r.len()
            - r.trim_start_matches(['-', ' ', '\t', '|', '>', '"', '\'', '`'])
                .len()
    };
    rest = &rest[skip(rest)..];
    if let Some(r) = rest.strip_prefix("run:") {
        rest = r.trim_start();
    }
    loop {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        let dockerfile = matches!(word, "RUN" | "CMD" | "ENTRYPOINT");
        let prefix = matches!(word, "sudo" | "exec" | "command" | "time")
            || word.starts_with("--")
            || (word.contains('=')
                && word.split('=').next().is_some_and(|n| {
                    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                }));
        if (dockerfile || prefix) && word_end < rest.len() {
            rest = rest[word_end..].trim_start();
        } else {
            break;
        }
    }
    raw.len() - rest.len()
}

/// Commands that print the key: `echo ... $WANDB_API_KEY`, `printf`, `printenv WANDB_API_KEY`,
/// `print(os.environ["WANDB_API_KEY"])`, and whole-environment dumps (`env`, `printenv`,
/// `export -p`, `set` as a command of their own, also piped into `sort`). Looks inside
/// `sh -c '...'` and `bash -c "..."`.
pub fn prints_key(text: &str) -> Vec<(Range<usize>, &'static str)> {
    let mut out = Vec::new();
    prints_key_in(text, 0, 0, &mut out);
    for (span, what) in python_prints_key(text) {
        if !out
            .iter()
            .any(|(s, _)| s.start <= span.start && span.start < s.end)
        {
            out.push((span, what));
        }
    }
    out
}

/// `print(os.environ["WANDB_API_KEY"])` and its `.get`/`getenv` forms, in Python code.
pub fn python_prints_key(text: &str) -> Vec<(Range<usize>, &'static str)> {
    if memchr::memmem::find(text.as_bytes(), b"print").is_none() {
        return Vec::new();
    }
    PY_PRINTS_KEY
        .find_iter(text)
        .map(|m| (m.start()..m.end(), "prints the key"))
        .collect()
}

fn prints_key_in(
    text: &str,
    base: usize,
    depth: usize,
    out: &mut Vec<(Range<usize>, &'static str)>,
) {
    let key_ref = |s: &str| s.contains("$WANDB_API_KEY") || s.contains("${WANDB_API_KEY");
    for seg in simple_commands(text) {
        let Some(raw) = text.get(seg.clone()) else {
            continue;
        };
        let start = command_start(raw);
        let cmd = raw
            .get(start..)
            .unwrap_or("")
            .trim_end_matches(['"', '\'', '`', ' '])
            .trim();
        let mut words = cmd.split_whitespace();
        let word = words.next().unwrap_or("");
        let span = base + seg.start..base + seg.end;
        if matches!(word, "sh" | "bash" | "zsh") && words.next() == Some("-c") && depth < 3 {
            // The script given to the shell: look inside it.
            if let Some(at) = cmd.find("-c") {
                let inner_start = seg.start + start + at + 2;
                let inner = text.get(inner_start..seg.end).unwrap_or("");
                let lead = inner.len() - inner.trim_start_matches([' ', '\t', '"', '\'']).len();
                let body = inner[lead..].trim_end_matches(['"', '\'', ' ']);
                prints_key_in(body, base + inner_start + lead, depth + 1, out);
            }
            continue;
        }
        let printing =
            matches!(word, "echo" | "printf" | "print" | "cat") || cmd.starts_with("cat <<<");
        let printenv_key =
            word == "printenv" && cmd.split_whitespace().nth(1) == Some("WANDB_API_KEY");
        if (printing && key_ref(cmd)) || printenv_key {
            out.push((span, "prints the key"));
        } else if matches!(
            cmd,
            "env" | "printenv" | "export -p" | "set" | "declare -x" | "declare -p"
        ) {
            out.push((span, "dumps the whole environment, key included"));
        }
    }
}

/// `export NAME=value` and bare `NAME=value` lines that set a W&B variable in a script. Returns
/// (name, name range, raw value, value range).
pub fn assignments(text: &str) -> Vec<(String, Range<usize>, String, Range<usize>)> {
    let mut out = Vec::new();
    for c in ASSIGNMENT.captures_iter(text) {
        let (Some(name), Some(value)) = (c.get(1), c.get(2)) else {
            continue;
        };
        out.push((
            name.as_str().to_string(),
            name.start()..name.end(),
            value.as_str().to_string(),
            value.start()..value.end(),
        ));
    }
    out
}

/// A netrc written by the command (`echo "machine api.wandb.ai ..." >> ~/.netrc`,
/// `cat > ~/.netrc`): the key lands in whatever layer or log keeps the command's effects.
pub fn writes_netrc(text: &str) -> Option<Range<usize>> {
    WRITES_NETRC.find(text).map(|m| m.start()..m.end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_with_and_without_literal() {
        let t = "pip install wandb\nwandb login $WANDB_API_KEY\nwandb login --relogin abcdef0123456789abcdef\n";
        let l = logins(t);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].literal, None);
        let lit = l[1].literal.clone().expect("literal");
        assert_eq!(&t[lit], "abcdef0123456789abcdef");
    }

    #[test]
    fn inline_keys_and_prints() {
        let t = "WANDB_API_KEY=abc123def456 python train.py\nexport WANDB_API_KEY=x y\nWANDB_API_KEY=$K python x.py\n";
        let k = inline_keys(t);
        assert_eq!(k.len(), 1);
        assert_eq!(&t[k[0].1.clone()], "abc123def456");
        let p = prints_key(
            "echo \"key is $WANDB_API_KEY\"\nprintenv WANDB_API_KEY\n  env\nenv FOO=1 cmd\n",
        );
        assert_eq!(p.len(), 3, "{p:?}");
    }

    #[test]
    fn entity_in_code() {
        assert!(passes_entity(
            "wandb.init(project=\"p\", entity=\"ml-team\")"
        ));
        assert!(passes_entity("weave.init(\"ml-team/eval\")"));
        assert!(passes_entity("python train.py --entity ml-team"));
        assert!(!passes_entity("wandb.init(project=\"p\")"));
        assert!(!passes_entity("weave.init(\"eval\")"));
        assert!(passes_entity("os.environ[\"WANDB_ENTITY\"] = \"ml-team\""));
        assert!(!passes_entity("team = os.environ[\"WANDB_ENTITY\"]"));
    }

    #[test]
    fn script_assignments() {
        let a = assignments("export WANDB_ENTITY=ml-team\nWANDB_API_KEY=\"$KEY\"\necho x\n");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].0, "WANDB_ENTITY");
        assert_eq!(a[1].2, "\"$KEY\"");
    }

    #[test]
    fn crlf_lines_read_as_lf_lines() {
        let t = "export WANDB_ENTITY=ml-team\r\nWANDB_API_KEY=\"$KEY\" # ci\r\nwandb login abcdef0123456789abcdef\r\n";
        let a = assignments(t);
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(&t[a[0].3.clone()], "ml-team");
        assert_eq!(a[1].2, "\"$KEY\"");
        let l = logins(t);
        assert_eq!(l.len(), 1);
        assert!(!t[l[0].span.clone()].contains('\r'));
        assert_eq!(
            l[0].literal.clone().map(|r| &t[r]),
            Some("abcdef0123456789abcdef")
        );
    }
}
