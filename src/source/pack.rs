//! One pass over the repository's packs for full-history scans.
//!
//! Read one by one, a packed object costs the inflation of its whole delta chain (up to 50
//! deltas in a `git gc`'d repository); reading every blob and tree of a history that way
//! inflates the same bases again and again. Instead each pack is decoded once along its delta
//! trees (gitoxide's pack traversal, the machinery of `gix verify`), in parallel, and every
//! object is handled as it comes out: trees are kept (they are small and the commit walk needs
//! them), blobs are settled on the spot when no path could make them yield a finding, and only
//! the few that might are read again, with their paths, for the full scan.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
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

/// What the pack pass kept: decoded trees and the verdict on every blob.
#[derive(Default)]
pub struct Preload {
    /// Raw tree objects by id.
    pub trees: HashMap<ObjectId, Vec<u8>>,
    /// Every packed blob.
    pub blobs: HashMap<ObjectId, BlobNote>,
    /// The bytes of [`BlobClass::Candidate`] blobs, while they fit the budget (the rest are
    /// read again).
    pub candidates: HashMap<ObjectId, Vec<u8>>,
    /// Packs that could not be read or decoded completely (their objects are read one by
    /// one instead).
    pub problems: Vec<String>,
}

/// Trees kept in memory at most; beyond it, trees are read one by one as before.
const TREE_BUDGET: usize = 512 * 1024 * 1024;
/// The pack pass inflates objects up to this size even under a smaller file-size limit: a
/// tree of a big directory can outgrow a small limit, and the pass would give up its pack.
const MIN_INFLATE_LIMIT: u64 = 16 * 1024 * 1024;
/// Candidate blob bytes kept in memory at most.
const CANDIDATE_BUDGET: usize = 96 * 1024 * 1024;

/// What `preload` has kept so far, and the bytes it spent.
struct Kept {
    preload: Preload,
    tree_bytes: usize,
    candidate_bytes: usize,
}

/// Whether some entry of `bundle` would inflate to more than `limit` bytes, judged from the
/// entry headers alone (a delta's header gives the size of its instructions; what it
/// resolves to is bounded while decoding). An entry whose header cannot be read counts as
/// too large: the pack is then read object by object, each checked on its own.
fn holds_entry_over(bundle: &gix::odb::pack::Bundle, limit: u64) -> bool {
    bundle.index.iter().any(|e| {
        bundle
            .pack
            .entry(e.pack_offset)
            .map_or(true, |entry| entry.decompressed_size > limit)
    })
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
    let max_object = max_object.max(MIN_INFLATE_LIMIT);
    let out = Preload::default();
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
    let shared = Mutex::new(Kept {
        preload: out,
        tree_bytes: 0,
        candidate_bytes: 0,
    });
    for path in idx {
        let bundle = match gix::odb::pack::Bundle::at(&path, repo.object_hash()) {
            Ok(b) => b,
            Err(e) => {
                if let Ok(mut s) = shared.lock() {
                    s.preload
                        .problems
                        .push(format!("cannot open pack {}: {e}", path.display()));
                }
                continue;
            }
        };
        if holds_entry_over(&bundle, max_object) {
            continue;
        }
        let classify = classify.clone();
        let shared = &shared;
        let processor = move |kind: gix::objs::Kind,
                              data: &[u8],
                              entry: &gix::odb::pack::index::Entry,
                              _: &dyn gix::progress::Progress|
              -> gix::Result {
            match kind {
                gix::objs::Kind::Tree => {
                    if let Ok(mut s) = shared.lock() {
                        if s.tree_bytes + data.len() <= TREE_BUDGET {
                            s.tree_bytes += data.len();
                            s.preload.trees.insert(entry.oid, data.to_vec());
                        }
                    }
                }
                gix::objs::Kind::Blob => {
                    // Judged and kept as the text detection sees (UTF-16 decoded); a binary
                    // blob is judged as it is.
                    let text =
                        super::decode::text(data).unwrap_or(std::borrow::Cow::Borrowed(data));
                    let note = BlobNote {
                        size: data.len() as u64,
                        class: classify(&text),
                    };
                    if let Ok(mut s) = shared.lock() {
                        s.preload.blobs.insert(entry.oid, note);
                        if note.class == BlobClass::Candidate
                            && s.candidate_bytes + text.len() <= CANDIDATE_BUDGET
                        {
                            s.candidate_bytes += text.len();
                            s.preload.candidates.insert(entry.oid, text.into_owned());
                        }
                    }
                }
                gix::objs::Kind::Commit | gix::objs::Kind::Tag => {}
            }
            Ok(())
        };
        let result = bundle.index.traverse_with_index(
            &bundle.pack,
            processor,
            &mut gix::progress::Discard,
            &AtomicBool::new(false),
            gix::odb::pack::index::traverse::with_index::Options {
                thread_limit: Some(threads.max(1)),
                check: gix::odb::pack::index::traverse::SafetyCheck::SkipFileAndObjectChecksumVerificationAndNoAbortOnDecodeError,
                // A delta can resolve to far more than it says: no buffer beyond the limit.
                alloc_limit_bytes: Some(usize::try_from(max_object).unwrap_or(usize::MAX)),
            },
        );
        if let Err(e) = result {
            if let Ok(mut s) = shared.lock() {
                s.preload
                    .problems
                    .push(format!("cannot decode pack {}: {e}", path.display()));
            }
        }
    }
    shared.into_inner().map(|s| s.preload).unwrap_or_default()
}
