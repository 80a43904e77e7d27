//! One pass over the repository's packs for full-history scans.
//!
//! Read one by one, a packed object costs the inflation of its whole delta chain (up to 50
//! deltas in a `git gc`'d repository); reading every blob and tree of a history that way
//! inflates the same bases again and again. Instead each pack is decoded once along its delta
//! trees (gitoxide's pack traversal, the machinery of `gix verify`), in parallel, and every
//! object is handled as it comes out: trees are kept (the commit walk needs them), blobs are
//! settled on the spot when no path could make them yield a finding, and the few that might are
//! kept, with their bytes, for the full scan. What is kept beyond a budget goes to a temporary
//! file ([`Store`]), and the pack's pages are given back as the pass goes, so that memory stays
//! bounded however large the history.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use gix::ObjectId;
use rustc_hash::FxHashMap as HashMap;

/// What a blob turned out to be when decoded without its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobClass {
    /// Text in which no rule can find anything, whatever the file is called.
    Clean,
    /// Text without any rule keyword: clean unless a path it has is scanned regardless
    /// (a netrc file).
    NoKeyword,
    /// Text that may hold a finding: read it again and scan it with its path.
    Candidate,
    /// NUL bytes in the first block.
    Binary,
    /// A Git LFS pointer.
    LfsPointer,
    /// Over the size limit.
    TooLarge,
}

/// A blob as the pack pass saw it.
#[derive(Debug, Clone, Copy)]
pub struct BlobNote {
    /// Size in bytes.
    pub size: u64,
    /// What it is.
    pub class: BlobClass,
}

/// Objects the pack pass keeps: in memory up to a budget, beyond it in an anonymous
/// temporary file (deleted when closed), read back with one positioned read each.
#[derive(Default)]
pub struct Store {
    mem: HashMap<ObjectId, Vec<u8>>,
    mem_bytes: usize,
    budget: usize,
    spilled: HashMap<ObjectId, (u64, usize)>,
    writer: Option<std::io::BufWriter<std::fs::File>>,
    file: Option<std::fs::File>,
    file_len: u64,
    /// The temporary file could not be made or written: objects beyond the budget are
    /// dropped (and read from the repository again when needed).
    failed: bool,
}

impl Store {
    /// A store keeping up to `budget` bytes in memory.
    fn with_budget(budget: usize) -> Self {
        Self {
            budget,
            ..Self::default()
        }
    }

    /// Keeps `data` as object `id`.
    fn put(&mut self, id: ObjectId, data: &[u8]) {
        if self.mem_bytes + data.len() <= self.budget {
            self.mem_bytes += data.len();
            self.mem.insert(id, data.to_vec());
            return;
        }
        if self.failed {
            return;
        }
        if self.writer.is_none() {
            match tempfile::tempfile() {
                Ok(f) => self.writer = Some(std::io::BufWriter::with_capacity(1 << 20, f)),
                Err(_) => {
                    self.failed = true;
                    return;
                }
            }
        }
        if let Some(w) = self.writer.as_mut() {
            if std::io::Write::write_all(w, data).is_ok() {
                self.spilled.insert(id, (self.file_len, data.len()));
                self.file_len += data.len() as u64;
            } else {
                self.failed = true;
            }
        }
    }

    /// Ends writing: what was spilled can be read from now on.
    fn seal(&mut self) {
        if let Some(w) = self.writer.take() {
            match w.into_inner() {
                Ok(f) => self.file = Some(f),
                Err(_) => self.spilled.clear(),
            }
        }
    }

