//! Dockerfiles: instructions with line continuations; each stage (`FROM ... AS name`) is a
//! scope with its `ENV` and `ARG` variables in order, and its `RUN`, `CMD` and `ENTRYPOINT`
//! commands. `RUN` steps are also kept apart, with whether they use a BuildKit secret mount,
//! for the image rules.

use super::{classify, Command, ConfigDoc, Scope, Value, Var};
use crate::yaml::ByteSpan;

const HINT: &str = "ENV WANDB_ENTITY=<team>   # or pass -e WANDB_ENTITY at run time";

/// One logical instruction.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// Upper-cased keyword (`RUN`, `ENV`).
    pub keyword: String,
    /// The arguments' span (after the keyword), continuations included.
    pub args: ByteSpan,
    /// The whole instruction's span.
    pub span: ByteSpan,
}

/// Splits a Dockerfile into instructions, joining `\` continuations (comment lines inside a
/// continuation are skipped, as Docker does).
pub fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pos = 0;
    let bytes = text.as_bytes();
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            pos = line_end + 1;
            continue;
        }
        let start = pos + (line.len() - trimmed.len());
        let mut end = line_end;
        // Follow continuations.
        let ends_continued = |at: usize| {
            text[..at]
                .trim_end_matches([' ', '\t', '\r'])
                .ends_with('\\')
        };
        let mut cur_end = line_end;
        let mut continued = ends_continued(cur_end);
        // `RUN <<EOF` / `RUN cat > x <<-'EOF'`: the instruction runs to the delimiter line.
        if let Some(delim) = heredoc_delimiter(line) {
            let mut at = line_end;
            while at < text.len() {
                let next_start = at + 1;
                let next_end = text[next_start..]
                    .find('\n')
                    .map_or(text.len(), |i| next_start + i);
                at = next_end;
                if text[next_start..next_end].trim() == delim {
                    break;
                }
            }
            cur_end = at.min(text.len());
            end = cur_end;
            continued = false;
        }
        while continued && cur_end < text.len() {
            let next_start = cur_end + 1;
            let next_end = text[next_start..]
                .find('\n')
                .map_or(text.len(), |i| next_start + i);
            cur_end = next_end;
            end = next_end;
            // Comment and blank lines inside a continuation are dropped, not ends.
            let next = text[next_start..next_end].trim();
            if next.starts_with('#') || next.is_empty() {
                continue;
            }
            continued = ends_continued(cur_end);
        }
        let kw_len = text[start..end]
            .find(|c: char| c.is_whitespace())
            .unwrap_or(end - start);
        let keyword = text[start..start + kw_len].to_ascii_uppercase();
        let mut args_start = start + kw_len;
        while args_start < end
            && bytes
                .get(args_start)
                .is_some_and(|b| b.is_ascii_whitespace())
        {
            args_start += 1;
        }
        let end_trim = start + text[start..end].trim_end().len();
        out.push(Instruction {
            keyword,
            args: args_start..end_trim.max(args_start),
            span: start..end_trim,
        });
        pos = end + 1;
    }
    out
}

/// The delimiter of a heredoc an instruction line opens (`<<EOF`, `<<-"EOF"`), if any.
fn heredoc_delimiter(line: &str) -> Option<String> {
    let at = line.find("<<")?;
    let rest = line[at + 2..].trim_start_matches('-');
    if rest.starts_with('<') {
        return None;
    }
    let delim: String = rest
        .chars()
        .filter(|c| !matches!(c, '"' | '\''))
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!delim.is_empty()).then_some(delim)
}

/// The command of a `RUN`, `CMD` or `ENTRYPOINT`: the exec form (`["bash", "-c", "..."]`,
/// a JSON array) as words, the shell form as shell.
fn command(text: &str, ins: &Instruction) -> Command {
    let args = &text[ins.args.clone()];
    let whole = &text[ins.span.clone()];
    if args.trim_start().starts_with('[') {
        if let Ok(list) = serde_json::from_str::<Vec<String>>(args.trim()) {
            // Each string's place: found in order in the array's text.
            let mut from = 0;
            let words = list
                .into_iter()
                .map(|w| {
                    let quoted = serde_json::to_string(&w).unwrap_or_default();
                    let at = args[from..].find(&quoted).map_or(from, |i| from + i);
                    from = at + quoted.len();
                    let base = ins.args.start + at;
                    let view = super::shell::dialect::yaml_scalar(&quoted, &w, base);
                    super::shell::Word {
                        expands: false,
                        span: base..base + quoted.len(),
                        offsets: view.offsets,
                        text: w,
                    }
                })
                .collect();
            return Command::argv(whole, ins.span.clone(), words);
        }
    }
    let view = super::shell::dialect::dockerfile_shell(args, ins.args.start);
    Command::shell(whole, ins.span.clone(), view)
}

