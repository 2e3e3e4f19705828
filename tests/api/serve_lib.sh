# serve_lib.sh — shared helpers for the tests/cli/serve_*.sh integration
# tests: start `trailwatch serve` on 127.0.0.1 with a free port and a fresh
# database, always stop it (trap), run the AWS CLI against it, and count
# checks. Source it after setting TW=/path/to/trailwatch.

pass=0 fail=0
TMP=$(mktemp -d)
SERVE_PID=""
PORT=""
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-AKIDEXAMPLE}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-secret}
export AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_MAX_ATTEMPTS=5 AWS_RETRY_MODE=legacy

# Stop the server; a non-zero exit (a sanitizer report, a crash) fails.
serve_stop() {
  if [ -n "$SERVE_PID" ]; then
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    local rc=$?
    SERVE_PID=""
    if [ "$rc" -ne 0 ]; then bad "server exited with status $rc" "$(tail -40 "$TMP/serve.err")"; fi
  fi
}
serve_kill9() {
  if [ -n "$SERVE_PID" ]; then
    kill -9 "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=""
  fi
}
cleanup() { serve_stop; rm -rf "$TMP"; }
trap cleanup EXIT

# serve_start [extra serve args...]: binds 127.0.0.1:0 and reads the port
# from the banner. Reuses $TMP/db.sqlite across restarts.
serve_start() {
  : > "$TMP/serve.err"
  "$TW" serve --listen 127.0.0.1:0 --db "$TMP/db.sqlite" "$@" \
    >> "$TMP/serve.out" 2> "$TMP/serve.err" &
  SERVE_PID=$!
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/serve.err")
    [ -n "$PORT" ] && break
    if ! kill -0 "$SERVE_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$PORT" ]; then
    echo "FAIL could not start trailwatch serve:"; cat "$TMP/serve.err"
    SERVE_PID=""; return 1
  fi
  ENDPOINT="http://127.0.0.1:$PORT"
}

awsx() { aws --endpoint-url "$ENDPOINT" "$@"; }

ok() { pass=$((pass+1)); }
bad() { echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | head -20; fail=$((fail+1)); }

# expect NAME WANT_RC SUBSTRING -- command...   (stdout+stderr)
expect() {
  local name=$1 want_rc=$2 want=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want_rc" ]; then bad "$name: exit $rc, want $want_rc" "$out"; return; fi
  if [ -n "$want" ] && ! grep -qF -- "$want" <<<"$out"; then bad "$name: output lacks: $want" "$out"; return; fi
  ok
}

# expect_eq NAME WANT -- command...   (stdout, exact)
expect_eq() {
  local name=$1 want=$2; shift 3
  local out; out=$("$@" 2>&1)
  if [ "$out" != "$want" ]; then bad "$name" "want: $want" "got:  $out"; return; fi
  ok
}

# raw TARGET BODY [curl args...]: POST with curl, prints "STATUS BODY" and
# the x-amzn-query-error header on a second line when present.
raw() {
  local target=$1 body=$2; shift 2
  local ct=application/x-amz-json-1.1
  case "$target" in Granite*) ct=application/x-amz-json-1.0 ;; esac
  curl -s -o "$TMP/raw.body" -D "$TMP/raw.hdr" -w '%{http_code}' \
    -H "X-Amz-Target: $target" -H "Content-Type: $ct" --data-binary "$body" "$@" "$ENDPOINT/"
  printf ' %s\n' "$(cat "$TMP/raw.body")"
  grep -i '^x-amzn-query-error:' "$TMP/raw.hdr" | tr -d '\r' || true
}

# jqx FILTER [jq options] command...: run the command, print its JSON
# output through jq (raw output).
jqx() {
  local args=(-r)
  while [ "${1#-}" != "$1" ]; do args+=("$1"); shift; done
  local filter=$1; shift
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ $rc -ne 0 ]; then printf '%s\n' "$out"; return $rc; fi
  jq "${args[@]}" "$filter" <<<"$out"
}

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

# CloudWatch over JSON needs botocore >= 1.42.7 (older ones speak awsQuery,
# which trailwatch serve does not implement): skip the whole test otherwise.
require_cw_json() {
  local v
  v=$(aws --version 2>&1 | sed -n 's/.*botocore\/\([0-9.]*\).*/\1/p')
  if [ -z "$v" ] || [ "$(printf '%s\n1.42.7\n' "$v" | sort -V | head -1)" != 1.42.7 ]; then
    echo "aws CLI with botocore ${v:-?} speaks awsQuery to CloudWatch (JSON needs >= 1.42.7): skipped"
    echo "0 passed, 0 failed"; exit 0
  fi
}

require_aws() {
  if ! command -v aws >/dev/null 2>&1; then
    echo "aws CLI missing (scripts/deps.sh installs awscli): skipped"
    echo "0 passed, 0 failed"; exit 0
  fi
}
