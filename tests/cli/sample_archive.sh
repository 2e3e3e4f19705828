#!/usr/bin/env bash
# Tests of `trailwatch sample --archive DIR` (the demo archive, docs/sample.md):
# determinism (same options => same files and bytes), CloudTrail's S3 layout
# and object names, every object valid gzip + JSON (Records array, gzip mtime
# 0), digests listing every log object with its SHA-256 and chaining to the
# previous digest, the scripted incidents, the StopLogging gap, the exact
# matches of every filter of rules/seed.yaml and rules/cis.yaml (incident
# events only, nothing in the background), --days 1, --events-per-day 0,
# --start, usage errors (exit 2) and an unwritable directory (exit 3).
# Usage: sample_archive.sh /path/to/trailwatch
set -u
TW=${1:?usage: sample_archive.sh TRAILWATCH}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

if ! "$TW" sample --help 2>/dev/null | grep -q -- "--archive"; then
  echo "FAIL: '$TW sample' has no --archive"
  echo "0 passed, 1 failed"
  exit 1
fi

ACCT=111122223333
REGIONS='(us-east-1|eu-west-1|us-west-2|ap-southeast-2)'

# Sorted "sha256  relative/path" of every file under $1.
tree_hash() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); }

# ---- determinism -------------------------------------------------------------
start=$(date +%s)
"$TW" sample --archive "$tmp/a" > "$tmp/summary"; rc=$?
secs=$(( $(date +%s) - start ))
check "exit 0" '[ $rc -eq 0 ]'
check "summary line" 'grep -q "^trailwatch sample: wrote [0-9]* events" "$tmp/summary"'
check "defaults written in seconds (took ${secs}s)" '[ "$secs" -le 30 ]'
"$TW" sample --archive "$tmp/b" --seed 1 --days 2 --start 2026-11-02 --events-per-day 20000 > /dev/null
"$TW" sample --archive "$tmp/c1" --seed 1 --days 1 --events-per-day 1000 > /dev/null
"$TW" sample --archive "$tmp/c2" --seed 2 --days 1 --events-per-day 1000 > /dev/null
tree_hash "$tmp/a" > "$tmp/ha"; tree_hash "$tmp/b" > "$tmp/hb"
tree_hash "$tmp/c1" > "$tmp/hc1"; tree_hash "$tmp/c2" > "$tmp/hc2"
check "same options give the same files, byte for byte (defaults: seed 1, 2 days, 2026-11-02, 20000/day)" \
  'cmp -s "$tmp/ha" "$tmp/hb"'
check "another seed gives other files" '! cmp -s "$tmp/hc1" "$tmp/hc2"'

