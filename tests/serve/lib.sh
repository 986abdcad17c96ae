# Shared by the serve tests (sourced): a real `shinsa serve` on a loopback
# port the system picks (port 0; the "listening" log line says which), curl
# with short timeouts, and the check helpers. Each test prints one line per
# check and a closing "N passed, M failed" line.
#   source lib.sh SHINSA ROOT [SHARED_DATA]
set -u
shinsa=$1
root=$2
shared=${3:-}
work=$(mktemp -d)
passed=0
failed=0
servers=()

cleanup() {
  local pid
  for pid in "${servers[@]}"; do
    kill -KILL "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

ok() {
  passed=$((passed + 1))
  echo "ok   $1"
}

bad() {
  failed=$((failed + 1))
  echo "FAIL $1"
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

# start_server NAME ARGS...: starts `shinsa serve --listen 127.0.0.1:0 ARGS`
# with its log in $work/NAME.log; sets PID and URL (and PORT).
start_server() {
  local name=$1 i
  shift
  PORT=""
  "$shinsa" serve --listen 127.0.0.1:0 "$@" 2>"$work/$name.log" &
  PID=$!
  servers+=("$PID")
  for i in $(seq 1 200); do
    PORT=$(sed -n 's/.*"event": "listening".*"port": \([0-9]*\).*/\1/p' "$work/$name.log" | head -1)
    [ -n "$PORT" ] && break
    if ! kill -0 "$PID" 2>/dev/null; then
      echo "server $name did not start:"
      sed 's/^/     | /' "$work/$name.log"
      return 1
    fi
    sleep 0.05
  done
  [ -n "$PORT" ] || return 1
  URL="http://127.0.0.1:$PORT"
}

# stop_server PID: SIGTERM, then the exit status in $STOPPED.
stop_server() {
  kill -TERM "$1" 2>/dev/null
  wait "$1"
  STOPPED=$?
}

# req METHOD PATH [curl args...]: body in $work/body, status in $STATUS,
# headers in $work/headers.
req() {
  local method=$1 path=$2
  shift 2
  STATUS=$(curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 10 \
    -X "$method" "$@" "$URL$path")
}

# post_json PATH BODY
post_json() {
  req POST "$1" -H 'Content-Type: application/json' --data-binary "$2"
}

# expect NAME STATUS [TEXT]: the last request's status, and TEXT in its body.
expect() {
  local name=$1 want=$2 text=${3:-}
  if [ "$STATUS" != "$want" ]; then
    bad "$name: status $STATUS, wanted $want"
    sed 's/^/     | /' "$work/body" | head -3
  elif [ -n "$text" ] && ! grep -qF -- "$text" "$work/body"; then
    bad "$name: '$text' not in the body"
    sed 's/^/     | /' "$work/body" | head -3
  else
    ok "$name"
  fi
}

# error_shape NAME STATUS CODE FIELD: the body is {"error": {"code", "message",
# "field"}} with that code and field ("null" for none) and nothing else.
error_shape() {
  local name=$1 want=$2 code=$3 field=$4
  if [ "$STATUS" != "$want" ]; then
    bad "$name: status $STATUS, wanted $want"
    sed 's/^/     | /' "$work/body" | head -3
    return
  fi
  if python3 - "$work/body" "$code" "$field" <<'EOF'; then
import json, sys
body = json.load(open(sys.argv[1]))
err = body["error"]
assert set(body) == {"error"}, body
assert set(err) == {"code", "message", "field"}, err
assert err["code"] == sys.argv[2], err
want = None if sys.argv[3] == "null" else sys.argv[3]
assert err["field"] == want, err
assert isinstance(err["message"], str) and err["message"], err
EOF
    ok "$name"
  else
    bad "$name: not the error shape with code $code and field $field"
    sed 's/^/     | /' "$work/body" | head -3
  fi
}

header() { # header NAME: the value of the last response's header NAME
  tr -d '\r' <"$work/headers" | sed -n "s/^$1: //Ip" | tail -1
}

# The demo index, and one over the real lists when they are present.
build_indexes() {
  "$shinsa" -q lists build --out "$work/demo.idx" --custom "$root/data/demo/demo-list.jsonl" \
    >/dev/null || return 1
  REAL=""
  local s="$shared/sanctions"
  if [ -n "$shared" ] && [ -d "$s/ofac-2021" ]; then
    "$shinsa" -q lists build --out "$work/real.idx" --custom "$root/data/demo/demo-list.jsonl" \
      --ofac-csv "$s/ofac-2021" --un-xml "$s/un_consolidated.xml" \
      --crypto-dir "$s/crypto-2024" >/dev/null && REAL="$work/real.idx"
  fi
  return 0
}
