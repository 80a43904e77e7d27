//! Git history. The selected commits are walked once to collect every unique blob and the
//! paths it appears at (trees are visited once per path prefix); each blob is then read and
//! scanned once, however many commits hold it. Provenance — the commit that first introduced a
//! blob at a path, how many commits hold it — is computed afterwards, and only for the few
//! blobs with findings.

// FxHash: these maps are keyed by object ids and paths from the repository and are hit
// millions of times on a large history; SipHash was a tenth of the profile.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

use gix::ObjectId;

use super::pack::{BlobClass, Preload};
use super::Skip;
pub use crate::finding::CommitInfo;

/// Why the history could not be read at all (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HistoryError {
    /// `path` is in no git repository.
    #[error("`{0}` is not in a git repository")]
    #[diagnostic(
        code(git::not_a_repository),
        help("--history scans the commits of a git repository; run it inside one")
    )]
    NotARepository(String),
    /// A revision given with `--since` or `--range` does not resolve.
    #[error("cannot resolve revision `{spec}`: {message}")]
    #[diagnostic(code(git::revision))]
    Revision {
        /// The revision as given.
        spec: String,
        /// What git said.
        message: String,
    },
    /// The commit walk could not start.
    #[error("cannot walk the history of `{path}`: {message}")]
    #[diagnostic(code(git::walk))]
    Walk {
        /// The repository.
        path: String,
        /// What git said.
        message: String,
    },
}

/// Which commits to scan. Without `refs`, `since` or `range`, every reference is a start
/// (branches, tags, remote-tracking and pull-request refs, HEAD).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// With `since`: start from every reference rather than HEAD alone.
    pub all_refs: bool,
    /// Start from these references or revisions only (`--ref`).
    pub refs: Vec<String>,
    /// Only commits after this revision.
    pub since: Option<String>,
    /// `A..B`: commits reachable from B and not from A.
    pub range: Option<String>,
}

struct CommitRec {
    id: ObjectId,
    tree: ObjectId,
    time: i64,
    /// Index into [`History::refs`] of the first start the commit is reachable from.
    reached_from: u32,
}

/// No start reaches the commit (never so after a complete walk).
const NO_REF: u32 = u32::MAX;

/// The blobs of the selected history, ready to scan.
pub struct History {
    repo: gix::ThreadSafeRepository,
    commits: Vec<CommitRec>,
    /// The starts of the walk: reference names (or revisions as given), HEAD's branch first,
    /// then branches, tags, remote-tracking refs, pull-request refs and other refs.
    pub refs: Vec<String>,
    /// Interned paths; blobs refer to them by index.
    pub paths: Vec<String>,
    /// Every unique blob with the paths it appears at.
    pub blobs: Vec<(ObjectId, Vec<u32>)>,
    /// The HEAD tree's blobs (path index, blob), for "still present at HEAD".
    pub head_blobs: Vec<(u32, ObjectId)>,
    /// For `--since`/`--range`: the blobs of the range's base (the trees of the parents of
    /// its commits that are not in it). Their keys were there before the range: the range
    /// did not introduce them. Also in [`History::blobs`], to be scanned.
    pub base_blobs: HashSet<ObjectId>,
    /// The repository is a shallow clone: older history is not there to scan.
    pub shallow: bool,
    /// Objects that could not be read (each reported once).
    pub missing: Vec<String>,
    /// The repository is a partial clone (`--filter`): objects may be missing by design.
    pub partial_clone: bool,
    /// Submodule entries seen (not followed).
    pub submodules: usize,
    /// Symlink entries seen (not scanned).
    pub symlinks: usize,
    /// What one pass over the packs decoded (full-history scans only).
    pub preload: Option<Preload>,
}

impl History {
    /// How many commits were walked.
    pub fn commit_count(&self) -> usize {
        self.commits.len()
    }

    /// A repository handle for this thread.
    pub fn repo(&self) -> gix::Repository {
        self.repo.to_thread_local()
    }
}

fn parse_spec(repo: &gix::Repository, spec: &str) -> Result<ObjectId, HistoryError> {
    repo.rev_parse_single(spec)
        .map_err(|e| HistoryError::Revision {
            spec: spec.to_string(),
            message: e.to_string(),
        })?
        .object()
        .map_err(|e| HistoryError::Revision {
            spec: spec.to_string(),
            message: e.to_string(),
        })?
        .peel_to_commit()
        .map(|c| c.id)
        .map_err(|e| HistoryError::Revision {
            spec: spec.to_string(),
            message: e.to_string(),
        })
}

