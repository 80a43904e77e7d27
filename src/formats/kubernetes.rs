//! Kubernetes manifests (multi-document; Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! Job, CronJob, and `List` of them; custom resources that embed containers, found by shape in
//! [`crd`]): each container and init container is a scope, with its `env` (literal values,
//! `secretKeyRef`, Argo workflow parameters as the plain text they are) and `envFrom` sources
//! (contents unknown unless the Secret's name says W&B). Helm values
//! files are plain YAML: any `WANDB_*` key or `env` list found in them is read.

use crate::yaml::tree::Node;

use super::{classify, yaml_vars, ConfigDoc, Format, Scope, Unknown, Value, Var};
use crate::yaml::tree::{self, Src};
use crate::yaml::Limits;

mod crd;

const HINT: &str = "env:\n  - name: WANDB_ENTITY\n    value: <team>   # in the container";

/// Reads a manifest (or Helm values file).
pub fn read(text: &str, format: Format, limits: &Limits) -> ConfigDoc {
    read_docs(text, format, limits, false)
}

/// [`read`] for a manifest file as it is in the repository: only its documents that can hold
/// W&B configuration are parsed (see [`may_hold_wandb`]). Objects do not refer to each other
/// across documents here, so the others cannot change a finding. A rendered Helm template is
/// read whole: its values may name W&B where its text does not.
pub fn read_manifest(text: &str, limits: &Limits) -> ConfigDoc {
    read_docs(text, Format::Kubernetes, limits, true)
}

/// Whether a document's text can hold W&B configuration: it names W&B in some case
/// (`WANDB_API_KEY`, a `wandb-secret`, `wandb login`), or it has a backslash, which a
/// double-quoted escape (`"\x57ANDB_API_KEY"`) could hide a name behind.
fn may_hold_wandb(text: &str) -> bool {
    text.contains('\\') || names_wandb(text)
}

fn read_docs(text: &str, format: Format, limits: &Limits, wanted_only: bool) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let idx = Src(text);
    let loaded = if wanted_only {
        tree::load_wanted(text, limits, may_hold_wandb)
    } else {
        tree::load(text, limits)
    };
    let docs = super::loaded_docs(loaded, &mut doc);
    for root in &docs {
        if format == Format::HelmValues {
            read_values(root, &idx, &mut doc);
        } else {
            read_object(root, &idx, &mut doc, limits, 0);
        }
    }
    doc
}

/// The pod spec of a workload, by kind.
fn pod_spec<'n>(kind: &str, obj: &'n Node) -> Option<&'n Node> {
    let spec = tree::get(obj, "spec")?;
    match kind {
        "Pod" => Some(spec),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => tree::get(tree::get(spec, "template")?, "spec"),
        "CronJob" => tree::get(
            tree::get(
                tree::get(tree::get(spec, "jobTemplate")?, "spec")?,
                "template",
            )?,
            "spec",
        ),
        "PodTemplate" => tree::get(tree::get(obj, "template")?, "spec"),
        _ => None,
    }
}

fn read_object(obj: &Node, idx: &Src<'_>, doc: &mut ConfigDoc, limits: &Limits, depth: usize) {
    let Some(kind) = tree::get(obj, "kind").and_then(tree::scalar_text) else {
        return;
    };
    if kind == "List" && depth < 4 {
        for item in tree::get(obj, "items").and_then(tree::items).unwrap_or(&[]) {
            read_object(item, idx, doc, limits, depth + 1);
        }
        return;
    }
    let name = tree::get(obj, "metadata")
        .and_then(|m| tree::get(m, "name"))
        .and_then(tree::scalar_text)
        .unwrap_or_else(|| "unnamed".to_string());
    let Some(spec) = pod_spec(&kind, obj) else {
        // A custom resource (Argo, Kubeflow, KServe, Ray, a Volcano `Job`...): its containers
        // are found by shape.
        // Workflows are often submitted with a `generateName` prefix rather than a name.
        let name = match tree::get(obj, "metadata").and_then(|m| tree::get(m, "generateName")) {
            Some(g) if name == "unnamed" => tree::scalar_text(g).unwrap_or(name),
            _ => name,
        };
        crd::read(obj, (&kind, &name), idx, doc, limits, depth);
        return;
    };
    // What starts it, for telling use cases apart: a schedule, or a long-running service.
    let mut triggers = Vec::new();
    match kind.as_str() {
        "CronJob" => triggers.push("schedule".to_string()),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            triggers.push("service".to_string());
        }
        _ => {}
    }
    for (list, what) in [
        ("initContainers", "init container"),
        ("containers", "container"),
    ] {
        for c in tree::get(spec, list).and_then(tree::items).unwrap_or(&[]) {
            let cname = tree::get(c, "name")
                .and_then(tree::scalar_text)
                .unwrap_or_else(|| "unnamed".to_string());
            let label = format!("{what} `{cname}` in {kind} `{name}`");
            doc.scopes.push(container_scope(c, label, idx, &triggers));
        }
    }
}

