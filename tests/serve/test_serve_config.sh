#!/usr/bin/env bash
# shinsa serve --check-config: good files pass and print the effective
# settings; bad ones fail with exit 1 and an error naming file, line, key.
#   test_serve_config.sh SHINSA ROOT
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

# check_config NAME WANT_STATUS TEXT ARGS...: runs --check-config ARGS;
# TEXT must be in its stdout (status 0) or stderr (otherwise).
check_config() {
  local name=$1 want=$2 text=$3 got
  shift 3
  "$shinsa" serve --check-config "$@" >"$work/out" 2>"$work/err"
  got=$?
  local where="$work/out"
  [ "$want" != 0 ] && where="$work/err"
  if [ "$got" != "$want" ]; then
    bad "$name: exit $got, wanted $want"
    sed 's/^/     | /' "$work/err" | head -3
  elif ! grep -qF -- "$text" "$where"; then
    bad "$name: '$text' not in the output"
    sed 's/^/     | /' "$where" | head -5
  else
    ok "$name"
  fi
}

build_indexes || { bad "lists build"; finish; }
conf="$work/serve.conf"

check_config "etc/serve.conf checks" 0 "listen = 127.0.0.1:8080" --config "$root/etc/serve.conf"
check_config "a missing screen index is a warning" 0 "# warning: the screen index" \
  --config "$root/etc/serve.conf"
check_config "no config file: the defaults" 0 "body_size = 1M" --index "$work/demo.idx"

cat >"$conf" <<EOF
# a test config
[server]
listen = [::1]:0
threads = 3

[data]
dir = $work
screen_index = demo.idx

[limits]
body_size = 64K
queries = 7
EOF
check_config "a good file" 0 "screen_index = $work/demo.idx" --config "$conf"
check_config "its values are applied" 0 "queries = 7" --config "$conf"
check_config "the command line wins over the file" 0 "queries = 9" --config "$conf" \
  --max-queries 9
check_config "a relative --index is the current folder's" 0 "screen_index = rel.idx" \
  --config "$conf" --index rel.idx

bad_file() { # bad_file NAME TEXT: the config's lines after the first, then the check
  local name=$1 text=$2
  shift 2
  printf '%s\n' "# line 1" "$@" >"$conf"
  check_config "$name" 1 "$text" --config "$conf" --index "$work/demo.idx"
}
bad_file "unknown key" "serve.conf:3: server.lisen: unknown key" "[server]" "lisen = 1.2.3.4:1"
bad_file "unknown section" "serve.conf:2: unknown section [sever]" "[sever]" "listen = x"
bad_file "bad size" "serve.conf:4: limits.body_size:" "[limits]" "queries = 3" "body_size = 12Q"
bad_file "size out of range" "serve.conf:3: limits.body_size:" "[limits]" "body_size = 1G"
bad_file "bad number" "serve.conf:3: limits.queries:" "[limits]" "queries = -1"
bad_file "bad listen" "serve.conf:3: server.listen:" "[server]" "listen = example.com:80"
bad_file "bad port" "serve.conf:3: server.listen:" "[server]" "listen = 127.0.0.1:99999"
bad_file "bad bool" "serve.conf:3: server.log_requests:" "[server]" "log_requests = maybe"
bad_file "set twice" "serve.conf:4: limits.rate: set twice (first on line 3)" "[limits]" \
  "rate = 1" "rate = 2"
bad_file "key outside a section" "serve.conf:2: listen: key outside any [section]" \
  "listen = 127.0.0.1:1"
bad_file "no value" "serve.conf:3: threads: no value" "[server]" "threads ="
bad_file "not key = value" "serve.conf:3: expected" "[server]" "listen 127.0.0.1:1"
bad_file "TLS needs both" "server.tls_cert: TLS needs both" "[server]" "tls_cert = /etc/hosts"
bad_file "a TLS file that cannot be read" "no-such.pem" "[server]" "tls_cert = no-such.pem" \
  "tls_key = no-such.pem"
bad_file "an optional engine file that is missing" "data.linkdb" "[data]" "linkdb = /nonexistent/l.db"
printf 'junk\n' >"$work/junk.idx"
printf '[data]\nscreen_index = %s\n' "$work/junk.idx" >"$conf"
check_config "a screen index that does not open" 1 "junk.idx: data.screen_index:" --config "$conf"
printf '[server]\nlisten = \001\n' >"$conf"
check_config "a control character" 1 "serve.conf:2: control character" --config "$conf"
check_config "a config file that does not exist" 1 "nonexistent.conf" --config "$work/nonexistent.conf"
check_config "a bad option value names the option" 2 "--max-body:" --max-body 5X
"$shinsa" serve --max-body 5X >"$work/out" 2>"$work/err"
[ $? = 2 ] && ok "a bad option value: exit 2" || bad "a bad option value: not exit 2"
"$shinsa" serve --nonsense 1 >"$work/out" 2>"$work/err"
[ $? = 2 ] && ok "an unknown option: exit 2" || bad "an unknown option: not exit 2"
"$shinsa" serve --help >"$work/out" 2>&1
grep -qF -- "--request-timeout SECONDS" "$work/out" && ok "--help lists every key's option" ||
  bad "--help lacks --request-timeout"

# A server that cannot bind says so and exits 1.
start_server first --index "$work/demo.idx" || bad "first server starts"
first_pid=$PID
"$shinsa" serve --listen "127.0.0.1:$PORT" --index "$work/demo.idx" >"$work/out" 2>"$work/err"
[ $? = 1 ] && grep -qF "cannot listen on 127.0.0.1:$PORT" "$work/err" &&
  ok "an address in use: exit 1 naming it" || bad "an address in use"
stop_server "$first_pid"
finish
