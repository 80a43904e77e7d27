//! Launchers as data: the commands that start a job, process, container or pod somewhere else
//! (`docker run`, `srun`, `mpirun`, `kubectl run`, `sky launch`...), and how each one passes
//! environment to what it starts.
//!
//! The knowledge lives in one table, `rules/launchers/launchers.yaml` (embedded at build
//! time), one row per launcher: the words that name it, its flags and what each flag takes
//! (`NAME`, `NAME=VALUE`, comma lists, env files, pass-all / pass-none switches, an entity),
//! where the launched command starts, and examples that `tests/launchers.rs` runs. Adding a
//! launcher is one row; this module is the one interpreter of rows.
//!
//! [`launch`] reads one simple command's argv words (quotes already removed by the shell
//! reader, expansions kept as written) and says what the command starts and with which
//! environment. It never panics, whatever the words.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;

/// The table, as written in the repository.
pub const TABLE_PATH: &str = "rules/launchers/launchers.yaml";
const TABLE_TEXT: &str = include_str!("../../rules/launchers/launchers.yaml");

/// Which of the caller's environment variables the launched process sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Inherit {
    /// All of them (plus what the launcher sets).
    All,
    /// None: only what the launcher sets or forwards by name ([`LaunchVar::value`] `None`).
    None,
    /// Only the ones the launcher lists (forwarded by name) plus what it sets.
    Listed,
}

/// What the launched command is, from [`Launch::command`] on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// A program and its arguments, one word each (`python train.py`).
    Program,
    /// A shell command line: the words from [`Launch::command`] on, joined with spaces (`ssh
    /// host 'cd x && python y'`, `sbatch --wrap "..."`), to be parsed as shell in turn.
    Shell,
    /// A script file the job runs (`sbatch train.sbatch`, `qsub job.pbs`).
    Script,
    /// A Python file, or a module name after `-m` (`torchrun train.py`).
    Python,
    /// A task or configuration file the launcher reads (`sky launch task.yaml`).
    TaskFile,
}

/// One variable a launcher sets or forwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchVar {
    /// Its name.
    pub name: String,
    /// The value given, as written (expansions kept); `None` when the launcher forwards the
    /// caller's variable of that name (`docker run -e NAME`, `mpirun -x NAME`).
    pub value: Option<String>,
    /// The argv index of the word holding the name.
    pub word: usize,
    /// The name's byte range inside that word.
    pub name_range: Range<usize>,
    /// The argv index of the word holding the value (the same word except for two-word forms
    /// such as `mpiexec -genv NAME VALUE`).
    pub value_word: usize,
    /// The value's byte range inside `value_word` (empty, at the name's end, without a value).
    pub value_range: Range<usize>,
    /// The value names a secret in the platform's own store (`gcloud run jobs deploy
    /// --set-secrets NAME=secret:version`), not the value itself.
    pub secret: bool,
}

/// What one command line starts, and the environment it hands over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The table row's name: `docker run`, `srun`, `mpirun`.
    pub launcher: String,
    /// What it starts, for messages: `container`, `job`, `process`, `pod`, `remote shell`.
    pub kind: String,
    /// Which of the caller's variables the launched process sees.
    pub inherits: Inherit,
    /// Variables set or forwarded, in argv order. A launcher's implicit ones (`wandb
    /// docker-run` adds the caller's key) come first, at word 0.
    pub vars: Vec<LaunchVar>,
    /// Variables removed from what is inherited (`env -u NAME`, `bsub -env "~NAME"`), with
    /// the argv index of the word.
    pub unset: Vec<(String, usize)>,
    /// Env files given (path as written, argv index; word 0 for a file the launcher reads by
    /// itself, such as DeepSpeed's `.deepspeed_env`).
    pub env_files: Vec<(String, usize)>,
    /// An entity passed by the launcher's own flag (`wandb launch --entity X`), with the argv
    /// index of the word holding it.
    pub entity: Option<(String, usize)>,
    /// The argv index where the launched command starts, if the line gives one.
    pub command: Option<usize>,
    /// Byte offset inside `argv[command]` where the command starts (non-zero for a command
    /// given glued to its flag, `sbatch --wrap=...`).
    pub command_offset: usize,
    /// What the command is.
    pub command_kind: CommandKind,
}

// ---------------------------------------------------------------------------------------------
// The table's raw form (serde, unknown keys refused), then the validated rows.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    launchers: Vec<RawRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawCommand {
    Argv,
    Shell,
    Script,
    Python,
    Task,
    None,
}

/// What `--` means on a row's command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Dashdash {
    /// It ends the options; the positionals still missing come next, then the command
    /// (getopt and pflag style: `docker run -- img cmd`, `ssh -- host cmd`).
    Operands,
    /// The command is what follows it, and only that: operands before it are the launcher's
    /// own (`runai submit job -i img -- cmd`, `kubectl run x --image=i -- cmd`).
    Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum UnknownFlag {
    Switch,
    Value,
    Guess,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    name: String,
    commands: Vec<String>,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    docs: Vec<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    inherits: Option<Inherit>,
    #[serde(default)]
    positionals: Option<usize>,
    #[serde(default)]
    interspersed: Option<bool>,
    #[serde(default)]
    bundling: Option<bool>,
    #[serde(default)]
    command: Option<RawCommand>,
    #[serde(default)]
    dashdash: Option<Dashdash>,
    #[serde(default)]
    assignments: Option<bool>,
    #[serde(default)]
    unknown: Option<UnknownFlag>,
    #[serde(default)]
    implicit_vars: Vec<String>,
    #[serde(default)]
    implicit_env_files: Vec<String>,
    #[serde(default)]
    global_flags: Vec<RawFlag>,
    #[serde(default)]
    flags: Vec<RawFlag>,
    #[serde(default)]
    examples: Vec<Example>,
}

