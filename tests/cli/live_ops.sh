#!/usr/bin/env bash
# Operations of the live `trailwatch serve`: GET /metrics (Prometheus text,
# parsed: ingestion, metric filter matches, alarm states, evaluations, label
# escaping) after PutLogEvents and an alarm transition, GET /healthz, SIGHUP
# reloads (a valid changed config applies, an invalid one changes nothing
# and is logged while the server keeps serving; unchanged filters keep
# their counts; API-created alarms stay), --config validated whole at start,
# --log-level warn, and SIGTERM (exit 0, "stopped" logged, database
# readable with its WAL checkpointed). Uses curl only, no AWS CLI.
# Usage: live_ops.sh /path/to/trailwatch
set -u
TW=${1:?usage: live_ops.sh TRAILWATCH}
cd "$(dirname "$0")/../.."
. tests/api/serve_lib.sh
for tool in curl jq; do
  command -v $tool >/dev/null || { echo "$tool missing: skipped"; echo "0 passed, 0 failed"; exit 0; }
done

G=CloudTrail/DefaultLogGroup
CFG=$TMP/config.yaml

# write_config FILE [EXTRA_ALARMS_YAML [EXTRA_FILTERS_YAML]]: the base
# configuration (one filter, one alarm notifying one target) plus extras
write_config() {
  {
    cat <<'EOF'
metricFilters:
  - filterName: PrivilegedRoleSwitch
    filterPattern: '{ $.eventName = "SwitchRole" }'
    metricTransformations:
      - metricName: SwitchRoleCount
        metricNamespace: Security/CloudTrail
        metricValue: "1"
EOF
    [ -n "${3:-}" ] && printf '%s\n' "$3"
    cat <<'EOF'
MetricAlarms:
  - AlarmName: role-switch
    MetricName: SwitchRoleCount
    Namespace: Security/CloudTrail
    Statistic: Sum
    Period: 60
    EvaluationPeriods: 1
    Threshold: 1.0
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
    AlarmActions: [arn:aws:sns:us-east-1:123456789012:security-alerts]
EOF
    [ -n "${2:-}" ] && printf '%s\n' "$2"
    # one delivery that works, one that always fails
    printf 'targets:\n  arn:aws:sns:us-east-1:123456789012:security-alerts:\n'
    printf '    - {type: file, path: %s}\n    - {type: command, argv: [/bin/false]}\n' "$TMP/alerts.ndjson"
  } > "$1"
}

# an alarm entry for write_config's second argument
alarm_yaml() {
  printf '  - AlarmName: %s\n    MetricName: %s\n    Namespace: Security/CloudTrail\n    Statistic: Sum\n    Period: 60\n    EvaluationPeriods: 1\n    Threshold: 1.0\n    ComparisonOperator: GreaterThanOrEqualToThreshold\n%s' "$1" "${2:-Other}" "${3:-}"
}

# metrics: the /metrics body; metric NAME{LABELS}: the value of one sample
metrics() { curl -s "$ENDPOINT/metrics"; }
metric() { metrics | S="$1" awk 'index($0, ENVIRON["S"] " ") == 1 { print $NF }'; }

# shape_check: every sample's family has # HELP then # TYPE before it,
# families are contiguous, samples are NAME[{LABELS}] NUMBER, counters end
# in _total; prints what is wrong
shape_check() {
  metrics | awk '
    /^# HELP / { help[$3] = 1; next }
    /^# TYPE / { if (!help[$3]) print "TYPE before HELP: " $3
                 if (seen[$3]++) print "family repeated: " $3
                 type[$3] = $4; cur = $3; next }
    /^#/ { print "stray comment: " $0; next }
    {
      name = $0; sub(/[{ ].*/, "", name)
      if (name != cur) print "sample outside its family: " $0
      if ($0 !~ /^[a-z_]+(\{[a-z_]+="([^"\\]|\\.)*"(,[a-z_]+="([^"\\]|\\.)*")*\})? -?[0-9.]+$/)
        print "bad sample: " $0
      if (name !~ /^trailwatch_/) print "bad prefix: " name
      if (type[name] == "counter" && name !~ /_total$/) print "counter without _total: " name
    }'
}

alarm_names() {
  raw GraniteServiceVersion20100801.DescribeAlarms '{}' | head -1 | cut -d' ' -f2- |
    jq -r '[.MetricAlarms[].AlarmName] | join(" ")'
}
filter_names() {
  raw Logs_20140328.DescribeMetricFilters '{}' | head -1 | cut -d' ' -f2- |
    jq -r '[.metricFilters[].filterName] | join(" ")'
}

