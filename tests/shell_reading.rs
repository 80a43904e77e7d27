//! Shell read the way the shell reads it: comments, strings and escaped references are what
//! they are, wherever shell sits (scripts, CI steps, Dockerfiles, Makefiles, justfiles).
//! The first two tests are the cases that gave false findings when shell was matched with
//! regular expressions over raw text.

mod common;
use common::*;

use std::path::Path;

/// (rule, path, line) of every finding of `scan dir`.
fn findings(dir: &Path) -> Vec<(String, String, u64)> {
    let out = bin()
        .args(["scan", "--isolated", "--no-progress", "--format", "json"])
        .arg(dir)
        .output()
        .expect("run");
    let doc = json(&out);
    let prefix = format!("{}/", dir.display());
    let mut rows: Vec<(String, String, u64)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").replace(&prefix, ""),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn scan_one(name: &str, content: &str) -> Vec<(String, String, u64)> {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), name, content);
    findings(dir.path())
}

#[test]
fn echo_strings_comments_and_escaped_references_give_no_finding() {
    let script = "#!/bin/bash\n# remember: wandb login before running\necho \"then run wandb login yourself\"\ncat > run.sh <<EOF\nexport WANDB_API_KEY=\"\\${WANDB_PASSWORD}\"\nEOF\npython train.py\n";
    let got = scan_one("train.sh", script);
    // No login in an echo string (C004), no literal key in an escaped reference (C002).
    assert!(
        !got.iter().any(|(r, _, _)| r == "C004" || r == "C002"),
        "{got:?}"
    );
    // The script the heredoc writes takes the key from `$WANDB_PASSWORD` and sets no entity:
    // that script (line 5) is missing the entity, the outer script is not.
    assert_eq!(
        got,
        vec![("C001".to_string(), "train.sh".to_string(), 5)],
        "{got:?}"
    );
}

#[test]
fn a_trailing_comment_is_not_a_login() {
    let script = "#!/bin/bash\nset -e\npython train.py --flag   # or use wandb login command\n";
    assert_eq!(scan_one("run.sh", script), Vec::new());
    // The same words as a command are a login (and the script sets no entity).
    let real = "#!/bin/bash\nwandb login \"$WANDB_KEY\"\npython train.py\n";
    assert_eq!(
        scan_one("run.sh", real),
        vec![("C001".to_string(), "run.sh".to_string(), 2)]
    );
}

#[test]
fn nested_shell_is_read_with_its_escapes() {
    // `bash -c '...'` is shell: the literal key given to `wandb login` inside it is found at
    // its place; a double-quoted text keeps `\$K` a reference.
    let script = "#!/bin/bash\nexport WANDB_ENTITY=ml\nbash -c 'wandb login 0123456789abcdef0123456789abcdef01234567'\nsh -c \"wandb login \\$KEY\"\n";
    let got = scan_one("run.sh", script);
    let c004: Vec<_> = got.iter().filter(|(r, _, _)| r == "C004").collect();
    assert_eq!(c004.len(), 1, "{got:?}");
    assert_eq!(c004[0].2, 3);
}

#[test]
fn makefile_and_justfile_recipes_are_shell() {
    let make = "export WANDB_ENTITY := ml\n\ntrain:\n\t@echo \"building\"  # wandb login here?\n\tWANDB_API_KEY=0123456789abcdef0123456789abcdef01234567 python train.py\n";
    let got = scan_one("Makefile", make);
    assert!(
        got.iter().any(|(r, _, l)| r == "C004" && *l == 5),
        "{got:?}"
    );
    assert!(!got.iter().any(|(r, _, _)| r == "C001"), "{got:?}");
    let just = "train:\n    # wandb login first\n    echo \"$WANDB_API_KEY\"\n";
    let got = scan_one("justfile", just);
    assert!(
        got.iter().any(|(r, _, l)| r == "C008" && *l == 3),
        "{got:?}"
    );
}

#[test]
fn dockerfile_heredocs_and_comment_lines_in_continuations() {
    let docker = "FROM python:3.11\nRUN pip install wandb && \\\n    # wandb login is done at run time\n    echo done\nRUN <<EOF\nset -e\nwandb login $WANDB_API_KEY\nEOF\n";
    let got = scan_one("Dockerfile", docker);
    let c003: Vec<_> = got.iter().filter(|(r, _, _)| r == "C003").collect();
    assert_eq!(c003.len(), 1, "{got:?}");
    assert_eq!(c003[0].2, 7, "{got:?}");
}

#[test]
fn github_expressions_in_run_are_read_as_values() {
    let wf = "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    env:\n      WANDB_ENTITY: ml\n    steps:\n      - run: |\n          # wandb login is not needed: the key is in env\n          echo \"${{ github.sha }}\" | tee sha.txt\n          python train.py\n";
    assert_eq!(scan_one(".github/workflows/t.yml", wf), Vec::new());
}

#[test]
fn a_shell_variable_that_is_never_exported_reaches_no_program() {
    let plain = "#!/bin/bash\nWANDB_API_KEY=\"$(cat key.txt)\"\npython train.py\n";
    assert_eq!(scan_one("run.sh", plain), Vec::new());
    for exported in [
        "#!/bin/bash\nWANDB_API_KEY=\"$(cat key.txt)\"\nexport WANDB_API_KEY\npython train.py\n",
        "#!/bin/bash\nset -a\nWANDB_API_KEY=\"$(cat key.txt)\"\npython train.py\n",
    ] {
        assert_eq!(
            scan_one("run.sh", exported),
            vec![(
                "C001".to_string(),
                "run.sh".to_string(),
                2 + u64::from(exported.contains("set -a"))
            )],
            "{exported}"
        );
    }
}

#[test]
fn deep_shell_nesting_is_read_and_stays_linear() {
    // Five levels of `bash -c '...'` around a login with a literal key: still read.
    let mut cmd = "wandb login 0123456789abcdef0123456789abcdef01234567".to_string();
    for _ in 0..5 {
        cmd = format!("bash -c '{}'", cmd.replace('\'', "'\\''"));
    }
    let got = scan_one(
        "deep.sh",
        &format!("#!/bin/bash\nexport WANDB_ENTITY=ml\n{cmd}\n"),
    );
    assert!(
        got.iter().any(|(r, _, l)| r == "C004" && *l == 3),
        "{got:?}"
    );
    // 20,000 nested command substitutions: the scan finishes (each level's word holds all
    // the levels inside it; only the outer levels are read as commands).
    let n = 20_000;
    let text = format!(
        "#!/bin/bash\necho {}x{}\nexport WANDB_API_KEY=$(cat k)\npython t.py\n",
        "$(".repeat(n),
        ")".repeat(n)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "nest.sh", &text);
    let out = bin()
        .args(["scan", "--isolated", "--no-progress", "--format", "json"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run");
    let doc = json(&out);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, ["C001"], "{rules:?}");
}

#[test]
fn an_entity_that_is_never_exported_reaches_no_program() {
    let script = "#!/bin/bash\nexport WANDB_API_KEY=$(cat k)\nWANDB_ENTITY=team\npython t.py\n";
    assert_eq!(
        scan_one("run.sh", script),
        vec![("C001".to_string(), "run.sh".to_string(), 2)]
    );
    let exported =
        "#!/bin/bash\nexport WANDB_API_KEY=$(cat k)\nexport WANDB_ENTITY=team\npython t.py\n";
    assert_eq!(scan_one("run.sh", exported), Vec::new());
}
