//! Where bytes come from. Every source hands files to a [`Visitor`] as (display path, bytes), or
//! reports why a file was skipped, so detection never knows whether it reads the working tree
//! or (later) the index or history.

pub mod decode;
pub mod files;
pub mod history;
pub mod named;
pub mod pack;
pub mod revision;
pub mod staged;
pub mod worktree;

use std::io::Read;
use std::path::Path;

/// Why a file was not scanned. Every skip is counted in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// NUL bytes in the first block.
    Binary,
    /// Larger than the size limit.
    TooLarge,
    /// A symbolic link (never followed).
    Symlink,
    /// Not a regular file (FIFO, socket, device).
    Special,
    /// Matched an exclude glob.
    Excluded,
    /// A git submodule or nested repository (not followed).
    Submodule,
    /// Could not be read (the error is reported separately).
    Unreadable,
    /// A Git LFS pointer (the content lives elsewhere).
    LfsPointer,
}

impl Skip {
    /// Whether a file skipped for this reason may hold what the scan looks for, so it is named
    /// without `-v`: a file too large to read, a submodule not followed.
    pub fn leaves_unchecked(self) -> bool {
        matches!(self, Skip::TooLarge | Skip::Submodule)
    }

    /// The reason as shown in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Binary => "binary",
            Skip::TooLarge => "too-large",
            Skip::Symlink => "symlink",
            Skip::Special => "special",
            Skip::Excluded => "excluded",
            Skip::Submodule => "submodule",
            Skip::Unreadable => "unreadable",
            Skip::LfsPointer => "lfs-pointer",
        }
    }
}

/// Receives files from a source; called from several threads at once.
pub trait Visitor: Sync {
    /// A file to scan. `path` is the display path (`/`-separated), `abs` its absolute path.
    fn file(&self, path: &str, abs: &Path, bytes: &[u8]);
    /// A file not scanned, and why.
    fn skipped(&self, path: &str, reason: Skip);
    /// A problem reading an input; the run goes on.
    fn error(&self, path: &str, message: String);
    /// An input named for the run, or a whole folder under it, could not be read at all (the
    /// run goes on, but cannot say it checked everything). By default an [`Visitor::error`].
    fn unread(&self, path: &str, message: String) {
        self.error(path, message);
    }
    /// Whether the file at `abs` (display `path`) is excluded by configuration.
    fn excluded(&self, path: &str, abs: &Path) -> bool;
}

/// How many leading bytes decide "binary".
pub const BINARY_PROBE: usize = 8192;

/// True when the first block holds a NUL byte.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, bytes.get(..BINARY_PROBE.min(bytes.len())).unwrap_or(&[])).is_some()
}

/// Reads a regular file of at most `max` bytes, deciding skips on the way; never follows a
/// symlink and never opens a FIFO (which would block). The text comes back as UTF-8
/// ([`decode::text`]).
pub fn read_file(abs: &Path, max: u64) -> Result<Vec<u8>, (Skip, Option<String>)> {
    let meta =
        std::fs::symlink_metadata(abs).map_err(|e| (Skip::Unreadable, Some(e.to_string())))?;
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err((Skip::Symlink, None));
    }
    if !ft.is_file() {
        return Err((Skip::Special, None));
    }
    if meta.len() > max {
        return Err((Skip::TooLarge, None));
    }
    let file = std::fs::File::open(abs).map_err(|e| (Skip::Unreadable, Some(e.to_string())))?;
    read_open(file, meta.len(), max)
}

/// [`read_file`] for a path a directory listing just called a regular file: opened without
/// a `stat` of the path first (one path lookup instead of two), refusing a symlink at the
/// open and checking the type on the open file, so that a file swapped for a symlink, a FIFO
/// or a device in between is still refused and never blocks.
pub fn read_listed_file(abs: &Path, max: u64) -> Result<Vec<u8>, (Skip, Option<String>)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let opened = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(abs);
        let file = match opened {
            Ok(f) => f,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err((Skip::Symlink, None)),
            Err(e) => return Err((Skip::Unreadable, Some(e.to_string()))),
        };
        let meta = file
            .metadata()
            .map_err(|e| (Skip::Unreadable, Some(e.to_string())))?;
        if !meta.file_type().is_file() {
            return Err((Skip::Special, None));
        }
        if meta.len() > max {
            return Err((Skip::TooLarge, None));
        }
        read_open(file, meta.len(), max)
    }
    #[cfg(not(unix))]
    read_file(abs, max)
}

/// The rest of a read: at most `max` bytes of the open `file` (`len` by its metadata), decoded.
fn read_open(file: std::fs::File, len: u64, max: u64) -> Result<Vec<u8>, (Skip, Option<String>)> {
    // The file may grow between stat and read: never read more than the limit allows.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| (Skip::Unreadable, Some(e.to_string())))?;
    if bytes.len() as u64 > max {
        return Err((Skip::TooLarge, None));
    }
    // UTF-16 is decoded, a UTF-8 byte order mark dropped (see `decode`).
    decode::text_owned(bytes).ok_or((Skip::Binary, None))
}

/// A path for display: `/`-separated, without a leading `./`. Only the platform's separator
/// becomes `/`: on Unix a backslash is part of a file name (`C:\evil.env` is one file, not
/// `C:/evil.env`, which a SARIF viewer on Windows would take for an absolute path).
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    };
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

/// `path` made absolute (against the current directory) with `.` and `..` resolved lexically,
/// so that the same file is one path however it was reached (`../../src/a.py` from `src/pkg`
/// is `<root>/src/a.py`). Symlinks are not resolved.
pub fn clean_absolute(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = std::path::PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How a file of the working tree is named: relative to the root of the repository that holds
/// it, or, outside a repository, as reached from the path given (`None`).
pub fn repo_display(abs: &Path, workdir: Option<&Path>, walked: &Path) -> String {
    match workdir.and_then(|w| abs.strip_prefix(w).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => display_path(rel),
        _ => display_path(walked),
    }
}
