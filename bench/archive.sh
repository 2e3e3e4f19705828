#!/usr/bin/env bash
# archive.sh — [scan] benchmark: backtest the seed + CIS packs over a
# gzipped S3-layout CloudTrail archive on 1 and all threads, against `zcat`
# of the same objects (the issue's goal: 1 thread >= 3x zcat, all threads
# >= 1.8x one).
#
# Usage: bench/archive.sh [TRAILWATCH]   (default build/trailwatch: what `make`
#   builds, with profile-guided optimisation; `PGO=0 make` for a plain build)
#   EVENTS_PER_DAY  archive size (default 250000 a day, 2 days)
#   ROUNDS          rounds; each figure is the best of them (default 3)
#   ARCHIVE_TMPFS   1 (default): measure on a copy in /dev/shm; 0: in place
#
# The three commands run in turn within each round, so a slower or faster
# spell of a shared machine affects all of them alike. Why tmpfs: on VMs
# whose memory balloon reclaims the page cache within seconds, reading the
# archive "from cache" would in fact go to disk for an unknown share of the
# objects, differently for each command; on tmpfs both tools read memory.
set -euo pipefail
cd "$(dirname "$0")/.."
tw=${1:-build/trailwatch}
rounds=${ROUNDS:-3}
src=bench/data/archive-${EVENTS_PER_DAY:-250000}
[ -d "$src/AWSLogs" ] || { mkdir -p "$src"; "$tw" sample --archive "$src" --days 2 --events-per-day "${EVENTS_PER_DAY:-250000}"; }

dir=$src
list=$(mktemp)
cleanup() { rm -f "$list"; if [ "$dir" != "$src" ]; then rm -rf "$dir"; fi; }
trap cleanup EXIT
if [ "${ARCHIVE_TMPFS:-1}" = 1 ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  dir=$(mktemp -d /dev/shm/tw-archive.XXXXXX)
  cp -r "$src/AWSLogs" "$dir/"
fi
find "$dir" -path '*/CloudTrail/*' -name '*.json.gz' | sort > "$list"
xargs cat < "$list" > /dev/null   # page cache (when not on tmpfs)

secs() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
best() { echo "$1 $2" | awk '{print ($1 < $2) ? $1 : $2}'; }
t_zcat=999 t1=999 tn=999
for _ in $(seq "$rounds"); do
  t_zcat=$(best "$t_zcat" "$(secs sh -c "xargs zcat < '$list'")")
  t1=$(best "$t1" "$(secs "$tw" scan --rules seed,cis --threads 1 --format json --no-progress "$dir")")
  tn=$(best "$tn" "$(secs "$tw" scan --rules seed,cis --format json --no-progress "$dir")")
done
echo "archive: $(du -sh "$src" | cut -f1) gzip, $(wc -l < "$list") objects$([ "$dir" != "$src" ] && echo ', on tmpfs'); best of $rounds rounds"
echo "zcat:                 $t_zcat s"
echo "scan, 1 thread:       $t1 s  ($(echo "$t_zcat / $t1" | bc -l | cut -c1-4)x zcat; goal 3x)"
echo "scan, $(nproc) threads:      $tn s  ($(echo "$t1 / $tn" | bc -l | cut -c1-4)x one thread; goal 1.8x)"
