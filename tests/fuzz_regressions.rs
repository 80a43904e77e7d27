//! Every input the fuzzer ever crashed on (`fuzz/regressions/TARGET/*`), replayed through the
//! same entry point (`wandb_sa_lint::fuzzing::run`) in the normal test suite.

use std::path::PathBuf;

#[test]
fn fuzz_regressions_do_not_panic() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut n = 0;
    for target in std::fs::read_dir(&root).expect("fuzz/regressions") {
        let target = target.expect("entry").path();
        if !target.is_dir() {
            continue;
        }
        let name = target
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for input in std::fs::read_dir(&target).expect("target dir") {
            let input = input.expect("entry").path();
            if input.file_name().is_some_and(|f| f == "README.md") {
                continue;
            }
            let data = std::fs::read(&input).expect("input");
            wandb_sa_lint::fuzzing::run(&name, &data);
            n += 1;
        }
    }
    assert!(n > 0, "the regression inputs are there");
}