/// Whether a secret's name says it holds W&B credentials (`wandb`, `wandb-secret`,
/// `wandb-api-key`): a Secret loaded whole under such a name gives its holder the credential.
pub fn names_wandb(name: &str) -> bool {
    // `wandb` in any ASCII case, without a lowered copy (whole documents are asked too).
    let bytes = name.as_bytes();
    memchr::memchr2_iter(b'w', b'W', bytes).any(|at| {
        bytes
            .get(at..at + 5)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"wandb"))
    })
}

/// One container (a Kubernetes container object, an Argo `container:` or `script:` template) as
/// a scope: its `env`, `envFrom`, its `command` and `args` as one argv, and an Argo script's
/// `source` as a shell text.
fn container_scope(c: &Node, label: String, idx: &Src<'_>, triggers: &[String]) -> Scope {
    let span = tree::get(c, "name").map_or_else(|| idx.span(c), |n| idx.span(n));
    let mut scope = Scope::new(label, span, HINT);
    if let Some(env) = tree::get(c, "env") {
        scope.vars = env_list(env, idx);
    }
    for src in tree::get(c, "envFrom").and_then(tree::items).unwrap_or(&[]) {
        let (what, n) = if let Some(r) = tree::get(src, "secretRef") {
            ("secretRef", r)
        } else if let Some(r) = tree::get(src, "configMapRef") {
            ("configMapRef", r)
        } else {
            continue;
        };
        let ref_name = tree::get(n, "name")
            .and_then(tree::scalar_text)
            .unwrap_or_default();
        // A Secret named for W&B (`wandb`, `wandb-secret`, `wandb-api-key`) holds the
        // key: the container receives the credential from it. `env` entries still
        // override it, so it goes first.
        if what == "secretRef" && names_wandb(&ref_name) {
            scope.vars.insert(
                0,
                Var {
                    name: super::API_KEY.to_string(),
                    value: Value::Secret(ref_name.clone()),
                    name_span: idx.span(n),
                    value_span: idx.span(n),
                    origin: format!("envFrom secretRef `{ref_name}`"),
                },
            );
            continue;
        }
        scope.unknown.push(Unknown {
            what: format!("envFrom {what} `{ref_name}`"),
            span: idx.span(src),
            file: None,
        });
    }
    // `command` and `args` together are the container's argv (no shell between,
    // unless they start one: `["sh", "-c", "..."]`).
    let argv: Vec<&Node> = ["command", "args"]
        .iter()
        .filter_map(|k| tree::get(c, k))
        .collect();
    scope.commands.extend(super::yaml_argv(&argv, idx));
    // An Argo `script:` template: `source` is the script its command runs.
    if let Some(source) = tree::get(c, "source") {
        if let Some(decoded) = tree::scalar_text(source) {
            let command = super::yaml_shell(source, &decoded, idx);
            // What the script sets for itself (`export WANDB_API_KEY=...`) is in effect in it.
            for a in super::shell::assignments(&command.script) {
                scope.vars.push(super::assign_var(a, "script source"));
            }
            scope.commands.push(command);
        }
    }
    // `["python", "x.py", "--entity", "ml"]`: the words only make sense together.
    let joined: Vec<String> = ["command", "args"]
        .iter()
        .filter_map(|k| tree::get(c, k))
        .flat_map(|n| match tree::items(n) {
            Some(items) => items.iter().filter_map(tree::scalar_text).collect(),
            None => tree::scalar_text(n).into_iter().collect::<Vec<_>>(),
        })
        .collect();
    scope.entity_elsewhere = super::shell::code_passes_entity(&joined.join(" "))
        || scope.commands.iter().any(|c| c.passes_entity());
    scope.triggers = triggers.to_vec();
    scope
}

