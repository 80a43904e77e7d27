#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, two at a time, seeded from the
# repository's fixtures, and prints a table of executions and crashes.
#
#   bash fuzz/run.sh SECONDS [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Runs on the stable toolchain without a
# sanitizer (`-s none`). Crashes land in fuzz/artifacts/TARGET/; copy each into
# fuzz/regressions/TARGET/ so that tests/fuzz_regressions.rs replays it forever.
set -uo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${1:-600}"
shift || true
ALL=(detect config registry audit_line rule_file github gitlab kubernetes compose dockerfile
     jenkinsfile notebook netrc dotenv ini python shell shell_parse makefile justfile launch yaml
     task helm)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
JOBS="${FUZZ_JOBS:-2}"
ROOT=..

seed() { # target, then find(1) arguments selecting fixture files
    local t="$1"; shift
    mkdir -p "corpus/$t"
    find "$ROOT/fixtures" "$ROOT/rules" "$ROOT/tests" -type f -size -256k "$@" 2>/dev/null |
        while read -r f; do cp "$f" "corpus/$t/$(echo "$f" | md5sum | cut -c1-16)"; done
}
seed detect -path '*/fixtures/*'
seed github -path '*github-actions*'
seed gitlab -path '*gitlab*'
seed kubernetes \( -path '*kubernetes*' -o -path '*helm*' \)
seed task \( -path '*skypilot*' -o -path '*dstack*' -o -path '*beaker*' -o -path '*other-yaml*' \)
seed helm -path '*helm*'
seed compose -path '*compose*'
seed dockerfile -ipath '*dockerfile*'
seed jenkinsfile -ipath '*jenkins*'
seed notebook -name '*.ipynb'
seed netrc -name '*netrc*'
seed dotenv -name '*.env*'
seed ini -path '*settings*'
seed python -name '*.py'
seed shell -name '*.sh'
seed shell_parse \( -name '*.sh' -o -name 'Makefile' -o -name 'justfile' -o -ipath '*dockerfile*' \)
seed makefile \( -name 'Makefile' -o -name '*.mk' \)
seed justfile -name 'justfile'
seed config -name '*.toml'
seed yaml \( -name '*.yaml' -o -name '*.yml' \)
seed rule_file -path '*/rules/*' -name '*.yaml'
seed launch \( -path '*/launchers/*' -o -name '*.sh' \)
# The generated organization: a registry and audit-log lines.
if [ ! -d corpus/registry ] || [ ! -d corpus/audit_line ]; then
    tmp=$(mktemp -d)
    (cd "$ROOT" && cargo run --quiet --release --example gen_audit -- "$tmp" --seed 3 >/dev/null)
    mkdir -p corpus/registry corpus/audit_line
    cp "$tmp/registry.yaml" corpus/registry/org
    for f in "$tmp"/logs/*.jsonl; do head -c 4000 "$f" > "corpus/audit_line/$(basename "$f")"; done
    rm -rf "$tmp"
fi

cargo fuzz build -s none -O || { echo "cargo fuzz build failed"; exit 1; }

mkdir -p logs
run_one() {
    local t="$1"
    cargo fuzz run -s none -O "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" \
        -rss_limit_mb=2048 -timeout=20 -max_len=65536 -print_final_stats=1 > "logs/$t.log" 2>&1
    echo "$t exit=$?"
}
export -f run_one
export SECONDS_EACH
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

echo
echo "| target | seconds | executions | exec/s | corpus | crashes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for t in "${TARGETS[@]}"; do
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    crashes=$(ls "artifacts/$t" 2>/dev/null | wc -l)
    corpus=$(ls "corpus/$t" | wc -l)
    echo "| $t | $SECONDS_EACH | ${execs:-?} | ${rate:-?} | $corpus | $crashes |"
done
