//! Files that other files name: a GitLab `include: local:`, a compose `env_file:`. They are
//! read from the same snapshot as the file that names them (the working tree, or the index in
//! `--staged`), under the same rules as every other file: inside the repository (no `..` or
//! absolute path out of it, no symlink that leads out of it), regular files only, within the
//! size limit. Anything refused is an [`NamedError`] naming the path, for an input problem.

use std::path::{Component, Path, PathBuf};

use super::{is_binary, read_file, Skip};

/// A file another file names, as read.
#[derive(Debug, Clone)]
pub struct Named {
    /// Its display path (`/`-separated, like the scan's other paths).
    pub display: String,
    /// Its absolute path (in the working tree, also for a staged blob).
    pub abs: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Why a named file was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum NamedError {
    /// An absolute path (never read: it is outside the repository).
    #[error("`{0}` is an absolute path: files outside the repository are not read")]
    #[diagnostic(code(source::outside))]
    Absolute(String),
    /// A `..` path that leaves the repository.
    #[error("`{0}` is outside the repository: it is not read")]
    #[diagnostic(code(source::outside))]
    Outside(String),
    /// A symlink that leads out of the repository (or, in the index, any symlink).
    #[error("`{0}` is a symlink{1}: it is not followed")]
    #[diagnostic(code(source::symlink))]
    Symlink(String, &'static str),
    /// A FIFO, socket, device or directory.
    #[error("`{0}` is not a regular file: it is not read")]
    #[diagnostic(code(source::special))]
    Special(String),
    /// Larger than the size limit.
    #[error("`{0}` is larger than the size limit ({1} bytes): it is not read")]
    #[diagnostic(code(source::too_large))]
    TooLarge(String, u64),
    /// Binary content.
    #[error("`{0}` is binary: it is not read")]
    #[diagnostic(code(source::binary))]
    Binary(String),
    /// Not in the snapshot (absent from the working tree, or not staged).
    #[error("`{0}` is not {1}")]
    #[diagnostic(code(source::missing))]
    Missing(String, &'static str),
    /// The file system or the object store failed.
    #[error("cannot read `{0}`: {1}")]
    #[diagnostic(code(source::unreadable))]
    Unreadable(String, String),
}

impl NamedError {
    /// Whether the file is simply not there (an uncommitted `.env`, say): a note, not a
    /// problem with the input.
    pub fn is_missing(&self) -> bool {
        matches!(self, NamedError::Missing(..))
    }
}

/// Where named files come from: the snapshot the scan reads.
pub trait Snapshot: Sync {
    /// Reads the file that the file at display path `from` (absolute path `from_abs`) names
    /// as `name`, relative to its own directory.
    fn named(&self, from: &str, from_abs: &Path, name: &str) -> Result<Named, NamedError>;
}

/// No snapshot (a scan of bytes in memory): nothing named is read.
pub struct NoSnapshot;

impl Snapshot for NoSnapshot {
    fn named(&self, from: &str, _: &Path, name: &str) -> Result<Named, NamedError> {
        Err(NamedError::Missing(
            join_display(from, name),
            "read when scanning in memory",
        ))
    }
}

/// `name` resolved against the directory of display path `from`, lexically, for display.
fn join_display(from: &str, name: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    if parts == ["."] {
        parts.clear();
    }
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The components of `name` after the directory components `dir`, resolved lexically; `None`
/// when a `..` climbs above the start of `dir` (out of the repository).
fn resolve(dir: &[String], name: &str) -> Option<Vec<String>> {
    let mut out = dir.to_vec();
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p.to_string()),
        }
    }
    Some(out)
}

/// Whether `name` is absolute (`/x`, `\x`, `C:\x`, `C:/x`).
fn is_absolute(name: &str) -> bool {
    let b = name.as_bytes();
    name.starts_with(['/', '\\'])
        || Path::new(name).is_absolute()
        || (b.len() >= 2
            && b.first().is_some_and(u8::is_ascii_alphabetic)
            && b.get(1) == Some(&b':'))
}

/// The working tree: named files are read from the disk, inside the repository (or scan
/// root) that holds the naming file.
pub struct Worktree {
    /// Canonical directories reads must stay in: each scan root's repository work
    /// directory, or the root itself (its directory, for a file) outside a repository.
    bounds: Vec<PathBuf>,
    max_file_size: u64,
}

impl Worktree {
    /// A snapshot bounded by the repositories (or directories) of the scan `roots`.
    pub fn new(roots: &[PathBuf], max_file_size: u64) -> Self {
        let mut bounds = Vec::new();
        for root in roots {
            let Ok(canon) = std::fs::canonicalize(root) else {
                continue;
            };
            let dir = if canon.is_dir() {
                canon
            } else {
                match canon.parent() {
                    Some(p) => p.to_path_buf(),
                    None => continue,
                }
            };
            let bound = gix::discover(&dir)
                .ok()
                .and_then(|r| r.workdir().and_then(|w| std::fs::canonicalize(w).ok()))
                .filter(|w| dir.starts_with(w))
                .unwrap_or(dir);
            if !bounds.contains(&bound) {
                bounds.push(bound);
            }
        }
        Self {
            bounds,
            max_file_size,
        }
    }
}

fn components(path: &Path) -> Option<Vec<String>> {
    path.components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().map(str::to_string),
            _ => None,
        })
        .collect()
}