# mark_log: new_log prints what the server logged since; wait_log PATTERN
# waits until that has a line matching PATTERN
LOGMARK=0
mark_log() { LOGMARK=$(stat -c %s "$TMP/serve.err"); }
new_log() { tail -c +$((LOGMARK + 1)) "$TMP/serve.err"; }
wait_log() {
  for _ in $(seq 1 100); do new_log | grep -q -- "$1" && return 0; sleep 0.1; done
  return 1
}

# ---- start -----------------------------------------------------------------------
write_config "$CFG"
serve_start --eval-interval 1 --config "$CFG" || { finish; exit 1; }

expect_eq healthz "ok 200" -- bash -c "curl -s -w '%{http_code}' $ENDPOINT/healthz | tr '\n' ' '"
expect_eq other-get-405 "405" -- curl -s -o /dev/null -w '%{http_code}' "$ENDPOINT/other"
expect metrics-content-type 0 "text/plain; version=0.0.4" -- \
  curl -s -D - -o /dev/null "$ENDPOINT/metrics"
expect log-start 0 "level=info event=start listen=127.0.0.1:$PORT" -- cat "$TMP/serve.err"
expect log-config 0 "event=config.loaded file=$CFG trigger=start filters=1 alarms=1 targets=1" -- \
  cat "$TMP/serve.err"

# ---- events and a transition -----------------------------------------------------
# the events land in the minute that has just ended; keep clear of the next
# boundary so that the evaluations of this minute see them
while [ $(( $(date +%s) % 60 )) -ge 45 ]; do sleep 1; done
TS=$(( ($(date +%s) / 60 * 60 - 30) * 1000 ))
SW=$(grep SwitchRole examples/events.ndjson | head -1)
OTHER=$(grep -v SwitchRole examples/events.ndjson | head -1)
EVENTS=$(jq -cn --argjson t "$TS" --arg a "$SW" --arg b "$OTHER" \
  '[{timestamp: $t, message: $a}, {timestamp: $t, message: $b}, {timestamp: ($t + 1), message: $a}]')
raw Logs_20140328.CreateLogStream "{\"logGroupName\":\"$G\",\"logStreamName\":\"trail\"}" >/dev/null
expect put-events 0 "nextSequenceToken" -- raw Logs_20140328.PutLogEvents \
  "{\"logGroupName\":\"$G\",\"logStreamName\":\"trail\",\"logEvents\":$EVENTS}"
# a filter whose name needs escaping in a label value
expect put-odd-filter 0 "200" -- raw Logs_20140328.PutMetricFilter \
  "{\"logGroupName\":\"$G\",\"filterName\":\"odd \\\"name\\\" \\\\ here\",\"filterPattern\":\"\",\"metricTransformations\":[{\"metricName\":\"All\",\"metricNamespace\":\"T\",\"metricValue\":\"1\"}]}"
state=""
for _ in $(seq 1 40); do
  state=$(metric 'trailwatch_alarm_state{alarm="role-switch",state="ALARM"}')
  [ "$state" = 1 ] && break
  sleep 0.25
done
expect_eq metrics-alarm-state "1 0 0" -- echo "$state $(metric 'trailwatch_alarm_state{alarm="role-switch",state="OK"}') $(metric 'trailwatch_alarm_state{alarm="role-switch",state="INSUFFICIENT_DATA"}')"
expect_eq metrics-ingested "3" -- metric 'trailwatch_events_ingested_total{source="PutLogEvents"}'
expect_eq metrics-matches "2" -- \
  metric "trailwatch_metric_filter_matches_total{log_group=\"$G\",filter=\"PrivilegedRoleSwitch\"}"
expect_eq metrics-filter-events "3" -- \
  metric "trailwatch_metric_filter_events_total{log_group=\"$G\",filter=\"PrivilegedRoleSwitch\"}"
expect_eq metrics-label-escaping "0" -- \
  metric "trailwatch_metric_filter_matches_total{log_group=\"$G\",filter=\"odd \\\"name\\\" \\\\ here\"}"
expect_eq metrics-up "1" -- metric trailwatch_up
expect_eq metrics-build "1" -- metric 'trailwatch_build_info{version="0.1.0"}'
evals=$(metric trailwatch_alarm_evaluations_total)
if [ "${evals:-0}" -ge 1 ] 2>/dev/null; then ok; else bad "evaluations_total: '$evals'"; fi
expect_eq metrics-lag-is-seconds "ok" -- bash -c "v=\$(curl -s $ENDPOINT/metrics | awk '/^trailwatch_alarm_evaluation_lag_seconds /{print \$2}');
  [[ \$v =~ ^[0-9]+\\.[0-9]{3}\$ ]] && echo ok || echo \"bad: \$v\""