/// A tree's raw bytes: borrowed from the pack pass's store if it is there, else read from the
/// repository. `None` when the tree is missing or not a tree.
fn tree_data<'p>(
    repo: &gix::Repository,
    preload: Option<&'p Preload>,
    tree: ObjectId,
) -> Option<std::borrow::Cow<'p, [u8]>> {
    if let Some(data) = preload.and_then(|p| p.trees.get(&tree)) {
        return Some(data);
    }
    let obj = repo.find_object(tree).ok()?;
    let t = obj.try_into_tree().ok()?;
    Some(std::borrow::Cow::Owned(t.detach().data))
}

struct Collector<'r> {
    repo: &'r gix::Repository,
    preload: Option<&'r Preload>,
    /// Per directory (a path index): its entries' names to their path indices.
    children: Vec<HashMap<Box<[u8]>, u32>>,
    paths: Vec<String>,
    blobs: HashMap<ObjectId, Vec<u32>>,
    seen_trees: HashSet<(ObjectId, u32)>,
    /// The (tree, directory) pairs listed since [`Collector::listed`] was last cleared: a
    /// listing of several trees (a range's base) reads a subtree they share once.
    listed: HashSet<(ObjectId, u32)>,
    /// The tree last walked at each directory: entries it already had are not looked at again.
    last_tree: HashMap<u32, ObjectId>,
    missing: HashSet<ObjectId>,
    submodules: usize,
    symlinks: usize,
    /// Whether blobs listed with `out` are also to be scanned (a range's base: its keys are
    /// known so as not to report them) or not (HEAD's: only compared against).
    record_listed: bool,
}

impl Collector<'_> {
    /// The path index of `name` in directory `dir` (0 is the root).
    fn child(&mut self, dir: u32, name: &[u8]) -> u32 {
        if let Some(id) = self.children.get(dir as usize).and_then(|c| c.get(name)) {
            return *id;
        }
        let id = u32::try_from(self.paths.len()).unwrap_or(u32::MAX);
        let name_str = String::from_utf8_lossy(name);
        let path = match self.paths.get(dir as usize) {
            Some(prefix) if !prefix.is_empty() => format!("{prefix}/{name_str}"),
            _ => name_str.into_owned(),
        };
        self.paths.push(path);
        self.children.push(HashMap::default());
        if let Some(c) = self.children.get_mut(dir as usize) {
            c.insert(name.into(), id);
        }
        id
    }

    /// Walks `tree`, visiting each (tree, directory) once, and records blobs. Entries the
    /// directory's previously walked tree also had (same name, mode and id) were recorded
    /// then and are skipped: between commits, a directory changes in a few entries. With
    /// `out`, lists every blob of this tree (for HEAD, or a range's base) instead, without
    /// either shortcut, but once per (tree, directory) until [`Collector::listed`] is cleared.
    fn walk(&mut self, tree: ObjectId, mut out: Option<&mut Vec<(u32, ObjectId)>>) {
        if self.paths.is_empty() {
            self.paths.push(String::new());
            self.children.push(HashMap::default());
        }
        let hash = self.repo.object_hash();
        let mut stack = vec![(tree, 0u32)];
        while let Some((tree, dir)) = stack.pop() {
            let listing = out.is_some();
            let seen = if listing {
                &mut self.listed
            } else {
                &mut self.seen_trees
            };
            if !seen.insert((tree, dir)) {
                continue;
            }
            let Some(data) = tree_data(self.repo, self.preload, tree) else {
                self.missing.insert(tree);
                continue;
            };
            let Ok(cur) = gix::objs::TreeRef::from_bytes(&data, hash) else {
                self.missing.insert(tree);
                continue;
            };
            let prev_id = if listing {
                None
            } else {
                self.last_tree.insert(dir, tree)
            };
            // Only a tree the pack pass kept is worth comparing against.
            let prev_data = prev_id.and_then(|id| self.preload.and_then(|p| p.trees.get(&id)));
            let prev = prev_data
                .as_deref()
                .and_then(|d| gix::objs::TreeRef::from_bytes(d, hash).ok());
            let prev = prev.as_ref().map_or(&[][..], |t| t.entries.as_slice());
            let mut j = 0;
            for e in &cur.entries {
                // Both lists are in git's tree order: catch up, then compare.
                while prev.get(j).is_some_and(|p| p < e) {
                    j += 1;
                }
                if prev.get(j) == Some(e) {
                    continue;
                }
                if e.mode.is_tree() {
                    let id = self.child(dir, e.filename);
                    stack.push((e.oid.to_owned(), id));
                } else if e.mode.is_commit() {
                    self.submodules += 1;
                } else if e.mode.is_link() {
                    self.symlinks += 1;
                } else {
                    let id = self.child(dir, e.filename);
                    let oid = e.oid.to_owned();
                    if self.record_listed || !listing {
                        let paths = self.blobs.entry(oid).or_default();
                        if !paths.contains(&id) {
                            paths.push(id);
                        }
                    }
                    if let Some(o) = out.as_deref_mut() {
                        o.push((id, oid));
                    }
                }
            }
        }
    }
}