impl Snapshot for Worktree {
    fn named(&self, from: &str, from_abs: &Path, name: &str) -> Result<Named, NamedError> {
        let display = join_display(from, name);
        if is_absolute(name) {
            return Err(NamedError::Absolute(name.to_string()));
        }
        let outside = || NamedError::Outside(display.clone());
        let dir = from_abs
            .parent()
            .and_then(|p| std::fs::canonicalize(p).ok())
            .ok_or_else(|| NamedError::Unreadable(display.clone(), "no directory".into()))?;
        // The innermost bound holding the naming file.
        let bound = self
            .bounds
            .iter()
            .filter(|b| dir.starts_with(b))
            .max_by_key(|b| b.components().count())
            .ok_or_else(outside)?;
        let rel_dir = dir.strip_prefix(bound).map_err(|_| outside())?;
        let rel_dir = components(rel_dir).ok_or_else(outside)?;
        let rel = resolve(&rel_dir, name).ok_or_else(outside)?;
        let target = rel.iter().fold(bound.clone(), |p, c| p.join(c));
        // Follow symlinks only as far as they stay inside the repository.
        let canon = match std::fs::canonicalize(&target) {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(NamedError::Missing(display, "in the repository"));
            }
            Err(e) => return Err(NamedError::Unreadable(display, e.to_string())),
        };
        if !canon.starts_with(bound) {
            return Err(NamedError::Symlink(
                display,
                " that leads out of the repository",
            ));
        }
        match read_file(&canon, self.max_file_size) {
            Ok(bytes) => Ok(Named {
                display,
                abs: target,
                bytes,
            }),
            Err((reason, message)) => Err(match reason {
                Skip::TooLarge => NamedError::TooLarge(display, self.max_file_size),
                Skip::Binary => NamedError::Binary(display),
                Skip::Symlink => NamedError::Symlink(display, ""),
                Skip::Special => NamedError::Special(display),
                _ => NamedError::Unreadable(display, message.unwrap_or_default()),
            }),
        }
    }
}

/// The index of a repository (`--staged`): named files are the staged blobs, never the
/// working-tree copies.
pub struct Index {
    repo: gix::ThreadSafeRepository,
    index: gix::index::File,
    workdir: PathBuf,
    max_file_size: u64,
}

impl Index {
    /// A snapshot of `index` in `repo`, whose work directory is `workdir`.
    pub fn new(
        repo: gix::ThreadSafeRepository,
        index: gix::index::File,
        workdir: PathBuf,
        max_file_size: u64,
    ) -> Self {
        Self {
            repo,
            index,
            workdir,
            max_file_size,
        }
    }

    /// The index read.
    pub fn index(&self) -> &gix::index::File {
        &self.index
    }

    /// The repository.
    pub fn repo(&self) -> gix::Repository {
        self.repo.to_thread_local()
    }

    /// The absolute work directory.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }
}

impl Snapshot for Index {
    fn named(&self, from: &str, _: &Path, name: &str) -> Result<Named, NamedError> {
        use gix::index::entry::{Mode, Stage};
        let display = join_display(from, name);
        if is_absolute(name) {
            return Err(NamedError::Absolute(name.to_string()));
        }
        // Staged paths are relative to the repository root already.
        let mut dir: Vec<String> = from.split('/').map(str::to_string).collect();
        dir.pop();
        let rel = resolve(&dir, name).ok_or_else(|| NamedError::Outside(display.clone()))?;
        let path = rel.join("/");
        let entry = self
            .index
            .entry_by_path_and_stage(path.as_str().into(), Stage::Unconflicted)
            .ok_or(NamedError::Missing(display.clone(), "staged"))?;
        if entry.mode == Mode::SYMLINK {
            return Err(NamedError::Symlink(display, " in the index"));
        }
        if entry.mode != Mode::FILE && entry.mode != Mode::FILE_EXECUTABLE {
            return Err(NamedError::Special(display));
        }
        let repo = self.repo.to_thread_local();
        let unreadable = |e: &dyn std::fmt::Display| {
            NamedError::Unreadable(display.clone(), format!("staged blob {}: {e}", entry.id))
        };
        match repo.find_header(entry.id) {
            Ok(h) if h.size() > self.max_file_size => {
                return Err(NamedError::TooLarge(display, self.max_file_size))
            }
            Ok(_) => {}
            Err(e) => return Err(unreadable(&e)),
        }
        let obj = repo.find_object(entry.id).map_err(|e| unreadable(&e))?;
        if is_binary(&obj.data) {
            return Err(NamedError::Binary(display));
        }
        Ok(Named {
            abs: self.workdir.join(&path),
            display: path,
            bytes: obj.detach().data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_resolution() {
        assert_eq!(join_display(".gitlab-ci.yml", "ci/a.yml"), "ci/a.yml");
        assert_eq!(join_display("svc/compose.yaml", "../x.env"), "x.env");
        assert_eq!(join_display("compose.yaml", "../../x"), "../../x");
        assert_eq!(join_display("./a/b.yml", "./c.yml"), "./a/c.yml");
        let dir = vec!["a".to_string()];
        assert_eq!(resolve(&dir, "../b"), Some(vec!["b".to_string()]));
        assert_eq!(resolve(&dir, "../../b"), None);
        assert!(is_absolute("/etc/passwd") && is_absolute("C:\\x") && is_absolute("\\x"));
        assert!(!is_absolute("a/b") && !is_absolute("../b"));
    }
}