start=$(metric trailwatch_start_time_seconds); now=$(date +%s)
if [ "${start%.*}" -le "$now" ] && [ "${start%.*}" -gt $((now - 600)) ]; then ok; else bad "start time $start"; fi
# the ALARM notification: delivered to the file, failing (and retried) for the command
for _ in $(seq 1 40); do
  [ "$(metric 'trailwatch_delivery_attempts_total{result="ok"}')" = 1 ] &&
    [ "$(metric 'trailwatch_delivery_attempts_total{result="failed"}')" -ge 1 ] && break
  sleep 0.25
done
expect_eq metrics-deliveries-ok "1" -- metric 'trailwatch_delivery_attempts_total{result="ok"}'
failed=$(metric 'trailwatch_delivery_attempts_total{result="failed"}')
if [ "${failed:-0}" -ge 1 ] 2>/dev/null; then ok; else bad "delivery failures: '$failed'"; fi
expect_eq metrics-given-up "0" -- metric trailwatch_deliveries_given_up_total
expect_eq metrics-outbox "1 0" -- echo "$(metric 'trailwatch_outbox_depth{state="pending"}') $(metric 'trailwatch_outbox_depth{state="failed"}')"
expect_eq alert-file-lines "1" -- bash -c "wc -l < '$TMP/alerts.ndjson'"

# the exposition's shape: every sample's family has # HELP and # TYPE before
# it, families are contiguous, sample lines are NAME[{LABELS}] NUMBER
expect_eq metrics-shape "" -- shape_check
expect log-transition 0 "level=info event=alarm.transition alarm=role-switch from=OK to=ALARM reason=\"Threshold Crossed" -- \
  cat "$TMP/serve.err"

# ---- SIGHUP: a valid changed config ---------------------------------------------------
raw GraniteServiceVersion20100801.PutMetricAlarm '{"AlarmName":"from-api","MetricName":"M","Namespace":"N","Statistic":"Sum","Period":60,"EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"GreaterThanThreshold"}' >/dev/null
write_config "$CFG" "$(alarm_yaml added-by-reload)"
mark_log
kill -HUP "$SERVE_PID"
wait_log "trigger=reload filters=1 alarms=2 targets=1" && ok || bad "no reload log line" "$(cat "$TMP/serve.err")"
expect_eq reload-alarms "added-by-reload from-api role-switch" -- alarm_names
expect_eq reload-filter-kept-counts "2" -- \
  metric "trailwatch_metric_filter_matches_total{log_group=\"$G\",filter=\"PrivilegedRoleSwitch\"}"
expect_eq reload-state-kept "1" -- metric 'trailwatch_alarm_state{alarm="role-switch",state="ALARM"}'

# ---- SIGHUP: invalid configs change nothing -----------------------------------------------
# 1. a pattern error (tw_config_load)
mark_log
write_config "$CFG" "$(alarm_yaml never-1)"
sed -i 's/{ $.eventName = "SwitchRole" }/{ $.eventName == "SwitchRole" }/' "$CFG"
kill -HUP "$SERVE_PID"
wait_log "event=config.reload result=rejected" && ok || bad "no rejection logged (load)"
expect reload-bad-pattern-logged 0 "level=error event=config.reload result=rejected file=$CFG error=\"$CFG:3:20: metricFilters[0].filterPattern: column 15: '==' is not an operator" -- \
  new_log
# 2. an alarm action without a target (tw_config_finish)
mark_log
write_config "$CFG" "$(alarm_yaml never-2 Other "    AlarmActions: [arn:aws:sns:us-east-1:123456789012:nowhere]")"
kill -HUP "$SERVE_PID"
wait_log "event=config.reload result=rejected" && ok || bad "no rejection logged (finish)"
expect reload-no-target-logged 0 "no target for arn:aws:sns:us-east-1:123456789012:nowhere" -- new_log
# 3. valid for the loader, refused by the API (CreateLogGroup), after a new
#    valid filter and before a new alarm: none of it may appear
mark_log
write_config "$CFG" "$(alarm_yaml never-3)" "$(cat <<'EOF'
  - filterName: NewButRejected
    filterPattern: '{ $.eventName = "CreateUser" }'
    metricTransformations:
      - metricName: CreateUserCount
        metricNamespace: Security/CloudTrail
        metricValue: "1"
  - filterName: ReservedGroup
    logGroupName: aws/reserved
    filterPattern: '{ $.eventName = "X" }'
    metricTransformations:
      - metricName: XCount
        metricNamespace: Security/CloudTrail
        metricValue: "1"