/// What a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Takes {
    /// Nothing (`--rm`); may still switch inheritance (`sets`).
    Switch,
    /// One value of no interest (`-v a:b`).
    Value,
    /// Two values of no interest (`mpirun --mca NAME VALUE`).
    TwoValues,
    /// `NAME` or `NAME=VALUE`.
    Var,
    /// A comma list of `NAME` / `NAME=VALUE` and keywords.
    Vars,
    /// A comma list of `NAME=SECRET_REF`.
    Secrets,
    /// Two words: `NAME VALUE`.
    Pair,
    /// A comma list of names forwarded from the caller.
    Names,
    /// A path to an env file.
    EnvFile,
    /// The W&B entity.
    Entity,
    /// The launched command, as one shell string.
    Shell,
    /// A name to remove from the inherited environment.
    Unset,
    /// An ssh `-o` option: `SendEnv NAME...`, `SetEnv NAME=VALUE...`.
    SshOption,
    /// A JSON runtime environment with an `env_vars` object (Ray).
    JsonEnv,
    /// AWS container overrides with an `environment` list, JSON or shorthand.
    AwsEnv,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlag {
    names: Vec<String>,
    takes: Takes,
    #[serde(default)]
    sets: Option<Inherit>,
    #[serde(default)]
    keywords: HashMap<String, Inherit>,
    /// The value comes only glued (`--flag=VALUE`); written bare, the flag is a switch that
    /// sets this.
    #[serde(default)]
    bare: Option<Inherit>,
}

/// One example of a row: a command line and what [`launch`] must make of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The command line, split on whitespace (no quoting: use `argv` when a word has spaces).
    #[serde(default)]
    pub run: Option<String>,
    /// The argv words, when `run` cannot say them.
    #[serde(default)]
    pub argv: Option<Vec<String>>,
    /// The launcher expected (default: the row's name); `none` for a line no row matches.
    #[serde(default)]
    pub launcher: Option<String>,
    /// Expected inheritance.
    #[serde(default)]
    pub inherits: Option<Inherit>,
    /// Expected variables, in order: `NAME` (forwarded) or `NAME=VALUE`.
    #[serde(default)]
    pub vars: Option<Vec<String>>,
    /// Expected secret references, in order: `NAME=REF`.
    #[serde(default)]
    pub secrets: Option<Vec<String>>,
    /// Expected removed names.
    #[serde(default)]
    pub unset: Option<Vec<String>>,
    /// Expected env files.
    #[serde(default)]
    pub env_files: Option<Vec<String>>,
    /// Expected entity.
    #[serde(default)]
    pub entity: Option<String>,
    /// The expected first word of the launched command (`null`: none).
    #[serde(default, deserialize_with = "present")]
    pub command: Option<Option<String>>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Clone)]
struct Flag {
    names: Vec<String>,
    takes: Takes,
    sets: Option<Inherit>,
    keywords: HashMap<String, Inherit>,
    bare: Option<Inherit>,
}

/// One launcher of the table, validated.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its name.
    pub name: String,
    /// The word sequences that invoke it.
    pub commands: Vec<Vec<String>>,
    /// What it starts.
    pub kind: String,
    /// Where its flags are documented.
    pub docs: Vec<String>,
    /// Its examples.
    pub examples: Vec<Example>,
    inherits: Inherit,
    positionals: usize,
    interspersed: bool,
    bundling: bool,
    command: RawCommand,
    dashdash: Dashdash,
    assignments: bool,
    unknown: UnknownFlag,
    implicit_vars: Vec<String>,
    implicit_env_files: Vec<String>,
    global_flags: Vec<Flag>,
    flags: Vec<Flag>,
}

impl Row {
    /// The flag named `name`: the row's own flags win over those it extends (later rows of
    /// the list win).
    fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .rev()
            .find(|f| f.names.iter().any(|n| n == name))
    }
}

/// The validated table and the problems found while reading it.
#[derive(Debug, Default)]
pub struct Table {
    /// The rows, in file order.
    pub rows: Vec<Row>,
    /// Every problem of the table, each naming the row.
    pub problems: Vec<String>,
    /// Rows by the first word of each command: (row index, command index).
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

impl Table {
    /// The first words of every launcher's commands (`docker`, `srun`, `mpirun`).
    pub fn first_words(&self) -> impl Iterator<Item = &str> {
        self.by_first.keys().map(String::as_str)
    }
}

/// Whether `text` may hold a launcher command: one of the table's first words appears in
/// it as a word. A cheap test before a text is parsed for launched processes.
pub fn may_launch(text: &str) -> bool {
    static WORDS: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = WORDS.get_or_init(|| {
        let mut words: Vec<String> = table().first_words().map(regex::escape).collect();
        words.sort();
        let alternatives = words.join("|");
        regex::Regex::new(&format!(
            r"(?:^|[\s/;&|(`'\x22])(?:{alternatives})(?:$|[\s;&|)`'\x22])"
        ))
        .ok()
    });
    re.as_ref().is_none_or(|r| r.is_match(text))
}

/// The table embedded in the binary, read once.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(TABLE_TEXT))
}

/// YAML to JSON values, so that serde (with unknown keys refused) reads the table.
fn to_json(node: &crate::yaml::tree::Node) -> serde_json::Value {
    use crate::yaml::tree::NodeKind;
    use serde_json::Value;
    match &node.kind {
        NodeKind::Scalar(s, plain) => {
            if *plain {
                match s.as_str() {
                    "" | "~" | "null" => return Value::Null,
                    "true" => return Value::Bool(true),
                    "false" => return Value::Bool(false),
                    _ => {}
                }
                if let Ok(n) = s.parse::<u64>() {
                    return Value::from(n);
                }
            }
            Value::String(s.clone())
        }
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(_) => {
            let mut map = serde_json::Map::new();
            for (k, _, v) in crate::yaml::tree::mapping(node).unwrap_or_default() {
                map.insert(k, to_json(v));
            }
            Value::Object(map)
        }
        NodeKind::Bad => Value::Null,
    }
}

/// The first YAML document of `text` as a JSON value, read the way the table is (plain
/// integers and booleans typed, everything else a string), for tests and tools that keep
/// launcher data beside the table (`fixtures/launchers/commands.yaml`).
pub fn yaml_value(text: &str) -> Result<serde_json::Value, String> {
    let docs = crate::yaml::tree::load(text, &crate::yaml::Limits::default())
        .map_err(|e| format!("{} (byte {})", e.message, e.offset))?;
    docs.first()
        .map(to_json)
        .ok_or_else(|| "empty document".to_string())
}