    /// The object `id`, if kept (and readable).
    pub fn get(&self, id: &ObjectId) -> Option<std::borrow::Cow<'_, [u8]>> {
        if let Some(data) = self.mem.get(id) {
            return Some(std::borrow::Cow::Borrowed(data.as_slice()));
        }
        let (at, len) = *self.spilled.get(id)?;
        let mut buf = vec![0u8; len];
        read_at(self.file.as_ref()?, &mut buf, at).ok()?;
        Some(std::borrow::Cow::Owned(buf))
    }

    /// How many objects are kept, and how many of them in the file.
    pub fn counts(&self) -> (usize, usize) {
        (self.mem.len() + self.spilled.len(), self.spilled.len())
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = buf.get_mut(n..).unwrap_or_default();
                at += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &std::fs::File, _: &mut [u8], _: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// What the pack pass kept: decoded trees and the verdict on every blob.
#[derive(Default)]
pub struct Preload {
    /// Raw tree objects by id.
    pub trees: Store,
    /// Every packed blob.
    pub blobs: HashMap<ObjectId, BlobNote>,
    /// The bytes of [`BlobClass::Candidate`] blobs (as text), to scan them with their paths.
    pub candidates: Store,
    /// Packs that could not be read or decoded completely (their objects are read one by
    /// one instead).
    pub problems: Vec<String>,
}

/// Tree bytes kept in memory at most; beyond it, trees go to a temporary file. Which trees
/// stay is down to decoding order, and the walk reads each tree once or twice: a larger
/// budget saves little time and holds its whole size at the peak.
const TREE_BUDGET: usize = 8 * 1024 * 1024;
/// The pack pass inflates objects up to this size even under a smaller file-size limit: a
/// tree of a big directory can outgrow a small limit, and the pass would give up its pack.
const MIN_INFLATE_LIMIT: u64 = 16 * 1024 * 1024;
/// Candidate blob bytes kept in memory at most; beyond it, they go to a temporary file.
const CANDIDATE_BUDGET: usize = 8 * 1024 * 1024;

/// How many bytes of what the pack pass keeps stay in memory.
#[derive(Debug, Clone, Copy)]
struct Budgets {
    /// Tree bytes.
    trees: usize,
    /// Candidate blob bytes.
    candidates: usize,
}

impl Default for Budgets {
    fn default() -> Self {
        Self {
            trees: TREE_BUDGET,
            candidates: CANDIDATE_BUDGET,
        }
    }
}

/// Inflated bytes between two releases of the pages of the pack being decoded. Objects come
/// out in delta-tree order, not pack order: the pages read between two releases are spread
/// over the whole pack.
const RELEASE_EVERY: u64 = 8 * 1024 * 1024;

/// Gives back this process's pages of a pack's read-only file mapping (`map`, the whole
/// mapping). The pass reads every page of the pack; without this they would all stay
/// resident, counted against this process, until the pack is closed (a 240 MiB pack is
/// 240 MiB of resident memory). The pages stay in the page cache: a later read maps them
/// again without touching the disk.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn release(map: &[u8]) {
    // SAFETY: `map` is the whole of a pack's `memmap2::Mmap` (the only storage
    // `gix::odb::pack::data::File` has), which starts on a page boundary and is never written.
    // MADV_DONTNEED on such a file mapping only drops its page-table entries: the next read
    // of any of its addresses faults the same file contents back in, so every slice into the
    // mapping, on any thread, keeps reading the same bytes. Its result is advisory.
    unsafe {
        libc::madvise(
            map.as_ptr().cast_mut().cast(),
            map.len(),
            libc::MADV_DONTNEED,
        );
    }
}

/// Elsewhere the pages are left to the system.
#[cfg(not(target_os = "linux"))]
fn release(_: &[u8]) {}

/// The positions of `index`'s entries (in id order) sorted by their offset in the pack.
fn pack_order(index: &gix::odb::pack::index::File) -> Vec<u32> {
    let mut order: Vec<u32> = (0..index.num_objects()).collect();
    order.sort_unstable_by_key(|i| index.pack_offset_at_index(*i));
    order
}