/// A container `env` list: `{name, value}` or `{name, valueFrom: {secretKeyRef: {name, key}}}`.
fn env_list(env: &Node, idx: &Src<'_>) -> Vec<Var> {
    let mut out = Vec::new();
    for item in tree::items(env).unwrap_or(&[]) {
        let Some(name_node) = tree::get(item, "name") else {
            continue;
        };
        let Some(name) = tree::scalar_text(name_node) else {
            continue;
        };
        let name_span = idx.span(name_node);
        let mut origin = "container env".to_string();
        let (value, value_span) = if let Some(v) = tree::get(item, "value") {
            let text = tree::scalar_text(v);
            let mut value = text.as_deref().map_or(Value::Inherited, classify);
            // An Argo parameter (`{{inputs.parameters.key}}`, `{{workflow.parameters.key}}`)
            // is a value held in plain text in the Workflow object, whoever passes it.
            if let (Value::Secret(reference), Some(text)) = (&value, &text) {
                if let Some(param) = workflow_parameter(reference) {
                    origin = format!("workflow parameter `{param}`, plain text in the object");
                    value = Value::Literal(text.trim().to_string());
                }
            }
            (value, idx.span(v))
        } else if let Some(from) = tree::get(item, "valueFrom") {
            let secret = tree::get(from, "secretKeyRef");
            let reference = match secret {
                Some(s) => {
                    let n = tree::get(s, "name")
                        .and_then(tree::scalar_text)
                        .unwrap_or_default();
                    let k = tree::get(s, "key")
                        .and_then(tree::scalar_text)
                        .unwrap_or_default();
                    format!("{n}/{k}")
                }
                None => idx.slice(&idx.span(from)).trim().to_string(),
            };
            (Value::Secret(reference), idx.span(from))
        } else {
            (Value::Empty, name_span.end..name_span.end)
        };
        out.push(Var {
            name,
            value,
            name_span,
            value_span,
            origin,
        });
    }
    out
}

/// The Argo workflow parameter a `{{ }}` reference names (`inputs.parameters.wandb-key`,
/// `workflow.parameters.key`), if it is one.
fn workflow_parameter(reference: &str) -> Option<&str> {
    let r = reference.trim();
    (r.starts_with("inputs.parameters.") || r.starts_with("workflow.parameters."))
        .then_some(r)
        .filter(|r| !r.contains(char::is_whitespace))
}