/// Reads a launcher table from YAML text: rows that fail validation are left out and named
/// in [`Table::problems`].
pub fn parse_table(text: &str) -> Table {
    let mut table = Table::default();
    let docs = match crate::yaml::tree::load(text, &crate::yaml::Limits::default()) {
        Ok(d) => d,
        Err(e) => {
            table.problems.push(format!(
                "`{TABLE_PATH}` is not YAML: {} (byte {})",
                e.message, e.offset
            ));
            return table;
        }
    };
    let Some(doc) = docs.first() else {
        table.problems.push(format!("`{TABLE_PATH}` is empty"));
        return table;
    };
    let raw: RawTable = match serde_json::from_value(to_json(doc)) {
        Ok(r) => r,
        Err(e) => {
            table.problems.push(format!("`{TABLE_PATH}`: {e}"));
            return table;
        }
    };
    let mut done: HashMap<String, usize> = HashMap::new();
    for raw_row in raw.launchers {
        let name = raw_row.name.clone();
        if done.contains_key(&name) {
            table
                .problems
                .push(format!("launcher `{name}` is defined twice"));
            continue;
        }
        let parent = match &raw_row.extends {
            Some(p) => match done.get(p).and_then(|i| table.rows.get(*i)) {
                Some(row) => Some(row.clone()),
                None => {
                    table.problems.push(format!(
                        "launcher `{name}` extends `{p}`, which is not a row above it"
                    ));
                    continue;
                }
            },
            None => None,
        };
        match validate(raw_row, parent) {
            Ok(row) => {
                done.insert(name, table.rows.len());
                table.rows.push(row);
            }
            Err(problems) => table.problems.extend(
                problems
                    .into_iter()
                    .map(|p| format!("launcher `{name}`: {p}")),
            ),
        }
    }
    for (ri, row) in table.rows.iter().enumerate() {
        for (ci, words) in row.commands.iter().enumerate() {
            if let Some(first) = words.first() {
                table
                    .by_first
                    .entry(first.clone())
                    .or_default()
                    .push((ri, ci));
            }
        }
    }
    table
}

fn flags_of(raw: Vec<RawFlag>, problems: &mut Vec<String>) -> Vec<Flag> {
    let mut out = Vec::new();
    for f in raw {
        if f.names.is_empty() {
            problems.push("a flag has no `names`".into());
        }
        for n in &f.names {
            if !n.starts_with('-') || n.len() < 2 || n.contains(char::is_whitespace) {
                problems.push(format!("flag name `{n}` is not a flag (`-x`, `--name`)"));
            }
        }
        if !f.keywords.is_empty() && !matches!(f.takes, Takes::Vars | Takes::Names) {
            problems.push(format!(
                "flag `{}`: `keywords` only go with `takes: vars` or `names`",
                f.names.join("`/`")
            ));
        }
        out.push(Flag {
            names: f.names,
            takes: f.takes,
            sets: f.sets,
            keywords: f.keywords,
            bare: f.bare,
        });
    }
    out
}

