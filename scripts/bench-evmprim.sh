#!/usr/bin/env bash
# Builds benchmarks/evmprim (release: -O -wmo, no exclusivity checks) against Keccak, EVMPrimitives
# and Secp256k1 and prints the speed figures. Usage: scripts/bench-evmprim.sh [OUTPUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/.build/bench-evmprim}"
mkdir -p "$out"
flags=(-O -wmo -parse-as-library -enforce-exclusivity=unchecked -package-name ZKProver -I "$out")
for module in Keccak EVMPrimitives Secp256k1; do
  swiftc "${flags[@]}" -module-name "$module" -emit-module -emit-module-path "$out/$module.swiftmodule" \
    -c "$root"/Sources/"$module"/*.swift -o "$out/$module.o"
done
swiftc -O -I "$out" "$root/benchmarks/evmprim/main.swift" "$out/Keccak.o" "$out/EVMPrimitives.o" \
  "$out/Secp256k1.o" -o "$out/bench-evmprim"
"$out/bench-evmprim"
