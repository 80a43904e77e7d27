//! The working tree. Inside a git repository: the files git would commit — tracked files
//! (from the index, even when a `.gitignore` matches them) plus untracked files that are not
//! ignored. Outside one: every file under the path, hidden files included. Never `.git/`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use super::{
    clean_absolute, display_path, read_file, read_listed_file, repo_display, Skip, Visitor,
};

/// How a walk names its files: from the root of the repository holding the walked path (so a
/// file has one name whatever the working directory), or, outside a repository, as reached
/// from the path given.
struct Names {
    /// The repository's work directory ([`clean_absolute`]), if the path is in one.
    workdir: Option<PathBuf>,
    /// The walked folder, when its files are named from it (see [`Base`]).
    base: Option<Base>,
}

/// A walked folder `given`, whose files the walker reaches as `given/<rel>` with `<rel>` made
/// of plain names. Such a file's clean absolute path is `abs/<rel>` and its display path
/// `shown<rel>`: the slow path's answer for the folder, computed once instead of per file.
struct Base {
    given: PathBuf,
    abs: PathBuf,
    shown: String,
}

impl Names {
    /// Names for a walk of the folder `root`.
    fn for_folder(workdir: Option<PathBuf>, root: &Path) -> Self {
        let mut names = Self {
            workdir,
            base: None,
        };
        let abs = clean_absolute(root);
        // A work directory beside or under the folder would name some of its files one way
        // and some the other: the slow path then.
        if names.workdir.as_ref().is_some_and(|w| !abs.starts_with(w)) {
            return names;
        }
        // The display of `root/x`, less its `x`: what precedes every relative name.
        let (probe, _) = names.of(&root.join("x"));
        names.base = probe.strip_suffix('x').map(|shown| Base {
            given: root.to_path_buf(),
            abs,
            shown: shown.to_string(),
        });
        names
    }

    /// The display path and clean absolute path of `path`, as walked.
    fn of(&self, path: &Path) -> (String, PathBuf) {
        if let Some((base, rel)) = self.relative(path) {
            let shown = format!("{}{}", base.shown, rel.to_string_lossy());
            return (shown, base.abs.join(rel));
        }
        let abs = clean_absolute(path);
        (repo_display(&abs, self.workdir.as_deref(), path), abs)
    }

    /// The clean absolute path of `path`, as walked.
    fn abs(&self, path: &Path) -> PathBuf {
        match self.relative(path) {
            Some((base, rel)) => base.abs.join(rel),
            None => clean_absolute(path),
        }
    }

    /// `path` as `base.given/<rel>`, with `<rel>` one or more plain names (no `.`, `..` or
    /// empty part): only then do [`Base`]'s shortcuts give the slow path's answer.
    #[cfg(unix)]
    fn relative<'p>(&self, path: &'p Path) -> Option<(&Base, &'p Path)> {
        use std::os::unix::ffi::OsStrExt;
        let base = self.base.as_ref()?;
        let given = base.given.as_os_str().as_bytes();
        let rest = path.as_os_str().as_bytes().strip_prefix(given)?;
        let rel = if given.ends_with(b"/") {
            rest
        } else {
            rest.strip_prefix(b"/")?
        };
        let plain = !rel.is_empty()
            && rel
                .split(|&b| b == b'/')
                .all(|part| !part.is_empty() && part != b"." && part != b"..");
        plain.then(|| (base, Path::new(std::ffi::OsStr::from_bytes(rel))))
    }

    #[cfg(not(unix))]
    fn relative<'p>(&self, _: &'p Path) -> Option<(&Base, &'p Path)> {
        None
    }
}

/// The repository (with a work tree) holding the folder `dir`, if any.
fn repository_of(dir: &Path) -> Option<gix::Repository> {
    gix::discover(dir).ok().filter(|r| r.workdir().is_some())
}

/// The work directory of `repo`, as a clean absolute path.
fn workdir_of(repo: &gix::Repository) -> Option<PathBuf> {
    repo.workdir().map(clean_absolute)
}

/// Options of a working-tree walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Size limit in bytes.
    pub max_file_size: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// Reads one file and hands it to `visitor`. `named`: the user named this file itself, so a
/// failure to read it means the run could not check what it was asked to. `listed`: a
/// directory listing called it a regular file.
fn visit(
    path: &Path,
    (named, listed): (bool, bool),
    opts: &WalkOptions,
    names: &Names,
    visitor: &dyn Visitor,
) {
    let (display, abs) = names.of(path);
    if visitor.excluded(&display, &abs) {
        visitor.skipped(&display, Skip::Excluded);
        return;
    }
    let read = if listed {
        read_listed_file(path, opts.max_file_size)
    } else {
        read_file(path, opts.max_file_size)
    };
    match read {
        Ok(bytes) => visitor.file(&display, &abs, &bytes),
        Err((reason, message)) => {
            if let Some(m) = message {
                let m = format!("cannot read `{display}`: {m}");
                if named {
                    visitor.unread(&display, m);
                } else {
                    visitor.error(&display, m);
                }
            }
            visitor.skipped(&display, reason);
        }
    }
}