/// Adds HEAD's commit to `tips`; a HEAD that names a commit which cannot be read is
/// `missing` (an unborn HEAD, in a repository without commits, is not).
fn head_tip(repo: &gix::Repository, tips: &mut Vec<Tip>, missing: &mut Vec<String>) {
    match repo.head_id() {
        Ok(head) => tips.push((
            head_branch(repo).unwrap_or_else(|| "HEAD".to_string()),
            head.detach(),
        )),
        Err(e) => {
            let unborn = repo.head().map(|h| h.is_unborn()).unwrap_or(false);
            if !unborn {
                missing.push(format!("HEAD cannot be read: {e}"));
            }
        }
    }
}

/// Whether `repo` is a partial clone (`git clone --filter=...`): objects it lacks are
/// expected to be fetched on demand, which this scanner does not do.
fn is_partial_clone(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    config.string("extensions.partialClone").is_some()
        || repo.remote_names().iter().any(|name| {
            config
                .boolean(format!("remote.{name}.promisor").as_str())
                .unwrap_or(false)
        })
}

/// How a full-history scan settles blobs in the pack pass.
pub struct PackPass<C> {
    /// Threads to decode with.
    pub threads: usize,
    /// Largest object to inflate (the size limit of files): bigger blobs are skipped from
    /// their header, never read.
    pub max_object: u64,
    /// Says what each decoded blob is (without its path); cloned for each thread.
    pub classify: C,
}

/// Collects the commits of `selection` in the repository holding `start`, and every unique
/// blob they reach. With `pack_pass`, a selection of whole histories (no `--since` or
/// `--range`) first decodes every pack once (see [`super::pack`]).
pub fn collect<C>(
    start: &Path,
    selection: &Selection,
    pack_pass: Option<PackPass<C>>,
) -> Result<History, HistoryError>
where
    C: Fn(&[u8]) -> BlobClass + Clone + Send,
{
    let shown = start.display().to_string();
    let mut repo = gix::discover(start).map_err(|_| HistoryError::NotARepository(shown.clone()))?;
    repo.object_cache_size_if_unset(64 * 1024 * 1024);
    let shallow = repo.is_shallow().unwrap_or(false);

    let mut missing: Vec<String> = Vec::new();
    let (tips, hidden) = select_tips(&repo, selection, &shown, &mut missing)?;

    let ranged = !hidden.is_empty();
    let (commits, boundary) = walk_commits(&repo, &tips, hidden, &shown, &mut missing)?;
    let refs: Vec<String> = tips.into_iter().map(|t| t.0).collect();
    let preload = match pack_pass {
        Some(p)
            if selection.since.is_none() && selection.range.is_none() && !commits.is_empty() =>
        {
            // The commits the walk cached are not needed again: the pass gets their room.
            repo.object_cache_size(None);
            // Nor are the pages of the pack and index the walk read them from (30 MiB on the
            // W&B SDK mirror), mapped until the object database is closed: reopening the
            // repository closes it. If it cannot be reopened, the old handle goes on.
            repo.reload().ok();
            let preload = super::pack::preload(&repo, p.threads, p.max_object, p.classify);
            repo.object_cache_size(64 * 1024 * 1024);
            Some(preload)
        }
        _ => None,
    };
    let mut col = Collector {
        repo: &repo,
        preload: preload.as_ref(),
        children: Vec::new(),
        paths: Vec::new(),
        blobs: HashMap::default(),
        seen_trees: HashSet::default(),
        listed: HashSet::default(),
        last_tree: HashMap::default(),
        missing: HashSet::default(),
        submodules: 0,
        symlinks: 0,
        record_listed: false,
    };
    for c in &commits {
        col.walk(c.tree, None);
    }
    let mut head_blobs = Vec::new();
    if let Ok(tree) = repo.head_tree_id() {
        col.walk(tree.detach(), Some(&mut head_blobs));
    }
    let mut base_blobs = HashSet::default();
    if ranged {
        let mut listed = Vec::new();
        col.listed.clear();
        col.record_listed = true;
        for tree in boundary {
            col.walk(tree, Some(&mut listed));
        }
        base_blobs.extend(listed.into_iter().map(|(_, blob)| blob));
    }
    missing.extend(
        col.missing
            .iter()
            .map(|id| format!("missing object {id} (partial or damaged clone?)")),
    );
    missing.sort();
    let mut blobs: Vec<(ObjectId, Vec<u32>)> = col.blobs.into_iter().collect();
    blobs.sort_by_key(|b| b.0);
    let (paths, submodules, symlinks) = (col.paths, col.submodules, col.symlinks);
    let partial_clone = is_partial_clone(&repo);
    Ok(History {
        repo: repo.into_sync(),
        commits,
        refs,
        paths,
        blobs,
        head_blobs,
        base_blobs,
        shallow,
        missing,
        partial_clone,
        submodules,
        symlinks,
        preload,
    })
}

