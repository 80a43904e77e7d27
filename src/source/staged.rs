//! The staged change, for pre-commit: the index blobs that differ from HEAD's tree (every
//! staged blob in a repository with no commit yet). The working-tree copy is never read.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::history::{tree_entries, TreeEntries};
use super::named::Index;
use super::{Skip, Visitor};

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
    /// The staged paths handed to the visitor (scanned or skipped), relative to the root.
    pub paths: Vec<String>,
    /// Paths with unresolved merge conflicts (skipped, noted).
    pub conflicted: Vec<String>,
    /// Index entries identical to HEAD (not scanned).
    pub unchanged: usize,
    /// The repository has no commit yet: every staged entry is new.
    pub unborn: bool,
}

/// Opens the index of the repository holding `start` (any directory inside it): the snapshot
/// a staged scan reads, also for the files its files name (includes, env files).
pub fn open(start: &Path, max_file_size: u64) -> Result<Index, StagedError> {
    let shown = start.display().to_string();
    let repo = gix::discover(start).map_err(|_| StagedError::NotARepository(shown.clone()))?;
    let workdir = repo
        .workdir()
        .map(Path::to_path_buf)
        .ok_or_else(|| StagedError::Bare(shown.clone()))?;
    let workdir = super::clean_absolute(&workdir);
    // The index's own checksum is not verified: git wrote it, and a pre-commit run must be fast.
    let index_path = repo.index_path();
    let index = if index_path.exists() {
        gix::index::File::at(&index_path, repo.object_hash(), true, Default::default()).map_err(
            |e| StagedError::Index {
                path: shown.clone(),
                message: e.to_string(),
            },
        )?
    } else {
        gix::index::File::from_state(gix::index::State::new(repo.object_hash()), index_path)
    };
    Ok(Index::new(repo.into_sync(), index, workdir, max_file_size))
}

/// Hands every staged blob of `snapshot` that differs from HEAD to `visitor`, named by its path
/// relative to the repository root. `start` names the repository in diagnostics.
pub fn walk(
    start: &Path,
    snapshot: &Index,
    max_file_size: u64,
    visitor: &dyn Visitor,
) -> Result<StagedInfo, StagedError> {
    let shown = start.display().to_string();
    let repo = snapshot.repo();
    let index = snapshot.index();
    let workdir = snapshot.workdir().to_path_buf();
    let index_err = |e: &dyn std::fmt::Display| StagedError::Index {
        path: shown.clone(),
        message: e.to_string(),
    };
    let unborn = repo.head_id().is_err();
    let head_tree = repo
        .head_tree_id_or_empty()
        .map_err(|e| index_err(&e))?
        .detach();
    let mut trees = TreeCache::new(&repo);
    let clean = clean_ranges(index, head_tree, &mut trees);

    let mut info = StagedInfo {
        workdir: workdir.clone(),
        unborn,
        ..StagedInfo::default()
    };
    use gix::index::entry::{Mode, Stage};
    let entries = index.entries();
    let mut i = 0;
    let mut next_clean = clean.iter().peekable();
    while let Some(entry) = entries.get(i) {
        // Whole directories whose cached tree is HEAD's are skipped in one step (the ranges
        // are sorted and disjoint, like the entries).
        if let Some(r) = next_clean.next_if(|r| r.start == i) {
            info.unchanged += r.len();
            i = r.end.max(i + 1);
            continue;
        }
        i += 1;
        let path_b = entry.path(index);
        if entry.stage() != Stage::Unconflicted {
            let path = path_b.to_string();
            if info.conflicted.last() != Some(&path) {
                info.conflicted.push(path);
            }
            continue;
        }
        if trees.blob_at(head_tree, path_b.as_ref()) == Some(entry.id) {
            info.unchanged += 1;
            continue;
        }
        let path = path_b.to_string();
        if entry.mode != Mode::DIR {
            info.paths.push(path.clone());
        }
        if entry.mode == Mode::COMMIT {
            visitor.skipped(&path, Skip::Submodule);
            continue;
        }
        if entry.mode == Mode::SYMLINK {
            visitor.skipped(&path, Skip::Symlink);
            continue;
        }
        if entry.mode == Mode::DIR {
            continue;
        }
        let abs = workdir.join(&path);
        if visitor.excluded(&path, &abs) {
            visitor.skipped(&path, Skip::Excluded);
            continue;
        }
        match repo.find_header(entry.id) {
            Ok(h) if h.size() > max_file_size => {
                visitor.skipped(&path, Skip::TooLarge);
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                visitor.error(
                    &path,
                    format!("cannot read staged blob {} of `{path}`: {e}", entry.id),
                );
                visitor.skipped(&path, Skip::Unreadable);
                continue;
            }
        }
        match repo.find_object(entry.id) {
            Ok(obj) => match super::decode::text(&obj.data) {
                Some(text) => visitor.file(&path, &abs, &text),
                None => visitor.skipped(&path, Skip::Binary),
            },
            Err(e) => {
                visitor.error(
                    &path,
                    format!("cannot read staged blob {} of `{path}`: {e}", entry.id),
                );
                visitor.skipped(&path, Skip::Unreadable);
            }
        }
    }
    Ok(info)
}

