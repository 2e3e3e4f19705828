#!/usr/bin/env bash
# demo.sh TRAILWATCH — the README's first command (`make demo`).
# Until the archive scanner lands, the demo runs the two founding alerts'
# filter patterns over the bundled sample events with `test-pattern`.
set -euo pipefail
cd "$(dirname "$0")/.."
tw=${1:-build/trailwatch}
events=examples/events.ndjson

run() {
  echo "== $1"
  echo "   pattern: $2"
  "$tw" test-pattern "$2" < "$events" || true
  echo
}
run "Privileged role switch (seed alert 1)" '{ $.eventName = "SwitchRole" }'
run "Service-linked role denied (seed alert 2)" \
  '{ $.eventName = Get* && $.errorCode = AccessDenied && $.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::*:role/aws-service-role/*" }'
echo "== The TestMetricFilter response shape (--json), as the AWS API returns it:"
"$tw" test-pattern --json '{ $.eventName = "SwitchRole" }' < "$events" | head -c 400; echo
