//! Blanking the lines no reading uses before the parse of a script file must change nothing
//! any reading sees. Over every real script of `fixtures/real/` (and the configuration
//! fixtures that are scripts), the script parsed as written and the script parsed blanked
//! must give the same commands (less the blanked ones), assignments, functions, held scripts,
//! arrays, and the same answers to every question the rules ask of a script.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use wandb_sa_lint::formats::shell::{self, elide, quick, Context, Script, View};

fn scripts() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["fixtures/real", "fixtures/config", "fixtures/demo"] {
        for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
            if !e.file_type().is_file() {
                continue;
            }
            let p = e.into_path();
            let name = p.to_string_lossy().into_owned();
            let shellish = [".sh", ".bash", ".sbatch", ".slurm", ".job"]
                .iter()
                .any(|x| name.ends_with(x))
                || std::fs::read(&p).is_ok_and(|b| {
                    b.starts_with(b"#!") && b.len() > 2 && {
                        let first = b.split(|&c| c == b'\n').next().unwrap_or(&[]);
                        let first = String::from_utf8_lossy(first);
                        first.contains("sh") && !first.contains("python")
                    }
                });
            if shellish {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn context_kind(s: &Script, ctx: usize) -> String {
    match s.contexts.get(ctx) {
        Some(Context::Launched { by, .. }) => format!("launched by {by}"),
        Some(c) => format!("{c:?}"),
        None => "?".to_string(),
    }
}

/// Everything a reading can see, with command indices replaced by spans (blanking removes
/// commands, so indices shift).
fn seen(s: &Script, skip: &[Range<usize>]) -> Vec<String> {
    let blanked = |span: &Range<usize>| {
        skip.iter()
            .any(|r| r.start <= span.start && span.end <= r.end)
    };
    let mut out = Vec::new();
    for c in s.commands.iter().filter(|c| !blanked(&c.span)) {
        let argv: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
        let assigns: Vec<String> = c
            .assigns
            .iter()
            .map(|a| format!("{}={:?}", a.name, a.value.as_ref().map(|v| &v.text)))
            .collect();
        let redirects: Vec<String> = c
            .redirects
            .iter()
            .map(|r| format!("{}{:?}", r.op, r.target.as_ref().map(|t| &t.text)))
            .collect();
        let to = c
            .piped_to
            .and_then(|i| s.commands.get(i))
            .map(|n| n.span.clone());
        out.push(format!(
            "cmd {:?} {argv:?} {assigns:?} {redirects:?} ctx={} to={to:?} from={} nested={}",
            c.span,
            context_kind(s, c.context),
            c.piped_from,
            c.nested
        ));
    }
    for (a, ctx) in &s.assignments {
        out.push(format!(
            "assign {} {:?} {:?} exported={} ctx={}",
            a.name,
            a.span,
            a.value.as_ref().map(|v| &v.text),
            a.exported,
            context_kind(s, *ctx)
        ));
    }
    for (name, w) in &s.held {
        out.push(format!("held {name} {:?}", w.text));
    }
    for (name, words) in &s.arrays {
        let w: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        out.push(format!("array {name} {w:?}"));
    }
    out.push(format!("functions {:?}", s.functions));
    out.push(format!("logins {:?}", shell::logins(s)));
    out.push(format!("inline keys {:?}", shell::inline_keys(s)));
    out.push(format!("prints key {:?}", shell::prints_key(s)));
    out.push(format!("passes entity {:?}", shell::passes_entity(s)));
    out.push(format!("exported {:?}", shell::exported_names(s)));
    out.push(format!("assignments {:?}", shell::assignments(s).len()));
    out.push(format!("runs {:?}", shell::scripts_run(s)));
    out.push(format!("netrc {:?}", shell::writes_netrc(s)));
    out
}

/// The first words of the commands a parse as written has on the blanked lines.
fn blanked_words(s: &Script, skip: &[Range<usize>]) -> BTreeSet<String> {
    s.commands
        .iter()
        .filter(|c| {
            skip.iter()
                .any(|r| r.start <= c.span.start && c.span.end <= r.end)
        })
        .filter_map(|c| c.argv.first().map(|w| w.text.clone()))
        .collect()
}

#[test]
fn blanking_changes_no_reading_on_real_scripts() {
    let files = scripts();
    assert!(
        files.len() > 1000,
        "the real script corpus is there ({} files)",
        files.len()
    );
    let (mut blanked_files, mut kept_whole, mut bytes, mut blanked_bytes) = (0, 0, 0usize, 0usize);
    let (mut quick_files, mut quick_bytes) = (0, 0usize);
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let whole = Script::parse_at(&text, 0);
        let file = Script::parse_file(&View::at(&text, 0));
        bytes += text.len();
        let e = elide::elide(&text);
        let starts: Vec<usize> = e
            .as_ref()
            .map(|e| e.commands.iter().map(|r| r.start).collect())
            .unwrap_or_default();
        let regions = quick::regions(&text, &starts);
        if !regions.is_empty() {
            quick_files += 1;
            quick_bytes += regions.iter().map(|r| r.range.len()).sum::<usize>();
        }
        let blanked = match &e {
            // The blanked parse did not check out: parsed as written.
            Some(_) if file.elided.is_empty() => {
                kept_whole += 1;
                Vec::new()
            }
            Some(e) => {
                blanked_files += 1;
                blanked_bytes += e.commands.iter().map(|r| r.len()).sum::<usize>();
                e.commands.clone()
            }
            None => Vec::new(),
        };
        let (a, b) = (seen(&whole, &blanked), seen(&file, &[]));
        if a != b {
            let first = a.iter().zip(&b).find(|(x, y)| x != y);
            failures.push(format!(
                "{}: {first:?} ({} vs {} items)",
                path.display(),
                a.len(),
                b.len()
            ));
            continue;
        }
        let words: BTreeSet<String> = file.elided.iter().cloned().collect();
        assert_eq!(blanked_words(&whole, &blanked), words, "{}", path.display());
    }
    eprintln!(
        "{} scripts, {bytes} bytes: {blanked_files} parsed blanked ({blanked_bytes} bytes of command lines blanked), {kept_whole} parsed as written after the check; {quick_files} with stretches read without the parser ({quick_bytes} bytes)",
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} scripts read differently:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        blanked_files > 100,
        "blanking is exercised ({blanked_files} files)"
    );
    assert!(
        quick_files > 500 && quick_bytes > bytes / 20,
        "reading without the parser is exercised ({quick_files} files, {quick_bytes} bytes)"
    );
}

