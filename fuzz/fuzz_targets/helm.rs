#![no_main]
//! Fuzz target `helm`: see `wandb_sa_lint::fuzzing`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wandb_sa_lint::fuzzing::run("helm", data);
});
