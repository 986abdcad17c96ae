#!/usr/bin/env bash
# shinsa mail check end to end: verdict exit codes, JSON, mbox, stdin,
# errors and usage.
set -u
bin=$1
corpus=$2
pass=0
fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
run() { "$bin" mail check --indicators none "$@" >"$t/out" 2>"$t/err"; echo $?; }

printf 'From: Taro <taro@example.co.jp>\nSubject: hi\n\nmeeting at ten\n' >"$t/clean.eml"
[ "$(run "$t/clean.eml")" = 0 ] && ok || bad "clean mail: exit 0"
grep -q 'clean' "$t/out" && ok || bad "clean mail: text report"
[ "$(run --json "$corpus/fuzz_mail_message/multipart_lnk.eml")" = 4 ] && ok || bad "lnk mail: exit 4"
grep -q '"id":"attach_lnk_command"' "$t/out" && ok || bad "lnk mail: JSON signal"
[ "$(run --lang ja <"$corpus/fuzz_mail_message/multipart_lnk.eml")" = 4 ] && ok || bad "stdin"
grep -q 'ショートカット' "$t/out" && ok || bad "Japanese sentences"
[ "$(run --mbox --json "$corpus/fuzz_mail_mbox/two.mbox")" = 0 ] && ok || bad "mbox: exit 0"
[ "$(grep -c '"message"' "$t/out")" = 2 ] && ok || bad "mbox: two results"
grep -q 'two.mbox:2' "$t/out" && ok || bad "mbox: message names"
[ "$(run "$t/missing.eml")" = 1 ] && ok || bad "missing file: exit 1"
[ "$(run --lang fr "$t/clean.eml")" = 2 ] && ok || bad "bad --lang: exit 2"
"$bin" mail check --help >"$t/out" 2>&1 && grep -q 'Exit status' "$t/out" && ok || bad "help"
[ "$(run --mbox "$t/clean.eml")" = 1 ] && ok || bad "not an mbox: exit 1"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
