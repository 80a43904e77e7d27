#!/usr/bin/env bash
# Peak memory and wall time of `wandb-sa-lint scan --history` on one repository (a mirror of a
# big public repository, or gen_history.py's), one run, with the resident set split into
# anonymous memory and mapped files (pack files read through mmap count in the peak too).
#
#   bash bench/run_history_mem.sh REPO [LABEL] [-- extra scan arguments]
#
# Environment: WSL_BIN (default target/release/wandb-sa-lint of this checkout). Prints one line:
# label, exit code, wall (s), user and system time, peak RSS (GNU time), and the largest
# RssAnon and RssFile sampled every 0.5 s from /proc. The report goes to $TMPDIR/wsl-mem-LABEL.json.
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
DIR="${1:?usage: run_history_mem.sh REPO [LABEL] [-- scan arguments]}"; shift
LABEL="${1:-run}"; [ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
WSL_BIN="${WSL_BIN:-target/release/wandb-sa-lint}"
case "$WSL_BIN" in /*) ;; *) WSL_BIN="$REPO_ROOT/$WSL_BIN" ;; esac
[ -x "$WSL_BIN" ] || { echo "run_history_mem.sh: no binary at $WSL_BIN" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run_history_mem.sh: /usr/bin/time (GNU time) is missing" >&2; exit 2; }
OUT="${TMPDIR:-/tmp}/wsl-mem-$LABEL"
t0=$EPOCHREALTIME
( cd "$DIR" && exec /usr/bin/time -v -o "$OUT.time" "$WSL_BIN" scan --history --format json -o "$OUT.json" --no-progress --isolated "$@" ) 2>"$OUT.err" &
TP=$!
: >"$OUT.samples"
while kill -0 "$TP" 2>"$OUT.kill"; do
    for p in $(pgrep -f "^$WSL_BIN scan --history"); do
        awk '/RssAnon|RssFile/{printf "%s %s ", $1, $2} END{print ""}' "/proc/$p/status" >>"$OUT.samples" 2>"$OUT.awk"
    done
    sleep 0.5
done
wait "$TP"; rc=$?
t1=$EPOCHREALTIME
awk -v label="$LABEL" -v rc="$rc" -v a="$t0" -v b="$t1" -F': ' '
    /User time/{u=$2} /System time/{s=$2} /Maximum resident/{m=$2}
    END{printf "%s: exit %s, wall %.2f s, user %.2f s, sys %.2f s, peak RSS %.0f MiB", label, rc, b-a, u, s, m/1024}' "$OUT.time"
awk '{if ($2>ma) ma=$2; if ($4>mf) mf=$4} END {printf " (largest sampled: anonymous %d MiB, files %d MiB)\n", ma/1024, mf/1024}' "$OUT.samples"
