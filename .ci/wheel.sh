#!/usr/bin/env bash
# CI for the distribution (issue 19): the pip wheel, the pre-commit hooks, the packaged crate
# and the GitHub Action's install step. Called by .ci/run after the tests; maturin and
# pre-commit come from PyPI (installed by .ci/run). The wheel is installed from its file, with
# pip's index switched off, except where pre-commit makes environments (setuptools for the
# local hook's placeholder package, maturin for pip's isolated build of this repository).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1

echo "== wheel: maturin build (binary bindings)"
start=$SECONDS
rm -rf target/wheels
maturin build --locked --profile "${WHEEL_PROFILE:-dev}" --out target/wheels
wheel=$(realpath target/wheels/wandb_sa_lint-"$version"-*.whl)
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB) in $((SECONDS - start)) s"

echo "== wheel: pip install into a fresh virtual environment, then run it"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet "$wheel"
got=$("$tmp/venv/bin/wandb-sa-lint" --version)
[ "$got" = "wandb-sa-lint $version" ] || fail "--version printed '$got'"
status=0
"$tmp/venv/bin/wandb-sa-lint" scan --isolated fixtures/demo-repo --format json -o "$tmp/demo.json" || status=$?
[ "$status" -eq 1 ] || fail "the demo scan exited $status, not 1"
keys=$(python3 -c 'import json,sys; print(sum(f["rule"] in ("S001", "S002") for f in json.load(open(sys.argv[1]))["findings"]))' "$tmp/demo.json")
[ "$keys" -eq 8 ] || fail "the demo scan found $keys keys, not 8"
echo "ok: $got from the wheel; the demo scan exits 1 with its 8 keys"

echo "== pre-commit: the hooks file, and a repo: local hook installing the wheel"
pre-commit validate-manifest .pre-commit-hooks.yaml
repo=$tmp/repo
mkdir -p "$repo" && git -C "$repo" init -q
cat >"$repo/.pre-commit-config.yaml" <<YAML
repos:
  - repo: local
    hooks:
      - id: wandb-sa-lint
        name: wandb-sa-lint
        entry: wandb-sa-lint scan
        language: python
        additional_dependencies: ["$wheel"]
        require_serial: true
YAML
printf 'import wandb\nwandb.init(project="churn")\n' >"$repo/train.py"
git -C "$repo" add -A
( cd "$repo" && PIP_NO_INDEX= PRE_COMMIT_HOME=$tmp/pre-commit pre-commit run ) || fail "the hook blocked a clean change"
cp fixtures/demo-repo/.env "$repo/.env"
git -C "$repo" add .env
status=0
( cd "$repo" && PRE_COMMIT_HOME=$tmp/pre-commit pre-commit run ) >"$tmp/hook.log" 2>&1 || status=$?
cat "$tmp/hook.log"
[ "$status" -eq 1 ] && grep -q S001 "$tmp/hook.log" || fail "the hook let a staged key in (exit $status)"
echo "ok: the hook passes a clean change and blocks a staged key"

echo "== pre-commit try-repo: this repository's language: python hook, built by pip with maturin"
# pip builds the clone pre-commit makes; the dev profile and this target dir reuse the build.
status=0
( cd "$repo" && CARGO_TARGET_DIR=$root/target MATURIN_PEP517_ARGS="--profile dev" PIP_NO_INDEX= \
  PRE_COMMIT_HOME=$tmp/pre-commit pre-commit try-repo "$root" wandb-sa-lint-python ) >"$tmp/try.log" 2>&1 || status=$?
cat "$tmp/try.log"
[ "$status" -eq 1 ] && grep -q '\.env:4' "$tmp/try.log" || fail "the python hook let the staged key in (exit $status)"
echo "ok: the python hook installs from this repository and blocks the staged key"

echo "== the GitHub Action's install step: pip installs wandb-sa-lint==$version (here from the wheel)"
: >"$tmp/output" && : >"$tmp/path"
RUNNER_TEMP=$tmp/runner GITHUB_OUTPUT=$tmp/output GITHUB_PATH=$tmp/path PIP_FIND_LINKS=target/wheels \
  INPUT_VERSION="" bash .github/action/run.sh install
grep -qx "version=wandb-sa-lint $version" "$tmp/output" || fail "install: $(cat "$tmp/output")"
[ -x "$(cat "$tmp/path")/wandb-sa-lint" ] || fail "install put $(cat "$tmp/path") on PATH"
echo "ok: the action installs the wheel of its own version"

echo "== cargo package: what cargo install builds from"
cargo package --list --allow-dirty --locked >"$tmp/files"
for need in Cargo.toml Cargo.lock build.rs src/main.rs src/lib.rs rules/launchers/launchers.yaml \
  schemas/registry.schema.json vendor/saphyr-parser/src/lib.rs vendor/saphyr-parser/LICENSE; do
  grep -qx "$need" "$tmp/files" || fail "the crate lacks $need"
done
if grep -E '^(fixtures|tests|bench|fuzz|docs)/' "$tmp/files"; then fail "the crate holds the files above"; fi
# Packaged, then built from the package alone (the verification), as `cargo install` builds it.
cargo package --allow-dirty --locked
crate=target/package/wandb-sa-lint-$version.crate
echo "ok: $(wc -l <"$tmp/files") files, $(du -k "$crate" | cut -f1) KiB packaged; the package builds"
