//! Readers for the files that run automation (CI workflows, manifests, Dockerfiles, scripts).
//! Each reader turns one file into [`Scope`]s: the jobs, steps, containers or services it
//! defines, with the environment variables in effect in each (and where each was set), the
//! commands each runs, and the sources whose contents cannot be known. The configuration
//! rules (`crate::checks`) judge scopes; they never look at raw YAML.
//!
//! Every span is a byte range into the file, so a finding points at the exact key.

pub mod compose;
pub mod dockerfile;
pub mod github;
pub mod gitlab;
pub mod helm;
pub mod kfp;
pub mod kubernetes;
pub mod launch;
pub mod launched;
pub mod python_modal;
pub mod shell;
pub mod task;
pub mod text;

use crate::yaml::{ByteSpan, Limits};

/// The formats read, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.github/workflows/*.yml`.
    GithubWorkflow,
    /// A composite action, `action.yml`.
    GithubAction,
    /// `.gitlab-ci.yml` and the local files it includes.
    GitlabCi,
    /// Kubernetes manifests: any other YAML file (one without workloads yields nothing).
    /// Read by content: a Helm template found outside `templates/` ([`helm::claims`]) and a
    /// launcher's task file (SkyPilot, dstack, Beaker, axolotl cloud: [`task::claims`]) are
    /// read as such.
    Kubernetes,
    /// Helm chart templates (`templates/*.yaml`): read as manifests with the template
    /// directives neutralised.
    HelmTemplate,
    /// Helm values (`values*.yaml` in a chart): plain YAML.
    HelmValues,
    /// `compose.yaml`, `docker-compose*.yml`.
    Compose,
    /// `Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, `Containerfile`.
    Dockerfile,
    /// `Jenkinsfile`.
    Jenkinsfile,
    /// Python files (Airflow DAGs are Python files that define operators).
    Python,
    /// `.env` files.
    DotEnv,
    /// Shell scripts (`*.sh`, `*.bash`).
    Shell,
    /// Makefiles (`Makefile`, `*.mk`): their recipes are shell.
    Makefile,
    /// justfiles: their recipes are shell.
    Justfile,
    /// `wandb/settings`.
    WandbSettings,
}

impl Format {
    /// The format of a file by its display path (`/`-separated), if it is one we read.
    pub fn of(path: &str) -> Option<Format> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
        if yaml && (path.contains(".github/workflows/") || path.starts_with(".github/workflows/")) {
            return Some(Format::GithubWorkflow);
        }
        if lower == "action.yml" || lower == "action.yaml" {
            return Some(Format::GithubAction);
        }
        if yaml
            && (lower == ".gitlab-ci.yml"
                || lower == ".gitlab-ci.yaml"
                || path.contains(".gitlab/ci/"))
        {
            return Some(Format::GitlabCi);
        }
        if yaml
            && (lower == "compose.yaml"
                || lower == "compose.yml"
                || lower.starts_with("docker-compose")
                || lower.starts_with("compose."))
        {
            return Some(Format::Compose);
        }
        if lower == "dockerfile"
            || lower == "containerfile"
            || lower.ends_with(".dockerfile")
            || lower.starts_with("dockerfile.")
            || lower.starts_with("containerfile.")
        {
            return Some(Format::Dockerfile);
        }
        if lower == "jenkinsfile"
            || lower.ends_with(".jenkinsfile")
            || lower.starts_with("jenkinsfile.")
        {
            return Some(Format::Jenkinsfile);
        }
        if path.ends_with("wandb/settings") {
            return Some(Format::WandbSettings);
        }
        if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
            return Some(Format::DotEnv);
        }
        // Scripts, and the batch scripts of schedulers (Slurm, PBS, LSF, SGE).
        const SCRIPTS: &[&str] = &[
            ".sh", ".bash", ".zsh", ".ksh", ".sbatch", ".slurm", ".sb", ".pbs", ".qsub", ".lsf",
            ".job",
        ];
        if SCRIPTS.iter().any(|ext| lower.ends_with(ext)) {
            return Some(Format::Shell);
        }
        if lower == "makefile" || lower == "gnumakefile" || lower.ends_with(".mk") {
            return Some(Format::Makefile);
        }
        if lower == "justfile" || lower == ".justfile" || lower.ends_with(".just") {
            return Some(Format::Justfile);
        }
        if lower.ends_with(".py") {
            return Some(Format::Python);
        }
        if yaml {
            if path.contains("/templates/") || path.starts_with("templates/") {
                return Some(Format::HelmTemplate);
            }
            if lower.starts_with("values") {
                return Some(Format::HelmValues);
            }
            return Some(Format::Kubernetes);
        }
        None
    }

    /// The format of a file no name says, from its content: a file without an extension
    /// that starts with a shell shebang (`#!/bin/bash`, `#!/usr/bin/env sh`) is a script.
    pub fn sniff(path: &str, bytes: &[u8]) -> Option<Format> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.contains('.') || !bytes.starts_with(b"#!") {
            return None;
        }
        let first = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let first = String::from_utf8_lossy(first);
        first
            .trim_start_matches("#!")
            .split(|c: char| c == '/' || c.is_whitespace())
            .any(shell::parse::is_shell)
            .then_some(Format::Shell)
    }

    /// Whether the format is YAML (parse errors are reported as YAML errors).
    pub fn is_yaml(self) -> bool {
        matches!(
            self,
            Format::GithubWorkflow
                | Format::GithubAction
                | Format::GitlabCi
                | Format::Kubernetes
                | Format::HelmTemplate
                | Format::HelmValues
                | Format::Compose
        )
    }
}