fn validate(raw: RawRow, parent: Option<Row>) -> Result<Row, Vec<String>> {
    let mut problems = Vec::new();
    let commands: Vec<Vec<String>> = raw
        .commands
        .iter()
        .map(|c| c.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    if commands.is_empty() || commands.iter().any(Vec::is_empty) {
        problems.push("`commands` must list the words that invoke it".into());
    }
    let kind = raw
        .kind
        .or_else(|| parent.as_ref().map(|p| p.kind.clone()))
        .unwrap_or_default();
    if kind.trim().is_empty() {
        problems.push("`kind` is missing (container, job, process, pod...)".into());
    }
    if raw.docs.is_empty() && raw.note.is_none() {
        problems.push("`docs` must name where the flags are documented".into());
    }
    for url in &raw.docs {
        if !url.starts_with("https://") {
            problems.push(format!("`docs` entry `{url}` is not an https:// address"));
        }
    }
    if raw.examples.is_empty() {
        problems.push("a launcher needs at least one example".into());
    }
    let mut flags = parent.as_ref().map(|p| p.flags.clone()).unwrap_or_default();
    flags.extend(flags_of(raw.flags, &mut problems));
    let mut global_flags = parent
        .as_ref()
        .map(|p| p.global_flags.clone())
        .unwrap_or_default();
    global_flags.extend(flags_of(raw.global_flags, &mut problems));
    let pick = |own: Option<bool>, inherited: Option<bool>| own.or(inherited).unwrap_or(false);
    let row = Row {
        name: raw.name,
        commands,
        kind,
        docs: raw.docs,
        examples: raw.examples,
        inherits: raw
            .inherits
            .or(parent.as_ref().map(|p| p.inherits))
            .unwrap_or(Inherit::All),
        positionals: raw
            .positionals
            .or(parent.as_ref().map(|p| p.positionals))
            .unwrap_or(0),
        interspersed: pick(raw.interspersed, parent.as_ref().map(|p| p.interspersed)),
        bundling: pick(raw.bundling, parent.as_ref().map(|p| p.bundling)),
        command: raw
            .command
            .or(parent.as_ref().map(|p| p.command))
            .unwrap_or(RawCommand::Argv),
        dashdash: raw
            .dashdash
            .or(parent.as_ref().map(|p| p.dashdash))
            .unwrap_or(Dashdash::Operands),
        assignments: pick(raw.assignments, parent.as_ref().map(|p| p.assignments)),
        unknown: raw
            .unknown
            .or(parent.as_ref().map(|p| p.unknown))
            .unwrap_or(UnknownFlag::Switch),
        implicit_vars: if raw.implicit_vars.is_empty() {
            parent
                .as_ref()
                .map(|p| p.implicit_vars.clone())
                .unwrap_or_default()
        } else {
            raw.implicit_vars
        },
        implicit_env_files: if raw.implicit_env_files.is_empty() {
            parent
                .as_ref()
                .map(|p| p.implicit_env_files.clone())
                .unwrap_or_default()
        } else {
            raw.implicit_env_files
        },
        global_flags,
        flags,
    };
    if problems.is_empty() {
        Ok(row)
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------------------------
// Matching a command line to a row.

/// The program name of an argv word: its last path component.
fn program(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether argv word `word` invokes the table's first word `first`: `python` stands for
/// `python3` and `python3.11` too.
fn first_matches(first: &str, word: &str) -> bool {
    let p = program(word);
    if p == first {
        return true;
    }
    first == "python"
        && p.strip_prefix("python")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Skips a global flag at `argv[i]` (and its value), returning the next index.
fn skip_global(flags: &[Flag], argv: &[&str], i: usize) -> Option<usize> {
    let word = argv.get(i)?;
    if !word.starts_with('-') {
        return None;
    }
    let (name, glued) = match word.split_once('=') {
        Some((n, _)) => (n, true),
        None => (*word, false),
    };
    let flag = flags.iter().find(|f| f.names.iter().any(|n| n == name))?;
    let takes_value = !matches!(flag.takes, Takes::Switch);
    Some(if takes_value && !glued { i + 2 } else { i + 1 })
}

/// The row a command line invokes and the index after its command words: the longest match.
fn find_row<'t>(table: &'t Table, argv: &[&str]) -> Option<(&'t Row, usize)> {
    let first = argv.first()?;
    let p = program(first);
    let key = if p.starts_with("python") && first_matches("python", first) {
        "python"
    } else {
        p
    };
    let candidates = table.by_first.get(key)?;
    let mut best: Option<(&Row, usize, usize)> = None;
    for (ri, ci) in candidates {
        let Some(row) = table.rows.get(*ri) else {
            continue;
        };
        let Some(words) = row.commands.get(*ci) else {
            continue;
        };
        let mut i = 1;
        let mut ok = true;
        for w in words.iter().skip(1) {
            while let Some(next) = skip_global(&row.global_flags, argv, i) {
                i = next;
            }
            if argv.get(i) == Some(&w.as_str()) {
                i += 1;
            } else {
                ok = false;
                break;
            }
        }
        if ok && best.is_none_or(|(_, _, n)| words.len() > n) {
            best = Some((row, i, words.len()));
        }
    }
    best.map(|(row, i, _)| (row, i))
}

// ---------------------------------------------------------------------------------------------
// Reading a command line with a row.

/// Whether `s` is an environment variable name (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value of a flag: the word index, and the byte offset of the value inside it.
type ValueAt = (usize, usize);

struct Reader<'a, 'r> {
    row: &'r Row,
    argv: &'a [&'a str],
    out: Launch,
}

impl<'a> Reader<'a, '_> {
    fn word(&self, i: usize) -> &'a str {
        self.argv.get(i).copied().unwrap_or("")
    }

    /// The text of a value.
    fn text(&self, (i, off): ValueAt) -> &'a str {
        self.word(i).get(off..).unwrap_or("")
    }

    /// `NAME` or `NAME=VALUE` at byte `start..end` of word `i`.
    fn var_at(&mut self, i: usize, start: usize, end: usize, secret: bool) {
        let Some(item) = self.word(i).get(start..end) else {
            return;
        };
        let (name, value) = match item.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (item, None),
        };
        let name_trim = name.trim_start();
        let lead = name.len() - name_trim.len();
        let name = name_trim.trim_end();
        if name.is_empty() {
            return;
        }
        let name_range = start + lead..start + lead + name.len();
        let value_range = match value {
            Some(v) => {
                let vs = start + item.len() - v.len();
                vs..vs + v.len()
            }
            None => name_range.end..name_range.end,
        };
        self.out.vars.push(LaunchVar {
            name: name.to_string(),
            value: value.map(str::to_string),
            word: i,
            name_range,
            value_word: i,
            value_range,
            secret,
        });
    }

    /// A delimited list at `at`, each item handed to `each(reader, word, start, end)`. A gcloud
    /// list may pick its own delimiter: `^@^A=1@B=2`.
    fn list(&mut self, at: ValueAt, mut each: impl FnMut(&mut Self, usize, usize, usize)) {
        let (i, off) = at;
        let text = self.text(at);
        let (delim, body_off) = match text.strip_prefix('^').and_then(|r| r.split_once('^')) {
            Some((d, _)) if !d.is_empty() => (d.to_string(), d.len() + 2),
            _ => (",".to_string(), 0),
        };
        let body = text.get(body_off..).unwrap_or("");
        let mut pos = off + body_off;
        for item in body.split(delim.as_str()) {
            let start = pos;
            pos += item.len() + delim.len();
            each(self, i, start, start + item.len());
        }
    }

    /// A list of `NAME[=VALUE]` items and keywords.
    fn vars(&mut self, flag: &Flag, at: ValueAt, secret: bool) {
        self.list(at, |r, i, start, end| {
            let item = r.word(i).get(start..end).unwrap_or("").trim();
            if let Some(mode) = flag.keywords.get(item) {
                r.out.inherits = *mode;
            } else if let Some(name) = item.strip_prefix('~') {
                r.out.unset.push((name.trim().to_string(), i));
            } else {
                r.var_at(i, start, end, secret);
            }
        });
    }

    /// A list of names forwarded from the caller (or keywords).
    fn names(&mut self, flag: &Flag, at: ValueAt) {
        self.list(at, |r, i, start, end| {
            let item = r.word(i).get(start..end).unwrap_or("").trim();
            if let Some(mode) = flag.keywords.get(item) {
                r.out.inherits = *mode;
            } else if !item.contains('=') {
                r.var_at(i, start, end, false);
            }
        });
    }

    /// `-o SendEnv=A B`, `-o "SetEnv A=1"`, `-oSendEnv=A`.
    fn ssh_option(&mut self, at: ValueAt) {
        let (i, off) = at;
        let text = self.text(at);
        let Some(sep) = text.find(|c: char| c == '=' || c.is_whitespace()) else {
            return;
        };
        let key = text.get(..sep).unwrap_or("").to_ascii_lowercase();
        if key != "sendenv" && key != "setenv" {
            return;
        }
        let rest = text.get(sep + 1..).unwrap_or("");
        let mut pos = off + sep + 1;
        for item in rest.split(|c: char| c.is_whitespace()) {
            let start = pos;
            pos += item.len() + 1;
            if item.is_empty() {
                continue;
            }
            if key == "sendenv" {
                // A pattern (`WANDB_*`) forwards the caller's matching variables.
                if !item.contains('=') {
                    self.var_at(i, start, start + item.len(), false);
                }
            } else {
                self.var_at(i, start, start + item.len(), false);
            }
        }
    }

    /// Ray's `--runtime-env-json '{"env_vars": {"A": "1"}}'`.
    fn json_env(&mut self, at: ValueAt) {
        let (i, off) = at;
        let text = self.text(at);
        let Ok(serde_json::Value::Object(top)) = serde_json::from_str::<serde_json::Value>(text)
        else {
            return;
        };
        let Some(serde_json::Value::Object(env)) = top.get("env_vars") else {
            return;
        };
        let mut found = Vec::new();
        for (name, value) in env {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let quoted = format!("\"{name}\"");
            let at = text.find(&quoted).unwrap_or(text.len());
            let name_range = match text.get(at..) {
                Some(t) if !t.is_empty() => off + at + 1..off + at + 1 + name.len(),
                _ => off..off,
            };
            let after = at + quoted.len();
            let value_range = match text.get(after..).and_then(|t| t.find(value.as_str())) {
                Some(p) if !value.is_empty() => off + after + p..off + after + p + value.len(),
                _ => name_range.end..name_range.end,
            };
            found.push(LaunchVar {
                name: name.clone(),
                value: Some(value),
                word: i,
                name_range,
                value_word: i,
                value_range,
                secret: false,
            });
        }
        // serde_json's map is sorted by name: put them back in the order written.
        found.sort_by_key(|v| v.name_range.start);
        self.out.vars.extend(found);
    }

    /// AWS `--container-overrides`: JSON `{"environment": [{"name": .., "value": ..}]}` or
    /// shorthand `environment=[{name=A,value=B}]`.
    fn aws_env(&mut self, at: ValueAt) {
        let (i, off) = at;
        let text = self.text(at);
        if let Ok(serde_json::Value::Object(top)) = serde_json::from_str(text) {
            let Some(serde_json::Value::Array(items)) = top.get("environment") else {
                return;
            };
            for item in items {
                let name = item.get("name").and_then(|v| v.as_str()).unwrap_or("");
                if name.is_empty() {
                    continue;
                }
                let value = item
                    .get("value")
                    .and_then(|v| v.as_str())
                    .map(str::to_string);
                let quoted = format!("\"{name}\"");
                let name_range = match text.find(&quoted) {
                    Some(p) => off + p + 1..off + p + 1 + name.len(),
                    None => off..off,
                };
                self.out.vars.push(LaunchVar {
                    name: name.to_string(),
                    value_range: name_range.end..name_range.end,
                    value,
                    word: i,
                    name_range,
                    value_word: i,
                    secret: false,
                });
            }
            return;
        }
        let mut rest_at = 0;
        while let Some(p) = text.get(rest_at..).and_then(|t| t.find("name=")) {
            let ns = rest_at + p + "name=".len();
            let tail = text.get(ns..).unwrap_or("");
            let nlen = tail.find([',', '}', ']']).unwrap_or(tail.len());
            let name_range = off + ns..off + ns + nlen;
            let name = tail.get(..nlen).unwrap_or("").to_string();
            rest_at = ns + nlen;
            let after = text.get(rest_at..).unwrap_or("");
            let entry_end = after.find('}').unwrap_or(after.len());
            let (value, value_range) = match after.get(..entry_end).and_then(|e| e.find("value=")) {
                Some(vp) => {
                    let vs = rest_at + vp + "value=".len();
                    let vt = text.get(vs..rest_at + entry_end).unwrap_or("");
                    let vlen = vt.find(',').unwrap_or(vt.len());
                    (
                        Some(vt.get(..vlen).unwrap_or("").to_string()),
                        off + vs..off + vs + vlen,
                    )
                }
                None => (None, name_range.end..name_range.end),
            };
            if !name.is_empty() {
                self.out.vars.push(LaunchVar {
                    name,
                    value,
                    word: i,
                    name_range,
                    value_word: i,
                    value_range,
                    secret: false,
                });
            }
        }
    }

    /// Applies a flag whose value (if it takes one) is at `value`; returns how many extra
    /// words after the flag's own word it consumed.
    fn apply(&mut self, flag: &Flag, flag_word: usize, glued: Option<usize>) -> usize {
        if let (Some(mode), None) = (flag.bare, glued) {
            self.out.inherits = mode;
            return 0;
        }
        if let Some(mode) = flag.sets {
            self.out.inherits = mode;
        }
        let next = flag_word + 1;
        let (at, used) = match (flag.takes, glued) {
            (Takes::Switch, _) => return 0,
            (_, Some(off)) => ((flag_word, off), 0),
            (_, None) if next < self.argv.len() => ((next, 0), 1),
            // The value is missing (the line ends at the flag).
            _ => return 0,
        };
        match flag.takes {
            Takes::Switch | Takes::Value => used,
            Takes::TwoValues => used + usize::from(at.0 + 1 < self.argv.len()),
            Takes::Var => {
                let end = self.word(at.0).len();
                self.var_at(at.0, at.1, end, false);
                used
            }
            Takes::Vars => {
                self.vars(flag, at, false);
                used
            }
            Takes::Secrets => {
                self.vars(flag, at, true);
                used
            }
            Takes::Names => {
                self.names(flag, at);
                used
            }
            Takes::Pair => {
                let name = self.text(at);
                let name_range = at.1..at.1 + name.len();
                let vi = at.0 + 1;
                if !name.is_empty() {
                    let value = self.argv.get(vi).copied();
                    self.out.vars.push(LaunchVar {
                        name: name.to_string(),
                        value: value.map(str::to_string),
                        word: at.0,
                        value_word: if value.is_some() { vi } else { at.0 },
                        value_range: match value {
                            Some(v) => 0..v.len(),
                            None => name_range.end..name_range.end,
                        },
                        name_range,
                        secret: false,
                    });
                }
                used + usize::from(vi < self.argv.len())
            }
            Takes::EnvFile => {
                self.out.env_files.push((self.text(at).to_string(), at.0));
                used
            }
            Takes::Entity => {
                self.out.entity = Some((self.text(at).to_string(), at.0));
                used
            }
            Takes::Shell => {
                self.out.command = Some(at.0);
                self.out.command_offset = at.1;
                self.out.command_kind = CommandKind::Shell;
                used
            }
            Takes::Unset => {
                self.out.unset.push((self.text(at).to_string(), at.0));
                used
            }
            Takes::SshOption => {
                self.ssh_option(at);
                used
            }
            Takes::JsonEnv => {
                self.json_env(at);
                used
            }
            Takes::AwsEnv => {
                self.aws_env(at);
                used
            }
        }
    }

    /// Reads the option word at `i` (it starts with `-`); returns the index after it.
    fn option(&mut self, i: usize) -> usize {
        let row = self.row;
        let word = self.word(i);
        if let Some(flag) = row.flag(word) {
            return i + 1 + self.apply(flag, i, None);
        }
        let split = word.split_once('=');
        if let Some((name, _)) = split {
            if let Some(flag) = row.flag(name) {
                return i + 1 + self.apply(flag, i, Some(name.len() + 1));
            }
        }
        if row.bundling && !word.starts_with("--") && word.len() > 2 {
            if let Some(next) = self.bundle(i) {
                return next;
            }
        }
        if split.is_some() {
            // An unknown `--name=value` is one word whatever the flag is.
            return i + 1;
        }
        self.unknown(i)
    }

    /// Short options run together: `-it`, `-eFOO=1`, `-dp 80:80`. `None` when the first letter
    /// is not a known flag.
    fn bundle(&mut self, i: usize) -> Option<usize> {
        let row = self.row;
        let word = self.word(i);
        let mut first = true;
        for (pos, c) in word.char_indices().skip(1) {
            let mut name = String::from('-');
            name.push(c);
            let Some(flag) = row.flag(&name) else {
                return if first { None } else { Some(i + 1) };
            };
            first = false;
            if flag.takes == Takes::Switch || flag.bare.is_some() {
                self.apply(flag, i, None);
                continue;
            }
            let rest = pos + c.len_utf8();
            let glued = if rest < word.len() { Some(rest) } else { None };
            return Some(i + 1 + self.apply(flag, i, glued));
        }
        Some(i + 1)
    }

    /// An option the row does not know: a switch, a flag with a value, or a guess.
    fn unknown(&self, i: usize) -> usize {
        let next = self.argv.get(i + 1);
        let takes_value = match self.row.unknown {
            UnknownFlag::Switch => false,
            UnknownFlag::Value => next.is_some(),
            UnknownFlag::Guess => next.is_some_and(|n| {
                !n.starts_with('-')
                    && !n.ends_with(".py")
                    && !n.ends_with(".sh")
                    && !is_assignment(n)
            }),
        };
        if takes_value {
            i + 2
        } else {
            i + 1
        }
    }

    /// The command starting at word `i`.
    fn command_at(&mut self, i: usize) {
        let word = self.word(i);
        self.out.command = Some(i);
        self.out.command_offset = 0;
        self.out.command_kind = match self.row.command {
            RawCommand::Shell => CommandKind::Shell,
            RawCommand::Script => CommandKind::Script,
            RawCommand::Python => CommandKind::Python,
            RawCommand::Task if word.ends_with(".yaml") || word.ends_with(".yml") => {
                CommandKind::TaskFile
            }
            RawCommand::Task => CommandKind::Shell,
            RawCommand::Argv | RawCommand::None => CommandKind::Program,
        };
    }

    /// Reads the words after the launcher's name (from `start`).
    fn run(&mut self, start: usize) {
        let row = self.row;
        let mut operands = 0;
        let mut i = start;
        while i < self.argv.len() {
            let word = self.word(i);
            if !row.interspersed && operands > 0 && operands >= row.positionals {
                if row.command != RawCommand::None {
                    self.command_at(i);
                }
                return;
            }
            if word == "--" {
                // What follows is operands only: the positionals still missing, then the command.
                let missing = match row.dashdash {
                    Dashdash::Operands => row.positionals.saturating_sub(operands),
                    Dashdash::Command => 0,
                };
                let at = i + 1 + missing;
                if row.command != RawCommand::None && at < self.argv.len() {
                    self.command_at(at);
                }
                return;
            }
            if word.starts_with('-') && word.len() > 1 {
                i = self.option(i);
                continue;
            }
            if row.assignments && operands == 0 && is_assignment(word) {
                let len = word.len();
                self.var_at(i, 0, len, false);
                i += 1;
                continue;
            }
            if operands < row.positionals
                || row.command == RawCommand::None
                || row.dashdash == Dashdash::Command
            {
                operands += 1;
                i += 1;
                continue;
            }
            if self.out.command.is_none() {
                self.command_at(i);
            }
            return;
        }
    }
}

