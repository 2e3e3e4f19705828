#!/usr/bin/env bash
# live.sh — [live] benchmark (not a test): event-to-webhook latency per live
# source, and sustained PutLogEvents ingest with the CIS filters loaded
# while notifications are delivered. Starts `trailwatch serve` on loopback
# with a webhook target pointing at a receiver inside bench/live.py, the
# followed file, directory and standard input (a FIFO), and runs two
# phases on fresh databases: idle (latency only) and under load.
# Usage: bench/live.sh [TRAILWATCH]   (PER_SOURCE trials per source, default
# 20; SPREAD seconds over which they are sent, default 150 idle and 40
# under load; the load phase writes ~50k events/s to the database in $TMPDIR,
# several GB)
set -euo pipefail
cd "$(dirname "$0")/.."
TW=${1:-build/trailwatch}
PER=${PER_SOURCE:-20}
SPREAD=${SPREAD:-150}
TMP=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

phase() { # label load|idle spread
  local d="$TMP/$1" hook
  mkdir -p "$d/archive"
  : > "$d/trail.ndjson"
  mkfifo "$d/stdin"
  hook=$(free_port)
  python3 bench/live.py config "$d/config.json" "$PER" "http://127.0.0.1:$hook/hook" bench/cis.json
  exec 3<> "$d/stdin" # a writer, so that opening the FIFO does not block
  "$TW" serve --listen 127.0.0.1:0 --db "$d/tw.db" --config "$d/config.json" \
    --follow "$d/trail.ndjson" --follow "$d/archive" --follow - --log-level warn \
    < "$d/stdin" 2> "$d/serve.log" &
  PID=$!
  local port="" i
  for i in $(seq 1 200); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$d/serve.log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$d/serve.log"; echo "serve did not start" >&2; exit 1; }
  echo "== $1: $((PER * 4)) trials over $3 s =="
  python3 bench/live.py run "$port" "$hook" "$PER" "$3" "$2" \
    "$d/trail.ndjson" "$d/archive" "$d/stdin"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  exec 3>&-
}

phase idle idle "$SPREAD"
phase load load "${SPREAD_LOAD:-40}"
