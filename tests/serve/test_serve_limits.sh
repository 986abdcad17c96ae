#!/usr/bin/env bash
# Limits and shutdown: a slow client (a byte a second) does not hold up
# other requests and is dropped after limits.request_timeout; many silent
# connections do not either; the connection cap refuses the extra ones;
# SIGTERM lets a request whose body is still arriving finish, refuses new
# connections and exits 0; a request that never ends is cut after
# limits.drain_timeout.
#   test_serve_limits.sh SHINSA ROOT
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
clients="$here/clients.py"

# fast_requests NAME N: N screening requests, each answered within a second.
fast_requests() {
  local name=$1 n=$2 i slowest=0 t
  for i in $(seq 1 "$n"); do
    t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 \
      -H 'Content-Type: application/json' -d '{"name": "Hahn Tae-ryong"}' "$URL/v1/screen")
    if [ "${t%% *}" != 200 ]; then
      bad "$name: request $i got ${t%% *}"
      return
    fi
    slowest=$(python3 -c "print(max($slowest, ${t#* }))")
  done
  python3 -c "import sys; sys.exit(0 if $slowest < 1.0 else 1)" &&
    ok "$name: $n requests, slowest ${slowest}s" || bad "$name: slowest ${slowest}s"
}

build_indexes || { bad "lists build"; finish; }
start_server limits --index "$work/demo.idx" --request-timeout 3 --idle-timeout 20 \
  --max-connections 200 --threads 2 || { bad "server starts"; finish; }
pid=$PID

python3 "$clients" slow "$PORT" 10 >"$work/slow.out" 2>&1 &
slow=$!
python3 "$clients" hold "$PORT" 30 6 >"$work/hold.out" 2>&1 &
hold=$!
sleep 0.5
fast_requests "beside a slow client and 30 silent connections" 20
wait "$slow"
slow_rc=$?
sed 's/^/     | /' "$work/slow.out"
if [ $slow_rc = 0 ] && python3 -c "import re,sys; t=float(re.search(r'after ([0-9.]+)', open('$work/slow.out').read()).group(1)); sys.exit(0 if 2.5 <= t <= 5.5 else 1)"; then
  ok "the slow client is dropped after limits.request_timeout (3 s)"
else
  bad "the slow client was not dropped in time"
fi
wait "$hold"
req GET /metrics
grep -qE 'shinsa_http_connections_dropped_total\{reason="request_timeout"\} ([3-9][0-9]|[1-9][0-9][0-9])' \
  "$work/body" && ok "metrics count the dropped connections (slow and silent)" ||
  bad "metrics: $(grep dropped_total "$work/body" | tail -1)"
fast_requests "after they are gone" 5


# The connection cap (one thread: libmicrohttpd splits the cap between the
# threads of a pool, so with one thread it is exact).
start_server cap --index "$work/demo.idx" --max-connections 10 --threads 1 || bad "cap server"
cap_pid=$PID
python3 "$clients" hold "$PORT" 15 3 >"$work/hold2.out" 2>&1 &
hold=$!
sleep 1.5
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$URL/healthz")
wait "$hold"
sed 's/^/     | /' "$work/hold2.out"
# Past the cap libmicrohttpd stops accepting: the extra connections wait
# in the kernel's backlog, unserved, until one of the ten closes.
[ "$code" != 200 ] && ok "past limits.connections (10) a request is not served ($code)" ||
  bad "request 16 of 10 served"
sleep 0.3
req GET /healthz
expect "served again once they close" 200
stop_server "$cap_pid"
URL="http://127.0.0.1:$(sed -n 's/.*"event": "listening".*"port": \([0-9]*\).*/\1/p' "$work/limits.log")"
PORT=${URL##*:}

# SIGTERM with a request in flight (its body half sent).
rm -f "$work/ready" "$work/go"
python3 "$clients" inflight "$PORT" "$work/ready" "$work/go" >"$work/inflight.out" 2>&1 &
inflight=$!
for i in $(seq 1 100); do
  [ -e "$work/ready" ] && break
  sleep 0.05
done
kill -TERM "$pid"
sleep 0.5
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/healthz")
[ "$code" = 000 ] && ok "draining: new connections are refused" || bad "draining: served $code"
kill -0 "$pid" 2>/dev/null && ok "draining: the server waits for the request in flight" ||
  bad "the server exited with a request in flight"
touch "$work/go"
wait "$inflight"
sed 's/^/     | /' "$work/inflight.out"
grep -q "^HTTP/1.1 200" "$work/inflight.out" && grep -q "body has the hit" "$work/inflight.out" &&
  ok "the request in flight is answered in full" || bad "the request in flight was cut"
grep -qi "^Connection: close" "$work/inflight.out" && ok "its answer says Connection: close" ||
  bad "no Connection: close while draining"
wait "$pid"
rc=$?
[ $rc = 0 ] && ok "SIGTERM: exit 0 after the drain" || bad "SIGTERM: exit $rc"
grep -q '"event": "stopped", "cut_requests": 0' "$work/limits.log" && ok "no request cut" ||
  bad "requests cut: $(grep stopped "$work/limits.log")"

# A request that never ends is cut after limits.drain_timeout.
start_server drain --index "$work/demo.idx" --drain-timeout 1 --request-timeout 60 ||
  bad "second server starts"
pid=$PID
rm -f "$work/ready" "$work/go"
python3 "$clients" inflight "$PORT" "$work/ready" "$work/go" >"$work/never.out" 2>&1 &
inflight=$!
for i in $(seq 1 100); do
  [ -e "$work/ready" ] && break
  sleep 0.05
done
start=$(date +%s.%N)
kill -INT "$pid"
wait "$pid"
rc=$?
took=$(python3 -c "import time; print(round(time.time() - $start, 1))")
[ $rc = 0 ] && python3 -c "import sys; sys.exit(0 if 0.8 <= $took <= 4 else 1)" &&
  ok "SIGINT: a request that never ends is cut after drain_timeout (${took}s), exit 0" ||
  bad "SIGINT: exit $rc after ${took}s"
grep -q '"cut_requests": 1' "$work/drain.log" && ok "the stopped line counts it" ||
  bad "stopped line: $(grep stopped "$work/drain.log")"
touch "$work/go"
wait "$inflight"
finish
