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

/// A file of the repository a command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runs {
    /// A Python file: `python train.py`, `accelerate launch train.py`, `./train.py`.
    Python(String),
    /// A Python module: `python -m pkg.train`.
    Module(String),
    /// A shell script: `bash run.sh`, `./run.sh`, `source env.sh`.
    Shell(String),
}

impl Runs {
    /// The paths the file may have, relative to the directory the command runs in, most
    /// likely first: a module `pkg.train` is `pkg/train.py` or `pkg/train/__main__.py`, also
    /// under `src/`.
    pub fn candidates(&self) -> Vec<String> {
        match self {
            Runs::Python(p) | Runs::Shell(p) => vec![p.clone()],
            Runs::Module(m) => {
                let base = m.replace('.', "/");
                let mut out = Vec::new();
                for prefix in ["", "src/"] {
                    out.push(format!("{prefix}{base}.py"));
                    out.push(format!("{prefix}{base}/__main__.py"));
                }
                out
            }
        }
    }
}

/// A file a command runs, with the directory the command's own `cd`s moved to before it
/// (relative to where the command started, `""` for there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRun {
    /// The directory, `/`-separated.
    pub dir: String,
    /// What it runs.
    pub runs: Runs,
}

/// The repository files a command text runs: Python files and modules (directly, or through
/// `uv run`, `poetry run`, `accelerate launch`, `torchrun`, `env`, ...) and shell scripts.
/// Follows `cd` to a plain relative directory; after a `cd` it cannot follow (`cd $DIR`,
/// `cd /abs`), nothing more is returned. Paths with variables, globs or `~` are left out, and
/// so are absolute ones (they are outside the repository).
pub fn scripts_run(text: &str) -> Vec<ScriptRun> {
    let mut out = Vec::new();
    let mut dir = String::new();
    scripts_in(text, &mut dir, 0, &mut out);
    out
}

/// Adds the files `text` runs to `out`; false once a `cd` lost track of the directory.
fn scripts_in(text: &str, dir: &mut String, depth: usize, out: &mut Vec<ScriptRun>) -> bool {
    for seg in simple_commands(text) {
        let Some(raw) = text.get(seg) else {
            continue;
        };
        let words = shell_words(raw.get(command_start(raw)..).unwrap_or(""));
        let Some(first) = words.first() else {
            continue;
        };
        match first.as_str() {
            "cd" | "pushd" => match words.get(1).filter(|d| plain_path(d)) {
                Some(d) => *dir = join_dir(dir, d),
                None => return false,
            },
            "sh" | "bash" | "zsh" if words.get(1).is_some_and(|w| w == "-c") => {
                if depth < 2 {
                    let inner = words.get(2).cloned().unwrap_or_default();
                    if !scripts_in(&inner, dir, depth + 1, out) {
                        return false;
                    }
                }
            }
            _ => {
                if let Some(runs) = launched(&words) {
                    out.push(ScriptRun {
                        dir: dir.clone(),
                        runs,
                    });
                }
            }
        }
    }
    true
}

/// `dir` joined with the relative `sub`, lexically (`..` kept when it climbs above `dir`).
pub fn join_dir(dir: &str, sub: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in sub.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// A relative path with nothing the shell would expand.
fn plain_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with(['-', '/', '\\', '~'])
        && !p.contains(['$', '`', '*', '?', '{', '[', '%', ':'])
}

/// The words of a simple command, quotes removed; stops at a comment or a redirection.
fn shell_words(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in cmd.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                started = true;
            }
            None if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            None if !started && (c == '#' || c == '>' || c == '<') => break,
            None if c == '\\' => {}
            None => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

