#!/usr/bin/env bash
# Runs every test of the workspace, after setting up what they need on a fresh machine:
#   bash scripts/test.sh [extra arguments for cargo test]
#
# - redis-server (the Redis session store's tests start one on a loopback port): installed
#   with apt-get when missing and running as root; otherwise the command to install it is
#   printed and those tests are reported as ignored.
# - the certified OpenID Provider (panva's oidc-provider, pinned in tests/interop): installed
#   with `npm ci --prefix tests/interop` when missing and Node.js is there; without Node.js the
#   interop tests are reported as ignored.
# Then `cargo test --workspace --all-features`, with the arguments given passed through
# (e.g. `bash scripts/test.sh -- --nocapture`). Exits with cargo's status.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

note() {
    printf '==> %s\n' "$*" >&2
}

if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        note "installing redis-server (the Redis session store's tests need it)"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server
    else
        note "redis-server is missing: the Redis session store's tests will be reported as ignored."
        note "Install it with: sudo apt-get update && sudo apt-get install -y redis-server"
    fi
fi

if [ ! -f tests/interop/node_modules/oidc-provider/package.json ]; then
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        note "npm ci --prefix tests/interop (the certified OpenID Provider for the interop tests)"
        npm ci --prefix tests/interop --no-audit --no-fund
    else
        note "Node.js (18 or newer, with npm) is missing: the interop tests will be reported as ignored."
        note "Install Node.js, then run: npm ci --prefix tests/interop"
    fi
fi

note "cargo test --workspace --all-features $*"
exec cargo test --workspace --all-features "$@"