/// Is `dir` (not the walk's root) a submodule or nested repository?
fn is_nested_repo(dir: &Path) -> bool {
    dir.join(".git").exists()
}

/// Why a path given to scan cannot be scanned (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RootError {
    /// Nothing at the path.
    #[error("no such path `{0}`")]
    #[diagnostic(
        code(scan::path),
        help("check the path, or run from the repository root")
    )]
    Missing(String),
    /// A FIFO, pipe, socket or device: not a file or folder.
    #[error("`{path}` is {what}: only files and folders can be scanned")]
    #[diagnostic(
        code(scan::path),
        help("write the content to a file and scan that file")
    )]
    NotScannable {
        /// The path as given.
        path: String,
        /// What it is.
        what: &'static str,
    },
    /// The path could not be examined (a symlink loop, no permission).
    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(code(scan::path))]
    Unreadable {
        /// The path as given.
        path: String,
        /// What the system said.
        message: String,
    },
}

/// Checks that `path`, a path given to scan, is a file or folder (a symlink is followed: the
/// user named it). A FIFO, a pipe (`/dev/stdin`, `<(cmd)`) or a device is refused.
pub fn check_root(path: &Path) -> Result<(), RootError> {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RootError::Missing(shown))
        }
        Err(e) => {
            return Err(RootError::Unreadable {
                path: shown,
                message: e.to_string(),
            })
        }
    };
    let ft = meta.file_type();
    if ft.is_dir() || ft.is_file() {
        return Ok(());
    }
    #[cfg(unix)]
    let what = {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            "a FIFO or pipe"
        } else if ft.is_socket() {
            "a socket"
        } else if ft.is_char_device() || ft.is_block_device() {
            "a device"
        } else {
            "not a file or folder"
        }
    };
    #[cfg(not(unix))]
    let what = "not a file or folder";
    Err(RootError::NotScannable { path: shown, what })
}

/// The path to walk for a root given by the user: a symlink root is resolved (the user named
/// it), shown relative to the current directory when it lies under it.
fn resolve_root(root: &Path) -> PathBuf {
    let is_link = std::fs::symlink_metadata(root).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return root.to_path_buf();
    }
    let Ok(target) = std::fs::canonicalize(root) else {
        return root.to_path_buf();
    };
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize);
    match cwd.as_ref().map(|c| target.strip_prefix(c)) {
        Ok(Ok(rel)) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(Ok(rel)) => rel.to_path_buf(),
        _ => target,
    }
}

/// What a walk of `paths` covers, each as (display path, clean absolute path) the way the walk
/// names its files; `None` when it covers a whole repository (a path is the root of the
/// repository holding it) or, outside a repository, the current folder.
pub fn covered(paths: &[PathBuf]) -> Option<Vec<(String, PathBuf)>> {
    let mut places = Vec::new();
    for given in paths {
        let root = resolve_root(given);
        let abs = clean_absolute(&root);
        let dir = if abs.is_dir() {
            abs.as_path()
        } else {
            abs.parent().unwrap_or(&abs)
        };
        let workdir = repository_of(dir).as_ref().and_then(workdir_of);
        match &workdir {
            Some(w) if *w == abs => return None,
            None if abs == clean_absolute(Path::new(".")) => return None,
            _ => {}
        }
        let names = Names {
            workdir,
            base: None,
        };
        places.push(names.of(&root));
    }
    Some(places)
}

/// Walks each of `paths` (files or directories) and hands every file to `visitor`. A root that
/// is a symlink is followed; symlinks inside the tree are not.
pub fn walk(paths: &[PathBuf], opts: &WalkOptions, visitor: &dyn Visitor) {
    for given in paths {
        let root = resolve_root(given);
        let root = root.as_path();
        match std::fs::symlink_metadata(root) {
            Ok(m) if m.is_dir() => walk_dir(root, opts, visitor),
            Ok(m) if m.is_file() => {
                let parent = match root.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                let names = Names {
                    workdir: repository_of(parent).as_ref().and_then(workdir_of),
                    base: None,
                };
                visit(root, (true, false), opts, &names, visitor);
            }
            Ok(_) => visitor.unread(
                &display_path(given),
                format!(
                    "cannot scan `{}`: not a file or folder",
                    display_path(given)
                ),
            ),
            Err(e) => visitor.unread(
                &display_path(given),
                format!("cannot read `{}`: {e}", display_path(given)),
            ),
        }
    }
}

