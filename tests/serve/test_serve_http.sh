#!/usr/bin/env bash
# shinsa serve over HTTP: the probes, /v1/screen equal to the CLI (single
# and batch), /v1/lists equal to `lists info --json`, every error status
# with its JSON body, and the metrics.
#   test_serve_http.sh SHINSA ROOT [SHARED_DATA]
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

build_indexes || { bad "lists build"; finish; }
start_server main --index "$work/demo.idx" || { bad "server starts"; finish; }
main_pid=$PID
version=$(sed -n 's/.*"event": "engine_loaded".*"version": "\([^"]*\)".*/\1/p' "$work/main.log")

# ---- probes -------------------------------------------------------------
req GET /healthz
expect "GET /healthz" 200 '"status": "ok"'
[ "$(header X-Shinsa-Index-Version)" = "$version" ] && [ -n "$version" ] &&
  ok "X-Shinsa-Index-Version names the loaded index ($version)" ||
  bad "X-Shinsa-Index-Version '$(header X-Shinsa-Index-Version)', wanted '$version'"
[ -n "$(header X-Request-Id)" ] && ok "X-Request-Id is set" || bad "no X-Request-Id"
req GET /readyz
expect "GET /readyz" 200 '"ready": true'
head_out=$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' --max-time 10 "$URL/healthz")
[ "$head_out" = "200 0" ] && ok "HEAD /healthz: 200, no body" || bad "HEAD /healthz: $head_out"

# ---- the same answers as the CLI ----------------------------------------
python3 "$here/cli_equal.py" "$shinsa" "$work/demo.idx" "$URL" "$root/data/demo/demo-queries.jsonl" \
  >"$work/equal.out" 2>&1
sed 's/^/  /' "$work/equal.out" | grep -v passed
grep -q ' 0 failed$' "$work/equal.out" && ok "/v1/screen equals shinsa screen --json (demo)" ||
  bad "/v1/screen differs from the CLI (demo)"
req GET /v1/lists
"$shinsa" lists info --index "$work/demo.idx" --json >"$work/info.cli"
[ "$STATUS" = 200 ] && cmp -s "$work/body" "$work/info.cli" &&
  ok "/v1/lists equals shinsa lists info --json" || bad "/v1/lists differs from lists info --json"

if [ -n "$REAL" ]; then
  start_server real --index "$REAL" || bad "server on the real lists starts"
  real_pid=$PID
  cat "$root/data/demo/demo-queries.jsonl" >"$work/real-queries.jsonl"
  cat >>"$work/real-queries.jsonl" <<'EOF'
{"name": "리만건"}
{"name": "Lazarus Group"}
{"name": "Kim Yong-chol", "dob": "1947"}
{"name": "リ・マンゴン"}
{"name": "Ri Man Gon", "nationality": "KP"}
{"name": "Korea Kwangson Banking Corp"}
EOF
  python3 "$here/cli_equal.py" "$shinsa" "$REAL" "$URL" "$work/real-queries.jsonl" \
    >"$work/equal-real.out" 2>&1
  grep -q ' 0 failed$' "$work/equal-real.out" && ok "/v1/screen equals the CLI (real lists)" || {
    bad "/v1/screen differs from the CLI (real lists)"
    sed 's/^/     | /' "$work/equal-real.out" | grep -v '^     | ok' | head -10
  }
  stop_server "$real_pid"
  URL="http://127.0.0.1:$(sed -n 's/.*"event": "listening".*"port": \([0-9]*\).*/\1/p' "$work/main.log")"
else
  echo "SKIP: real lists not found under '$shared/sanctions'; demo list only"
fi

# ---- errors: status, and the JSON error shape -----------------------------
post_json /v1/screen '{"name": "x"'
error_shape "400 malformed JSON" 400 bad_json body
post_json /v1/screen '[1, 2]'
error_shape "400 not an object" 400 bad_type body
post_json /v1/screen '{"name": 5}'
error_shape "400 wrong type names the field" 400 bad_type name
post_json /v1/screen '{"name": "x", "nmae": "y"}'
error_shape "400 unknown field names it" 400 unknown_field nmae
post_json /v1/screen '{"dob": "1984"}'
error_shape "400 no name or identifier" 400 missing_field name
post_json /v1/screen '{"queries": [{"name": "a"}, {"name": "b", "dob": "84-13"}]}'
error_shape "400 bad date in a batch names the query" 400 bad_value 'queries[1].dob'
post_json /v1/screen '{"queries": [{"name": "a"}, {"crypto": true}]}'
error_shape "400 wrong type in a batch" 400 bad_type 'queries[1].crypto'
post_json /v1/screen '{"name": "x", "threshold": 2}'
error_shape "400 threshold out of range" 400 bad_value threshold
post_json /v1/screen '{"queries": {"name": "x"}}'
error_shape "400 queries not an array" 400 bad_type queries
post_json /v1/screen "{\"name\": \"$(head -c 1100 /dev/zero | tr '\0' a)\"}"
error_shape "400 field over 1024 bytes" 400 bad_value name
post_json /v1/screen ''
error_shape "400 empty body" 400 bad_json body
req GET '/healthz?verbose=1'
error_shape "400 unknown query parameter" 400 unknown_parameter verbose
req GET '/v1/lists%zz'
error_shape "400 bad %-escape" 400 bad_target path
req GET /v1/nothing
error_shape "404 unknown path" 404 not_found null
req GET /v1/screen
error_shape "405 wrong method" 405 method_not_allowed null
[ "$(header Allow)" = "POST" ] && ok "405 says Allow: POST" || bad "405 Allow: '$(header Allow)'"
[ "$(header X-Shinsa-Index-Version)" = "$version" ] && ok "errors carry the index version too" ||
  bad "no index version on an error"
