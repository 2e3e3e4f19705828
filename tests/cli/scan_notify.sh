#!/usr/bin/env bash
# `trailwatch scan --notify`: each alarm state change with actions is
# delivered to the targets of its action ARNs — here a file target and a
# command target (Lambda-style event on stdin) — with the SNS alarm message
# plus the events behind it (D23). Without --notify nothing is delivered.
# A rule pack's alarms (no AlarmActions) notify through defaultAlarmActions.
# Usage: scan_notify.sh /path/to/trailwatch
set -u
TW=${1:?usage: scan_notify.sh TRAILWATCH}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
topic=arn:aws:sns:us-east-1:111122223333:security
cat > "$tmp/cfg.yaml" <<YAML
metricFilters:
  - filterName: switch-role
    filterPattern: '{ \$.eventName = "SwitchRole" }'
    metricTransformations:
      - {metricName: SwitchRole, metricNamespace: Sec, metricValue: "1"}
MetricAlarms:
  - AlarmName: switch-role
    Namespace: Sec
    MetricName: SwitchRole
    Statistic: Sum
    Period: 300
    EvaluationPeriods: 1
    Threshold: 1
    ComparisonOperator: GreaterThanOrEqualToThreshold
    TreatMissingData: notBreaching
    AlarmActions: ["$topic"]
    OKActions: ["$topic"]
targets:
  "$topic":
    - {type: file, path: "$tmp/alerts.ndjson"}
    - {type: command, argv: ["/bin/sh", "-c", "cat >> $tmp/lambda.jsonl; echo >> $tmp/lambda.jsonl"]}
YAML

"$TW" scan --config "$tmp/cfg.yaml" --no-progress examples/events.ndjson >/dev/null 2>&1
[ ! -e "$tmp/alerts.ndjson" ] && ok || bad "delivered without --notify"

msg=$("$TW" scan --config "$tmp/cfg.yaml" --notify --region eu-west-1 --account 111122223333 \
      --no-progress examples/events.ndjson 2>&1 >/dev/null); rc=$?
[ $rc = 0 ] && grep -q "4 notification deliveries, 0 failed" <<<"$msg" && ok || bad "notify: rc=$rc $msg"
[ "$(wc -l < "$tmp/alerts.ndjson")" = 2 ] && ok || bad "two file lines (ALARM, OK)"
first=$(head -1 "$tmp/alerts.ndjson")
[ "$(jq -r .message.NewStateValue <<<"$first")" = ALARM ] && ok || bad "first is ALARM: $first"
[ "$(jq -r .message.Region <<<"$first")" = "EU (Ireland)" ] && ok || bad "long region name"
[ "$(jq -r '.message.Events[0].eventID' <<<"$first")" = 0b4a7a0e-1111-4c55-9f1a-5d2a1b3c4d01 ] && ok || bad "Events carry the SwitchRole event"
[ "$(jq -r .topicArn <<<"$first")" = "$topic" ] && ok || bad "topic"
[ "$(jq -r '.message.NewStateReason' <<<"$first")" = "Threshold Crossed: 1 datapoint [1.0 (02/11/26 09:10:00)] was greater than or equal to the threshold (1.0)." ] && ok || bad "reason: $(jq -r .message.NewStateReason <<<"$first")"
[ "$(jq -r .message.NewStateValue <(tail -1 "$tmp/alerts.ndjson"))" = OK ] && ok || bad "second is OK"
lam=$(head -1 "$tmp/lambda.jsonl")
[ "$(jq -r '.Records[0].Sns.TopicArn' <<<"$lam")" = "$topic" ] && [ "$(jq -r '.Records[0].Sns.Message | fromjson | .AlarmName' <<<"$lam")" = switch-role ] && ok || bad "lambda event: $lam"
# a failing command makes the scan exit non-zero and says why
sed -i 's|argv: \["/bin/sh", "-c", "cat >> .*"\]|argv: ["/bin/false"]|' "$tmp/cfg.yaml"
msg=$("$TW" scan --config "$tmp/cfg.yaml" --notify --no-progress examples/events.ndjson 2>&1 >/dev/null); rc=$?
[ $rc = 3 ] && grep -q "command delivery to $topic failed" <<<"$msg" && ok || bad "failing command: rc=$rc $msg"

# A rule pack's alarms have no AlarmActions: defaultAlarmActions in a
# --config file gives them some, and its targets deliver them.
pager=arn:aws:sns:us-east-1:111122223333:pager
cat > "$tmp/defaults.yaml" <<YAML
defaultAlarmActions: ["$pager"]
targets:
  "$pager":
    - {type: file, path: "$tmp/paged.ndjson"}
YAML
cat > "$tmp/switch.ndjson" <<'NDJSON'
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/carol","accountId":"111122223333","userName":"carol"},"eventTime":"2026-11-02T09:14:03Z","eventSource":"signin.amazonaws.com","eventName":"SwitchRole","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.9","eventID":"5e1f0c2a-2222-4c55-9f1a-5d2a1b3c4d99"}
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/carol","accountId":"111122223333","userName":"carol"},"eventTime":"2026-11-02T09:20:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.9","eventID":"5e1f0c2a-2222-4c55-9f1a-5d2a1b3c4d98"}
NDJSON
msg=$("$TW" scan --rules seed --config "$tmp/defaults.yaml" --notify --no-progress \
      "$tmp/switch.ndjson" 2>&1 >/dev/null); rc=$?
[ $rc = 0 ] && grep -q "1 notification deliveries, 0 failed" <<<"$msg" && ok || bad "defaults notify: rc=$rc $msg"
paged=$(cat "$tmp/paged.ndjson" 2>/dev/null)
[ "$(wc -l <<<"$paged")" = 1 ] && ok || bad "one page (ALARM only, no OKActions): $paged"
[ "$(jq -r .message.AlarmName <<<"$paged")" = trailwatch-seed-privileged-role-assumption ] && ok || bad "seed alarm paged: $paged"
[ "$(jq -r .message.NewStateValue <<<"$paged")" = ALARM ] && ok || bad "paged ALARM"
[ "$(jq -r .topicArn <<<"$paged")" = "$pager" ] && ok || bad "default ARN is the topic"
[ "$(jq -r '.message.Events[0].eventID' <<<"$paged")" = 5e1f0c2a-2222-4c55-9f1a-5d2a1b3c4d99 ] && ok || bad "page carries the SwitchRole event"
# a default ARN without a target is refused before anything is read
printf 'defaultAlarmActions: ["%s"]\n' "$pager" > "$tmp/notarget.yaml"
msg=$("$TW" scan --rules seed --config "$tmp/notarget.yaml" --no-progress "$tmp/switch.ndjson" 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && grep -q "notarget.yaml:1:23: defaultAlarmActions\[0\]: no target for $pager (add it under targets:)" <<<"$msg" && ok || bad "default without target: rc=$rc $msg"
# without defaults the pack's alarms deliver nothing
rm -f "$tmp/paged.ndjson"
sed -i '/^defaultAlarmActions/d' "$tmp/defaults.yaml"
"$TW" scan --rules seed --config "$tmp/defaults.yaml" --notify --no-progress "$tmp/switch.ndjson" >/dev/null 2>&1
[ ! -e "$tmp/paged.ndjson" ] && ok || bad "delivered without defaultAlarmActions"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
