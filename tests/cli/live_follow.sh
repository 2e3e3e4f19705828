#!/usr/bin/env bash
# `trailwatch serve --follow`: the live sources, checked through the Logs
# API (FilterLogEvents with the X-Amz-Target protocol; counts of events and
# of distinct eventIDs, so a duplicate shows).
#  (a) --follow DIR on an empty directory: CloudTrail objects copied in
#      (new directories, temp name + rename as aws s3 sync does, ignored
#      temp/hidden/digest/README files), one stream per account/region, a
#      truncated object reported then completed, a restart without
#      re-ingestion;
#  (b) kill -9 while a large archive is being ingested, restart: every
#      event exactly once;
#  (c) --follow FILE: appends, a partial last line completed later, rename
#      rotation, copytruncate (also regrown at once), restart and rotation
#      while stopped, and an alarm (Sum >= 1 on a metric filter over the
#      followed group) going to ALARM;
#  (d) --follow - through a pipe, ending at EOF while the server runs on;
#  (e) --follow FILE when a FIFO takes the name: refused with a warning
#      (opening it must not block), SIGTERM still stops the server, and a
#      regular file at the name again is read.
# Usage: live_follow.sh /path/to/trailwatch
set -u
TW=${1:?usage: live_follow.sh TRAILWATCH}
cd "$(dirname "$0")/../.."
. tests/api/serve_lib.sh
for tool in python3 jq curl; do
  command -v $tool >/dev/null || { echo "$tool missing: skipped"; echo "0 passed, 0 failed"; exit 0; }
done

# ---- helpers --------------------------------------------------------------------
cat > "$TMP/lf.py" <<'EOF'
import gzip, json, sqlite3, sys, urllib.request

def call(ep, target, body):
    ct = "application/x-amz-json-1.0" if target.startswith("Granite") else "application/x-amz-json-1.1"
    req = urllib.request.Request(ep + "/", data=json.dumps(body).encode(),
                                 headers={"X-Amz-Target": target, "Content-Type": ct})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)

def count(ep, group):
    """N events of the group and D distinct eventIDs: 'N D'."""
    n, ids, tok = 0, set(), None
    while True:
        body = {"logGroupName": group, "limit": 10000}
        if tok:
            body["nextToken"] = tok
        out = call(ep, "Logs_20140328.FilterLogEvents", body)
        for e in out["events"]:
            n += 1
            ids.add(json.loads(e["message"]).get("eventID"))
        tok = out.get("nextToken")
        if not tok:
            return "%d %d" % (n, len(ids))

def records(paths):
    """Events in CloudTrail objects (gzip {"Records":[...]})."""
    return sum(len(json.loads(gzip.open(p).read())["Records"]) for p in paths)

def dbcount(db, group):
    c = sqlite3.connect(db, timeout=30)
    r = c.execute("SELECT count(*) FROM log_events e JOIN log_groups g"
                  " ON g.id = e.group_id WHERE g.name = ?", (group,)).fetchone()
    return r[0]

def gzobject(ndjson, out):
    """A CloudTrail object holding the events of an NDJSON file."""
    recs = [json.loads(l) for l in open(ndjson) if l.strip()]
    with gzip.open(out, "wb") as f:
        f.write(json.dumps({"Records": recs}, separators=(",", ":")).encode())

cmd = sys.argv[1]
if cmd == "count":
    print(count(sys.argv[2], sys.argv[3]))
elif cmd == "records":
    print(records(sys.argv[2:]))
elif cmd == "dbcount":
    print(dbcount(sys.argv[2], sys.argv[3]))
elif cmd == "gzobject":
    gzobject(sys.argv[2], sys.argv[3])
elif cmd == "call":
    print(json.dumps(call(sys.argv[2], sys.argv[3], json.loads(sys.argv[4])), separators=(",", ":")))
EOF
lf() { python3 "$TMP/lf.py" "$@"; }
count() { lf count "$ENDPOINT" "$1" 2>&1; }
api() { lf call "$ENDPOINT" "$@"; }

# wait_count NAME GROUP N: wait (generous deadline) until the group holds
# exactly N events, all distinct, and still does a moment later.
wait_count() {
  local name=$1 group=$2 want="$3 $3" got=""
  for _ in $(seq 1 300); do
    got=$(count "$group")
    [ "$got" = "$want" ] && break
    sleep 0.2
  done
  [ "$got" = "$want" ] && sleep 0.5 && got=$(count "$group")
  expect_eq "$name" "$want" -- echo "$got"
}

# serve_up NAME [serve args]: start, fail the test when it does not start.
serve_up() {
  local name=$1; shift
  if ! serve_start --log-level debug "$@"; then bad "$name: serve did not start"; finish; exit 1; fi
}

