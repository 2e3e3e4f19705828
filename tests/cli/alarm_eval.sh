#!/usr/bin/env bash
# CLI tests for `trailwatch alarm-eval`: exit codes (0 evaluated, 2 invalid
# input naming the field), exact text and --format json output, prior
# state, --time, describe-alarms input and sample counts.
# Usage: alarm_eval.sh /path/to/trailwatch
set -u
TW=${1:?usage: alarm_eval.sh TRAILWATCH}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() { # name expected-exit expected-output-substring -- command...
  local name=$1 want_rc=$2 want_out=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    echo "FAIL $name: exit $rc, want $want_rc"; echo "$out" | head -5; fail=$((fail+1)); return
  fi
  if [ -n "$want_out" ] && ! grep -qF -- "$want_out" <<<"$out"; then
    echo "FAIL $name: output lacks: $want_out"; echo "$out" | head -5; fail=$((fail+1)); return
  fi
  pass=$((pass+1))
}

check_exact() { # name expected-stdout -- command... (stdout only, exact)
  local name=$1 want=$2; shift 3
  local out; out=$("$@" 2>/dev/null)
  if [ "$out" != "$want" ]; then
    echo "FAIL $name"; echo "   got: $out"; echo "  want: $want"; fail=$((fail+1)); return
  fi
  pass=$((pass+1))
}

cat > "$tmp/lambda.json" <<'EOF'
{"AlarmName": "Test alarm", "MetricName": "ConcurrentExecutions", "Namespace": "AWS/Lambda",
 "Statistic": "Sum", "Dimensions": [], "Period": 60, "EvaluationPeriods": 1, "DatapointsToAlarm": 1,
 "Threshold": 5.0, "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "missing",
 "AlarmActions": ["arn:aws:sns:ca-central-1:017790921725:test-sre-bot"]}
EOF
echo '[6]' > "$tmp/six.json"
T=2022-09-25T18:50:37.811Z

check_exact json-real-notification \
  '{"StateValue":"ALARM","StateReason":"Threshold Crossed: 1 out of the last 1 datapoints [6.0 (25/09/22 18:49:00)] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).","StateReasonData":{"version":"1.0","queryDate":"2022-09-25T18:50:37.811+0000","startDate":"2022-09-25T18:49:00.000+0000","statistic":"Sum","period":60,"recentDatapoints":[6.0],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":"2022-09-25T18:49:00.000+0000","value":6.0}]}}' \
  -- "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/six.json" --time "$T" --format json

check_exact text-output \
  "StateValue: ALARM
