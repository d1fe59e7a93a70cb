#!/usr/bin/env bash
# Object cache for Verilator's runtime library (verilated*.cpp), shared by every build directory.
#
# Verilator's generated Makefile prefixes each compile with $(OBJCACHE); tb/common/runner.py sets
# OBJCACHE to this script. The runtime sources under Verilator's include directory are the same
# for every block and parameter set, yet each build compiled them again (~11 s per build, ~40
# builds in `make test`). Their objects are cached here, keyed by a hash of the preprocessed
# source and the full compiler command line, so a cached object is exactly what the compiler
# would produce. Everything else (the generated model, cocotb's verilator.cpp, which includes the
# model's header) is compiled as usual.
#
# Usage (by make): objcache.sh <compiler> <args...> -c -o <obj> <src>
set -euo pipefail

cache_dir="${PDSWAP_OBJCACHE_DIR:?PDSWAP_OBJCACHE_DIR not set}"
args=("$@")
n=${#args[@]}
src="${args[n-1]}"
obj=""
for ((i = 0; i < n - 1; i++)); do
    if [[ "${args[i]}" == "-o" ]]; then obj="${args[i+1]}"; fi
done

verilator_inc="$(dirname "$(dirname "$(realpath "$(command -v verilator)")")")/share/verilator/include"
case "$src" in
    "$verilator_inc"/*.cpp) ;;
    *) exec "$@" ;;
esac
[[ -n "$obj" ]] || exec "$@"

# The key: the command line without -c / -MMD / -o <obj> (the object's name is the same in every
# build), then the preprocessed source.
pre_args=()
for ((i = 0; i < n; i++)); do
    case "${args[i]}" in
        -c | -MMD) ;;
        -o) i=$((i + 1)) ;;
        *) pre_args+=("${args[i]}") ;;
    esac
done
key=$( { printf '%s\n' "${pre_args[@]}"; "${pre_args[@]}" -E -P 2>/dev/null; } | sha1sum | cut -c1-40)

mkdir -p "$cache_dir"
dep="${obj%.o}.d"
if [[ -f "$cache_dir/$key.o" && -f "$cache_dir/$key.d" ]]; then
    cp "$cache_dir/$key.o" "$obj"
    cp "$cache_dir/$key.d" "$dep"
    exit 0
fi
"$@"
tmp="$cache_dir/.tmp.$$"
cp "$obj" "$tmp.o"
if [[ -f "$dep" ]]; then cp "$dep" "$tmp.d"; else : > "$tmp.d"; fi
mv -f "$tmp.o" "$cache_dir/$key.o"
mv -f "$tmp.d" "$cache_dir/$key.d"
