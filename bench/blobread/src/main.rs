//! Blob-read micro-benchmark for the history scan: how fast can git2 (libgit2) and gix
//!
//!  1. walk every commit reachable from HEAD,
//!  2. collect the unique blob ids of their trees (each tree visited once: a tree id seen
//!     before is skipped with everything under it; submodule entries are skipped),
//!  3. read every blob's content and add up the bytes?
//!
//! ```text
//! blobread MODE REPO [--order walk|oid] [--threads N] [--object-cache MIB]
//!   MODE     git2 | gix | gix-par (gix, blobs read on N rayon threads, each with its own
//!            `ThreadSafeRepository::to_thread_local()` handle)
//!   --order  walk (default): blobs read in the order the walk met them (newest commit
//!            first, which is roughly pack order); oid: sorted by id (scattered in the pack)
//!   --threads      gix-par worker threads (default: rayon's default, one per core)
//!   --object-cache gix only: `Repository::object_cache_size(MiB)` (default 0: none)
//! ```
//!
//! Prints one line of `key=value` fields: mode, commits, trees, blobs, bytes, walk_s
//! (steps 1-2), read_s (step 3), total_s, and MB/s = bytes / 10^6 / total_s.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Clone, Copy, PartialEq)]
enum Order {
    Walk,
    Oid,
}

struct Opts {
    mode: String,
    repo: String,
    order: Order,
    threads: usize,
    object_cache_mib: usize,
}

struct Outcome {
    commits: usize,
    trees: usize,
    blobs: usize,
    bytes: u64,
    walk_s: f64,
    read_s: f64,
}

// --- git2 ----------------------------------------------------------------------------

fn run_git2(o: &Opts) -> Res<Outcome> {
    let t0 = Instant::now();
    let repo = git2::Repository::open(&o.repo)?;
    let mut walk = repo.revwalk()?;
    walk.push_head()?;
    let mut seen_trees: HashSet<git2::Oid> = HashSet::new();
    let mut seen_blobs: HashSet<git2::Oid> = HashSet::new();
    let mut blobs: Vec<git2::Oid> = Vec::new();
    let mut commits = 0;
    let mut stack = Vec::new();
    for id in walk {
        let commit = repo.find_commit(id?)?;
        commits += 1;
        stack.push(commit.tree_id());
        while let Some(t) = stack.pop() {
            if !seen_trees.insert(t) {
                continue;
            }
            let tree = repo.find_tree(t)?;
            for e in tree.iter() {
                match e.kind() {
                    Some(git2::ObjectType::Tree) => stack.push(e.id()),
                    Some(git2::ObjectType::Blob) => {
                        if seen_blobs.insert(e.id()) {
                            blobs.push(e.id());
                        }
                    }
                    _ => {} // submodule commits
                }
            }
        }
    }
    if o.order == Order::Oid {
        blobs.sort();
    }
    let walk_s = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let mut bytes = 0u64;
    for id in &blobs {
        bytes += repo.find_blob(*id)?.content().len() as u64;
    }
    Ok(Outcome {
        commits,
        trees: seen_trees.len(),
        blobs: blobs.len(),
        bytes,
        walk_s,
        read_s: t1.elapsed().as_secs_f64(),
    })
}

// --- gix -----------------------------------------------------------------------------

/// Steps 1-2 with gix: the unique blob ids, in walk order (or sorted).
fn gix_enumerate(repo: &gix::Repository, order: Order) -> Res<(usize, usize, Vec<gix::ObjectId>)> {
    let head = repo.head_id()?.detach();
    let mut seen_trees: HashSet<gix::ObjectId> = HashSet::new();
    let mut seen_blobs: HashSet<gix::ObjectId> = HashSet::new();
    let mut blobs = Vec::new();
    let mut commits = 0;
    let mut stack = Vec::new();
    for info in repo.rev_walk([head]).all()? {
        let info = info?;
        commits += 1;
        stack.push(repo.find_commit(info.id)?.tree_id()?.detach());
        while let Some(t) = stack.pop() {
            if !seen_trees.insert(t) {
                continue;
            }
            let tree = repo.find_tree(t)?;
            for e in tree.decode()?.entries {
                if e.mode.is_tree() {
                    stack.push(e.oid.to_owned());
                } else if !e.mode.is_commit() {
                    let id = e.oid.to_owned();
                    if seen_blobs.insert(id) {
                        blobs.push(id);
                    }
                }
            }
        }
    }
    if order == Order::Oid {
        blobs.sort();
    }
    Ok((commits, seen_trees.len(), blobs))
}

