#!/usr/bin/env bash
# The whole test suite: type check, lint, build (process-level tests start the
# built server), unit specs, then end-to-end specs against MariaDB and SQLite.
# `npm test` runs this; `.ci/run` runs `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
if [ "$what" = "all" ]; then
  npx tsc -p tsconfig.json --noEmit
  npx eslint . --max-warnings 0
fi
npm run --silent build
# The guard library alone, as it is packed (test/auth-guard-pack rebuilds it on `npm pack`).
npm run --silent build:auth-guard
if [ "$what" = "all" ]; then
  npx jest --selectProjects unit
fi
# --forceExit: a server a failed spec left open must not hang CI; failures still fail the run.
npx jest --selectProjects e2e --maxWorkers=2 --forceExit