/// Where a variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Written in the file.
    Literal(String),
    /// A reference to a secret store or another variable: `${{ secrets.X }}`, `$X`,
    /// `secretKeyRef`, `credentials('x')`. The string names the secret (`secrets.X`, `X`,
    /// `secret/key`).
    Secret(String),
    /// Present but empty.
    Empty,
    /// Passed through from the environment that starts the scope (compose `- WANDB_API_KEY`
    /// without a value, Docker `ARG` without a default).
    Inherited,
}

impl Value {
    /// Whether the variable is really set (non-empty, or a reference).
    pub fn is_set(&self) -> bool {
        !matches!(self, Value::Empty)
    }
}

/// One environment variable set in a scope.
#[derive(Debug, Clone)]
pub struct Var {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: Value,
    /// The name's span (where a finding about the variable points).
    pub name_span: ByteSpan,
    /// The value's span (empty at the name's end when there is no value).
    pub value_span: ByteSpan,
    /// Where it was set, for messages: `workflow env`, `job env`, `stage environment`.
    pub origin: String,
}

/// A command a scope runs (a `run:` block, a `script:` line, a `RUN` instruction), parsed.
#[derive(Debug, Clone)]
pub struct Command {
    /// The command text as written (continuations kept).
    pub text: String,
    /// Its span in the file.
    pub span: ByteSpan,
    /// What the shell makes of it (empty for code that is not shell), parsed the first time
    /// it is looked at: most commands of a CI file are never looked into.
    pub script: LazyScript,
    /// Whether it is shell (a Python module or an action's inline script is code).
    pub shell: bool,
}

/// A command's script, parsed on first use (clones share the one parse).
#[derive(Debug, Clone, Default)]
pub struct LazyScript(std::sync::Arc<LazyInner>);

#[derive(Debug, Default)]
struct LazyInner {
    source: ScriptSource,
    cell: std::sync::OnceLock<shell::Script>,
}

#[derive(Debug, Default)]
enum ScriptSource {
    /// A shell text.
    View(shell::View),
    /// A whole script file (lines no reading uses are blanked before the parse).
    File(shell::View),
    /// Words run with no shell between, and the command's span.
    Argv(Vec<shell::Word>, ByteSpan),
    /// Nothing to parse (code, or a script given parsed).
    #[default]
    None,
}

impl LazyScript {
    /// A script already parsed.
    pub fn ready(script: shell::Script) -> Self {
        let inner = LazyInner::default();
        let _ = inner.cell.set(script);
        Self(std::sync::Arc::new(inner))
    }

    fn of(source: ScriptSource) -> Self {
        Self(std::sync::Arc::new(LazyInner {
            source,
            cell: std::sync::OnceLock::new(),
        }))
    }
}

