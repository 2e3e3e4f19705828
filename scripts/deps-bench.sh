#!/usr/bin/env bash
# deps-bench.sh — install the extra Debian packages `make bench` needs to build
# and run the benchmark peers in bench/peers/ (simdjson, cJSON, GNU time, jq).
# Idempotent and non-interactive like scripts/deps.sh: packages already present
# are left alone, and nothing is touched when everything is installed.
set -euo pipefail

PKGS=(
  g++ libsimdjson-dev   # bench/peers/simdjson_count.cpp
  libcjson-dev          # bench/peers/cjson_count.c
  time                  # /usr/bin/time -f '%e %M' for seconds and peak RSS
  jq                    # the jq peer
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps-bench.sh: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "deps-bench.sh: not root and no sudo; please install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
