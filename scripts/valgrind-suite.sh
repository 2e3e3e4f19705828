#!/usr/bin/env bash
# valgrind-suite.sh BUILD_DIR — run every unit test program and the
# conformance runner of a (non-sanitizer) build under valgrind memcheck;
# any memory error or leak fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-vg}
status=0
for t in "$dir"/test_* "$dir"/run_conformance; do
  [ -x "$t" ] || continue
  args=()
  [ "$(basename "$t")" = run_conformance ] && args=(tests/conformance)
  if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
       "$t" "${args[@]}" >/tmp/tw-vg.$$.log 2>&1; then
    echo "valgrind ok:   $(basename "$t") ($(tail -1 /tmp/tw-vg.$$.log))"
  else
    echo "valgrind FAIL: $(basename "$t")"; tail -40 /tmp/tw-vg.$$.log; status=1
  fi
done
rm -f /tmp/tw-vg.$$.log
exit $status
