#!/usr/bin/env bash
# Build blobread (both variants) and read every blob of REPO with each mode, N times each;
# print the median of each field per mode and the peak RSS.
#
#   bash bench/blobread/run.sh [REPO] [N]     (default /tmp/wsl-hist/large, 3)
#
# Builds go to $CARGO_TARGET_DIR (default /tmp/blobread-target) and, for the
# `gix-pack-cache` feature, to the same path with a -cache suffix, never into the tree.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="${1:-/tmp/wsl-hist/large}"
N="${2:-3}"
TARGET="${CARGO_TARGET_DIR:-/tmp/blobread-target}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/blobread-run.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
: >"$WORK/empty"

[ -d "$REPO" ] || { echo "run.sh: no repository at $REPO (python3 bench/gen_history.py --size large --out $REPO)" >&2; exit 2; }
CARGO_TARGET_DIR="$TARGET" cargo build -q --release --manifest-path "$HERE/Cargo.toml" || exit 2
CARGO_TARGET_DIR="$TARGET-cache" cargo build -q --release --features gix-pack-cache --manifest-path "$HERE/Cargo.toml" || exit 2

echo "repository: $REPO; $N runs per mode (median); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| mode | order | gix pack cache | blobs | bytes | walk (s) | read (s) | total (s) | MB/s | peak RSS (MiB) |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
run() {  # run BIN MODE ORDER
    local bin="$1" mode="$2" order="$3"
    : >"$WORK/lines"
    for _ in $(seq 1 "$N"); do
        /usr/bin/time -v -o "$WORK/time" "$bin" "$mode" "$REPO" --order "$order" <"$WORK/empty" >>"$WORK/lines" || return
        awk -F': ' '/Maximum resident set size/{print "rss_kb=" $2}' "$WORK/time" >>"$WORK/lines"
    done
    python3 - "$WORK/lines" <<'EOF'
import statistics, sys
runs, cur = [], {}
for line in open(sys.argv[1]):
    kv = dict(f.split("=", 1) for f in line.split())
    if "rss_kb" in kv:
        cur["rss_kb"] = kv["rss_kb"]
        runs.append(cur)
        cur = {}
    else:
        cur = kv
med = lambda k: statistics.median(float(r[k]) for r in runs)
r = runs[0]
print(f"| {r['mode']} | {r['order']} | {r['pack_cache']} | {r['blobs']} | {r['bytes']} | {med('walk_s'):.3f} | "
      f"{med('read_s'):.3f} | {med('total_s'):.3f} | {med('MB/s'):.1f} | {max(float(x['rss_kb']) for x in runs) / 1024:.1f} |")
EOF
}
for mode in git2 gix gix-par; do run "$TARGET/release/blobread" "$mode" walk; done
for mode in gix gix-par; do run "$TARGET-cache/release/blobread" "$mode" walk; done
run "$TARGET/release/blobread" git2 oid
run "$TARGET/release/blobread" gix oid
run "$TARGET-cache/release/blobread" gix oid
echo
echo "walk: commit walk + tree traversal collecting unique blob ids; read: reading every blob;"
echo "MB/s = bytes / 10^6 / total. order walk = as the walk met them (newest first); oid = sorted by id."