/// Decoded trees, each read once: name to (is tree, id).
struct TreeCache<'r> {
    repo: &'r gix::Repository,
    trees: HashMap<gix::ObjectId, TreeEntries>,
}

impl<'r> TreeCache<'r> {
    fn new(repo: &'r gix::Repository) -> Self {
        Self {
            repo,
            trees: HashMap::new(),
        }
    }

    fn entries(&mut self, tree: gix::ObjectId) -> Option<&TreeEntries> {
        if !self.trees.contains_key(&tree) {
            let decoded = tree_entries(self.repo, tree);
            self.trees.insert(tree, decoded);
        }
        self.trees.get(&tree)
    }

    /// The id at `path` (`a/b/c`) under `tree`, if any.
    fn blob_at(&mut self, tree: gix::ObjectId, path: &[u8]) -> Option<gix::ObjectId> {
        let mut cur = tree;
        let mut parts = path.split(|b| *b == b'/').peekable();
        while let Some(part) = parts.next() {
            let (is_tree, id) = *self.entries(cur)?.get(part)?;
            if parts.peek().is_none() {
                return (!is_tree).then_some(id);
            }
            if !is_tree {
                return None;
            }
            cur = id;
        }
        None
    }
}

/// Index entry ranges of directories whose cache-tree node (the index's `TREE` extension) is
/// valid and names the same tree as HEAD at that path: nothing under them is staged. This is
/// how git itself avoids comparing every entry with HEAD.
fn clean_ranges(
    index: &gix::index::File,
    head_tree: gix::ObjectId,
    trees: &mut TreeCache<'_>,
) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let Some(root) = index.tree() else { return out };
    let mut stack: Vec<(&gix::index::extension::Tree, gix::ObjectId, Vec<u8>)> =
        vec![(root, head_tree, Vec::new())];
    while let Some((node, head, prefix)) = stack.pop() {
        if node.num_entries.is_some() && node.id == head {
            let entries = index.entries();
            let (lo, hi) = if prefix.is_empty() {
                (0, entries.len())
            } else {
                let mut dir = prefix.clone();
                dir.push(b'/');
                let lo = entries.partition_point(|e| e.path(index) < dir.as_slice());
                let rest = entries.get(lo..).unwrap_or(&[]);
                let hi = lo + rest.partition_point(|e| e.path(index).starts_with(&dir));
                (lo, hi)
            };
            if hi > lo {
                out.push(lo..hi);
            }
            continue;
        }
        let Some(children) = trees.entries(head).cloned() else {
            continue;
        };
        for child in &node.children {
            if let Some((true, id)) = children.get(child.name.as_slice()) {
                let mut p = prefix.clone();
                if !p.is_empty() {
                    p.push(b'/');
                }
                p.extend_from_slice(&child.name);
                stack.push((child, *id, p));
            }
        }
    }
    out.sort_by_key(|r| r.start);
    out
}
