#!/usr/bin/env bash
# Runs every libFuzzer target briefly over its seed corpus: a regression
# check that the seeds still pass and that a few seconds of mutation find
# nothing, with the coverage each target reached. Seeds are the committed
# fuzz/corpus/<target>/ and, for the binary formats, those the build wrote
# (build-fuzz/fuzz/seeds/<target>/, see fuzz/seeds/make_seeds.c). Longer
# campaigns: run a target by hand over both folders without -max_total_time.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
count=0
failed=0
for src in "$root"/fuzz/*.c; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .c)
  bin="$build/fuzz/$name"
  corpus="$root/fuzz/corpus/$name"
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  seeds="$build/fuzz/seeds/$name"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  echo "fuzz: $name for ${seconds}s" >&2
  if ! "$bin" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
       -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
    echo "fuzz: $name FAILED; log:" >&2
    tail -40 "$work.log" >&2
    status=1
    failed=$((failed + 1))
  else
    count=$((count + 1))
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work.log" | tail -1 || true)
    echo "fuzz: $name: ${cov:-no coverage line}" >&2
  fi
  rm -rf "$work" "$work.log"
done
echo "fuzz: $count passed, $failed failed"
exit $status
