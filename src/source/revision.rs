//! A trusted revision of the repository being checked (the CI mode's `--config-from REV`):
//! regular files read from its tree, and the files HEAD's tree changes against it. What the
//! files say is judged elsewhere; this module only reads them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::clean_absolute;

/// Largest configuration, baseline or rule file read from a revision.
pub const MAX_FILE: u64 = 64 << 20;

/// Why the revision, or a file in it, could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    /// The path is not in a git working tree.
    #[error("`{0}` is not in a git working tree")]
    NotARepository(String),
    /// The revision does not resolve to a commit with a tree.
    #[error("cannot resolve revision `{rev}`: {message}")]
    Revision {
        /// The revision as given.
        rev: String,
        /// What git said.
        message: String,
    },
    /// A file or tree could not be read.
    #[error("cannot read `{path}`: {message}")]
    Read {
        /// The file (`REV:path`, or `HEAD:path` for a tree of HEAD).
        path: String,
        /// Why.
        message: String,
    },
}

/// A revision of the repository being checked, to read trusted files from.
pub struct Revision {
    repo: gix::Repository,
    workdir: PathBuf,
    tree: gix::ObjectId,
    rev: String,
}

/// A regular file that HEAD's tree changes against the revision's, with both blobs as a scan
/// would read them.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The repository-relative path (with `/`).
    pub path: String,
    /// The revision's blob at the path, if it holds a regular file there that is readable,
    /// within the limit and not binary.
    pub old: Option<Vec<u8>>,
    /// HEAD's blob.
    pub new: Vec<u8>,
}

impl Revision {
    /// Opens the repository holding `start` (a path that may not exist: its nearest existing
    /// ancestor is used) and resolves `rev` to its tree.
    pub fn open(start: &Path, rev: &str) -> Result<Self, RevisionError> {
        let abs = clean_absolute(start);
        let from = abs
            .ancestors()
            .find(|p| super::files::is_folder(p))
            .map_or_else(|| abs.clone(), Path::to_path_buf);
        let not_repo = || RevisionError::NotARepository(start.display().to_string());
        let repo = gix::discover(&from).map_err(|_| not_repo())?;
        let workdir = repo.workdir().map(clean_absolute).ok_or_else(not_repo)?;
        let revision = |message: String| RevisionError::Revision {
            rev: rev.to_string(),
            message,
        };
        let tree = repo
            .rev_parse_single(rev)
            .map_err(|e| revision(e.to_string()))?
            .object()
            .map_err(|e| revision(e.to_string()))?
            .peel_to_tree()
            .map_err(|e| revision(e.to_string()))?
            .id;
        Ok(Self {
            repo,
            workdir,
            tree,
            rev: rev.to_string(),
        })
    }

    /// The revision as given.
    pub fn rev(&self) -> &str {
        &self.rev
    }

