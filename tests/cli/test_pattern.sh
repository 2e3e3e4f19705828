#!/usr/bin/env bash
# CLI tests for `trailwatch test-pattern` and `trailwatch lint`: exit codes,
# the exact TestMetricFilter --json shape, stdin mode and error carets.
# Usage: test_pattern.sh /path/to/trailwatch
set -u
TW=${1:?usage: test_pattern.sh TRAILWATCH}
pass=0 fail=0

check() { # name expected-exit expected-stdout-substring -- command...
  local name=$1 want_rc=$2 want_out=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    echo "FAIL $name: exit $rc, want $want_rc"; echo "$out" | head -5; fail=$((fail+1)); return
  fi
  if [ -n "$want_out" ] && ! grep -qF -- "$want_out" <<<"$out"; then
    echo "FAIL $name: output lacks: $want_out"; echo "$out" | head -5; fail=$((fail+1)); return
  fi
  pass=$((pass+1))
}

check_exact() { # name expected-stdout -- command... (stdout only, exact)
  local name=$1 want=$2; shift 3
  local out; out=$("$@" 2>/dev/null)
  if [ "$out" != "$want" ]; then
    echo "FAIL $name"; echo " want: $want"; echo " got:  $out"; fail=$((fail+1)); return
  fi
  pass=$((pass+1))
}

# exit status like grep
check match-exit0 0 "MATCH" -- "$TW" test-pattern ERROR "[ERROR 400] BAD REQUEST"
check nomatch-exit1 1 "0 of 1 message matched" -- "$TW" test-pattern ERROR "[INFO] fine"
check invalid-exit2 2 "column 7: '==' is not an operator" -- "$TW" test-pattern '{ $.a == 1 }' x
check_exact caret "$(printf '  { $.a == 1 }\n        ^')" -- bash -c "'$TW' test-pattern '{ \$.a == 1 }' x 2>&1 | tail -2"
check missing-pattern 2 "missing PATTERN" -- "$TW" test-pattern
check unknown-option 2 "unknown option" -- "$TW" test-pattern --bogus x
check help 0 "usage: trailwatch test-pattern" -- "$TW" test-pattern --help
check top-help 0 "commands:" -- "$TW" --help
check unknown-command 2 "unknown command" -- "$TW" frobnicate

# --json: exactly the TestMetricFilter response, 1-based eventNumber (D7)
check_exact json-terms '{"matches":[{"eventNumber":2,"eventMessage":"[ERROR] x","extractedValues":{}}]}' -- \
  "$TW" test-pattern --json ERROR "[INFO] y" "[ERROR] x"
check_exact json-none '{"matches":[]}' -- "$TW" test-pattern --json ERROR "nothing"
check_exact json-delimited \
  '{"matches":[{"eventNumber":1,"eventMessage":"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] \"GET /a HTTP/1.0\" 404 1534","extractedValues":{"$1":"127.0.0.1","$2":"-","$3":"frank","$4":"10/Oct/2000:13:25:15 -0700","$5":"GET /a HTTP/1.0","$status_code":"404","$size":"1534"}}]}' -- \
  "$TW" test-pattern --json '[..., status_code=4*, size]' '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 1534'
check_exact json-selectors \
  '{"matches":[{"eventNumber":1,"eventMessage":"{\"eventName\":\"SwitchRole\",\"n\":5}","extractedValues":{"$.eventName":"SwitchRole","$.n":"5"}}]}' -- \
  "$TW" test-pattern --json '{ $.eventName = "SwitchRole" && $.n > 1 }' '{"eventName":"SwitchRole","n":5}'

# messages from stdin, one per line (CRLF tolerated)
check_exact stdin-json '{"matches":[{"eventNumber":1,"eventMessage":"WARN a","extractedValues":{}},{"eventNumber":3,"eventMessage":"ERROR c","extractedValues":{}}]}' -- \
  bash -c "printf 'WARN a\r\nINFO b\nERROR c\n' | '$TW' test-pattern --json '?ERROR ?WARN'"

# limits: over 1024 characters is rejected unless --no-aws-limits
long="{ \$.a = \"$(printf 'x%.0s' $(seq 1 1100))\" }"
check limit-len 2 "at most 1024" -- "$TW" test-pattern "$long" x
check limit-off 1 "" -- "$TW" test-pattern --no-aws-limits "$long" x

# lint
check lint-ok 0 "ok: { \$.a = 1 }" -- "$TW" lint '{ $.a = 1 }'
check lint-error 2 "error: invalid filter pattern, column 10: IS NOT is not supported" -- "$TW" lint '{ $.a IS NOT NULL }'
check lint-warn-d2 0 "'?' terms mixed with other terms are ignored" -- "$TW" lint '?ERROR WARN'
check lint-werror 1 "warning" -- "$TW" lint --werror '?ERROR WARN'
check lint-cis14 0 "CIS 1.4 erratum" -- "$TW" lint '{ ($.errorCode = "AccessDenied*") || ($.eventName!="HeadBucket") }'
check lint-stdin 2 "error" -- bash -c "printf '{ \$.a = 1 }\n{ \$.a = }\n' | '$TW' lint -"
check lint-help 0 "usage: trailwatch lint" -- "$TW" lint --help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
