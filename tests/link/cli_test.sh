#!/usr/bin/env bash
# shinsa link end to end on the demo sample: exit codes, --help, the JSON
# shape of `link show`, incremental add, exports. Usage: cli_test.sh SHINSA EVENTS
set -euo pipefail
shinsa=$1
events=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for c in "" build add show export; do
  "$shinsa" link $c --help >/dev/null || fail "link $c --help"
done
set +e
"$shinsa" link build >/dev/null 2>&1; [ $? -eq 2 ] || fail "build without args exits 2"
"$shinsa" link frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown command exits 2"
# the sample holds one bad line on purpose: exit 1, file:line: field: message
"$shinsa" link build --events "$events" --out "$work/db" >"$work/out" 2>"$work/err"
[ $? -eq 1 ] || fail "a bad line gives exit 1"
"$shinsa" link build --events "$events" --out "$work/db" --region XX >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown --region exits 2"
"$shinsa" link build --events "$events" --out "$work/db2" --json >"$work/build.json" 2>/dev/null
[ $? -eq 1 ] || fail "--json build with a bad line exits 1"
set -e
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["bad_lines"] == 1 and j["lines"] == 10 and j["clusters"] == 1, j' "$work/build.json"
grep -q "link-events.jsonl:11: email: expected a string" "$work/err" || fail "diagnostic: $(cat "$work/err")"
grep -q "10 lines loaded, 1 bad" "$work/out" || fail "counts: $(cat "$work/out")"

"$shinsa" link show --db "$work/db" acct-sato-mobile --json >"$work/show.json"
python3 - "$work/show.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert list(j)[:4] == ["account", "cluster", "members", "joins"], list(j)
assert j["account"] == "acct-sato-mobile"
assert j["members"] == ["acct-kenji-design", "acct-sato-mobile", "acct-tanaka-web"], j["members"]
for x in j["joins"]:
    assert set(x) == {"a", "b", "kind", "value", "weight", "shared_by"}, x
    assert x["kind"] in "wallet phone email device bank id_number image ip name handle".split()
kinds = {x["kind"] for x in j["joins"]}
assert {"wallet", "phone", "email"} <= kinds, kinds
assert any(x["value"] == "t***@gmail.com" and x["shared_by"] == 2 for x in j["joins"]), j["joins"]
PY
cluster=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cluster"])' "$work/show.json")
"$shinsa" link show --db "$work/db" "$cluster" | grep -q "3 members" || fail "show by cluster id"
set +e
"$shinsa" link show --db "$work/db" nobody >/dev/null 2>&1; [ $? -eq 1 ] || fail "unknown account exits 1"
set -e

# incremental: a persona sharing the TRON payout wallet joins the cluster,
# and the cluster keeps its id (its smallest member is unchanged)
printf '%s\n' '{"persona": "persona:ti-17", "wallets": [{"chain": "TRON", "address": "TXk9fictionalTronAddr0001"}], "handles": {"github": ["github.com/KenjiBuilds"]}}' >"$work/p.jsonl"
"$shinsa" link add --db "$work/db" --personas "$work/p.jsonl" >/dev/null
"$shinsa" link show --db "$work/db" persona:ti-17 --json | grep -q "\"cluster\": \"$cluster\"" || fail "persona joins the cluster"

for f in graphml gexf json; do
  "$shinsa" link export --db "$work/db" --format $f >"$work/export.$f"
done
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert len(j["nodes"]) == 4 and j["edges"]' "$work/export.json"
python3 -c 'import sys, xml.dom.minidom as m; [m.parse(f) for f in sys.argv[1:]]' "$work/export.graphml" "$work/export.gexf"
# issue 12 F2: an output that is an input is refused, and the input survives
cp "$events" "$work/ev.jsonl"
set +e
"$shinsa" link build --events "$work/ev.jsonl" --out "$work/ev.jsonl" >/dev/null 2>"$work/err"
[ $? -eq 1 ] || fail "output = input exits 1"
set -e
grep -q "same file as the input" "$work/err" || fail "F2 message: $(cat "$work/err")"
cmp -s "$events" "$work/ev.jsonl" || fail "F2: the input was changed"

# F13: a FIFO with no writer as input fails at once instead of hanging
mkfifo "$work/fifo"
set +e
timeout 10 "$shinsa" link build --events "$work/fifo" --out "$work/db3" >/dev/null 2>"$work/err"
rc=$?
set -e
[ $rc -ne 124 ] || fail "F13: a FIFO input hangs"
grep -q "not a regular file" "$work/err" || fail "F13 message: $(cat "$work/err")"

# F15: the database is private whatever the umask; F16: a symlinked
# database is followed (the link stays a link)
(umask 022 && "$shinsa" link build --events "$events" --out "$work/db4" >/dev/null 2>&1) || true
[ "$(stat -c %a "$work/db4")" = 600 ] || fail "F15: mode $(stat -c %a "$work/db4")"
ln -s db4 "$work/db-link"
"$shinsa" link add --db "$work/db-link" --personas "$work/p.jsonl" >/dev/null
[ -L "$work/db-link" ] || fail "F16: the link was replaced by a file"
"$shinsa" link show --db "$work/db4" persona:ti-17 >/dev/null || fail "F16: target not updated"

# F6: concurrent adds to one database wait for each other; none is lost
for i in $(seq 1 8); do
  printf '{"persona": "persona:c%d", "handles": {"github": ["github.com/conc%d"]}}\n' "$i" "$i" >"$work/c$i.jsonl"
done
for i in $(seq 1 8); do
  "$shinsa" link add --db "$work/db" --personas "$work/c$i.jsonl" >/dev/null &
done
wait
for i in $(seq 1 8); do
  "$shinsa" link show --db "$work/db" "persona:c$i" >/dev/null || fail "F6: add $i was lost"
done
ls -a "$work" | grep -q '^\.shinsa-tmp-' && fail "temporaries left behind"
echo "link cli: ok"
