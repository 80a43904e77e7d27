//! Loads every `.yml`/`.yaml` file under the folders given with the configuration readers' YAML
//! loader (`wandb_sa_lint::yaml::tree::load`) and prints one verdict a line, in the format of
//! `tests/yaml/pyyaml_verdicts.py` (`ok<TAB>path`, `err<TAB>path<TAB>message`,
//! `skip<TAB>path` for a file that is not UTF-8), then the time spent loading on stderr.
//!
//!   cargo run --release --example yaml_corpus -- DIR... > ours.tsv
//!
//! For measuring a corpus of real files against PyYAML (docs/design.md, "YAML").

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
}

fn main() {
    let mut files = Vec::new();
    for root in std::env::args().skip(1) {
        walk(Path::new(&root), &mut files);
    }
    let limits = wandb_sa_lint::yaml::Limits::default();
    let mut spent = Duration::ZERO;
    let mut bytes = 0usize;
    for path in &files {
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let Ok(text) = String::from_utf8(data) else {
            println!("skip\t{}", path.display());
            continue;
        };
        bytes += text.len();
        let t = Instant::now();
        let r = wandb_sa_lint::yaml::tree::load(&text, &limits);
        spent += t.elapsed();
        match r {
            Ok(_) => println!("ok\t{}", path.display()),
            Err(e) => println!(
                "err\t{}\t{} (byte {})",
                path.display(),
                e.message.split_whitespace().collect::<Vec<_>>().join(" "),
                e.offset
            ),
        }
    }
    eprintln!(
        "{} files, {} bytes, loaded in {:.3} s",
        files.len(),
        bytes,
        spent.as_secs_f64()
    );
}
