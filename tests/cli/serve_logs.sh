#!/usr/bin/env bash
# `trailwatch serve` with the real AWS CLI: CloudWatch Logs operations
# (groups, streams, events, metric filters, TestMetricFilter), their errors
# exactly as the CLI prints them, pagination, and raw-protocol failures
# (malformed JSON, wrong types, unknown targets, huge bodies) with curl.
# Usage: serve_logs.sh /path/to/trailwatch
set -u
TW=${1:?usage: serve_logs.sh TRAILWATCH}
cd "$(dirname "$0")/../.."
. tests/api/serve_lib.sh
require_aws
serve_start || { finish; exit 1; }

G=app/logs
NOW=$(($(date +%s) * 1000))

# ---- groups -----------------------------------------------------------------
expect create-group 0 "" -- awsx logs create-log-group --log-group-name "$G"
expect create-group-again 255 \
  "An error occurred (ResourceAlreadyExistsException) when calling the CreateLogGroup operation: The specified log group already exists" \
  -- awsx logs create-log-group --log-group-name "$G"
expect bad-group-name 255 "(InvalidParameterException) when calling the CreateLogGroup operation: 1 validation error detected: Value 'a b' at 'logGroupName'" \
  -- awsx logs create-log-group --log-group-name 'a b'
expect aws-prefix 255 "cannot start with 'aws/'" -- awsx logs create-log-group --log-group-name aws/x
for i in 1 2 3 4 5 6; do awsx logs create-log-group --log-group-name "page/g$i" >/dev/null; done
expect_eq paginate-groups "page/g1 page/g2 page/g3 page/g4 page/g5 page/g6" -- \
  jqx '[.logGroups[].logGroupName] | join(" ")' \
  awsx logs describe-log-groups --log-group-name-prefix page/ --page-size 2
expect_eq one-page-token "true" -- bash -c "aws --endpoint-url $ENDPOINT logs describe-log-groups \
  --log-group-name-prefix page/ --max-items 2 --output json | grep -q NextToken && echo true"
expect_eq group-pattern "page/g3" -- awsx logs describe-log-groups --log-group-name-pattern g3 \
  --query 'logGroups[].logGroupName' --output text
expect_eq group-fields "arn:aws:logs:us-east-1:123456789012:log-group:app/logs:* STANDARD 0" -- \
  awsx logs describe-log-groups --log-group-name-prefix app/ \
  --query 'join(`" "`, [logGroups[0].arn,logGroups[0].logGroupClass,to_string(logGroups[0].metricFilterCount)])' --output text
expect delete-group 0 "" -- awsx logs delete-log-group --log-group-name page/g6
expect delete-missing-group 255 \
  "An error occurred (ResourceNotFoundException) when calling the DeleteLogGroup operation: The specified log group does not exist." \
  -- awsx logs delete-log-group --log-group-name page/g6
expect retention 0 "" -- awsx logs put-retention-policy --log-group-name "$G" --retention-in-days 7
expect_eq retention-shown "7" -- awsx logs describe-log-groups --log-group-name-prefix app/ \
  --query 'logGroups[0].retentionInDays' --output text
expect retention-bad 255 "Member must satisfy enum value set" -- \
  awsx logs put-retention-policy --log-group-name "$G" --retention-in-days 2
expect retention-delete 0 "" -- awsx logs delete-retention-policy --log-group-name "$G"

# ---- streams ----------------------------------------------------------------
expect create-stream 0 "" -- awsx logs create-log-stream --log-group-name "$G" --log-stream-name s1
awsx logs create-log-stream --log-group-name "$G" --log-stream-name s2
expect stream-exists 255 "(ResourceAlreadyExistsException) when calling the CreateLogStream operation: The specified log stream already exists" \
  -- awsx logs create-log-stream --log-group-name "$G" --log-stream-name s1
expect stream-no-group 255 "(ResourceNotFoundException) when calling the CreateLogStream operation: The specified log group does not exist." \
  -- awsx logs create-log-stream --log-group-name nope --log-stream-name s1
expect stream-bad-name 255 "failed to satisfy constraint" -- \
  awsx logs create-log-stream --log-group-name "$G" --log-stream-name 'a:b'
