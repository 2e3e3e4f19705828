#!/usr/bin/env bash
# archive.sh — [scan] benchmark: backtest the seed + CIS packs over a
# gzipped S3-layout CloudTrail archive on 1 and all threads, against `zcat`
# of the same objects (the issue's goal: 1 thread >= 3x zcat, all threads
# >= 1.8x one). Usage: bench/archive.sh [TRAILWATCH]  (EVENTS_PER_DAY, default 250000)
set -euo pipefail
cd "$(dirname "$0")/.."
tw=${1:-build/trailwatch}
dir=bench/data/archive-${EVENTS_PER_DAY:-250000}
[ -d "$dir/AWSLogs" ] || { mkdir -p "$dir"; "$tw" sample --archive "$dir" --days 2 --events-per-day "${EVENTS_PER_DAY:-250000}"; }
find "$dir" -path '*/CloudTrail/*' -name '*.json.gz' | sort > "$dir.list"
xargs cat < "$dir.list" > /dev/null   # page cache
t_zcat=$( { /usr/bin/time -f %e sh -c "xargs zcat < '$dir.list' > /dev/null"; } 2>&1 | tail -1)
t1=$( { /usr/bin/time -f %e "$tw" scan --rules seed,cis --threads 1 --format json --no-progress "$dir" > /dev/null; } 2>&1 | tail -1)
tn=$( { /usr/bin/time -f %e "$tw" scan --rules seed,cis --format json --no-progress "$dir" > /dev/null; } 2>&1 | tail -1)
echo "archive: $(du -sh "$dir" | cut -f1) gzip, $(wc -l < "$dir.list") objects"
echo "zcat:                 $t_zcat s"
echo "scan, 1 thread:       $t1 s  ($(echo "$t_zcat / $t1" | bc -l | cut -c1-4)x zcat; goal 3x)"
echo "scan, $(nproc) threads:      $tn s  ($(echo "$t1 / $tn" | bc -l | cut -c1-4)x one thread; goal 1.8x)"