impl std::ops::Deref for LazyScript {
    type Target = shell::Script;
    fn deref(&self) -> &shell::Script {
        self.0.cell.get_or_init(|| match &self.0.source {
            ScriptSource::View(view) => shell::Script::parse(view),
            ScriptSource::File(view) => shell::Script::parse_file(view),
            ScriptSource::Argv(words, span) => {
                shell::Script::from_argv(words.clone(), span.clone())
            }
            ScriptSource::None => shell::Script::default(),
        })
    }
}

impl Command {
    /// Shell, as the view gives it to the parser (kept until the first look).
    pub fn shell(text: &str, span: ByteSpan, view: shell::View) -> Self {
        Self {
            text: text.to_string(),
            span,
            script: LazyScript::of(ScriptSource::View(view)),
            shell: true,
        }
    }

    /// A whole script file (a shell script, a Makefile's or justfile's recipes): parsed
    /// with the lines no reading uses blanked ([`shell::Script::parse_file`]).
    pub fn script_file(text: &str, span: ByteSpan, view: shell::View) -> Self {
        Self {
            text: text.to_string(),
            span,
            script: LazyScript::of(ScriptSource::File(view)),
            shell: true,
        }
    }

    /// A command given as words with no shell between (an exec form, a container's
    /// `command` list).
    pub fn argv(text: &str, span: ByteSpan, words: Vec<shell::Word>) -> Self {
        Self {
            text: text.to_string(),
            script: LazyScript::of(ScriptSource::Argv(words, span.clone())),
            span,
            shell: true,
        }
    }

    /// Code that is not shell (a Python module, an action's inline JavaScript).
    pub fn code(text: &str, span: ByteSpan) -> Self {
        Self {
            text: text.to_string(),
            span,
            script: LazyScript::default(),
            shell: false,
        }
    }

    /// A script given parsed (one a command writes, one a launcher runs), spanning `span`.
    pub fn parsed(span: ByteSpan, script: shell::Script) -> Self {
        Self {
            text: String::new(),
            span,
            script: LazyScript::ready(script),
            shell: true,
        }
    }

    /// Whether the command passes the entity (`--entity`, `wandb.init(entity=...)` in code it
    /// runs, `export WANDB_ENTITY=...`); texts that cannot are not parsed for it.
    pub fn passes_entity(&self) -> bool {
        const NEEDLES: &[&str] = &[
            "entity",
            "ENTITY",
            "weave",
            "wandb launch",
            "wandb agent",
            "wandb sweep",
        ];
        self.may_hold(NEEDLES) && shell::passes_entity(&self.script)
    }

    /// The `wandb login`s the command runs; a text without `login` is not parsed for them.
    pub fn logins(&self) -> Vec<shell::Login> {
        if self.may_hold(&["login"]) {
            shell::logins(&self.script)
        } else {
            Vec::new()
        }
    }

    /// Whether the command's text may hold any of `needles`: a cheap test before the parse.
    /// A command given parsed (no text of its own) always may.
    pub fn may_hold(&self, needles: &[&str]) -> bool {
        self.text.is_empty() || needles.iter().any(|n| self.text.contains(n))
    }
}

/// A source of variables whose contents are not known (`envFrom`, an `env_file` outside the
/// repository, `--env-file`).
#[derive(Debug, Clone)]
pub struct Unknown {
    /// What it is, for the note: "envFrom secretRef `wandb`".
    pub what: String,
    /// Where.
    pub span: ByteSpan,
    /// An env file named by path (compose `env_file`), relative to this file's directory:
    /// read if it exists, so its contents become known.
    pub file: Option<String>,
}

