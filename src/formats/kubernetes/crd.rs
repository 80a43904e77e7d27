//! Custom resources that embed pod specs or containers (Argo Workflow, Kubeflow PyTorchJob and
//! TFJob, KServe InferenceService, Seldon, Ray, Volcano, JobSet, Knative, Tekton...): their
//! containers are found by shape, wherever they sit, not by kind. A `containers:` or
//! `initContainers:` list, an Argo `container:` or `script:` template, or a mapping that holds
//! container fields itself (`image`, an `env` list: a KServe predictor, a TrainJob trainer) is a
//! container. Each scope is named by the path that leads to it (`worker replica`, `template
//! train`, `worker group gpu`).

use crate::yaml::tree::{self, Node, Src};
use crate::yaml::Limits;

use super::super::{ConfigDoc, Scope};
use super::container_scope;

/// Lists of containers, and how a label names one of their items.
const CONTAINER_LISTS: &[(&str, &str)] = &[
    ("initContainers", "init container"),
    ("containers", "container"),
    ("sidecars", "sidecar"),
    ("ephemeralContainers", "ephemeral container"),
];

/// KServe model server specs under a predictor: container fields with the framework's name.
const FRAMEWORKS: &[&str] = &[
    "model",
    "sklearn",
    "xgboost",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "pmml",
    "lightgbm",
    "paddle",
    "huggingface",
];

/// Keys that hold no containers (or only defaults for the others, read apart).
const SKIP: &[&str] = &[
    "metadata",
    "status",
    "volumes",
    "volumeClaimTemplates",
    "templateDefaults",
    "stepTemplate",
];

/// How deep the walk goes, and how many nodes it visits at most, in one object.
const MAX_DEPTH: usize = 40;
const BUDGET: usize = 50_000;

/// Adds a scope for every container of the custom resource `obj` (of `kind`, named `name`).
/// `depth` counts the objects it sits in (a `List`, an Argo `resource:` manifest).
pub(super) fn read(
    obj: &Node,
    (kind, name): (&str, &str),
    idx: &Src<'_>,
    doc: &mut ConfigDoc,
    limits: &Limits,
    depth: usize,
) {
    let Some(spec) = tree::get(obj, "spec") else {
        return;
    };
    let triggers: Vec<String> = match kind {
        "CronWorkflow" => vec!["schedule".to_string()],
        "InferenceService"
        | "SeldonDeployment"
        | "RayService"
        | "Service"
        | "ServingRuntime"
        | "ClusterServingRuntime"
        | "InferenceGraph" => vec!["service".to_string()],
        _ => Vec::new(),
    };
    let mut walk = Walk {
        object: format!("{kind} `{name}`"),
        stack: vec![(spec, Vec::new(), 0)],
        found: Vec::new(),
        manifests: Vec::new(),
    };
    let mut budget = BUDGET;
    while let Some((node, path, at)) = walk.stack.pop() {
        budget = budget.saturating_sub(1);
        if budget == 0 {
            break;
        }
        if at > MAX_DEPTH {
            continue;
        }
        if let Some(items) = tree::items(node) {
            // A list of lists (Argo `steps`): the same place.
            for item in items.iter().rev() {
                walk.stack.push((item, path.clone(), at + 1));
            }
            continue;
        }
        for (key, _, value) in tree::mapping(node).unwrap_or_default().into_iter().rev() {
            if !SKIP.contains(&key.as_str()) {
                walk.entry(&key, value, &path, at);
            }
        }
    }
    // Defaults every container starts from: Argo `templateDefaults`, Tekton `stepTemplate`.
    let defaults: Vec<_> = [
        tree::get(spec, "templateDefaults")
            .and_then(|d| tree::get(d, "container").or_else(|| tree::get(d, "script"))),
        tree::get(spec, "stepTemplate"),
    ]
    .into_iter()
    .flatten()
    .filter_map(|d| tree::get(d, "env"))
    .flat_map(|env| super::env_list(env, idx))
    .map(|mut v| {
        v.origin = "template defaults".to_string();
        v
    })
    .collect();
    // In file order.
    walk.found.sort_by_key(|(c, _)| idx.span(c).start);
    for (c, l) in walk.found {
        let mut scope = container_scope(c, l, idx, &triggers);
        scope.vars.splice(0..0, defaults.iter().cloned());
        doc.scopes.push(scope);
    }
    if kind == "RayJob" {
        ray_entrypoint(spec, &walk.object, idx, doc, limits);
    }
    if depth < 3 {
        for (m, by) in walk.manifests {
            let before = doc.scopes.len();
            manifest(m, idx, doc, limits, depth + 1);
            for s in doc.scopes.iter_mut().skip(before) {
                s.label = format!("{}, created by {by}", s.label);
            }
        }
    }
}

