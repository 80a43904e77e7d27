#!/usr/bin/env bash
# Record every finding the build gives on the fixtures and on small generated bench trees,
# as sorted JSON, so that a refactor can prove its findings identical:
#
#   bash bench/golden.sh OUT_DIR            # with target/release/wandb-sa-lint (built if missing)
#   diff -r BEFORE_DIR AFTER_DIR
#
# Environment: WSL_BIN (the binary), GOLDEN_TMP (where trees are generated; default
# /tmp/wsl-golden, reused between runs).
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
OUT="${1:?usage: bash bench/golden.sh OUT_DIR}"
TMP="${GOLDEN_TMP:-/tmp/wsl-golden}"
BIN="${WSL_BIN:-$REPO_ROOT/target/release/wandb-sa-lint}"
cd "$REPO_ROOT"
[ -x "$BIN" ] || cargo build --release --quiet
mkdir -p "$OUT" "$TMP"
OUT="$(cd "$OUT" && pwd)"

# Generated inputs, made once.
[ -d "$TMP/corpus" ] || python3 bench/gen_corpus.py --size small --out "$TMP/corpus" >/dev/null
[ -d "$TMP/history" ] || python3 bench/gen_history.py --out "$TMP/history" --size small --commits 60 >/dev/null
if [ ! -f "$TMP/org/registry.yaml" ]; then
    cargo build --release --quiet --example gen_audit
    target/release/examples/gen_audit "$TMP/org" --seed 7 --lines 20000 >/dev/null
fi

# One JSON document per run, findings sorted, the run's own clock fields dropped.
record() {
    local name="$1"; shift
    "$BIN" "$@" --isolated --format json -q -o "$OUT/$name.raw" >/dev/null 2>"$OUT/$name.stderr"
    echo "exit $?" >>"$OUT/$name.stderr"
    python3 - "$OUT/$name.raw" "$OUT/$name.json" <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:  # no output: keep the failure visible in the diff
    open(sys.argv[2], "w").write(f"unreadable: {e}\n"); sys.exit()
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in ("elapsed_ms", "duration_ms", "generated_at", "version")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
doc = strip(doc)
if isinstance(doc.get("findings"), list):
    doc["findings"].sort(key=lambda f: json.dumps(f, sort_keys=True))
json.dump(doc, open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
    rm -f "$OUT/$name.raw"
}

for d in fixtures/demo-repo fixtures/holdout fixtures/contexts fixtures/config/*/; do
    d="${d%/}"
    [ -d "$d" ] || continue
    record "scan-$(echo "$d" | tr '/' '_')" scan "$d"
done
record scan-demo-registry scan fixtures/demo-repo --registry "$TMP/org/registry.yaml"
record scan-corpus scan "$TMP/corpus"
record scan-history scan "$TMP/history" --history
record audit-org audit --registry "$TMP/org/registry.yaml" --audit-log "$TMP/org/logs" --as-of 2026-11-01
# Every output format, byte for byte (the run's clock lines dropped).
for fmt in human sarif junit gitlab; do
    "$BIN" scan fixtures/demo-repo --isolated --format "$fmt" -q -o "$OUT/format-scan.$fmt" >/dev/null 2>&1
    "$BIN" audit --registry "$TMP/org/registry.yaml" --audit-log "$TMP/org/logs" --as-of 2026-11-01 \
        --isolated --format "$fmt" -q -o "$OUT/format-audit.$fmt" >/dev/null 2>&1
done
for fmt in html markdown json; do
    "$BIN" report --registry "$TMP/org/registry.yaml" --audit-log "$TMP/org/logs" --as-of 2026-11-01 \
        --isolated --format "$fmt" -o "$OUT/format-report.$fmt" >/dev/null 2>&1
done
sed -i -E '/(generated|elapsed|duration|"version"|Generated|took|[0-9]+(\.[0-9]+)? ?m?s\b)/d' "$OUT"/format-scan.human "$OUT"/format-audit.human 2>/dev/null
echo "recorded $(ls "$OUT"/*.json | wc -l) runs in $OUT"
