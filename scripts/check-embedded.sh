#!/usr/bin/env bash
# Compiles the portable modules (EVM and what it imports: Keccak, EVMPrimitives, Secp256k1,
# Precompiles) with Embedded Swift for riscv32-none-none-eabi (rv32im), in dependency order (derived
# from Package.swift by scripts/module-order.sh), as objects plus .swiftmodule files
# so that each module can import the earlier ones. Violations of the Embedded restrictions (untyped
# throws, existentials, ...) are errors. Exits non-zero on the first failure.
#
# Usage: scripts/check-embedded.sh [OUTPUT_DIR]   (default: .build/embedded-riscv32)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/.build/embedded-riscv32}"
mkdir -p "$out"
swiftc="${SWIFTC:-swiftc}"

flags=(
  -target riscv32-none-none-eabi
  -enable-experimental-feature Embedded
  -wmo -O -parse-as-library
  -Xcc -march=rv32im -Xcc -mabi=ilp32
  -Xfrontend -disable-stack-protector
  -Xfrontend -function-sections
  # Embedded restrictions (untyped throws, existentials, ...) are only warnings by default.
  -Werror EmbeddedRestrictions
  -I "$out"
)

status=0
# EVM and the modules it imports, dependencies first, as Package.swift declares them.
mapfile -t modules < <("$root/scripts/module-order.sh" EVM)
[ "${#modules[@]}" -gt 0 ] || { echo "cannot derive the module order from Package.swift" >&2; exit 1; }
for module in "${modules[@]}"; do
  dir="$root/Sources/$module"
  if [ ! -d "$dir" ]; then
    echo "skip $module (no sources)"
    continue
  fi
  mapfile -t files < <(find "$dir" -name '*.swift' | sort)
  if [ "${#files[@]}" -eq 0 ]; then
    echo "skip $module (no sources)"
    continue
  fi
  echo "compile $module (${#files[@]} files)"
  if ! "$swiftc" "${flags[@]}" -module-name "$module" -package-name ZKProver \
    -emit-module -emit-module-path "$out/$module.swiftmodule" \
    -c "${files[@]}" -o "$out/$module.o"; then
    echo "error: $module does not compile for Embedded Swift riscv32" >&2
    status=1
    break
  fi
done

if [ "$status" -eq 0 ]; then
  echo "embedded check passed: objects in $out"
fi
exit "$status"
