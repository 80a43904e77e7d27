#!/usr/bin/env bash
# Benchmark wandb-sa-lint against `rg -c -i wandb` and peer secret scanners on
# one generated tree, warm cache. See bench/README.md.
#
#   bash bench/run.sh [--size small|medium|large] [--runs N] [--dir DIR]
#                     [--peers] [--tools a,b,...] [--skip a,b,...]
#                     [--timeout SECONDS] [--keep-reports]
#
# Environment: WSL_BIN (default target/release/wandb-sa-lint, relative to the
# repo root), BENCH_ROOT (where trees are generated; default /tmp/wsl-bench).
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
BENCH_ROOT="${BENCH_ROOT:-/tmp/wsl-bench}"

SIZE=small
RUNS=3
DIR=""
PEERS=0
ONLY=""
SKIP=""
TIMEOUT=900
KEEP=0

usage() {
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --size S        tree to generate/use under $BENCH_ROOT/S (tiny|small|medium|large; default small)
  --runs N        timed runs per tool; the median is reported (default 3)
  --dir DIR       use an existing tree instead (its manifest DIR/../NAME.planted.tsv is used if present)
  --peers         run bench/install_peers.sh first
  --tools LIST    only these tools (rg,wandb-sa-lint,gitleaks,kingfisher,betterleaks,ripsecrets,detect-secrets)
  --skip LIST     leave these tools out
  --timeout S     per-run limit in seconds, 0 = none (default 900); a tool that hits it is not run again
  --keep-reports  keep the tools' reports (printed path) instead of deleting them
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --size) SIZE="$2"; shift 2 ;;
        --size=*) SIZE="${1#*=}"; shift ;;
        --runs) RUNS="$2"; shift 2 ;;
        --runs=*) RUNS="${1#*=}"; shift ;;
        --dir) DIR="$2"; shift 2 ;;
        --dir=*) DIR="${1#*=}"; shift ;;
        --peers) PEERS=1; shift ;;
        --tools) ONLY="$2"; shift 2 ;;
        --tools=*) ONLY="${1#*=}"; shift ;;
        --skip) SKIP="$2"; shift 2 ;;
        --skip=*) SKIP="${1#*=}"; shift ;;
        --timeout) TIMEOUT="$2"; shift 2 ;;
        --timeout=*) TIMEOUT="${1#*=}"; shift ;;
        --keep-reports) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "run.sh: --runs must be a positive integer" >&2; exit 2 ;; esac

if [ "$PEERS" = 1 ]; then
    bash "$BENCH_DIR/install_peers.sh" || true
fi
export PATH="$BENCH_DIR/.tools/bin:$PATH"

# --- prerequisites ------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    echo "run.sh: /usr/bin/time (GNU time) is missing: apt-get install time, or run with --peers" >&2
    exit 2
fi
if ! command -v rg >/dev/null 2>&1; then
    echo "run.sh: rg (ripgrep) is missing: apt-get install ripgrep, or run with --peers" >&2
    exit 2
fi
command -v python3 >/dev/null 2>&1 || { echo "run.sh: python3 is needed" >&2; exit 2; }

