#![no_main]
//! Fuzz target `audit_stream`: see `wandb_sa_lint::fuzzing`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wandb_sa_lint::fuzzing::run("audit_stream", data);
});