/// Whether a word is a shell-style assignment `NAME=VALUE`.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(n, _)| is_name(n))
}

/// What the simple command `argv` starts, if `argv[0..]` is a launcher of the table.
///
/// `argv` holds the words after quote removal, expansions kept as written (`"$KEY"`,
/// `${KEY}`), leading `NAME=value` assignments already removed. `None` when no row matches.
/// A launcher that runs another (`sudo -E docker run ...`) is read one level at a time: call
/// `launch` again on `argv[command..]`.
pub fn launch(argv: &[&str]) -> Option<Launch> {
    launch_with(table(), argv)
}

/// [`launch`] with a given table (tests, and a table read from another file).
pub fn launch_with(table: &Table, argv: &[&str]) -> Option<Launch> {
    let (row, start) = find_row(table, argv)?;
    let mut reader = Reader {
        row,
        argv,
        out: Launch {
            launcher: row.name.clone(),
            kind: row.kind.clone(),
            inherits: row.inherits,
            vars: row
                .implicit_vars
                .iter()
                .map(|n| LaunchVar {
                    name: n.clone(),
                    value: None,
                    word: 0,
                    name_range: 0..0,
                    value_word: 0,
                    value_range: 0..0,
                    secret: false,
                })
                .collect(),
            unset: Vec::new(),
            env_files: row
                .implicit_env_files
                .iter()
                .map(|f| (f.clone(), 0))
                .collect(),
            entity: None,
            command: None,
            command_offset: 0,
            command_kind: CommandKind::Program,
        },
    };
    reader.run(start);
    Some(reader.out)
}

