#!/usr/bin/env bash
# Prints the package's own modules that TARGET... need, dependencies first (each after every module
# it imports), one per line, derived from Package.swift (`swift package dump-package`): scripts that
# compile modules one by one (check-embedded.sh, fuzz-verifier.sh) read their order here instead of
# hard-coding it.
#
# Usage: scripts/module-order.sh TARGET [TARGET...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "$#" -gt 0 ] || { echo "usage: $0 TARGET [TARGET...]" >&2; exit 2; }
(cd "$root" && swift package dump-package) | python3 -c '
import json, sys
targets = {t["name"]: t for t in json.load(sys.stdin)["targets"]}
def deps(name):
    for d in targets[name]["dependencies"]:
        kind, value = next(iter(d.items()))
        if kind in ("byName", "target") and value[0] in targets:
            yield value[0]
order, state = [], {}
def visit(name):
    if state.get(name) == "done":
        return
    if state.get(name) == "visiting":
        sys.exit(f"dependency cycle through {name}")
    state[name] = "visiting"
    for d in deps(name):
        visit(d)
    state[name] = "done"
    if targets[name].get("type") == "regular":
        order.append(name)
for name in sys.argv[1:]:
    if name not in targets:
        sys.exit(f"no target {name} in Package.swift")
    visit(name)
print("\n".join(order))
' "$@"
