#!/usr/bin/env bash
# Benchmark `wandb-sa-lint scan --history` against the peers' git-history modes on ONE
# generated repository, warm cache, and time `wandb-sa-lint scan --staged` on a
# 100k-file repository with a 20-file staged change.
#
#   bash bench/run_history.sh [--dir REPO | --size small|large] [--runs N]
#                             [--staged-dir DIR] [--no-staged] [--tools a,b,...]
#                             [--timeout SECONDS] [--keep-reports]
#
# Environment: WSL_BIN (default target/release/wandb-sa-lint of this checkout; a relative
# path is taken from the repo root), HIST_ROOT (where repositories are generated; default
# /tmp/wsl-hist).
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
HIST_ROOT="${HIST_ROOT:-/tmp/wsl-hist}"

DIR=""
SIZE=large
RUNS=3
STAGED_DIR=""
STAGED=1
ONLY=""
TIMEOUT=1800
KEEP=0
STAGED_RUNS=5

usage() {
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --dir REPO       the repository to scan (its manifest REPO.planted.tsv is used if present)
  --size S         without --dir: $HIST_ROOT/S, generated with gen_history.py if missing
                   (small | large; default large)
  --runs N         timed runs per tool after one untimed warm-up; the median is reported (default 3)
  --staged-dir D   the --staged repository (default $HIST_ROOT/staged, generated if missing)
  --no-staged      skip the --staged timing
  --tools LIST     only these of wandb-sa-lint,gitleaks,betterleaks,kingfisher
  --timeout S      per-run limit in seconds, 0 = none (default 1800)
  --keep-reports   keep the reports (the temp directory is printed) instead of deleting them

Targets checked: history median wall <= 1/2 of the fastest peer's, peak RSS <= 256 MiB;
staged median wall (process start included) < 50 ms.
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --dir) DIR="$2"; shift 2 ;;
        --dir=*) DIR="${1#*=}"; shift ;;
        --size) SIZE="$2"; shift 2 ;;
        --size=*) SIZE="${1#*=}"; shift ;;
        --runs) RUNS="$2"; shift 2 ;;
        --runs=*) RUNS="${1#*=}"; shift ;;
        --staged-dir) STAGED_DIR="$2"; shift 2 ;;
        --staged-dir=*) STAGED_DIR="${1#*=}"; shift ;;
        --no-staged) STAGED=0; shift ;;
        --tools) ONLY="$2"; shift 2 ;;
        --tools=*) ONLY="${1#*=}"; shift ;;
        --timeout) TIMEOUT="$2"; shift 2 ;;
        --timeout=*) TIMEOUT="${1#*=}"; shift ;;
        --keep-reports) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run_history.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "run_history.sh: --runs must be a positive integer" >&2; exit 2 ;; esac

export PATH="$BENCH_DIR/.tools/bin:$PATH"
[ -x /usr/bin/time ] || { echo "run_history.sh: /usr/bin/time (GNU time) is missing: apt-get install time" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "run_history.sh: python3 is needed" >&2; exit 2; }
command -v git >/dev/null 2>&1 || { echo "run_history.sh: git is needed" >&2; exit 2; }