fn gix_open(o: &Opts) -> Res<gix::Repository> {
    let mut repo = gix::open(&o.repo)?;
    if o.object_cache_mib > 0 {
        repo.object_cache_size(o.object_cache_mib * 1024 * 1024);
    }
    Ok(repo)
}

fn run_gix(o: &Opts) -> Res<Outcome> {
    let t0 = Instant::now();
    let repo = gix_open(o)?;
    let (commits, trees, blobs) = gix_enumerate(&repo, o.order)?;
    let walk_s = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let mut bytes = 0u64;
    for id in &blobs {
        bytes += repo.find_object(*id)?.data.len() as u64;
    }
    Ok(Outcome {
        commits,
        trees,
        blobs: blobs.len(),
        bytes,
        walk_s,
        read_s: t1.elapsed().as_secs_f64(),
    })
}

fn run_gix_par(o: &Opts) -> Res<Outcome> {
    if o.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(o.threads)
            .build_global()?;
    }
    let t0 = Instant::now();
    let repo = gix_open(o)?;
    let (commits, trees, blobs) = gix_enumerate(&repo, o.order)?;
    let sync = repo.into_sync();
    let walk_s = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    // Contiguous chunks keep each thread's reads close together in the pack.
    let chunk = (blobs.len() / (rayon::current_num_threads() * 16)).clamp(64, 4096);
    let bytes = blobs
        .par_chunks(chunk)
        .map_init(
            || {
                let mut r = sync.to_thread_local();
                if o.object_cache_mib > 0 {
                    r.object_cache_size(o.object_cache_mib * 1024 * 1024);
                }
                r
            },
            |r, ids| -> Res<u64> {
                let mut n = 0u64;
                for id in ids {
                    n += r.find_object(*id)?.data.len() as u64;
                }
                Ok(n)
            },
        )
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    Ok(Outcome {
        commits,
        trees,
        blobs: blobs.len(),
        bytes,
        walk_s,
        read_s: t1.elapsed().as_secs_f64(),
    })
}

// --- main ----------------------------------------------------------------------------

fn parse_args() -> Result<Opts, String> {
    let mut args = std::env::args().skip(1);
    let mut pos = Vec::new();
    let mut o = Opts {
        mode: String::new(),
        repo: String::new(),
        order: Order::Walk,
        threads: 0,
        object_cache_mib: 0,
    };
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--order" => {
                o.order = match val("--order")?.as_str() {
                    "walk" => Order::Walk,
                    "oid" => Order::Oid,
                    v => return Err(format!("--order walk|oid, not {v}")),
                }
            }
            "--threads" => o.threads = val("--threads")?.parse().map_err(|e| format!("--threads: {e}"))?,
            "--object-cache" => {
                o.object_cache_mib = val("--object-cache")?.parse().map_err(|e| format!("--object-cache: {e}"))?
            }
            "-h" | "--help" => return Err(String::new()),
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ => pos.push(a),
        }
    }
    if pos.len() != 2 {
        return Err("expected MODE and REPO".into());
    }
    o.repo = pos.pop().unwrap_or_default();
    o.mode = pos.pop().unwrap_or_default();
    if !Path::new(&o.repo).exists() {
        return Err(format!("no such repository: {}", o.repo));
    }
    Ok(o)
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("blobread: {e}");
            }
            eprintln!("usage: blobread git2|gix|gix-par REPO [--order walk|oid] [--threads N] [--object-cache MIB]");
            return ExitCode::from(2);
        }
    };
    let t = Instant::now();
    let r = match o.mode.as_str() {
        "git2" => run_git2(&o),
        "gix" => run_gix(&o),
        "gix-par" => run_gix_par(&o),
        m => {
            eprintln!("blobread: unknown mode {m} (git2, gix, gix-par)");
            return ExitCode::from(2);
        }
    };
    match r {
        Ok(r) => {
            let total = t.elapsed().as_secs_f64();
            println!(
                "mode={} order={} pack_cache={} commits={} trees={} blobs={} bytes={} walk_s={:.3} read_s={:.3} total_s={:.3} MB/s={:.1}",
                o.mode,
                if o.order == Order::Walk { "walk" } else { "oid" },
                cfg!(feature = "gix-pack-cache"),
                r.commits,
                r.trees,
                r.blobs,
                r.bytes,
                r.walk_s,
                r.read_s,
                total,
                r.bytes as f64 / 1e6 / total
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("blobread: {e}");
            ExitCode::from(1)
        }
    }
}
