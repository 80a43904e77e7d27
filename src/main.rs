//! The `wandb-sa-lint` binary: parse arguments, run, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    wandb_sa_lint::cli::main()
}