# Recent events (inside CloudWatch Logs' 14 days) for NDJSON inputs.
START=$(date -u -d '-1 day' +%FT%H:%M:%SZ)
"$TW" sample --events 400 --seed 7 --start "$START" --days 1 --out "$TMP/ev.ndjson"
lines() { sed -n "$1,$2p" "$TMP/ev.ndjson"; }

# ---- (a) --follow DIR -------------------------------------------------------------
DAY=$(date -u -d yesterday +%F)
"$TW" sample --archive "$TMP/arch" --start "$DAY" --days 1 --events-per-day 2000 > "$TMP/sample.out"
TOTAL=$(sed -n 's/^trailwatch sample: wrote \([0-9]*\) events.*/\1/p' "$TMP/sample.out")
SRC=$TMP/arch/AWSLogs/111122223333/CloudTrail
W=$TMP/watched
mkdir -p "$W"
GA=Archive/Test
serve_up dir-start --follow "$W" --log-group "$GA"

# a whole region tree, new directories and all
mkdir -p "$W/AWSLogs/111122223333/CloudTrail"
cp -r "$SRC/us-east-1" "$W/AWSLogs/111122223333/CloudTrail/"
N1=$(lf records $(find "$SRC/us-east-1" -name '*.json.gz'))
wait_count dir-copy-tree "$GA" "$N1"

# another region object by object, as aws s3 sync writes: temp name, rename
N2=$(lf records $(find "$SRC/eu-west-1" -name '*.json.gz'))
(cd "$SRC" && find eu-west-1 -name '*.json.gz' | sort) | while read -r f; do
  mkdir -p "$W/AWSLogs/111122223333/CloudTrail/$(dirname "$f")"
  cp "$SRC/$f" "$W/AWSLogs/111122223333/CloudTrail/$f.3fA9c0E1"
  mv "$W/AWSLogs/111122223333/CloudTrail/$f.3fA9c0E1" "$W/AWSLogs/111122223333/CloudTrail/$f"
done
# never read: temp names left behind, hidden files, digests, a README
one=$(find "$SRC/us-west-2" -name '*.json.gz' | head -1)
cp "$one" "$W/AWSLogs/111122223333/CloudTrail/left.json.gz.0a1B2c3D"
cp "$one" "$W/AWSLogs/111122223333/CloudTrail/left.json.gz.partial"
cp "$one" "$W/AWSLogs/111122223333/CloudTrail/.hidden.json.gz"
cp -r "$TMP/arch/AWSLogs/111122223333/CloudTrail-Digest" "$W/AWSLogs/111122223333/"
echo "not an event file" > "$W/README"
wait_count dir-rename "$GA" $((N1 + N2))

# the rest
cp -r "$SRC/us-west-2" "$SRC/ap-southeast-2" "$W/AWSLogs/111122223333/CloudTrail/"
wait_count dir-all "$GA" "$TOTAL"
expect_eq dir-streams "111122223333_CloudTrail_ap-southeast-2 111122223333_CloudTrail_eu-west-1 111122223333_CloudTrail_us-east-1 111122223333_CloudTrail_us-west-2" -- \
  bash -c "python3 '$TMP/lf.py' call '$ENDPOINT' Logs_20140328.DescribeLogStreams '{\"logGroupName\":\"$GA\"}' | jq -r '[.logStreams[].logStreamName] | join(\" \")'"
expect dir-no-errors 1 "" -- grep -q "level=warn\|level=error" "$TMP/serve.err"

# a truncated object: reported, recorded; completed later: only the rest
lines 1 40 > "$TMP/t.ndjson"
lf gzobject "$TMP/t.ndjson" "$TMP/t.json.gz"
T=$W/AWSLogs/111122223333/CloudTrail/us-east-1/extra_CloudTrail_us-east-1_t.json.gz
head -c $(($(stat -c %s "$TMP/t.json.gz") * 2 / 3)) "$TMP/t.json.gz" > "$T"
for _ in $(seq 1 150); do grep -q "event=follow.object_error" "$TMP/serve.err" && break; sleep 0.2; done
expect dir-truncated-reported 0 "object=AWSLogs/111122223333/CloudTrail/us-east-1/extra_CloudTrail_us-east-1_t.json.gz" -- \
  grep "event=follow.object_error" "$TMP/serve.err"
cat "$TMP/t.json.gz" > "$T"
wait_count dir-truncated-completed "$GA" $((TOTAL + 40))