WSL_BIN="${WSL_BIN:-target/release/wandb-sa-lint}"
case "$WSL_BIN" in /*) ;; *) WSL_BIN="$REPO_ROOT/$WSL_BIN" ;; esac

WORK="$(mktemp -d "${TMPDIR:-/tmp}/wsl-hist-run.XXXXXX")"
if [ "$KEEP" = 0 ]; then trap 'rm -rf "$WORK"' EXIT; fi
# Tools get an empty file as stdin and their reports go to files in $WORK: nothing here
# reads from or writes to /dev/null, which some tools replace when given it as a report path.
: >"$WORK/empty"
if [ ! -c /dev/null ]; then
    echo "WARNING: /dev/null is not a character device on this machine (something replaced it);"
    echo "         programs that read it as empty input (git repack, Go's os/exec) may misbehave."
fi

# Time a snapshot of the binary: a rebuild during the run must not change what is measured.
if [ -x "$WSL_BIN" ]; then
    cp "$WSL_BIN" "$WORK/wandb-sa-lint" && WSL_SRC="$WSL_BIN" && WSL_BIN="$WORK/wandb-sa-lint"
fi

# --- the repository ------------------------------------------------------------------------
if [ -z "$DIR" ]; then
    DIR="$HIST_ROOT/$SIZE"
    if [ ! -d "$DIR/.git" ] || [ ! -f "$DIR.planted.tsv" ]; then
        mkdir -p "$HIST_ROOT"
        echo "generating the $SIZE history repository in $DIR ..."
        python3 "$BENCH_DIR/gen_history.py" --size "$SIZE" --out "$DIR" --force || { echo "run_history.sh: generation failed" >&2; exit 2; }
    fi
fi
[ -d "$DIR" ] || { echo "run_history.sh: no such directory: $DIR" >&2; exit 2; }
DIR="$(cd "$DIR" && pwd)"
git -C "$DIR" rev-parse --git-dir >"$WORK/gitdir" 2>&1 || { echo "run_history.sh: $DIR is not a git repository" >&2; exit 2; }
MANIFEST="$DIR.planted.tsv"
[ -f "$MANIFEST" ] || MANIFEST=""

git -C "$DIR" rev-list --reverse HEAD >"$WORK/commits.txt"
NCOMMITS=$(wc -l <"$WORK/commits.txt")
NCOMMITS_ALL=$(git -C "$DIR" rev-list --all --count)
git -C "$DIR" count-objects -vH >"$WORK/count-objects.txt"
# every object reachable from every ref, by type: count and bytes (%(rest) keeps the path
# that rev-list prints out of the object name)
git -C "$DIR" rev-list --all --objects | git -C "$DIR" cat-file --batch-check='%(objecttype) %(objectsize) %(rest)' \
    | awk '{n[$1]++; s[$1]+=$2} END {for (t in n) printf "%s %d %d\n", t, n[t], s[t]}' | sort >"$WORK/objects.txt"
read -r NBLOBS BLOBBYTES <<<"$(awk '$1=="blob"{print $2, $3}' "$WORK/objects.txt")"
NPLANTED=0
[ -n "$MANIFEST" ] && NPLANTED=$(( $(wc -l <"$MANIFEST") - 1 ))

echo "repository: $DIR"
echo "commits:    $NCOMMITS reachable from HEAD ($NCOMMITS_ALL from all refs)"
echo "blobs:      $NBLOBS unique, $BLOBBYTES bytes ($(awk -v b="$BLOBBYTES" 'BEGIN{printf "%.1f MiB", b/1048576}')) across history"
awk '$1!="blob"{printf "            %s: %d objects, %d bytes\n", $1, $2, $3}' "$WORK/objects.txt"
echo "git count-objects -vH:"
sed 's/^/            /' "$WORK/count-objects.txt"
[ -n "$MANIFEST" ] && echo "planted:    $NPLANTED keys ($MANIFEST)"
echo "runs:       1 untimed warm-up + $RUNS timed per tool (median), timeout ${TIMEOUT}s per run"
[ -n "${WSL_SRC:-}" ] && echo "binary:     $WSL_SRC (built $(date -r "$WSL_SRC" '+%F %T'); a copy is timed)"
echo "machine:    $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# --- tools ---------------------------------------------------------------------------------
# tool_cmd TOOL REPORT: sets CMD (argv), RUN_CWD and OK_CODES.
GITLEAKS_FORM=git
tool_cmd() {
    local tool="$1" out="$2"
    RUN_CWD="$WORK"
    case "$tool" in
        wandb-sa-lint)
            # run from inside the repository, as a developer or CI would
            CMD=("$WSL_BIN" scan --history --format json -o "$out" --no-progress --isolated)
            RUN_CWD="$DIR"; OK_CODES="0 1" ;;
        gitleaks)
            if [ "$GITLEAKS_FORM" = git ]; then
                # every ref, as `scan --history` walks by default
                CMD=(gitleaks git "$DIR" --no-banner --log-opts=--all --report-format json --report-path "$out")
            else  # gitleaks < 8.19
                CMD=(gitleaks detect --source "$DIR" --no-banner --report-format json --report-path "$out")
            fi
            OK_CODES="0 1" ;;
        betterleaks)
            CMD=(betterleaks git "$DIR" --no-banner --log-opts=--all -o "$out"); OK_CODES="0 1" ;;
        kingfisher)
            # --git-history full is its default, spelled out; it also scans the work tree
            CMD=(kingfisher --no-update-check scan "$DIR" --git-history full --no-validate --format json --output "$out" -q)
            OK_CODES="0 200 205" ;;
    esac
}

tool_version() {
    case "$1" in
        wandb-sa-lint) "$WSL_BIN" --version 2>&1 | head -n 1 ;;
        gitleaks) gitleaks version 2>&1 | head -n 1 ;;
        betterleaks) betterleaks --version 2>&1 | head -n 1 ;;
        kingfisher) kingfisher --version 2>&1 | head -n 1 ;;
    esac
}

want() {
    [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]
}

# run_once TOOL REPORT -> WALL (s), RSS_KB, RC; stderr in $WORK/TOOL.err
run_once() {
    local tool="$1" out="$2" tf="$WORK/$1.time" t0 t1
    tool_cmd "$tool" "$out"
    rm -f "$out"
    local pre=()
    if [ "$TIMEOUT" != 0 ]; then pre=(timeout -k 10 "$TIMEOUT"); fi
    t0=$EPOCHREALTIME
    ( cd "$RUN_CWD" && /usr/bin/time -v -o "$tf" "${pre[@]}" "${CMD[@]}" <"$WORK/empty" >"$WORK/$tool.out" 2>"$WORK/$tool.err" )
    RC=$?
    t1=$EPOCHREALTIME
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
    RSS_KB=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tf" 2>"$WORK/awk.err")
    RSS_KB=${RSS_KB:-0}
}

code_ok() { [[ " $OK_CODES " == *" $1 "* ]]; }

# analyze TOOL REPORT -> "findings<TAB>found/planted<TAB>unmatched"
analyze() {
    python3 - "$1" "$2" "$DIR" "$WORK/commits.txt" "${MANIFEST:-}" <<'PYEOF'
"""Count a report's findings and the planted keys they hit.

A planted key (manifest row: path, added, removed, shape) is found when a finding has the
same path, the same key shape, and a commit whose index (in `git rev-list --reverse HEAD`
order) lies in [added, removed), removed = end of history if empty. A finding with no
commit (a work-tree finding) counts as HEAD. The shape comes from wandb-sa-lint's `shape`
field, or is read off the secret text the peers report (v1: wandb_v1_...; prefixed:
NAME-<40 hex>; legacy: bare 40 hex). "unmatched" counts findings that hit no planted key.
"""
import json, os, re, sys

tool, report, repo, commits_file, manifest = sys.argv[1:6]
V1 = re.compile(r"wandb_v1_[A-Za-z0-9]{27}_[A-Za-z0-9]{49}")
PREF = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]{1,15}-[0-9a-f]{40}(?![0-9a-f])")
HEX40 = re.compile(r"(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])")


def shape_of(secret, context=""):
    s = secret or ""
    if V1.search(s):
        return "v1"
    if PREF.search(s):
        return "prefixed"
    m = HEX40.search(s)
    if m:
        # a tool that captured only the hex part of NAME-<hex>: look at the matched text
        if context and re.search(r"[a-z][a-z0-9]{1,15}-" + m.group(0), context):
            return "prefixed"
        return "legacy"
    return None


def rel(p):
    if not p:
        return p
    if os.path.isabs(p):
        return os.path.relpath(p, repo)
    return os.path.normpath(p)


try:
    with open(report, "rb") as fh:
        raw = fh.read()
    if not raw.strip():
        data = []
    else:
        try:
            data = json.loads(raw)
        except ValueError:  # JSON lines
            data = [json.loads(l) for l in raw.splitlines() if l.strip()]
except Exception as e:
    print(f"?\t-\t-")
    sys.exit(0)

found = []  # (path, shape, commit or None)
if tool == "wandb-sa-lint":
    for f in data.get("findings", []):
        c = f.get("commit") or {}
        found.append((rel(f.get("path")), f.get("shape"), c.get("id")))
elif tool == "gitleaks":
    for f in data if isinstance(data, list) else []:
        found.append((rel(f.get("File")), shape_of(f.get("Secret"), f.get("Match", "")), f.get("Commit") or None))
elif tool == "betterleaks":
    items = data.get("findings", []) if isinstance(data, dict) else data
    for f in items:
        m = f.get("match") or {}
        a = f.get("attributes") or {}
        loc = f.get("location") or {}
        found.append((rel(loc.get("path")), shape_of(m.get("value"), m.get("full", "")), a.get("git.sha") or None))
elif tool == "kingfisher":
    items = data.get("findings", []) if isinstance(data, dict) else data
    for f in items:
        fi = f.get("finding", f)
        gm = fi.get("git_metadata") or {}
        commit = (gm.get("commit") or {}).get("id")
        path = (gm.get("file") or {}).get("path") or fi.get("path")
        found.append((rel(path), shape_of(fi.get("snippet")), commit))

nf = len(found)
if not manifest or not os.path.exists(manifest):
    print(f"{nf}\t-\t-")
    sys.exit(0)
index = {c: i for i, c in enumerate(open(commits_file).read().split())}
head = len(index) - 1
rows = []
with open(manifest) as fh:
    next(fh, None)
    for line in fh:
        p, a, r, shape = line.rstrip("\n").split("\t")[:4]
        a = head if a == "staged" else int(a)
        rows.append((p, a, int(r) if r else head + 1, shape))
hit = set()
unmatched = 0
for path, shape, commit in found:
    ci = index.get(commit, head) if commit else head
    m = [i for i, (p, a, r, s) in enumerate(rows) if p == path and s == shape and a <= ci < r]
    if m:
        hit.update(m)
    else:
        unmatched += 1
print(f"{nf}\t{len(hit)}/{len(rows)}\t{unmatched}")
PYEOF
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
# results.tsv: tool  status  walls(comma)  rss_max_kb  findings  found  unmatched  note  version

for tool in wandb-sa-lint gitleaks betterleaks kingfisher; do
    want "$tool" || continue
    if [ "$tool" = wandb-sa-lint ]; then
        if [ ! -x "$WSL_BIN" ]; then
            echo "wandb-sa-lint: no binary at $WSL_BIN (cargo build --release, or set WSL_BIN); skipped"
            printf '%s\tskipped\t\t\t\t\t\t%s\t\n' "$tool" "no binary at $WSL_BIN" >>"$RESULTS"
            continue
        fi
        "$WSL_BIN" scan --help >"$WORK/wsl-help.txt" 2>&1
        if ! grep -q -- '--history' "$WORK/wsl-help.txt"; then
            echo "wandb-sa-lint: $WSL_BIN has no 'scan --history'; skipped"
            printf '%s\tskipped\t\t\t\t\t\t%s\t\n' "$tool" "binary has no scan --history" >>"$RESULTS"
            continue
        fi
    elif ! command -v "$tool" >"$WORK/which" 2>&1; then
        echo "$tool: not installed; skipped (bash bench/install_peers.sh)"
        printf '%s\tskipped\t\t\t\t\t\t%s\t\n' "$tool" "not installed" >>"$RESULTS"
        continue
    fi
    if [ "$tool" = gitleaks ]; then
        if gitleaks git --help >"$WORK/gl-help.txt" 2>&1; then GITLEAKS_FORM=git; else GITLEAKS_FORM=detect; fi
    fi
    version="$(tool_version "$tool")"
    report="$WORK/$tool.report.json"
    tool_cmd "$tool" "$report"
    echo "$tool ($version): (cd $RUN_CWD && ${CMD[*]})"

    # untimed warm-up: its report is the one counted
    run_once "$tool" "$report"
    if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
        echo "  warm-up hit the ${TIMEOUT}s timeout; not timed"
        printf '%s\ttimeout\t\t%s\t\t\t\t%s\t%s\n' "$tool" "$RSS_KB" ">${TIMEOUT}s" "$version" >>"$RESULTS"
        continue
    fi
    if ! code_ok "$RC"; then
        echo "  FAILED: exit $RC; last lines of stderr:"
        tail -n 5 "$WORK/$tool.err" | sed 's/^/    /'
        printf '%s\tfailed\t\t%s\t\t\t\t%s\t%s\n' "$tool" "$RSS_KB" "exit $RC" "$version" >>"$RESULTS"
        continue
    fi
    IFS=$'\t' read -r findings found unmatched <<<"$(analyze "$tool" "$report")"
    cp "$report" "$WORK/$tool.kept.json" 2>"$WORK/cp.err"
    echo "  warm-up: ${WALL}s, exit $RC, peak RSS $((RSS_KB / 1024)) MiB, findings $findings, planted found $found, unmatched $unmatched"

    walls=""; rss_max=0; status=ok; note=""
    for i in $(seq 1 "$RUNS"); do
        run_once "$tool" "$WORK/$tool.timed.json"
        if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then status=timeout; note=">${TIMEOUT}s"; break; fi
        if ! code_ok "$RC"; then
            status=failed; note="exit $RC"
            echo "  run $i FAILED: exit $RC"; tail -n 5 "$WORK/$tool.err" | sed 's/^/    /'
            break
        fi
        echo "  run $i: ${WALL}s, peak RSS $((RSS_KB / 1024)) MiB"
        walls="${walls:+$walls,}$WALL"
        [ "$RSS_KB" -gt "$rss_max" ] && rss_max=$RSS_KB
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$status" "$walls" "$rss_max" "$findings" "$found" "$unmatched" "$note" "$version" >>"$RESULTS"
done

# --- the table -------------------------------------------------------------------------------
echo
python3 - "$RESULTS" "$NCOMMITS" "$NBLOBS" "$BLOBBYTES" "$NPLANTED" <<'PYEOF'
import statistics, sys

path, ncommits, nblobs, nbytes, nplanted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rows = []
for line in open(path):
    f = line.rstrip("\n").split("\t")
    f += [""] * (9 - len(f))
    tool, status, walls, rss, findings, found, unmatched, note, version = f[:9]
    med = statistics.median(float(w) for w in walls.split(",")) if walls and status == "ok" else None
    rows.append(dict(tool=tool, status=status, med=med, rss=int(rss) if rss else None, findings=findings,
                     found=found, unmatched=unmatched, note=note, version=version))

peers = [r["med"] for r in rows if r["tool"] != "wandb-sa-lint" and r["med"] is not None]
fastest = min(peers) if peers else None
print(f"History: {ncommits} commits, {nblobs} unique blobs, {nbytes} blob bytes ({nbytes / 2**20:.1f} MiB); {nplanted} planted keys")
print()
print("| tool | median wall (s) | × fastest peer | peak RSS (MiB) | findings | planted keys found | unmatched findings | note |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for r in rows:
    med = f"{r['med']:.3f}" if r["med"] is not None else r["status"]
    ratio = f"{r['med'] / fastest:.2f}" if r["med"] is not None and fastest else ""
    rss = f"{r['rss'] / 1024:.1f}" if r["rss"] else ""
    note = "; ".join(x for x in (r["note"], r["version"]) if x)
    print(f"| {r['tool']} | {med} | {ratio} | {rss} | {r['findings']} | {r['found']} | {r['unmatched']} | {note} |")
print()
print("Wall: median of the timed runs after one untimed warm-up (warm cache). × fastest peer: median / the fastest")
print("peer's median. Peak RSS: max over the timed runs (GNU time). findings: entries in the tool's report (kingfisher")
print("reports each distinct secret once; gitleaks and betterleaks once per commit that adds it; wandb-sa-lint once")
print("per key and path, with the commit that first added it). planted keys found: unique planted keys hit by a finding with the same path, key shape and")
print("a commit inside the key's lifetime. unmatched: findings that hit no planted key (hard negatives such as")
print("pinned 40-hex SHAs, or the same key reported again).")

w = next((r for r in rows if r["tool"] == "wandb-sa-lint"), None)
print()
if w and w["med"] is not None and fastest:
    r = fastest / w["med"]
    print(f"target history wall: fastest peer / wandb-sa-lint = {r:.2f}x (target >= 2.00x): {'PASS' if r >= 2.0 else 'FAIL'}")
    print(f"target history RSS:  {w['rss'] / 1024:.1f} MiB (target <= 256 MiB): {'PASS' if w['rss'] <= 256 * 1024 else 'FAIL'}")
elif w:
    print(f"target history: no verdict (wandb-sa-lint {w['status']}{': ' + w['note'] if w['note'] else ''}; peers timed: {len(peers)})")
PYEOF

# --- scan --staged on a 100k-file repository ---------------------------------------------------
if [ "$STAGED" = 1 ] && want wandb-sa-lint; then
    echo
    STAGED_DIR="${STAGED_DIR:-$HIST_ROOT/staged}"
    if [ ! -d "$STAGED_DIR/.git" ] || [ ! -f "$STAGED_DIR.planted.tsv" ]; then
        echo "generating the --staged repository in $STAGED_DIR (100k files, 20 staged) ..."
        python3 "$BENCH_DIR/gen_history.py" --mode staged --out "$STAGED_DIR" --force >"$WORK/gen-staged.out" || { echo "run_history.sh: generation failed" >&2; exit 2; }
    fi
    STAGED_DIR="$(cd "$STAGED_DIR" && pwd)"
    nfiles=$(git -C "$STAGED_DIR" ls-files | wc -l)
    nstaged=$(git -C "$STAGED_DIR" diff --cached --name-only | wc -l)
    echo "staged repository: $STAGED_DIR ($nfiles files in the index, $nstaged staged)"
    if [ ! -x "$WSL_BIN" ] || ! grep -q -- '--staged' "$WORK/wsl-help.txt" 2>"$WORK/grep.err"; then
        echo "wandb-sa-lint scan --staged: skipped (no binary, or it has no --staged)"
    else
        SCMD=("$WSL_BIN" scan --staged --format json -o "$WORK/staged.json" --no-progress --isolated)
        echo "command: (cd $STAGED_DIR && ${SCMD[*]})"
        ( cd "$STAGED_DIR" && "${SCMD[@]}" <"$WORK/empty" >"$WORK/staged.out" 2>"$WORK/staged.err" )  # warm-up
        src=$?
        if [ "$src" != 0 ] && [ "$src" != 1 ]; then
            echo "  FAILED: exit $src"; tail -n 5 "$WORK/staged.err" | sed 's/^/    /'
        else
            sfind=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$WORK/staged.json" 2>"$WORK/py.err" || echo "?")
            swalls=""
            for i in $(seq 1 "$STAGED_RUNS"); do
                t0=$EPOCHREALTIME
                ( cd "$STAGED_DIR" && "${SCMD[@]}" <"$WORK/empty" >"$WORK/staged.out" 2>"$WORK/staged.err" )
                t1=$EPOCHREALTIME
                swalls="$swalls $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')"
            done
            ( cd "$STAGED_DIR" && /usr/bin/time -v -o "$WORK/staged.time" "${SCMD[@]}" <"$WORK/empty" >"$WORK/staged.out" 2>"$WORK/staged.err" )
            srss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$WORK/staged.time")
            python3 - "$sfind" "${srss:-0}" $swalls <<'PYEOF'
import statistics, sys
find, rss, walls = sys.argv[1], int(sys.argv[2]), [float(x) for x in sys.argv[3:]]
med = statistics.median(walls)
print(f"  runs (ms): {', '.join(f'{w * 1000:.1f}' for w in walls)}")
print(f"  median {med * 1000:.1f} ms (process start included), peak RSS {rss / 1024:.1f} MiB, findings {find} (1 key planted)")
print(f"target staged wall: {med * 1000:.1f} ms (target < 50 ms): {'PASS' if med < 0.050 else 'FAIL'}")
PYEOF
        fi
    fi
fi
if [ "$KEEP" = 1 ]; then echo; echo "reports kept in $WORK"; fi
