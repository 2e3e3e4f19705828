#!/usr/bin/env bash
# CLI tests for `trailwatch scan` ([speed] shape): per-filter counts equal
# `test-pattern` run filter by filter, are identical for every --threads and
# for standard input; configuration errors name file:line:col; oversized
# events are reported and counted; exit codes.
# Usage: scan.sh /path/to/trailwatch
set -u
TW=${1:?usage: scan.sh TRAILWATCH}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }

"$TW" sample --events 30000 --seed 7 --out "$tmp/ev.ndjson" || { echo "sample failed"; exit 1; }
cfg=bench/cis.json

# oracle: test-pattern, one filter at a time
jq -r '.metricFilters[].filterPattern' "$cfg" > "$tmp/patterns"
want=""
while IFS= read -r p; do
  n=$("$TW" test-pattern --json "$p" < "$tmp/ev.ndjson" | jq '.matches | length')
  want="$want$n,"
done < "$tmp/patterns"
want="[${want%,}]"

for t in 1 2 3 8; do
  got=$("$TW" scan --config "$cfg" --threads $t --format json "$tmp/ev.ndjson" | jq -c '[.filters[].matches]')
  [ "$got" = "$want" ] && ok || bad "threads=$t: $got != $want"
done
got=$("$TW" scan --config "$cfg" --threads 2 --format json - < "$tmp/ev.ndjson" | jq -c '[.filters[].matches]')
[ "$got" = "$want" ] && ok || bad "stdin: $got != $want"
got=$(cat "$tmp/ev.ndjson" | "$TW" scan --config "$cfg" --format json - | jq -c '[.filters[].matches]')
[ "$got" = "$want" ] && ok || bad "pipe: $got != $want"
ev=$("$TW" scan --config "$cfg" --format json "$tmp/ev.ndjson" | jq '.summary.events')
[ "$ev" = 30000 ] && ok || bad "summary.events $ev"
bytes=$("$TW" scan --config "$cfg" --format json "$tmp/ev.ndjson" | jq '.summary.bytes')
[ "$bytes" = "$(stat -c %s "$tmp/ev.ndjson")" ] && ok || bad "summary.bytes $bytes"

# two input files add up; a file split across threads counts each event once
split -l 12345 "$tmp/ev.ndjson" "$tmp/part."
got=$("$TW" scan --config "$cfg" --threads 2 --format json "$tmp"/part.* | jq -c '[.filters[].matches]')
[ "$got" = "$want" ] && ok || bad "split files: $got != $want"

# YAML config with the same filters
{ echo "metricFilters:"; jq -r '.metricFilters[] | "  - filterName: \(.filterName)\n    filterPattern: \(.filterPattern | @json)\n    metricTransformations:\n      - {metricName: M\(.filterName | sub("-";"")), metricNamespace: T, metricValue: \"1\"}"' "$cfg"; } > "$tmp/cis.yaml"
got=$("$TW" scan --config "$tmp/cis.yaml" --format json "$tmp/ev.ndjson" | jq -c '[.filters[].matches]')
[ "$got" = "$want" ] && ok || bad "yaml config: $got != $want"

# table output names every filter
out=$("$TW" scan --config "$cfg" "$tmp/ev.ndjson")
grep -q "^CIS-15 " <<<"$out" && grep -q "events: 30000 scanned" <<<"$out" && ok || bad "table output"

# errors
printf 'metricFilters:\n  - filterName: x\n    filterPattern: "{ $.a == 1 }"\n    metricTransformations:\n      - {metricName: M, metricNamespace: N, metricValue: "1"}\n' > "$tmp/bad.yaml"
msg=$("$TW" scan --config "$tmp/bad.yaml" "$tmp/ev.ndjson" 2>&1); rc=$?
[ $rc = 2 ] && grep -q "bad.yaml:3:20: metricFilters\[0\].filterPattern: column 7: '==' is not an operator" <<<"$msg" && ok || bad "bad pattern: rc=$rc $msg"
"$TW" scan "$tmp/ev.ndjson" >/dev/null 2>&1; [ $? = 2 ] && ok || bad "missing --config"
"$TW" scan --config "$cfg" >/dev/null 2>&1; [ $? = 2 ] && ok || bad "missing input"
"$TW" scan --config "$cfg" --threads 0 "$tmp/ev.ndjson" >/dev/null 2>&1; [ $? = 2 ] && ok || bad "--threads 0"
msg=$("$TW" scan --config "$cfg" --format json "$tmp/missing.ndjson" 2>&1 >"$tmp/out"); rc=$?
[ $rc = 0 ] && grep -q "missing.ndjson: cannot read" <<<"$msg" && [ "$(jq .summary.errors "$tmp/out")" = 1 ] && ok || bad "missing input file: rc=$rc $msg"
"$TW" scan --strict --config "$cfg" "$tmp/missing.ndjson" >/dev/null 2>&1; [ $? = 3 ] && ok || bad "missing input file with --strict"
"$TW" scan --help | grep -q "usage: trailwatch scan" && ok || bad "--help"

# an oversized event is reported with its offset, counted, and the rest is scanned
{ head -5 "$tmp/ev.ndjson"; printf '{"eventName":"%*s"}\n' 1100000 x; tail -5 "$tmp/ev.ndjson"; } > "$tmp/big.ndjson"
out=$("$TW" scan --config "$cfg" --format json "$tmp/big.ndjson" 2>"$tmp/err"); rc=$?
[ $rc = 0 ] && [ "$(jq .summary.events <<<"$out")" = 10 ] && [ "$(jq .summary.errors <<<"$out")" = 1 ] \
  && grep -q "big.ndjson: byte [0-9]*: event of 1100016 bytes" "$tmp/err" && ok || bad "oversized: rc=$rc $out $(cat "$tmp/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