fn is_python(name: &str) -> bool {
    let rest = name
        .strip_prefix("python")
        .or_else(|| name.strip_prefix("pypy"));
    rest.is_some_and(|r| r.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_module(m: &str) -> bool {
    !m.is_empty()
        && !m.starts_with('.')
        && m.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// A word naming a script by its extension.
fn script_word(w: &str) -> Option<Runs> {
    if !plain_path(w) {
        return None;
    }
    let lower = w.to_ascii_lowercase();
    if lower.ends_with(".py") {
        Some(Runs::Python(w.to_string()))
    } else if lower.ends_with(".sh") || lower.ends_with(".bash") {
        Some(Runs::Shell(w.to_string()))
    } else {
        None
    }
}

/// The repository file a simple command (as words) runs.
fn launched(words: &[String]) -> Option<Runs> {
    let (first, rest) = words.split_first()?;
    let name = first.rsplit('/').next().unwrap_or(first);
    if is_python(name) {
        return python_args(rest);
    }
    let after = |sub: &str| {
        rest.split_first()
            .filter(|(w, _)| w.as_str() == sub)
            .map(|(_, tail)| tail)
    };
    let wrapped = match name {
        "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye" | "pixi" | "conda" | "mamba"
        | "micromamba" => after("run"),
        "accelerate" => after("launch"),
        "torchrun" | "deepspeed" | "horovodrun" | "mpirun" | "env" | "nohup" | "nice"
        | "timeout" | "xvfb-run" | "stdbuf" => Some(rest),
        "bash" | "sh" | "zsh" | "source" | "." => {
            return rest
                .iter()
                .find(|w| !w.starts_with('-'))
                .filter(|w| plain_path(w))
                .map(|w| Runs::Shell(w.clone()));
        }
        _ if first.contains('/') => return script_word(first),
        _ => None,
    };
    wrapped.and_then(launcher_args)
}

/// The arguments of a runner or launcher (`uv run ...`, `torchrun ...`): the interpreter it
/// starts, `-m module`, or the first script named by its extension.
fn launcher_args(args: &[String]) -> Option<Runs> {
    for (i, w) in args.iter().enumerate() {
        let name = w.rsplit('/').next().unwrap_or(w);
        if is_python(name) {
            return python_args(args.get(i + 1..).unwrap_or(&[]));
        }
        if matches!(name, "bash" | "sh") {
            return launched(args.get(i..).unwrap_or(&[]));
        }
        if w == "-m" || w == "--module" {
            return args
                .get(i + 1)
                .filter(|m| is_module(m))
                .map(|m| Runs::Module(m.clone()));
        }
        if let Some(r) = script_word(w) {
            return Some(r);
        }
    }
    None
}

/// The arguments of `python`: `-m module` (a launcher module such as `torch.distributed.run`
/// is followed to the script it starts), a script, or nothing (`-c`, stdin).
fn python_args(args: &[String]) -> Option<Runs> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let module = if w == "-m" {
            args.get(i + 1).map(String::as_str)
        } else {
            w.strip_prefix("-m")
                .filter(|m| !w.starts_with("--") && !m.is_empty())
        };
        if let Some(m) = module {
            let rest = args.get(i + if w == "-m" { 2 } else { 1 }..).unwrap_or(&[]);
            return match m {
                "torch.distributed.run"
                | "torch.distributed.launch"
                | "accelerate.commands.launch"
                | "deepspeed" => launcher_args(rest),
                m if is_module(m) => Some(Runs::Module(m.to_string())),
                _ => None,
            };
        }
        if w == "-" || w.starts_with("-c") {
            return None;
        }
        if matches!(w.as_str(), "-W" | "-X" | "--check-hash-based-pycs") {
            i += 2;
            continue;
        }
        if w.starts_with('-') {
            i += 1;
            continue;
        }
        return script_word(w).filter(|r| matches!(r, Runs::Python(_)));
    }
    None
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

    #[test]
    fn scripts_a_command_runs() {
        let runs = |t: &str| -> Vec<(String, Runs)> {
            scripts_run(t)
                .into_iter()
                .map(|r| (r.dir, r.runs))
                .collect()
        };
        let py = |p: &str| Runs::Python(p.to_string());
        let one = |t: &str| runs(t).into_iter().next().map(|(_, r)| r);
        assert_eq!(one("python train.py"), Some(py("train.py")));
        assert_eq!(
            one("python3 -u scripts/train.py --x 1"),
            Some(py("scripts/train.py"))
        );
        assert_eq!(
            one("python -m pkg.train --fast"),
            Some(Runs::Module("pkg.train".into()))
        );
        assert_eq!(one("uv run train.py"), Some(py("train.py")));
        assert_eq!(
            one("uv run --frozen python ml/eval.py"),
            Some(py("ml/eval.py"))
        );
        assert_eq!(one("poetry run python train.py"), Some(py("train.py")));
        assert_eq!(
            one("accelerate launch --num_processes 2 finetune.py --lr 3e-5"),
            Some(py("finetune.py"))
        );
        assert_eq!(
            one("torchrun --nproc_per_node 8 train.py"),
            Some(py("train.py"))
        );
        assert_eq!(
            one("python -m torch.distributed.run --nproc_per_node=2 -m pkg.train"),
            Some(Runs::Module("pkg.train".into()))
        );
        assert_eq!(
            one("WANDB_PROJECT=p sudo env A=1 python \"train.py\""),
            Some(py("train.py"))
        );
        assert_eq!(one("./run.sh"), Some(Runs::Shell("./run.sh".into())));
        assert_eq!(
            one("bash -e scripts/run.sh"),
            Some(Runs::Shell("scripts/run.sh".into()))
        );
        assert_eq!(one("bash -c 'python x.py'"), Some(py("x.py")));
        assert_eq!(one("./train.py"), Some(py("./train.py")));
        for none in [
            "python -c 'import wandb'",
            "python - <<'PY'",
            "python $SCRIPT",
            "python /opt/train.py",
            "pip install wandb",
            "poetry run pytest",
            "train.py",
            "python ~/train.py",
        ] {
            assert_eq!(runs(none), Vec::new(), "{none}");
        }
        assert_eq!(
            runs("cd ml && python finetune.py\ncd ../tools; python run.py"),
            vec![
                ("ml".into(), py("finetune.py")),
                ("tools".into(), py("run.py"))
            ]
        );
        assert_eq!(runs("cd \"$DIR\" && python train.py"), Vec::new());
        assert_eq!(
            Runs::Module("a.b".into()).candidates(),
            [
                "a/b.py",
                "a/b/__main__.py",
                "src/a/b.py",
                "src/a/b/__main__.py"
            ]
        );
        assert_eq!(join_dir("a/b", "../c"), "a/c");
        assert_eq!(join_dir("", "../c"), "../c");
    }
}
