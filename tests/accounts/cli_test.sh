#!/usr/bin/env bash
# shinsa accounts end to end on tests/data/accounts/sample.jsonl (the
# example of docs/events.md plus one bad line): exit codes, the summary,
# the reject file, idempotent re-ingest, show in text and JSON.
set -u
shinsa=$1
sample=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
check() { # name, condition (a command)
  if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1" >&2; fail=$((fail + 1)); fi
}

"$shinsa" accounts ingest --db "$work/a.db" --events "$sample" --rejects "$work/rej.jsonl" \
  2>"$work/err1"
check "ingest exits 0 with a rejected line" "[ $? -eq 0 ]"
check "summary counts" "grep -q '7 lines, 6 events loaded, 0 already stored, 1 rejected' '$work/err1'"
check "reject names line, field, reason" \
  "grep -qx '{\"line\":6,\"field\":\"currency\",\"reason\":\"missing\"}' '$work/rej.jsonl'"

"$shinsa" accounts ingest --db "$work/a.db" "$sample" 2>"$work/err2"
check "re-ingest (positional FILE) exits 0" "[ $? -eq 0 ]"
check "re-ingest adds nothing" "grep -q '0 events loaded, 6 already stored' '$work/err2'"

"$shinsa" accounts show --db "$work/a.db" a1 >"$work/show.txt"
check "show exits 0" "[ $? -eq 0 ]"
check "show summary line" "grep -q '^account a1: 5 events from 2026-03-01T09:00:00+09:00' '$work/show.txt'"
check "show lists the payout" "grep -q ' payout .* e5 ' '$work/show.txt'"

"$shinsa" accounts show --db "$work/a.db" --json a1 >"$work/show.json"
check "show --json exits 0" "[ $? -eq 0 ]"
check "show --json shape" "python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); \
assert o[\"account\"]==\"a1\" and o[\"n_events\"]==5 and [e[\"id\"] for e in o[\"events\"]]==[\"e1\",\"e2\",\"e3\",\"e4\",\"e5\"]' '$work/show.json'"

"$shinsa" accounts signals --db "$work/a.db" a1 >"$work/signals.json"
check "signals exits 0" "[ $? -eq 0 ]"
check "signals shape" "python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); \
assert o[\"account\"]==\"a1\" and [s[\"signal\"] for s in o[\"signals\"]]==[\"underpriced\",\"dup_id_image\"]; \
assert all(0<=s[\"score\"]<=1 and s[\"weight\"]>0 and isinstance(s[\"evidence\"],dict) for s in o[\"signals\"])' '$work/signals.json'"
"$shinsa" accounts signals --db "$work/a.db" nobody >/dev/null 2>&1
check "signals of an unknown account exits 1" "[ $? -eq 1 ]"

"$shinsa" accounts show --db "$work/a.db" nobody >/dev/null 2>&1
check "unknown account exits 1" "[ $? -eq 1 ]"
"$shinsa" accounts ingest --db "$work/a.db" >/dev/null 2>&1
check "ingest without a file exits 2" "[ $? -eq 2 ]"
"$shinsa" accounts frobnicate >/dev/null 2>&1
check "unknown subcommand exits 2" "[ $? -eq 2 ]"
"$shinsa" accounts --help >/dev/null
check "--help exits 0" "[ $? -eq 0 ]"
"$shinsa" accounts ingest --db "$work/a.db" "$work/missing.jsonl" >/dev/null 2>&1
check "missing events file exits 1" "[ $? -eq 1 ]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
