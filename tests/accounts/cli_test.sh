#!/usr/bin/env bash
# shinsa accounts end to end on tests/data/accounts/sample.jsonl (the
# example of docs/events.md plus one bad line): exit codes, the summary,
# the reject file, idempotent re-ingest, show in text and JSON, score,
# explain, alerts and the config check.
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

export SHINSA_DATA_DIR="$work/data" # no default screen index: hermetic
"$shinsa" accounts score --db "$work/a.db" --json >"$work/score.json" 2>"$work/score.err"
check "score exits 0" "[ $? -eq 0 ]"
check "score --json shape" "python3 -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1])]; \
assert [o[\"account\"] for o in L]==[\"a1\",\"a2\"]; \
assert all(0<=o[\"score\"]<=1 and o[\"level\"] in (\"ok\",\"review\",\"block\") for o in L); \
assert all(s[\"signal\"]!=\"underpriced\" for o in L for s in o[\"signals\"]); \
assert all(set(s)=={\"signal\",\"score\",\"weight\",\"evidence\"} and 0<s[\"score\"]<=1 and isinstance(s[\"evidence\"],dict) for o in L for s in o[\"signals\"])' '$work/score.json'"
check "score summary on stderr" "grep -q 'accounts score: 2 accounts (6 events)' '$work/score.err'"
"$shinsa" accounts score --db "$work/a.db" --account nobody >/dev/null 2>&1
check "score of an unknown account exits 1" "[ $? -eq 1 ]"
"$shinsa" accounts explain --db "$work/a.db" a1 >"$work/explain.txt"
check "explain exits 0" "[ $? -eq 0 ]"
check "explain names the account" "grep -q '^account a1: score ' '$work/explain.txt'"
"$shinsa" accounts explain --db "$work/a.db" --lang ja a1 >"$work/explain-ja.txt"
check "explain --lang ja" "grep -q '^アカウント a1: スコア ' '$work/explain-ja.txt'"
"$shinsa" accounts explain --db "$work/a.db" --lang fr a1 >/dev/null 2>&1
check "explain --lang fr exits 2" "[ $? -eq 2 ]"
"$shinsa" alerts list --db "$work/a.db" --json >"$work/alerts.json"
check "alerts list exits 0" "[ $? -eq 0 ]"
"$shinsa" alerts list --db "$work/a.db" --level sometimes >/dev/null 2>&1
check "alerts list --level sometimes exits 2" "[ $? -eq 2 ]"
"$shinsa" alerts --help >/dev/null
check "alerts --help exits 0" "[ $? -eq 0 ]"
printf '{"signals": {"underpriced": {"ratoi": 0.3}}}' >"$work/bad.json"
"$shinsa" accounts score --db "$work/a.db" --config "$work/bad.json" 2>"$work/cfg.err" >/dev/null
check "bad config exits 1" "[ $? -eq 1 ]"
check "bad config names file and key" "grep -q 'bad.json: key signals.underpriced.ratoi: unknown parameter' '$work/cfg.err'"
"$shinsa" accounts score --db "$work/a.db" --threads 2.5 2>"$work/thr.err" >/dev/null
check "--threads 2.5 is refused" "[ $? -eq 2 ] && grep -q 'whole number from 1 to 64' '$work/thr.err'"
"$shinsa" accounts score --db "$work/a.db" --threads 65 2>/dev/null >/dev/null
check "--threads 65 is refused" "[ $? -eq 2 ]"
"$shinsa" accounts score --db "$work/a.db" --no-alerts --threads 3 >"$work/t3.txt" 2>/dev/null
check "--threads 3 scores" "[ $? -eq 0 ]"
printf '{"signals": {"underpriced": {"ratio": 1.7}}}' >"$work/range.json"
"$shinsa" accounts config --check "$work/range.json" 2>"$work/range.err" >/dev/null
check "out-of-range parameter exits 1" "[ $? -eq 1 ]"
check "out-of-range parameter names file, key and range" "grep -q 'range.json: key signals.underpriced.ratio: 1.7 is out of range 0..1' '$work/range.err'"
"$shinsa" accounts config --defaults >"$work/defaults.json"
check "config --defaults is JSON" "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$work/defaults.json'"
check "config --defaults lists every signal's parameters" "python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))[\"signals\"]; assert len(s)==13 and s[\"underpriced\"]==dict(weight=1,ratio=0.4,min_bids=20) and s[\"session_anomaly\"][\"max_logins\"]==2000' '$work/defaults.json'"
"$shinsa" accounts config --check "$work/defaults.json" >/dev/null
check "config --check of the defaults exits 0" "[ $? -eq 0 ]"
"$shinsa" accounts score --help >/dev/null
check "score --help exits 0" "[ $? -eq 0 ]"

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

# Issue 12 F15: an error about a bad line names file, line and field, and
# repeats no personal value of it (the excerpt only by its shape): in the
# rejects of ingest and in what link build says.
printf '%s\n' \
  '{"event":"account","id":"p1","time":"2026-03-01T09:00:00Z","account":"p1","name":"山田\u0000太郎"}' \
  '{"event":"account","id":"p2","time":"2026-03-01T09:00:00Z","account":"p2","email":"tanaka.taro@ex' \
  '{"event":"account","id":"p3","time":"2026-03-01T09:00:00Z","account":"p3","山田太郎":1}' \
  >"$work/pii.jsonl"
"$shinsa" accounts ingest --db "$work/pii.db" --rejects "$work/pii.rej" "$work/pii.jsonl" \
  2>/dev/null
check "F15: NUL in a name: line and field" "grep -q '^{\"line\":1,\"field\":\"name\",\"reason\":\"invalid JSON' '$work/pii.rej'"
check "F15: a cut e-mail: the field" "grep -q '^{\"line\":2,\"field\":\"email\"' '$work/pii.rej'"
check "F15: a name as a key: by its shape" "grep -q '^{\"line\":3,\"field\":\"\\*\\*\\*\\*\",\"reason\":\"unknown field' '$work/pii.rej'"
"$shinsa" link build --events "$work/pii.jsonl" --out "$work/pii.linkdb" 2>"$work/pii.err"
check "F15: link names file, line and field" "grep -q 'pii.jsonl:1: name: invalid JSON' '$work/pii.err' && grep -q 'pii.jsonl:2: email: invalid JSON' '$work/pii.err'"
check "F15: no personal value in the errors" "! grep -q '山田\\|太郎\\|tanaka' '$work/pii.err' '$work/pii.rej'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