/// `ENV`/`ARG` arguments as variables: `K=V K2="V 2"`, the legacy `ENV K V`, `ARG K[=V]`.
fn vars(text: &str, ins: &Instruction, origin: &str) -> Vec<Var> {
    let args = &text[ins.args.clone()];
    let base = ins.args.start;
    let mut out = Vec::new();
    if !args.contains('=') && ins.keyword == "ENV" {
        // Legacy form: the rest of the line is the value.
        let name_len = args.find(char::is_whitespace).unwrap_or(args.len());
        let name = &args[..name_len];
        let rest = args[name_len..].trim_start();
        let vstart = base + (args.len() - rest.len());
        out.push(Var {
            name: name.to_string(),
            value: classify(rest),
            name_span: base..base + name_len,
            value_span: vstart..vstart + rest.len(),
            origin: origin.to_string(),
        });
        return out;
    }
    let mut i = 0;
    let b = args.as_bytes();
    // The byte at `i`, or NUL past the end (never a delimiter here).
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    while i < b.len() {
        while i < b.len() && (at(i).is_ascii_whitespace() || at(i) == b'\\') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let name_start = i;
        while i < b.len() && at(i) != b'=' && !at(i).is_ascii_whitespace() {
            i += 1;
        }
        let name = args.get(name_start..i).unwrap_or("");
        if i < b.len() && at(i) == b'=' {
            i += 1;
            let vstart = i;
            if i < b.len() && (at(i) == b'"' || at(i) == b'\'') {
                let q = at(i);
                i += 1;
                while i < b.len() && at(i) != q {
                    if at(i) == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
            } else {
                while i < b.len() && !at(i).is_ascii_whitespace() {
                    i += 1;
                }
            }
            let raw = args.get(vstart..i).unwrap_or("");
            out.push(Var {
                name: name.to_string(),
                value: classify(raw),
                name_span: base + name_start..base + name_start + name.len(),
                value_span: base + vstart..base + i,
                origin: origin.to_string(),
            });
        } else {
            out.push(Var {
                name: name.to_string(),
                value: Value::Inherited,
                name_span: base + name_start..base + i,
                value_span: base + i..base + i,
                origin: origin.to_string(),
            });
        }
    }
    out
}

/// Variables a `RUN --mount=type=secret,...,env=NAME` step receives.
fn secret_mount_vars(text: &str, ins: &Instruction) -> Vec<Var> {
    let args = &text[ins.args.clone()];
    let mut out = Vec::new();
    for word in args.split_whitespace().take_while(|w| w.starts_with("--")) {
        let Some(opts) = word.strip_prefix("--mount=") else {
            continue;
        };
        if !opts.split(',').any(|o| o == "type=secret") {
            continue;
        }
        let id = opts
            .split(',')
            .find_map(|o| o.strip_prefix("id="))
            .unwrap_or("secret");
        if let Some(name) = opts.split(',').find_map(|o| o.strip_prefix("env=")) {
            let at = args
                .find(word)
                .map_or(0, |i| i + word.find(name).unwrap_or(0));
            let start = ins.args.start + at;
            out.push(Var {
                name: name.to_string(),
                value: Value::Secret(format!("secret mount `{id}`")),
                name_span: start..start + name.len(),
                value_span: start..start + name.len(),
                origin: "secret mount".to_string(),
            });
        }
    }
    out
}

/// Reads a Dockerfile.
pub fn read(text: &str) -> ConfigDoc {
    let mut doc = ConfigDoc::default();
    let mut scope: Option<Scope> = None;
    let mut stage = 0;
    for ins in instructions(text) {
        match ins.keyword.as_str() {
            "FROM" => {
                if let Some(s) = scope.take() {
                    doc.scopes.push(s);
                }
                stage += 1;
                let args = &text[ins.args.clone()];
                let words: Vec<&str> = args.split_whitespace().collect();
                let name = words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case("as"))
                    .and_then(|p| words.get(p + 1))
                    .map_or_else(
                        || {
                            let image = words.iter().find(|w| !w.starts_with("--")).unwrap_or(&"");
                            // `python:3.11@sha256:...` reads as `python:3.11`.
                            let image: String = image
                                .split('@')
                                .next()
                                .unwrap_or("")
                                .chars()
                                .take(60)
                                .collect();
                            format!("stage {stage} (`{image}`)")
                        },
                        |n| format!("stage `{n}`"),
                    );
                scope = Some(Scope::new(name, ins.span.clone(), HINT));
            }
            "ENV" | "ARG" => {
                let origin = if ins.keyword == "ENV" { "ENV" } else { "ARG" };
                let s = scope.get_or_insert_with(|| Scope::new("image", ins.span.clone(), HINT));
                s.vars.extend(vars(text, &ins, origin));
            }
            "RUN" | "CMD" | "ENTRYPOINT" => {
                let s = scope.get_or_insert_with(|| Scope::new("image", ins.span.clone(), HINT));
                // `RUN --mount=type=secret,...,env=WANDB_API_KEY` hands the key to this step
                // (the right way to do it in a build; the image keeps nothing).
                if ins.keyword == "RUN" {
                    s.vars.extend(secret_mount_vars(text, &ins));
                }
                s.commands.push(command(text, &ins));
            }
            _ => {}
        }
    }
    if let Some(s) = scope {
        doc.scopes.push(s);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_env_arg_and_continuations() {
        let text = "FROM python:3.11 AS build\nARG WANDB_API_KEY\nENV WANDB_PROJECT=p \\\n    WANDB_ENTITY=\"ml team\"\nRUN pip install wandb && \\\n    wandb login $WANDB_API_KEY\nFROM python:3.11-slim\nENV WANDB_MODE offline\nCMD [\"python\", \"serve.py\"]\n";
        let doc = read(text);
        assert_eq!(doc.scopes.len(), 2);
        let b = &doc.scopes[0];
        assert_eq!(b.label, "stage `build`");
        assert_eq!(
            b.var("WANDB_API_KEY").map(|v| v.value.clone()),
            Some(Value::Inherited)
        );
        let e = b.var("WANDB_ENTITY").expect("entity");
        assert_eq!(&text[e.value_span.clone()], "\"ml team\"");
        assert!(b.commands[0].text.contains("wandb login"));
        let s = &doc.scopes[1];
        assert_eq!(
            s.var("WANDB_MODE").map(|v| v.value.clone()),
            Some(Value::Literal("offline".into()))
        );
    }
}
