//! The staged change, for pre-commit: the index blobs that differ from HEAD's tree (every
//! staged blob in a repository with no commit yet). The working-tree copy is never read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{is_binary, Sink, Skip};

/// Why the staged change could not be read at all (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StagedError {
    /// `path` is in no git repository.
    #[error("`{0}` is not in a git repository")]
    #[diagnostic(
        code(git::not_a_repository),
        help("--staged scans the index of a git repository; run it inside one")
    )]
    NotARepository(String),
    /// A bare repository has no index to scan.
    #[error("`{0}` is a bare repository: it has no staged change")]
    #[diagnostic(code(git::bare))]
    Bare(String),
    /// The index or HEAD could not be read.
    #[error("cannot read the git index of `{path}`: {message}")]
    #[diagnostic(code(git::index))]
    Index {
        /// The repository.
        path: String,
        /// What git said.
        message: String,
    },
}

/// What a staged scan saw besides the files it handed on.
#[derive(Debug, Clone, Default)]
pub struct StagedInfo {
    /// The repository's working directory.
    pub workdir: PathBuf,
    /// Paths with unresolved merge conflicts (skipped, noted).
    pub conflicted: Vec<String>,
    /// Index entries identical to HEAD (not scanned).
    pub unchanged: usize,
    /// The repository has no commit yet: every staged entry is new.
    pub unborn: bool,
}

/// Hands every staged blob that differs from HEAD to `sink`, named by its path relative to the
/// repository root. `start` is any directory inside the repository.
pub fn walk(start: &Path, max_file_size: u64, sink: &dyn Sink) -> Result<StagedInfo, StagedError> {
    let shown = start.display().to_string();
    let repo = gix::discover(start).map_err(|_| StagedError::NotARepository(shown.clone()))?;
    let workdir = repo
        .workdir()
        .map(Path::to_path_buf)
        .ok_or_else(|| StagedError::Bare(shown.clone()))?;
    let workdir = std::path::absolute(&workdir).unwrap_or(workdir);
    let index_err = |e: &dyn std::fmt::Display| StagedError::Index {
        path: shown.clone(),
        message: e.to_string(),
    };
    let index = repo.index_or_empty().map_err(|e| index_err(&e))?;
    let unborn = repo.head_id().is_err();
    let head_tree = repo.head_tree_id_or_empty().map_err(|e| index_err(&e))?;
    let head_index = repo
        .index_from_tree(&head_tree)
        .map_err(|e| index_err(&e))?;
    let head: HashMap<&[u8], gix::ObjectId> = head_index
        .entries()
        .iter()
        .map(|e| -> (&[u8], gix::ObjectId) { (e.path(&head_index).as_ref(), e.id) })
        .collect();

    let mut info = StagedInfo {
        workdir: workdir.clone(),
        unborn,
        ..StagedInfo::default()
    };
    use gix::index::entry::{Mode, Stage};
    for entry in index.entries() {
        let path_b = entry.path(&index);
        let path = path_b.to_string();
        if entry.stage() != Stage::Unconflicted {
            if info.conflicted.last() != Some(&path) {
                info.conflicted.push(path);
            }
            continue;
        }
        let key: &[u8] = path_b.as_ref();
        if head.get(key) == Some(&entry.id) {
            info.unchanged += 1;
            continue;
        }
        if entry.mode == Mode::COMMIT {
            sink.skipped(&path, Skip::Submodule);
            continue;
        }
        if entry.mode == Mode::SYMLINK {
            sink.skipped(&path, Skip::Symlink);
            continue;
        }
        if entry.mode == Mode::DIR {
            continue;
        }
        let abs = workdir.join(&path);
        if sink.excluded(&path, &abs) {
            sink.skipped(&path, Skip::Excluded);
            continue;
        }
        match repo.find_header(entry.id) {
            Ok(h) if h.size() > max_file_size => {
                sink.skipped(&path, Skip::TooLarge);
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                sink.error(
                    &path,
                    format!("cannot read staged blob {} of `{path}`: {e}", entry.id),
                );
                sink.skipped(&path, Skip::Unreadable);
                continue;
            }
        }
        match repo.find_object(entry.id) {
            Ok(obj) => {
                if is_binary(&obj.data) {
                    sink.skipped(&path, Skip::Binary);
                } else {
                    sink.file(&path, &abs, &obj.data);
                }
            }
            Err(e) => {
                sink.error(
                    &path,
                    format!("cannot read staged blob {} of `{path}`: {e}", entry.id),
                );
                sink.skipped(&path, Skip::Unreadable);
            }
        }
    }
    Ok(info)
}
