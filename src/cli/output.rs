//! The one way out of the program. Everything it prints or writes (findings in every format,
//! summaries, problems, diagnostics, `--show-config`, reports, baselines, rule pages) leaves
//! through [`stdout`], [`stderr`] or [`write_file`], and each of them:
//!
//! - masks every key-shaped token ([`crate::detect::mask::mask_output`]), whatever field carried it: a message
//!   naming a job, a path, commit metadata, a snippet, a configuration value;
//! - neutralises terminal control: C0/C1 control characters (bar newline and tab), DEL and
//!   bidirectional overrides are shown as escapes (`\x1b`), so a file name cannot move the
//!   cursor, recolour the terminal or hide text; the only escape sequences let through are the
//!   colour (SGR) sequences of a coloured run;
//! - [`write_file`] never writes through a symbolic link: the target's last component and
//!   every folder between the working directory and it must not be links, and the file is
//!   written to a temporary sibling and renamed into place (a link raced in is replaced, its
//!   target never written).
//!
//! Newlines inside a single field (a file named `x\n::error::forged`) are escaped earlier, by
//! the renderers, which know where a field ends ([`crate::report::escape::one_line`]).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::report::escape::clean;

/// Prints to standard output (`color`: the text holds our own colour sequences).
pub fn stdout(text: &str, color: bool) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a diagnostic.
    let _ = out.write_all(clean(text, color).as_bytes());
    let _ = out.flush();
}

/// Shows `text` on the terminal through a pager, as git does: `$WANDB_SA_LINT_PAGER`, else
/// `$PAGER`, else `less` (with `LESS=FRX` unless `LESS` is set: it exits at once when the
/// text fits, keeps the screen, and passes colour). An empty pager or `cat` prints directly,
/// and so does a pager that cannot be started.
pub fn page(text: &str) {
    let pager = ["WANDB_SA_LINT_PAGER", "PAGER"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .unwrap_or_else(|| "less".to_string());
    let pager = pager.trim();
    if pager.is_empty() || pager == "cat" {
        return stdout(text, false);
    }
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(pager).stdin(std::process::Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    let Ok(mut child) = cmd.spawn() else {
        return stdout(text, false);
    };
    if let Some(mut input) = child.stdin.take() {
        // The reader may quit early (`q` in less): a closed pipe is not an error.
        let _ = input.write_all(clean(text, false).as_bytes());
    }
    // The shell starts even when the pager does not: 127 (not found) and 126 (not runnable)
    // mean nothing was shown.
    if child
        .wait()
        .is_ok_and(|s| matches!(s.code(), Some(126 | 127)))
    {
        stdout(text, false);
    }
}

/// Prints to standard error.
pub fn stderr(text: &str, color: bool) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(clean(text, color).as_bytes());
    let _ = err.flush();
}

/// Writes `text` (cleaned, never coloured) to `path`, refusing to write through a symbolic
/// link.
pub fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    refuse_links(path)?;
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.is_dir() {
            return Err(std::io::Error::other(format!(
                "`{}` is a folder; give a file name",
                path.display()
            )));
        }
        if !meta.is_file() {
            // A device or a pipe (`-o /dev/null`, a FIFO a reader waits on): write into it. A
            // rename would replace the device with a regular file.
            // Never through a link raced in since the check above.
            use std::os::unix::fs::OpenOptionsExt;
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)?;
            out.write_all(clean(text, false).as_bytes())?;
            return out.flush();
        }
    }
    temp_beside(path, text)?
        .persist(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// Writes `text` to `path` exactly as given, refusing links and replacing the file whole (a
/// temporary sibling renamed into place) as [`write_file`] does, but neither masked nor
/// cleaned: for data downloaded from W&B (`audit fetch`), which holds no key and must reach
/// the readers as W&B sent it (a digest or cursor is not a key).
pub fn write_data_file(path: &Path, text: &str) -> std::io::Result<()> {
    refuse_links(path)?;
    if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(std::io::Error::other(format!(
            "`{}` is not a regular file; not replaced",
            path.display()
        )));
    }
    let mut tmp = temp_in_folder(path)?;
    tmp.write_all(text.as_bytes())?;
    tmp.flush()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `text` to `path` as [`write_file`] does, but only where nothing is: an existing
/// file, link or folder (even one that appears meanwhile) is an `AlreadyExists` error and is
/// left as it was.
pub fn write_new_file(path: &Path, text: &str) -> std::io::Result<()> {
    refuse_links(path)?;
    if exists(path) {
        return Err(std::io::ErrorKind::AlreadyExists.into());
    }
    temp_beside(path, text)?
        .persist_noclobber(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// True when something (a file, a folder, a link, even a broken one) is at `path`.
pub fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// A new temporary file in `path`'s folder (`.wandb-sa-lint-*.tmp`), to be renamed into place.
fn temp_in_folder(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    tempfile::Builder::new()
        .prefix(".wandb-sa-lint-")
        .suffix(".tmp")
        .tempfile_in(&parent)
}

/// `text` (cleaned) in a temporary file in `path`'s folder, with the mode of the file at
/// `path` (0644 for a new one), ready to be renamed into place.
fn temp_beside(path: &Path, text: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut tmp = temp_in_folder(path)?;
    tmp.write_all(clean(text, false).as_bytes())?;
    tmp.flush()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::symlink_metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map_or(0o644, |m| m.permissions().mode() & 0o777);
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))?;
    }
    Ok(tmp)
}

/// Creates the folder `path` and its parents (for `rules docs`' pages); an existing folder is
/// kept.
pub fn create_dir_all(path: &Path) -> std::io::Result<()> {
    // No folder is made through a link: neither the folder nor one between the working
    // directory and it may be one.
    refuse_links(path)?;
    std::fs::create_dir_all(path)
}

/// An error unless neither `path` nor a folder between the working directory and it is a
/// symbolic link. Folders above the working directory (a system `/tmp` that is a link) are the
/// user's own choice and are not judged.
fn refuse_links(path: &Path) -> std::io::Result<()> {
    let link = |p: &Path| {
        std::fs::symlink_metadata(p)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
    };
    let refuse = |p: &Path| {
        Err(std::io::Error::other(format!(
            "`{}` is a symbolic link; refusing to write through it (remove it or choose another path)",
            p.display()
        )))
    };
    if link(path) {
        return refuse(path);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    // Walk the folders from the working directory down to the file's parent.
    if let Ok(rest) = absolute.strip_prefix(&cwd) {
        let mut at = cwd.clone();
        let parts: Vec<_> = rest.components().collect();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            match part {
                Component::Normal(name) => {
                    at.push(name);
                    if link(&at) {
                        return refuse(&at);
                    }
                }
                // `..` leaves the tree this check covers; stop judging there.
                _ => break,
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_not_written_through_links() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("target.txt");
        std::fs::write(&target, "keep").expect("write");
        let link = dir.path().join("out.json");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        let err = write_file(&link, "new").expect_err("refused");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
        let plain = dir.path().join("plain.json");
        write_file(&plain, "body").expect("written");
        assert_eq!(std::fs::read_to_string(&plain).expect("read"), "body");
        // Overwriting an existing regular file keeps its mode.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        write_file(&plain, "again").expect("written");
        let mode = std::fs::metadata(&plain)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}
