//! Modal apps in Python: each `@app.function(...)` / `@app.cls(...)` (or `@stub.…`) is a scope,
//! the remote container the function runs in, with the environment Modal gives it:
//!
//! - `secrets=[...]`: `Secret.from_name("x")` (a Secret named for W&B, `wandb`,
//!   `wandb-secret`, holds the credential, as a Kubernetes `envFrom` Secret does; a Secret
//!   named for another service holds nothing of W&B's; any other is unknown content),
//!   `Secret.from_dict({"WANDB_API_KEY": ...})`, `Secret.from_local_environ([...])`,
//!   `Secret.from_dotenv()` (unknown content);
//! - `image=`: the `.env({...})` calls of the image's chain (an image built from another
//!   is followed to it);
//! - the same arguments of the `modal.App(...)` / `modal.Stub(...)`, which every function
//!   of the app inherits.
//!
//! Names (`secrets=[wandb_secret]`, `image=image`, `.env(env)`) are followed to their last
//! assignment before the use.

use std::ops::Range;

use super::text::{block, definition, dict_vars, paren_block};
use super::{Scope, Unknown, Value, Var};

crate::pattern::patterns! {
    DECORATOR: Text = r"@[ \t]*[A-Za-z_][A-Za-z0-9_]*\.(function|cls)\b";
    APP: Text = r"\b(?:modal\.)?(?:App|Stub)\s*\(";
    DEFINED: Text = r"(?m)^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)";
    SECRET_CALL: Text = r"\bSecret\s*\.\s*(from_name|from_dict|from_local_environ|from_dotenv)\s*\(";
    STRING: Text = r#""([^"\n]*)"|'([^'\n]*)'"#;
    IDENT: Text = r"^[A-Za-z_][A-Za-z0-9_]*$";
    ENV_CALL: Text = r"\.\s*env\s*\(";
    KEYWORD: Text = r"\b(secrets|image)\s*=\s*";
    NAME: Text = r"\b[A-Za-z_][A-Za-z0-9_]*\b";
}

/// How deep names are followed (an image built from an image built from ...).
const DEPTH: usize = 4;

/// Services whose Secrets hold their own credentials, not W&B's: a Modal Secret named for one
/// (`huggingface-secret`, `aws`) is not a source of `WANDB_ENTITY`.
const OTHER_SERVICES: &[&str] = &[
    "huggingface",
    "hf",
    "openai",
    "anthropic",
    "aws",
    "s3",
    "gcp",
    "google",
    "github",
    "gh",
    "slack",
    "docker",
    "dockerhub",
    "cohere",
    "mistral",
    "together",
    "groq",
    "replicate",
    "pinecone",
    "postgres",
    "r2",
    "azure",
    "kaggle",
    "ngrok",
    "mlflow",
    "neptune",
    "comet",
    "discord",
    "telegram",
    "supabase",
];

/// Whether a file can hold a Modal app.
pub fn claims(text: &str) -> bool {
    text.contains("modal") && (text.contains(".function") || text.contains(".cls"))
}

/// The Modal functions of a Python file, as scopes.
pub fn scopes(text: &str) -> Vec<Scope> {
    // What the app gives every function.
    let mut app = Env::default();
    for m in APP.find_iter(text) {
        let args = paren_block(text, m.end() - 1);
        app.add_args(text, args);
    }
    let mut out = Vec::new();
    for m in DECORATOR.find_iter(text) {
        let rest_at = m.end();
        let rest = text.get(rest_at..).unwrap_or("");
        let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let mut env = Env::default();
        let mut after = rest_at;
        if rest.get(lead..).is_some_and(|r| r.starts_with('(')) {
            let args = paren_block(text, rest_at + lead);
            after = args.end;
            env.add_args(text, args);
        }
        let name = DEFINED
            .captures(text.get(after..).unwrap_or(""))
            .and_then(|c| c.get(1))
            .map_or("?", |n| n.as_str());
        let mut scope = Scope::new(
            format!("Modal function `{name}`"),
            m.start()..m.end(),
            "image = modal.Image.debian_slim().env({\"WANDB_ENTITY\": \"<team>\"})   # the function's image",
        );
        scope.vars = app.vars.iter().chain(&env.vars).cloned().collect();
        scope.unknown = app.unknown.iter().chain(&env.unknown).cloned().collect();
        if !scope.vars.is_empty() || !scope.unknown.is_empty() {
            out.push(scope);
        }
    }
    out
}

/// Whether a Modal Secret's name says it holds W&B credentials (the test Kubernetes applies
/// to an `envFrom` Secret), or another service's only.
fn secret_kind(name: &str) -> Option<bool> {
    if super::kubernetes::names_wandb(name) {
        return Some(true);
    }
    let lower = name.to_ascii_lowercase();
    let other = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| OTHER_SERVICES.contains(&w))
        || OTHER_SERVICES
            .iter()
            .filter(|s| s.len() > 3)
            .any(|s| lower.contains(s));
    other.then_some(false)
}