req GET "/$(head -c 9000 /dev/zero | tr '\0' a)"
error_shape "414 request target too long" 414 uri_too_long null
head -c 1100000 /dev/zero | tr '\0' ' ' >"$work/big"
req POST /v1/screen -H 'Content-Type: application/json' --data-binary @"$work/big"
error_shape "413 body over the cap (Content-Length)" 413 too_large body
req POST /v1/screen -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
  --data-binary @"$work/big"
error_shape "413 body over the cap (chunked)" 413 too_large body
python3 -c 'import json; print(json.dumps({"queries": [{"name": "n%d" % i} for i in range(101)]}))' \
  >"$work/many"
req POST /v1/screen -H 'Content-Type: application/json' --data-binary @"$work/many"
error_shape "413 more queries than limits.queries" 413 too_many_queries queries
req POST /v1/screen -d '{"name": "x"}'
error_shape "415 not application/json" 415 unsupported_media_type Content-Type
req GET /healthz -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
[ "$STATUS" = 431 ] && ok "431 headers over limits.header_size" || bad "big header: $STATUS"
req GET /healthz
expect "the server still answers after all that" 200 '"status": "ok"'

# ---- metrics ----------------------------------------------------------------
req GET /metrics
expect "GET /metrics" 200 'shinsa_http_requests_total{endpoint="/v1/screen",status="200"}'
for m in 'shinsa_http_requests_total{endpoint="/v1/screen",status="400"}' \
  'shinsa_http_requests_total{endpoint="unmatched",status="404"}' \
  'shinsa_http_request_duration_seconds_bucket{endpoint="/v1/screen",le="0.001"}' \
  'shinsa_http_request_duration_seconds_bucket{endpoint="/v1/screen",le="+Inf"}' \
  'shinsa_http_request_duration_seconds_count{endpoint="/healthz"}' \
  'shinsa_http_requests_in_flight 1' \
  "shinsa_index_info{engine=\"screen\",version=\"$version\"} 1" \
  'shinsa_index_age_seconds{engine="screen"}' 'shinsa_engine_loaded{engine="screen"} 1' \
  'shinsa_http_connections_open' 'process_resident_memory_bytes'; do
  grep -qF -- "$m" "$work/body" && ok "metrics: $m" || bad "metrics lack $m"
done
case "$(header Content-Type)" in
text/plain*) ok "metrics are text/plain" ;;
*) bad "metrics Content-Type $(header Content-Type)" ;;
esac
python3 - "$work/body" <<'EOF' && ok "metrics parse as Prometheus text" || bad "metrics do not parse"
import re, sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line or line.startswith("# HELP ") or line.startswith("# TYPE "):
        continue
    assert re.fullmatch(r'[a-z_]+(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? -?[0-9.e+]+', line), line
EOF

# ---- the request log: one JSON line per request, no bodies -------------------
python3 - "$work/main.log" <<'EOF' && ok "log lines are JSON; request lines have id, key_id, endpoint, status, duration" || bad "log lines"
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["event"] == "request":
        n += 1
        for k in ("request_id", "key_id", "endpoint", "status", "duration_ms"):
            assert k in o, o
        assert "nmae" not in line and "Lazarus" not in line, line
assert n > 20, n
EOF

# ---- 429 and 503 -------------------------------------------------------------
start_server rate --index "$work/demo.idx" --rate 2 || bad "rate-limited server starts"
rate_pid=$PID
codes=""
for i in 1 2 3 4 5 6; do
  req GET /v1/lists
  codes="$codes $STATUS"
done
req GET /v1/lists
error_shape "429 past limits.rate" 429 rate_limited null
[ -n "$(header Retry-After)" ] && ok "429 says Retry-After" || bad "429 without Retry-After"
req GET /healthz
expect "probes are never rate-limited" 200
stop_server "$rate_pid"

start_server wait --index "$work/later.idx" || bad "server without its index starts"
wait_pid=$PID
req GET /readyz
expect "503 /readyz before the index exists" 503 '"ready": false'
post_json /v1/screen '{"name": "x"}'
error_shape "503 /v1/screen before the index exists" 503 not_ready null
req GET /healthz
expect "healthz is up while not ready" 200
"$shinsa" -q lists build --out "$work/later.idx" --custom "$root/data/demo/demo-list.jsonl" >/dev/null
for i in $(seq 1 40); do
  req GET /readyz
  [ "$STATUS" = 200 ] && break
  sleep 0.1
done
expect "ready once the index appears" 200 '"ready": true'
stop_server "$wait_pid"

stop_server "$main_pid"
[ "$STOPPED" = 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $STOPPED"
finish