/// A start of the walk: a reference name (or a revision as given) and its commit.
type Tip = (String, ObjectId);

/// The commits a history scan starts from (`tips`, named, in the order their names are
/// credited with a commit, see [`ref_rank`]) and stops at (`hidden`) for `selection`; a
/// reference that cannot be read is noted in `missing`.
fn select_tips(
    repo: &gix::Repository,
    selection: &Selection,
    shown: &str,
    missing: &mut Vec<String>,
) -> Result<(Vec<Tip>, Vec<ObjectId>), HistoryError> {
    let mut tips: Vec<Tip> = Vec::new();
    let mut hidden: Vec<ObjectId> = Vec::new();
    if !selection.refs.is_empty() {
        for spec in &selection.refs {
            let named = repo
                .try_find_reference(spec.as_str())
                .ok()
                .flatten()
                .map(|r| r.name().as_bstr().to_string());
            let id = parse_spec(repo, spec)?;
            tips.push((named.unwrap_or_else(|| spec.clone()), id));
        }
    } else if let Some(range) = &selection.range {
        let (a, b) = range
            .split_once("..")
            .ok_or_else(|| HistoryError::Revision {
                spec: range.clone(),
                message: "a range is written A..B".to_string(),
            })?;
        let b = if b.is_empty() { "HEAD" } else { b };
        tips.push((b.to_string(), parse_spec(repo, b)?));
        if !a.is_empty() {
            hidden.push(parse_spec(repo, a)?);
        }
    } else if selection.all_refs || selection.since.is_none() {
        all_ref_tips(repo, shown, &mut tips, missing)?;
    } else {
        head_tip(repo, &mut tips, missing);
    }
    if let Some(since) = &selection.since {
        hidden.push(parse_spec(repo, since)?);
    }
    let head = head_branch(repo);
    tips.sort_by(|a, b| ref_rank(&a.0, head.as_deref()).cmp(&ref_rank(&b.0, head.as_deref())));
    tips.dedup_by(|a, b| a.0 == b.0);
    Ok((tips, hidden))
}

/// The full name of the branch HEAD is on (`refs/heads/main`), if it is on one.
fn head_branch(repo: &gix::Repository) -> Option<String> {
    repo.head_name()
        .ok()
        .flatten()
        .map(|n| n.as_bstr().to_string())
}

