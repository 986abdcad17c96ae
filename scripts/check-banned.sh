#!/usr/bin/env bash
# Fails when project code calls a libc function the house style bans
# (unbounded or state-hidden): sprintf, vsprintf, strcpy, strcat, strtok,
# atoi, atol, gets. Run by ctest as test_banned_calls.
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
hits=$(grep -rnE '(^|[^A-Za-z0-9_])(v?sprintf|strcpy|strcat|strtok|atoi|atol|gets)[[:space:]]*\(' \
  --include='*.c' --include='*.h' "$root/src" "$root/include" "$root/tests" "$root/bench" "$root/fuzz" 2>/dev/null)
if [ -n "$hits" ]; then
  echo "banned calls:"
  echo "$hits"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "no banned calls in src, tests, bench, fuzz"
echo "1 passed, 0 failed"
