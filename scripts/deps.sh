#!/usr/bin/env bash
# deps.sh — install the Debian packages trailwatch needs to build, test and fuzz.
# Idempotent and non-interactive: packages already present are left alone, and
# nothing is touched when everything is installed. Called by every make target.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config   # toolchain
  clang libclang-rt-14-dev           # libFuzzer + sanitizer runtimes (make fuzz)
  libjansson-dev                     # JSON for configs, test data and output (not the hot path)
  libpcre2-dev                       # test-only oracle for our regex engine
  zlib1g-dev libdeflate-dev          # gzip inputs
  libyaml-dev                        # YAML configuration
  libvectorscan-dev                  # multi-literal prefilter (src/engine/)
  libmicrohttpd-dev libsqlite3-dev libssl-dev  # trailwatch serve: HTTP, state, SigV4
  libcurl4-openssl-dev               # webhook notifications (src/notify/)
  valgrind jq                        # make valgrind; benchmarks
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "deps.sh: not root and no sudo; please install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
