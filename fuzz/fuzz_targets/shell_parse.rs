#![no_main]
//! Fuzz target `shell_parse`: see `wandb_sa_lint::fuzzing`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wandb_sa_lint::fuzzing::run("shell_parse", data);
});
