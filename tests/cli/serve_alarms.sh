#!/usr/bin/env bash
# `trailwatch serve` with the real AWS CLI: the seeds' scenario end to end
# (metric filter { $.eventName = "SwitchRole" } -> alarm Sum >= 1 -> a
# CloudTrail SwitchRole event through PutLogEvents -> ALARM with the
# expected StateReason), the CloudWatch alarm operations and their errors,
# and a restart (clean, then kill -9) that must lose nothing acknowledged.
# Usage: serve_alarms.sh /path/to/trailwatch
set -u
TW=${1:?usage: serve_alarms.sh TRAILWATCH}
cd "$(dirname "$0")/../.."
. tests/api/serve_lib.sh
require_aws
require_cw_json
serve_start --eval-interval 1 || { finish; exit 1; }

G=CloudTrail/DefaultLogGroup
TOPIC=arn:aws:sns:us-east-1:123456789012:security-alerts

# ---- the seeds' scenario --------------------------------------------------------
awsx logs create-log-group --log-group-name "$G"
awsx logs create-log-stream --log-group-name "$G" --log-stream-name trail
expect seed-filter 0 "" -- awsx logs put-metric-filter --log-group-name "$G" \
  --filter-name PrivilegedRoleSwitch --filter-pattern '{ $.eventName = "SwitchRole" }' \
  --metric-transformations metricName=SwitchRoleCount,metricNamespace=Security/CloudTrail,metricValue=1
expect seed-alarm 0 "" -- awsx cloudwatch put-metric-alarm --alarm-name privileged-role-switch \
  --metric-name SwitchRoleCount --namespace Security/CloudTrail --statistic Sum --period 60 \
  --evaluation-periods 1 --datapoints-to-alarm 1 --threshold 1 \
  --comparison-operator GreaterThanOrEqualToThreshold --alarm-actions "$TOPIC"
expect_eq seed-initial "INSUFFICIENT_DATA" -- awsx cloudwatch describe-alarms \
  --alarm-names privileged-role-switch --query 'MetricAlarms[0].StateValue' --output text
# the event lands in the minute that has just ended, so the next evaluation sees it
TS=$(( ($(date +%s) / 60 * 60 - 30) * 1000 ))
EV=$(grep SwitchRole examples/events.ndjson | head -1 | jq -c --arg t "$TS" '{timestamp: ($t|tonumber), message: tojson}')
expect seed-put 0 "nextSequenceToken" -- awsx logs put-log-events --log-group-name "$G" \
  --log-stream-name trail --log-events "[$EV]"
state=""
for _ in $(seq 1 40); do
  state=$(awsx cloudwatch describe-alarms --alarm-names privileged-role-switch \
    --query 'MetricAlarms[0].StateValue' --output text)
  [ "$state" = ALARM ] && break
  sleep 0.5
done
expect_eq seed-alarm-state ALARM -- echo "$state"
minute=$(date -u -d "@$((TS / 1000))" +'%d/%m/%y %H:%M:00')
expect_eq seed-reason "Threshold Crossed: 1 out of the last 1 datapoints [1.0 ($minute)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)." -- \
  awsx cloudwatch describe-alarms --alarm-names privileged-role-switch \
  --query 'MetricAlarms[0].StateReason' --output text
# delivered by the outbox workers (no target: the readable block on stdout),
# then the Action history item is written
for _ in $(seq 1 40); do
  grep -q "^--- notification .* to $TOPIC" "$TMP/serve.out" &&
    awsx cloudwatch describe-alarm-history --alarm-name privileged-role-switch \
      --history-item-type Action --output text | grep -q Successfully && break
  sleep 0.5
done
expect seed-notification 0 'ALARM: "privileged-role-switch" in US East (N. Virginia)' -- cat "$TMP/serve.out"
expect seed-notification-event 0 'signin.amazonaws.com SwitchRole' -- cat "$TMP/serve.out"
expect_eq seed-history "Successfully executed action $TOPIC|Alarm updated from INSUFFICIENT_DATA to ALARM|Alarm \"privileged-role-switch\" created" -- \
  awsx cloudwatch describe-alarm-history --alarm-name privileged-role-switch \
  --query 'join(`"|"`, AlarmHistoryItems[].HistorySummary)' --output text
expect_eq seed-datapoint "1.0" -- awsx cloudwatch get-metric-statistics --namespace Security/CloudTrail \
  --metric-name SwitchRoleCount --start-time $((TS / 1000 / 60 * 60)) --end-time $((TS / 1000 / 60 * 60 + 60)) \
  --period 60 --statistics Sum --query 'Datapoints[0].Sum' --output text