expect_eq streams "s1 s2" -- awsx logs describe-log-streams --log-group-name "$G" \
  --query 'join(`" "`, logStreams[].logStreamName)' --output text
expect_eq streams-desc "s2 s1" -- jqx '[.logStreams[].logStreamName] | join(" ")' \
  awsx logs describe-log-streams --log-group-name "$G" --descending --page-size 1
expect stream-order-prefix 255 "Cannot order by LastEventTime with a logStreamNamePrefix." -- \
  awsx logs describe-log-streams --log-group-name "$G" --order-by LastEventTime --log-stream-name-prefix s

# ---- PutLogEvents -----------------------------------------------------------
events="[{\"timestamp\":$((NOW-3000)),\"message\":\"ERROR disk full\"},{\"timestamp\":$((NOW-2000)),\"message\":\"INFO ok\"},{\"timestamp\":$((NOW-1000)),\"message\":\"ERROR again\"}]"
expect put-events 0 "nextSequenceToken" -- awsx logs put-log-events --log-group-name "$G" --log-stream-name s1 --log-events "$events"
expect put-unordered 255 \
  "An error occurred (InvalidParameterException) when calling the PutLogEvents operation: Log events in a single PutLogEvents request must be in chronological order." \
  -- awsx logs put-log-events --log-group-name "$G" --log-stream-name s1 \
  --log-events "[{\"timestamp\":$NOW,\"message\":\"a\"},{\"timestamp\":$((NOW-1)),\"message\":\"b\"}]"
expect put-no-stream 255 "The specified log stream does not exist." -- \
  awsx logs put-log-events --log-group-name "$G" --log-stream-name nope --log-events "timestamp=$NOW,message=x"
old=$((NOW - 14*86400000 - 3600000)); oldkept=$((NOW - 14*86400000 + 3600000)); new=$((NOW + 3*3600000))
expect_eq put-too-old '{"tooOldLogEventEndIndex":1}' -- jqx -c .rejectedLogEventsInfo \
  awsx logs put-log-events --log-group-name "$G" --log-stream-name s2 \
  --log-events "[{\"timestamp\":$old,\"message\":\"old\"},{\"timestamp\":$oldkept,\"message\":\"kept-old\"}]"
expect_eq put-too-new '{"tooNewLogEventStartIndex":1}' -- jqx -c .rejectedLogEventsInfo \
  awsx logs put-log-events --log-group-name "$G" --log-stream-name s2 \
  --log-events "[{\"timestamp\":$NOW,\"message\":\"kept\"},{\"timestamp\":$new,\"message\":\"new\"}]"
expect put-span 255 "cannot span more than 24 hours" -- awsx logs put-log-events --log-group-name "$G" \
  --log-stream-name s2 --log-events "[{\"timestamp\":$oldkept,\"message\":\"a\"},{\"timestamp\":$NOW,\"message\":\"b\"}]"
big=$(head -c 600000 /dev/zero | tr '\0' 'a')
printf '[{"timestamp":%s,"message":"%s"},{"timestamp":%s,"message":"%s"}]' "$NOW" "$big" "$NOW" "$big" > "$TMP/big.json"
expect put-too-large 255 "Upload too large: 1200052 bytes exceeds limit of 1048576" -- \
  awsx logs put-log-events --log-group-name "$G" --log-stream-name s2 --log-events "file://$TMP/big.json"
expect put-empty-message 255 "Invalid length for parameter logEvents[0].message" -- \
  awsx logs put-log-events --log-group-name "$G" --log-stream-name s2 --log-events "[{\"timestamp\":$NOW,\"message\":\"\"}]"

# ---- GetLogEvents / FilterLogEvents ------------------------------------------
expect_eq get-events "ERROR disk full|INFO ok|ERROR again" -- awsx logs get-log-events \
  --log-group-name "$G" --log-stream-name s1 --query 'join(`"|"`, events[].message)' --output text
expect_eq get-events-limit "ERROR again" -- awsx logs get-log-events --log-group-name "$G" \
  --log-stream-name s1 --limit 1 --query 'events[].message' --output text
expect_eq get-events-head "ERROR disk full" -- awsx logs get-log-events --log-group-name "$G" \
  --log-stream-name s1 --limit 1 --start-from-head --query 'events[].message' --output text