/// Helm values: each mapping with `WANDB_*` keys and each `env` list of name/value items is a
/// scope of its own, named by its key path (`trainer.env`), since each usually feeds one
/// container of the chart.
fn read_values(root: &Node, idx: &Src<'_>, doc: &mut ConfigDoc) {
    let mut stack: Vec<(&Node, String, usize)> = vec![(root, String::new(), 0)];
    let mut budget = 100_000usize;
    let label = |path: &str| {
        if path.is_empty() {
            "the top level of the values file".to_string()
        } else {
            format!("`{path}` in the values file")
        }
    };
    while let Some((node, path, depth)) = stack.pop() {
        budget = budget.saturating_sub(1);
        if budget == 0 || depth > 64 {
            break;
        }
        if let Some(entries) = tree::mapping(node) {
            let vars: Vec<Var> = yaml_vars(node, idx, "values")
                .into_iter()
                .filter(|v| v.name.starts_with("WANDB_"))
                .collect();
            if !vars.is_empty() {
                let mut scope = Scope::new(label(&path), idx.span(node), "");
                scope.entity_checked = false;
                scope.vars = vars;
                doc.scopes.push(scope);
            }
            for (k, _, v) in entries {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k == "env" && tree::items(v).is_some() {
                    let vars: Vec<Var> = env_list(v, idx)
                        .into_iter()
                        .filter(|v| v.name.starts_with("WANDB_"))
                        .collect();
                    if !vars.is_empty() {
                        let mut scope = Scope::new(label(&child), idx.span(v), "");
                        scope.entity_checked = false;
                        scope.vars = vars;
                        doc.scopes.push(scope);
                    }
                } else {
                    stack.push((v, child, depth + 1));
                }
            }
        } else if let Some(items) = tree::items(node) {
            for (i, item) in items.iter().enumerate() {
                stack.push((item, format!("{path}[{i}]"), depth + 1));
            }
        }
    }
    doc.scopes.sort_by_key(|s| s.span.start);
}

/// One value of a Secret's `data:` map, which Kubernetes holds base64-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretValue {
    /// The Secret's `metadata.name` (`unnamed` when it has none).
    pub secret: String,
    /// The key under `data:` (`WANDB_API_KEY`, `.env`).
    pub key: String,
    /// The value as written (base64 text, not decoded).
    pub value: String,
    /// Byte span of the value's text in the file, quotes excluded.
    pub span: crate::yaml::ByteSpan,
}