# restart: nothing read twice; a new object after the restart is read
serve_stop
serve_up dir-restart --follow "$W" --log-group "$GA"
lines 41 45 > "$TMP/n.ndjson"
lf gzobject "$TMP/n.ndjson" "$TMP/n.json.gz"
cp "$TMP/n.json.gz" "$W/AWSLogs/111122223333/CloudTrail/us-east-1/new_CloudTrail_us-east-1_n.json.gz"
wait_count dir-restart-once "$GA" $((TOTAL + 45))
# a touch (same bytes, new mtime) is read again but adds nothing
touch -d '+1 min' "$W/AWSLogs/111122223333/CloudTrail/us-east-1/new_CloudTrail_us-east-1_n.json.gz"
lines 46 47 > "$TMP/m.ndjson"
lf gzobject "$TMP/m.ndjson" "$TMP/m.json.gz"
cp "$TMP/m.json.gz" "$W/AWSLogs/111122223333/CloudTrail/us-east-1/new_CloudTrail_us-east-1_m.json.gz"
wait_count dir-touch-same-bytes "$GA" $((TOTAL + 47))
serve_stop

# ---- (b) kill -9 during a large ingestion -------------------------------------------
B=$TMP/big
GB=Archive/Big
"$TW" sample --archive "$B" --start "$(date -u -d '-2 days' +%F)" --days 2 --events-per-day 30000 > "$TMP/big.out"
BIG=$(sed -n 's/^trailwatch sample: wrote \([0-9]*\) events.*/\1/p' "$TMP/big.out")
serve_up big-start --follow "$B" --log-group "$GB"
mid=0
for _ in $(seq 1 600); do
  mid=$(lf dbcount "$TMP/db.sqlite" "$GB" 2>/dev/null || echo 0)
  [ "${mid:-0}" -gt 0 ] && break
  sleep 0.05
done
serve_kill9
at_kill=$(lf dbcount "$TMP/db.sqlite" "$GB")
if [ "$at_kill" -gt 0 ] && [ "$at_kill" -lt "$BIG" ]; then ok; else
  bad "big-killed-midway: $at_kill of $BIG events ingested when killed (want some, not all)"; fi
serve_up big-restart --follow "$B" --log-group "$GB"
wait_count big-exactly-once "$GB" "$BIG"
serve_stop

# ---- (c) --follow FILE ----------------------------------------------------------------
F=$TMP/trail.ndjson
GF=Files/Test
: > "$F"
serve_up file-start --follow "$F" --log-group "$GF" --eval-interval 1
lines 1 100 >> "$F"
wait_count file-append "$GF" 100
lines 101 150 >> "$F"
lines 151 151 | head -c 150 >> "$F"             # a partial last line
wait_count file-partial-line-waits "$GF" 150
lines 151 151 | tail -c +151 >> "$F"
lines 152 160 >> "$F"
wait_count file-partial-line-completed "$GF" 160
mv "$F" "$F.1"                                     # rename rotation
lines 161 170 >> "$F.1"                            # late writes to the old file
lines 171 190 > "$F"
wait_count file-rename-rotation "$GF" 190
lines 191 200 >> "$F"
wait_count file-after-rotation "$GF" 200
cp "$F" "$F.2"; : > "$F"                           # copytruncate
wait_count file-truncated-nothing-new "$GF" 200
lines 201 215 >> "$F"
wait_count file-copytruncate "$GF" 215
cp "$F" "$F.3"; lines 216 240 > "$F"               # truncated and regrown at once
wait_count file-copytruncate-regrown "$GF" 240
expect file-stream 0 '"logStreamName":"trail.ndjson"' -- \
  lf call "$ENDPOINT" Logs_20140328.DescribeLogStreams "{\"logGroupName\":\"$GF\"}"

# alarm end to end: metric filter on the followed group, Sum >= 1
api Logs_20140328.PutMetricFilter "{\"logGroupName\":\"$GF\",\"filterName\":\"sw\",\"filterPattern\":\"{ \$.eventName = \\\"SwitchRole\\\" }\",\"metricTransformations\":[{\"metricName\":\"SwitchRoleCount\",\"metricNamespace\":\"Live/Test\",\"metricValue\":\"1\"}]}" >/dev/null
api GraniteServiceVersion20100801.PutMetricAlarm '{"AlarmName":"live-switch","Namespace":"Live/Test","MetricName":"SwitchRoleCount","Statistic":"Sum","Period":60,"EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"GreaterThanOrEqualToThreshold"}' >/dev/null
TS=$(( $(date +%s) / 60 * 60 - 30 ))
grep SwitchRole examples/events.ndjson | head -1 | \
  jq -c --arg t "$(date -u -d "@$TS" +%FT%TZ)" '.eventTime = $t | .eventID = "live-switch-1"' >> "$F"
