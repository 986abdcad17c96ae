#!/usr/bin/env bash
# Runs every engine's benchmark that has been built (bench/<engine>/).
set -euo pipefail
build=${1:-build}
for b in "$build"/bench/*/bench_*; do
  [ -x "$b" ] || continue
  echo "### $(basename "$b")"
  "$b"
  echo
done