/// A job, step, container, service or stage: something that runs with an environment.
#[derive(Debug, Clone)]
pub struct Scope {
    /// How messages name it: "job `train`", "container `retrain` in CronJob `nightly`".
    pub label: String,
    /// The scope's defining key (where scope-level notes point).
    pub span: ByteSpan,
    /// Variables in effect, outermost first; a later one with the same name overrides.
    pub vars: Vec<Var>,
    /// Commands run in the scope.
    pub commands: Vec<Command>,
    /// Variable sources with unknown contents.
    pub unknown: Vec<Unknown>,
    /// What starts this automation (`schedule`, `push`, `pull_request`, `cron`), for telling
    /// use cases apart; empty when the format does not say.
    pub triggers: Vec<String>,
    /// Where the snippet that sets `WANDB_ENTITY` belongs, for the help line: the format's
    /// way to write it, e.g. `env:\n  WANDB_ENTITY: <team>` under the job.
    pub entity_hint: String,
    /// Whether a missing `WANDB_ENTITY` can be judged here (not in Helm values, whose
    /// templates may add it).
    pub entity_checked: bool,
    /// The code this scope belongs to passes the entity somewhere its own commands do not
    /// show: another step of the same job, a container's command line taken as a whole. It
    /// covers credentials that enter above the scope (a job-level key), not a step's own.
    pub entity_elsewhere: bool,
    /// A repository file its commands run (`python train.py`, `python -m pkg.train`, a
    /// wrapper script) passes the entity: set by the scanner, which reads those files.
    pub entity_in_script: bool,
    /// The directory its commands start in, relative to the checkout, when the file sets one
    /// (GitHub `working-directory`, `defaults.run.working-directory`), as written.
    pub workdir: Option<String>,
    /// The job a step belongs to (GitHub: the job's index): a script one step runs that
    /// passes the entity covers a credential the job gives every step.
    pub job: Option<usize>,
}

impl Scope {
    /// A scope with a label and span and nothing in it yet.
    pub fn new(label: impl Into<String>, span: ByteSpan, entity_hint: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            span,
            vars: Vec::new(),
            commands: Vec::new(),
            unknown: Vec::new(),
            triggers: Vec::new(),
            entity_hint: entity_hint.into(),
            entity_checked: true,
            entity_elsewhere: false,
            entity_in_script: false,
            workdir: None,
            job: None,
        }
    }

    /// The variable named `name` in effect (the innermost setting).
    pub fn var(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }
}

/// What one file yields.
#[derive(Debug, Clone, Default)]
pub struct ConfigDoc {
    /// The scopes, in file order.
    pub scopes: Vec<Scope>,
    /// A parse error: message and byte offset (the file is still scanned for secrets).
    pub error: Option<(String, usize)>,
    /// The file's code passes the entity itself (`wandb.init(entity=...)`,
    /// `weave.init("team/project")`, `--entity`): jobs that run it need no `WANDB_ENTITY`.
    pub entity_in_code: bool,
    /// `wandb/settings` only: the entity it sets under `[default]`.
    pub settings_entity: Option<String>,
    /// Local files this one includes (GitLab `include: local:`), repository-relative.
    pub includes: Vec<String>,
}

/// Cheap test before any parsing: configuration checks only look at files that mention W&B.
pub fn mentions_wandb(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"WANDB_").is_some()
        || memchr::memmem::find(bytes, b"wandb").is_some()
}

/// Whether a file of `format` can give the configuration rules anything to judge: it mentions
/// a credential (`WANDB_API_KEY`, `WANDB_IDENTITY_TOKEN_FILE`, a `login`, a manifest's
/// `envFrom` in a file that names wandb), the SSL switch, or,
/// with a registry, the variables the registry rules read. `wandb/settings` always counts, a
/// GitLab file with `include` too (its includes may hold the jobs). Cheap substring tests.
pub fn worth_parsing(format: Format, bytes: &[u8], registry: bool) -> bool {
    let has = |n: &[u8]| memchr::memmem::find(bytes, n).is_some();
    // `wandb/settings` names wandb in its path; a compose `env_file` may hold the credential.
    if format == Format::WandbSettings || (format == Format::Compose && has(b"env_file")) {
        return true;
    }
    if !mentions_wandb(bytes) {
        return false;
    }
    if format == Format::GitlabCi && has(b"include") {
        return true;
    }
    has(b"WANDB_API_KEY")
        || has(b"WANDB_IDENTITY_TOKEN_FILE")
        || has(b"WANDB_INSECURE_DISABLE_SSL")
        || has(b"login")
        || (registry && (has(b"WANDB_ENTITY") || has(b"WANDB_USER")))
        // A Secret named for W&B loaded whole (`envFrom: [{secretRef: {name: wandb}}]`).
        || (matches!(
            format,
            Format::Kubernetes | Format::HelmTemplate | Format::HelmValues
        ) && has(b"envFrom"))
        // A W&B action's inputs (`with: {wandb_api_key: ...}`).
        || (matches!(format, Format::GithubWorkflow | Format::GithubAction) && has(b"with:"))
        // An Airflow Variable holding the environment (`deserialize_json=True`).
        || (format == Format::Python && has(b"deserialize_json"))
        // A Modal Secret or a Kubernetes Secret named for W&B, given to a remote function or
        // a pipeline task.
        || (format == Format::Python && (has(b"Secret.from_name") || has(b"use_secret_as_env")))
}

