//! Generates the audit fixture organization: `registry.yaml` and 90 days of audit logs.
//!
//!   cargo run --release --example gen_audit -- DIR [--seed N] [--lines N]
//!
//! `--lines` pads each day with people's events to reach about that many lines in all (the
//! benchmark uses 1,000,000); without it the logs hold the natural few thousand events.
#![allow(clippy::print_stdout, clippy::print_stderr)]

// The organization is test support; this generator scales it up for the benchmark.
#[path = "../tests/common/audit_org.rs"]
mod audit_org;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut seed, mut lines) = (None, 7u64, 0u64);
    while let Some(a) = args.next() {
        let number = |v: Option<String>| v.and_then(|s| s.replace('_', "").parse::<u64>().ok());
        match a.as_str() {
            "--seed" => seed = number(args.next()).unwrap_or(seed),
            "--lines" => lines = number(args.next()).unwrap_or(lines),
            _ if dir.is_none() => dir = Some(std::path::PathBuf::from(a)),
            other => {
                eprintln!("unexpected argument `{other}`");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: gen_audit DIR [--seed N] [--lines N]");
        return std::process::ExitCode::from(2);
    };
    match audit_org::write(&dir, seed, lines) {
        Ok((n, bytes)) => {
            println!(
                "wrote {}/registry.yaml and {n} audit lines ({:.1} MB uncompressed) in {}/logs, as of {}",
                dir.display(),
                bytes as f64 / 1e6,
                dir.display(),
                audit_org::AS_OF
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", dir.display());
            std::process::ExitCode::from(2)
        }
    }
}
