#!/usr/bin/env bash
# demo.sh TRAILWATCH — the README's first command (`make demo`).
# Writes a small synthetic CloudTrail archive in the S3 layout (two days,
# four regions, .json.gz, with five scripted incidents) and backtests the
# seed and CIS rule packs over it: every alarm that would have fired, when,
# why, and the events behind it.
set -euo pipefail
cd "$(dirname "$0")/.."
tw=${1:-build/trailwatch}
dir=${DEMO_DIR:-sample/archive}
if [ ! -d "$dir/AWSLogs" ]; then
  echo "== writing a sample CloudTrail archive to $dir"
  mkdir -p "$dir"
  "$tw" sample --archive "$dir" --days 2 --seed 1
fi
echo "== trailwatch scan --rules seed,cis $dir"
"$tw" scan --rules seed,cis --no-progress "$dir"
