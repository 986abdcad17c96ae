#!/usr/bin/env bash
# CLI contract of `shinsa trace`: exit codes, --help, file:line errors, the
# JSON shape of `trace run`.
set -euo pipefail
bin=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" trace --help | grep -q '^  import ' || fail "trace --help"
"$bin" trace import --help | grep -q -- '--transfers' || fail "import --help"
"$bin" trace run --help | grep -q -- '--method' || fail "run --help"
set +e
"$bin" trace import --out "$work/g" 2>/dev/null; [ $? -eq 2 ] || fail "missing --transfers is not exit 2"
"$bin" trace bogus 2>/dev/null; [ $? -eq 2 ] || fail "unknown subcommand is not exit 2"
"$bin" trace import --strict --transfers "$data/bad.csv" --out "$work/g" 2>"$work/err"
[ $? -eq 1 ] || fail "--strict on a bad row is not exit 1"
grep -q 'bad.csv:3: amount' "$work/err" || fail "error does not name file:line: $(cat "$work/err")"
set -e
"$bin" -q trace import --transfers "$data/bad.csv" --out "$work/bad.graph" --json >"$work/out"
grep -q '"bad": 1' "$work/out" || fail "bad rows not counted: $(cat "$work/out")"

"$bin" trace import --transfers "$data/example.csv" --labels "$data/labels.csv" \
  --out "$work/ex.graph" >/dev/null
"$bin" trace run --graph "$work/ex.graph" --source S --method haircut --check --json >"$work/run.json"
/usr/bin/python3 - "$work/run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert set(r) == {"method", "sources", "addresses", "exits", "held"}, r.keys()
assert r["method"] == "haircut" and r["sources"] == ["S"]
a = {(x["address"], x["asset"]): x for x in r["addresses"]}
assert a[("A", "ETH")]["tainted"] == "390" and a[("A", "ETH")]["received"] == "550"
assert a[("X", "ETH")]["hops"] == 3 and a[("X", "ETH")]["first_tainted"] == "1970-01-01T00:08:20Z"
assert 0.0 <= a[("A", "ETH")]["fraction"] <= 1.0
e = r["exits"][0]
assert e["label"] == "Example Exchange" and e["kind"] == "exchange" and e["tainted"] == "60", e
PY
for m in poison fifo; do
  "$bin" trace run --graph "$work/ex.graph" --source S --method $m --check --json \
    | /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)'
done
"$bin" trace report --graph "$work/ex.graph" --source S --out "$work/rep" >/dev/null
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert "patterns" in r and r["exits"]' "$work/rep.json"
grep -q '<svg' "$work/rep.html" || fail "report has no chart"
! grep -q '<script\|src=' "$work/rep.html" || fail "report is not self-contained"
"$bin" trace exposure --graph "$work/ex.graph" --source S X >"$work/exp.json"
/usr/bin/python3 - "$work/exp.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["address"] == "X" and r["assets"][0]["tainted"] == "60", r
p = r["paths"][0]
assert p["from_source"] and [s["from"] for s in p["steps"]] == ["S", "A", "B"], p
PY
"$bin" -q trace gen --out "$work/case" --transfers 2000 --fanout 20 >/dev/null
[ -s "$work/case/truth.json" ] || fail "gen wrote no truth"
set +e
"$bin" trace run --graph "$work/ex.graph" --source NOPE --json 2>/dev/null; [ $? -eq 1 ] || fail "unknown source is not exit 1"
"$bin" trace run --graph "$work/ex.graph" --source S --method x 2>/dev/null; [ $? -eq 2 ] || fail "bad method is not exit 2"
echo garbage >"$work/junk"
"$bin" trace run --graph "$work/junk" --source S 2>/dev/null; [ $? -eq 1 ] || fail "junk graph is not exit 1"
set -e
echo "trace cli: ok"
