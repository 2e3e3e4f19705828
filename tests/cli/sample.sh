#!/usr/bin/env bash
# Tests of `trailwatch sample` (synthetic CloudTrail NDJSON): determinism
# (same seed => same bytes, other seed => other bytes), line count, every
# line valid JSON, the CIS-relevant eventNames present in 20,000 events,
# --start, --out -, --help and usage errors (exit 2).
# Usage: sample.sh /path/to/trailwatch
set -u
TW=${1:?usage: sample.sh TRAILWATCH}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

if ! "$TW" sample --help > /dev/null 2>&1; then
  echo "FAIL: '$TW sample' is not available (is it in src/cli/main.c's command table?)"
  echo "0 passed, 1 failed"
  exit 1
fi

"$TW" sample --events 20000 --out "$tmp/a.ndjson"; rc=$?
check "exit 0" '[ $rc -eq 0 ]'
"$TW" sample --events 20000 --seed 1 --out "$tmp/b.ndjson"
"$TW" sample --events 20000 --seed 2 --out "$tmp/c.ndjson"
"$TW" sample --events 20000 --out - > "$tmp/d.ndjson"
sa=$(sha256sum < "$tmp/a.ndjson") sb=$(sha256sum < "$tmp/b.ndjson")
sc=$(sha256sum < "$tmp/c.ndjson") sd=$(sha256sum < "$tmp/d.ndjson")
check "same seed gives the same bytes (default seed is 1)" '[ "$sa" = "$sb" ]'
check "--out - writes the same bytes to stdout" '[ "$sa" = "$sd" ]'
check "another seed gives other bytes" '[ "$sa" != "$sc" ]'
check "N lines" '[ "$(wc -l < "$tmp/a.ndjson")" -eq 20000 ]'
check "every line is valid JSON" 'jq -c . "$tmp/a.ndjson" > /dev/null 2>&1'
check "one JSON object per line" '[ "$(jq -c . "$tmp/a.ndjson" | wc -l)" -eq 20000 ]'

# average event size like real CloudTrail (1-1.5 KB)
size=$(wc -c < "$tmp/a.ndjson")
check "average event size 1000..1600 bytes (got $((size / 20000)))" \
  '[ $((size / 20000)) -ge 1000 ] && [ $((size / 20000)) -le 1600 ]'

# the CIS-relevant names, each at least once in 20,000 events
jq -r .eventName "$tmp/a.ndjson" | sort -u > "$tmp/names"
for n in StopLogging DeleteTrail CreateTrail UpdateTrail StartLogging PutBucketPolicy PutBucketAcl \
         DeleteBucketPolicy AuthorizeSecurityGroupIngress RevokeSecurityGroupEgress CreateSecurityGroup \
         CreateVpc DeleteVpc ModifyVpcAttribute DeleteRoute CreateRoute ReplaceRouteTableAssociation \
         PutRolePolicy AttachUserPolicy CreatePolicyVersion DisableKey ScheduleKeyDeletion \
         StopConfigurationRecorder PutDeliveryChannel CreateNetworkAclEntry CreateCustomerGateway \
         AttachInternetGateway LeaveOrganization CreateAccount SwitchRole AssumeRole ConsoleLogin; do
  check "eventName $n present" 'grep -qx "$n" "$tmp/names"'
done
check "root usage (CloudWatch.1)" \
  '[ "$(jq -c "select(.userIdentity.type == \"Root\" and (.userIdentity | has(\"invokedBy\") | not))" "$tmp/a.ndjson" | wc -l)" -gt 0 ]'
check "AssumeRole of TemporaryAdminRole" \
  'grep -q "\"roleArn\":\"arn:aws:iam::[0-9]*:role/TemporaryAdminRole\"" "$tmp/a.ndjson"'
check "service-linked roles" 'grep -q ":role/aws-service-role/" "$tmp/a.ndjson"'
check "console login without MFA" 'grep -q "\"MFAUsed\":\"No\"" "$tmp/a.ndjson"'
check "failed console login" 'grep -q "\"errorMessage\":\"Failed authentication\"" "$tmp/a.ndjson"'
check "AwsServiceEvent without userIdentity.type" \
  '[ "$(jq -c "select(.eventType == \"AwsServiceEvent\" and (.userIdentity | has(\"type\") | not))" "$tmp/a.ndjson" | wc -l)" -gt 0 ]'
check "errors: AccessDenied, UnauthorizedOperation, Throttling" \
  'grep -q "\"errorCode\":\"AccessDenied\"" "$tmp/a.ndjson" && grep -q "\"errorCode\":\"Client.UnauthorizedOperation\"" "$tmp/a.ndjson" && grep -q "\"errorCode\":\"ThrottlingException\"" "$tmp/a.ndjson"'
ro=$(grep -c '"readOnly":true' "$tmp/a.ndjson")
check "mostly read-only calls ($ro of 20000)" '[ "$ro" -gt 14000 ]'
check "JSON escapes present (\\\" \\\\ \\/ \\u00e9 surrogate pair)" \
  'grep -qF "\\\"" "$tmp/a.ndjson" && grep -qF "\\\\" "$tmp/a.ndjson" && grep -qF "\\/" "$tmp/a.ndjson" && grep -qF "\\u00e9" "$tmp/a.ndjson" && grep -qF "\\uD83D\\uDE00" "$tmp/a.ndjson"'
check "eventTime never decreases" \
  '[ "$(jq -r .eventTime "$tmp/a.ndjson" | sort -c 2>&1 | wc -l)" -eq 0 ]'
check "default start 2024-03-01" '[ "$(head -1 "$tmp/a.ndjson" | jq -r .eventTime)" = "2024-03-01T00:00:00Z" ]'

"$TW" sample --events 10 --start 2023-07-10T12:00:00Z --days 1 --out "$tmp/s.ndjson"
check "--start sets the first eventTime" '[ "$(head -1 "$tmp/s.ndjson" | jq -r .eventTime)" = "2023-07-10T12:00:00Z" ]'
"$TW" sample --events 0 --out "$tmp/z.ndjson"
check "--events 0 writes an empty file" '[ -f "$tmp/z.ndjson" ] && [ ! -s "$tmp/z.ndjson" ]'

"$TW" sample --help > "$tmp/help"; rc=$?
check "--help exit 0" '[ $rc -eq 0 ] && grep -q "usage: trailwatch sample" "$tmp/help"'
for args in "" "--events" "--events abc" "--events 10 --seed" "--events 10 --bogus 1" \
            "--events 10 --start 2024-13-01" "--events 10 --days 0" "--events 10 extra" \
            "--events -5"; do
  # shellcheck disable=SC2086
  "$TW" sample $args --out "$tmp/x" > /dev/null 2>&1; rc=$?
  check "usage error exits 2: '$args'" '[ $rc -eq 2 ]'
done
"$TW" sample --events 10 --out "$tmp/no/such/dir/x" 2> /dev/null; rc=$?
check "unwritable output exits 3" '[ $rc -eq 3 ]'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
