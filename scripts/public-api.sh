#!/usr/bin/env bash
# Checks each published crate's public API against its committed snapshot in api/<crate>.txt.
#   bash scripts/public-api.sh           # fails, printing the difference, when an API changed
#   bash scripts/public-api.sh --bless   # writes the snapshots from the code as it stands
# The list comes from rustdoc's JSON output (unstable, so RUSTC_BOOTSTRAP=1 on the stable
# toolchain), built with every feature, and is read by scripts/public_api.py: one
# `<kind> <path>` line per public item, sorted. Review a difference as an API change: a
# removed or renamed line breaks users.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CRATES=(
    tokenbridge
    tokenbridge-core
    tokenbridge-genauth
    tokenbridge-tencent-ciam
    tokenbridge-huawei-oneaccess
    tokenbridge-apple
    tokenbridge-entra
    tokenbridge-google
    tokenbridge-wechat
    tokenbridge-dingtalk
    tokenbridge-feishu
    tokenbridge-github
    tokenbridge-testkit
    tokenbridge-axum
    tokenbridge-middleware
)

bless=false
case "${1:-}" in
    --bless) bless=true ;;
    "") ;;
    *) echo "usage: $0 [--bless]" >&2; exit 2 ;;
esac

target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
mkdir -p api
changed=()
for crate in "${CRATES[@]}"; do
    RUSTC_BOOTSTRAP=1 cargo rustdoc -q -p "$crate" --all-features -- \
        -Z unstable-options --output-format json
    json="$target_dir/doc/${crate//-/_}.json"
    current="$(python3 scripts/public_api.py "$json")"
    snapshot="api/$crate.txt"
    if $bless; then
        printf '%s\n' "$current" > "$snapshot"
        echo "wrote $snapshot ($(wc -l < "$snapshot") items)"
    elif ! diff -u --label "$snapshot (committed)" --label "$crate (the code)" \
        "$snapshot" <(printf '%s\n' "$current"); then
        changed+=("$crate")
    fi
done

if ((${#changed[@]})); then
    echo >&2
    echo "The public API of ${changed[*]} differs from its snapshot (above: - committed, + the code)." >&2
    echo "If the change is intended, run: bash scripts/public-api.sh --bless, and commit api/." >&2
    exit 1
fi
$bless || echo "public API unchanged: ${CRATES[*]}"
