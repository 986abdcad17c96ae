#!/usr/bin/env bash
# Hot swap under load: clients screen in a loop while the index file is
# replaced several times. No request may fail, the versions must change,
# and each version must always give the same answer (the header names the
# index that answered). A file that does not open is refused and the old
# index keeps answering. SIGHUP reopens the files too.
#   test_serve_swap.sh SHINSA ROOT
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

build_indexes || { bad "lists build"; finish; }
# B is A plus one entity that only it knows.
printf '%s\n' '{"id": "swap-1", "name": "Swap Probe Person", "kind": "person", "list": "swaptest"}' \
  >"$work/probe.jsonl"
"$shinsa" -q lists build --out "$work/b.idx" --custom "$root/data/demo/demo-list.jsonl" \
  --custom "$work/probe.jsonl" >/dev/null || bad "build B"
cp "$work/demo.idx" "$work/a.idx"
live="$work/live.idx"
replace() { # replace FILE: rename a complete copy over the live index
  cp "$1" "$work/next.idx" && mv -f "$work/next.idx" "$live"
}
replace "$work/a.idx"

start_server swap --index "$live" --log-requests no || { bad "server starts"; finish; }
pid=$PID
post_json /v1/screen '{"name": "Swap Probe Person"}'
expect "A does not know the probe" 200 '"hits": []'
version_a=$(header X-Shinsa-Index-Version)

python3 "$here/swap_load.py" "$URL" "$work/stop" "$work/load.json" &
load=$!
sleep 0.5
for f in b a b a b a b; do
  replace "$work/$f.idx"
  sleep 0.7
done
sleep 0.3
touch "$work/stop"
wait "$load"

python3 - "$work/load.json" "$version_a" <<'EOF' >"$work/verdict" 2>&1
import json, sys
out = json.load(open(sys.argv[1]))
versions = out["versions"]
print("requests %d, failures %d, versions %s" % (out["requests"], len(out["failures"]),
      {v: c for v, c in versions.items()}))
for f in out["failures"][:5]:
    print("failure: " + f)
assert out["requests"] > 100, "too few requests"
assert not out["failures"], "failed requests"
assert len(versions) == 2, "want exactly the versions of A and B"
assert sys.argv[2] in versions, "A's version missing"
for v, (hit, miss) in versions.items():
    assert hit == 0 or miss == 0, "version %s answered two ways" % v
    assert (hit > 0) == (v != sys.argv[2]), "version %s answered with the wrong index" % v
EOF
verdict=$?
sed 's/^/     | /' "$work/verdict"
[ $verdict = 0 ] && ok "7 swaps under load: no failed request, each version one answer" ||
  bad "swaps under load"
swaps=$(grep -c '"event": "swapped"' "$work/swap.log")
[ "$swaps" -ge 7 ] && ok "the log has a swapped line per replacement ($swaps)" ||
  bad "only $swaps swapped lines"

# The live index is B now. A file that does not open is refused.
post_json /v1/screen '{"name": "Swap Probe Person"}'
version_b=$(header X-Shinsa-Index-Version)
expect "B answers after the swaps" 200 'custom:swap-1'
head -c 5000 "$work/b.idx" >"$work/next.idx" && mv -f "$work/next.idx" "$live"
sleep 1.2
grep -q '"event": "swap_failed"' "$work/swap.log" && ok "a truncated index is refused (swap_failed)" ||
  bad "no swap_failed for a truncated index"
post_json /v1/screen '{"name": "Swap Probe Person"}'
[ "$STATUS" = 200 ] && [ "$(header X-Shinsa-Index-Version)" = "$version_b" ] &&
  ok "the old index keeps answering" || bad "after a bad file: $STATUS $(header X-Shinsa-Index-Version)"
replace "$work/a.idx"
for i in $(seq 1 30); do
  post_json /v1/screen '{"name": "Swap Probe Person"}'
  [ "$(header X-Shinsa-Index-Version)" = "$version_a" ] && break
  sleep 0.1
done
[ "$(header X-Shinsa-Index-Version)" = "$version_a" ] && ok "a good file after a bad one swaps in" ||
  bad "a good file after a bad one is not swapped in"

# SIGHUP with a new --index in the file: reload reopens.
req GET /metrics
grep -q 'shinsa_index_swaps_total{engine="screen"} [1-9]' "$work/body" &&
  ok "metrics count the swaps" || bad "metrics: no swaps counted"
stop_server "$pid"
[ "$STOPPED" = 0 ] && ok "exit 0" || bad "exit $STOPPED"

cat >"$work/hup.conf" <<EOF
[data]
screen_index = $work/a.idx
EOF
start_server hup --config "$work/hup.conf" --log-requests no || bad "server with a config starts"
pid=$PID
post_json /v1/screen '{"name": "Swap Probe Person"}'
expect "config's index (A)" 200 '"hits": []'
printf '[data]\nscreen_index = %s\n[limits]\nqueries = 1\n' "$work/b.idx" >"$work/hup.conf"
kill -HUP "$pid"
for i in $(seq 1 30); do
  grep -q '"event": "reloaded"' "$work/hup.log" && break
  sleep 0.1
done
post_json /v1/screen '{"name": "Swap Probe Person"}'
expect "SIGHUP: the config's new index answers" 200 'custom:swap-1'
post_json /v1/screen '{"queries": [{"name": "a"}, {"name": "b"}]}'
error_shape "SIGHUP: the new limits apply" 413 too_many_queries queries
printf '[data]\nscreen_index = %s\n[limits]\nqueries = nonsense\n' "$work/a.idx" >"$work/hup.conf"
kill -HUP "$pid"
for i in $(seq 1 30); do
  grep -q '"event": "reload_failed"' "$work/hup.log" && break
  sleep 0.1
done
grep -q '"event": "reload_failed".*hup.conf:4: limits.queries' "$work/hup.log" &&
  ok "SIGHUP with a bad config: reload_failed naming file, line, key" || bad "no reload_failed"
post_json /v1/screen '{"name": "Swap Probe Person"}'
expect "a bad config changes nothing" 200 'custom:swap-1'
stop_server "$pid"
finish
