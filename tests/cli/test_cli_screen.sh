#!/usr/bin/env bash
# CLI tests for 'shinsa screen' and 'shinsa lists'. Prints one line per
# check and a closing "N passed, M failed" line.
set -u
shinsa=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() { # check NAME EXPECTED_STATUS COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $got, wanted $want"
    sed 's/^/     | /' "$work/err" | head -5
  fi
}

contains() { # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then
    passed=$((passed + 1))
    echo "ok   $1"
  else
    failed=$((failed + 1))
    echo "FAIL $1: '$3' not in $(basename "$2")"
    sed 's/^/     | /' "$2" | head -5
  fi
}

demo="$root/data/demo/demo-list.jsonl"
idx="$work/demo.idx"

check "shinsa --help" 0 "$shinsa" --help
check "unknown command" 2 "$shinsa" frobnicate
for c in "screen" "lists" "lists build" "lists info" "lists update"; do
  # shellcheck disable=SC2086
  check "shinsa $c --help" 0 "$shinsa" $c --help
done

check "lists build (demo)" 0 "$shinsa" -q lists build --out "$idx" --custom "$demo"
check "lists info --json" 0 "$shinsa" lists info --index "$idx" --json
contains "info names the demo source" "$work/out" '"name": "demo"'
check "lists build with no lists" 2 "$shinsa" lists build --out "$work/none.idx"

# A broken list: clear error with file and line, the good index untouched.
before=$(sha256sum "$idx" | cut -d' ' -f1)
{ head -3 "$demo"; echo '{"id": "bad", "name": 42}'; } >"$work/bad.jsonl"
check "lists build with a bad line fails" 1 "$shinsa" lists build --out "$idx" --custom "$work/bad.jsonl"
contains "error names file and line" "$work/err" "bad.jsonl:4"
after=$(sha256sum "$idx" | cut -d' ' -f1)
if [ "$before" = "$after" ]; then passed=$((passed + 1)); echo "ok   index unchanged after a failed build"
else failed=$((failed + 1)); echo "FAIL index changed after a failed build"; fi

check "screen, missing index" 1 "$shinsa" screen --index "$work/nope.idx" --name Kim
contains "missing index is named" "$work/err" "nope.idx"
check "screen, garbage index" 1 "$shinsa" screen --index "$demo" --name Kim
contains "garbage index is refused" "$work/err" "not a shinsa screen index"
check "screen needs a query" 2 "$shinsa" screen --index "$idx"
check "screen bad threshold" 2 "$shinsa" screen --index "$idx" --name Kim --threshold abc
check "screen bad date" 2 "$shinsa" screen --index "$idx" --name Kim --dob 31/12/1980

check "screen --json (Hangul)" 0 "$shinsa" screen --index "$idx" --name "김철웅" --json
contains "json has the entity" "$work/out" '"entity": "custom:demo-001"'
contains "json explains" "$work/out" '"why": ["name matched'
check "screen text (kana)" 0 "$shinsa" screen --index "$idx" --name "キム・チョルン"
contains "text shows the hit" "$work/out" "custom:demo-001"
check "screen crypto mixed case" 0 "$shinsa" screen --index "$idx" --crypto 0xdead00000000000000000000000000000000BEEF --json
contains "crypto exact" "$work/out" '"score": 1.000'
check "screen no hit" 0 "$shinsa" screen --index "$idx" --name "Tanaka Taro" --json
contains "empty hits" "$work/out" '"hits": []'

# Batch: one result per line, in order; a bad line gives an error object.
printf '%s\n' '{"name": "김철웅"}' 'not json' '{"name": 7}' '' '{"crypto": "TFictDemoAddressForShinsaTests1111"}' >"$work/q.jsonl"
check "batch with bad lines exits 1" 1 "$shinsa" screen --index "$idx" --file "$work/q.jsonl"
lines=$(wc -l <"$work/out")
if [ "$lines" = 4 ]; then passed=$((passed + 1)); echo "ok   batch printed 4 results"
else failed=$((failed + 1)); echo "FAIL batch printed $lines results"; fi
contains "batch line 2 error" "$work/out" '{"line": 2, "error"'
contains "batch line 3 error" "$work/out" '{"line": 3, "error": "a query field is not a string"}'
contains "batch stderr names the line" "$work/err" "q.jsonl:2"
sed -n 4p "$work/out" >"$work/last"
contains "batch keeps order" "$work/last" "custom:demo-003"
check "batch from stdin" 0 sh -c "echo '{\"name\": \"Hahn Tae-ryong\"}' | '$shinsa' screen --index '$idx' --file -"
contains "stdin batch hit" "$work/out" "custom:demo-002"

# Issue 12 F15: a bad batch line names the line and the field, and repeats
# no personal value of it (the parser's excerpt by its shape only).
printf '%s\n' '{"name": "山田 太郎" "tanaka@example.jp"}' '{"name": "Tanaka", "dob": 19850301}' >"$work/pii.jsonl"
check "batch with personal data in bad lines exits 1" 1 "$shinsa" screen --index "$idx" --file "$work/pii.jsonl"
contains "F15: stderr names line and field" "$work/err" "pii.jsonl:1: name: '}' expected near"
contains "F15: the field that is not a string" "$work/err" "pii.jsonl:2: dob: a query field is not a string"
if grep -q '山田\|太郎\|tanaka' "$work/out" "$work/err"; then
  failed=$((failed + 1)); echo "FAIL F15: a personal value in a batch error"
else passed=$((passed + 1)); echo "ok   F15: no personal value in batch errors"; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