fwd=$(awsx logs get-log-events --log-group-name "$G" --log-stream-name s1 --limit 1 --start-from-head \
  --query nextForwardToken --output text)
expect_eq get-events-forward "INFO ok" -- awsx logs get-log-events --log-group-name "$G" \
  --log-stream-name s1 --limit 1 --next-token "$fwd" --query 'events[].message' --output text
expect_eq filter-pattern "ERROR disk full|ERROR again" -- awsx logs filter-log-events \
  --log-group-name "$G" --filter-pattern ERROR --query 'join(`"|"`, events[].message)' --output text
expect_eq filter-all "kept-old|ERROR disk full|INFO ok|ERROR again|kept" -- jqx '[.events[].message] | join("|")' \
  awsx logs filter-log-events --log-group-name "$G" --page-size 1
expect_eq filter-stream "kept-old kept" -- awsx logs filter-log-events --log-group-name "$G" \
  --log-stream-names s2 --query 'join(`" "`, events[].message)' --output text
expect_eq filter-time "INFO ok" -- awsx logs filter-log-events --log-group-name "$G" \
  --start-time $((NOW-2000)) --end-time $((NOW-1500)) --query 'events[].message' --output text
expect filter-bad-pattern 255 "(InvalidParameterException) when calling the FilterLogEvents operation: Invalid filter pattern, column" \
  -- awsx logs filter-log-events --log-group-name "$G" --filter-pattern '{ $.a == 1 }'
for i in $(seq 1 25); do echo "{\"timestamp\":$((NOW+i)),\"message\":\"{\\\"n\\\":$i}\"}"; done | paste -sd, | sed 's/^/[/;s/$/]/' > "$TMP/many.json"
awsx logs create-log-stream --log-group-name "$G" --log-stream-name json
awsx logs put-log-events --log-group-name "$G" --log-stream-name json --log-events "file://$TMP/many.json" >/dev/null
expect_eq filter-json-paginated "20" -- jqx '.events | length' \
  awsx logs filter-log-events --log-group-name "$G" --filter-pattern '{ $.n > 5 }' --page-size 3

# ---- metric filters -----------------------------------------------------------
expect put-filter 0 "" -- awsx logs put-metric-filter --log-group-name "$G" --filter-name errors \
  --filter-pattern ERROR --metric-transformations metricName=Errors,metricNamespace=App,metricValue=1,defaultValue=0
expect put-filter-dims 0 "" -- awsx logs put-metric-filter --log-group-name "$G" --filter-name byn \
  --filter-pattern '{ $.n = * }' \
  --metric-transformations '[{"metricName":"N","metricNamespace":"App","metricValue":"$.n","dimensions":{"Kind":"$.kind"},"unit":"Count"}]'
expect_eq describe-filters "byn errors" -- awsx logs describe-metric-filters --log-group-name "$G" \
  --query 'join(`" "`, metricFilters[].filterName)' --output text
expect_eq describe-filters-page "byn errors" -- jqx '[.metricFilters[].filterName] | join(" ")' \
  awsx logs describe-metric-filters --page-size 1
expect_eq describe-filters-metric "errors" -- awsx logs describe-metric-filters --metric-name Errors \
  --metric-namespace App --query 'metricFilters[].filterName' --output text
expect_eq filter-shape '{"metricName":"Errors","metricNamespace":"App","metricValue":"1","defaultValue":0}' -- jqx -c . \
  awsx logs describe-metric-filters --filter-name-prefix err --log-group-name "$G" \
  --query 'metricFilters[0].metricTransformations[0]' --output json
expect_eq filter-count "2" -- awsx logs describe-log-groups --log-group-name-prefix app/ \
  --query 'logGroups[0].metricFilterCount' --output text
expect filter-bad-pattern 255 "(InvalidParameterException) when calling the PutMetricFilter operation: Invalid metric filter" -- \
  awsx logs put-metric-filter --log-group-name "$G" --filter-name bad --filter-pattern '{ $.a = }' \
  --metric-transformations metricName=E,metricNamespace=A,metricValue=1