EOF
)"
kill -HUP "$SERVE_PID"
wait_log "event=config.reload result=rejected" && ok || bad "no rejection logged (API check)" "$(cat "$CFG")"
expect reload-api-check-logged 0 "Log group names cannot start with 'aws/'" -- new_log
expect_eq reload-invalid-kept-alarms "added-by-reload from-api role-switch" -- alarm_names
expect_eq reload-invalid-no-filter 'PrivilegedRoleSwitch odd "name" \ here' -- filter_names
expect_eq still-healthy "ok" -- curl -s "$ENDPOINT/healthz"
expect_eq still-serving "1" -- metric 'trailwatch_alarm_state{alarm="role-switch",state="ALARM"}'

# ---- SIGTERM ------------------------------------------------------------------------------
mark_log
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"; rc=$?
SERVE_PID=""
expect_eq sigterm-exit "0" -- echo "$rc"
expect sigterm-logged 0 "level=info event=stop signal=SIGTERM" -- new_log
expect sigterm-stopped 0 "level=info event=stopped" -- new_log
if command -v sqlite3 >/dev/null; then
  expect_eq db-readable "added-by-reload from-api role-switch" -- \
    sqlite3 "$TMP/db.sqlite" "SELECT group_concat(name, ' ') FROM (SELECT name FROM alarms ORDER BY name)"
  if [ ! -s "$TMP/db.sqlite-wal" ]; then ok; else bad "WAL not checkpointed"; fi
fi

# ---- --config is validated whole at start -----------------------------------------------------
cp "$CFG" "$TMP/bad-start.yaml"
out=$("$TW" serve --listen 127.0.0.1:0 --db "$TMP/fresh.sqlite" --config "$TMP/bad-start.yaml" 2>&1); rc=$?
expect_eq start-invalid-exit "2" -- echo "$rc"
expect start-invalid-message 0 "trailwatch serve: $TMP/bad-start.yaml:" -- echo "$out"
if command -v sqlite3 >/dev/null; then
  expect_eq start-invalid-nothing-applied "0 0" -- \
    sqlite3 -separator ' ' "$TMP/fresh.sqlite" "SELECT (SELECT count(*) FROM metric_filters), (SELECT count(*) FROM alarms)"
fi
write_config "$TMP/no-target.yaml" "$(alarm_yaml x Other "    AlarmActions: [arn:aws:sns:us-east-1:123456789012:nowhere]")"
expect start-finish-checked 2 "no target for arn:aws:sns:us-east-1:123456789012:nowhere" -- \
  "$TW" serve --listen 127.0.0.1:0 --db "$TMP/fresh.sqlite" --config "$TMP/no-target.yaml"

# ---- --rules packs and --parameter, as scan takes them ------------------------------------------
serve_start --db "$TMP/rules.sqlite" --rules seed,cis --parameter TemporaryAdminRoleName=BreakGlass || { finish; exit 1; }
names=$(alarm_names)
expect_eq rules-alarm-count "17" -- sh -c "echo '$names' | wc -w"
expect rules-seed-alarm 0 "trailwatch-seed-privileged-role-assumption" -- echo "$names"
expect rules-cis-alarm 0 "trailwatch-cis-01-RootAccountUsage" -- echo "$names"
expect rules-parameter 0 "role/BreakGlass" -- raw Logs_20140328.DescribeMetricFilters '{}'
serve_stop
expect rules-unknown 2 "no rule pack 'nope'" -- \
  "$TW" serve --listen 127.0.0.1:0 --db "$TMP/fresh2.sqlite" --rules nope

# ---- --log-level warn -----------------------------------------------------------------------------
write_config "$CFG"
serve_start --eval-interval 1 --config "$CFG" --log-level warn || { finish; exit 1; }
LOGMARK=0
echo 'metricFilters: [' > "$CFG"
kill -HUP "$SERVE_PID"
wait_log "level=error event=config.reload" && ok || bad "warn level hides errors"
expect_eq warn-hides-info "0" -- grep -c "level=info" "$TMP/serve.err"
expect warn-keeps-banner 0 "listening on http://127.0.0.1:$PORT" -- cat "$TMP/serve.err"
serve_stop

finish