state=""
for _ in $(seq 1 120); do
  state=$(api GraniteServiceVersion20100801.DescribeAlarms '{"AlarmNames":["live-switch"]}' | jq -r '.MetricAlarms[0].StateValue')
  [ "$state" = ALARM ] && break
  sleep 0.5
done
expect_eq file-alarm ALARM -- echo "$state"

# restart resumes exactly; then rotation while stopped
serve_stop
lines 241 250 >> "$F"
serve_up file-restart --follow "$F" --log-group "$GF"
wait_count file-restart-resume "$GF" 251
serve_stop
lines 251 255 >> "$F"
mv "$F" "$F.4"
lines 256 262 > "$F"
serve_up file-rotated-while-stopped --follow "$F" --log-group "$GF"
wait_count file-rotated-while-stopped "$GF" 263
expect file-rotated-found 0 "event=follow.resume_rotated" -- cat "$TMP/serve.err"
serve_stop

# ---- (d) --follow - ---------------------------------------------------------------------
GS=Stdin/Test
mkfifo "$TMP/in.fifo"
: > "$TMP/serve.err"
"$TW" serve --listen 127.0.0.1:0 --db "$TMP/db.sqlite" --follow - --log-group "$GS" \
  < "$TMP/in.fifo" >> "$TMP/serve.out" 2> "$TMP/serve.err" &
SERVE_PID=$!
exec 3> "$TMP/in.fifo"
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/serve.err")
  [ -n "$PORT" ] && break
  sleep 0.1
done
ENDPOINT="http://127.0.0.1:$PORT"
lines 301 330 >&3
wait_count stdin-lines "$GS" 30
lines 331 331 | head -c 100 >&3
lines 331 331 | tail -c +101 >&3
wait_count stdin-partial-line "$GS" 31
printf '%s' "$(lines 332 332)" >&3                   # last line without newline
exec 3>&-                                            # EOF
for _ in $(seq 1 150); do grep -q "event=follow.end source=stdin" "$TMP/serve.err" && break; sleep 0.2; done
expect stdin-eof 0 "event=follow.end source=stdin" -- cat "$TMP/serve.err"
wait_count stdin-after-eof "$GS" 32
expect_eq stdin-stream "stdin" -- \
  bash -c "python3 '$TMP/lf.py' call '$ENDPOINT' Logs_20140328.DescribeLogStreams '{\"logGroupName\":\"$GS\"}' | jq -r '.logStreams[].logStreamName'"
serve_stop

# an empty standard input (serve_start's is /dev/null) just ends
serve_up stdin-empty --follow - --log-group Stdin/Empty
for _ in $(seq 1 150); do grep -q "event=follow.end source=stdin" "$TMP/serve.err" && break; sleep 0.2; done
expect stdin-empty-eof 0 "event=follow.end source=stdin" -- cat "$TMP/serve.err"
serve_stop

# ---- (e) a FIFO at a followed file's name ------------------------------------------------
P=$TMP/piped.ndjson
GP=Files/Fifo
lines 1 10 > "$P"
serve_up fifo-start --follow "$P" --log-group "$GP"
wait_count fifo-before "$GP" 10
rm "$P"; mkfifo "$P"                               # no writer: a blocking open hangs
for _ in $(seq 1 150); do grep -q "event=follow.not_regular" "$TMP/serve.err" && break; sleep 0.2; done
expect fifo-refused 0 "event=follow.not_regular" -- cat "$TMP/serve.err"
rm "$P"; lines 11 15 > "$P"                        # a regular file again
wait_count fifo-regular-again "$GP" 15
rm "$P"; mkfifo "$P"
for _ in $(seq 1 150); do [ "$(grep -c "event=follow.not_regular" "$TMP/serve.err")" -ge 2 ] && break; sleep 0.2; done
expect_eq fifo-refused-again 2 -- grep -c "event=follow.not_regular" "$TMP/serve.err"
kill "$SERVE_PID" 2>/dev/null                      # SIGTERM must not hang
for _ in $(seq 1 300); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVE_PID" 2>/dev/null; then
  bad "fifo-sigterm: serve still running 30 s after SIGTERM"; serve_kill9
else ok; serve_stop; fi

# ---- start failures ----------------------------------------------------------------------
expect missing-path 3 "--follow $TMP/nope:" -- "$TW" serve --listen 127.0.0.1:0 --db "$TMP/db.sqlite" --follow "$TMP/nope"
expect bad-group 3 "invalid log group name" -- "$TW" serve --listen 127.0.0.1:0 --db "$TMP/db.sqlite" --follow "$F" --log-group 'a b'
expect given-twice 3 "given twice" -- "$TW" serve --listen 127.0.0.1:0 --db "$TMP/db.sqlite" --follow "$F" --follow "$F"

finish