/// Reads one file of format `format` into scopes (none when it holds nothing to judge; a
/// parse error is kept in [`ConfigDoc::error`]); YAML formats load under `limits`.
pub fn read(format: Format, text: &str, limits: &Limits) -> ConfigDoc {
    read_in_chart(format, text, &[], limits)
}

/// [`read`], for a Helm template whose chart's values files are known (`values`): the plain
/// `.Values` references of its `env` are rendered from them.
pub fn read_in_chart(
    format: Format,
    text: &str,
    values: &[helm::Values],
    limits: &Limits,
) -> ConfigDoc {
    let mut doc = match format {
        Format::GithubWorkflow | Format::GithubAction => github::read(text, format, limits),
        Format::GitlabCi => gitlab::read(text, limits),
        Format::HelmTemplate => helm::read(text, values, limits),
        Format::Kubernetes if helm::claims(text) => helm::read(text, values, limits),
        Format::Kubernetes if task::claims(text) => task::read(text, limits),
        Format::Kubernetes => kubernetes::read_manifest(text, limits),
        Format::HelmValues => kubernetes::read(text, format, limits),
        Format::Compose => compose::read(text, limits),
        Format::Dockerfile => dockerfile::read(text),
        Format::DotEnv => text::read_dotenv(text),
        Format::Shell | Format::Makefile | Format::Justfile => text::read_shell(text, format),
        Format::Jenkinsfile => text::read_jenkinsfile(text),
        Format::Python => text::read_python(text),
        Format::WandbSettings => text::read_settings(text),
    };
    written_scripts(&mut doc);
    launched::add_scopes(&mut doc);
    // In a script or a Python module the whole file is the code that runs; in CI files only
    // each scope's own commands count (checked per scope).
    // (A script's own commands and assignments are judged per scope: the processes it
    // launches and the scripts it writes are scopes with environments of their own.)
    let code_passes = match format {
        Format::Python => shell::code_passes_entity(text),
        _ => false,
    };
    if code_passes {
        doc.entity_in_code = true;
    }
    doc
}

/// A shell assignment (`export NAME=value`) as a variable of a scope, with `origin`.
pub fn assign_var(a: &shell::Assign, origin: impl Into<String>) -> Var {
    Var {
        name: a.name.clone(),
        value: classify(&a.raw),
        name_span: a.name_span.clone(),
        value_span: a
            .value
            .as_ref()
            .map_or(a.name_span.end..a.name_span.end, |v| v.span.clone()),
        origin: origin.into(),
    }
}

/// The scripts that commands write (`cat > run.sh <<EOF ... EOF`) become scopes of their
/// own: they run later, elsewhere, with the environment they set themselves.
fn written_scripts(doc: &mut ConfigDoc) {
    let mut extra = Vec::new();
    for scope in &doc.scopes {
        // Only a heredoc writes a script.
        for c in scope.commands.iter().filter(|c| c.may_hold(&["<<"])) {
            for (ctx, context) in c.script.contexts.iter().enumerate() {
                let shell::Context::Written { path } = context else {
                    continue;
                };
                let script = c.script.written(ctx);
                let Some(first) = script
                    .commands
                    .first()
                    .map(|f| f.span.clone())
                    .or_else(|| script.assignments.first().map(|(a, _)| a.span.clone()))
                else {
                    continue;
                };
                let shown: String = path
                    .chars()
                    .filter(|ch| !ch.is_control())
                    .take(80)
                    .collect();
                let mut s = Scope::new(
                    format!("script written to `{shown}` in {}", scope.label),
                    first.clone(),
                    "export WANDB_ENTITY=<team>   # in the written script",
                );
                s.vars = shell::assignments(&script)
                    .into_iter()
                    .map(|a| assign_var(a, "written script"))
                    .collect();
                let end = script
                    .commands
                    .iter()
                    .map(|c| c.span.end)
                    .max()
                    .unwrap_or(first.end);
                s.commands
                    .push(Command::parsed(first.start..end.max(first.end), script));
                extra.push(s);
            }
        }
    }
    doc.scopes.extend(extra);
}