/// The environment one call's arguments give.
#[derive(Default)]
struct Env {
    vars: Vec<Var>,
    unknown: Vec<Unknown>,
}

impl Env {
    /// The `secrets=` and `image=` arguments of the call whose arguments are at `args`.
    fn add_args(&mut self, text: &str, args: Range<usize>) {
        let Some(slice) = text.get(args.clone()) else {
            return;
        };
        for c in KEYWORD.captures_iter(slice) {
            let (Some(kw), Some(all)) = (c.get(1), c.get(0)) else {
                continue;
            };
            let at = args.start + all.end();
            let value = expression(text, at, true);
            match kw.as_str() {
                "secrets" => self.secrets(text, value, DEPTH),
                _ => self.image(text, value, DEPTH),
            }
        }
    }

    /// A `secrets` expression: a list, a sum of lists, a conditional, or a name bound to one:
    /// every `Secret.from_*` call in it, and every name in it bound to a Secret or a list of
    /// them (followed `depth` levels).
    fn secrets(&mut self, text: &str, span: Range<usize>, depth: usize) {
        let Some(expr) = text.get(span.clone()) else {
            return;
        };
        for m in SECRET_CALL.captures_iter(expr) {
            if let (Some(all), Some(kind)) = (m.get(0), m.get(1)) {
                let args = paren_block(text, span.start + all.end() - 1);
                self.secret_call(text, kind.as_str(), args);
            }
        }
        if depth == 0 {
            return;
        }
        for m in NAME.find_iter(expr) {
            let before = expr.get(..m.start()).unwrap_or("").trim_end();
            let after = expr.get(m.end()..).unwrap_or("").trim_start();
            if before.ends_with('.') || after.starts_with(['(', '.', '=']) {
                continue;
            }
            let Some(def) = definition(text, m.as_str(), span.start + m.start()) else {
                continue;
            };
            let value = expression(text, def, false);
            if text
                .get(value.clone())
                .is_some_and(|v| v.contains("Secret"))
            {
                self.secrets(text, value, depth - 1);
            }
        }
    }

    /// One `Secret.from_*(...)` call with its arguments at `args`.
    fn secret_call(&mut self, text: &str, kind: &str, args: Range<usize>) {
        let slice = text.get(args.clone()).unwrap_or("");
        let first_string = STRING.captures(slice).and_then(|c| c.get(1).or(c.get(2)));
        match kind {
            "from_name" => {
                let Some(n) = first_string else { return };
                let name = n.as_str();
                let span = args.start + n.start()..args.start + n.end();
                match secret_kind(name) {
                    Some(true) => self.vars.insert(
                        0,
                        Var {
                            name: super::API_KEY.to_string(),
                            value: Value::Secret(format!("Modal Secret `{name}`")),
                            name_span: span.clone(),
                            value_span: span,
                            origin: format!("Modal Secret `{name}`"),
                        },
                    ),
                    Some(false) => {}
                    None => self.unknown.push(Unknown {
                        what: format!("Modal Secret `{name}`"),
                        span,
                        file: None,
                    }),
                }
            }
            "from_dict" => {
                let open = slice.find('{').map(|i| args.start + i);
                if let Some(open) = open {
                    self.vars
                        .extend(dict_vars(text, block(text, open), "Modal Secret"));
                } else if let Some(name) = ident(slice.trim_matches(['(', ')', ' ', '\n'])) {
                    if let Some(def) = definition(text, name, args.start) {
                        if text.get(def..).is_some_and(|t| t.starts_with('{')) {
                            let d = block(text, def);
                            self.vars.extend(dict_vars(text, d, "Modal Secret"));
                        }
                    }
                }
            }
            "from_local_environ" => {
                for c in STRING.captures_iter(slice) {
                    let Some(n) = c.get(1).or(c.get(2)) else {
                        continue;
                    };
                    let span = args.start + n.start()..args.start + n.end();
                    self.vars.push(Var {
                        name: n.as_str().to_string(),
                        value: Value::Inherited,
                        name_span: span.clone(),
                        value_span: span,
                        origin: "Modal Secret from the local environment".to_string(),
                    });
                }
            }
            _ => self.unknown.push(Unknown {
                what: "Modal Secret from a .env file".to_string(),
                span: args,
                file: None,
            }),
        }
    }

