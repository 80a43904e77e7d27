//! The `wandb-sa-lint` binary: parse arguments, run, map the outcome to an exit code.

/// mimalloc: parsing a large registry or many YAML files allocates millions of small nodes,
/// where the system allocator spent a quarter of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wandb_sa_lint::cli::main()
}
