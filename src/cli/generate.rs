//! `completions SHELL` and `man`: the shell completion scripts and the man pages, generated from
//! the clap definitions so they never drift from the real options.

use std::path::Path;

use clap::CommandFactory;

use super::args::Cli;
use super::diag::Fatal;
use super::{output, EXIT_CLEAN};

/// The command as the generators see it: built (global options propagated, display names
/// such as `wandb-sa-lint-scan` set), without clap's `help` subcommand.
fn command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> Result<u8, Fatal> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "wandb-sa-lint", &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == clap_complete::Shell::Bash {
        // clap_complete spells the subcommand states of a hyphenated binary two ways (the
        // loop sets `wandb__sa__lint__subcmd__scan`, the arms test
        // `wandb__subcmd__sa__subcmd__lint__subcmd__scan`), so nothing past a subcommand
        // would complete (clap-rs/clap#6421): spell the arms as the loop does.
        script = script.replace("wandb__subcmd__sa__subcmd__lint", "wandb__sa__lint");
    }
    output::stdout(&script, false);
    Ok(EXIT_CLEAN)
}

/// Prints the main man page, or writes it and a page per subcommand (nested ones too) into
/// `dir`, naming each file written.
pub(super) fn man(dir: Option<&Path>) -> Result<u8, Fatal> {
    let cmd = command();
    let Some(dir) = dir else {
        output::stdout(&render(&cmd), false);
        return Ok(EXIT_CLEAN);
    };
    let failed = |path: &Path, source| Fatal::Write {
        path: path.display().to_string(),
        source,
    };
    output::create_dir_all(dir).map_err(|e| failed(dir, e))?;
    let mut pages = std::collections::VecDeque::from([cmd]);
    while let Some(page) = pages.pop_front() {
        pages.extend(page.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let path = dir.join(clap_mangen::Man::new(page.clone()).get_filename());
        output::write_file(&path, &render(&page)).map_err(|e| failed(&path, e))?;
        output::stdout(&format!("wrote {}\n", path.display()), false);
    }
    Ok(EXIT_CLEAN)
}

/// One man page as roff.
fn render(cmd: &clap::Command) -> String {
    let mut roff = Vec::new();
    // Rendering into memory cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone()).render(&mut roff);
    String::from_utf8_lossy(&roff).into_owned()
}