# ---- PutMetricAlarm validation ----------------------------------------------------
start=$(date +%s%N)
expect alarm-bad-period 255 "An error occurred (InvalidParameterValue) when calling the PutMetricAlarm operation:" -- \
  awsx cloudwatch put-metric-alarm --alarm-name bad --metric-name M --namespace N --statistic Sum \
  --period 7 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanThreshold
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$elapsed" -lt 4000 ]; then ok; else bad "validation error was retried (${elapsed} ms)"; fi
expect alarm-missing-stat 255 "when calling the PutMetricAlarm operation" -- \
  awsx cloudwatch put-metric-alarm --alarm-name bad --metric-name M --namespace N \
  --period 60 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanThreshold

# ---- more alarms: describe filters and pagination ------------------------------------
for i in 1 2 3 4 5; do
  awsx cloudwatch put-metric-alarm --alarm-name "app-$i" --metric-name Errors --namespace App \
    --statistic Sum --period 60 --evaluation-periods 3 --threshold "$i" \
    --comparison-operator GreaterThanThreshold --treat-missing-data notBreaching \
    --dimensions Name=Svc,Value=api --ok-actions arn:aws:sns:us-east-1:123456789012:ok
done
expect_eq describe-prefix "app-1 app-2 app-3 app-4 app-5" -- jqx '[.MetricAlarms[].AlarmName] | join(" ")' \
  awsx cloudwatch describe-alarms --alarm-name-prefix app- --page-size 2
expect_eq describe-max-items "true" -- bash -c "aws --endpoint-url $ENDPOINT cloudwatch describe-alarms \
  --max-items 2 --output json | grep -q NextToken && echo true"
expect_eq describe-names "app-2 app-4" -- awsx cloudwatch describe-alarms --alarm-names app-4 app-2 \
  --query 'join(`" "`, MetricAlarms[].AlarmName)' --output text
for _ in $(seq 1 20); do
  n=$(awsx cloudwatch describe-alarms --state-value OK --query 'length(MetricAlarms)' --output text)
  [ "$n" = 5 ] && break; sleep 0.5
done
expect_eq describe-state-ok "5" -- echo "$n"
expect_eq describe-state-alarm "privileged-role-switch" -- awsx cloudwatch describe-alarms \
  --state-value ALARM --query 'MetricAlarms[].AlarmName' --output text
expect_eq describe-action-prefix "privileged-role-switch" -- awsx cloudwatch describe-alarms \
  --action-prefix arn:aws:sns:us-east-1:123456789012:security --query 'MetricAlarms[].AlarmName' --output text
expect describe-both 255 "(InvalidParameterCombination) when calling the DescribeAlarms operation" -- \
  awsx cloudwatch describe-alarms --alarm-names a --alarm-name-prefix b
expect describe-bad-state 255 "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]" -- \
  aws --endpoint-url "$ENDPOINT" cloudwatch describe-alarms --cli-input-json '{"StateValue": "FIRING"}'
expect describe-bad-token 255 "(InvalidNextToken) when calling the DescribeAlarms operation" -- \
  awsx cloudwatch describe-alarms --starting-token '!!bad'
expect_eq describe-shape '{"Dimensions":[{"Name":"Svc","Value":"api"}],"Threshold":3,"TreatMissingData":"notBreaching","OKActions":["arn:aws:sns:us-east-1:123456789012:ok"]}' -- \
  jqx -c '.MetricAlarms[0] | {Dimensions, Threshold, TreatMissingData, OKActions}' \
  awsx cloudwatch describe-alarms --alarm-names app-3
expect_eq for-metric "app-1 app-2 app-3 app-4 app-5" -- awsx cloudwatch describe-alarms-for-metric \
  --metric-name Errors --namespace App --dimensions Name=Svc,Value=api \
  --query 'join(`" "`, MetricAlarms[].AlarmName)' --output text
expect_eq for-metric-other-dims "" -- awsx cloudwatch describe-alarms-for-metric \
  --metric-name Errors --namespace App --dimensions Name=Svc,Value=web \
  --query 'join(`" "`, MetricAlarms[].AlarmName)' --output text

# ---- SetAlarmState, actions, history, delete ------------------------------------------
expect set-state 0 "" -- awsx cloudwatch set-alarm-state --alarm-name app-1 --state-value ALARM --state-reason "manual test"
# (the next evaluation, within a second here, puts the alarm back in OK)
expect_eq set-state-shown '{"stateValue":"ALARM","stateReason":"manual test"}' -- \
  jqx -c '[.AlarmHistoryItems[].HistoryData | fromjson | .newState | select(.stateReason == "manual test")][0]' \
  awsx cloudwatch describe-alarm-history --alarm-name app-1 --history-item-type StateUpdate
expect set-state-unknown 255 "An error occurred (ResourceNotFound) when calling the SetAlarmState operation: Alarm nope not found" -- \
  awsx cloudwatch set-alarm-state --alarm-name nope --state-value OK --state-reason x
expect set-state-bad-data 255 "(InvalidFormat) when calling the SetAlarmState operation" -- \
  awsx cloudwatch set-alarm-state --alarm-name app-1 --state-value OK --state-reason x --state-reason-data 'not json'