/// A place in the object still to visit: the node, the label segments that lead to it
/// (outermost first), its depth.
type Place<'n> = (&'n Node, Vec<String>, usize);

/// The walk over one object.
struct Walk<'n> {
    /// `PyTorchJob `train-bert``.
    object: String,
    /// Places still to visit.
    stack: Vec<Place<'n>>,
    /// Containers found, with their labels.
    found: Vec<(&'n Node, String)>,
    /// Embedded manifests, with what creates them.
    manifests: Vec<(&'n Node, String)>,
}

impl<'n> Walk<'n> {
    /// `container `x` in worker replica of PyTorchJob `y``.
    fn label(&self, what: &str, path: &[String]) -> String {
        let inner: Vec<&str> = path.iter().rev().map(String::as_str).collect();
        if inner.is_empty() {
            format!("{what} in {}", self.object)
        } else {
            format!("{what} in {} of {}", inner.join(" of "), self.object)
        }
    }

    /// One `key: value` of a mapping at `path`.
    fn entry(&mut self, key: &str, value: &'n Node, path: &[String], at: usize) {
        if key == "manifest" && tree::scalar_text(value).is_some() {
            // `container x in y of MPIJob z`, created by `template t of Workflow w`.
            let by = self.label("", path).trim_start_matches(" in ").to_string();
            self.manifests.push((value, by));
            return;
        }
        if let Some((_, what)) = CONTAINER_LISTS.iter().find(|(k, _)| *k == key) {
            for c in tree::items(value).unwrap_or(&[]) {
                if tree::mapping(c).is_none() || !is_container(c, true) {
                    continue;
                }
                let what = match tree::get(c, "name").and_then(tree::scalar_text) {
                    Some(n) => format!("{what} `{n}`"),
                    None => (*what).to_string(),
                };
                let label = self.label(&what, path);
                self.found.push((c, label));
            }
            return;
        }
        if (key == "container" || key == "script") && is_container(value, true) {
            // Argo runs a template's container (or script) as `main`.
            let n = tree::get(value, "name")
                .and_then(tree::scalar_text)
                .unwrap_or_else(|| "main".to_string());
            let label = self.label(&format!("container `{n}`"), path);
            self.found.push((value, label));
            return;
        }
        if key.ends_with("ReplicaSpecs") {
            // Kubeflow training jobs: `pytorchReplicaSpecs: {Master: ..., Worker: ...}`.
            for (role, _, spec) in tree::mapping(value).unwrap_or_default().into_iter().rev() {
                let mut p = path.to_vec();
                p.push(format!("{} replica", role.to_ascii_lowercase()));
                self.stack.push((spec, p, at + 2));
            }
            return;
        }
        if let Some(items) = tree::items(value) {
            let n = items.len();
            for (i, item) in items.iter().enumerate().rev() {
                let mut p = path.to_vec();
                p.extend(item_segment(key, item, i, n));
                self.place(item, p, at);
            }
        } else if tree::mapping(value).is_some() {
            let mut p = path.to_vec();
            p.extend(key_segment(key));
            // A TrainJob's `trainer` takes its image from the runtime: its command is enough.
            if key == "trainer" && is_container(value, true) {
                let label = self.label("container", &p);
                self.found.push((value, label));
            } else {
                self.place(value, p, at);
            }
        }
    }

    /// A mapping that is a container itself (a KServe predictor, a Tekton step), or a place to
    /// look into.
    fn place(&mut self, node: &'n Node, path: Vec<String>, at: usize) {
        if tree::mapping(node).is_some() && is_container(node, false) {
            let label = self.label("container", &path);
            self.found.push((node, label));
        } else {
            self.stack.push((node, path, at + 1));
        }
    }
}

/// An Argo `resource:` template's `manifest: |` (a PyTorchJob, an MPIJob the workflow
/// creates): read in place. The file is copied with everything but the manifest's own text
/// blanked, so that the object's spans are the file's; Argo expressions are neutralised where
/// YAML cannot read them (`{{workflow.name}}-job` becomes `<<workflow.name>>-job`). Only a
/// literal block, whose text matches the file byte for byte, is read.
fn manifest(node: &Node, idx: &Src<'_>, doc: &mut ConfigDoc, limits: &Limits, depth: usize) {
    if !tree::scalar_text(node).is_some_and(|t| t.contains("kind:")) {
        return;
    }
    let Some(masked) = in_place(node, idx) else {
        return;
    };
    let Ok(docs) = tree::load(&masked, limits) else {
        return;
    };
    let inner = Src(&masked);
    let before = doc.scopes.len();
    for root in &docs {
        super::read_object(root, &inner, doc, limits, depth);
    }
    // Labels show the expressions as written.
    for s in doc.scopes.iter_mut().skip(before) {
        s.label = s.label.replace("<<", "{{").replace(">>", "}}");
    }
}

/// The YAML text of a literal block scalar (`key: |`), in place: a copy of the whole file
/// with every other byte blanked (line breaks, CR LF too, kept) and Argo expressions neutralised, so
/// that what is loaded from it has the file's spans. `None` when the node is not a literal
/// block whose text matches the file byte for byte.
fn in_place(node: &Node, idx: &Src<'_>) -> Option<String> {
    let decoded = tree::scalar_text(node)?;
    let span = idx.span(node);
    let raw = idx.slice(&span);
    // A literal block (`manifest: |`): its header ends the line before the text.
    let header = idx
        .0
        .get(..span.start)?
        .trim_end()
        .rsplit('\n')
        .next()
        .unwrap_or("");
    let literal = header
        .rsplit_once(':')
        .is_some_and(|(_, h)| h.trim_start().starts_with('|'));
    if !literal {
        return None;
    }
    let file = idx.0.as_bytes();
    // Trailing line breaks are the file's own (a block that ends the file may lack its last).
    let body = decoded.trim_end_matches('\n');
    let view = super::super::shell::dialect::yaml_scalar(raw, body, span.start);
    let mut masked: Vec<u8> = file
        .iter()
        .map(|&b| if matches!(b, b'\n' | b'\r') { b } else { b' ' })
        .collect();
    for (i, &b) in body.as_bytes().iter().enumerate() {
        let at = view.offsets.at(i);
        match masked.get_mut(at) {
            Some(slot) if file.get(at) == Some(&b) => *slot = b,
            _ => return None,
        }
    }
    neutralise(&mut masked);
    String::from_utf8(masked).ok()
}

/// A RayJob's `entrypoint`: the driver, a scope of its own, with the head container's
/// environment and the `env_vars` of its `runtimeEnvYAML: |`.
fn ray_entrypoint(spec: &Node, object: &str, idx: &Src<'_>, doc: &mut ConfigDoc, limits: &Limits) {
    let entry = tree::get(spec, "entrypoint");
    let runtime = tree::get(spec, "runtimeEnvYAML");
    let Some(at) = entry.or(runtime) else {
        return;
    };
    let mut scope = Scope::new(
        format!("entrypoint of {object}"),
        idx.span(at),
        "runtimeEnvYAML: |\n  env_vars:\n    WANDB_ENTITY: <team>",
    );
    // The driver runs in the head pod.
    let head = [
        "rayClusterSpec",
        "headGroupSpec",
        "template",
        "spec",
        "containers",
    ]
    .iter()
    .try_fold(spec, |n, k| tree::get(n, k))
    .and_then(tree::items)
    .and_then(<[Node]>::first);
    if let Some(env) = head.and_then(|h| tree::get(h, "env")) {
        scope.vars = super::env_list(env, idx)
            .into_iter()
            .map(|mut v| {
                v.origin = "head container env".to_string();
                v
            })
            .collect();
    }
    if let Some(masked) = runtime.and_then(|r| in_place(r, idx)) {
        let inner = Src(&masked);
        for root in tree::load(&masked, limits).unwrap_or_default() {
            if let Some(vars) = tree::get(&root, "env_vars") {
                scope
                    .vars
                    .extend(super::super::yaml_vars(vars, &inner, "runtime env"));
            }
        }
    }
    if let Some(e) = entry {
        if let Some(text) = tree::scalar_text(e) {
            scope.commands.push(super::super::yaml_shell(e, &text, idx));
            scope.entity_elsewhere = super::super::shell::code_passes_entity(&text);
        }
    }
    scope.entity_elsewhere |= scope.commands.iter().any(|c| c.passes_entity());
    doc.scopes.push(scope);
}

/// Argo expressions (`{{...}}`) that YAML cannot read: outside quotes, `{{` and `}}` become
/// `<<` and `>>`, and an expression that is not a plain name (`{{=len(x) > 0 ? a : b}}`) is
/// blanked with `_`. Same length, so every offset stays.
fn neutralise(text: &mut [u8]) {
    let mut i = 0;
    while let Some(rest) = text.get(i..) {
        let Some(open) = rest.windows(2).position(|w| w == b"{{") else {
            break;
        };
        let start = i + open;
        let quoted = start
            .checked_sub(1)
            .and_then(|p| text.get(p))
            .is_some_and(|c| matches!(c, b'"' | b'\''));
        let close = text.get(start + 2..).and_then(|r| {
            r.windows(2)
                .take_while(|w| w.first() != Some(&b'\n'))
                .position(|w| w == b"}}")
        });
        let Some(len) = close else {
            i = start + 2;
            continue;
        };
        let end = start + 2 + len;
        if !quoted {
            let plain = text.get(start + 2..end).is_some_and(|e| {
                e.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
            });
            for (j, c) in text.iter_mut().enumerate().take(end + 2).skip(start) {
                *c = if j < start + 2 {
                    b'<'
                } else if j >= end {
                    b'>'
                } else if plain {
                    *c
                } else {
                    b'_'
                };
            }
        }
        i = end + 2;
    }
}

/// Whether a mapping is a container: it has an `image`, or an `env` list, and is not a pod spec
/// itself. In a container list (`named`), a `name` is enough.
fn is_container(node: &Node, named: bool) -> bool {
    if tree::mapping(node).is_none() || tree::get(node, "containers").is_some() {
        return false;
    }
    let image = tree::get(node, "image")
        .and_then(tree::scalar_text)
        .is_some();
    let env = tree::get(node, "env")
        .and_then(tree::items)
        .is_some_and(|items| items.iter().any(|i| tree::get(i, "name").is_some()));
    let runs = ["command", "args", "source"]
        .iter()
        .any(|k| tree::get(node, k).is_some());
    image || env || (named && (runs || tree::get(node, "name").is_some()))
}

/// How a label names the place a key leads to (none: the key adds nothing, like `template`).
fn key_segment(key: &str) -> Option<String> {
    match key {
        "headGroupSpec" => Some("head group".to_string()),
        "submitterPodTemplate" => Some("submitter".to_string()),
        "predictor" | "transformer" | "explainer" | "trainer" | "initializer" | "launcher"
        | "worker" | "dataset" => Some(key.to_string()),
        k if FRAMEWORKS.contains(&k) && k != "model" => Some(format!("`{k}` model")),
        _ => None,
    }
}

/// How a label names an item of the list under `key`: `template train`, `worker group gpu`,
/// `task 2` (numbered only when the list has several items and the item no name).
fn item_segment(key: &str, item: &Node, i: usize, len: usize) -> Option<String> {
    let noun = singular(key);
    let name = ["name", "groupName"]
        .iter()
        .find_map(|k| tree::get(item, k).and_then(tree::scalar_text));
    match name {
        Some(n) => Some(format!("{noun} `{n}`")),
        None if len > 1 => Some(format!("{noun} {}", i + 1)),
        None => None,
    }
}

/// `replicatedJobs` → `replicated job`, `workerGroupSpecs` → `worker group`, `templates` →
/// `template`: the words of a camel-case plural key, lower case and singular.
fn singular(key: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for ch in key.chars() {
        if ch.is_ascii_uppercase() && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    if words.len() > 1 && matches!(words.last().map(String::as_str), Some("specs" | "spec")) {
        words.pop();
    }
    if let Some(last) = words.last_mut() {
        if last.len() > 1 && last.ends_with('s') && !last.ends_with("ss") {
            last.pop();
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use crate::formats::{Format, Value};
    use crate::yaml::Limits;

    fn labels(text: &str) -> Vec<String> {
        let doc = super::super::read(text, Format::Kubernetes, &Limits::default());
        assert!(doc.error.is_none(), "{:?}", doc.error);
        doc.scopes.iter().map(|s| s.label.clone()).collect()
    }

    #[test]
    fn argo_templates_steps_and_dag() {
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: wandb-ml}\nspec:\n  entrypoint: main\n  arguments:\n    parameters: [{name: key, value: abc}]\n  templates:\n    - name: main\n      steps:\n        - - name: a\n            template: train\n    - name: flow\n      dag:\n        tasks: [{name: t, template: train, arguments: {parameters: [{name: k, value: x}]}}]\n    - name: train\n      inputs: {parameters: [{name: wandb-key}]}\n      container:\n        image: python:3.11\n        env:\n          - name: WANDB_API_KEY\n            value: \"{{inputs.parameters.wandb-key}}\"\n      sidecars:\n        - name: proxy\n          image: envoy\n    - name: report\n      script:\n        image: python:3.11\n        command: [bash]\n        source: |\n          wandb login \"$KEY\"\n          python report.py --entity ml\n";
        let doc = super::super::read(text, Format::Kubernetes, &Limits::default());
        let got: Vec<&str> = doc.scopes.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            got,
            vec![
                "container `main` in template `train` of Workflow `wandb-ml`",
                "sidecar `proxy` in template `train` of Workflow `wandb-ml`",
                "container `main` in template `report` of Workflow `wandb-ml`",
            ]
        );
        let v = doc.scopes[0].var("WANDB_API_KEY").expect("key");
        assert_eq!(
            v.value,
            Value::Literal("{{inputs.parameters.wandb-key}}".into())
        );
        assert!(v
            .origin
            .starts_with("workflow parameter `inputs.parameters.wandb-key`"));
        // The script's source is shell: its login and `--entity` are seen.
        let report = &doc.scopes[2];
        assert!(report.entity_elsewhere);
        assert!(report
            .commands
            .iter()
            .any(|c| !c.script.commands.is_empty()));
        for kind in ["WorkflowTemplate", "ClusterWorkflowTemplate"] {
            let t = text.replace("kind: Workflow\n", &format!("kind: {kind}\n"));
            assert_eq!(labels(&t).len(), 3, "{kind}");
        }
        let cron = "kind: CronWorkflow\nmetadata: {name: nightly}\nspec:\n  schedule: '0 1 * * *'\n  workflowSpec:\n    templates:\n      - name: t\n        container: {image: x, env: [{name: WANDB_API_KEY, value: \"{{workflow.parameters.k}}\"}]}\n";
        let doc = super::super::read(cron, Format::Kubernetes, &Limits::default());
        assert_eq!(
            doc.scopes[0].label,
            "container `main` in template `t` of CronWorkflow `nightly`"
        );
        assert_eq!(doc.scopes[0].triggers, vec!["schedule".to_string()]);
        assert!(matches!(
            doc.scopes[0].var("WANDB_API_KEY").map(|v| &v.value),
            Some(Value::Literal(_))
        ));
    }

    #[test]
    fn argo_script_assignments_and_generated_names() {
        let text = "kind: Workflow\nmetadata: {generateName: sweep-}\nspec:\n  templates:\n    - name: s\n      script:\n        image: x\n        env: [{name: WANDB_ENTITY, value: a}]\n        source: |\n          export WANDB_API_KEY=\"$(cat /k)\"\n          WANDB_ENTITY=b python x.py\n";
        let doc = super::super::read(text, Format::Kubernetes, &Limits::default());
        let s = &doc.scopes[0];
        assert_eq!(
            s.label,
            "container `main` in template `s` of Workflow `sweep-`"
        );
        let key = s.var("WANDB_API_KEY").expect("assigned in the script");
        assert_eq!(key.origin, "script source");
        assert_eq!(&text[key.name_span.clone()], "WANDB_API_KEY");
        assert!(matches!(key.value, Value::Secret(_)));
        // The env entry stays; a prefix assignment of one command is not the script's own.
        assert_eq!(
            s.var("WANDB_ENTITY").map(|v| v.origin.as_str()),
            Some("container env")
        );
        // A parameter inside other text, or another `{{ }}`, is not a workflow parameter.
        assert_eq!(
            super::super::workflow_parameter("inputs.parameters.k"),
            Some("inputs.parameters.k")
        );
        assert_eq!(
            super::super::workflow_parameter("steps.a.outputs.result"),
            None
        );
        assert_eq!(
            super::super::workflow_parameter("workflow.parameters.a b"),
            None
        );
    }

    #[test]
    fn argo_resource_manifests() {
        let text = "kind: Workflow\nmetadata: {name: w}\nspec:\n  templates:\n    - name: launch\n      resource:\n        action: create\n        manifest: |\n          apiVersion: kubeflow.org/v1\n          kind: PyTorchJob\n          metadata:\n            name: {{workflow.name}}-job\n          spec:\n            pytorchReplicaSpecs:\n              Worker:\n                template:\n                  spec:\n                    containers:\n                      - name: trainer\n                        image: {{inputs.parameters.image}}:{{inputs.parameters.tag}}\n                        env:\n                          - name: WANDB_API_KEY\n                            value: \"{{inputs.parameters.key}}\"\n                          - name: WANDB_RUN_GROUP\n                            value: {{=len(inputs.parameters.g) > 0 ? inputs.parameters.g : 'x'}}\n    - name: folded\n      resource:\n        manifest: >\n          kind: Pod\n          spec: {containers: [{name: c, image: x}]}\n";
        let doc = super::super::read(text, Format::Kubernetes, &Limits::default());
        assert!(doc.error.is_none(), "{:?}", doc.error);
        let got: Vec<&str> = doc.scopes.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(got.len(), 1, "{got:?}");
        let s = &doc.scopes[0];
        assert_eq!(
            s.label,
            "container `trainer` in worker replica of PyTorchJob `{{workflow.name}}-job`, created by template `launch` of Workflow `w`"
        );
        let key = s.var("WANDB_API_KEY").expect("key");
        assert_eq!(&text[key.name_span.clone()], "WANDB_API_KEY");
        assert_eq!(
            &text[key.value_span.clone()],
            "\"{{inputs.parameters.key}}\""
        );
        assert!(matches!(key.value, Value::Literal(_)));
        // A manifest that ends the file without its last line break is read too.
        let end = "kind: Workflow\nmetadata: {name: e}\nspec:\n  templates:\n    - name: t\n      resource:\n        manifest: |\n          kind: Pod\n          spec:\n            containers: [{name: c, image: x}]";
        assert_eq!(
            labels(end),
            vec!["container `c` in Pod `unnamed`, created by template `t` of Workflow `e`"]
        );
        let mut t = b"a: {{x}} \"{{y}}\" {{a: b}} {{open".to_vec();
        super::neutralise(&mut t);
        assert_eq!(t, b"a: <<x>> \"{{y}}\" <<____>> {{open".to_vec());
    }

    #[test]
    fn template_defaults_reach_every_container() {
        let text = "kind: WorkflowTemplate\nmetadata: {name: d}\nspec:\n  templateDefaults:\n    container:\n      env: [{name: WANDB_ENTITY, value: ml}]\n  templates:\n    - name: t\n      container:\n        image: x\n        env: [{name: WANDB_API_KEY, valueFrom: {secretKeyRef: {name: w, key: k}}}]\n---\nkind: Task\nmetadata: {name: build}\nspec:\n  stepTemplate:\n    env: [{name: WANDB_ENTITY, value: ml}]\n  steps:\n    - {name: s, image: x}\n";
        let doc = super::super::read(text, Format::Kubernetes, &Limits::default());
        let got: Vec<&str> = doc.scopes.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            got,
            vec![
                "container `main` in template `t` of WorkflowTemplate `d`",
                "container in step `s` of Task `build`",
            ]
        );
        for s in &doc.scopes {
            let e = s.var("WANDB_ENTITY").expect("from the defaults");
            assert_eq!(e.origin, "template defaults");
        }
    }

    #[test]
    fn kubeflow_training_jobs() {
        for (kind, field, roles) in [
            ("PyTorchJob", "pytorchReplicaSpecs", ["Master", "Worker"]),
            ("TFJob", "tfReplicaSpecs", ["Chief", "Worker"]),
            ("MPIJob", "mpiReplicaSpecs", ["Launcher", "Worker"]),
            ("XGBoostJob", "xgbReplicaSpecs", ["Master", "Worker"]),
        ] {
            let text = format!("apiVersion: kubeflow.org/v1\nkind: {kind}\nmetadata: {{name: train-bert}}\nspec:\n  {field}:\n    {}:\n      replicas: 1\n      template:\n        spec:\n          containers: [{{name: trainer, image: x}}]\n    {}:\n      template:\n        spec:\n          initContainers: [{{name: fetch, image: y}}]\n          containers: [{{name: trainer, image: x}}]\n", roles[0], roles[1]);
            let r0 = roles[0].to_ascii_lowercase();
            let r1 = roles[1].to_ascii_lowercase();
            assert_eq!(
                labels(&text),
                vec![
                    format!("container `trainer` in {r0} replica of {kind} `train-bert`"),
                    format!("init container `fetch` in {r1} replica of {kind} `train-bert`"),
                    format!("container `trainer` in {r1} replica of {kind} `train-bert`"),
                ]
            );
        }
        let train = "apiVersion: trainer.kubeflow.org/v1alpha1\nkind: TrainJob\nmetadata: {name: ft}\nspec:\n  runtimeRef: {name: torch-distributed}\n  trainer:\n    image: ghcr.io/acme/train\n    command: [torchrun, train.py]\n    env:\n      - {name: WANDB_API_KEY, valueFrom: {secretKeyRef: {name: wandb, key: key}}}\n";
        assert_eq!(labels(train), vec!["container in trainer of TrainJob `ft`"]);
        // The image comes from the runtime: a command is enough.
        let bare = "kind: TrainJob\nmetadata: {name: b}\nspec:\n  trainer:\n    numNodes: 2\n    command: [bash, -c, wandb login]\n";
        assert_eq!(labels(bare), vec!["container in trainer of TrainJob `b`"]);
    }

    #[test]
    fn serving_resources() {
        let kserve = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: custom-model}\nspec:\n  predictor:\n    containers:\n      - name: kserve-container\n        image: x\n      - image: y\n  transformer:\n    containers: [{name: feast, image: z}]\n---\nkind: InferenceService\nmetadata: {name: sk}\nspec:\n  predictor:\n    sklearn:\n      storageUri: gs://m\n      env: [{name: WANDB_API_KEY, value: k}]\n  explainer:\n    image: alibi\n    env: [{name: A, value: b}]\n---\nkind: InferenceService\nmetadata: {name: m}\nspec:\n  predictor:\n    model:\n      modelFormat: {name: sklearn}\n      env: [{name: WANDB_ENTITY, value: t}]\n";
        let doc = super::super::read(kserve, Format::Kubernetes, &Limits::default());
        let got: Vec<&str> = doc.scopes.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            got,
            vec![
                "container `kserve-container` in predictor of InferenceService `custom-model`",
                "container in predictor of InferenceService `custom-model`",
                "container `feast` in transformer of InferenceService `custom-model`",
                "container in `sklearn` model of predictor of InferenceService `sk`",
                "container in explainer of InferenceService `sk`",
                "container in predictor of InferenceService `m`",
            ]
        );
        assert_eq!(doc.scopes[0].triggers, vec!["service".to_string()]);
        let seldon = "apiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\nmetadata: {name: nlp}\nspec:\n  predictors:\n    - name: default\n      componentSpecs:\n        - spec:\n            containers: [{name: kfp-model, image: x}]\n      graph: {name: kfp-model, type: MODEL, parameters: [{name: model_id, value: x}]}\n    - name: shadow\n      componentSpecs:\n        - spec:\n            containers: [{name: latest, image: x}]\n";
        assert_eq!(
            labels(seldon),
            vec![
                "container `kfp-model` in predictor `default` of SeldonDeployment `nlp`",
                "container `latest` in predictor `shadow` of SeldonDeployment `nlp`",
            ]
        );
        let knative = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: scorer}\nspec:\n  template:\n    spec:\n      containers: [{image: x, env: [{name: WANDB_API_KEY, value: k}]}]\n";
        assert_eq!(labels(knative), vec!["container in Service `scorer`"]);
    }

    #[test]
    fn ray_volcano_and_jobset() {
        let ray = "apiVersion: ray.io/v1\nkind: RayJob\nmetadata: {name: tune}\nspec:\n  entrypoint: python tune.py\n  rayClusterSpec:\n    headGroupSpec:\n      rayStartParams: {}\n      template:\n        spec:\n          containers: [{name: ray-head, image: rayproject/ray}]\n    workerGroupSpecs:\n      - groupName: gpu\n        template:\n          spec:\n            containers: [{name: ray-worker, image: rayproject/ray}]\n  submitterPodTemplate:\n    spec:\n      containers: [{name: submit, image: rayproject/ray}]\n";
        assert_eq!(
            labels(ray),
            vec![
                "container `ray-head` in head group of RayJob `tune`",
                "container `ray-worker` in worker group `gpu` of RayJob `tune`",
                "container `submit` in submitter of RayJob `tune`",
                "entrypoint of RayJob `tune`",
            ]
        );
        // The driver: the head container's env, then the runtime env's `env_vars`.
        let job = "kind: RayJob\nmetadata: {name: grpo}\nspec:\n  entrypoint: python train.py --entity ml\n  runtimeEnvYAML: |\n    pip: [wandb]\n    env_vars:\n      WANDB_API_KEY: \"k3y\"\n  rayClusterSpec:\n    headGroupSpec:\n      template:\n        spec:\n          containers:\n            - name: head\n              image: r\n              env: [{name: WANDB_PROJECT, value: p}]\n";
        let doc = super::super::read(job, Format::Kubernetes, &Limits::default());
        let e = doc.scopes.last().expect("entrypoint");
        assert_eq!(e.label, "entrypoint of RayJob `grpo`");
        let key = e.var("WANDB_API_KEY").expect("runtime env");
        assert_eq!(key.origin, "runtime env");
        assert_eq!(&job[key.name_span.clone()], "WANDB_API_KEY");
        assert_eq!(key.value, Value::Literal("k3y".into()));
        assert_eq!(
            e.var("WANDB_PROJECT").map(|v| v.origin.as_str()),
            Some("head container env")
        );
        assert!(e.entity_elsewhere);
        for kind in ["RayCluster", "RayService"] {
            let t = format!("kind: {kind}\nmetadata: {{name: c}}\nspec:\n  headGroupSpec:\n    template:\n      spec:\n        containers: [{{name: head, image: r}}]\n");
            assert_eq!(
                labels(&t),
                vec![format!("container `head` in head group of {kind} `c`")]
            );
        }
        let volcano = "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {name: dist}\nspec:\n  minAvailable: 2\n  tasks:\n    - name: master\n      replicas: 1\n      template:\n        spec:\n          containers: [{name: pytorch, image: x}]\n    - name: worker\n      template:\n        spec:\n          containers: [{name: pytorch, image: x}]\n";
        assert_eq!(
            labels(volcano),
            vec![
                "container `pytorch` in task `master` of Job `dist`",
                "container `pytorch` in task `worker` of Job `dist`",
            ]
        );
        let jobset = "apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata: {name: pretrain}\nspec:\n  replicatedJobs:\n    - name: workers\n      replicas: 2\n      template:\n        spec:\n          template:\n            spec:\n              containers: [{name: trainer, image: x}]\n";
        assert_eq!(
            labels(jobset),
            vec!["container `trainer` in replicated job `workers` of JobSet `pretrain`"]
        );
    }

    #[test]
    fn unknown_resources_and_limits() {
        // An unknown kind with a pod template, a Tekton-like list of steps with images.
        let text = "apiVersion: acme.io/v1\nkind: Trainer\nmetadata: {name: t}\nspec:\n  pod:\n    template:\n      spec:\n        containers: [{name: c, image: x}]\n---\nkind: Task\nmetadata: {name: build}\nspec:\n  steps:\n    - name: fetch\n      image: alpine\n    - name: train\n      image: python\n      env: [{name: WANDB_API_KEY, value: k}]\n---\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\nkind: Secret\nmetadata: {name: s}\nstringData: {WANDB_API_KEY: k}\n";
        assert_eq!(
            labels(text),
            vec![
                "container `c` in Trainer `t`",
                "container in step `fetch` of Task `build`",
                "container in step `train` of Task `build`",
            ]
        );
        // Deep nesting stops quietly.
        let mut deep = String::from("kind: X\nmetadata: {name: d}\nspec:\n");
        for i in 0..200 {
            deep.push_str(&format!("{}a:\n", "  ".repeat(i + 1)));
        }
        let doc = super::super::read(&deep, Format::Kubernetes, &Limits::default());
        assert!(doc.scopes.is_empty());
        assert_eq!(super::singular("workerGroupSpecs"), "worker group");
        assert_eq!(super::singular("replicatedJobs"), "replicated job");
        assert_eq!(super::singular("templates"), "template");
        assert_eq!(super::singular(""), "");
    }
}
