#!/usr/bin/env bash
# run.sh — the trailwatch benchmark (`make bench`): one pass of many filters
# over a large CloudTrail NDJSON file, against peers doing the same work.
#
#  1. generates (or reuses, cached in bench/data/) a synthetic sample of at
#     least BENCH_SIZE_MB MiB with `trailwatch sample`;
#  2. builds the peers in bench/build/ (simdjson DOM, cJSON, newline count);
#  3. measures trailwatch scan with 1, 15 (CIS) and 100 filters on 1, 2 and
#     all threads, the simdjson and cJSON peers (15 CIS filters), jq (on a
#     1/16 slice, scaled), grep -c -F (1 fixed string) and the newline floor;
#  4. cross-checks per-filter counts (trailwatch vs simdjson, cJSON vs
#     simdjson, simdjson vs the project's jq predicates on the slice);
#  5. prints the goal checks. Everything printed also goes to
#     bench/results/latest.txt.
#
# Environment: BENCH_SIZE_MB (default 1024), BENCH_SEED (1), BENCH_REPEAT
# (runs per row, best time kept; 1), BENCH_THREADS (all threads; nproc),
# BENCH_MARCH (peers' -march; native), TRAILWATCH (build/trailwatch).
# Exit status: 0 all cross-checks agree, 1 a count mismatch, 2 trailwatch
# could not be run (the peer rows are still measured and printed).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
BENCH=$ROOT/bench
SIZE_MB=${BENCH_SIZE_MB:-1024}
SEED=${BENCH_SEED:-1}
REPEAT=${BENCH_REPEAT:-1}
NPROC=$(nproc 2>/dev/null || echo 1)
THREADS_ALL=${BENCH_THREADS:-$NPROC}
MARCH=${BENCH_MARCH:-native}
TW=${TRAILWATCH:-$ROOT/build/trailwatch}
DATA_DIR=$BENCH/data
BUILD=$BENCH/build
RESULTS=$BENCH/results
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$DATA_DIR" "$BUILD" "$RESULTS"

