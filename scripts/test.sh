#!/usr/bin/env bash
# The whole test suite: type-check and build, then unit, in-process HTTP,
# persistence-contract and interop tests (real PostgreSQL, PyIceberg, the
# Iceberg Java REST compatibility kit, iceberg-js), which start and stop their
# peers themselves. Prints a closing "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
export LAKEGATE_CACHE="${LAKEGATE_CACHE:-$HOME/.cache/lakegate}"
mkdir -p "$LAKEGATE_CACHE"

npx tsc -b packages/cli packages/client packages/client/tsconfig.cjs.json packages/sigv4
# The web console (served at /ui): type-checked, built by Vite, its first load measured against the budget.
npx tsc -p packages/console
node packages/console/scripts/build.mjs

# LAKEGATE_TEST_REPORT: where to keep Vitest's JSON report (.ci/run sums several runs); default a temporary file.
report="${LAKEGATE_TEST_REPORT:-$(mktemp -d)/vitest.json}"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node scripts/summarize-vitest.mjs "$report" || status=1
exit "$status"
