#!/usr/bin/env bash
# `trailwatch serve` delivering alarm notifications to webhooks through the
# durable outbox, against tests/cli/webhook_receiver.py:
#  - a CloudTrail event put with PutLogEvents puts an alarm in ALARM; its
#    webhook gets ONE SNS POST with the alarm and the event in "Events";
#  - crash safety: the receiver refuses connections, the alarm is in ALARM,
#    the server is killed (kill -9), the receiver starts listening, the
#    server restarts: the notification arrives exactly once, with the id
#    of the outbox row;
#  - a receiver answering 500 gets several attempts with growing gaps, then
#    one more once it answers 200, then nothing more;
#  - a hanging receiver (short timeout_ms) blocks neither another target's
#    delivery nor DescribeAlarms;
#  - many failed retries do not make the server's memory grow.
# Usage: live_webhook.sh /path/to/trailwatch
set -u
TW=${1:?usage: live_webhook.sh TRAILWATCH}
cd "$(dirname "$0")/../.."
HERE=tests/cli
TMP=$(mktemp -d)
pass=0 fail=0
SERVE_PID="" ENDPOINT="" NSTART=0
RECEIVERS=()
ok() { pass=$((pass+1)); }
bad() { echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | head -20; fail=$((fail+1)); }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

for tool in python3 curl jq; do
  command -v $tool >/dev/null 2>&1 || { echo "$tool missing: skipped"; echo "0 passed, 0 failed"; exit 0; }
done

# ---- receivers -----------------------------------------------------------------------

# receiver_start NAME MODE: a receiver in $TMP/NAME; sets port file.
receiver_start() {
  local dir=$TMP/$1
  mkdir -p "$dir"
  python3 $HERE/webhook_receiver.py "$dir" "$2" 2>"$dir/stderr" &
  RECEIVERS+=($!)
  for _ in $(seq 1 100); do [ -s "$dir/port" ] && return 0; sleep 0.1; done
  echo "FAIL receiver $1 did not start"; cat "$dir/stderr"; return 1
}
rport() { cat "$TMP/$1/port"; }
set_mode() { echo "$2" > "$TMP/$1/mode"; }
# requests received so far
rcount() { if [ -f "$TMP/$1/requests.ndjson" ]; then wc -l < "$TMP/$1/requests.ndjson"; else echo 0; fi; }
# wait_count NAME N SECONDS: until at least N requests arrived
wait_count() {
  local end=$(( $(date +%s) + $3 ))
  while [ "$(rcount "$1")" -lt "$2" ]; do
    [ "$(date +%s)" -ge "$end" ] && return 1
    sleep 0.1
  done
}
req() { sed -n "${2}p" "$TMP/$1/requests.ndjson"; }

# ---- the server ----------------------------------------------------------------------

