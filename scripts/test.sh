#!/usr/bin/env bash
# Runs every test of the workspace, after setting up what they need on a fresh machine:
#   bash scripts/test.sh [extra arguments for cargo test]
#
# - redis-server (the Redis stores' tests start one on a loopback port) and chromium (the
#   browser tests drive examples/web_app.rs in it, headless): installed with apt-get when
#   missing and running as root; otherwise the command to install them is printed and those
#   tests are reported as ignored.
# - the certified OpenID Provider (panva's oidc-provider, pinned in tests/interop) and
#   playwright-core (pinned in tests/browser; it downloads no browser): installed with `npm ci`
#   when missing and Node.js is there; without Node.js those tests are reported as ignored.
# Then `cargo test --workspace --all-features`, with the arguments given passed through
# (e.g. `bash scripts/test.sh -- --nocapture`). Exits with cargo's status.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

note() {
    printf '==> %s\n' "$*" >&2
}

chromium="${TOKENBRIDGE_CHROMIUM:-/usr/bin/chromium}"
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x "$chromium" ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        note "installing ${missing[*]} (the Redis stores' tests and the browser tests need them)"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    else
        note "${missing[*]} missing: the tests that need them will be reported as ignored."
        note "Install with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    fi
fi

for pinned in interop/oidc-provider browser/playwright-core; do
    dir="tests/${pinned%%/*}"
    [ -f "$dir/node_modules/${pinned#*/}/package.json" ] && continue
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        note "npm ci --prefix $dir"
        npm ci --prefix "$dir" --no-audit --no-fund
    else
        note "Node.js (18 or newer, with npm) is missing: the tests that need $dir are reported as ignored."
        note "Install Node.js, then run: npm ci --prefix $dir"
    fi
done

note "cargo test --workspace --all-features $*"
exec cargo test --workspace --all-features "$@"