/// Whether some entry of `bundle` would inflate to more than `limit` bytes, judged from the
/// entry headers alone (a delta's header gives the size of its instructions; what it
/// resolves to is bounded while decoding). An entry whose header cannot be read counts as
/// too large: the pack is then read object by object, each checked on its own. The headers
/// are read in pack order (`order`, from [`pack_order`]), giving the pages read back every
/// [`RELEASE_EVERY`] bytes.
fn holds_entry_over(bundle: &gix::odb::pack::Bundle, order: &[u32], limit: u64) -> bool {
    let map = u64::try_from(bundle.pack.data_len())
        .ok()
        .and_then(|len| bundle.pack.entry_slice(0..len));
    let mut released_at = 0;
    let over = order.iter().any(|i| {
        let offset = bundle.index.pack_offset_at_index(*i);
        if offset.saturating_sub(released_at) > RELEASE_EVERY {
            released_at = offset;
            if let Some(map) = map {
                release(map);
            }
        }
        bundle
            .pack
            .entry(offset)
            .map_or(true, |entry| entry.decompressed_size > limit)
    });
    if let Some(map) = map {
        release(map);
    }
    over
}

/// Decodes every object of `bundle` once along its delta trees, on `threads` threads, and
/// hands each to `inspect` with its kind and id. `order` is [`pack_order`]'s. No buffer over
/// `max_object` bytes is allocated (the pack then fails to decode).
///
/// This is gitoxide's `traverse_with_index` without its statistics: the tree of entries it
/// builds keeps, for each entry, only its position in the index (the id is looked up when the
/// object comes out), not a copy of the index entry and five sizes: 48 bytes an entry instead
/// of 112, 40 MiB less at the peak for a pack of 430,000 objects.
fn traverse<F>(
    bundle: &gix::odb::pack::Bundle,
    order: Vec<u32>,
    threads: usize,
    max_object: u64,
    inspect: F,
) -> gix::Result<()>
where
    F: FnMut(gix::objs::Kind, &gix::oid, &[u8]) -> gix::Result<()> + Send + Clone,
{
    use gix::odb::pack::cache::delta::{traverse, Tree};
    let index = &bundle.index;
    let interrupt = AtomicBool::new(false);
    let tree = Tree::from_offsets_in_pack(
        bundle.pack.path(),
        order.into_iter(),
        &|i: &u32| index.pack_offset_at_index(*i),
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut gix::progress::Discard,
        &interrupt,
        index.object_hash(),
    )?;
    let mut inspect = inspect;
    tree.traverse(
        |range, pack: &gix::odb::pack::data::File| pack.entry_slice(range),
        &bundle.pack,
        bundle.pack.pack_end() as u64,
        move |i: &mut u32, _: &dyn gix::progress::Progress, ctx: traverse::Context<'_>| {
            // A resolved delta carries its base's kind: every entry here has one.
            match ctx.entry.header.as_kind() {
                Some(kind) => inspect(kind, index.oid_at_index(*i), ctx.decompressed),
                None => Ok(()),
            }
        },
        traverse::Options {
            object_progress: Box::new(gix::progress::Discard),
            size_progress: &mut gix::progress::Discard,
            thread_limit: Some(threads.max(1)),
            should_interrupt: &interrupt,
            object_hash: index.object_hash(),
            // A delta can resolve to far more than it says: no buffer beyond the limit.
            alloc_limit_bytes: Some(usize::try_from(max_object).unwrap_or(usize::MAX)),
        },
    )?;
    Ok(())
}

/// Decodes every pack of `repo` once. `classify` gets each blob's bytes and says what it is;
/// each decoding thread gets its own clone. No object over `max_object` bytes (or
/// [`MIN_INFLATE_LIMIT`] if that is larger) is inflated:
/// a pack holding one (a huge blob, however well it compresses) is left to be read object
/// by object, where its size is known from its header before it is read.
pub fn preload<C>(repo: &gix::Repository, threads: usize, max_object: u64, classify: C) -> Preload
where
    C: Fn(&[u8]) -> BlobClass + Clone + Send,
{
    preload_within(repo, threads, max_object, classify, Budgets::default())
}