// ---------------------------------------------------------------------------------------------
// Examples.

/// How an expected variable is written in examples: `NAME` (forwarded) or `NAME=VALUE`.
pub fn describe_var(v: &LaunchVar) -> String {
    match &v.value {
        Some(value) => format!("{}={value}", v.name),
        None => v.name.clone(),
    }
}

/// How an example's line is split into argv words.
pub fn example_argv(example: &Example) -> Vec<String> {
    match (&example.argv, &example.run) {
        (Some(argv), _) => argv.clone(),
        (None, Some(run)) => run.split_whitespace().map(str::to_string).collect(),
        (None, None) => Vec::new(),
    }
}

/// What is wrong with `launch`'s answer for `argv` against the expectations of `example`
/// (empty when it matches). `row` is the launcher expected when the example does not say.
pub fn check_example(table: &Table, row: &str, example: &Example, argv: &[&str]) -> Vec<String> {
    let mut wrong = Vec::new();
    let want_launcher = example.launcher.as_deref().unwrap_or(row);
    let got = launch_with(table, argv);
    let Some(got) = got else {
        if want_launcher != "none" {
            wrong.push(format!("no launcher found, expected `{want_launcher}`"));
        }
        return wrong;
    };
    if got.launcher != want_launcher {
        wrong.push(format!(
            "launcher `{}`, expected `{want_launcher}`",
            got.launcher
        ));
        return wrong;
    }
    if let Some(want) = example.inherits {
        if got.inherits != want {
            wrong.push(format!("inherits {:?}, expected {want:?}", got.inherits));
        }
    }
    let plain: Vec<String> = got
        .vars
        .iter()
        .filter(|v| !v.secret)
        .map(describe_var)
        .collect();
    let secret: Vec<String> = got
        .vars
        .iter()
        .filter(|v| v.secret)
        .map(describe_var)
        .collect();
    let lists = [
        ("vars", &example.vars, plain),
        ("secrets", &example.secrets, secret),
        (
            "unset",
            &example.unset,
            got.unset.iter().map(|(n, _)| n.clone()).collect(),
        ),
        (
            "env_files",
            &example.env_files,
            got.env_files.iter().map(|(n, _)| n.clone()).collect(),
        ),
    ];
    for (what, want, have) in lists {
        if let Some(want) = want {
            if *want != have {
                wrong.push(format!("{what} {have:?}, expected {want:?}"));
            }
        }
    }
    if let Some(want) = &example.entity {
        let have = got.entity.as_ref().map(|(e, _)| e.as_str());
        if have != Some(want.as_str()) {
            wrong.push(format!("entity {have:?}, expected {want:?}"));
        }
    }
    if let Some(want) = &example.command {
        let have = got
            .command
            .and_then(|i| argv.get(i))
            .map(|w| w.get(got.command_offset..).unwrap_or(""));
        if have != want.as_deref() {
            wrong.push(format!("command {have:?}, expected {want:?}"));
        }
    }
    wrong
}