WSL_BIN="${WSL_BIN:-target/release/wandb-sa-lint}"
case "$WSL_BIN" in /*) ;; *) WSL_BIN="$REPO_ROOT/$WSL_BIN" ;; esac

# --- the tree ---------------------------------------------------------------------------
if [ -z "$DIR" ]; then
    DIR="$BENCH_ROOT/$SIZE"
    if [ ! -d "$DIR" ] || [ ! -f "$BENCH_ROOT/$SIZE.planted.tsv" ]; then
        mkdir -p "$BENCH_ROOT"
        echo "generating the $SIZE tree in $DIR ..."
        python3 "$BENCH_DIR/gen_corpus.py" --size "$SIZE" --out "$DIR" --force || { echo "run.sh: generation failed" >&2; exit 2; }
    fi
fi
[ -d "$DIR" ] || { echo "run.sh: no such directory: $DIR" >&2; exit 2; }
DIR="$(cd "$DIR" && pwd)"
MANIFEST="$(dirname "$DIR")/$(basename "$DIR").planted.tsv"
[ -f "$MANIFEST" ] || MANIFEST=""

read -r NFILES NBYTES MAXBYTES <<<"$(find "$DIR" -type f -printf '%s\n' | awk '{n++; s+=$1; if ($1>m) m=$1} END {printf "%d %d %d\n", n, s, m}')"
LARGEST="$(find "$DIR" -type f -size "${MAXBYTES}c" -print -quit 2>/dev/null)"
NPLANTED=0
[ -n "$MANIFEST" ] && NPLANTED=$(( $(wc -l <"$MANIFEST") - 1 ))

WORK="$(mktemp -d "${TMPDIR:-/tmp}/wsl-bench-run.XXXXXX")"
if [ "$KEEP" = 0 ]; then trap 'rm -rf "$WORK"' EXIT; fi

echo "tree:    $DIR"
echo "files:   $NFILES"
echo "bytes:   $NBYTES ($(awk -v b="$NBYTES" 'BEGIN{printf "%.1f MiB", b/1048576}'))"
echo "largest: $MAXBYTES bytes ($(awk -v b="$MAXBYTES" 'BEGIN{printf "%.2f MiB", b/1048576}')) ${LARGEST#"$DIR"/}"
[ -n "$MANIFEST" ] && echo "planted: $NPLANTED keys ($MANIFEST)"
echo "runs:    $RUNS per tool (median), timeout ${TIMEOUT}s per run"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM"
echo

# --- warm the page cache: read every file once (untimed) ------------------------------------
echo "warming the cache ..."
find "$DIR" -type f -print0 | xargs -0 -r cat >/dev/null 2>&1
rg -c -i wandb "$DIR" >/dev/null 2>&1

# --- tools ------------------------------------------------------------------------------------
# tool_cmd TOOL OUT: sets CMD (argv), OUT_STDOUT (where stdout goes) and OK_CODES.
# OUT is the report path (a scratch file for the timed runs; see run_once).
GITLEAKS_FORM=""
tool_cmd() {
    local tool="$1" out="$2"
    OUT_STDOUT=/dev/null
    RUN_CWD="$WORK"
    case "$tool" in
        rg)
            CMD=(rg -c -i wandb "$DIR"); OK_CODES="0 1"
            [ -n "$out" ] && OUT_STDOUT="$out" ;;
        wandb-sa-lint)
            CMD=("$WSL_BIN" scan "$DIR" --format json --output "$out" --no-progress); OK_CODES="0 1" ;;
        gitleaks)
            if [ "$GITLEAKS_FORM" = dir ]; then
                CMD=(gitleaks dir "$DIR" --no-banner --report-format json --report-path "$out")
            else
                CMD=(gitleaks detect --no-git --source "$DIR" --no-banner --report-format json --report-path "$out")
            fi
            OK_CODES="0 1" ;;
        kingfisher)
            CMD=(kingfisher --no-update-check scan "$DIR" --no-validate --format json --output "$out" -q)
            OK_CODES="0 200 205" ;;
        betterleaks)
            # its -o insists on a .json/.jsonl name, so /dev/null is refused
            CMD=(betterleaks fs "$DIR" --no-banner -o "${out:-$WORK/betterleaks-timed.json}"); OK_CODES="0 1" ;;
        ripsecrets)
            CMD=(ripsecrets "$DIR"); OK_CODES="0 1"
            [ -n "$out" ] && OUT_STDOUT="$out" ;;
        detect-secrets)
            # it drops files outside its working directory, so it runs inside the tree
            CMD=(detect-secrets scan --all-files .); OK_CODES="0"; RUN_CWD="$DIR"
            [ -n "$out" ] && OUT_STDOUT="$out" ;;
    esac
}

ALL_TOOLS="rg wandb-sa-lint gitleaks kingfisher betterleaks ripsecrets detect-secrets"
want() {
    local t="$1"
    if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$t,"* ]]; then return 1; fi
    if [ -n "$SKIP" ] && [[ ",$SKIP," == *",$t,"* ]]; then return 1; fi
    return 0
}

# run_once TOOL OUT -> sets WALL (s), RSS_KB, RC; stderr in $WORK/TOOL.err
run_once() {
    local tool="$1" out="$2" tf="$WORK/$1.time" t0 t1
    # Timed runs write their reports to a scratch file, never to /dev/null: some scanners
    # (gitleaks) write reports by replacing the target file, which would turn /dev/null into
    # a regular file for the whole machine.
    if [ -z "$out" ] && [ "$tool" != rg ]; then
        out="$WORK/$tool.timed.json"
        rm -f "$out"
    fi
    tool_cmd "$tool" "$out"
    local pre=()
    if [ "$TIMEOUT" != 0 ]; then pre=(timeout -k 10 "$TIMEOUT"); fi
    t0=$EPOCHREALTIME
    ( cd "$RUN_CWD" && /usr/bin/time -v -o "$tf" "${pre[@]}" "${CMD[@]}" >"$OUT_STDOUT" 2>"$WORK/$tool.err" )
    RC=$?
    t1=$EPOCHREALTIME
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
    RSS_KB=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tf" 2>/dev/null)
    RSS_KB=${RSS_KB:-0}
}

code_ok() { [[ " $OK_CODES " == *" $1 "* ]]; }

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
# Per tool, for the timed runs: findings, planted hits, note, walls, peak RSS, status.
TIMED=""
declare -A FINDINGS HIT NOTE WALLS RSS_MAX STATUS
# results.tsv: tool  status  walls(comma)  rss_max_kb  findings  planted_hit  note

for tool in $ALL_TOOLS; do
    want "$tool" || continue
    if [ "$tool" = wandb-sa-lint ]; then
        if [ ! -x "$WSL_BIN" ]; then
            echo "wandb-sa-lint: no binary at $WSL_BIN (build it with 'cargo build --release' or set WSL_BIN); skipping"
            printf '%s\tskipped\t\t\t\t\t%s\n' "$tool" "no binary at $WSL_BIN" >>"$RESULTS"
            continue
        fi
    elif ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool: not installed; skipping (bash bench/install_peers.sh)"
        continue
    fi
    if [ "$tool" = detect-secrets ] && [ "$NBYTES" -gt 200000000 ] && [[ ",$ONLY," != *",detect-secrets,"* ]]; then
        # pure Python, ~0.1 MB/s here: hours on the large tree
        echo "detect-secrets: skipped on a tree over 200 MB (~0.1 MB/s); name it in --tools to run it anyway"
        printf '%s	skipped					%s
' "$tool" "tree over 200 MB; --tools detect-secrets to force" >>"$RESULTS"
        continue
    fi
    if [ "$tool" = gitleaks ]; then
        if gitleaks dir --help >/dev/null 2>&1; then GITLEAKS_FORM=dir; else GITLEAKS_FORM=detect; fi
    fi

    # untimed run that keeps the report (also the tool's own warm-up)
    report="$WORK/$tool.report"
    [ "$tool" = betterleaks ] && report="$WORK/$tool.report.json"
    tool_cmd "$tool" "$report"
    echo "$tool: ${CMD[*]}"
    run_once "$tool" "$report"
    if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
        echo "  warm-up run hit the ${TIMEOUT}s timeout; not timing it"
        printf '%s\ttimeout\t\t%s\t\t\t%s\n' "$tool" "$RSS_KB" ">${TIMEOUT}s" >>"$RESULTS"
        continue
    fi
    if ! code_ok "$RC"; then
        echo "  FAILED: exit $RC; last lines of stderr:"
        tail -n 5 "$WORK/$tool.err" | sed 's/^/    /'
        printf '%s\tfailed\t%s\t%s\t\t\t%s\n' "$tool" "$WALL" "$RSS_KB" "exit $RC" >>"$RESULTS"
        continue
    fi
    counts="$(python3 "$BENCH_DIR/count_findings.py" "$tool" "$report" "$DIR" "$MANIFEST" 2>/dev/null || printf '?\t-')"
    note=""
    if [ ! -s "$report" ] && [ "$RC" = 0 ] && [ "$tool" != rg ] && [ "$tool" != ripsecrets ]; then
        note="exit 0 but no report written"
        echo "  WARNING: $note ($report)"
    fi
    findings="${counts%%$'\t'*}"
    hit="${counts#*$'\t'}"
    echo "  untimed: ${WALL}s, exit $RC, findings $findings, planted hit $hit"

    # Timed runs come after every tool's untimed run, interleaved (one run of each tool in
    # turn), so that load from other tenants drifting over minutes falls on all tools alike.
    TIMED="${TIMED:+$TIMED }$tool"
    FINDINGS[$tool]="$findings"; HIT[$tool]="$hit"; NOTE[$tool]="$note"
    WALLS[$tool]=""; RSS_MAX[$tool]=0; STATUS[$tool]=ok
done

for i in $(seq 1 "$RUNS"); do
    for tool in $TIMED; do
        [ "${STATUS[$tool]}" = ok ] || continue
        run_once "$tool" ""
        if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
            STATUS[$tool]=timeout; NOTE[$tool]=">${TIMEOUT}s${NOTE[$tool]:+; ${NOTE[$tool]}}"
            echo "$tool run $i: timeout"
            continue
        fi
        if ! code_ok "$RC"; then
            STATUS[$tool]=failed; NOTE[$tool]="exit $RC${NOTE[$tool]:+; ${NOTE[$tool]}}"
            echo "$tool run $i FAILED: exit $RC"; tail -n 5 "$WORK/$tool.err" | sed 's/^/    /'
            continue
        fi
        echo "$tool run $i: ${WALL}s, peak RSS $((RSS_KB / 1024)) MiB"
        WALLS[$tool]="${WALLS[$tool]:+${WALLS[$tool]},}$WALL"
        [ "$RSS_KB" -gt "${RSS_MAX[$tool]}" ] && RSS_MAX[$tool]=$RSS_KB
    done
done
for tool in $TIMED; do
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "${STATUS[$tool]}" "${WALLS[$tool]}" "${RSS_MAX[$tool]}" "${FINDINGS[$tool]}" "${HIT[$tool]}" "${NOTE[$tool]}" >>"$RESULTS"
done

echo
python3 - "$RESULTS" "$NBYTES" "$MAXBYTES" "$NFILES" "$NPLANTED" <<'EOF'
import statistics, sys

path, nbytes, maxbytes, nfiles, nplanted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rows = []
for line in open(path):
    f = line.rstrip("\n").split("\t")
    f += [""] * (7 - len(f))
    tool, status, walls, rss, findings, hit, note = f[:7]
    med = statistics.median([float(w) for w in walls.split(",")]) if walls and status == "ok" else None
    rows.append((tool, status, med, int(rss) if rss else None, findings, hit, note))

rg = next((r[2] for r in rows if r[0] == "rg" and r[2]), None)
print(f"Tree: {nfiles} files, {nbytes} bytes ({nbytes / 2**20:.1f} MiB); largest file {maxbytes} bytes ({maxbytes / 2**20:.2f} MiB); {nplanted} planted keys")
print()
print("| tool | median wall (s) | MB/s | × rg | peak RSS (MiB) | findings | planted hit | note |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for tool, status, med, rss, findings, hit, note in rows:
    if med is None:
        print(f"| {tool} | {status} | | | {rss / 1024:.1f} | {findings} | {hit} | {note} |" if rss else f"| {tool} | {status} | | | | {findings} | {hit} | {note} |")
        continue
    mbs = nbytes / 1e6 / med
    ratio = f"{med / rg:.2f}" if rg else ""
    print(f"| {tool} | {med:.3f} | {mbs:.1f} | {ratio} | {rss / 1024:.1f} | {findings} | {hit} | {note} |")
print()
print("MB/s = tree bytes / 10^6 / median wall. × rg = median wall / rg's median wall. Peak RSS = max over the timed runs.")
print("findings: rg = matching lines; others = findings in the tool's report. planted hit = planted keys whose path and line a finding matches.")

w = next((r for r in rows if r[0] == "wandb-sa-lint"), None)
if w and w[2] is not None:
    print()
    budget = 100 + maxbytes / 2**20
    if w[6]:
        print(f"NOTE: wandb-sa-lint: {w[6]}; no verdict on the targets for this binary.")
    elif rg:
        r = w[2] / rg
        print(f"target wall:  wandb-sa-lint / rg = {r:.2f} (target <= 2.00): {'PASS' if r <= 2.0 else 'FAIL'}")
    if not w[6]:
        print(f"target RSS:   {w[3] / 1024:.1f} MiB (target < 100 MiB + largest file = {budget:.1f} MiB): {'PASS' if w[3] / 1024 < budget else 'FAIL'}")
EOF
if [ "$KEEP" = 1 ]; then echo; echo "reports kept in $WORK"; fi