/// The order in which references are credited with the commits they reach: HEAD's branch
/// (or a detached HEAD), then branches, tags, remote-tracking refs, pull- and merge-request
/// refs, other refs; by name within each kind.
fn ref_rank<'n>(name: &'n str, head: Option<&str>) -> (u8, &'n str) {
    let kind = if Some(name) == head || name == "HEAD" {
        0
    } else if name.starts_with("refs/heads/") {
        1
    } else if name.starts_with("refs/tags/") {
        2
    } else if name.starts_with("refs/remotes/") {
        3
    } else if name.starts_with("refs/pull/") || name.starts_with("refs/merge-requests/") {
        4
    } else {
        5
    };
    (kind, name)
}

/// Every reference that leads to a commit (symbolic ones are their targets), and HEAD when
/// it is detached.
fn all_ref_tips(
    repo: &gix::Repository,
    shown: &str,
    tips: &mut Vec<Tip>,
    missing: &mut Vec<String>,
) -> Result<(), HistoryError> {
    let refs = repo.references().map_err(|e| walk_error(shown, &e))?;
    for r in refs.all().map_err(|e| walk_error(shown, &e))? {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                missing.push(format!("a reference cannot be read: {e}"));
                continue;
            }
        };
        // `refs/remotes/origin/HEAD` names another ref, listed on its own.
        if r.try_id().is_none() {
            continue;
        }
        let name = r.name().as_bstr().to_string();
        match r.peel_to_id() {
            Ok(id) => match id.object() {
                // A ref to a blob or a tree is not a history to walk.
                Ok(obj) => {
                    if let Ok(c) = obj.peel_to_commit() {
                        tips.push((name, c.id));
                    }
                }
                Err(e) => missing.push(format!("reference `{name}`: {e}")),
            },
            Err(e) => missing.push(format!("reference `{name}`: {e}")),
        }
    }
    if head_branch(repo).is_none() {
        head_tip(repo, tips, missing);
    }
    Ok(())
}

/// The commits reachable from `tips` but not from `hidden`, with their trees, times and the
/// first tip that reaches them, and the trees of their base: the parents of these commits
/// that are not among them. A commit that cannot be read is noted in `missing` (and a broken
/// walk stops there).
fn walk_commits(
    repo: &gix::Repository,
    tips: &[Tip],
    hidden: Vec<ObjectId>,
    shown: &str,
    missing: &mut Vec<String>,
) -> Result<(Vec<CommitRec>, Vec<ObjectId>), HistoryError> {
    let mut commits = Vec::new();
    // Parents of each commit, as a flat list: commit i's are parents[ends[i-1]..ends[i]].
    let mut parents: Vec<ObjectId> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    let mut starts: Vec<ObjectId> = tips.iter().map(|t| t.1).collect();
    starts.sort();
    starts.dedup();
    if !starts.is_empty() {
        let walk = repo
            .rev_walk(starts)
            .with_hidden(hidden.iter().copied())
            .all()
            .map_err(|e| walk_error(shown, &e))?;
        for info in walk {
            let info = match info {
                Ok(i) => i,
                Err(e) => {
                    missing.push(format!("commit walk stopped: {e}"));
                    break;
                }
            };
            match repo.find_commit(info.id) {
                Ok(c) => match c.tree_id() {
                    Ok(tree) => {
                        parents.extend(c.parent_ids().map(|p| p.detach()));
                        ends.push(parents.len());
                        commits.push(CommitRec {
                            id: info.id,
                            tree: tree.detach(),
                            time: c.time().map(|t| t.seconds).unwrap_or(0),
                            reached_from: NO_REF,
                        });
                    }
                    Err(e) => missing.push(format!("commit {}: {e}", info.id)),
                },
                Err(e) => missing.push(format!("commit {}: {e}", info.id)),
            }
        }
    }
    let index: HashMap<ObjectId, u32> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, u32::try_from(i).unwrap_or(NO_REF)))
        .collect();
    let parents_of = |i: usize| {
        let from = i
            .checked_sub(1)
            .and_then(|p| ends.get(p))
            .copied()
            .unwrap_or(0);
        let to = ends.get(i).copied().unwrap_or(from);
        parents.get(from..to).unwrap_or(&[])
    };
    // Each commit is credited to the first tip (in rank order) that reaches it.
    for (r, (_, tip)) in tips.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(NO_REF);
        let mut stack: Vec<u32> = index.get(tip).copied().into_iter().collect();
        while let Some(i) = stack.pop() {
            let Some(c) = commits.get_mut(i as usize) else {
                continue;
            };
            if c.reached_from != NO_REF {
                continue;
            }
            c.reached_from = r;
            stack.extend(parents_of(i as usize).iter().filter_map(|p| index.get(p)));
        }
    }
    // Only a walk that stops somewhere has a base.
    let mut boundary: Vec<ObjectId> = Vec::new();
    if !hidden.is_empty() {
        let mut outside: Vec<ObjectId> = parents
            .iter()
            .filter(|p| !index.contains_key(*p))
            .copied()
            .collect();
        outside.sort();
        outside.dedup();
        boundary = outside
            .into_iter()
            .filter_map(|p| Some(repo.find_commit(p).ok()?.tree_id().ok()?.detach()))
            .collect();
    }
    boundary.sort();
    boundary.dedup();
    Ok((commits, boundary))
}