/// [`preload`] keeping in memory no more than `budgets`.
fn preload_within<C>(
    repo: &gix::Repository,
    threads: usize,
    max_object: u64,
    classify: C,
    budgets: Budgets,
) -> Preload
where
    C: Fn(&[u8]) -> BlobClass + Clone + Send,
{
    let max_object = max_object.max(MIN_INFLATE_LIMIT);
    let out = Preload {
        trees: Store::with_budget(budgets.trees),
        candidates: Store::with_budget(budgets.candidates),
        ..Preload::default()
    };
    let dir = repo.objects.store_ref().path().join("pack");
    let mut idx: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(d) => d
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .collect(),
        Err(_) => return out,
    };
    idx.sort();
    let shared = Mutex::new(out);
    for path in idx {
        let bundle = match gix::odb::pack::Bundle::at(&path, repo.object_hash()) {
            Ok(b) => b,
            Err(e) => {
                if let Ok(mut s) = shared.lock() {
                    s.problems
                        .push(format!("cannot open pack {}: {e}", path.display()));
                }
                continue;
            }
        };
        let order = pack_order(&bundle.index);
        if holds_entry_over(&bundle, &order, max_object) {
            continue;
        }
        let inspect = inspector(&bundle, &shared, classify.clone());
        if let Err(e) = traverse(&bundle, order, threads, max_object, inspect) {
            if let Ok(mut s) = shared.lock() {
                s.problems
                    .push(format!("cannot decode pack {}: {e}", path.display()));
            }
        }
    }
    let mut out = shared.into_inner().unwrap_or_default();
    out.trees.seal();
    out.candidates.seal();
    out
}