/// Classifies a value written in a YAML or env file: secret references of every kind we know,
/// empty, or literal.
pub fn classify(raw: &str) -> Value {
    let v = raw.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(v)
        .trim();
    if v.is_empty() {
        return Value::Empty;
    }
    if let Some(name) = reference_name(v) {
        return Value::Secret(name);
    }
    Value::Literal(v.to_string())
}

/// The secret or variable a value refers to, if it is a reference: `${{ secrets.X }}`,
/// `${{ vars.X }}`, `$X`, `${X}`, `${X:-default}`, `$(cat /run/secrets/x)`, `{{ .Values.x }}`,
/// `{{ var.value.x }}`, `credentials('x')`, `Variable.get("x")`, `os.environ[...]`.
pub fn reference_name(v: &str) -> Option<String> {
    let v = v.trim();
    // Make writes a shell variable as `$$X`.
    if let Some(rest) = v.strip_prefix("$$") {
        return reference_name(&format!("${rest}"));
    }
    if let Some(inner) = v.strip_prefix("${{").and_then(|x| x.strip_suffix("}}")) {
        let inner = inner.trim();
        return Some(inner.to_string());
    }
    if v.contains("${{") {
        // An expression mixing text and references: the secret part is a reference.
        if let Some(start) = v.find("${{") {
            let rest = &v[start + 3..];
            let end = rest.find("}}").unwrap_or(rest.len());
            return Some(rest[..end].trim().to_string());
        }
    }
    if let Some(inner) = v.strip_prefix("${").and_then(|x| x.strip_suffix('}')) {
        let name: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            return Some(name);
        }
    }
    if let Some(name) = v.strip_prefix('$') {
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some(name.to_string());
        }
        if name.starts_with('(') {
            return Some(name.to_string());
        }
    }
    if v.starts_with("{{") && v.ends_with("}}") {
        return Some(
            v.trim_start_matches('{')
                .trim_end_matches('}')
                .trim()
                .to_string(),
        );
    }
    for call in [
        "credentials(",
        "Variable.get(",
        "os.environ",
        "os.getenv(",
        "env.",
    ] {
        if v.starts_with(call) {
            return Some(v.to_string());
        }
    }
    // A command substitution in backticks: `cat key.txt`.
    if v.len() > 2 && v.starts_with('`') && v.ends_with('`') {
        return Some(v.to_string());
    }
    if v.starts_with("%(") || v.starts_with("%{") {
        return Some(v.to_string());
    }
    None
}

/// Whether a literal is obviously a placeholder (`<your-key>`, `changeme`, `xxxx`), which
/// example files hold instead of keys.
pub fn is_placeholder(v: &str) -> bool {
    let l = v.trim().to_ascii_lowercase();
    if l.is_empty() {
        return true;
    }
    if l.starts_with('<') && l.ends_with('>') {
        return true;
    }
    let words = [
        "changeme",
        "change-me",
        "change_me",
        "your",
        "replace",
        "example",
        "placeholder",
        "dummy",
        "redacted",
        "todo",
        "fixme",
        "insert",
        "secret-here",
        "key-here",
        "...",
    ];
    if words.iter().any(|w| l.contains(w)) {
        return true;
    }
    let first = l.chars().next().unwrap_or('x');
    l.len() >= 4 && l.chars().all(|c| c == first) && matches!(first, 'x' | '*' | '0' | '.' | '-')
}

