#!/usr/bin/env bash
# shinsa text check end to end: the JSON shape scripts rely on, --lines,
# the marked terminal output, exit codes.
set -u
bin=$1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '私は 日本に 行きます。\n週末は家でのんびり映画を見て過ごしました。\n这是我的简历。\n' >"$tmp/in.txt"

# --json on the whole input: one object with the exact keys
"$bin" text check --json "$tmp/in.txt" >"$tmp/out.json" || bad "--json exit $?"
python3 - "$tmp/out.json" <<'PY' && ok || bad "--json shape"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert list(o.keys()) == ["score", "findings"], o.keys()
assert 0.0 <= o["score"] <= 1.0
assert o["findings"], o
for f in o["findings"]:
    assert list(f.keys()) == ["start", "end", "kind", "en", "ja"], f.keys()
    assert isinstance(f["start"], int) and f["end"] > f["start"]
kinds = [f["kind"] for f in o["findings"]]
assert "spacing" in kinds and "simplified_han" in kinds, kinds
PY

# --lines: one object per input line, spans relative to the line
"$bin" text check --json --lines <"$tmp/in.txt" >"$tmp/lines.json" || bad "--lines exit $?"
python3 - "$tmp/lines.json" <<'PY' && ok || bad "--lines shape"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(objs) == 3, len(objs)
assert [f["start"] for f in objs[0]["findings"]] == [2, 6], objs[0]
assert objs[1]["findings"] == [] and objs[1]["score"] == 1.0, objs[1]
assert objs[2]["score"] < 0.5 and objs[2]["findings"][0]["start"] == 0, objs[2]
PY

# terminal output marks the spans
"$bin" text check - <"$tmp/in.txt" >"$tmp/out.txt" || bad "text exit $?"
grep -q '«这»\[' "$tmp/out.txt" && grep -q 'score ' "$tmp/out.txt" && ok || bad "marked output"

# empty input
printf '' | "$bin" text check --json >"$tmp/empty.json" || bad "empty exit"
grep -qx '{"score": 1.000, "findings": \[\]}' "$tmp/empty.json" && ok || bad "empty json"

# exit codes
"$bin" text check --help >/dev/null && ok || bad "--help"
"$bin" text >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no subcommand is not exit 2"
"$bin" text check --bogus >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "bad option is not exit 2"
"$bin" text check /nonexistent/file >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "missing file is not exit 1"
"$bin" text check --model /nonexistent/model "$tmp/in.txt" >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "missing model is not exit 1"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
