#!/usr/bin/env bash
# pgo.sh BUILD JOBS — the release build behind `make`: profile-guided
# optimisation with GCC. It builds an instrumented trailwatch in BUILD-pgo,
# runs it over data of its own (a one-day sample archive and an NDJSON
# sample, written by `trailwatch sample` with seeds other than the demo's
# and the benchmarks'), and compiles BUILD with the profiles. Branch layout
# and inlining then follow the real hot path (gzip objects -> JSON reader ->
# filters); docs/performance.md has the figures.
#
# The training runs again only when a source file is newer than the last
# one. With another compiler than GCC, or PGO=0 in the environment, it is
# a plain release build.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${2:-$(nproc 2>/dev/null || echo 2)}
gen=$build-pgo
prof=$PWD/$gen/profile
stamp=$prof/.trained

plain() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DTW_PGO= >/dev/null
  cmake --build "$build" -j "$jobs"
}
if [ "${PGO:-1}" = 0 ]; then
  plain
  exit 0
fi
if ! "${CC:-cc}" --version 2>/dev/null | grep -q 'Free Software Foundation'; then
  echo "pgo.sh: ${CC:-cc} is not GCC; building without profile-guided optimisation" >&2
  plain
  exit 0
fi

if [ ! -f "$stamp" ] ||
   [ -n "$(find src include rules CMakeLists.txt scripts/pgo.sh -newer "$stamp" -print -quit)" ]; then
  echo "== pgo: instrumented build ($gen)"
  cmake -S . -B "$gen" -DCMAKE_BUILD_TYPE=Release -DTW_PGO=generate -DTW_PGO_DIR="$prof" >/dev/null
  cmake --build "$gen" -j "$jobs" --target trailwatch
  rm -rf "$prof"
  mkdir -p "$prof"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tw=$gen/trailwatch
  echo "== pgo: training run"
  "$tw" sample --archive "$work/archive" --days 1 --events-per-day 40000 --seed 101 >/dev/null
  "$tw" sample --events 20000 --seed 102 --out "$work/events.ndjson"
  "$tw" scan --rules seed,cis --threads 1 --format json --no-progress "$work/archive" >/dev/null
  "$tw" scan --rules seed,cis --threads 1 --no-progress "$work/events.ndjson" >/dev/null
  touch "$stamp"
fi
echo "== pgo: optimised build ($build)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DTW_PGO=use -DTW_PGO_DIR="$prof" >/dev/null
cmake --build "$build" -j "$jobs"
