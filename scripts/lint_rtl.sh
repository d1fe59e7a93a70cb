#!/usr/bin/env bash
# verilator --lint-only -Wall on every RTL module, each as its own top, with all RTL visible.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t pkgs < <(find rtl -name '*_pkg.sv' | sort)
mapfile -t files < <(find rtl -name '*.sv' ! -name '*_pkg.sv' | sort)
incdirs=$(find rtl -type d | sed 's/^/-I/' | tr '\n' ' ')
fail=0
for f in "${files[@]}"; do
  top=$(basename "$f" .sv)
  if ! out=$(verilator --lint-only -Wall $incdirs "${pkgs[@]}" "${files[@]}" --top-module "$top" 2>&1); then
    echo "LINT FAIL $f"; echo "$out"; fail=1
  else
    echo "lint ok   $f"
  fi
done
exit $fail