/// A failure of the commit walk in the repository shown as `shown`.
fn walk_error(shown: &str, e: &dyn std::fmt::Display) -> HistoryError {
    HistoryError::Walk {
        path: shown.to_string(),
        message: e.to_string(),
    }
}

/// A decoded tree: entry name to (is a tree, object id).
pub(crate) type TreeEntries = HashMap<Vec<u8>, (bool, ObjectId)>;

/// Reads and decodes one tree; a missing or damaged tree reads as empty.
pub(crate) fn tree_entries(repo: &gix::Repository, tree: ObjectId) -> TreeEntries {
    repo.find_object(tree)
        .ok()
        .and_then(|o| o.try_into_tree().ok())
        .and_then(|t| {
            t.decode().ok().map(|d| {
                d.entries
                    .iter()
                    .map(|e| (e.filename.to_vec(), (e.mode.is_tree(), e.oid.to_owned())))
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// The wanted paths as a trie of directories: each node lists the files wanted directly in it
/// (name, index into the wanted list) and its subdirectories.
#[derive(Default)]
struct TrieNode {
    files: Vec<(Vec<u8>, usize)>,
    dirs: HashMap<Vec<u8>, usize>,
}

/// Where a (blob, path) of history comes from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The oldest selected commit holding the blob at the path.
    pub commit: Option<CommitInfo>,
    /// A reference that commit is reachable from (the first in [`History::refs`]).
    pub reference: Option<String>,
    /// The commit's time (`i64::MAX` without a commit), to compare origins.
    pub time: i64,
    /// How many selected commits hold the blob at the path.
    pub count: usize,
}

/// Finds which commits hold given blobs at given paths. The wanted paths form a trie; each
/// commit's tree is matched against it, and the result for a (subtree, trie node) pair is
/// memoized, so a subtree shared by many commits is read once.
pub struct Provenance<'h> {
    history: &'h History,
    repo: gix::Repository,
}

impl<'h> Provenance<'h> {
    /// A lookup over `history`.
    pub fn new(history: &'h History) -> Self {
        let mut repo = history.repo();
        repo.object_cache_size_if_unset(64 * 1024 * 1024);
        Self { history, repo }
    }

    /// Indices of the wanted (blob, path) pairs found under `tree` for trie `node`.
    fn matches(
        &self,
        tree: ObjectId,
        node: usize,
        trie: &[TrieNode],
        wanted: &[(ObjectId, String)],
        memo: &mut HashMap<(ObjectId, usize), std::rc::Rc<Vec<usize>>>,
    ) -> std::rc::Rc<Vec<usize>> {
        if let Some(hit) = memo.get(&(tree, node)) {
            return std::rc::Rc::clone(hit);
        }
        let mut found = Vec::new();
        let data = tree_data(&self.repo, self.history.preload.as_ref(), tree);
        let decoded = data
            .as_deref()
            .and_then(|d| gix::objs::TreeRef::from_bytes(d, self.repo.object_hash()).ok());
        if let (Some(n), Some(t)) = (trie.get(node), decoded) {
            for e in &t.entries {
                let name: &[u8] = e.filename;
                if e.mode.is_tree() {
                    if let Some(child) = n.dirs.get(name) {
                        let id = e.oid.to_owned();
                        found.extend(self.matches(id, *child, trie, wanted, memo).iter().copied());
                    }
                } else if !e.mode.is_commit() {
                    for (file, wi) in &n.files {
                        if file.as_slice() == name && wanted.get(*wi).is_some_and(|w| w.0 == e.oid)
                        {
                            found.push(*wi);
                        }
                    }
                }
            }
        }
        let found = std::rc::Rc::new(found);
        memo.insert((tree, node), std::rc::Rc::clone(&found));
        found
    }

    /// For each (`blob`, `path`): the oldest selected commit that holds the blob at that path,
    /// a reference it is reachable from, and how many selected commits hold it there.
    pub fn origins(&mut self, wanted: &[(ObjectId, String)]) -> Vec<Origin> {
        let mut trie = vec![TrieNode::default()];
        for (wi, (_, path)) in wanted.iter().enumerate() {
            let mut node = 0;
            let mut parts: Vec<&[u8]> = path.as_bytes().split(|b| *b == b'/').collect();
            let file = parts.pop().unwrap_or_default().to_vec();
            for part in parts {
                let next = trie.len();
                let child = match trie.get_mut(node) {
                    Some(n) => *n.dirs.entry(part.to_vec()).or_insert(next),
                    None => break,
                };
                if child == next {
                    trie.push(TrieNode::default());
                }
                node = child;
            }
            if let Some(n) = trie.get_mut(node) {
                n.files.push((file, wi));
            }
        }
        let mut memo = HashMap::default();
        let mut acc: Vec<(Option<(i64, usize)>, usize)> = vec![(None, 0); wanted.len()];
        for (ci, c) in self.history.commits.iter().enumerate() {
            for wi in self.matches(c.tree, 0, &trie, wanted, &mut memo).iter() {
                if let Some((oldest, count)) = acc.get_mut(*wi) {
                    *count += 1;
                    // Walk order is newest first: on equal times the later one is older,
                    // unless the earlier one is reached from a ref that ranks before.
                    let older = |(t, i): (i64, usize)| {
                        let rank = self
                            .history
                            .commits
                            .get(i)
                            .map_or(NO_REF, |o| o.reached_from);
                        c.time < t || (c.time == t && c.reached_from <= rank)
                    };
                    if oldest.is_none_or(older) {
                        *oldest = Some((c.time, ci));
                    }
                }
            }
        }
        acc.into_iter()
            .map(|(oldest, count)| {
                let time = oldest.map_or(i64::MAX, |(t, _)| t);
                let rec = oldest.and_then(|(_, i)| self.history.commits.get(i));
                Origin {
                    commit: rec.and_then(|c| self.describe(c.id)),
                    reference: rec
                        .and_then(|c| self.history.refs.get(c.reached_from as usize))
                        .cloned(),
                    time,
                    count,
                }
            })
            .collect()
    }

    fn describe(&self, id: ObjectId) -> Option<CommitInfo> {
        let c = self.repo.find_commit(id).ok()?;
        let author = c.author().ok()?;
        let date = author
            .time()
            .map(|t| t.format_or_unix(gix::date::time::format::ISO8601_STRICT))
            .unwrap_or_default();
        let summary = c
            .message()
            .map(|m| m.summary().to_string())
            .unwrap_or_default();
        Some(CommitInfo {
            id: id.to_string(),
            author: author.name.to_string().trim().to_string(),
            email: author.email.to_string().trim().to_string(),
            date,
            summary,
        })
    }
}

/// How a Git LFS pointer file starts.
pub const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/";

/// Reads the blob `id` of `repo` for scanning, as UTF-8 text ([`super::decode`]), or says why
/// not: too large (over `max` bytes), a Git LFS pointer, binary, or unreadable (with the
/// message naming the blob).
pub fn read_blob(
    repo: &gix::Repository,
    id: ObjectId,
    max: u64,
) -> Result<Vec<u8>, (Skip, Option<String>)> {
    let unreadable = |e: &dyn std::fmt::Display| format!("cannot read blob {id}: {e}");
    match repo.find_header(id) {
        Ok(h) if h.size() > max => return Err((Skip::TooLarge, None)),
        Ok(_) => {}
        Err(e) => return Err((Skip::Unreadable, Some(unreadable(&e)))),
    }
    let obj = repo
        .find_object(id)
        .map_err(|e| (Skip::Unreadable, Some(unreadable(&e))))?;
    if obj.data.starts_with(LFS_POINTER) {
        return Err((Skip::LfsPointer, None));
    }
    super::decode::text_owned(obj.detach().data).ok_or((Skip::Binary, None))
}