fn walk_dir(root: &Path, opts: &WalkOptions, visitor: &dyn Visitor) {
    let repo = repository_of(root);
    let names = Names::for_folder(repo.as_ref().and_then(workdir_of), root);
    let names = &names;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(false)
        .threads(opts.threads)
        .parents(repo.is_some())
        .ignore(false)
        .git_ignore(repo.is_some())
        .git_exclude(repo.is_some())
        .git_global(repo.is_some())
        .require_git(true);
    builder.filter_entry(|e| e.file_name() != ".git");
    let root_owned = root.to_path_buf();
    let visited: Mutex<HashSet<PathBuf>> = Mutex::new(HashSet::new());
    let track = repo.is_some();
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(e) => {
                    let Some(ft) = e.file_type() else {
                        return WalkState::Continue;
                    };
                    if ft.is_dir() {
                        // A submodule or nested repository is not descended into.
                        if e.depth() > 0 && e.path() != root_owned && is_nested_repo(e.path()) {
                            visitor.skipped(&names.of(e.path()).0, Skip::Submodule);
                            return WalkState::Skip;
                        }
                        return WalkState::Continue;
                    }
                    if track {
                        if let Ok(mut v) = visited.lock() {
                            v.insert(names.abs(e.path()));
                        }
                    }
                    if ft.is_symlink() {
                        visitor.skipped(&names.of(e.path()).0, Skip::Symlink);
                        return WalkState::Continue;
                    }
                    visit(e.path(), (false, ft.is_file()), opts, names, visitor);
                }
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => names.of(path).0,
                        _ => names.of(root).0,
                    };
                    // A folder that cannot be listed hides everything under it.
                    if err.is_io() {
                        visitor.unread(&path, format!("cannot walk `{path}`: {err}"));
                    } else {
                        visitor.error(&path, format!("cannot walk `{path}`: {err}"));
                    }
                }
            }
            WalkState::Continue
        })
    });

    // Tracked files that an ignore rule hides from the walk are still committed: scan them.
    let Some(repo) = repo else { return };
    let Some(workdir) = names.workdir.clone() else {
        return;
    };
    let abs_root = clean_absolute(root);
    let index = match repo.index_or_empty() {
        Ok(i) => i,
        Err(e) => {
            visitor.error(
                &display_path(root),
                format!("cannot read the git index of `{}`: {e}", display_path(root)),
            );
            return;
        }
    };
    let visited = visited.into_inner().unwrap_or_default();
    for entry in index.entries() {
        if entry.mode == gix::index::entry::Mode::COMMIT {
            continue;
        }
        let rel = entry.path(&index).to_string();
        let abs = workdir.join(&rel);
        if !abs.starts_with(&abs_root) || visited.contains(&abs) {
            continue;
        }
        if abs.components().any(|c| c.as_os_str() == ".git") {
            continue;
        }
        // A tracked file absent from the disk: expected in a sparse checkout; otherwise it was
        // deleted or vanished while the scan ran, and reading it reports that.
        if std::fs::symlink_metadata(&abs).is_err()
            && entry
                .flags
                .contains(gix::index::entry::Flags::SKIP_WORKTREE)
        {
            continue;
        }
        visit(&abs, (false, false), opts, names, visitor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut of [`Names::for_folder`] names every walked file as the slow path does.
    #[test]
    fn folder_names_agree_with_the_slow_path() {
        let here = clean_absolute(Path::new("."));
        let roots = [
            ".",
            "./",
            "src",
            "./src",
            "src/",
            "src/../tests",
            "../outside",
            "/tmp",
            "/tmp/",
            here.to_str().unwrap_or("/"),
        ];
        #[cfg(unix)]
        let odd = {
            use std::os::unix::ffi::OsStrExt;
            std::ffi::OsStr::from_bytes(b"bad\xffname").to_os_string()
        };
        #[cfg(not(unix))]
        let odd = std::ffi::OsString::from("odd");
        for workdir in [None, Some(here.clone()), Some(here.join("src"))] {
            for root in roots {
                let root = Path::new(root);
                let fast = Names::for_folder(workdir.clone(), root);
                let slow = Names {
                    workdir: workdir.clone(),
                    base: None,
                };
                let mut paths: Vec<PathBuf> = ["a", "a/b.yaml", "dir with space/ü.sh", "C:\\x.env"]
                    .iter()
                    .map(|r| root.join(r))
                    .collect();
                paths.push(root.join(&odd));
                paths.push(root.join("d").join(&odd).join("e"));
                // Not plain: the slow path answers.
                for r in ["./a", "a/../b", "a//b", "a/./b", ".."] {
                    paths.push(PathBuf::from(format!("{}/{r}", root.display())));
                }
                paths.push(root.to_path_buf());
                paths.push(PathBuf::from("/elsewhere/a"));
                for p in &paths {
                    assert_eq!(fast.of(p), slow.of(p), "root {root:?} path {p:?}");
                    assert_eq!(fast.abs(p), slow.of(p).1, "root {root:?} path {p:?}");
                }
            }
        }
        // The shortcut is taken where it can be (a plain walk of a folder in the work tree).
        let names = Names::for_folder(Some(here.clone()), Path::new("src"));
        assert!(names.relative(Path::new("src/a/b")).is_some() || cfg!(not(unix)));
        assert!(names.relative(Path::new("src/../a")).is_none());
    }
}