StateReason: Threshold Crossed: 1 out of the last 1 datapoints [6.0 (25/09/22 18:49:00)] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).
StateReasonData: {\"version\":\"1.0\",\"queryDate\":\"2022-09-25T18:50:37.811+0000\",\"startDate\":\"2022-09-25T18:49:00.000+0000\",\"statistic\":\"Sum\",\"period\":60,\"recentDatapoints\":[6.0],\"threshold\":5.0,\"evaluatedDatapoints\":[{\"timestamp\":\"2022-09-25T18:49:00.000+0000\",\"value\":6.0}]}
Transition: INSUFFICIENT_DATA -> ALARM
Actions:
  arn:aws:sns:ca-central-1:017790921725:test-sre-bot" \
  -- "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/six.json" --time "$T"

check prior-alarm-no-transition 0 "Transition: none (stays ALARM; actions run only on transitions)" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/six.json" --time "$T" --prior-state ALARM

# the doc table: 3 of 3, "- - X - -" (premature alarm under missing)
cat > "$tmp/three.json" <<'EOF'
{"AlarmName": "t1", "MetricName": "Errors", "Namespace": "App", "Statistic": "Sum", "Period": 300,
 "EvaluationPeriods": 3, "DatapointsToAlarm": 3, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
 "TreatMissingData": "missing", "OKActions": ["arn:aws:sns:us-east-1:123456789012:ok"]}
EOF
echo '[null, null, 5, null, null]' > "$tmp/premature.json"
check_exact premature-alarm \
  '{"StateValue":"ALARM","StateReason":"Threshold Crossed: 1 out of the last 3 datapoints [5.0 (16/03/24 12:01:00)] was greater than or equal to the threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition).","StateReasonData":{"version":"1.0","queryDate":"2024-03-16T12:16:45.770+0000","startDate":"2024-03-16T12:01:00.000+0000","statistic":"Sum","period":300,"recentDatapoints":[5.0],"threshold":1.0,"evaluatedDatapoints":[{"timestamp":"2024-03-16T12:11:00.000+0000"},{"timestamp":"2024-03-16T12:06:00.000+0000"},{"timestamp":"2024-03-16T12:01:00.000+0000","value":5.0}]}}' \
  -- "$TW" alarm-eval --alarm "$tmp/three.json" --values "$tmp/premature.json" --time 2024-03-16T12:16:45.770Z --format json

echo '[]' > "$tmp/empty.json"
check_exact all-missing-insufficient \
  '{"StateValue":"INSUFFICIENT_DATA","StateReason":"Insufficient Data: 3 datapoints were unknown.","StateReasonData":{"version":"1.0","queryDate":"2024-03-16T12:16:00.000+0000","statistic":"Sum","period":300,"recentDatapoints":[],"threshold":1.0,"evaluatedDatapoints":[{"timestamp":"2024-03-16T12:11:00.000+0000"},{"timestamp":"2024-03-16T12:06:00.000+0000"},{"timestamp":"2024-03-16T12:01:00.000+0000"}]}}' \
  -- "$TW" alarm-eval --alarm "$tmp/three.json" --values "$tmp/empty.json" --time 2024-03-16T12:16:00Z --format json

sed 's/"missing"/"ignore"/' "$tmp/three.json" > "$tmp/ignore.json"
check_exact ignore-retains-json \
  '{"StateValue":"OK","StateReason":null,"StateReasonData":null}' \
  -- "$TW" alarm-eval --alarm "$tmp/ignore.json" --values "$tmp/premature.json" --prior-state OK --time 2024-03-16T12:16:00Z --format json
check ignore-retains-text 0 "StateReason: (unchanged) TreatMissingData is ignore" -- \
  "$TW" alarm-eval --alarm "$tmp/ignore.json" --values "$tmp/premature.json" --prior-state OK --time 2024-03-16T12:16:00Z

echo '[5, 0, 0, 0]' > "$tmp/recover.json"
check transition-to-ok-actions 0 "  arn:aws:sns:us-east-1:123456789012:ok" -- \
  "$TW" alarm-eval --alarm "$tmp/three.json" --values "$tmp/recover.json" --prior-state ALARM --time 2024-03-16T12:16:00Z

# describe-alarms output: StateValue is the default prior state
cat > "$tmp/described.json" <<'EOF'
{"MetricAlarms": [{"AlarmName": "d", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:d",
  "StateValue": "ALARM", "StateReason": "x", "StateUpdatedTimestamp": "2024-03-16T12:00:00.000Z",
  "MetricName": "M", "Namespace": "N", "Statistic": "Maximum", "Dimensions": [], "Period": 60,
  "EvaluationPeriods": 1, "Threshold": 10.0, "ComparisonOperator": "LessThanThreshold",
  "ActionsEnabled": true, "OKActions": [], "AlarmActions": [], "InsufficientDataActions": []}],
 "CompositeAlarms": []}
EOF
echo '[3]' > "$tmp/three-value.json"
check describe-output-prior 0 "Transition: none (stays ALARM" -- \
  "$TW" alarm-eval --alarm "$tmp/described.json" --values "$tmp/three-value.json" --time 2024-03-16T12:16:00Z
check describe-output-legacy-wording 0 "StateReason: Threshold Crossed: 1 datapoint [3.0 (16/03/24 12:15:00)] was less than the threshold (10.0)." -- \
  "$TW" alarm-eval --alarm "$tmp/described.json" --values "$tmp/three-value.json" --time 2024-03-16T12:16:00Z
check prior-overrides-file 0 "Transition: OK -> ALARM" -- \
  "$TW" alarm-eval --alarm "$tmp/described.json" --values "$tmp/three-value.json" --time 2024-03-16T12:16:00Z --prior-state OK

# sample counts and stdin
echo '[{"value": 99.50160229693434, "sampleCount": 1}]' > "$tmp/cpu.json"
cat > "$tmp/cpu-alarm.json" <<'EOF'
{"AlarmName": "cpu", "MetricName": "CPUUtilization", "Namespace": "AWS/EC2", "Statistic": "Average", "Period": 300,
 "EvaluationPeriods": 1, "DatapointsToAlarm": 1, "Threshold": 50.0, "ComparisonOperator": "GreaterThanThreshold"}
EOF
check_exact sample-counts \
  '{"StateValue":"ALARM","StateReason":"Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).","StateReasonData":{"version":"1.0","queryDate":"2019-10-02T17:04:40.985+0000","startDate":"2019-10-02T16:59:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[99.50160229693434],"threshold":50.0,"evaluatedDatapoints":[{"timestamp":"2019-10-02T16:59:00.000+0000","sampleCount":1.0,"value":99.50160229693434}]}}' \
  -- "$TW" alarm-eval --alarm - --values "$tmp/cpu.json" --time 2019-10-02T17:04:40.985Z --format json < "$tmp/cpu-alarm.json"

check no-time-uses-now 0 "StateValue: ALARM" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/six.json"

# invalid input: exit 2, the message names the field
sed 's/"Period": 60/"Period": 7/' "$tmp/lambda.json" > "$tmp/bad-period.json"
check bad-period 2 "Period: must be 10, 20, 30 or a multiple of 60 (got 7)" -- \
  "$TW" alarm-eval --alarm "$tmp/bad-period.json" --values "$tmp/six.json"
check bad-period-file-named 2 "bad-period.json: Period:" -- \
  "$TW" alarm-eval --alarm "$tmp/bad-period.json" --values "$tmp/six.json"
sed 's/"GreaterThanThreshold"/"GreaterThan"/' "$tmp/lambda.json" > "$tmp/bad-op.json"
check bad-operator 2 "ComparisonOperator: must be one of" -- \
  "$TW" alarm-eval --alarm "$tmp/bad-op.json" --values "$tmp/six.json"
sed 's/"GreaterThanThreshold"/"LessThanLowerOrGreaterThanUpperThreshold"/' "$tmp/lambda.json" > "$tmp/anomaly.json"
check anomaly-rejected 2 "anomaly detection band, which trailwatch does not support yet" -- \
  "$TW" alarm-eval --alarm "$tmp/anomaly.json" --values "$tmp/six.json"
sed 's/"DatapointsToAlarm": 1/"DatapointsToAlarm": 2/' "$tmp/lambda.json" > "$tmp/bad-m.json"
check bad-datapoints 2 "DatapointsToAlarm: must be between 1 and EvaluationPeriods (1) (got 2)" -- \
  "$TW" alarm-eval --alarm "$tmp/bad-m.json" --values "$tmp/six.json"
echo '{"AlarmName": "x",' > "$tmp/broken.json"
check alarm-bad-json 2 "alarm: invalid JSON" -- \
  "$TW" alarm-eval --alarm "$tmp/broken.json" --values "$tmp/six.json"
echo '[1, "2", 3]' > "$tmp/bad-values.json"
check values-bad-entry 2 "values[1]: must be a number, null" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/bad-values.json"
echo '{"values": [1]}' > "$tmp/not-array.json"
check values-not-array 2 "values: must be a JSON array" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/not-array.json"
echo '[{"value": 1, "sampleCount": -1}]' > "$tmp/bad-count.json"
check values-bad-sample-count 2 "values[0]: \"sampleCount\" must be a number >= 0" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/bad-count.json"
check values-missing-file 2 "nope.json" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/nope.json"
check bad-prior 2 "--prior-state must be OK, ALARM or INSUFFICIENT_DATA" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/six.json" --prior-state FIRING
check bad-time 2 "--time must be ISO-8601" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/six.json" --time yesterday
check bad-format 2 "--format must be text or json" -- \
  "$TW" alarm-eval --alarm "$tmp/lambda.json" --values "$tmp/six.json" --format yaml
check missing-alarm 2 "--alarm is required" -- "$TW" alarm-eval --values "$tmp/six.json"
check missing-values 2 "--values is required" -- "$TW" alarm-eval --alarm "$tmp/lambda.json"
check unknown-arg 2 "unknown argument: --bogus" -- "$TW" alarm-eval --bogus
check help 0 "usage: trailwatch alarm-eval" -- "$TW" alarm-eval --help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
