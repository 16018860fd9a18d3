#!/usr/bin/env bash
# The coordinator's OpenAPI document is its contract: start a coordinator on a fresh SQLite
# database, log a funded node in, and run schemathesis with every check (`--checks all`) against
# the served /openapi.yaml for a bounded time. Fails on any schemathesis failure, or when the
# coordinator dies or its ledger no longer balances afterwards.
#
#   bash scripts/api-contract.sh [SECONDS]      (default 120; needs `pip install schemathesis`)
#
# ZKPROVER_BIN picks the executable (default .build/debug/zkprover, built when missing).
#
# One worker: with two, hypothesis describes its strategies' lambdas with `ast.parse` from two
# threads at once, and CPython 3.11 (CI has 3.11.7) keeps the AST converter's recursion depth in
# interpreter-wide state, so that can fail with "SystemError: AST constructor recursion depth
# mismatch" (cpython gh-106905). That is a runtime error inside the tool, not a finding about the
# API, and it failed a CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${1:-120}"
bin="${ZKPROVER_BIN:-.build/debug/zkprover}"
[ -x "$bin" ] || swift build --product zkprover
command -v st >/dev/null || { echo "schemathesis is not installed: pip install schemathesis" >&2; exit 2; }

dir="$(mktemp -d)"
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

"$bin" coordinator --database "$dir/c.sqlite" --port 0 --port-file "$dir/port" \
    --faucet 1000000 --lease-seconds 30 --log-level error >"$dir/coordinator.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { echo "coordinator did not start:" >&2; cat "$dir/coordinator.log" >&2; exit 1; }
url="http://127.0.0.1:$(cat "$dir/port")"
token="$("$bin" network login --coordinator "$url" --key "$dir/node.key" --faucet 100000)"
echo "== schemathesis --checks all against $url for ${budget}s"

status=0
st --config-file scripts/schemathesis.toml run "$url/openapi.yaml" --url "$url" \
    --checks all --max-time "$budget" --workers 1 --exclude-path /v1/events \
    --header "Authorization: Bearer $token" --suppress-health-check all \
    --request-timeout 20 --no-color || status=$?

if ! kill -0 "$pid" 2>/dev/null; then
    echo "the coordinator died during the run:" >&2
    tail -n 50 "$dir/coordinator.log" >&2
    exit 1
fi
if ! python3 - "$url/v1/ledger?limit=1" <<'PY'
import json, sys, urllib.request
check = json.load(urllib.request.urlopen(sys.argv[1], timeout=30))["check"]
if check["total"] != 0 or check["problems"]:
    sys.exit(f"the ledger does not balance after the run: {check}")
PY
then
    exit 1
fi
echo "coordinator alive, ledger balanced"
exit "$status"
