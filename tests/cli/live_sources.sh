#!/usr/bin/env bash
# End to end through every live source at once: one `trailwatch serve`
# follows a CloudTrail archive directory, an NDJSON file and its standard
# input, and takes PutLogEvents. One event per source fires that source's
# alarm (Sum >= 1 over 60 s); its webhook (tests/cli/webhook_receiver.py)
# must receive exactly one SNS notification naming the alarm, whose
# Message carries that very event in "Events", and /metrics must count the
# event under its source. The events are dated in the last closed minute,
# so the next evaluation (--eval-interval 1) can see them: the deadline
# below is generous waiting, not a measurement.
# Usage: live_sources.sh /path/to/trailwatch
set -u
TW=${1:?usage: live_sources.sh TRAILWATCH}
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d)
pass=0 fail=0
SERVE_PID="" RECV_PID=""
ok() { pass=$((pass+1)); }
bad() { echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | head -20; fail=$((fail+1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }
cleanup() {
  [ -n "$SERVE_PID" ] && { kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }
  [ -n "$RECV_PID" ] && { kill "$RECV_PID" 2>/dev/null; wait "$RECV_PID" 2>/dev/null; }
  exec 3>&- 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
for tool in python3 curl jq gzip; do
  command -v $tool >/dev/null 2>&1 || { echo "$tool missing: skipped"; echo "0 passed, 0 failed"; exit 0; }
done

# ---- receiver and configuration ----------------------------------------------------
mkdir -p "$TMP/recv" "$TMP/archive"
python3 tests/cli/webhook_receiver.py "$TMP/recv" ok 2> "$TMP/recv.err" &
RECV_PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/recv/port" ] && break; sleep 0.1; done
[ -s "$TMP/recv/port" ] || { echo "FAIL receiver did not start"; exit 1; }
HOOK=http://127.0.0.1:$(cat "$TMP/recv/port")/hook
TOPIC=arn:aws:sns:us-east-1:123456789012:live-sources
SOURCES="put file dir stdin"
python3 - "$TMP/config.json" "$HOOK" "$TOPIC" $SOURCES <<'EOF'
import json, sys
path, hook, topic, sources = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
filters, alarms = [], []
for s in sources:
    name = "Live" + s.capitalize()
    group = "live/put" if s == "put" else "CloudTrail/DefaultLogGroup"
    filters.append({"filterName": name, "logGroupName": group,
                    "filterPattern": '{ $.eventName = "%s" }' % name,
                    "metricTransformations": [{"metricName": name, "metricNamespace": "Live",
                                               "metricValue": "1"}]})
    alarms.append({"AlarmName": name, "MetricName": name, "Namespace": "Live",
                   "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1,
                   "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                   "TreatMissingData": "notBreaching", "AlarmActions": [topic]})
json.dump({"metricFilters": filters, "MetricAlarms": alarms,
           "targets": {topic: [{"type": "webhook", "url": hook}]}}, open(path, "w"))
EOF

# ---- the server ----------------------------------------------------------------------
: > "$TMP/trail.ndjson"
mkfifo "$TMP/stdin"
exec 3<> "$TMP/stdin"   # held open: the server's standard input stays open
"$TW" serve --listen 127.0.0.1:0 --db "$TMP/tw.db" --config "$TMP/config.json" \
  --eval-interval 1 --follow "$TMP/archive" --follow "$TMP/trail.ndjson" --follow - \
  < "$TMP/stdin" 2> "$TMP/serve.err" &
SERVE_PID=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/serve.err")
  [ -n "$port" ] && break
  kill -0 "$SERVE_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL serve did not start"; cat "$TMP/serve.err"; exit 1; }
EP=http://127.0.0.1:$port
logs() {
  curl -s -m 30 -H "X-Amz-Target: Logs_20140328.$1" -H "Content-Type: application/x-amz-json-1.1" \
    --data-binary "$2" "$EP/"
}
logs CreateLogGroup '{"logGroupName":"live/put"}' > /dev/null
logs CreateLogStream '{"logGroupName":"live/put","logStreamName":"s"}' > /dev/null

# ---- one event per source, dated in the last closed minute ----------------------------
now=$(date +%s)
t=$(( now / 60 * 60 - 30 ))
iso=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)
event() { # NAME -> compact CloudTrail event with eventID evt-NAME
  printf '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::123456789012:user/alice"},"eventTime":"%s","eventSource":"iam.amazonaws.com","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","eventID":"evt-%s","eventType":"AwsApiCall","recipientAccountId":"123456789012"}' "$iso" "$1" "$1"
}
# PutLogEvents
body=$(jq -cn --arg m "$(event LivePut)" --argjson ts "$((t * 1000))" \
  '{logGroupName:"live/put",logStreamName:"s",logEvents:[{timestamp:$ts,message:$m}]}')
logs PutLogEvents "$body" > /dev/null
# --follow FILE
event LiveFile >> "$TMP/trail.ndjson"; echo >> "$TMP/trail.ndjson"
# --follow DIR: an S3 object written under a temporary name, then renamed
key=$TMP/archive/AWSLogs/123456789012/CloudTrail/us-east-1/$(date -u -d "@$t" +%Y/%m/%d)
mkdir -p "$key"
obj=123456789012_CloudTrail_us-east-1_$(date -u -d "@$t" +%Y%m%dT%H%MZ)_live.json.gz
printf '{"Records":[%s]}' "$(event LiveDir)" | gzip > "$key/.$obj.tmp"
mv "$key/.$obj.tmp" "$key/$obj"
# --follow -
{ event LiveStdin; echo; } >&3

# ---- each alarm's webhook gets its own event, once -------------------------------------
end=$(( $(date +%s) + 60 ))
while :; do
  n=$(cat "$TMP/recv/requests.ndjson" 2>/dev/null | wc -l)
  [ "$n" -ge 4 ] && break
  [ "$(date +%s)" -ge "$end" ] && break
  sleep 0.2
done
sleep 2 # a duplicate would show up now
reqs=$TMP/recv/requests.ndjson
check "four notifications, one per source" test "$(cat "$reqs" 2>/dev/null | wc -l)" -eq 4
for s in $SOURCES; do
  name=Live${s^}
  msgs=$(jq -c --arg a "$name" 'select(.body | fromjson | .Message | fromjson | .AlarmName == $a)' "$reqs" 2>/dev/null)
  check "$s: one notification for $name" test "$(printf '%s\n' "$msgs" | grep -c .)" -eq 1
  ev=$(printf '%s\n' "$msgs" | head -1 | jq -r '.body | fromjson | .Message | fromjson | .Events[0].eventID' 2>/dev/null)
  check "$s: the notification carries the event" test "$ev" = "evt-$name"
  st=$(printf '%s\n' "$msgs" | head -1 | jq -r '.body | fromjson | .Message | fromjson | .NewStateValue' 2>/dev/null)
  check "$s: ALARM" test "$st" = ALARM
done

# ---- /metrics counts each source ------------------------------------------------------
metrics=$(curl -s -m 30 "$EP/metrics")
count() { printf '%s\n' "$metrics" | awk -v want="trailwatch_events_ingested_total{source=\"$1\"}" '$1 == want { print $2 }'; }
check "metrics: PutLogEvents" test "$(count PutLogEvents)" = 1
check "metrics: stdin" test "$(count stdin)" = 1
check "metrics: the file" test "$(count "follow:$TMP/trail.ndjson")" = 1
check "metrics: the directory" test "$(count "follow:$TMP/archive")" = 1

kill "$SERVE_PID"; wait "$SERVE_PID"; rc=$?; SERVE_PID=""
check "SIGTERM: exit 0" test "$rc" -eq 0
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
