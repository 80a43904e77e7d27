#!/usr/bin/env bash
# The logic of the wandb-sa-lint GitHub Action (action.yml), kept here so that it runs, and is
# tested (tests/action.sh), outside a runner. Each step of action.yml calls one subcommand:
#
#   run.sh install   pip-installs wandb-sa-lint into a virtual environment and puts it on PATH
#   run.sh scan      scans (and audits, given a registry), writes SARIF, sets the outputs
#   run.sh gate      fails when the scan found something at or above `fail-on`
#
# Inputs come as the runner passes them to a composite step's environment (INPUT_* below, set
# by action.yml); results go to $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY and $GITHUB_PATH.
set -euo pipefail

action_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/wandb-sa-lint

# `name=value` to the step's outputs (or stdout outside a runner).
output() { if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; else echo "$1=$2"; fi; }
summary() { if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then echo "$1" >>"$GITHUB_STEP_SUMMARY"; fi; }

# The version this copy of the action was released with: its own Cargo.toml.
own_version() { sed -n 's/^version = "\(.*\)"$/\1/p' "$action_dir/Cargo.toml" | head -n 1; }

install() {
  local version=${INPUT_VERSION:-}
  [ -n "$version" ] || version=$(own_version)
  if [ "$version" = installed ]; then
    command -v wandb-sa-lint >/dev/null || { echo "::error::version: installed, but wandb-sa-lint is not on PATH"; exit 2; }
  else
    python3 -m venv "$work/venv"
    "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "wandb-sa-lint==$version"
    if [ -n "${GITHUB_PATH:-}" ]; then echo "$work/venv/bin" >>"$GITHUB_PATH"; fi
    export PATH="$work/venv/bin:$PATH"
  fi
  output version "$(wandb-sa-lint --version)"
}

# Counts the results of a SARIF file by level: "error=N warning=N note=N total=N".
count() {
  python3 - "$1" <<'PY'
import json, sys
levels = {"error": 0, "warning": 0, "note": 0}
for run in json.load(open(sys.argv[1], encoding="utf-8")).get("runs", []):
    for result in run.get("results", []):
        level = result.get("level", "warning")
        levels[level] = levels.get(level, 0) + 1
print(" ".join(f"{k}={v}" for k, v in levels.items()), f"total={sum(levels.values())}")
PY
}

# Runs one wandb-sa-lint command writing SARIF to $1; its exit code is left in $status.
run() {
  local sarif=$1; shift
  status=0
  wandb-sa-lint "$@" --format sarif -o "$sarif" --fail-on "${INPUT_FAIL_ON:-error}" --no-progress || status=$?
  if [ "$status" -ge 2 ]; then
    echo "::error::wandb-sa-lint $1 could not do its job (exit $status)"
    exit "$status"
  fi
}

scan() {
  local sarif=${INPUT_SARIF_FILE:-wandb-sa-lint.sarif}
  mkdir -p "$(dirname "$sarif")"
  local -a args=(scan "${INPUT_PATH:-.}")
  # On a pull request the configuration and baseline come from the base branch, so that the
  # change cannot switch off its own check (docs/ci-mode.md).
  if [ "${INPUT_CONFIG_FROM_BASE:-true}" = true ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
    git fetch --no-tags --depth=1 origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF"
    args+=(--config-from "origin/$GITHUB_BASE_REF")
  fi
  if [ "${INPUT_HISTORY:-false}" = true ]; then args+=(--history); fi
  # Extra arguments are split on blanks, as typed in the workflow (no globbing, no quotes).
  local -a extra=()
  read -r -a extra <<<"${INPUT_ARGS:-}"
  args+=("${extra[@]}")
  run "$sarif" "${args[@]}"
  local failed=$status
  local counts; counts=$(count "$sarif")
  output sarif-file "$sarif"
  for kv in $counts; do
    case ${kv%%=*} in total) output findings "${kv#*=}" ;; *) output "${kv%%=*}s" "${kv#*=}" ;; esac
  done
  summary "**wandb-sa-lint scan**: ${counts// /, } (fail-on: ${INPUT_FAIL_ON:-error})"

  local audit_sarif=""
  if [ -n "${INPUT_REGISTRY:-}" ]; then
    audit_sarif=${sarif%.sarif}-audit.sarif
    local -a audit=(audit --registry "$INPUT_REGISTRY")
    if [ -n "${INPUT_AUDIT_LOG:-}" ]; then audit+=(--audit-log "$INPUT_AUDIT_LOG"); fi
    run "$audit_sarif" "${audit[@]}"
    if [ "$status" -eq 1 ]; then failed=1; fi
    counts=$(count "$audit_sarif")
    summary "**wandb-sa-lint audit**: ${counts// /, }"
  fi
  output audit-sarif-file "$audit_sarif"
  output failed "$([ "$failed" -eq 1 ] && echo true || echo false)"
}

gate() {
  if [ "${INPUT_FAILED:-false}" = true ]; then
    echo "::error::wandb-sa-lint found problems at or above fail-on (${INPUT_FAIL_ON:-error}); see the SARIF results in code scanning or run wandb-sa-lint locally"
    exit 1
  fi
}

case "${1:-}" in
  install | scan | gate) "$1" ;;
  *) echo "usage: $0 install|scan|gate" >&2; exit 2 ;;
esac