expect disable-actions 0 "" -- awsx cloudwatch disable-alarm-actions --alarm-names app-2 nope
expect_eq actions-disabled "False" -- awsx cloudwatch describe-alarms --alarm-names app-2 \
  --query 'MetricAlarms[0].ActionsEnabled' --output text
expect enable-actions 0 "" -- awsx cloudwatch enable-alarm-actions --alarm-names app-2
expect_eq actions-enabled "True" -- awsx cloudwatch describe-alarms --alarm-names app-2 \
  --query 'MetricAlarms[0].ActionsEnabled' --output text
expect_eq history-type "true" -- jqx '[.AlarmHistoryItems[].HistorySummary] | index("Alarm updated from OK to ALARM") != null' \
  awsx cloudwatch describe-alarm-history --alarm-name app-1 --history-item-type StateUpdate
expect_eq history-paginated "3" -- jqx '.AlarmHistoryItems | map(select(.AlarmName == "app-1")) | length' \
  awsx cloudwatch describe-alarm-history --alarm-name app-1 --history-item-type StateUpdate --page-size 1
expect_eq history-asc "ConfigurationUpdate" -- jqx '.AlarmHistoryItems[0].HistoryItemType' \
  awsx cloudwatch describe-alarm-history --alarm-name app-1 --scan-by TimestampAscending
expect delete-alarms 0 "" -- awsx cloudwatch delete-alarms --alarm-names app-5 nope
expect_eq deleted "app-1 app-2 app-3 app-4" -- awsx cloudwatch describe-alarms --alarm-name-prefix app- \
  --query 'join(`" "`, MetricAlarms[].AlarmName)' --output text
expect_eq history-survives-delete "Alarm \"app-5\" created" -- awsx cloudwatch describe-alarm-history \
  --alarm-name app-5 --history-item-type ConfigurationUpdate --query 'AlarmHistoryItems[0].HistorySummary' --output text
expect_eq update-keeps-state "ALARM" -- bash -c "aws --endpoint-url $ENDPOINT cloudwatch put-metric-alarm \
  --alarm-name privileged-role-switch --metric-name SwitchRoleCount --namespace Security/CloudTrail \
  --statistic Sum --period 60 --evaluation-periods 1 --threshold 1 \
  --comparison-operator GreaterThanOrEqualToThreshold --alarm-actions $TOPIC --alarm-description updated &&
  aws --endpoint-url $ENDPOINT cloudwatch describe-alarms --alarm-names privileged-role-switch \
  --query 'MetricAlarms[0].StateValue' --output text"

# ---- restart: clean stop, then kill -9 -----------------------------------------------
before=$(awsx cloudwatch describe-alarms --query 'MetricAlarms[].[AlarmName,StateValue,StateReason]' --output text)
serve_stop
serve_start --eval-interval 1 || { finish; exit 1; }
expect_eq restart-alarms "$before" -- awsx cloudwatch describe-alarms \
  --query 'MetricAlarms[].[AlarmName,StateValue,StateReason]' --output text
expect_eq restart-datapoint "1.0" -- awsx cloudwatch get-metric-statistics --namespace Security/CloudTrail \
  --metric-name SwitchRoleCount --start-time $((TS / 1000 / 60 * 60)) --end-time $((TS / 1000 / 60 * 60 + 60)) \
  --period 60 --statistics Sum --query 'Datapoints[0].Sum' --output text
expect_eq restart-filters "PrivilegedRoleSwitch" -- awsx logs describe-metric-filters \
  --query 'metricFilters[].filterName' --output text
# acknowledged events then kill -9: events and their datapoints survive
NOWS=$(date +%s)
for i in 1 2 3; do
  EV=$(grep SwitchRole examples/events.ndjson | head -1 | jq -c --arg t "$(( (NOWS - 300) * 1000 + i ))" '{timestamp: ($t|tonumber), message: tojson}')
  awsx logs put-log-events --log-group-name "$G" --log-stream-name trail --log-events "[$EV]" >/dev/null
done
awsx cloudwatch set-alarm-state --alarm-name app-4 --state-value ALARM --state-reason "before kill"
serve_kill9
serve_start --eval-interval 3600 || { finish; exit 1; }
expect_eq kill9-events "4" -- awsx logs filter-log-events --log-group-name "$G" \
  --query 'length(events)' --output text
M=$(( (NOWS - 300) / 60 * 60 ))
expect_eq kill9-datapoints "3.0" -- awsx cloudwatch get-metric-statistics --namespace Security/CloudTrail \
  --metric-name SwitchRoleCount --start-time "$M" --end-time $((M + 60)) --period 60 --statistics Sum \
  --query 'Datapoints[0].Sum' --output text
expect_eq kill9-state "true" -- jqx '[.AlarmHistoryItems[].HistoryData | fromjson | .newState.stateReason] | index("before kill") != null' \
  awsx cloudwatch describe-alarm-history --alarm-name app-4 --history-item-type StateUpdate

serve_stop
finish