die() { echo "bench: $*" >&2; exit 2; }
fmt() { awk -v x="$1" -v f="$2" 'BEGIN { printf f, x }'; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

main() {

bash "$ROOT/scripts/deps-bench.sh" || die "could not install the benchmark dependencies"
[ -x "$TW" ] || die "no trailwatch program at $TW: run 'make' first (or set TRAILWATCH)"

# ---- 1. data -------------------------------------------------------------
sample_ok=1
"$TW" sample --events 20000 --seed "$SEED" --out "$TMP/calib.ndjson" 2>"$TMP/sample.err" || sample_ok=0
[ "$sample_ok" = 1 ] || die "'trailwatch sample' failed: $(head -1 "$TMP/sample.err")"
avg=$(( $(stat -c %s "$TMP/calib.ndjson") / 20000 ))
events=$(( (SIZE_MB * 1048576 / avg) * 102 / 100 + 1 ))  # 2% margin: at least SIZE_MB MiB
DATA=$DATA_DIR/sample-seed$SEED-$events.ndjson
gen_seconds=""
if [ ! -s "$DATA" ]; then
  echo "bench: generating $DATA ($events events, ~$SIZE_MB MiB) ..."
  t0=$EPOCHREALTIME
  "$TW" sample --events "$events" --seed "$SEED" --out "$DATA.tmp" || die "trailwatch sample failed"
  t1=$EPOCHREALTIME
  mv "$DATA.tmp" "$DATA"
  gen_seconds=$(calc "$t1 - $t0")
fi
BYTES=$(stat -c %s "$DATA")
[ "$BYTES" -ge $((SIZE_MB * 1048576)) ] || die "$DATA is smaller than $SIZE_MB MiB; delete it and rerun"

# the 1/16 slice for jq (whole lines)
SLICE=$DATA_DIR/slice16-seed$SEED-$events.ndjson
[ -s "$SLICE" ] || head -n $((events / 16)) "$DATA" > "$SLICE"
SLICE_BYTES=$(stat -c %s "$SLICE")

# ---- 2. peers and configs ------------------------------------------------
CXXFLAGS="-std=c++17 -O2 -march=$MARCH -DNDEBUG"
CFLAGS="-std=c17 -D_GNU_SOURCE -O2 -march=$MARCH -DNDEBUG"
g++ $CXXFLAGS -o "$BUILD/simdjson_count" "$BENCH/peers/simdjson_count.cpp" -lsimdjson ||
  die "building the simdjson peer failed"
gcc $CFLAGS -o "$BUILD/cjson_count" "$BENCH/peers/cjson_count.c" -lcjson ||
  die "building the cJSON peer failed"
gcc $CFLAGS -o "$BUILD/newlines" "$BENCH/peers/newlines.c" || die "building newlines failed"
bash "$BENCH/gen_100.sh" > "$BUILD/100.json" || die "gen_100.sh failed"

# the jq program: one pass, 15 counters, predicates from the CLI test table
jq_preds=()
while IFS=$'\t' read -r name _ _ pred; do
  case "$name" in cw[0-9]*-*) jq_preds+=("$pred") ;; esac
done < "$ROOT/tests/cli/cis_real_data.tsv"
while IFS=$'\t' read -r name _ _ pred; do
  [ "$name" = cis-415-orgs ] && jq_preds+=("$pred")
done < "$ROOT/tests/cli/cis_real_data.tsv"
[ ${#jq_preds[@]} -eq 15 ] || die "expected 15 CIS rows in tests/cli/cis_real_data.tsv, got ${#jq_preds[@]}"
jq_prog='reduce inputs as $ev ([range(15) | 0]; .'
for i in "${!jq_preds[@]}"; do
  jq_prog+=" | .[$i] += (if (\$ev | ${jq_preds[$i]}) then 1 else 0 end)"
done
jq_prog+=') | to_entries[] | "CIS-\(.key + 1) \(.value)"'

# ---- 3. measurements -------------------------------------------------------
ROWS=()   # tool|filters|threads|seconds|bytes|rss_kib|note
FAILED_TW=""

# run OUT CMD... : best of REPEAT; sets SECS and RSS (KiB); returns the status
run() {
  local out=$1; shift
  local best="" rss=0 i t0 t1 s m rc=0
  for ((i = 0; i < REPEAT; i++)); do
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$TMP/rss" "$@" > "$out" 2> "$TMP/stderr"; rc=$?
    t1=$EPOCHREALTIME
    [ $rc -eq 0 ] || return $rc
    s=$(calc "$t1 - $t0"); m=$(tail -1 "$TMP/rss")
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  SECS=$best RSS=$rss
}

row() { ROWS+=("$1|$2|$3|$4|$5|$6|${7:-}"); }

echo "bench: warming the page cache"
"$BUILD/newlines" "$DATA" > "$TMP/lines.txt" || die "newlines failed"
EVENTS=$(awk '{ print $2 }' "$TMP/lines.txt")

thread_list=$(printf '%s\n' 1 $((THREADS_ALL >= 2 ? 2 : 1)) "$THREADS_ALL" | sort -nu)
for cfg in one:1 cis:15 100:100; do
  file=${cfg%%:*} nf=${cfg##*:}
  path=$BENCH/$file.json; [ "$file" = 100 ] && path=$BUILD/100.json
  for t in $thread_list; do
    echo "bench: trailwatch scan, $nf filters, $t threads"
    if run "$TMP/tw-$file-$t.json" "$TW" scan --config "$path" --threads "$t" --format json "$DATA"; then
      row trailwatch "$nf" "$t" "$SECS" "$BYTES" "$RSS"
      eval "TW_${file}_${t}=$SECS"
    else
      rc=$?
      msg=$(head -c 300 "$TMP/stderr" | head -2 | tr '\n' ' ')
      [ -n "$msg" ] || msg="exit status $rc"
      FAILED_TW="trailwatch scan failed ($msg)"
      row trailwatch "$nf" "$t" "" "$BYTES" "" "FAILED: $msg"
    fi
  done
done

echo "bench: simdjson peer"
run "$TMP/simdjson.txt" "$BUILD/simdjson_count" "$DATA" || die "simdjson peer failed: $(head -2 "$TMP/stderr")"
row "simdjson DOM (C++)" 15 1 "$SECS" "$BYTES" "$RSS"; SIMD=$SECS
echo "bench: cJSON peer"
run "$TMP/cjson.txt" "$BUILD/cjson_count" "$DATA" || die "cJSON peer failed: $(head -2 "$TMP/stderr")"
row "cJSON (C)" 15 1 "$SECS" "$BYTES" "$RSS"; CJSON=$SECS
echo "bench: jq on a 1/16 slice"
run "$TMP/jq.txt" jq -n -r "$jq_prog" "$SLICE" || die "jq failed: $(head -2 "$TMP/stderr")"
JQ=$(calc "$SECS * $BYTES / $SLICE_BYTES")
row "jq (1/16 slice, time scaled)" 15 1 "$JQ" "$BYTES" "$RSS" "measured $(fmt "$SECS" %.2f) s on $SLICE_BYTES bytes"
echo "bench: grep -c -F"
run "$TMP/grep.txt" env LC_ALL=C grep -c -F StopLogging "$DATA" || die "grep failed"
row "grep -c -F StopLogging" 1 1 "$SECS" "$BYTES" "$RSS" "a substring, not a JSON match"
echo "bench: newlines"
run "$TMP/nl.txt" "$BUILD/newlines" "$DATA" || die "newlines failed"
row "newlines (read+memchr)" 0 1 "$SECS" "$BYTES" "$RSS" "bandwidth floor"; NL=$SECS
"$BUILD/simdjson_count" "$SLICE" > "$TMP/simdjson-slice.txt" 2>/dev/null

# ---- 4. report --------------------------------------------------------------
REF=${TW_cis_1:-}
echo
echo "trailwatch benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $NPROC threads, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "software: $(uname -sr); $(gcc --version | head -1); simdjson $(dpkg-query -W -f='${Version}' libsimdjson-dev 2>/dev/null); cJSON $(dpkg-query -W -f='${Version}' libcjson-dev 2>/dev/null); $(jq --version)"
echo "trailwatch: $TW ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "input: $DATA"
echo "       $BYTES bytes ($(calc "$BYTES / 1048576" | xargs printf '%.0f') MiB), $EVENTS events, average $((BYTES / EVENTS)) bytes/event, seed $SEED; read from the page cache (warmed)"
[ -n "$gen_seconds" ] && echo "       generated by 'trailwatch sample' in $(fmt "$gen_seconds" %.1f) s ($(calc "$BYTES / $gen_seconds / 1e6" | xargs printf '%.0f') MB/s)"
echo "MB = 10^6 bytes; seconds = wall time, best of $REPEAT; peak RSS from /usr/bin/time %M;"
echo "ratio = seconds / trailwatch (15 CIS filters, 1 thread) seconds"
echo
printf '%-30s %7s %7s %9s %9s %12s %10s %8s  %s\n' tool filters threads seconds MB/s events/s "RSS MiB" ratio note
printf '%s\n' "-----------------------------------------------------------------------------------------------------------"
for r in "${ROWS[@]}"; do
  IFS='|' read -r tool nf t s b rss note <<< "$r"
  if [ -z "$s" ]; then
    printf '%-30s %7s %7s %9s %9s %12s %10s %8s  %s\n' "$tool" "$nf" "$t" - - - - - "$note"
    continue
  fi
  mbs=$(calc "$b / $s / 1e6"); eps=$(calc "$EVENTS / $s"); mib=$(calc "$rss / 1024")
  ratio=-; [ -n "$REF" ] && ratio=$(fmt "$(calc "$s / $REF")" %.2f)
  printf '%-30s %7s %7s %9.3f %9.0f %12.0f %10.1f %8s  %s\n' "$tool" "$nf" "$t" "$s" "$mbs" "$eps" "$mib" "$ratio" "$note"
done

# ---- 5. cross-checks ---------------------------------------------------------
echo
status=0
check() { # name file-a file-b
  if diff -q "$2" "$3" > /dev/null; then echo "OK        $1"; else
    echo "MISMATCH  $1"; diff "$2" "$3" | sed 's/^/          /'; status=1; fi
}
sort "$TMP/simdjson.txt" > "$TMP/a"; sort "$TMP/cjson.txt" > "$TMP/b"
check "cJSON peer counts = simdjson peer counts (15 CIS filters)" "$TMP/a" "$TMP/b"
sort "$TMP/simdjson-slice.txt" > "$TMP/c"; sort "$TMP/jq.txt" > "$TMP/d"
check "simdjson peer = jq predicates of tests/cli/cis_real_data.tsv (1/16 slice)" "$TMP/c" "$TMP/d"
if [ -n "$REF" ]; then
  jq -r '.filters[] | "\(.filterName) \(.matches)"' "$TMP/tw-cis-1.json" | sort > "$TMP/e"
  check "trailwatch counts = simdjson peer counts (15 CIS filters, 1 thread)" "$TMP/e" "$TMP/a"
  for t in $thread_list; do
    [ "$t" = 1 ] || [ ! -s "$TMP/tw-cis-$t.json" ] && continue
    jq -r '.filters[] | "\(.filterName) \(.matches)"' "$TMP/tw-cis-$t.json" | sort > "$TMP/f"
    check "trailwatch counts, $t threads = 1 thread" "$TMP/f" "$TMP/e"
  done
  got=$(jq -r '.summary.events' "$TMP/tw-cis-1.json")
  [ "$got" = "$EVENTS" ] && echo "OK        trailwatch summary.events = $EVENTS lines" ||
    { echo "MISMATCH  trailwatch summary.events $got, file has $EVENTS lines"; status=1; }
  echo
  echo "per-filter counts (trailwatch, CIS):"
  jq -r '.filters[] | "\(.filterName) \(.matches)"' "$TMP/tw-cis-1.json" |
    awk '{ printf "  %-10s %12s\n", $1, $2 }'
fi

# ---- 6. goals -------------------------------------------------------------------
echo
goal() { # description, awk condition, detail
  if awk "BEGIN { exit !($2) }"; then echo "PASS  $1  ($3)"; else echo "FAIL  $1  ($3)"; fi
}
if [ -n "$REF" ]; then
  goal "CIS, 1 thread >= 2x simdjson" "$SIMD / $REF >= 2" "$(fmt "$(calc "$SIMD / $REF")" %.2f)x"
  goal "CIS, 1 thread >= 50x jq" "$JQ / $REF >= 50" "$(fmt "$(calc "$JQ / $REF")" %.1f)x"
  goal "CIS, 1 thread within 3x of newlines" "$REF <= 3 * $NL" "$(fmt "$(calc "$REF / $NL")" %.2f)x the newline time"
  [ -n "${TW_100_1:-}" ] &&
    goal "100 filters <= 2x CIS time (1 thread)" "$TW_100_1 <= 2 * $REF" "$(fmt "$(calc "$TW_100_1 / $REF")" %.2f)x"
  maxrss=0
  for r in "${ROWS[@]}"; do
    IFS='|' read -r tool _ _ _ _ rss _ <<< "$r"
    [ "$tool" = trailwatch ] && [ -n "$rss" ] && [ "$rss" -gt "$maxrss" ] && maxrss=$rss
  done
  goal "trailwatch peak RSS < 64 MiB" "$maxrss < 65536" "$(fmt "$(calc "$maxrss / 1024")" %.1f) MiB"
  if [ -n "${TW_cis_2:-}" ]; then
    goal "CIS, 2 threads >= 1.8x 1 thread" "$REF / $TW_cis_2 >= 1.8" "$(fmt "$(calc "$REF / $TW_cis_2")" %.2f)x"
  else
    echo "SKIP  CIS, 2 threads >= 1.8x 1 thread  (fewer than 2 threads)"
  fi
  ratio_cjson=$(calc "$CJSON / $REF"); echo "info  cJSON takes $(fmt "$ratio_cjson" %.1f)x trailwatch's time"
else
  echo "goal checks skipped: $FAILED_TW"
fi

echo
echo "results written to bench/results/latest.txt"
if [ -n "$FAILED_TW" ] && [ -z "$REF" ]; then
  echo "bench: trailwatch rows missing — $FAILED_TW" >&2
  [ $status -ne 0 ] && exit 1
  exit 2
fi
exit $status
}

main "$@" 2>&1 | tee "$RESULTS/latest.txt"
exit "${PIPESTATUS[0]}"
