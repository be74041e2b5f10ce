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
# The tests themselves (test/, bench/, the packages' *.test.ts; Vitest strips types without checking them), against the sources.
npx tsc -p tsconfig.tests.json
# The web console (served at /ui): type-checked, built by Vite, its first load measured against the budget.
npx tsc -p packages/console
node packages/console/scripts/build.mjs

# LAKEGATE_TEST_REPORTS: a directory where to keep Vitest's JSON reports (.ci/run sums several runs); default a temporary one.
reports="${LAKEGATE_TEST_REPORTS:-$(mktemp -d)}"
mkdir -p "$reports"
status=0
if [[ $# -gt 0 ]]; then
  # Arguments (files, --project, -t ...): one Vitest run over exactly those, as `npx vitest run` would.
  npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest.json" "$@" || status=$?
  node scripts/summarize-vitest.mjs "$reports/vitest.json" || status=1
  exit "$status"
fi

# 0. The code's formatting (Prettier, .prettierrc.json): checked, never changed here (`npm run format` changes it). A
# file out of format fails the suite, after every test has run.
npx prettier --check --log-level warn . || { echo "scripts/test.sh: files not formatted as Prettier would (npm run format)" >&2; status=1; }

# 1. The unit project (in-process HTTP, persistence contracts, SDK, CLI, structure), alone on the machine: one worker
# per core (Vitest's default leaves one core idle, which on a 2-core CI machine is half of it; its files share no port
# nor directory, and .ci/run already runs two unit projects at once, one per core).
npx vitest run --project unit --maxWorkers="$(node -p 'require("node:os").availableParallelism()')" --reporter=default --reporter=json --outputFile.json="$reports/unit.json" || status=1

# 2. The interop project in two lanes at once (scripts/interop-lanes.mjs: files that start a JVM peer, and the rest),
# each its own Vitest process running its files one at a time, its output prefixed with its lane's name. Each
# process shares its own heavy peers between its files (global setup), and no heavy peer is needed by both lanes.
lane() { # NAME: runs that lane's files
  local name="$1" files
  mapfile -t files < <(node scripts/interop-lanes.mjs "$name")
  # An empty list would make Vitest run every interop file.
  if [[ ${#files[@]} -eq 0 ]]; then echo "scripts/test.sh: no interop file in lane $name" >&2; return 1; fi
  npx vitest run --project interop --reporter=default --reporter=json --outputFile.json="$reports/interop-$name.json" \
    "${files[@]}" 2>&1 | sed -u "s/^/[$name] /"
  return "${PIPESTATUS[0]}"
}
# LAKEGATE_PEERS_READY (.ci/run): a file the peers' prefetch writes once done; the lanes start after it, so no interop
# file waits inside its own setup (hook time limits) for a peer still being built.
if [[ -n "${LAKEGATE_PEERS_READY:-}" ]]; then
  waited=$SECONDS
  until [[ -e "$LAKEGATE_PEERS_READY" ]]; do sleep 5; done
  echo "scripts/test.sh: the peers' prefetch was done $((SECONDS - waited)) s after the unit project" >&2
fi
lane jvm & jvm=$!
lane light & light=$!
wait "$jvm" || status=1
wait "$light" || status=1

node scripts/summarize-vitest.mjs "$reports/unit.json" "$reports/interop-jvm.json" "$reports/interop-light.json" || status=1
exit "$status"
