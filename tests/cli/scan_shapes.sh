#!/usr/bin/env bash
# [scan] acceptance on the real CloudTrail data (../shared/data/cloudtrail):
# the events fed in every supported shape — as-is, gzipped in the S3
# AWSLogs layout, NDJSON, bare arrays, EventBridge envelopes, filter-log-
# events output — give identical per-filter counts for the CIS pack, equal to
# the figures checked against an independent jq implementation in
# tests/cli/cis_real_data.tsv. Malformed inputs are reported and counted.
# Usage: scan_shapes.sh /path/to/trailwatch
set -u
TW=${1:?usage: scan_shapes.sh TRAILWATCH}
DATA=${TW_SHARED_DATA:-../shared/data/cloudtrail}
if [ ! -d "$DATA" ]; then echo "scan_shapes: $DATA not found; skipped"; echo "0 passed, 0 failed"; exit 0; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }

# expected counts, in rules/cis.yaml order (cw1..cw14, then 4.15)
want="["
for k in cw1-root cw2-unauthorized cw3-console-nomfa cw4-iam-policy cw5-cloudtrail cw6-console-fail \
         cw7-kms cw8-s3-policy cw9-config cw10-secgroup cw11-nacl cw12-gateway cw13-route cw14-vpc cis-415-orgs; do
  want="$want$(awk -F'\t' -v k="$k" '$1==k {print $2}' tests/cli/cis_real_data.tsv),"
done
want="${want%,}]"

counts() { "$TW" scan --rules cis --format json --no-progress "$@" 2>"$tmp/err" | jq -c '[.filters[].matches]'; }
events() { "$TW" scan --rules cis --format json --no-progress "$@" 2>/dev/null | jq '.summary.events'; }

# 1. as-is: invictus {"Records":[...]} objects and stratus bare arrays
got=$(counts "$DATA"); [ "$got" = "$want" ] && ok || bad "as-is: $got != $want"
n=$(events "$DATA"); [ "$n" = 3210 ] && ok || bad "as-is events $n"

# all events as compact NDJSON (jq re-serialises them)
find "$DATA" -name '*.json' -print0 | sort -z | xargs -0 jq -c 'if type == "array" then .[] else .Records[] end' > "$tmp/all.ndjson"

# 2. gzipped S3 layout, one object per 100 events, named as CloudTrail names them
mkdir -p "$tmp/s3"
split -l 100 -d -a 3 "$tmp/all.ndjson" "$tmp/chunk."
for c in "$tmp"/chunk.*; do
  t=$(head -1 "$c" | jq -r '.eventTime'); d=${t:0:10}
  dir="$tmp/s3/AWSLogs/111122223333/CloudTrail/us-east-1/${d:0:4}/${d:5:2}/${d:8:2}"; mkdir -p "$dir"
  name="111122223333_CloudTrail_us-east-1_$(date -u -d "$t" +%Y%m%dT%H%MZ)_$(basename "$c" | tr -d .)x.json.gz"
  jq -cs '{Records: .}' "$c" | gzip -c > "$dir/$name"
done
got=$(counts "$tmp/s3"); [ "$got" = "$want" ] && ok || bad "s3 gz: $got != $want"
n=$(events "$tmp/s3"); [ "$n" = 3210 ] && ok || bad "s3 gz events $n"

# 3. NDJSON (one file, and from standard input)
got=$(counts "$tmp/all.ndjson"); [ "$got" = "$want" ] && ok || bad "ndjson: $got != $want"
got=$(counts - < "$tmp/all.ndjson"); [ "$got" = "$want" ] && ok || bad "stdin: $got != $want"

# 4. one bare array
jq -cs . "$tmp/all.ndjson" > "$tmp/array.json"
got=$(counts "$tmp/array.json"); [ "$got" = "$want" ] && ok || bad "array: $got != $want"

# 5. EventBridge envelopes, as NDJSON
jq -c '{version:"0", id:.eventID, "detail-type":"AWS API Call via CloudTrail", source:"aws.cloudtrail", account:.recipientAccountId, time:.eventTime, region:.awsRegion, resources:[], detail:.}' \
  "$tmp/all.ndjson" > "$tmp/eb.ndjson"
got=$(counts "$tmp/eb.ndjson"); [ "$got" = "$want" ] && ok || bad "eventbridge: $got != $want"

# 6. aws logs filter-log-events output: the message is the event's JSON text
jq -cs '{events: [.[] | {logStreamName:"s", timestamp: 0, message: (. | tojson), ingestionTime: 0, eventId: .eventID}], searchedLogStreams: []}' \
  "$tmp/all.ndjson" > "$tmp/fle.json"
got=$(counts "$tmp/fle.json"); [ "$got" = "$want" ] && ok || bad "filter-log-events: $got != $want"

# identical for every thread count
for t in 1 3; do
  got=$("$TW" scan --rules cis --format json --threads $t "$tmp/s3" 2>/dev/null | jq -c '[.filters[].matches]')
  [ "$got" = "$want" ] && ok || bad "threads=$t: $got"
done

# malformed inputs are reported, counted, and do not stop the scan
mkdir -p "$tmp/bad"
cp "$tmp/all.ndjson" "$tmp/bad/good.ndjson"
head -c 3000 "$(find "$tmp/s3" -name '*.gz' | sort | head -1)" > "$tmp/bad/truncated.json.gz"
printf '{"eventName":"StopLogging","eventTime":"2023-07-10T11:42:00Z"\n' > "$tmp/bad/invalid.ndjson"
printf 'this is not json\n' > "$tmp/bad/garbage.json"
out=$("$TW" scan --rules cis --format json --no-progress "$tmp/bad" 2>"$tmp/err"); rc=$?
got=$(jq -c '[.filters[].matches]' <<<"$out")
[ $rc = 0 ] && [ "$got" = "$want" ] && ok || bad "bad inputs: rc=$rc $got"
e=$(jq .summary.errors <<<"$out"); [ "$e" -ge 3 ] && ok || bad "errors counted: $e"
o=$(jq .summary.filesSkippedOther <<<"$out"); [ "$o" = 1 ] && ok || bad "garbage.json skipped and counted: $o"
grep -q "truncated.json.gz" "$tmp/err" && grep -q "invalid.ndjson: byte [0-9]*: " "$tmp/err" && ok || bad "errors reported: $(cat "$tmp/err")"
"$TW" scan --rules cis --strict --no-progress "$tmp/bad" >/dev/null 2>&1; [ $? = 3 ] && ok || bad "--strict exit"

# time window: skip everything before 2023-07-10T12:00Z (invictus: 11:42..12:37)
n1=$("$TW" scan --rules cis --format json --from 2023-07-10T12:00:00Z "$tmp/s3" 2>/dev/null | jq '.summary.events')
n2=$(jq -c 'select(.eventTime >= "2023-07-10T12:00:00Z")' "$tmp/all.ndjson" | wc -l)
[ "$n1" = "$n2" ] && ok || bad "--from: $n1 != $n2"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