# ---- layout ------------------------------------------------------------------
(cd "$tmp/a" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > "$tmp/files"
grep "/CloudTrail/" "$tmp/files" > "$tmp/logs"
grep "/CloudTrail-Digest/" "$tmp/files" > "$tmp/digests"
nlogs=$(wc -l < "$tmp/logs") ndig=$(wc -l < "$tmp/digests")
log_re="^AWSLogs/$ACCT/CloudTrail/$REGIONS/([0-9]{4})/([0-9]{2})/([0-9]{2})/${ACCT}_CloudTrail_\\1_\\2\\3\\4T[0-9]{4}Z_[A-Za-z0-9]{16}\\.json\\.gz\$"
dig_re="^AWSLogs/$ACCT/CloudTrail-Digest/$REGIONS/([0-9]{4})/([0-9]{2})/([0-9]{2})/${ACCT}_CloudTrail-Digest_\\1_management-events_us-east-1_\\2\\3\\4T[0-9]{6}Z\\.json\\.gz\$"
check "hundreds of log objects ($nlogs)" '[ "$nlogs" -gt 1000 ]'
check "digest files present ($ndig)" '[ "$ndig" -gt 100 ]'
check "nothing but log objects and digests" '[ $((nlogs + ndig)) -eq "$(wc -l < "$tmp/files")" ]'
check "log object keys match CloudTrail's (folder date = name date)" \
  '[ "$(grep -Evc "$log_re" "$tmp/logs")" -eq 0 ]'
check "digest keys match CloudTrail's" '[ "$(grep -Evc "$dig_re" "$tmp/digests")" -eq 0 ]'
check "four regions with log objects" \
  '[ "$(cut -d/ -f4 "$tmp/logs" | sort -u | tr "\n" " ")" = "ap-southeast-2 eu-west-1 us-east-1 us-west-2 " ]'
check "us-east-1 has the most objects" \
  '[ "$(cut -d/ -f4 "$tmp/logs" | sort | uniq -c | sort -rn | head -1 | awk "{print \$2}")" = us-east-1 ]'

# ---- objects -----------------------------------------------------------------
(cd "$tmp/a" && xargs gzip -t < "$tmp/files" 2>/dev/null); rc=$?
check "every object is valid gzip" '[ $rc -eq 0 ]'
mt=0
for f in $(sed -n '1~97p' "$tmp/files"); do
  [ "$(head -c 10 "$tmp/a/$f" | od -An -tx1 | tr -d ' \n')" = "1f8b0800000000000003" ] || mt=1
done 2>/dev/null
check "gzip headers have mtime 0 (reproducible)" '[ $mt -eq 0 ]'
(cd "$tmp/a" && xargs zcat < "$tmp/logs") > "$tmp/objects"
check "every log object is one JSON object with a non-empty Records array" \
  '[ "$(jq -c "select((.Records | type) == \"array\" and (.Records | length) > 0) | 1" "$tmp/objects" | wc -l)" -eq "$nlogs" ]'
check "log objects are compact JSON (no newline at all)" '[ "$(tr -cd "\n" < "$tmp/objects" | wc -c)" -eq 0 ]'
jq -c '.Records[]' "$tmp/objects" > "$tmp/ev"
nev=$(wc -l < "$tmp/ev")
check "event count matches the summary ($nev)" 'grep -q "wrote $nev events" "$tmp/summary"'
check "about 20,000 events a day" '[ "$nev" -gt 38000 ] && [ "$nev" -lt 42000 ]'
# account, region, source, date of every event (one jq pass)
jq -r '[.recipientAccountId, .awsRegion, .eventSource, .eventTime[0:10]] | @tsv' "$tmp/ev" > "$tmp/ev.tsv"
check "one account" '[ "$(cut -f1 "$tmp/ev.tsv" | sort -u)" = "$ACCT" ]'
check "four regions" \
  '[ "$(cut -f2 "$tmp/ev.tsv" | sort -u | tr "\n" " ")" = "ap-southeast-2 eu-west-1 us-east-1 us-west-2 " ]'
check "IAM and sign-in events are in us-east-1" \
  '[ "$(awk -F"\t" "\$3 == \"iam.amazonaws.com\" || \$3 == \"signin.amazonaws.com\" { print \$2 }" "$tmp/ev.tsv" | sort -u)" = us-east-1 ]'
check "events lie in 2026-11-02 .. 2026-11-03" \
  '[ "$(cut -f4 "$tmp/ev.tsv" | sort -u | tr "\n" " ")" = "2026-11-02 2026-11-03 " ]'
check "a day/night rate (15:00 busier than 04:00)" \
  '[ "$(grep -c "\"eventTime\":\"2026-11-02T15:" "$tmp/ev")" -gt $((2 * $(grep -c "\"eventTime\":\"2026-11-02T04:" "$tmp/ev"))) ]'
# Sampled objects: events of the folder's region, a 5-minute window, named
# (delivered) 1 to 10 minutes after the window's newest event.
win=0
for f in $(sed -n '1~101p' "$tmp/logs"); do
  region=$(echo "$f" | cut -d/ -f4)
  stamp=$(basename "$f" | sed -E 's/.*_([0-9]{8})T([0-9]{4})Z_.*/\1 \2/')
  named=$(date -u -d "${stamp% *} ${stamp#* }" +%s)
  zcat "$tmp/a/$f" | jq -r --arg r "$region" \
    '[.Records[] | select(.awsRegion == $r) | .eventTime | fromdate] | "\(min) \(max) \(length)"' \
    > "$tmp/w"
  all=$(zcat "$tmp/a/$f" | jq '.Records | length')
  read -r lo hi n < "$tmp/w"
  if [ "$n" != "$all" ] || [ $((lo / 300)) -ne $((hi / 300)) ] || [ $((named - hi)) -lt 60 ] ||
     [ $((named - hi)) -gt 600 ]; then win=1; echo "  window check failed for $f"; fi
done
check "objects hold one region's 5-minute window, named a few minutes later" '[ $win -eq 0 ]'

# ---- digests -----------------------------------------------------------------
(cd "$tmp/a" && for f in $(cat "$tmp/digests"); do zcat "$f"; echo; done) > "$tmp/dg"
check "digests are JSON with CloudTrail's fields" \
  '[ "$(jq -c "select(.awsAccountId == \"$ACCT\" and .digestSignatureAlgorithm == \"SHA256withRSA\" and (.logFiles | type) == \"array\" and (.digestStartTime | fromdate) + 3600 == (.digestEndTime | fromdate)) | 1" "$tmp/dg" | wc -l)" -eq "$ndig" ]'
check "each digest names itself" \
  '[ "$(jq -r .digestS3Object "$tmp/dg" | LC_ALL=C sort)" = "$(LC_ALL=C sort "$tmp/digests")" ]'
check "digests list every log object exactly once" \
  '[ "$(jq -r ".logFiles[].s3Object" "$tmp/dg" | LC_ALL=C sort)" = "$(cat "$tmp/logs")" ]'
hv=0
for f in $(sed -n '1~211p' "$tmp/logs"); do
  want=$(jq -r --arg f "$f" '.logFiles[] | select(.s3Object == $f) | .hashValue' "$tmp/dg")
  [ "$want" = "$(zcat "$tmp/a/$f" | sha256sum | cut -c1-64)" ] || hv=1
done
check "logFiles hashValue is the SHA-256 of the uncompressed object" '[ $hv -eq 0 ]'
chain=0
while read -r prev obj; do
  [ "$prev" = null ] && continue
  [ "$prev" = "$(zcat "$tmp/a/$obj" | sha256sum | cut -c1-64)" ] || chain=1
done < <(jq -r '"\(.previousDigestHashValue) \(.previousDigestS3Object)"' "$tmp/dg" | sed -n '1~17p')
check "previousDigestHashValue chains to the previous digest" '[ $chain -eq 0 ]'
check "first digest of each region has no predecessor" \
  '[ "$(jq -c "select(.previousDigestS3Object == null)" "$tmp/dg" | wc -l)" -eq 4 ]'

# ---- incidents ---------------------------------------------------------------
# Candidates (a superset of everything checked below, so jq reads less).
grep -E '"eventName":"(AssumeRole|ConsoleLogin|SwitchRole|StopLogging|StartLogging|AuthorizeSecurityGroupIngress|PutBucketPolicy)"|"errorCode":"AccessDenied"|role/TemporaryAdminRole|"userName":"bob"' \
  "$tmp/ev" > "$tmp/cand"
sel() { jq -c "select($1)" "$tmp/cand"; }
n() { sel "$1" | wc -l; }
# 1. alice assumes TemporaryAdminRole, then uses it from the same IP and key
check "1. alice AssumeRole of TemporaryAdminRole" \
  '[ "$(n ".eventName == \"AssumeRole\" and .eventSource == \"sts.amazonaws.com\" and .userIdentity.userName == \"alice\" and .requestParameters.roleArn == \"arn:aws:iam::$ACCT:role/TemporaryAdminRole\" and .requestParameters.roleSessionName == \"alice\" and (.responseElements.credentials.accessKeyId | startswith(\"ASIA\"))")" -eq 1 ]'
assume='.eventName == "AssumeRole" and .requestParameters.roleArn == "arn:aws:iam::'$ACCT':role/TemporaryAdminRole"'
key=$(sel "$assume" | jq -r .responseElements.credentials.accessKeyId)
ip=$(sel "$assume" | jq -r .sourceIPAddress)
check "1. the role is used with the issued key from the same IP" \
  '[ "$(n ".userIdentity.type == \"AssumedRole\" and .userIdentity.sessionContext.sessionIssuer.arn == \"arn:aws:iam::$ACCT:role/TemporaryAdminRole\" and .userIdentity.accessKeyId == \"$key\" and .sourceIPAddress == \"$ip\"")" -ge 2 ]'
# 2. a service-linked role denied on S3, several times within minutes
slr='.errorCode == "AccessDenied" and .eventSource == "s3.amazonaws.com" and (.eventName | startswith("Get")) and .userIdentity.type == "AssumedRole" and .userIdentity.invokedBy == "config.amazonaws.com" and (.userIdentity.sessionContext.sessionIssuer.arn | startswith("arn:aws:iam::'$ACCT':role/aws-service-role/"))'
check "2. service-linked role denied on S3 (6 times)" '[ "$(n "$slr")" -eq 6 ]'
check "2. within 10 minutes" \
  '[ "$(sel "$slr" | jq -s "map(.eventTime | fromdate) | max - min")" -le 600 ]'
check "2. after a bucket policy change" \
  '[ "$(n ".eventName == \"PutBucketPolicy\" and .requestParameters.bucketName == \"data-lake-raw-$ACCT\"")" -eq 1 ]'
# 3. bob: console sign-in without MFA, then SwitchRole
check "3. ConsoleLogin by bob without MFA" \
  '[ "$(n ".eventName == \"ConsoleLogin\" and .eventSource == \"signin.amazonaws.com\" and .eventType == \"AwsConsoleSignIn\" and .userIdentity.type == \"IAMUser\" and .userIdentity.userName == \"bob\" and .responseElements.ConsoleLogin == \"Success\" and .additionalEventData.MFAUsed == \"No\"")" -eq 1 ]'
check "3. two failed sign-ins before it" \
  '[ "$(n ".eventName == \"ConsoleLogin\" and .errorMessage == \"Failed authentication\" and .userIdentity.userName == \"bob\"")" -eq 2 ]'
check "3. SwitchRole from user/bob" \
  '[ "$(n ".eventName == \"SwitchRole\" and .eventType == \"AwsConsoleSignIn\" and .additionalEventData.SwitchFrom == \"arn:aws:iam::$ACCT:user/bob\"")" -eq 1 ]'
check "no sign-in without MFA in the background" \
  '[ "$(n ".eventName == \"ConsoleLogin\" and .userIdentity.type == \"IAMUser\" and .additionalEventData.MFAUsed != \"Yes\"")" -eq 3 ]'
# 4. StopLogging by an assumed-role session; nothing logged until StartLogging
check "4. StopLogging by an AssumedRole session" \
  '[ "$(n ".eventName == \"StopLogging\" and .eventSource == \"cloudtrail.amazonaws.com\" and .userIdentity.type == \"AssumedRole\" and .requestParameters.name == \"arn:aws:cloudtrail:us-east-1:$ACCT:trail/management-events\"")" -eq 1 ]'
stop=$(sel '.eventName == "StopLogging"' | jq '.eventTime | fromdate')
restart=$(sel '.eventName == "StartLogging"' | jq '.eventTime | fromdate')
check "4. StartLogging 20-30 minutes later" '[ $((restart - stop)) -ge 1200 ] && [ $((restart - stop)) -le 1800 ]'
check "4. no event recorded while the trail was stopped" \
  '[ "$(jq -c "select((.eventTime | fromdate) > $stop and (.eventTime | fromdate) < $restart)" "$tmp/ev" | wc -l)" -eq 0 ]'
# 5. SSH opened to the world in eu-west-1
check "5. AuthorizeSecurityGroupIngress 22 from 0.0.0.0/0 in eu-west-1" \
  '[ "$(n ".eventName == \"AuthorizeSecurityGroupIngress\" and .eventSource == \"ec2.amazonaws.com\" and .awsRegion == \"eu-west-1\" and .requestParameters.ipPermissions.items[0].fromPort == 22 and .requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp == \"0.0.0.0/0\"")" -eq 1 ]'
check "incident users keep their background principal IDs" \
  '[ "$(n ".userIdentity.type == \"IAMUser\" and .userIdentity.userName == \"bob\"")" -gt 3 ] && [ "$(sel ".userIdentity.type == \"IAMUser\" and .userIdentity.userName == \"bob\"" | jq -r .userIdentity.principalId | sort -u | wc -l)" -eq 1 ]'

# ---- the rule packs: every filter's matches, exactly --------------------------
# "filterName<TAB>pattern" from a rule pack (single-quoted patterns, default
# parameter values).
patterns() {
  awk '/filterName:/ { name = $NF }
       /filterPattern:/ { sub(/^[^'"'"']*'"'"'/, ""); sub(/'"'"'[ \t]*$/, ""); print name "\t" $0 }' "$1" |
    sed 's/\${TemporaryAdminRoleName}/TemporaryAdminRole/g'
}
patterns "$ROOT/rules/seed.yaml" > "$tmp/seed.tsv"
patterns "$ROOT/rules/cis.yaml" > "$tmp/cis.tsv"
check "pattern lists read (2 seed, 15 CIS)" \
  '[ "$(wc -l < "$tmp/seed.tsv")" -eq 2 ] && [ "$(wc -l < "$tmp/cis.tsv")" -eq 15 ]'
# What each filter matches: "eventTime eventName" lines.
matched() {
  "$TW" test-pattern --json "$1" < "$tmp/ev" |
    jq -r '.matches[].eventMessage | fromjson | "\(.eventTime) \(.eventName)"' | LC_ALL=C sort
}
expect_seed1='2026-11-02T09:14:40Z SwitchRole
2026-11-03T10:05:18Z AssumeRole'
expect_seed2='2026-11-02T14:37:12Z GetBucketAcl
2026-11-02T14:37:12Z GetBucketPolicy
2026-11-02T14:37:13Z GetBucketLogging
2026-11-02T14:39:44Z GetBucketAcl
2026-11-02T14:39:45Z GetBucketPolicy
2026-11-02T14:41:20Z GetBucketAcl'
while IFS=$'\t' read -r name pat; do
  got=$(matched "$pat")
  case $name in
    *privileged-role-assumption) want=$expect_seed1 ;;
    *) want=$expect_seed2 ;;
  esac
  check "seed $name matches exactly the documented incident events" '[ "$got" = "$want" ]'
  [ "$got" = "$want" ] || { echo "  got:"; echo "$got" | head -5; }
done < "$tmp/seed.tsv"
declare -A cis_want=(
  [trailwatch-cis-02-UnauthorizedAPICalls]="$expect_seed2"
  [trailwatch-cis-03-ConsoleSignInWithoutMFA]='2026-11-02T09:13:02Z ConsoleLogin'
  [trailwatch-cis-05-CloudTrailConfigChanges]='2026-11-03T03:17:44Z StopLogging
2026-11-03T03:41:09Z StartLogging'
  [trailwatch-cis-06-ConsoleAuthenticationFailures]='2026-11-02T09:12:07Z ConsoleLogin
2026-11-02T09:12:31Z ConsoleLogin'
  [trailwatch-cis-08-S3BucketPolicyChanges]='2026-11-02T14:31:50Z PutBucketPolicy'
  [trailwatch-cis-10-SecurityGroupChanges]='2026-11-02T22:48:03Z AuthorizeSecurityGroupIngress'
)
while IFS=$'\t' read -r name pat; do
  got=$(matched "$pat")
  want=${cis_want[$name]:-}
  check "cis $name matches exactly the documented events (${want:+$(echo "$want" | wc -l)}${want:-0})" \
    '[ "$got" = "$want" ]'
done < "$tmp/cis.tsv"

# ---- options -----------------------------------------------------------------
"$TW" sample --archive "$tmp/one" --days 1 --events-per-day 2000 > /dev/null
(cd "$tmp/one" && find . -path "*/CloudTrail/*" -name "*.json.gz" | xargs zcat) | jq -c '.Records[]' > "$tmp/one.ev"
check "--days 1: one day of traffic" \
  '[ "$(jq -r ".eventTime[0:10]" "$tmp/one.ev" | sort -u)" = 2026-11-02 ]'
check "--days 1: the day-2 incidents move to day 1" \
  '[ "$(jq -c "select(.eventName == \"StopLogging\" or (.eventName == \"AssumeRole\" and .requestParameters.roleArn == \"arn:aws:iam::$ACCT:role/TemporaryAdminRole\")) | .eventTime[0:10]" "$tmp/one.ev" | sort -u)" = "\"2026-11-02\"" ]'
"$TW" sample --archive "$tmp/zero" --events-per-day 0 > "$tmp/zero.out"
(cd "$tmp/zero" && find . -path "*/CloudTrail/*" -name "*.json.gz" | xargs zcat) | jq -c '.Records[]' > "$tmp/zero.ev"
check "--events-per-day 0: only the 24 incident events" \
  '[ "$(wc -l < "$tmp/zero.ev")" -eq 24 ] && grep -q "wrote 24 events (24 from incidents" "$tmp/zero.out"'
"$TW" sample --archive "$tmp/st" --start 2025-01-06 --days 1 --events-per-day 500 > /dev/null
check "--start moves the archive" \
  '[ -d "$tmp/st/AWSLogs/$ACCT/CloudTrail/us-east-1/2025/01/06" ] && [ ! -d "$tmp/st/AWSLogs/$ACCT/CloudTrail/us-east-1/2026" ]'

"$TW" sample --help > "$tmp/help"; rc=$?
check "--help documents --archive and --events-per-day" \
  '[ $rc -eq 0 ] && grep -q -- "--archive DIR" "$tmp/help" && grep -q -- "--events-per-day" "$tmp/help"'
for args in "--archive" "--archive $tmp/u1 --events 10" "--archive $tmp/u2 --out x" \
            "--archive $tmp/u3 --days 0" "--archive $tmp/u4 --days 367" \
            "--archive $tmp/u5 --events-per-day 20M" "--archive $tmp/u6 --start 2026-02-30x" \
            "--events 10 --events-per-day 5" "--archive $tmp/a"; do
  # shellcheck disable=SC2086
  "$TW" sample $args > /dev/null 2>&1; rc=$?
  check "usage error exits 2: '${args//$tmp/TMP}'" '[ $rc -eq 2 ]'
done
check "a refused archive leaves the existing one untouched" \
  '[ "$(tree_hash "$tmp/a")" = "$(cat "$tmp/ha")" ]'
touch "$tmp/plainfile"
"$TW" sample --archive "$tmp/plainfile/x" > /dev/null 2>&1; rc=$?
check "unwritable directory exits 3" '[ $rc -eq 3 ]'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