#[test]
fn a_broken_blanking_falls_back_to_the_text_as_written() {
    // A pipeline continued on the next line: the lexer takes `sort` for a line of its own.
    let mut t = String::from("#!/bin/bash\n");
    while t.len() < 4096 {
        t.push_str("echo filler line\n");
    }
    t.push_str("printenv |\n  sort\nwandb login\n");
    let whole = Script::parse_at(&t, 0);
    let file = Script::parse_file(&View::at(&t, 0));
    assert!(
        elide::elide(&t).is_some(),
        "the filler and `sort` are blanked"
    );
    // `sort` on its own line joins the pipeline as a blanked `:`: the blanked parse is
    // refused and the text parsed as written.
    assert!(file.elided.is_empty());
    assert_eq!(seen(&whole, &[]), seen(&file, &[]));
    assert!(file
        .commands
        .iter()
        .any(|c| c.argv.first().is_some_and(|w| w.text == "sort")));
}

/// Pads a script past the length below which nothing is blanked.
fn padded(tail: &str) -> String {
    let mut t = String::from("#!/bin/bash\n");
    while t.len() < 4096 {
        t.push_str("echo padding\n");
    }
    t.push_str(tail);
    t
}

#[test]
fn a_continuation_before_crlf_keeps_its_next_line_an_argument() {
    // `export WANDB_ENTITY` is an argument of `echo` here: nothing is exported.
    let t = padded(
        "WANDB_ENTITY=team\r\necho \"setting up\" \\\r\nexport WANDB_ENTITY\r\npython train.py\r\n",
    );
    let whole = Script::parse_at(&t, 0);
    let file = Script::parse_file(&View::at(&t, 0));
    assert!(!shell::passes_entity(&whole));
    assert!(!shell::passes_entity(&file));
    assert!(!file.elided.is_empty(), "the padding is still blanked");
}

#[test]
fn a_last_blanked_line_without_newline_keeps_the_blanked_parse() {
    let t = padded("python train.py\necho done");
    let file = Script::parse_file(&View::at(&t, 0));
    assert!(!file.elided.is_empty(), "the blanked parse is kept");
    let whole = Script::parse_at(&t, 0);
    let e = elide::elide(&t).expect("blanked");
    assert_eq!(seen(&whole, &e.commands), seen(&file, &[]));
}
