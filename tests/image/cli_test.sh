#!/usr/bin/env bash
# End-to-end checks of `shinsa image`: the JSON shapes scripts rely on, exit
# codes, and the issue's demo: an index of ID images in which a shrunk and a
# blurred copy of one of them is found.
#   cli_test.sh SHINSA PDQ_DATA_DIR FIXTURE_DIR
set -u
shinsa=$1
pdq=$2
fix=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
passes=0
check() { # name, command...
  local name=$1
  shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name" >&2; fails=$((fails + 1)); fi
}
has() { grep -q -- "$2" <<<"$1"; }

# hash: one object per file, error objects and a non-zero exit at the end.
out=$("$shinsa" image hash "$fix/rgb.png" "$fix/truncated.jpg" "$fix/lossy.webp" --json 2>/dev/null)
rc=$?
check "hash exit code" test "$rc" -eq 1
check "hash line count" test "$(wc -l <<<"$out")" -eq 3
check "hash shape" has "$(sed -n 1p <<<"$out")" \
  '^{"file": ".*rgb.png", "pdq": "[0-9a-f]\{64\}", "quality": [0-9]*, "width": 96, "height": 64}$'
check "hash error shape" has "$(sed -n 2p <<<"$out")" '^{"file": ".*truncated.jpg", "error": ".*"}$'
out=$("$shinsa" image hash "$fix/rgb.png" 2>&1)
check "hash ok exit" test $? -eq 0
helps() { "$shinsa" image "$1" --help | grep -q "^usage: shinsa image $1"; }
for sub in hash match add remove stats check; do
  check "$sub --help" helps "$sub"
done
"$shinsa" image hash >/dev/null 2>&1
check "hash without files is a usage error" test $? -eq 2
"$shinsa" image match "$fix/rgb.png" >/dev/null 2>&1
check "match without --index is a usage error" test $? -eq 2
"$shinsa" image bogus >/dev/null 2>&1
check "unknown subcommand" test $? -eq 2
"$shinsa" image match --index "$work/none.idx" "$fix/rgb.png" >/dev/null 2>&1
check "missing index fails" test $? -eq 1

# add / match / remove / stats on the fixtures.
idx=$work/ids.idx
"$shinsa" image add --index "$idx" --owner acct-1 "$fix/rgb.png" --json >/dev/null
check "add" test $? -eq 0
"$shinsa" image add --index "$idx" --owner acct-2 --hash "$(printf '0%.0s' {1..64})" >/dev/null
check "add --hash" test $? -eq 0
"$shinsa" image add --index "$idx" --owner acct-3 "$fix/truncated.png" >/dev/null 2>&1
check "add of a broken file fails" test $? -eq 1
out=$("$shinsa" image match --index "$idx" "$fix/rgb.jpg" --json)
check "match shape" has "$out" \
  '^{"file": ".*rgb.jpg", "pdq": "[0-9a-f]\{64\}", "matches": \[{"owner": "acct-1", "distance": [0-9]*}\]}$'
out=$("$shinsa" image match --index "$idx" --hash "$(printf '0%.0s' {1..64})" --max-distance 0 --json)
check "match --hash" has "$out" '"matches": \[{"owner": "acct-2", "distance": 0}\]'
out=$("$shinsa" image remove --index "$idx" --owner acct-1 --json)
check "remove shape" has "$out" '^{"owner": "acct-1", "removed": 1}$'
out=$("$shinsa" image match --index "$idx" "$fix/rgb.jpg" --json)
check "removed owner no longer matches" has "$out" '"matches": \[\]'
out=$("$shinsa" image stats --index "$idx" --json)
check "stats shape" has "$out" '^{"index": ".*", "hashes": 1, "owners": 1, "removed": 1, '

# Index files are 0600 whatever the umask (issue 12 F15).
(umask 022 && "$shinsa" image add --index "$work/mode.idx" --owner m --hash "$(printf '1%.0s' {1..64})" >/dev/null)
check "new index is 0600 under umask 022" test "$(stat -c %a "$work/mode.idx")" = 600

# A FIFO without a writer is refused at once, never waited on (F13).
mkfifo "$work/fifo"
timeout 10 "$shinsa" image match --index "$work/fifo" --hash "$(printf '0%.0s' {1..64})" >/dev/null 2>&1
check "match --index FIFO fails without blocking" test $? -eq 1
timeout 10 "$shinsa" image add --index "$work/fifo" --owner x --hash "$(printf '0%.0s' {1..64})" >/dev/null 2>&1
check "add --index FIFO fails without blocking" test $? -eq 1
out=$(timeout 10 "$shinsa" image hash "$work/fifo" 2>&1)
check "hash FIFO fails without blocking" test $? -eq 1
check "hash FIFO says why" has "$out" "not a regular file"
timeout 10 "$shinsa" image add --index "$idx" --owner x "$work/fifo" >/dev/null 2>&1
check "add of a FIFO image fails without blocking" test $? -eq 1

