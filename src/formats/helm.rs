//! Helm chart templates: YAML with Go template directives (`{{ .Values.x }}`, `{{- if }}`,
//! `{{- include "x" . | nindent 8 }}`). They are read as manifests once the directives are
//! neutralised, byte for byte so that every span still points into the template:
//!
//! - a line holding only directives (control: `if`, `range`, `end`; output of whole blocks:
//!   `toYaml`, `include ... | nindent`) becomes blank;
//! - a directive among other text becomes a shell-style reference of the same length,
//!   `{{ .Values.x }}` → `${__Values_x__}`, which YAML reads as a plain string and the shell
//!   reader as a variable; a variable whose value holds one is a reference to the expression
//!   (`Value::Secret(".Values.x")`), and scope labels show the expression again.
//!
//! Both branches of an `if`/`else` are kept (the first wins where they set the same key). A
//! template that still does not read as YAML gives nothing: it is not YAML, and its text was
//! scanned by the secret rules all the same.

use super::{ConfigDoc, Format, Value};
use crate::yaml::Limits;

/// Whether a YAML text is a Helm template: it has directives that only Helm writes (`.Values`,
/// `.Release`, `.Chart`, whitespace trimming `{{-`, `include`, `end`). Argo's `{{inputs.x}}`
/// and `{{workflow.name}}` are not.
pub fn claims(text: &str) -> bool {
    if !text.contains("{{") {
        return false;
    }
    [
        "{{ .Values",
        "{{.Values",
        ".Values.",
        "{{ .Release",
        ".Release.",
        ".Chart.",
        "{{-",
        "-}}",
        "{{ end",
        "{{ include",
        "{{ if ",
        "{{ range ",
        "{{ $",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// One directive: its byte range (braces included) and whether it stands alone on its lines.
struct Directive {
    start: usize,
    end: usize,
}

/// The directives of a template, in order; an unclosed `{{` ends the search.
fn directives(text: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text.get(at..).and_then(|t| t.find("{{")) {
        let start = at + open;
        let Some(close) = text.get(start + 2..).and_then(|t| t.find("}}")) else {
            break;
        };
        let end = start + 2 + close + 2;
        out.push(Directive { start, end });
        at = end;
    }
    out
}

/// The template with every directive neutralised (same length, same line breaks), and each
/// inline placeholder with the expression it stands for.
pub fn neutralise(text: &str) -> (String, Vec<(String, String)>) {
    let found = directives(text);
    let bytes = text.as_bytes();
    let mut covered = vec![false; bytes.len()];
    for d in &found {
        if let Some(c) = covered.get_mut(d.start..d.end) {
            c.iter_mut().for_each(|c| *c = true);
        }
    }
    let line_start = |i: usize| {
        text.get(..i)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |p| p + 1)
    };
    let line_end = |i: usize| {
        text.get(i..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |p| i + p)
    };
    let mut out = bytes.to_vec();
    let mut placeholders = Vec::new();
    for d in &found {
        let (a, b) = (line_start(d.start), line_end(d.end));
        let alone = covered
            .get(a..b)
            .zip(bytes.get(a..b))
            .is_some_and(|(c, t)| {
                c.iter()
                    .zip(t)
                    .all(|(c, t)| *c || matches!(t, b' ' | b'\t' | b'\r'))
            });
        let Some(span) = out.get_mut(d.start..d.end) else {
            continue;
        };
        if alone {
            for o in span.iter_mut().filter(|o| !matches!(**o, b'\n' | b'\r')) {
                *o = b' ';
            }
            continue;
        }
        // `{{ inner }}` → `${_inner_}`: a name of word characters; `}}` becomes `_}`.
        let last = span.len().saturating_sub(1);
        for (i, o) in span.iter_mut().enumerate() {
            *o = match i {
                0 => b'$',
                1 => b'{',
                _ if i == last => b'}',
                _ if o.is_ascii_alphanumeric() => *o,
                _ => b'_',
            };
        }
        let inner = text
            .get(d.start + 2..d.end - 2)
            .unwrap_or("")
            .trim_matches(|c: char| c == '-' || c.is_whitespace())
            .to_string();
        placeholders.push((String::from_utf8_lossy(span).into_owned(), inner));
    }
    // Every byte replaced was inside a directive, which starts and ends at ASCII braces, so
    // the text stays UTF-8; should it not, the template is left unread.
    (String::from_utf8(out).unwrap_or_default(), placeholders)
}

/// Reads a template as the manifest its neutralised text is.
pub fn read(text: &str, limits: &Limits) -> ConfigDoc {
    let (neutral, placeholders) = neutralise(text);
    if neutral.len() != text.len() {
        return ConfigDoc::default();
    }
    let mut doc = super::kubernetes::read(&neutral, Format::Kubernetes, limits);
    // Not YAML even so: nothing to judge (the secret rules read the text).
    if doc.error.is_some() {
        return ConfigDoc::default();
    }
    let expression = |s: &str| {
        placeholders
            .iter()
            .find(|(p, _)| s.contains(p.as_str()))
            .map(|(_, e)| e.clone())
    };
    for scope in &mut doc.scopes {
        if scope.label.contains("${") {
            for (p, e) in &placeholders {
                if scope.label.contains(p.as_str()) {
                    scope.label = scope.label.replace(p.as_str(), &format!("{{{{ {e} }}}}"));
                }
            }
        }
        for v in &mut scope.vars {
            if !matches!(v.value, Value::Literal(_) | Value::Secret(_)) {
                continue;
            }
            if let Some(e) = neutral.get(v.value_span.clone()).and_then(expression) {
                v.value = Value::Secret(e);
            }
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "{{- if .Values.enabled }}\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train-{{ .Release.Name }}\n  labels:\n    {{- include \"chart.labels\" . | nindent 4 }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: train\n          image: \"{{ .Values.image }}:{{ .Chart.AppVersion }}\"\n          env:\n            - name: WANDB_API_KEY\n              value: {{ .Values.wandb.apiKey | quote }}\n            {{- range .Values.extraEnv }}\n            - name: {{ .name }}\n              value: {{ .value }}\n            {{- end }}\n          args: [\"--project\", \"{{ .Values.project }}\"]\n{{- end }}\n";

    #[test]
    fn neutralised_text_keeps_every_offset() {
        let (neutral, placeholders) = neutralise(TEMPLATE);
        assert_eq!(neutral.len(), TEMPLATE.len());
        assert_eq!(neutral.lines().count(), TEMPLATE.lines().count());
        assert!(!neutral.contains("{{"));
        assert!(neutral.contains("  name: train-${__Release_Name__}\n"));
        assert!(neutral.starts_with("                         \napiVersion"));
        assert!(placeholders
            .iter()
            .any(|(_, e)| e == ".Values.wandb.apiKey | quote"));
    }

    #[test]
    fn template_containers_are_read_as_manifests() {
        assert!(claims(TEMPLATE));
        let doc = read(TEMPLATE, &Limits::default());
        assert!(doc.error.is_none());
        assert_eq!(doc.scopes.len(), 1);
        let s = &doc.scopes[0];
        assert_eq!(
            s.label,
            "container `train` in Job `train-{{ .Release.Name }}`"
        );
        let key = s.var("WANDB_API_KEY").expect("key");
        assert_eq!(
            key.value,
            Value::Secret(".Values.wandb.apiKey | quote".into())
        );
        assert_eq!(&TEMPLATE[key.name_span.clone()], "WANDB_API_KEY");
    }

    #[test]
    fn crlf_and_odd_directives() {
        let crlf = TEMPLATE.replace('\n', "\r\n");
        let doc = read(&crlf, &Limits::default());
        assert_eq!(doc.scopes.len(), 1);
        for text in [
            "{{",
            "}}{{",
            "a: {{ é }}\n",
            "{{- /* x\ny */ -}}\nkind: Pod\n",
            "{{}}",
        ] {
            let (n, _) = neutralise(text);
            assert_eq!(n.len(), text.len(), "{text:?}");
            let _ = read(text, &Limits::default());
        }
        assert!(!claims("value: \"{{inputs.parameters.key}}\"\n"));
    }
}
