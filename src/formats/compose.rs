//! docker-compose: each service is a scope, with `environment` (map and list forms) and
//! `env_file` (read when the file is in the repository, otherwise unknown content).

use super::{load_yaml, yaml_vars, ConfigDoc, Scope, Unknown};
use crate::yaml::tree::{self, Src};
use crate::yaml::Limits;

const HINT: &str = "environment:\n  WANDB_ENTITY: <team>   # in the service";

/// Reads a compose file.
pub fn read(text: &str, limits: &Limits) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let idx = Src(text);
    for root in load_yaml(text, &mut doc, limits) {
        let Some(services) = tree::get(&root, "services").and_then(tree::mapping) else {
            continue;
        };
        for (name, key, svc) in services {
            let mut scope = Scope::new(format!("service `{name}`"), idx.span(key), HINT);
            if let Some(env) = tree::get(svc, "environment") {
                scope.vars = yaml_vars(env, &idx, "service environment");
            }
            if let Some(files) = tree::get(svc, "env_file") {
                let list: Vec<&crate::yaml::tree::Node> = match tree::items(files) {
                    Some(items) => items.iter().collect(),
                    None => vec![files],
                };
                for f in list {
                    let path = tree::scalar_text(f)
                        .or_else(|| tree::get(f, "path").and_then(tree::scalar_text));
                    if let Some(path) = path {
                        scope.unknown.push(Unknown {
                            what: format!("env_file `{path}`"),
                            span: idx.span(f),
                            file: Some(path),
                        });
                    }
                }
            }
            // `entrypoint` then `command` are the container's argv; a string is split by
            // compose like a shell line.
            let argv: Vec<&crate::yaml::tree::Node> = ["entrypoint", "command"]
                .iter()
                .filter_map(|k| tree::get(svc, k))
                .collect();
            scope.commands.extend(super::yaml_argv(&argv, &idx));
            doc.scopes.push(scope);
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Value;

    #[test]
    fn list_and_map_environment() {
        let text = "services:\n  trainer:\n    environment:\n      - WANDB_API_KEY\n      - WANDB_PROJECT=p\n    env_file: .env.local\n  web:\n    environment:\n      WANDB_API_KEY: ${KEY}\n      WANDB_ENTITY: ml\n";
        let doc = read(text, &Limits::default());
        assert!(doc.error.is_none(), "{:?}", doc.error);
        let t = &doc.scopes[0];
        let k = t.var("WANDB_API_KEY").expect("key");
        assert_eq!(k.value, Value::Inherited);
        assert_eq!(&text[k.name_span.clone()], "WANDB_API_KEY");
        assert_eq!(t.unknown[0].file.as_deref(), Some(".env.local"));
        let w = &doc.scopes[1];
        assert_eq!(
            w.var("WANDB_API_KEY").map(|v| v.value.clone()),
            Some(Value::Secret("KEY".into()))
        );
    }
}
