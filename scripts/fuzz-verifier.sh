#!/usr/bin/env bash
# Fuzzes a verifier with libFuzzer and AddressSanitizer.
# Usage: scripts/fuzz-verifier.sh [SECONDS (default 600)] [TARGET (default verifier)] [extra libFuzzer flags...]
#   TARGET verifier:    the STARK verifier (fuzz/verifier/main.swift)
#   TARGET vm-verifier: the zkVM run-proof decoder and chain verifier (fuzz/vm-verifier/main.swift)
#   TARGET recursion-verifier: the final-proof decoder and verifier of aggregated runs
#                       (fuzz/recursion-verifier/main.swift)
# Builds the modules the target needs with coverage into .build/fuzz-modules (shared by the
# targets: a module is compiled again only when one of its sources, a module compiled before
# it, or this script is newer than its object), links .build/fuzz-TARGET/fuzz-TARGET, seeds
# the corpus with honest proofs, and fuzzes on every core. Exits 1 when a worker found an input that
# traps, hangs, allocates without bound or forges a proof; the inputs land in
# .build/fuzz-TARGET/findings (replay one: .build/fuzz-TARGET/fuzz-TARGET FILE) and are kept,
# so later runs fail too until a fixed finding is deleted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-600}"
shift || true
target="${1:-verifier}"
shift || true
case "$target" in
  verifier) top=Stark; maxlen=65536; shared=() ;;
  vm-verifier) top=VMProver; maxlen=4194304; shared=("$root/fuzz/shared/Program.swift") ;;
  recursion-verifier) top=VMRecursion; maxlen=4194304; shared=("$root/fuzz/shared/Program.swift") ;;
  *) echo "unknown fuzz target $target (verifier, vm-verifier, recursion-verifier)"; exit 2 ;;
esac
mapfile -t modules < <("$root/scripts/module-order.sh" "$top")  # dependencies first, from Package.swift
[ "${#modules[@]}" -gt 0 ] || { echo "cannot derive the module order from Package.swift" >&2; exit 1; }
out="$root/.build/fuzz-$target"
modout="$root/.build/fuzz-modules"
mkdir -p "$out/corpus" "$out/findings" "$modout"
flags=(-O -wmo -parse-as-library -enforce-exclusivity=unchecked -package-name ZKProver -sanitize=fuzzer,address -I "$modout")
objects=()
rebuilt=0
for module in "${modules[@]}"; do
  obj="$modout/$module.o"
  if [ "$rebuilt" -eq 0 ] && [ -f "$obj" ] && [ -f "$modout/$module.swiftmodule" ] \
    && [ ! "${BASH_SOURCE[0]}" -nt "$obj" ] \
    && [ -z "$(find "$root/Sources/$module" -name '*.swift' -newer "$obj" | head -n 1)" ]; then
    echo "== $module is up to date"
  else
    echo "== compiling $module"
    rm -f "$obj"
    swiftc "${flags[@]}" -module-name "$module" -emit-module -emit-module-path "$modout/$module.swiftmodule" \
      -c $(find "$root/Sources/$module" -name '*.swift' | sort) -o "$obj"
    rebuilt=1
  fi
  objects+=("$obj")
done
echo "== linking the fuzz target"
swiftc -O -parse-as-library -sanitize=fuzzer,address -I "$modout" "$root/fuzz/$target/main.swift" "${shared[@]}" \
  "${objects[@]}" -o "$out/fuzz-$target" 2> "$out/link.log" \
  || { cat "$out/link.log"; exit 1; }
workers="$(nproc)"
echo "== fuzzing for $seconds s on $workers workers"
cd "$out"
rm -f fuzz-*.log
export ASAN_OPTIONS="symbolize=0:detect_leaks=0"
export ZKPROVER_FUZZ_SEEDS="$out/corpus"
status=0
./fuzz-$target -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 \
  -max_len="$maxlen" -workers="$workers" -jobs="$workers" -artifact_prefix="$out/findings/" "$@" "$out/corpus" \
  > fuzz.log 2>&1 || status=$?
for log in fuzz-*.log; do
  echo "-- $log: $(grep -E '^#[0-9]+' "$log" | tail -n 1)"
done
if [ "$status" -ne 0 ] || [ -n "$(ls -A "$out/findings")" ]; then
  echo "== findings (libFuzzer exit $status):"
  ls -l "$out/findings"
  for log in fuzz-*.log; do grep -B2 -A25 -E 'ERROR|==[0-9]+==|Fatal error|Precondition' "$log" | head -n 60 || true; done
  exit 1
fi
echo "== no findings"