# serve_start DB CONFIG [VAR=value...]
serve_start() {
  local db=$1 cfg=$2; shift 2
  NSTART=$((NSTART+1))
  SERVE_ERR=$TMP/serve.$NSTART.err
  env "$@" "$TW" serve --listen 127.0.0.1:0 --db "$db" --config "$cfg" --eval-interval 1 \
    >> "$TMP/serve.out" 2> "$SERVE_ERR" &
  SERVE_PID=$!
  local port=""
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SERVE_ERR")
    [ -n "$port" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then echo "FAIL could not start trailwatch serve:"; cat "$SERVE_ERR"; SERVE_PID=""; return 1; fi
  ENDPOINT=http://127.0.0.1:$port
}
# SIGTERM; a non-zero exit (sanitizer report, crash, leak) fails.
serve_stop() {
  [ -n "$SERVE_PID" ] || return 0
  kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; local rc=$?
  SERVE_PID=""
  [ "$rc" -eq 0 ] && ok || bad "server exited with status $rc" "$(tail -30 "$SERVE_ERR")"
}
serve_kill9() { kill -9 "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=""; }
cleanup() {
  [ -n "$SERVE_PID" ] && { kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }
  for p in "${RECEIVERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# api TARGET BODY: the response body
api() {
  local ct=application/x-amz-json-1.1
  case "$1" in Granite*) ct=application/x-amz-json-1.0 ;; esac
  curl -s -m 60 -H "X-Amz-Target: $1" -H "Content-Type: $ct" --data-binary "$2" "$ENDPOINT/"
}
cw() { api "GraniteServiceVersion20100801.$1" "$2"; }
state_of() { cw DescribeAlarms "{\"AlarmNames\":[\"$1\"]}" | jq -r '.MetricAlarms[0].StateValue'; }
# wait_state ALARM STATE SECONDS
wait_state() {
  local end=$(( $(date +%s) + $3 ))
  until [ "$(state_of "$1")" = "$2" ]; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.2; done
}
set_alarm() { cw SetAlarmState "{\"AlarmName\":\"$1\",\"StateValue\":\"ALARM\",\"StateReason\":\"test\"}" >/dev/null; }
action_history() {
  cw DescribeAlarmHistory "{\"AlarmName\":\"$1\",\"HistoryItemType\":\"Action\"}" |
    jq -r '.AlarmHistoryItems[].HistorySummary'
}
# outbox rows of an alarm: "id state attempts" lines
outbox_rows() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
for r in db.execute("SELECT id, state, attempts FROM outbox WHERE alarm = ? ORDER BY row_id", (sys.argv[2],)):
    print(*r)
PY
}

# ---- configuration -------------------------------------------------------------------------

receiver_start ok ok || exit 1
receiver_start crash refuse || exit 1
receiver_start fail fail || exit 1
receiver_start hang hang || exit 1
receiver_start other ok || exit 1
ACC=123456789012
T=arn:aws:sns:us-east-1:$ACC
cat > "$TMP/cfg.yaml" <<YAML
metricFilters:
  - filterName: switch-role
    filterPattern: '{ \$.eventName = "SwitchRole" }'
    metricTransformations:
      - {metricName: SwitchRole, metricNamespace: Sec, metricValue: "1"}
MetricAlarms:
  - {AlarmName: switch-role, Namespace: Sec, MetricName: SwitchRole, Statistic: Sum, Period: 60,
     EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold,
     AlarmActions: ["$T:ok"]}
  - {AlarmName: switch-role-crash, Namespace: Sec, MetricName: SwitchRole, Statistic: Sum, Period: 60,
     EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold,
     AlarmActions: ["$T:crash"]}
  - {AlarmName: flaky, Namespace: Test, MetricName: Flaky, Statistic: Sum, Period: 60,
     EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold,
     AlarmActions: ["$T:fail"]}
  - {AlarmName: hang, Namespace: Test, MetricName: Hang, Statistic: Sum, Period: 60,
     EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold,
     AlarmActions: ["$T:hang"]}
  - {AlarmName: other, Namespace: Test, MetricName: Other, Statistic: Sum, Period: 60,
     EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold,
     AlarmActions: ["$T:other"]}
targets:
  "$T:ok": [{type: webhook, url: "http://127.0.0.1:$(rport ok)/hook"}]
  "$T:crash": [{type: webhook, url: "http://127.0.0.1:$(rport crash)/hook"}]
  "$T:fail": [{type: webhook, url: "http://127.0.0.1:$(rport fail)/hook"}]
  "$T:hang": [{type: webhook, url: "http://127.0.0.1:$(rport hang)/hook", timeout_ms: 5000}]
  "$T:other": [{type: webhook, url: "http://127.0.0.1:$(rport other)/hook"}]
YAML
DB=$TMP/db.sqlite
RETRY_ENV=(TW_OUTBOX_BACKOFF_MS=300 TW_OUTBOX_BACKOFF_MAX_MS=3000 TW_OUTBOX_MAX_ATTEMPTS=1000)
serve_start "$DB" "$TMP/cfg.yaml" "${RETRY_ENV[@]}" || exit 1

# ---- one matching CloudTrail event -> ALARM -> one POST ------------------------------------

# the event goes into the minute that has just ended, so the next evaluation
# (every second here) sees it; keep clear of the end of the minute
[ $(( $(date +%s) % 60 )) -gt 45 ] && sleep $(( 61 - $(date +%s) % 60 ))
NOW=$(date +%s)
TS=$(( (NOW / 60 * 60 - 30) * 1000 ))
EVENT_ID=live-webhook-$NOW-$$
EV=$(grep SwitchRole examples/events.ndjson | head -1 |
  jq -c --arg t "$(date -u -d "@$((TS / 1000))" +%Y-%m-%dT%H:%M:%SZ)" --arg id "$EVENT_ID" \
    '.eventTime = $t | .eventID = $id')
G=CloudTrail/DefaultLogGroup
api Logs_20140328.CreateLogStream "{\"logGroupName\":\"$G\",\"logStreamName\":\"trail\"}" >/dev/null
put=$(api Logs_20140328.PutLogEvents "$(jq -nc --arg g "$G" --arg m "$EV" --argjson t "$TS" \
  '{logGroupName: $g, logStreamName: "trail", logEvents: [{timestamp: $t, message: $m}]}')")
check "put-log-events: $put" grep -q nextSequenceToken <<<"$put"
check "switch-role in ALARM" wait_state switch-role ALARM 30
check "switch-role-crash in ALARM" wait_state switch-role-crash ALARM 30

check "one POST to the webhook" wait_count ok 1 30
sleep 1
check "exactly one POST" [ "$(rcount ok)" = 1 ]
R=$(req ok 1)
BODY=$(jq -r .body <<<"$R")
check "SNS Type" [ "$(jq -r .Type <<<"$BODY")" = Notification ]
check "TopicArn" [ "$(jq -r .TopicArn <<<"$BODY")" = "$T:ok" ]
check "Subject" [ "$(jq -r .Subject <<<"$BODY")" = 'ALARM: "switch-role" in US East (N. Virginia)' ]
check "Message.AlarmName" [ "$(jq -r '.Message | fromjson | .AlarmName' <<<"$BODY")" = switch-role ]
check "Message.NewStateValue" [ "$(jq -r '.Message | fromjson | .NewStateValue' <<<"$BODY")" = ALARM ]
check "Message.Events has the event" [ "$(jq -r '.Message | fromjson | .Events[0].eventID' <<<"$BODY")" = "$EVENT_ID" ]
check "x-amz-sns-message-id = MessageId" [ "$(jq -r '.headers["x-amz-sns-message-id"]' <<<"$R")" = "$(jq -r .MessageId <<<"$BODY")" ]
check "POST /hook" [ "$(jq -r '.method + " " + .path' <<<"$R")" = "POST /hook" ]
end=$(( $(date +%s) + 30 ))
until [ "$(action_history switch-role)" = "Successfully executed action $T:ok" ] || [ "$(date +%s)" -ge $end ]; do sleep 0.2; done
check "Action history of switch-role" [ "$(action_history switch-role)" = "Successfully executed action $T:ok" ]

# ---- crash safety: refused, kill -9, receiver up, restart -> exactly once ------------------

end=$(( $(date +%s) + 30 ))
until grep -q 'event=delivery.failed.*alarm=switch-role-crash' "$SERVE_ERR" || [ "$(date +%s)" -ge $end ]; do sleep 0.1; done
check "refused attempt logged at warn" grep -q 'level=warn event=delivery.failed alarm=switch-role-crash .*target=webhook attempt=1 ' "$SERVE_ERR"
ROW=$(outbox_rows "$DB" switch-role-crash)
ROW_ID=${ROW%% *}
check "one pending outbox row: $ROW" grep -qx '[0-9a-f-]\{36\} pending [0-9]*' <<<"$ROW"
check "crash alarm still ALARM" [ "$(state_of switch-role-crash)" = ALARM ]
serve_kill9
check "nothing reached the refusing receiver" [ "$(rcount crash)" = 0 ]
set_mode crash ok
serve_start "$DB" "$TMP/cfg.yaml" "${RETRY_ENV[@]}" || exit 1
check "delivered after the restart" wait_count crash 1 30
sleep 2
check "exactly once after the restart" [ "$(rcount crash)" = 1 ]
R=$(req crash 1)
check "same id as the outbox row" [ "$(jq -r '.headers["x-amz-sns-message-id"]' <<<"$R")" = "$ROW_ID" ]
check "crash notification is for its alarm" [ "$(jq -r '.body | fromjson | .Message | fromjson | .AlarmName' <<<"$R")" = switch-role-crash ]
check "done rows are not delivered again" [ "$(rcount ok)" = 1 ]
end=$(( $(date +%s) + 30 ))
until [ "$(outbox_rows "$DB" switch-role-crash | cut -d' ' -f2)" = done ] || [ "$(date +%s)" -ge $end ]; do sleep 0.2; done
check "crash row done" [ "$(outbox_rows "$DB" switch-role-crash | cut -d' ' -f2)" = done ]
check "Action history of the crash alarm" [ "$(action_history switch-role-crash)" = "Successfully executed action $T:crash" ]

# ---- a failing receiver: growing gaps, then one delivery, then quiet ---------------------------

set_alarm flaky
check "five failed attempts" wait_count fail 5 60
set_mode fail ok
end=$(( $(date +%s) + 30 ))
until jq -e 'select(.status == 200)' "$TMP/fail/requests.ndjson" >/dev/null 2>&1 || [ "$(date +%s)" -ge $end ]; do sleep 0.1; done
sleep 5 # longer than the largest gap (3 s): any further attempt would show
N=$(rcount fail)
check "ends with the one successful attempt" [ "$(jq -s '[.[].status] | (.[-1] == 200) and (map(select(. == 200)) | length == 1)' "$TMP/fail/requests.ndjson")" = true ]
check "every attempt has the same id" [ "$(jq -r '.headers["x-amz-sns-message-id"]' "$TMP/fail/requests.ndjson" | sort -u | wc -l)" = 1 ]
GAPS=$(jq -c -s '[range(1; length) as $i | .[$i].t - .[$i-1].t | . * 100 | round / 100]' "$TMP/fail/requests.ndjson")
echo "info: gaps between attempts to the failing receiver (s): $GAPS"
# backoff 0.3 s doubling: the gaps grow (loosely: the 4th is larger than the 1st)
check "gaps grow: $GAPS" [ "$(jq '.[3] > .[0] and .[2] > .[0]' <<<"$GAPS")" = true ]
check "flaky history: one success after $N attempts" [ "$(action_history flaky)" = "Successfully executed action $T:fail" ]
check "retries logged with the delay" grep -q 'event=delivery.failed alarm=flaky .*attempt=2 retry_in_ms=' "$SERVE_ERR"

# ---- a hanging receiver blocks nothing ----------------------------------------------------------

set_alarm hang
check "the hanging receiver got a request" wait_count hang 1 30
T0=$(jq -r .t <(req hang 1))
set_alarm other
DESCRIBE=$(curl -s -o /dev/null -w '%{time_total}' -m 60 -H "X-Amz-Target: GraniteServiceVersion20100801.DescribeAlarms" \
  -H "Content-Type: application/x-amz-json-1.0" --data-binary '{}' "$ENDPOINT/")
check "DescribeAlarms answers promptly while a delivery hangs (${DESCRIBE}s)" \
  [ "$(jq -n --argjson d "$DESCRIBE" '$d < 4')" = true ]
check "the other target is delivered" wait_count other 1 30
T1=$(jq -r .t <(req other 1))
check "... while the hanging attempt is still open" [ "$(jq -n --argjson a "$T0" --argjson b "$T1" '$b < $a + 5')" = true ]
end=$(( $(date +%s) + 30 ))
until grep -q 'event=delivery.failed alarm=hang .*target=webhook' "$SERVE_ERR" || [ "$(date +%s)" -ge $end ]; do sleep 0.2; done
check "the hanging attempt times out and is retried" grep -q 'event=delivery.failed alarm=hang .*retry_in_ms=' "$SERVE_ERR"
serve_stop

# ---- memory: many failed retries --------------------------------------------------------------

receiver_start mem fail || exit 1
cat > "$TMP/mem.yaml" <<YAML
MetricAlarms:
  - {AlarmName: mem, Namespace: Test, MetricName: Mem, Statistic: Sum, Period: 60,
     EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold,
     AlarmActions: ["$T:mem"]}
targets:
  "$T:mem": [{type: webhook, url: "http://127.0.0.1:$(rport mem)/hook"}]
YAML
# ASan's quarantine would count freed memory as in use: keep it small
serve_start "$TMP/mem.sqlite" "$TMP/mem.yaml" TW_OUTBOX_BACKOFF_MS=2 TW_OUTBOX_BACKOFF_MAX_MS=10 \
  TW_OUTBOX_MAX_ATTEMPTS=1000000 "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4" || exit 1
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVE_PID/status"; }
for _ in 1 2 3; do
  set_alarm mem
  wait_state mem INSUFFICIENT_DATA 10 || true
done
check "retries are running" wait_count mem 300 120
BASE=$(rss)
FROM=$(rcount mem)
wait_count mem $((FROM + 1500)) 180
AFTER=$(rss)
DONE=$(( $(rcount mem) - FROM ))
echo "info: VmRSS ${BASE} kB after $FROM failed attempts, ${AFTER} kB after $DONE more"
check "at least 1000 more failed attempts ($DONE)" [ "$DONE" -ge 1000 ]
check "VmRSS stays within +20 MiB (${BASE} kB -> ${AFTER} kB)" [ $((AFTER - BASE)) -lt 20480 ]
serve_stop

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