/// A string value that reads as true (`true`, `1`, `yes`, `on`).
pub fn truthy(v: &str) -> bool {
    let l = v
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase();
    matches!(l.as_str(), "true" | "1" | "yes" | "on" | "y")
}

/// The names of the credential variables.
pub const API_KEY: &str = "WANDB_API_KEY";
/// The federated identity token file.
pub const TOKEN_FILE: &str = "WANDB_IDENTITY_TOKEN_FILE";
/// The entity.
pub const ENTITY: &str = "WANDB_ENTITY";

/// Variables of a YAML `env:`-style node: a mapping (`NAME: value`) or a list of `NAME=value`
/// strings (compose, GitLab `variables` with `value:` maps too).
pub fn yaml_vars(
    node: &crate::yaml::tree::Node,
    idx: &crate::yaml::tree::Src<'_>,
    origin: &str,
) -> Vec<Var> {
    let mut out = Vec::new();
    if let Some(entries) = crate::yaml::tree::mapping(node) {
        for (name, k, v) in entries {
            let name_span = idx.span(k);
            // GitLab: `NAME: {value: x, description: ...}`.
            let v = crate::yaml::tree::get(v, "value").unwrap_or(v);
            let value = match crate::yaml::tree::scalar_text(v) {
                Some(text) => classify(&text),
                None => Value::Inherited,
            };
            let mut value_span = idx.span(v);
            if value_span.is_empty() {
                value_span = name_span.end..name_span.end;
            }
            out.push(Var {
                name,
                value,
                name_span,
                value_span,
                origin: origin.to_string(),
            });
        }
    } else if let Some(items) = crate::yaml::tree::items(node) {
        for item in items {
            let Some(text) = crate::yaml::tree::scalar_text(item) else {
                continue;
            };
            let span = idx.span(item);
            let raw = idx.slice(&span);
            // The span may include quotes: find the name inside it.
            let lead = raw
                .find(|c: char| c.is_ascii_alphabetic() || c == '_')
                .unwrap_or(0);
            let (name, value, value_span) = match text.split_once('=') {
                Some((n, v)) => {
                    let vstart = span.start + lead + n.len() + 1;
                    (n.trim().to_string(), classify(v), vstart..vstart + v.len())
                }
                None => (
                    text.trim().to_string(),
                    Value::Inherited,
                    span.end..span.end,
                ),
            };
            let name_start = span.start + lead;
            out.push(Var {
                name_span: name_start..name_start + name.len(),
                name,
                value,
                value_span,
                origin: origin.to_string(),
            });
        }
    }
    out
}

/// Commands of a YAML `run:`/`script:` node (a string or a list of strings, each a shell
/// text), parsed from the text the runner gives the shell.
pub fn yaml_commands(
    node: &crate::yaml::tree::Node,
    idx: &crate::yaml::tree::Src<'_>,
) -> Vec<Command> {
    let mut out = Vec::new();
    let mut one = |n: &crate::yaml::tree::Node| {
        if let Some(decoded) = crate::yaml::tree::scalar_text(n) {
            out.push(yaml_shell(n, &decoded, idx));
        }
    };
    match crate::yaml::tree::items(node) {
        Some(items) => {
            for i in items {
                if let Some(inner) = crate::yaml::tree::items(i) {
                    // GitLab allows nested lists (from anchors).
                    for j in inner {
                        one(j);
                    }
                } else {
                    one(i);
                }
            }
        }
        None => one(node),
    }
    out
}

/// One YAML scalar holding a shell text.
pub fn yaml_shell(
    n: &crate::yaml::tree::Node,
    decoded: &str,
    idx: &crate::yaml::tree::Src<'_>,
) -> Command {
    let span = idx.span(n);
    let raw = idx.slice(&span);
    let view = shell::dialect::yaml_scalar(raw, decoded, span.start);
    Command::shell(raw, span, view)
}

