#!/usr/bin/env bash
# fuzz.sh — build and run the libFuzzer targets in fuzz/ (clang required).
#   fuzz.sh build          compile fuzz/fuzz_*.c into build-fuzz/
#   fuzz.sh run SECONDS    run each target for SECONDS on a copy of its seed
#                          corpus (fuzz/corpus/<name>/); a crash fails the run
#                          and leaves the reproducer in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build-fuzz
mode=${1:-build}

build() {
  mkdir -p "$OUT"
  mapfile -t lib < <(find src -name '*.c' -not -path 'src/cli/*' | sort)
  for f in fuzz/fuzz_*.c; do
    name=$(basename "$f" .c)
    echo "fuzz.sh: building $name" >&2
    clang -g -O1 -std=c17 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
      -fno-sanitize-recover=all -Iinclude -Isrc "$f" "${lib[@]}" \
      $(pkg-config --cflags --libs jansson libhs yaml-0.1 libdeflate zlib libmicrohttpd sqlite3 libcrypto libcurl) -lstdc++ -lm -lpthread -o "$OUT/$name"
  done
}

run() {
  local secs=$1 failed=0
  mkdir -p fuzz/artifacts
  for bin in "$OUT"/fuzz_*; do
    name=$(basename "$bin"); short=${name#fuzz_}
    work="$OUT/corpus-$short"
    rm -rf "$work"; mkdir -p "$work"
    [ -d "fuzz/corpus/$short" ] && cp -r "fuzz/corpus/$short/." "$work/"
    echo "fuzz.sh: running $name for ${secs}s" >&2
    if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=fuzz/artifacts/"$name"- -print_final_stats=1 "$work" \
        >"$OUT/$name.log" 2>&1; then
      echo "fuzz.sh: $name FAILED; see $OUT/$name.log and fuzz/artifacts/" >&2
      tail -40 "$OUT/$name.log" >&2
      failed=1
    else
      grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$OUT/$name.log" | tail -2 >&2 || true
    fi
  done
  return $failed
}

case "$mode" in
  build) build ;;
  run) run "${2:-60}" ;;
  *) echo "usage: fuzz.sh build | run SECONDS" >&2; exit 2 ;;
esac
