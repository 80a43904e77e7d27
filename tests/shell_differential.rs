//! The shell reader against bash itself: over a corpus of real scripts from public ML
//! repositories (`fixtures/real/shell/`, sources in its SOURCES.md), every file must be
//! judged the same way by `bash -n` (does it parse?) and by our parser (does it report a
//! syntax error?). Bash is on every machine this runs on; without it the test fails rather
//! than passing on nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use wandb_sa_lint::formats::shell::syntax::bash_syntax_error;
use wandb_sa_lint::formats::shell::Script;

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real/shell");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name != "SOURCES.md" && !name.ends_with(".tsv")
        })
        .collect();
    files.sort();
    files
}

/// Whether `bash -n` accepts the file.
fn bash_accepts(path: &Path) -> bool {
    let out = Command::new("bash")
        .arg("-n")
        .arg(path)
        .output()
        .expect("bash is installed (.ci/run installs it)");
    out.status.success()
}

#[test]
fn the_parser_agrees_with_bash_on_every_real_script() {
    let files = corpus();
    assert!(
        files.len() >= 200,
        "the corpus is there ({} files)",
        files.len()
    );
    let mut disagree = Vec::new();
    let mut rejected = 0;
    let mut parsed = 0;
    let mut recovered = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        parsed += 1;
        let bash = bash_accepts(path);
        let verdict = bash_syntax_error(&text);
        let ours = verdict.is_none();
        if !bash {
            rejected += 1;
            // The reader still gets the commands around the error.
            if !Script::parse_at(&text, 0).commands.is_empty() {
                recovered += 1;
            }
        }
        if bash != ours {
            let line = verdict.map_or(0, |e| e.line);
            disagree.push(format!(
                "{} (bash {}, ours {} at line {line})",
                path.display(),
                if bash { "accepts" } else { "rejects" },
                if ours { "accepts" } else { "rejects" },
            ));
        }
    }
    eprintln!(
        "shell corpus: {parsed} files read, {rejected} rejected by bash -n ({recovered} of them still read for commands), {} disagreements",
        disagree.len()
    );
    assert!(
        disagree.is_empty(),
        "disagreements:\n{}",
        disagree.join("\n")
    );
}
