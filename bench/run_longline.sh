#!/usr/bin/env bash
# Time `wandb-sa-lint scan` on ONE file that is a single 10 MiB line holding 100,000 direct
# key assignments (generated fakes, see gen_longline.py), plus smaller lines of the same
# density, and check the target: the 10 MiB line scans in under 2 s (median wall, JSON output
# to /dev/null, release binary).
#
#   bash bench/run_longline.sh [--runs N] [--keys N]
#
# Environment: WSL_BIN (default target/release/wandb-sa-lint of this checkout), LL_ROOT
# (where the files are generated; default /tmp/wsl-longline).
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
LL_ROOT="${LL_ROOT:-/tmp/wsl-longline}"
RUNS=3
KEYS=100000
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --keys) KEYS="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
BIN="${WSL_BIN:-target/release/wandb-sa-lint}"
case "$BIN" in /*) ;; *) BIN="$REPO_ROOT/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
    echo "no binary at $BIN: run cargo build --release first" >&2
    exit 2
fi

# Sizes: a quarter, a half and the whole of KEYS, each line 10 MiB * keys / 100k.
status=0
echo "| keys on one line | bytes | median wall (s) | peak RSS (MiB) | findings |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for k in $((KEYS / 4)) $((KEYS / 2)) "$KEYS"; do
    bytes=$(( 10 * 1024 * 1024 * k / 100000 ))
    dir="$LL_ROOT/k$k"
    if [ ! -f "$dir/line.env" ] || [ "$(stat -c %s "$dir/line.env")" != "$bytes" ]; then
        mkdir -p "$dir"
        python3 "$BENCH_DIR/gen_longline.py" "$dir/line.env" --keys "$k" --bytes "$bytes" || exit 2
    fi
    times=()
    rss=0
    found=0
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -o "$dir/time" -f "%e %M" "$BIN" scan "$dir" --isolated --format json \
            --no-progress > "$dir/out.json" 2>/dev/null
        out=$(tail -1 "$dir/time")
        times+=("${out% *}")
        r="${out#* }"
        [ "$r" -gt "$rss" ] && rss="$r"
    done
    found=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$dir/out.json")
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "| $k | $bytes | $median | $((rss / 1024)) | $found |"
    if [ "$k" = "$KEYS" ] && awk -v m="$median" 'BEGIN {exit !(m >= 2.0)}'; then
        echo "target missed: $k keys on one line took ${median} s (target < 2 s)" >&2
        status=1
    fi
done
exit $status
