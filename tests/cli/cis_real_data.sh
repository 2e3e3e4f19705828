#!/usr/bin/env bash
# Differential test on real CloudTrail events (../shared/data/cloudtrail):
# every CIS monitoring pattern and both seed patterns are counted by
# `trailwatch test-pattern` and by an independently written jq predicate of
# the same intent (written from DECISIONS.md: '!=' and comparisons are false
# on absent fields, '*' wildcards, NOT EXISTS). Counts must agree, and must
# equal the hand-checked figures below. Skips (exit 0 with a note) when the
# shared data set is not beside the checkout.
# Usage: cis_real_data.sh /path/to/trailwatch
set -u
TW=${1:?usage: cis_real_data.sh TRAILWATCH}
DATA=${TW_SHARED_DATA:-../shared/data/cloudtrail}
if [ ! -d "$DATA" ]; then echo "cis_real_data: $DATA not found; skipped"; echo "0 passed, 0 failed"; exit 0; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
find "$DATA" -name '*.json' -print0 | sort -z | xargs -0 jq -c 'if type == "array" then .[] elif .Records then .Records[] else empty end' > "$tmp/events.ndjson"
total=$(wc -l < "$tmp/events.ndjson")
pass=0 fail=0

# name TAB expected count TAB filter pattern TAB jq predicate
while IFS=$'\t' read -r name want pattern pred; do
  [ -z "$name" ] && continue
  got_tw=$("$TW" test-pattern --json "$pattern" < "$tmp/events.ndjson" | jq '.matches | length')
  got_jq=$(jq -c "select($pred)" "$tmp/events.ndjson" | wc -l)
  if [ "$got_tw" != "$got_jq" ] || [ "$got_tw" != "$want" ]; then
    echo "FAIL $name: trailwatch $got_tw, jq $got_jq, expected $want"; fail=$((fail+1))
  else
    pass=$((pass+1))
  fi
done < tests/cli/cis_real_data.tsv
echo "events: $total"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
