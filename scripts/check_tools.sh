#!/usr/bin/env bash
# Fail early, with the Debian package names, if the simulator toolchain is missing or too old.
set -euo pipefail
hint="install with: sudo apt-get install verilator g++ make (Debian 12 / Ubuntu 24.04 ship Verilator >= 5.006)"
if ! command -v verilator >/dev/null 2>&1; then
  echo "pdswap: Verilator not found on PATH; $hint" >&2; exit 1
fi
ver=$(verilator --version | sed -n 's/^Verilator \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r major minor <<<"${ver:-0 0}"
if (( major < 5 || (major == 5 && 10#$minor < 6) )); then
  echo "pdswap: need Verilator >= 5.006, found $(verilator --version); $hint" >&2; exit 1
fi
for t in g++ make; do
  command -v "$t" >/dev/null 2>&1 || { echo "pdswap: $t not found; $hint" >&2; exit 1; }
done
