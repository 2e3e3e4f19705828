#!/usr/bin/env bash
# `trailwatch serve` driven by boto3 (tests/api/test_boto3.py): metrics
# operations, gzip bodies, modeled exception classes, and SigV4 with --auth
# (valid, wrong secret, unknown key, expired date); plus SigV4 through the
# AWS CLI and a missing signature with curl.
# Usage: serve_boto3.sh /path/to/trailwatch
set -u
TW=${1:?usage: serve_boto3.sh TRAILWATCH}
cd "$(dirname "$0")/../.."
. tests/api/serve_lib.sh
if ! python3 -c 'import boto3' 2>/dev/null; then
  echo "boto3 not importable: skipped"; echo "0 passed, 0 failed"; exit 0
fi
require_aws
require_cw_json

# the --auth server
printf '# test keys\nAKIDTEST1 secret1\nAKIDTEST2:secret2\n' > "$TMP/keys"
"$TW" serve --listen 127.0.0.1:0 --db "$TMP/auth.sqlite" --auth "$TMP/keys" \
  > "$TMP/auth.out" 2> "$TMP/auth.err" &
AUTH_PID=$!
trap 'kill $AUTH_PID 2>/dev/null; wait $AUTH_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do
  AUTH_PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/auth.err")
  [ -n "$AUTH_PORT" ] && break; sleep 0.1
done
expect auth-banner 0 "SigV4 required, 2 access key(s)" -- cat "$TMP/auth.err"

serve_start || { finish; exit 1; }
expect no-auth-banner 0 "any signature (and any access key) is accepted" -- cat "$TMP/serve.err"

out=$(python3 tests/api/test_boto3.py "$PORT" "$AUTH_PORT" 2>&1); rc=$?
printf '%s\n' "$out" | grep -v ' passed, ' | head -60
line=$(printf '%s\n' "$out" | tail -1)
if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  pass=$((pass + BASH_REMATCH[1])); fail=$((fail + BASH_REMATCH[2]))
else
  bad "test_boto3.py did not finish (exit $rc)"
fi

# SigV4 through the AWS CLI
A="aws --endpoint-url http://127.0.0.1:$AUTH_PORT"
expect cli-signed 0 "" -- env AWS_ACCESS_KEY_ID=AKIDTEST2 AWS_SECRET_ACCESS_KEY=secret2 \
  $A logs describe-log-groups
expect cli-wrong-secret 255 \
  "An error occurred (InvalidSignatureException) when calling the DescribeLogGroups operation: The request signature we calculated does not match the signature you provided." \
  -- env AWS_ACCESS_KEY_ID=AKIDTEST2 AWS_SECRET_ACCESS_KEY=wrong $A logs describe-log-groups
expect cli-wrong-secret-cw 255 \
  "An error occurred (SignatureDoesNotMatch) when calling the DescribeAlarms operation" \
  -- env AWS_ACCESS_KEY_ID=AKIDTEST2 AWS_SECRET_ACCESS_KEY=wrong $A cloudwatch describe-alarms
expect cli-unknown-key 255 \
  "An error occurred (UnrecognizedClientException) when calling the DescribeLogGroups operation: The security token included in the request is invalid." \
  -- env AWS_ACCESS_KEY_ID=NOPE AWS_SECRET_ACCESS_KEY=wrong $A logs describe-log-groups
ENDPOINT=http://127.0.0.1:$AUTH_PORT
expect curl-unsigned 0 '400 {"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}' -- \
  raw Logs_20140328.DescribeLogGroups '{}'
expect curl-unsigned-cw 0 "x-amzn-query-error: MissingAuthenticationToken;Sender" -- \
  raw GraniteServiceVersion20100801.DescribeAlarms '{}'
expect curl-bad-header 0 '"__type":"IncompleteSignatureException"' -- \
  raw Logs_20140328.DescribeLogGroups '{}' -H 'Authorization: AWS4-HMAC-SHA256 Credential=x'
# a gzip body on the unsigned server, by hand
ENDPOINT=http://127.0.0.1:$PORT
printf '{"Namespace":"Hand","MetricData":[{"MetricName":"G","Value":2.5}]}' | gzip -c > "$TMP/body.gz"
expect curl-gzip 0 "200 {}" -- raw GraniteServiceVersion20100801.PutMetricData "@$TMP/body.gz" -H 'Content-Encoding: gzip'
expect_eq curl-gzip-stored "G" -- awsx cloudwatch list-metrics --namespace Hand --query 'Metrics[].MetricName' --output text
printf 'not gzip' > "$TMP/bad.gz"
expect curl-bad-gzip 0 '400 {"__type":"SerializationException","message":"The gzip request body could not be decompressed."}' -- \
  raw GraniteServiceVersion20100801.PutMetricData "@$TMP/bad.gz" -H 'Content-Encoding: gzip'
head -c 20000000 /dev/zero | gzip -c > "$TMP/bomb.gz"
expect curl-gzip-bomb 0 "413 " -- raw GraniteServiceVersion20100801.PutMetricData "@$TMP/bomb.gz" -H 'Content-Encoding: gzip'
expect cw-error-header 0 "x-amzn-query-error: InvalidParameterValue;Sender" -- \
  raw GraniteServiceVersion20100801.GetMetricStatistics '{"Namespace":"A","MetricName":"B","StartTime":0,"EndTime":60,"Period":7,"Statistics":["Sum"]}'

serve_stop
kill "$AUTH_PID"; wait "$AUTH_PID"; rc=$?
[ "$rc" -eq 0 ] && ok || bad "auth server exited with status $rc" "$(tail -40 "$TMP/auth.err")"
finish
