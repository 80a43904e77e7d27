//! What shell commands (CI steps, `RUN` instructions, scripts, recipes) do with W&B
//! credentials. Shell is read by a real parser ([`parse`]): commands are argv words,
//! assignments, redirections and heredocs, so a comment or a string that merely mentions
//! `wandb login` is not a login, and an escaped `\${X}` in a heredoc is a reference. Every
//! range returned is a byte range in the file.

pub mod dialect;
pub mod elide;
pub mod parse;
pub mod quick;
pub mod syntax;
pub mod word;

use std::ops::Range;

pub use parse::{Assign, Context, Redirect, Script, SimpleCommand, View};
pub use word::Word;

crate::pattern::patterns! {
    PASSES_ENTITY: Text = r#"(?s)wandb\.init\([^)]*?\bentity\s*=|weave\.init\(\s*(?:f?["'][^"'/\s]+/[^"'\s]+["']|project_name\s*=\s*f?["'][^"'/\s]+/)|--entity["']?(?:\s*,\s*|\s*=\s*|\s+)["']?[A-Za-z0-9_${]|wandb\.Api\([^)]*?["']entity["']|os\.environ\s*\[\s*["']WANDB_ENTITY["']\s*\]\s*=[^=]|os\.environ\.setdefault\(\s*["']WANDB_ENTITY["']|os\.putenv\(\s*["']WANDB_ENTITY["']"#;
    DUMPS_ENV: Text = r"(?m)(?:^|[;&|(`]|\$\()\s*(?:sudo\s+)?(?:env|printenv|set|export\s+-p|declare\s+-[px])\s*(?:$|[;&|)#`>])";
    PY_PRINTS_KEY: Text = r#"\bprint\s*\([^\n)]*(?:os\.environ\s*\[\s*["']WANDB_API_KEY["']\s*\]|os\.environ\.get\(\s*["']WANDB_API_KEY["']|os\.getenv\(\s*["']WANDB_API_KEY["'])"#;
}

/// Whether code (Python, or any text taken as code) passes the entity itself:
/// `wandb.init(... entity=...)`, `weave.init("team/project")`, `--entity x`,
/// `wandb.Api(overrides={"entity": ...})`, `os.environ["WANDB_ENTITY"] = ...`.
pub fn code_passes_entity(text: &str) -> bool {
    PASSES_ENTITY.is_match(text)
}

/// Whether a command passes the entity: `--entity x` among its words, or code it runs
/// (`python -c "wandb.init(entity=...)"`) that does. Comments never count.
fn command_passes_entity(c: &SimpleCommand) -> bool {
    let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
    let start = wrapped_start(&words);
    let rest = words.get(start..).unwrap_or(&[]);
    // `wandb launch -e team`, `wandb agent -e team`, `wandb sweep -e team`.
    let wandb_e = rest
        .first()
        .is_some_and(|w| w.rsplit('/').next() == Some("wandb"))
        && rest.contains(&"-e");
    // Code fed to the command (`python - <<'PY' ... PY`, `python <<< "..."`).
    let fed = c.redirects.iter().any(|r| {
        r.op.starts_with("<<")
            && r.target
                .as_ref()
                .is_some_and(|t| code_passes_entity(&t.text))
    });
    wandb_e
        || fed
        || rest
            .iter()
            .any(|w| entity_flag(w) || (w.len() > 12 && code_passes_entity(w)))
}

/// `--entity`, `-wandb_entity`, `--wandb-entity=x`, `--wandb.entity x`: a flag that hands a
/// program the entity (one or two dashes, as argparse scripts write them).
fn entity_flag(w: &str) -> bool {
    let Some(flag) = w.strip_prefix("--").or_else(|| w.strip_prefix('-')) else {
        return false;
    };
    let name = flag.split('=').next().unwrap_or(flag);
    matches!(
        name,
        "entity" | "wandb-entity" | "wandb_entity" | "wandb.entity" | "wandb_entity_name"
    )
}

/// Whether the script's commands pass the entity (in the script's own environment).
pub fn passes_entity(script: &Script) -> bool {
    script
        .main_commands()
        .any(|(_, c)| command_passes_entity(c))
        || {
            // Set in the script's environment, and exported so that its programs see it.
            let exported = exported_names(script);
            script.assignments.iter().any(|(a, ctx)| {
                *ctx == 0
                    && a.name == crate::formats::ENTITY
                    && sets_value(a)
                    && is_exported(a, exported.as_deref())
            })
        }
}