# check: a clean index; a flipped bit (F9): reported with its offset, the
# other records still match, --repair keeps them and drops the damage.
out=$("$shinsa" image check --index "$idx" --json)
check "check clean exit" test $? -eq 0
check "check shape" has "$out" \
  '^{"index": ".*", "intact_records": 3, "hashes": 1, "removed": 1, "damaged_records": 0, "damaged": \[\], "torn_bytes": 0, "unscrubbed": 0, "file_bytes": [0-9]*, "repaired": false}$'
dmg=$work/dmg.idx
for o in d-1 d-2 d-3; do
  "$shinsa" image add --index "$dmg" --owner "$o" --hash "$(printf "${o: -1}%.0s" {1..64})" >/dev/null
done
printf 'X' | dd of="$dmg" bs=1 seek=70 conv=notrunc status=none # in the first record
err=$("$shinsa" image match --index "$dmg" --hash "$(printf '2%.0s' {1..64})" --max-distance 0 --json 2>&1 >/dev/null)
check "a damaged record is a warning naming its offset" has "$err" "damaged record at byte 32 (55 bytes) skipped"
out=$("$shinsa" image match --index "$dmg" --hash "$(printf '2%.0s' {1..64})" --max-distance 0 --json 2>/dev/null)
check "the other records still match" has "$out" '"matches": \[{"owner": "d-2", "distance": 0}\]'
out=$("$shinsa" image check --index "$dmg" 2>&1)
check "check finds damage: exit 1" test $? -eq 1
check "check names the offset" has "$out" "damaged: byte 32, 55 bytes"
out=$("$shinsa" image check --index "$dmg" --repair --json)
check "check --repair exit 0" test $? -eq 0
check "check --repair shape" has "$out" '"damaged_records": 1, "damaged": \[{"offset": 32, "bytes": 55}\].*"repaired": true, "after": {"intact_records": 2, "hashes": 2, "file_bytes": 142}}$'
"$shinsa" image check --index "$dmg" >/dev/null
check "clean after repair" test $? -eq 0
check "no temporary file left" test -z "$(ls -A "$work" | grep tmp)"
"$shinsa" image check --index "$work/none.idx" --repair >/dev/null 2>&1
check "check of a missing index fails" test $? -eq 1
check "check does not create the index" test ! -e "$work/none.idx"
printf 'X' | dd of="$dmg" bs=1 seek=20 conv=notrunc status=none # the file's own header
out=$("$shinsa" image check --index "$dmg" --repair 2>&1)
check "a damaged file header is an error" test $? -eq 1
check "a damaged file header says so" has "$out" "header checksum fails"

# The demo: a licence-like image on one account, its shrunk and blurred
# re-uploads found among unrelated images.
if [ -d "$pdq/images" ]; then
  demo=$work/demo.idx
  b=$pdq/images/bridge-mods
  l=$pdq/images/reg-test-input/labelme-subset
  "$shinsa" image add --index "$demo" --owner acct-licence "$b/aaa-orig.jpg" >/dev/null
  "$shinsa" image add --index "$demo" --owner acct-other-1 "$l/q0122.jpg" "$l/q0291.jpg" >/dev/null
  "$shinsa" image add --index "$demo" --owner acct-other-2 "$pdq/images/reg-test-input/pen-and-coaster.png" >/dev/null
  out=$("$shinsa" image match --index "$demo" "$b/shrink-a-lot.jpg" "$b/blur-a-lot.jpg" --json)
  echo "$out"
  check "demo: shrunk copy found" has "$(sed -n 1p <<<"$out")" '"matches": \[{"owner": "acct-licence", "distance": [0-9]*}\]}$'
  check "demo: blurred copy found" has "$(sed -n 2p <<<"$out")" '"matches": \[{"owner": "acct-licence", "distance": [0-9]*}\]}$'
  # a turned copy: missed by the plain hash, found with --dihedral
  rot=$pdq/images/reg-test-input/dih/bridge-2-rotate-90.jpg
  out=$("$shinsa" image match --index "$demo" "$rot" --json)
  check "demo: turned copy not matched plainly" has "$out" '"matches": \[\]'
  out=$("$shinsa" image match --index "$demo" "$rot" --dihedral --json)
  echo "$out"
  check "demo: turned copy found with --dihedral" has "$out" '"matches": \[{"owner": "acct-licence", "distance": [0-9]*}\]}$'
else
  echo "SKIP: $pdq not found; demo not run"
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
