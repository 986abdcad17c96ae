#!/usr/bin/env bash
# Issue 12 F3: output that cannot be written is an error. Every command
# below writes to /dev/full (a full disk) and must exit 1 saying so; a batch
# must stop early. Also: a batch whose input cannot be read fails.
#   test_cli_output.sh SHINSA SOURCE_ROOT
set -u
shinsa=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SHINSA_DATA_DIR="$work/data" # hermetic: no default index or database
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; sed 's/^/     | /' "$work/err" | head -5; }

full() { # full NAME COMMAND...: exit 1 and the message when stdout is /dev/full
  local name=$1
  shift
  "$@" >/dev/full 2>"$work/err"
  local got=$?
  if [ "$got" = 1 ] && grep -q '^shinsa: cannot write standard output: No space left on device$' "$work/err"; then
    ok "$name > /dev/full"
  else
    echo "     exit $got"
    bad "$name > /dev/full"
  fi
}

if [ ! -w /dev/full ]; then
  echo "SKIP: no /dev/full"
  exit 0
fi

# inputs: a screen index, a trace graph, an accounts database, a LINKDB
"$shinsa" -q lists build --out "$work/idx" --custom "$root/data/demo/demo-list.jsonl" >/dev/null
"$shinsa" -q trace import --transfers "$root/tests/data/trace/example.csv" \
  --labels "$root/tests/data/trace/labels.csv" --out "$work/g" >/dev/null
"$shinsa" -q accounts ingest --db "$work/a.db" "$root/tests/data/accounts/sample.jsonl" 2>/dev/null
"$shinsa" -q link build --events "$root/data/demo/link-events.jsonl" --out "$work/link" \
  >/dev/null 2>&1 # the sample has one bad line on purpose: exit 1, LINKDB written
for f in "$work/idx" "$work/g" "$work/a.db" "$work/link"; do
  [ -s "$f" ] || { echo "FAIL setup: $f not written"; exit 1; }
done

full "screen --name --json" "$shinsa" screen --index "$work/idx" --name "김철웅" --json
full "screen --name (text)" "$shinsa" screen --index "$work/idx" --name "김철웅"
printf '{"name": "Kim"}\n' >"$work/q1.jsonl"
full "screen --file (one line)" "$shinsa" screen --index "$work/idx" --file "$work/q1.jsonl"
full "lists info" "$shinsa" lists info --index "$work/idx"
full "lists info --json" "$shinsa" lists info --index "$work/idx" --json
printf '私は 日本に 行きます。\n' >"$work/t.txt"
full "text check" "$shinsa" text check "$work/t.txt"
full "text check --json" "$shinsa" text check --json "$work/t.txt"
full "trace run --json" "$shinsa" trace run --graph "$work/g" --source S --json
full "trace run (text)" "$shinsa" trace run --graph "$work/g" --source S
full "trace exposure" "$shinsa" trace exposure --graph "$work/g" --source S X
full "accounts score --json" "$shinsa" accounts score --db "$work/a.db" --json --no-alerts
full "alerts list" "$shinsa" alerts list --db "$work/a.db"
full "link export" "$shinsa" link export --db "$work/link" --format json
full "image hash" "$shinsa" image hash "$root/tests/data/image/rgb.png"
full "--help" "$shinsa" --help

# A long batch stops at the first failed write instead of screening on.
for i in $(seq 1 5000); do echo '{"name": "Kim Chol"}'; done >"$work/q.jsonl"
"$shinsa" -v screen --index "$work/idx" --file "$work/q.jsonl" >/dev/full 2>"$work/err"
done_count=$(sed -n 's/^screening: \([0-9]*\) done$/\1/p' "$work/err" | tail -1)
if [ -n "$done_count" ] && [ "$done_count" -lt 5000 ]; then ok "screen --file stops early ($done_count of 5000)"
else bad "screen --file stops early (done: '$done_count')"; fi
for i in $(seq 1 3000); do echo '私は 日本に 行きます。'; done >"$work/lines.txt"
full "text check --lines (long)" "$shinsa" text check --lines --json "$work/lines.txt"

# Issue 12 F4: a batch from a folder is a read error, not "0 done".
"$shinsa" screen --index "$work/idx" --file "$work" >/dev/null 2>"$work/err"
if [ $? = 1 ] && grep -q "cannot read" "$work/err"; then ok "screen --file DIR fails"
else bad "screen --file DIR fails"; fi

# The same commands to a working stdout still exit 0.
"$shinsa" screen --index "$work/idx" --name "김철웅" --json >"$work/out" 2>"$work/err" &&
  grep -q '"entity": "custom:demo-001"' "$work/out" && ok "screen to a file" || bad "screen to a file"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
