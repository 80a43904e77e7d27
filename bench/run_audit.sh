#!/usr/bin/env bash
# Time `wandb-sa-lint audit` over one generated organization with about 1,000,000 audit-log
# lines (tests/common/audit_org.rs through the gen_audit example), warm cache.
#
#   bash bench/run_audit.sh [--lines N] [--runs N] [--dir DIR]
#
# Environment: WSL_BIN (default target/release/wandb-sa-lint, relative to the repo root).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
LINES=1000000
RUNS=3
DIR=""
while [ $# -gt 0 ]; do
    case "$1" in
        --lines) LINES="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --dir) DIR="$2"; shift 2 ;;
        *) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
DIR="${DIR:-/tmp/wsl-audit/$LINES}"
BIN="${WSL_BIN:-$REPO_ROOT/target/release/wandb-sa-lint}"
cd "$REPO_ROOT"
cargo build --release --quiet --example gen_audit
[ -x "$BIN" ] || cargo build --release --quiet
if [ ! -f "$DIR/registry.yaml" ]; then
    "$REPO_ROOT/target/release/examples/gen_audit" "$DIR" --seed 7 --lines "$LINES"
fi
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)"; exit 2; }
cat "$DIR"/logs/* > /dev/null   # warm the cache
echo "logs: $(du -sh "$DIR/logs" | cut -f1) on disk in $(ls "$DIR/logs" | wc -l) files"
walls=()
peak=0
for i in $(seq 1 "$RUNS"); do
    out=$( { "$TIME" -f "%e %M" "$BIN" audit --isolated --registry "$DIR/registry.yaml" \
        --audit-log "$DIR/logs" --as-of 2026-11-01 --format json -o "$DIR/out.json" -q; } 2>&1 | tail -1 || true)
    wall=${out% *}; rss=${out#* }
    walls+=("$wall")
    if [ "$rss" -gt "$peak" ]; then peak=$rss; fi
    echo "run $i: ${wall} s, ${rss} KiB"
done
median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$DIR/out.json")
echo
echo "| command | median wall ($RUNS runs) | peak RSS | findings |"
echo "| --- | ---: | ---: | ---: |"
printf '| `audit` over %s lines | %s s | %.1f MiB | %s |\n' "$LINES" "$median" "$(awk -v k="$peak" 'BEGIN {print k / 1024}')" "$findings"