    /// The repository-relative path (with `/`) of `path`, taken lexically (a symlink in the
    /// working tree is not followed), or `None` when it is outside the working tree.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let abs = clean_absolute(path);
        let rel = abs.strip_prefix(&self.workdir).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }

    /// How a file read from the revision is named: `REV:path`.
    pub fn shown(&self, rel: &str) -> String {
        format!("{}:{rel}", self.rev)
    }

    /// Where `rel` is in the working tree (globs in a configuration are relative to it).
    pub fn in_workdir(&self, rel: &str) -> PathBuf {
        self.workdir.join(rel)
    }

    fn read_error(&self, rel: &str, message: impl Into<String>) -> RevisionError {
        RevisionError::Read {
            path: self.shown(rel),
            message: message.into(),
        }
    }

    /// The text of the regular file at `rel` in the revision; `None` when there is none.
    /// A symlink, directory or submodule there, an unreadable or oversized blob, or text that
    /// is not UTF-8 is an error.
    pub fn read(&self, rel: &str) -> Result<Option<String>, RevisionError> {
        let tree = self
            .repo
            .find_tree(self.tree)
            .map_err(|e| self.read_error(rel, e.to_string()))?;
        let entry = match tree.lookup_entry_by_path(rel) {
            Ok(Some(entry)) => entry,
            Ok(None) => return Ok(None),
            Err(e) => return Err(self.read_error(rel, e.to_string())),
        };
        if !entry.mode().is_blob() {
            return Err(self.read_error(
                rel,
                format!("not a regular file but a {}", entry.mode().as_str()),
            ));
        }
        self.blob_text(entry.object_id(), rel).map(Some)
    }

    fn blob_text(&self, id: gix::ObjectId, rel: &str) -> Result<String, RevisionError> {
        let size = self
            .repo
            .find_header(id)
            .map_err(|e| self.read_error(rel, e.to_string()))?
            .size();
        if size > MAX_FILE {
            return Err(self.read_error(rel, format!("{size} bytes, over {MAX_FILE}")));
        }
        let object = self
            .repo
            .find_object(id)
            .map_err(|e| self.read_error(rel, e.to_string()))?;
        String::from_utf8(object.data.clone()).map_err(|_| self.read_error(rel, "not UTF-8"))
    }

    /// Every `*.yaml`/`*.yml` regular file under the directory `rel` in the revision, as
    /// (repository-relative path, text), in path order. An absent directory holds none.
    pub fn rule_files(&self, rel: &str) -> Result<Vec<(String, String)>, RevisionError> {
        let root = self
            .repo
            .find_tree(self.tree)
            .map_err(|e| self.read_error(rel, e.to_string()))?;
        let start = if rel.is_empty() {
            Some(self.tree)
        } else {
            match root.lookup_entry_by_path(rel) {
                Ok(Some(e)) if e.mode().is_tree() => Some(e.object_id()),
                Ok(_) => None,
                Err(e) => return Err(self.read_error(rel, e.to_string())),
            }
        };
        let mut out = Vec::new();
        let mut stack: Vec<(gix::ObjectId, String, usize)> = start
            .map(|id| (id, rel.to_string(), 0))
            .into_iter()
            .collect();
        while let Some((id, dir, depth)) = stack.pop() {
            // Trees nest at most as deep as paths can; 256 levels is far beyond any rule dir.
            if depth > 256 {
                return Err(self.read_error(&dir, "directories nested too deeply"));
            }
            let tree = self
                .repo
                .find_tree(id)
                .map_err(|e| self.read_error(&dir, e.to_string()))?;
            for entry in tree.iter() {
                let entry = entry.map_err(|e| self.read_error(&dir, e.to_string()))?;
                let name = entry.filename().to_string();
                let path = if dir.is_empty() {
                    name.clone()
                } else {
                    format!("{dir}/{name}")
                };
                if entry.mode().is_tree() {
                    stack.push((entry.object_id(), path, depth + 1));
                } else if entry.mode().is_blob()
                    && (name.ends_with(".yaml") || name.ends_with(".yml"))
                {
                    let text = self.blob_text(entry.object_id(), &path)?;
                    out.push((path, text));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Hands `visit` every regular file of HEAD's tree whose blob differs from the
    /// revision's at the same path (or that the revision lacks), when HEAD's blob is at most
    /// `limit` bytes, readable and not binary (a blob a scan would skip is not handed on:
    /// nothing it says applies). Trees and blobs the two commits share are skipped, so the
    /// cost follows the size of the change. Without a HEAD, nothing is handed on.
    pub fn changed_files(
        &self,
        limit: u64,
        mut visit: impl FnMut(Changed),
    ) -> Result<(), RevisionError> {
        let Ok(head) = self.repo.head_tree_id() else {
            return Ok(());
        };
        let mut stack = vec![(Some(self.tree), head.detach(), String::new(), 0usize)];
        while let Some((base, head, dir, depth)) = stack.pop() {
            if base == Some(head) {
                continue;
            }
            if depth > 256 {
                return Err(self.read_error(&dir, "directories nested too deeply"));
            }
            let tree_err = |e: &dyn std::fmt::Display| RevisionError::Read {
                path: format!("HEAD:{dir}"),
                message: e.to_string(),
            };
            let mut before: HashMap<Vec<u8>, (gix::objs::tree::EntryMode, gix::ObjectId)> =
                HashMap::new();
            if let Some(b) = base {
                let tree = self.repo.find_tree(b).map_err(|e| tree_err(&e))?;
                for entry in tree.iter() {
                    let entry = entry.map_err(|e| tree_err(&e))?;
                    before.insert(entry.filename().to_vec(), (entry.mode(), entry.object_id()));
                }
            }
            let tree = self.repo.find_tree(head).map_err(|e| tree_err(&e))?;
            for entry in tree.iter() {
                let entry = entry.map_err(|e| tree_err(&e))?;
                let (mode, id) = (entry.mode(), entry.object_id());
                let old = before.get(AsRef::<[u8]>::as_ref(entry.filename()));
                if old.is_some_and(|(_, o)| *o == id) {
                    continue;
                }
                let name = entry.filename().to_string();
                let path = if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                };
                if mode.is_tree() {
                    let old_tree = old.filter(|(m, _)| m.is_tree()).map(|(_, o)| *o);
                    stack.push((old_tree, id, path, depth + 1));
                } else if mode.is_blob() {
                    let Some(new) = self.scanned_blob(id, limit) else {
                        continue;
                    };
                    let old = old
                        .filter(|(m, _)| m.is_blob())
                        .and_then(|(_, o)| self.scanned_blob(*o, limit));
                    visit(Changed { path, old, new });
                }
            }
        }
        Ok(())
    }

    /// The blob's bytes, unless it is larger than `limit`, binary or unreadable (not scanned
    /// either, so nothing it says is applied).
    fn scanned_blob(&self, id: gix::ObjectId, limit: u64) -> Option<Vec<u8>> {
        let size = self.repo.find_header(id).ok()?.size();
        if size > limit {
            return None;
        }
        let data = self.repo.find_object(id).ok()?.detach().data;
        (!super::is_binary(&data)).then_some(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            clean_absolute(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(clean_absolute(Path::new("/a/../../b")), PathBuf::from("/b"));
    }
}
