//! Files the user names for a run other than the tree scanned: configuration, registry,
//! baseline, audit logs, scan results, previous reports, rule folders. Each reader keeps the
//! guards its input had (a device or FIFO refused, a size limit, symlinks refused or
//! followed) and hands back the system's own error, so the caller words its message.

use std::path::{Path, PathBuf};

/// A whole file as text, as the system reads it (a symlink is followed: the user named it).
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// Whether a symlink is followed when a small file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow it (a file the user named).
    Follow,
    /// Refuse it (a file found in a tree: it could point anywhere).
    Refuse,
}

/// Why [`read_small`] read nothing.
#[derive(Debug)]
pub enum SmallFileError {
    /// The file could not be looked at (absent, no permission).
    Stat(std::io::Error),
    /// A device, FIFO, directory (or, with [`Links::Refuse`], a symlink).
    NotRegular,
    /// Larger than the limit: its length.
    TooLarge(u64),
    /// Looked at, but not read.
    Read(std::io::Error),
}

/// A regular file of at most `max` bytes as text. Never opens a FIFO (which would block) or a
/// device (`/dev/zero` never ends).
pub fn read_small(path: &Path, max: u64, links: Links) -> Result<String, SmallFileError> {
    let meta = match links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    }
    .map_err(SmallFileError::Stat)?;
    if !meta.file_type().is_file() {
        return Err(SmallFileError::NotRegular);
    }
    if meta.len() > max {
        return Err(SmallFileError::TooLarge(meta.len()));
    }
    std::fs::read_to_string(path).map_err(SmallFileError::Read)
}

/// What an input path named on the command line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A folder that can be listed.
    Folder,
    /// A regular file that can be opened.
    File,
    /// Something else (a FIFO, socket or device): not opened.
    Other,
}

/// Why [`probe_input`] failed.
#[derive(Debug)]
pub enum ProbeError {
    /// The path does not exist.
    Missing,
    /// It exists but cannot be looked at, listed or opened.
    Io(std::io::Error),
}

/// Checks that `path` (a symlink followed: the user named it) is a folder that can be listed
/// or a regular file that can be opened; nothing else is opened.
pub fn probe_input(path: &Path) -> Result<InputKind, ProbeError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ProbeError::Missing),
        Err(e) => return Err(ProbeError::Io(e)),
    };
    if meta.is_dir() {
        std::fs::read_dir(path).map_err(ProbeError::Io)?;
        Ok(InputKind::Folder)
    } else if meta.is_file() {
        std::fs::File::open(path).map_err(ProbeError::Io)?;
        Ok(InputKind::File)
    } else {
        Ok(InputKind::Other)
    }
}

/// Why [`open_regular`] opened nothing.
#[derive(Debug)]
pub enum OpenError {
    /// Not a regular file (a FIFO, socket, device or folder): not opened.
    NotRegular,
    /// The system refused to open it.
    Io(std::io::Error),
}

/// Opens `path` for streaming, unless it is something other than a regular file (a FIFO
/// blocks, `/dev/zero` never ends). A symlink is followed.
pub fn open_regular(path: &Path) -> Result<std::fs::File, OpenError> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(OpenError::NotRegular);
    }
    std::fs::File::open(path).map_err(OpenError::Io)
}

/// Whether `path` is a folder (a symlink followed).
pub fn is_folder(path: &Path) -> bool {
    path.is_dir()
}

/// The file `name` in the folder `start` (its folder, for a file) or the nearest of its
/// ancestors that holds one as a regular file (a symlink followed). Inside a git repository
/// the search stops at the repository's root (the folder holding `.git`): a file above the
/// repository is not the repository's.
pub fn find_upward(start: &Path, name: &str) -> Option<PathBuf> {
    let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        if std::fs::symlink_metadata(d.join(".git")).is_ok() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// Why an entry of a folder walked by [`files_under`] was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Passed {
    /// A symbolic link (not followed).
    Symlink(PathBuf),
    /// A FIFO, socket or device.
    Special(PathBuf),
    /// The folder (or a part of it) could not be listed: the walk's error.
    Unlisted(String),
}

/// The regular files under the folder `dir`, recursively in name order. Symlinks are not
/// followed, and neither they nor FIFOs, sockets or devices are taken: each goes to `passed`.
pub fn files_under(dir: &Path, passed: &mut dyn FnMut(Passed)) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| match e {
            Ok(e) if e.file_type().is_file() => Some(e.into_path()),
            Ok(e) if e.file_type().is_dir() => None,
            Ok(e) => {
                if e.file_type().is_symlink() {
                    passed(Passed::Symlink(e.into_path()));
                } else {
                    passed(Passed::Special(e.into_path()));
                }
                None
            }
            Err(err) => {
                passed(Passed::Unlisted(err.to_string()));
                None
            }
        })
        .collect()
}

/// Every file under `dir` (recursively, in name order) whose extension is one of `exts`, as
/// (display path, text); the first error stops the walk.
pub fn read_tree(dir: &Path, exts: &[&str]) -> std::io::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        let p = entry.path();
        if entry.file_type().is_file()
            && p.extension().is_some_and(|e| exts.iter().any(|x| e == *x))
        {
            let text = std::fs::read_to_string(p)?;
            files.push((p.display().to_string(), text));
        }
    }
    Ok(files)
}
