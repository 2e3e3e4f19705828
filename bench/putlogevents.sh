#!/usr/bin/env bash
# putlogevents.sh — PutLogEvents throughput of `trailwatch serve` on
# loopback (a benchmark, not a test). Batches of 1,000 CloudTrail events
# (examples/events.ndjson, cycled, with increasing timestamps) are POSTed
# over one keep-alive HTTP/1.1 connection by a small Python client, with
# no metric filter and with the 15 CIS filters of bench/cis.json preloaded
# (--config), each to a fresh database. Prints events/s and MB/s.
# Usage: bench/putlogevents.sh [TRAILWATCH [BATCHES]]
set -euo pipefail
cd "$(dirname "$0")/.."
TW=${1:-build/trailwatch}
BATCHES=${2:-200}
TMP=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT

cat > "$TMP/client.py" <<'EOF'
import http.client, json, sys, time
port, batches, group = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
events = [l.strip() for l in open("examples/events.ndjson") if l.strip()]
conn = http.client.HTTPConnection("127.0.0.1", port)
def call(op, body):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request("POST", "/", data, {"X-Amz-Target": "Logs_20140328." + op,
                                     "Content-Type": "application/x-amz-json-1.1"})
    r = conn.getresponse(); out = r.read()
    if r.status != 200 and op != "CreateLogGroup":
        sys.exit("%s failed: %s %s" % (op, r.status, out[:200]))
    return len(data)
call("CreateLogGroup", {"logGroupName": group})
call("CreateLogStream", {"logGroupName": group, "logStreamName": "bench"})
t0 = int(time.time() * 1000) - 3600 * 1000
bodies = []
for b in range(batches):
    evs = [{"timestamp": t0 + b * 1000 + i, "message": events[(b * 1000 + i) % len(events)]}
           for i in range(1000)]
    bodies.append({"logGroupName": group, "logStreamName": "bench", "logEvents": evs})
msg_bytes = sum(len(e["message"]) for b in bodies for e in b["logEvents"])
bodies = [json.dumps(b).encode() for b in bodies]  # the client's JSON work is not timed
start = time.perf_counter()
for body in bodies:
    call("PutLogEvents", body)
secs = time.perf_counter() - start
n = batches * 1000
print("%d events in %.2f s: %.0f events/s, %.1f MB/s of messages, %.1f ms per batch"
      % (n, secs, n / secs, msg_bytes / secs / 1e6, secs / batches * 1000))
EOF

run() { # label [serve args...]
  local label=$1; shift
  rm -f "$TMP"/db*
  "$TW" serve --listen 127.0.0.1:0 --db "$TMP/db" "$@" > /dev/null 2> "$TMP/err" &
  PID=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/err")
    [ -n "$port" ] && break; sleep 0.1
  done
  [ -n "$port" ] || { cat "$TMP/err"; exit 1; }
  printf '%-28s ' "$label:"
  python3 "$TMP/client.py" "$port" "$BATCHES" CloudTrail/DefaultLogGroup
  kill "$PID"; wait "$PID" || true; PID=""
}

echo "trailwatch serve PutLogEvents, $BATCHES batches x 1,000 CloudTrail events, loopback"
run "no metric filter"
run "15 CIS metric filters" --config bench/cis.json