expect filter-default-dims 255 "cannot have both a defaultValue and dimensions" -- \
  awsx logs put-metric-filter --log-group-name "$G" --filter-name bad --filter-pattern '{ $.n = * }' \
  --metric-transformations '[{"metricName":"N","metricNamespace":"App","metricValue":"1","defaultValue":0,"dimensions":{"K":"$.k"}}]'
expect filter-no-group 255 "(ResourceNotFoundException) when calling the PutMetricFilter operation: The specified log group does not exist." -- \
  awsx logs put-metric-filter --log-group-name nope --filter-name f --filter-pattern x \
  --metric-transformations metricName=E,metricNamespace=A,metricValue=1
expect delete-filter 0 "" -- awsx logs delete-metric-filter --log-group-name "$G" --filter-name byn
expect delete-filter-missing 255 "(ResourceNotFoundException) when calling the DeleteMetricFilter operation" -- \
  awsx logs delete-metric-filter --log-group-name "$G" --filter-name byn

# ---- TestMetricFilter -----------------------------------------------------------
expect_eq test-filter '[{"eventNumber":2,"eventMessage":"{\"eventName\":\"SwitchRole\"}","extractedValues":{"$.eventName":"SwitchRole"}}]' -- jqx -c . \
  awsx logs test-metric-filter --filter-pattern '{ $.eventName = "SwitchRole" }' \
  --log-event-messages '{"eventName":"ConsoleLogin"}' '{"eventName":"SwitchRole"}' --query matches --output json
expect_eq test-filter-delimited '{"$ip":"10.0.0.1","$status":"404"}' -- jqx -c '.matches[0].extractedValues | {"$ip": .["$ip"], "$status": .["$status"]}' \
  awsx logs test-metric-filter --filter-pattern '[ip, ..., status=4*]' --log-event-messages '10.0.0.1 - GET 404' 
expect test-filter-bad 255 "(InvalidParameterException) when calling the TestMetricFilter operation: Invalid metric filter pattern, column" -- \
  awsx logs test-metric-filter --filter-pattern '{ $.a == 1 }' --log-event-messages x

# ---- raw protocol errors (curl) ---------------------------------------------------
expect malformed-json 0 '400 {"__type":"SerializationException","message":"Malformed JSON request body at line 1, column ' -- \
  raw Logs_20140328.DescribeLogGroups '{"limit": 5} x'
expect wrong-type 0 '400 {"__type":"SerializationException","message":"VALUE_NUMBER can not be converted to a String (member '"'"'logGroupName'"'"')"}' -- \
  raw Logs_20140328.CreateLogGroup '{"logGroupName": 5}'
expect not-object 0 "The request body must be a JSON object" -- raw Logs_20140328.DescribeLogGroups '[1]'
expect unknown-op 0 '400 {"__type":"UnknownOperationException","message":"Unsupported operation: Frobnicate"}' -- \
  raw Logs_20140328.Frobnicate '{}'
expect unknown-target 0 '400 {"__type":"UnknownOperationException"' -- raw Nope.Op '{}'
expect missing-member 0 "Value null at 'logGroupName' failed to satisfy constraint: Member must not be null" -- \
  raw Logs_20140328.CreateLogGroup '{}'
expect limit-range 0 "Member must have value less than or equal to 50" -- \
  raw Logs_20140328.DescribeLogGroups '{"limit": 51}'
expect bad-token 0 "The specified nextToken is invalid." -- raw Logs_20140328.DescribeLogGroups '{"nextToken": "!!"}'
head -c 9000000 /dev/zero | tr '\0' ' ' > "$TMP/huge.json"
expect huge-body 0 "413 {\"__type\":\"RequestEntityTooLargeException\"" -- \
  raw Logs_20140328.PutLogEvents "@$TMP/huge.json"
expect huge-body-chunked 0 "413 {\"__type\":\"RequestEntityTooLargeException\"" -- \
  raw Logs_20140328.DescribeLogGroups "@$TMP/huge.json" -H 'Transfer-Encoding: chunked'
expect get-method 0 "405 " -- curl -s -w '%{http_code} ' "$ENDPOINT/"
expect_eq still-alive "app/logs" -- awsx logs describe-log-groups --log-group-name-prefix app/ \
  --query 'logGroups[].logGroupName' --output text

serve_stop
finish