/// An assignment to a non-empty value.
fn sets_value(a: &Assign) -> bool {
    a.value.as_ref().is_some_and(|v| !v.text.trim().is_empty())
}

/// Where the command proper starts among the words: after `sudo`, `env NAME=V`, `exec`,
/// `command`, `time`, `nohup`, `nice`, `timeout DUR`, `stdbuf`, and runners such as `uv run`,
/// `poetry run`, `conda run -n env`.
pub fn wrapped_start(words: &[&str]) -> usize {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let name = w.rsplit('/').next().unwrap_or(w);
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        match name {
            "sudo" | "env" | "nice" | "stdbuf" | "ionice" => {
                i += 1;
                // Their options, and `env`'s assignments.
                while let Some(o) = words.get(i) {
                    let takes_value =
                        matches!(*o, "-u" | "-g" | "-n" | "-C" | "-U" | "-p" | "-h" | "-c");
                    if o.starts_with('-') {
                        i += if takes_value { 2 } else { 1 };
                    } else if name == "env" && is_assignment(o) {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            "exec" | "command" | "time" | "nohup" | "builtin" | "xvfb-run" | "unbuffer" => i += 1,
            "timeout" => {
                i += 1;
                while words.get(i).is_some_and(|o| o.starts_with('-')) {
                    i += 1;
                }
                i += 1;
            }
            "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye" | "pixi" if next(1) == "run" => {
                i += 2;
                while words.get(i).is_some_and(|o| o.starts_with('-')) {
                    i += 1;
                }
            }
            "conda" | "mamba" | "micromamba" if next(1) == "run" => {
                i += 2;
                while let Some(o) = words.get(i) {
                    if matches!(*o, "-n" | "--name" | "-p" | "--prefix") {
                        i += 2;
                    } else if o.starts_with('-') {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            _ => break,
        }
    }
    i.min(words.len())
}

/// `NAME=value` as one word.
fn is_assignment(w: &str) -> bool {
    w.split_once('=').is_some_and(|(n, _)| {
        !n.is_empty()
            && !n.starts_with(|c: char| c.is_ascii_digit())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A `wandb login`: the whole command, and its literal key argument if one is given on the
/// command line (not a reference, not a flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The command's span in the file.
    pub span: Range<usize>,
    /// The literal key argument's span in the file, if any.
    pub literal: Option<Range<usize>>,
    /// Index into the script's contexts of where it runs.
    pub context: usize,
}

/// Every `wandb login` the script runs (also `python -m wandb login`, `uv run wandb login`).
pub fn logins(script: &Script) -> Vec<Login> {
    let mut out = Vec::new();
    for c in script.own_commands() {
        let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
        let mut i = wrapped_start(&words);
        let first = words.get(i).copied().unwrap_or("");
        let name = first.rsplit('/').next().unwrap_or(first);
        if is_python(name) && words.get(i + 1) == Some(&"-m") && words.get(i + 2) == Some(&"wandb")
        {
            i += 2;
        } else if name != "wandb" {
            continue;
        }
        if words.get(i + 1) != Some(&"login") {
            continue;
        }
        let mut literal = None;
        let mut k = i + 2;
        while let Some(w) = c.argv.get(k) {
            if w.text.starts_with('-') {
                // `--host URL`, `--anonymously MODE` take a value.
                k += if matches!(w.text.as_str(), "--host" | "--anonymously") {
                    2
                } else {
                    1
                };
                continue;
            }
            let plain = w
                .text
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
            if !w.expands && plain && w.text.len() >= 8 && !crate::formats::is_placeholder(&w.text)
            {
                literal = Some(w.span.clone());
            }
            break;
        }
        out.push(Login {
            span: c.span.clone(),
            literal,
            context: c.context,
        });
    }
    out
}

/// `WANDB_API_KEY=<literal> cmd` (also after `env`): the key given to one command on its
/// command line. Returns the assignment's range and the value's range.
pub fn inline_keys(script: &Script) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out = Vec::new();
    let literal = |w: &Word| {
        !w.expands && !crate::formats::is_placeholder(&w.text) && !w.text.trim().is_empty()
    };
    for c in script.own_commands() {
        if c.argv.is_empty() {
            continue;
        }
        for a in &c.assigns {
            if let (true, Some(v)) = (a.name == crate::formats::API_KEY, &a.value) {
                if literal(v) {
                    out.push((a.span.clone(), v.span.clone()));
                }
            }
        }
        // `env WANDB_API_KEY=... cmd`.
        let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
        let end = wrapped_start(&words);
        for w in c.argv.get(..end).unwrap_or(&[]) {
            let Some(value) = w.text.strip_prefix("WANDB_API_KEY=") else {
                continue;
            };
            let at = w.text.len() - value.len();
            let v = Word {
                text: value.to_string(),
                span: w.range(at..w.text.len()),
                expands: w.expands,
                offsets: w.offsets.slice(at..w.text.len()),
            };
            if literal(&v) && end < words.len() {
                out.push((w.span.clone(), v.span));
            }
        }
    }
    out
}

/// Whether a text may hold a command that dumps the whole environment (`env`, `printenv`,
/// `set`, `export -p`, `declare -x`/`-p` as a command of its own): a cheap test before a
/// text is parsed for it.
pub fn may_dump_env(text: &str) -> bool {
    DUMPS_ENV.is_match(text)
}

/// A word that reads the key: `$WANDB_API_KEY`, `${WANDB_API_KEY...}`.
fn reads_key(w: &Word) -> bool {
    w.expands && (w.text.contains("$WANDB_API_KEY") || w.text.contains("${WANDB_API_KEY"))
}

/// Whether a command's output reaches the log: not redirected to a file, and not piped into
/// a command that consumes it (only into ones that pass it on, such as `sort` or `grep`).
fn output_reaches_log(script: &Script, c: &SimpleCommand) -> bool {
    let to_file = c.redirects.iter().any(|r| {
        matches!(r.op.as_str(), ">" | ">>" | "&>" | ">|" | "&>>")
            && r.target.as_ref().is_some_and(|t| {
                !matches!(t.text.as_str(), "/dev/stdout" | "/dev/stderr" | "/dev/tty")
            })
    });
    if to_file {
        return false;
    }
    match c.piped_to.and_then(|i| script.commands.get(i)) {
        None => true,
        Some(next) => {
            let name = next.argv.first().map_or("", |w| w.text.as_str());
            matches!(
                name,
                "sort"
                    | "grep"
                    | "egrep"
                    | "tee"
                    | "cat"
                    | "head"
                    | "tail"
                    | "uniq"
                    | "less"
                    | "column"
            ) && output_reaches_log(script, next)
        }
    }
}

/// Commands that print the key: `echo ... $WANDB_API_KEY`, `printf`, `printenv WANDB_API_KEY`,
/// `python -c "print(os.environ[...])"`, and whole-environment dumps (`env`, `printenv`,
/// `export -p`, `set`, `declare -x`), also piped into `sort` or `grep`; output redirected to
/// a file or piped into a consumer (`docker login --password-stdin`) is not printed.
pub fn prints_key(script: &Script) -> Vec<(Range<usize>, &'static str)> {
    let mut out = Vec::new();
    for c in script.own_commands() {
        let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
        // A wrapper alone (`env`, `nice`) is the command itself.
        let start = match wrapped_start(&words) {
            s if s >= words.len() => 0,
            s => s,
        };
        let Some(first) = words.get(start) else {
            continue;
        };
        let args = c.argv.get(start + 1..).unwrap_or(&[]);
        let what = match *first {
            "echo" | "printf" | "print" if args.iter().any(reads_key) => Some("prints the key"),
            "cat"
                if c.redirects
                    .iter()
                    .any(|r| r.op == "<<<" && r.target.as_ref().is_some_and(reads_key)) =>
            {
                Some("prints the key")
            }
            "printenv"
                if args.len() == 1
                    && args
                        .first()
                        .is_some_and(|a| a.text == crate::formats::API_KEY) =>
            {
                Some("prints the key")
            }
            "env" | "printenv" if args.is_empty() && start == 0 => {
                Some("dumps the whole environment, key included")
            }
            "export" | "declare"
                if args.len() == 1
                    && args
                        .first()
                        .is_some_and(|a| matches!(a.text.as_str(), "-p" | "-x")) =>
            {
                Some("dumps the whole environment, key included")
            }
            "set" if args.is_empty() => Some("dumps the whole environment, key included"),
            name if is_python(name.rsplit('/').next().unwrap_or(name)) => args
                .iter()
                .any(|w| !python_prints_key(&w.text).is_empty())
                .then_some("prints the key"),
            _ => None,
        };
        if let Some(what) = what {
            if output_reaches_log(script, c) {
                out.push((c.span.clone(), what));
            }
        }
    }
    out
}

/// `print(os.environ["WANDB_API_KEY"])` and its `.get`/`getenv` forms, in Python code.
/// Ranges into `text`.
pub fn python_prints_key(text: &str) -> Vec<(Range<usize>, &'static str)> {
    if memchr::memmem::find(text.as_bytes(), b"print").is_none() {
        return Vec::new();
    }
    PY_PRINTS_KEY
        .find_iter(text)
        .map(|m| (m.start()..m.end(), "prints the key"))
        .collect()
}

/// Assignments of W&B variables that stand as statements in the script's own environment
/// (`export WANDB_ENTITY=team`, `WANDB_API_KEY="$KEY"`, `declare -x ...`).
pub fn assignments(script: &Script) -> Vec<&Assign> {
    script
        .assignments
        .iter()
        .filter(|(a, ctx)| *ctx == 0 && a.name.starts_with("WANDB_"))
        .map(|(a, _)| a)
        .collect()
}

/// The names the script exports without assigning (`export NAME`, `declare -x NAME`), or
/// `None` when it exports everything it assigns (`set -a`, `set -o allexport`).
pub fn exported_names(script: &Script) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for (_, c) in script.main_commands() {
        let words: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
        match words.as_slice() {
            ["set", "-a"] | ["set", "-o", "allexport"] => return None,
            ["export" | "declare" | "typeset", rest @ ..] => {
                // `export -n NAME` takes the export away.
                let unexport = rest.iter().any(|w| w.starts_with('-') && w.contains('n'));
                let declare_x = !unexport
                    && (words.first() == Some(&"export")
                        || rest.iter().any(|w| w.starts_with('-') && w.contains('x')));
                if declare_x {
                    names.extend(
                        rest.iter()
                            .filter(|w| !w.starts_with('-'))
                            .map(|w| w.split('=').next().unwrap_or(w).to_string()),
                    );
                }
            }
            _ => {}
        }
    }
    Some(names)
}

/// Whether an assignment reaches the programs a script runs: exported where it is made, or
/// named by an `export` (`names` from [`exported_names`]; `None`: everything is exported).
pub fn is_exported(a: &Assign, names: Option<&[String]>) -> bool {
    a.exported || names.is_none_or(|n| n.iter().any(|x| x == &a.name))
}

/// A netrc the script writes (`echo "machine api.wandb.ai ..." >> ~/.netrc`,
/// `cat > ~/.netrc`, `tee ~/.netrc`): the key lands in whatever keeps the command's effects.
pub fn writes_netrc(script: &Script) -> Option<Range<usize>> {
    let netrc = |w: &Word| w.text.ends_with(".netrc") || w.text.ends_with("_netrc");
    script.own_commands().find_map(|c| {
        let redirect = c.redirects.iter().find_map(|r| {
            r.target
                .as_ref()
                .filter(|t| matches!(r.op.as_str(), ">" | ">>" | ">|") && netrc(t))
                .map(|t| t.span.clone())
        });
        let tee = c
            .argv
            .first()
            .filter(|w| w.text == "tee")
            .and_then(|_| c.argv.iter().skip(1).find(|w| netrc(w)))
            .map(|w| w.span.clone());
        redirect.or(tee)
    })
}

/// The repository files a script runs, in its own environment: Python files and modules
/// (directly, or through `uv run`, `poetry run`, `accelerate launch`, `torchrun`, `env`, ...)
/// and shell scripts. Follows `cd` to a plain relative directory; after a `cd` it cannot
/// follow (`cd $DIR`, `cd /abs`), nothing more is returned. Paths with variables, globs or `~`
/// are left out, and so are absolute ones (they are outside the repository).
pub fn scripts_run(script: &Script) -> Vec<ScriptRun> {
    let mut out = Vec::new();
    let mut dir = String::new();
    for (_, c) in script.main_commands() {
        let words: Vec<String> = c.argv.iter().map(|w| w.text.clone()).collect();
        let Some(first) = words.first() else {
            continue;
        };
        match first.as_str() {
            "cd" | "pushd" => match words.get(1).filter(|d| plain_path(d)) {
                Some(d) => dir = join_dir(&dir, d),
                None => return out,
            },
            _ => {
                let refs: Vec<&str> = words.iter().map(String::as_str).collect();
                let start = wrapped_start(&refs);
                let rest = words.get(start..).unwrap_or(&[]);
                // `uv run train.py`: a runner names the script directly.
                let runner = refs.get(..start).is_some_and(|w| w.contains(&"run"));
                let runs = launched(&words)
                    .or_else(|| launched(rest))
                    .or_else(|| runner.then(|| launcher_args(rest)).flatten());
                if let Some(runs) = runs {
                    out.push(ScriptRun {
                        dir: dir.clone(),
                        runs,
                    });
                }
            }
        }
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
            // `bash -c '...'` runs a text, parsed as commands of its own.
            if rest
                .iter()
                .take_while(|w| w.starts_with('-'))
                .any(|w| !w.starts_with("--") && w.contains('c'))
            {
                return None;
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Script {
        Script::parse_at(t, 0)
    }

    #[test]
    fn logins_with_and_without_literal() {
        let t = "pip install wandb\nwandb login $WANDB_API_KEY\nwandb login --relogin abcdef0123456789abcdef\n";
        let l = logins(&parse(t));
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].literal, None);
        let lit = l[1].literal.clone().expect("literal");
        assert_eq!(&t[lit], "abcdef0123456789abcdef");
    }

    #[test]
    fn comments_and_strings_are_not_commands() {
        let t = "#!/bin/bash\n# remember: wandb login before running\necho \"then run wandb login yourself\"\ncmd --flag   # or use wandb login command\n";
        assert!(logins(&parse(t)).is_empty());
    }

    #[test]
    fn inline_keys_and_prints() {
        let t = "WANDB_API_KEY=abc123def456 python train.py\nexport WANDB_API_KEY=x y\nWANDB_API_KEY=$K python x.py\nenv WANDB_API_KEY=abc123def456 python t.py\n";
        let k = inline_keys(&parse(t));
        assert_eq!(k.len(), 2, "{k:?}");
        assert_eq!(&t[k[0].1.clone()], "abc123def456");
        assert_eq!(&t[k[1].1.clone()], "abc123def456");
        assert!(k[1].1.start > 60);
        let p = prints_key(&parse(
            "echo \"key is $WANDB_API_KEY\"\nprintenv WANDB_API_KEY\n  env\nenv FOO=1 cmd\necho \"$WANDB_API_KEY\" | docker login --password-stdin\necho $WANDB_API_KEY > key.txt\nenv | sort\n",
        ));
        assert_eq!(p.len(), 4, "{p:?}");
    }

    #[test]
    fn environment_dumps_are_told_cheaply() {
        for yes in [
            "env",
            "  env | sort",
            "x=1; printenv",
            "set",
            "export -p > e.txt",
            "sudo env",
        ] {
            assert!(may_dump_env(yes), "{yes}");
        }
        for no in [
            "set -e",
            "env FOO=1 cmd",
            "pip install python-dotenv",
            "python -m venv .venv",
        ] {
            assert!(!may_dump_env(no), "{no}");
        }
    }

    #[test]
    fn entity_in_code() {
        assert!(code_passes_entity(
            "wandb.init(project=\"p\", entity=\"ml-team\")"
        ));
        assert!(code_passes_entity("weave.init(\"ml-team/eval\")"));
        assert!(passes_entity(&parse("python train.py --entity ml-team")));
        assert!(passes_entity(&parse(
            "python -c 'import wandb; wandb.init(entity=\"ml\")'"
        )));
        assert!(passes_entity(&parse("wandb launch -e ml-team -q q")));
        assert!(!passes_entity(&parse(
            "python train.py  # --entity ml-team"
        )));
        assert!(!code_passes_entity("wandb.init(project=\"p\")"));
        assert!(!code_passes_entity("weave.init(\"eval\")"));
        assert!(code_passes_entity(
            "os.environ[\"WANDB_ENTITY\"] = \"ml-team\""
        ));
        assert!(!code_passes_entity("team = os.environ[\"WANDB_ENTITY\"]"));
        assert!(passes_entity(&parse("export WANDB_ENTITY=ml\npython t.py")));
    }

    #[test]
    fn script_assignments() {
        let s = parse("export WANDB_ENTITY=ml-team\nWANDB_API_KEY=\"$KEY\"\necho x\n");
        let a = assignments(&s);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].name, "WANDB_ENTITY");
        assert_eq!(a[1].raw, "\"$KEY\"");
    }

    #[test]
    fn crlf_lines_read_as_lf_lines() {
        let t = "export WANDB_ENTITY=ml-team\r\nWANDB_API_KEY=\"$KEY\" # ci\r\nwandb login abcdef0123456789abcdef\r\n";
        let s = parse(t);
        let a = assignments(&s);
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!(&t[a[0].value.as_ref().unwrap().span.clone()], "ml-team");
        assert_eq!(a[1].raw, "\"$KEY\"");
        let l = logins(&s);
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
            scripts_run(&parse(t))
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