/// A YAML list of words run without a shell (a container's `command` and `args`, a compose
/// `command` list): one command; a single string is a shell text.
pub fn yaml_argv(
    nodes: &[&crate::yaml::tree::Node],
    idx: &crate::yaml::tree::Src<'_>,
) -> Vec<Command> {
    let mut words = Vec::new();
    let mut span: Option<ByteSpan> = None;
    for node in nodes {
        let s = idx.span(node);
        span = Some(span.map_or(s.clone(), |p| p.start.min(s.start)..p.end.max(s.end)));
        match crate::yaml::tree::items(node) {
            Some(items) => {
                for item in items {
                    if let Some(decoded) = crate::yaml::tree::scalar_text(item) {
                        let is = idx.span(item);
                        let view = shell::dialect::yaml_scalar(idx.slice(&is), &decoded, is.start);
                        words.push(shell::Word {
                            expands: decoded.contains('$'),
                            text: decoded,
                            span: is,
                            offsets: view.offsets,
                        });
                    }
                }
            }
            None => {
                if let Some(decoded) = crate::yaml::tree::scalar_text(node) {
                    if words.is_empty() && nodes.len() == 1 {
                        return vec![yaml_shell(node, &decoded, idx)];
                    }
                    let view = shell::dialect::yaml_scalar(idx.slice(&s), &decoded, s.start);
                    words.push(shell::Word {
                        expands: decoded.contains('$'),
                        text: decoded,
                        span: s,
                        offsets: view.offsets,
                    });
                }
            }
        }
    }
    let Some(span) = span else {
        return Vec::new();
    };
    if words.is_empty() {
        return Vec::new();
    }
    vec![Command::argv(idx.slice(&span), span, words)]
}

/// Loads YAML documents under `limits`, or records the parse error in `doc`.
pub fn load_yaml(text: &str, doc: &mut ConfigDoc, limits: &Limits) -> Vec<crate::yaml::tree::Node> {
    loaded_docs(crate::yaml::tree::load(text, limits), doc)
}

/// The documents of a load, or none with its parse error recorded in `doc`.
pub fn loaded_docs(
    loaded: Result<Vec<crate::yaml::tree::Node>, crate::yaml::YamlSyntaxError>,
    doc: &mut ConfigDoc,
) -> Vec<crate::yaml::tree::Node> {
    match loaded {
        Ok(d) => d,
        Err(e) => {
            doc.error = Some((e.message, e.offset));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!(
            Format::of(".github/workflows/train.yml"),
            Some(Format::GithubWorkflow)
        );
        assert_eq!(Format::of("ci/.gitlab-ci.yml"), Some(Format::GitlabCi));
        assert_eq!(
            Format::of("deploy/docker-compose.prod.yml"),
            Some(Format::Compose)
        );
        assert_eq!(
            Format::of("images/train.Dockerfile"),
            Some(Format::Dockerfile)
        );
        assert_eq!(Format::of("Dockerfile.gpu"), Some(Format::Dockerfile));
        assert_eq!(Format::of("k8s/cronjob.yaml"), Some(Format::Kubernetes));
        assert_eq!(
            Format::of("chart/templates/job.yaml"),
            Some(Format::HelmTemplate)
        );
        assert_eq!(
            Format::of("chart/values-prod.yaml"),
            Some(Format::HelmValues)
        );
        assert_eq!(Format::of("Jenkinsfile"), Some(Format::Jenkinsfile));
        assert_eq!(Format::of("dags/train.py"), Some(Format::Python));
        assert_eq!(Format::of("wandb/settings"), Some(Format::WandbSettings));
        assert_eq!(Format::of("deploy/.env.prod"), Some(Format::DotEnv));
        assert_eq!(Format::of("README.md"), None);
    }

    #[test]
    fn references_and_literals() {
        assert_eq!(
            classify("${{ secrets.WANDB_KEY }}"),
            Value::Secret("secrets.WANDB_KEY".into())
        );
        assert_eq!(classify("$WANDB_KEY"), Value::Secret("WANDB_KEY".into()));
        assert_eq!(
            classify("${WANDB_KEY:-}"),
            Value::Secret("WANDB_KEY".into())
        );
        assert_eq!(classify("\"\""), Value::Empty);
        assert_eq!(classify("'abc123'"), Value::Literal("abc123".into()));
        assert!(is_placeholder("<your-api-key>"));
        assert!(is_placeholder("xxxxxxxx"));
        assert!(!is_placeholder("a81f0c"));
        assert!(truthy("\"true\""));
        assert!(!truthy("false"));
    }
}