/// Every example of every row of `table` that [`launch_with`] gets wrong, each as one line
/// naming the row and the command line.
pub fn example_failures(table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for row in &table.rows {
        for example in &row.examples {
            let argv = example_argv(example);
            let words: Vec<&str> = argv.iter().map(String::as_str).collect();
            for wrong in check_example(table, &row.name, example, &words) {
                out.push(format!("{}: `{}`: {wrong}", row.name, argv.join(" ")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> Launch {
        let argv: Vec<&str> = line.split_whitespace().collect();
        launch(&argv).unwrap_or_else(|| panic!("no launcher for {line}"))
    }

    #[test]
    fn the_embedded_table_reads_cleanly() {
        assert_eq!(table().problems, Vec::<String>::new());
        assert!(table().rows.len() > 30);
    }

    #[test]
    fn spans_point_inside_the_words() {
        let argv = [
            "docker",
            "run",
            "-eWANDB_API_KEY=abc",
            "--env=WANDB_ENTITY",
            "img",
        ];
        let l = launch(&argv).expect("docker run");
        let v = &l.vars[0];
        assert_eq!(&argv[v.word][v.name_range.clone()], "WANDB_API_KEY");
        assert_eq!(&argv[v.value_word][v.value_range.clone()], "abc");
        let v = &l.vars[1];
        assert_eq!(&argv[v.word][v.name_range.clone()], "WANDB_ENTITY");
        assert!(v.value_range.is_empty());
    }

    #[test]
    fn pair_spans() {
        let argv = [
            "mpiexec",
            "-genv",
            "WANDB_API_KEY",
            "$K",
            "-n",
            "2",
            "./a.out",
        ];
        let l = launch(&argv).expect("mpiexec");
        let v = &l.vars[0];
        assert_eq!((v.word, v.value_word), (2, 3));
        assert_eq!(&argv[v.value_word][v.value_range.clone()], "$K");
        assert_eq!(l.command, Some(6));
    }

    #[test]
    fn edge_cases_do_not_panic() {
        for line in [
            "docker run --env=",
            "docker run -e",
            "docker run --env",
            "docker run -e=",
            "srun --export=",
            "srun --export=,,,",
            "mpiexec -genv",
            "mpiexec -genv A",
            "ssh -o",
            "ssh -o SendEnv",
            "gcloud run jobs deploy j --set-env-vars=^",
            "gcloud run jobs deploy j --set-env-vars=^^",
            "gcloud run jobs deploy j --set-env-vars=^é^A=1éB=2",
            "ray job submit --runtime-env-json={ --",
            "aws batch submit-job --container-overrides environment=[{name=",
            "aws batch submit-job --container-overrides name=value=",
            "env -u",
            "sudo --preserve-env=",
            "docker run -é",
            "docker run -eé=ü",
            "kubectl run x --env=ü=é -- é",
        ] {
            let argv: Vec<&str> = line.split_whitespace().collect();
            let _ = launch(&argv);
        }
        let _ = launch(&[]);
        let _ = launch(&[""]);
        let _ = launch(&["", ""]);
    }

    fn vars(line: &str) -> Vec<String> {
        run(line).vars.iter().map(describe_var).collect()
    }

    fn command(line: &str) -> Option<String> {
        let argv: Vec<&str> = line.split_whitespace().collect();
        let l = launch(&argv)?;
        l.command.and_then(|i| argv.get(i)).map(|w| w.to_string())
    }

    #[test]
    fn empty_and_missing_values_set_nothing() {
        assert!(vars("docker run --env= img").is_empty());
        assert!(vars("docker run -e").is_empty());
        assert!(vars("docker run --env").is_empty());
        assert!(vars("mpirun -np 2 -x").is_empty());
        assert!(vars("mpiexec -genv").is_empty());
        assert_eq!(vars("mpiexec -genv A"), ["A"]);
        assert!(vars("srun --export").is_empty());
        assert!(run("env -u").unset.is_empty());
        assert_eq!(run("srun --export=").inherits, Inherit::Listed);
        assert_eq!(command("docker run -e"), None);
    }

    #[test]
    fn glued_and_bundled_forms() {
        assert_eq!(vars("docker run -eA=1 -itd img"), ["A=1"]);
        assert_eq!(vars("docker run -ite A=1 img"), ["A=1"]);
        assert_eq!(vars("docker run -e=A=1 img"), ["A=1"]);
        assert_eq!(vars("kubectl run x --env=A=1"), ["A=1"]);
        assert_eq!(command("stdbuf -oL python x.py").as_deref(), Some("python"));
        // Open MPI does not glue -x: `-xA` is an unknown option, not a variable.
        assert!(vars("mpirun -xA python").is_empty());
    }

    #[test]
    fn double_dash_ends_the_options() {
        assert_eq!(
            command("docker run --rm -- img python").as_deref(),
            Some("python")
        );
        assert_eq!(
            command("kubectl exec pod -- -weird").as_deref(),
            Some("-weird")
        );
        assert_eq!(command("ssh -- host ls").as_deref(), Some("ls"));
        assert_eq!(command("ray job submit --").as_deref(), None);
        // After the image, everything is the container's, dashes included.
        assert_eq!(command("docker run img -e A=1").as_deref(), Some("-e"));
        assert!(vars("docker run img -e A=1").is_empty());
    }

    #[test]
    fn unicode_words_are_kept_whole() {
        let argv = [
            "docker",
            "run",
            "-eÜBER=grüße",
            "--env",
            "Ä",
            "ïmg",
            "pythön",
        ];
        let l = launch(&argv).expect("docker run");
        let v = &l.vars[0];
        assert_eq!(&argv[v.word][v.name_range.clone()], "ÜBER");
        assert_eq!(&argv[v.value_word][v.value_range.clone()], "grüße");
        assert_eq!(l.vars[1].name, "Ä");
        assert_eq!(l.command, Some(6));
    }

    #[test]
    fn sudo_preserve_env_bare_and_listed() {
        assert_eq!(run("sudo --preserve-env python").inherits, Inherit::All);
        let l = run("sudo --preserve-env=A,B python");
        assert_eq!(l.inherits, Inherit::Listed);
        assert_eq!(l.vars.len(), 2);
    }

    #[test]
    fn not_launchers() {
        for line in [
            "python train.py",
            "docker build .",
            "docker",
            "kubectl get pods",
            "wandb login",
        ] {
            let argv: Vec<&str> = line.split_whitespace().collect();
            assert!(launch(&argv).is_none(), "{line}");
        }
        assert!(launch(&["/opt/x/bin/srun", "hostname"]).is_some());
        assert!(launch(&["python3.11", "-m", "torch.distributed.run", "t.py"]).is_some());
        assert!(launch(&["pythonx", "-m", "torch.distributed.run", "t.py"]).is_none());
    }

    #[test]
    fn gcloud_picks_its_own_delimiter() {
        let l = run("gcloud run jobs deploy j --set-env-vars=^@^A=1,2@WANDB_ENTITY=t");
        let vars: Vec<String> = l.vars.iter().map(describe_var).collect();
        assert_eq!(vars, ["A=1,2", "WANDB_ENTITY=t"]);
    }

    #[test]
    fn a_huge_argv_is_read_in_one_pass() {
        let mut argv = vec!["docker", "run"];
        argv.extend(std::iter::repeat_n("-e", 200_000).flat_map(|e| [e, "WANDB_API_KEY"]));
        argv.push("img");
        let start = std::time::Instant::now();
        let l = launch(&argv).expect("docker run");
        assert_eq!(l.vars.len(), 200_000);
        assert_eq!(l.command, None);
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn a_broken_table_names_its_problems() {
        let t = parse_table("launchers:\n  - name: x\n    commands: [x]\n    kind: job\n");
        assert!(t.problems.iter().any(|p| p.contains("docs")), "{t:?}");
        let t = parse_table("launchers:\n  - name: x\n    commands: [x]\n    colour: red\n");
        assert!(t.problems.iter().any(|p| p.contains("colour")), "{t:?}");
        let t = parse_table("launchers: [\n");
        assert!(!t.problems.is_empty());
        let t = parse_table(
            "launchers:\n  - {name: y, extends: x, commands: [y], docs: [u], examples: [{run: y}]}\n",
        );
        assert!(t.problems.iter().any(|p| p.contains("extends")), "{t:?}");
    }
}