/// What the pass does with each decoded object of `bundle`: trees are kept, blobs classified
/// (and kept if candidates), into `shared`; the pack's pages are given back every
/// [`RELEASE_EVERY`] inflated bytes.
fn inspector<'a, C>(
    bundle: &'a gix::odb::pack::Bundle,
    shared: &'a Mutex<Preload>,
    classify: C,
) -> impl FnMut(gix::objs::Kind, &gix::oid, &[u8]) -> gix::Result<()> + Send + Clone + 'a
where
    C: Fn(&[u8]) -> BlobClass + Clone + Send + 'a,
{
    let map = u64::try_from(bundle.pack.data_len())
        .ok()
        .and_then(|len| bundle.pack.entry_slice(0..len));
    let inflated = std::sync::Arc::new(AtomicU64::new(0));
    move |kind: gix::objs::Kind, oid: &gix::oid, data: &[u8]| {
        let len = data.len() as u64;
        let before = inflated.fetch_add(len, Ordering::Relaxed);
        if before / RELEASE_EVERY != (before + len) / RELEASE_EVERY {
            if let Some(map) = map {
                release(map);
            }
        }
        match kind {
            gix::objs::Kind::Tree => {
                if let Ok(mut s) = shared.lock() {
                    s.trees.put(oid.to_owned(), data);
                }
            }
            gix::objs::Kind::Blob => {
                // Judged and kept as the text detection sees (UTF-16 decoded); a binary
                // blob is judged as it is.
                let text = super::decode::text(data).unwrap_or(std::borrow::Cow::Borrowed(data));
                let note = BlobNote {
                    size: len,
                    class: classify(&text),
                };
                if let Ok(mut s) = shared.lock() {
                    s.blobs.insert(oid.to_owned(), note);
                    if note.class == BlobClass::Candidate {
                        s.candidates.put(oid.to_owned(), &text);
                    }
                }
            }
            gix::objs::Kind::Commit | gix::objs::Kind::Tag => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    /// Runs git in `dir` (a test fixture's repository).
    fn git(dir: &std::path::Path, args: &[&str]) -> Vec<u8> {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}");
        out.stdout
    }

    /// A packed repository whose files change a line a commit (so most of its objects are
    /// deltas), and the ids of its trees and blobs.
    fn packed_repo() -> (tempfile::TempDir, Vec<ObjectId>, Vec<ObjectId>) {
        let dir = tempfile::tempdir().expect("tempdir");
        git(dir.path(), &["init", "-q"]);
        for commit in 0..12 {
            for file in 0..4 {
                let sub = dir.path().join(format!("d{}", file % 2));
                std::fs::create_dir_all(&sub).expect("mkdir");
                let lines: String = (0..60)
                    .map(|l| match (l, file) {
                        (7, 1) => format!("token = value {commit}\n"),
                        _ => format!("line {l} of file {file}, {}\n", l * commit % 7),
                    })
                    .collect();
                std::fs::write(sub.join(format!("f{file}.txt")), lines).expect("write");
            }
            git(dir.path(), &["add", "-A"]);
            git(dir.path(), &["commit", "-qm", &format!("c{commit}")]);
        }
        git(dir.path(), &["repack", "-adq", "--depth=50", "--window=50"]);
        let listed = git(
            dir.path(),
            &["cat-file", "--batch-all-objects", "--batch-check"],
        );
        let listed = String::from_utf8_lossy(&listed);
        let packs = dir.path().join(".git/objects/pack");
        let idx = std::fs::read_dir(&packs)
            .expect("packs")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .expect("a pack");
        let verified = git(dir.path(), &["verify-pack", "-v", &idx.to_string_lossy()]);
        assert!(
            String::from_utf8_lossy(&verified).contains("chain length = 2"),
            "deltas of deltas in the pack"
        );
        let of_kind = |kind: &str| -> Vec<ObjectId> {
            listed
                .lines()
                .filter_map(|l| {
                    let mut f = l.split(' ');
                    let id = f.next()?;
                    (f.next()? == kind).then(|| ObjectId::from_hex(id.as_bytes()).ok())?
                })
                .collect()
        };
        let (trees, blobs) = (of_kind("tree"), of_kind("blob"));
        (dir, trees, blobs)
    }

    #[test]
    fn the_pass_sees_every_object_and_keeps_the_same_under_any_budget() {
        let (dir, trees, blobs) = packed_repo();
        assert!(trees.len() > 12 && blobs.len() > 12);
        let repo = gix::open(dir.path()).expect("open");
        let classify = |b: &[u8]| {
            if b.windows(5).any(|w| w == b"token") {
                BlobClass::Candidate
            } else {
                BlobClass::Clean
            }
        };
        let roomy = preload(&repo, 2, 1 << 20, classify);
        let none = Budgets {
            trees: 0,
            candidates: 0,
        };
        let tight = preload_within(&repo, 2, 1 << 20, classify, none);
        assert!(roomy.problems.is_empty() && tight.problems.is_empty());
        assert_eq!(roomy.trees.counts(), (trees.len(), 0));
        assert_eq!(tight.trees.counts(), (trees.len(), trees.len()));
        for t in &trees {
            let data = git(dir.path(), &["cat-file", "tree", &t.to_string()]);
            assert_eq!(roomy.trees.get(t).as_deref(), Some(data.as_slice()));
            assert_eq!(tight.trees.get(t).as_deref(), Some(data.as_slice()));
        }
        assert_eq!(roomy.blobs.len(), blobs.len());
        let candidates: Vec<&ObjectId> = blobs
            .iter()
            .filter(|b| roomy.blobs.get(*b).map(|n| n.class) == Some(BlobClass::Candidate))
            .collect();
        assert_eq!(candidates.len(), 12, "one version of f1.txt a commit");
        assert_eq!(tight.candidates.counts(), (12, 12));
        for b in blobs.iter() {
            let (r, t) = (roomy.blobs.get(b), tight.blobs.get(b));
            assert_eq!(r.map(|n| (n.size, n.class)), t.map(|n| (n.size, n.class)));
            assert_eq!(roomy.candidates.get(b), tight.candidates.get(b));
        }
    }

    #[test]
    fn objects_beyond_the_budget_are_spilled_and_read_back() {
        let mut store = Store::with_budget(10);
        store.put(id(1), b"0123456789");
        store.put(id(2), b"spilled one");
        store.put(id(3), b"");
        store.put(id(4), b"spilled two, longer");
        store.seal();
        assert_eq!(store.counts(), (4, 2));
        assert_eq!(store.get(&id(1)).as_deref(), Some(&b"0123456789"[..]));
        assert_eq!(store.get(&id(2)).as_deref(), Some(&b"spilled one"[..]));
        assert_eq!(store.get(&id(3)).as_deref(), Some(&b""[..]));
        assert_eq!(
            store.get(&id(4)).as_deref(),
            Some(&b"spilled two, longer"[..])
        );
        assert!(store.get(&id(5)).is_none());
    }
}