    /// An image expression (or a name bound to one): the `.env(...)` calls of its chain, and
    /// the image it is built from.
    fn image(&mut self, text: &str, span: Range<usize>, depth: usize) {
        let Some(expr) = text.get(span.clone()) else {
            return;
        };
        let base = expr
            .trim_start_matches('(')
            .trim_start()
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        if !base.is_empty() && base != "modal" && base != "Image" && depth > 0 {
            if let Some(def) = definition(text, base, span.start) {
                self.image(text, expression(text, def, false), depth - 1);
            }
        }
        for m in ENV_CALL.find_iter(expr) {
            let args = paren_block(text, span.start + m.end() - 1);
            let inner = text.get(args.clone()).unwrap_or("");
            let body = inner.trim_start_matches('(').trim_start();
            let at = args.end - inner.len() + (inner.len() - body.len());
            if body.starts_with('{') {
                self.vars
                    .extend(dict_vars(text, block(text, at), "the image's env"));
            } else if body.starts_with("dict(") {
                let d = paren_block(text, at + 4);
                self.vars.extend(dict_vars(text, d, "the image's env"));
            } else if let Some(name) = ident(body.trim_end_matches([')', ' ', '\n', ','])) {
                if let Some(def) = definition(text, name, at) {
                    if text.get(def..).is_some_and(|t| t.starts_with('{')) {
                        let d = block(text, def);
                        self.vars.extend(dict_vars(text, d, "the image's env"));
                    }
                }
            }
        }
    }
}

/// A plain name.
fn ident(s: &str) -> Option<&str> {
    let s = s.trim();
    (IDENT.is_match(s) && !matches!(s, "None" | "True" | "False")).then_some(s)
}

/// The Python expression starting at `at`: to the first `,` or `)` outside brackets and
/// strings, or (outside a call's arguments, `in_call` false) the line's end.
fn expression(text: &str, at: usize, in_call: bool) -> Range<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = at;
    while let Some(&b) = bytes.get(i) {
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => break,
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => break,
                b'\n' | b'#' if depth == 0 && !in_call => break,
                b'#' => {
                    // A comment inside brackets: to its line's end.
                    while bytes.get(i + 1).is_some_and(|c| *c != b'\n') {
                        i += 1;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    at..i.min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_with_wandb_secrets_and_image_env() {
        let text = r#"import modal

image = modal.Image.debian_slim().pip_install("wandb")
trainer = image.env({"WANDB_PROJECT": "churn", "WANDB_ENTITY": "ml-team"})
wandb_secret = modal.Secret.from_name("wandb-secret")
app = modal.App("train")


@app.function(gpu="A10G", secrets=[wandb_secret, modal.Secret.from_name("huggingface-secret")])
def train():
    pass


@app.function(image=trainer, secrets=[modal.Secret.from_name("wandb")])
def evaluate():
    pass


@app.cls(secrets=[modal.Secret.from_dict({"WANDB_API_KEY": "k3y-in-modal-dict-3c2f"}), modal.Secret.from_name("team-config")])
class Server:
    pass


@app.function
def plain():
    pass
"#;
        let scopes = scopes(text);
        let labels: Vec<&str> = scopes.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "Modal function `train`",
                "Modal function `evaluate`",
                "Modal function `Server`"
            ]
        );
        let key = scopes[0].var("WANDB_API_KEY").expect("key");
        assert_eq!(&text[key.name_span.clone()], "wandb-secret");
        assert!(scopes[0].unknown.is_empty(), "{:?}", scopes[0].unknown);
        assert!(scopes[0].var("WANDB_ENTITY").is_none());
        assert_eq!(
            scopes[1].var("WANDB_ENTITY").map(|v| v.value.clone()),
            Some(Value::Literal("ml-team".into()))
        );
        let key = scopes[2].var("WANDB_API_KEY").expect("key");
        assert_eq!(key.value, Value::Literal("k3y-in-modal-dict-3c2f".into()));
        assert_eq!(scopes[2].unknown.len(), 1);
    }

    #[test]
    fn app_arguments_and_named_env_dicts() {
        let text = "import modal\nenv = {\n    \"WANDB_API_KEY\": os.getenv(\"WANDB_API_KEY\"),\n}\nimage = Image.from_registry(\"x\").env(\n    env\n)\nstub = modal.Stub(\"x\", image=image)\n\n@stub.function(timeout=60)\ndef run():\n    pass\n";
        let scopes = scopes(text);
        assert_eq!(scopes.len(), 1);
        let key = scopes[0].var("WANDB_API_KEY").expect("key");
        assert_eq!(
            key.name_span.start,
            text.find("\"WANDB_API_KEY\"").expect("k") + 1
        );
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "@app.function(",
            "@app.function(secrets=[",
            "@app.function(secrets=[modal.Secret.from_name(",
            "@app.function(image=x.env(",
            "x = x\n@app.function(image=x.env(y), secrets=s)\ndef f(): pass",
            "modal.App(secrets=[é, Secret.from_dict(",
        ] {
            let _ = scopes(text);
        }
    }
}