/// The `data:` values of every `kind: Secret` object in a manifest (in a `List` too). Text that
/// is not YAML (under `limits`), or holds no Secret, gives none.
pub fn secret_data(text: &str, limits: &Limits) -> Vec<SecretValue> {
    let Ok(docs) = tree::load(text, limits) else {
        return Vec::new();
    };
    let idx = Src(text);
    let mut out = Vec::new();
    let mut stack: Vec<(&Node, usize)> = docs.iter().map(|d| (d, 0)).collect();
    while let Some((obj, depth)) = stack.pop() {
        let kind = tree::get(obj, "kind").and_then(tree::scalar_text);
        match kind.as_deref() {
            Some("List") if depth < 4 => {
                for item in tree::get(obj, "items").and_then(tree::items).unwrap_or(&[]) {
                    stack.push((item, depth + 1));
                }
            }
            Some("Secret") => {
                let secret = tree::get(obj, "metadata")
                    .and_then(|m| tree::get(m, "name"))
                    .and_then(tree::scalar_text)
                    .unwrap_or_else(|| "unnamed".to_string());
                let data = tree::get(obj, "data").and_then(tree::mapping);
                for (key, _, v) in data.unwrap_or_default() {
                    let Some(value) = tree::scalar_text(v) else {
                        continue;
                    };
                    // The value's own text inside its node (a quoted scalar's span holds the
                    // quotes); a plain scalar folded over lines is kept whole.
                    let node = idx.span(v);
                    let span = idx
                        .slice(&node)
                        .find(value.as_str())
                        .filter(|_| !value.is_empty())
                        .map_or(node.clone(), |at| {
                            node.start + at..node.start + at + value.len()
                        });
                    out.push(SecretValue {
                        secret: secret.clone(),
                        key,
                        value,
                        span,
                    });
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|v| v.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_data_values_with_their_spans() {
        let text = "apiVersion: v1\nkind: ConfigMap\ndata: {a: YWJj}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: wandb-credentials\ntype: Opaque\ndata:\n  WANDB_API_KEY: \"YWJjZA==\"\n  other: ZWY=\nstringData: {plain: x}\n---\nkind: List\nitems:\n  - {kind: Secret, data: {k: Zm9v}}\n---\n[not, a, mapping]\n";
        let values = secret_data(text, &Limits::default());
        let got: Vec<(&str, &str, &str, &str)> = values
            .iter()
            .map(|v| {
                (
                    v.secret.as_str(),
                    v.key.as_str(),
                    v.value.as_str(),
                    &text[v.span.clone()],
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("wandb-credentials", "WANDB_API_KEY", "YWJjZA==", "YWJjZA=="),
                ("wandb-credentials", "other", "ZWY=", "ZWY="),
                ("unnamed", "k", "Zm9v", "Zm9v"),
            ]
        );
        assert!(secret_data("kind: Secret\ndata: [x\n", &Limits::default()).is_empty());
        assert!(secret_data("", &Limits::default()).is_empty());
    }

    /// A manifest file is read for its W&B documents only; a name hidden behind a quoted
    /// escape still counts, and the scopes found are those of the whole read.
    #[test]
    fn manifest_reads_only_documents_that_may_hold_wandb() {
        let job = |name: &str, var: &str| {
            format!("---\napiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          env:\n            - name: {var}\n              valueFrom: {{secretKeyRef: {{name: s, key: k}}}}\n")
        };
        let text = format!(
            "kind: ConfigMap\nmetadata: {{name: wandb-config}}\n{}{}{}{}",
            job("plain", "OTHER"),
            job("escaped", "\"\\x57ANDB_API_KEY\""),
            job("named", "WANDB_API_KEY"),
            "---\nkind: Job\nspec: [broken\n"
        );
        let whole = read(&text, Format::Kubernetes, &Limits::default());
        assert!(
            whole.error.is_some(),
            "the whole file has a broken document"
        );
        let doc = read_manifest(&text, &Limits::default());
        assert!(doc.error.is_none(), "{:?}", doc.error);
        let labels: Vec<&str> = doc.scopes.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "container `escaped` in Job `escaped`",
                "container `named` in Job `named`"
            ]
        );
        for s in &doc.scopes {
            let v = s.var("WANDB_API_KEY").expect("the key");
            assert_eq!(v.value, Value::Secret("s/k".into()));
        }
        let named = doc.scopes[1].var("WANDB_API_KEY").expect("key");
        assert_eq!(&text[named.name_span.clone()], "WANDB_API_KEY");
        // Without the broken document, the same scopes as the whole read, spans included.
        let cut = text
            .find("---\nkind: Job\nspec: [broken")
            .unwrap_or(text.len());
        let good = &text[..cut];
        let all = read(good, Format::Kubernetes, &Limits::default());
        let some = read_manifest(good, &Limits::default());
        let with_key = |d: &ConfigDoc| -> Vec<String> {
            d.scopes
                .iter()
                .filter(|s| s.var("WANDB_API_KEY").is_some())
                .map(|s| format!("{} {:?}", s.label, s.var("WANDB_API_KEY")))
                .collect()
        };
        assert_eq!(with_key(&all), with_key(&some));
        assert_eq!(all.scopes.len(), 3);
    }

    #[test]
    fn cronjob_containers_and_env_from() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: '0 2 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n            - name: fetch\n              envFrom:\n                - secretRef: {name: wandb}\n          containers:\n            - name: retrain\n              env:\n                - name: WANDB_API_KEY\n                  valueFrom:\n                    secretKeyRef: {name: wandb, key: api-key}\n";
        let doc = read(text, Format::Kubernetes, &Limits::default());
        assert!(doc.error.is_none(), "{:?}", doc.error);
        assert_eq!(doc.scopes.len(), 2);
        assert_eq!(
            doc.scopes[0].label,
            "init container `fetch` in CronJob `nightly`"
        );
        // A Secret named for W&B holds the key.
        assert!(doc.scopes[0].unknown.is_empty());
        let from = doc.scopes[0].var("WANDB_API_KEY").expect("from envFrom");
        assert_eq!(from.value, Value::Secret("wandb".into()));
        assert_eq!(from.origin, "envFrom secretRef `wandb`");
        let s = &doc.scopes[1];
        assert_eq!(s.label, "container `retrain` in CronJob `nightly`");
        let v = s.var("WANDB_API_KEY").expect("key");
        assert_eq!(v.value, Value::Secret("wandb/api-key".into()));
        assert_eq!(&text[v.name_span.clone()], "WANDB_API_KEY");
    }
}
