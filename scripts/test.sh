#!/usr/bin/env bash
# The whole test suite: tools, build (strict type-check), lint, tests. Prints "N passed, N failed,
# N skipped" last (scripts/count-tests.mjs). Arguments go to vitest (a partial run then skips the
# check that every required suite ran). Each phase's duration (ms) goes to .cache/test-phases.tsv.
set -uo pipefail
cd "$(dirname "$0")/.."

mkdir -p .cache
phases=.cache/test-phases.tsv
: >"$phases"
# phase NAME COMMAND...: runs the command, records how long it took (milliseconds).
phase() {
  local name=$1 start status
  shift
  start=$(date +%s%N)
  "$@"
  status=$?
  printf '%s\t%s\n' "$name" $((($(date +%s%N) - start) / 1000000)) >>"$phases"
  return $status
}
stop() {
  echo "$1"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
}

phase "tools (ensure-tools)" bash scripts/ensure-tools.sh || stop "the Go toolchains the tests need are not available (see above)"
export PATH="$PATH:$(go env GOPATH 2>/dev/null)/bin"

phase "build: tsc (strict type-check, emit)" npx tsc -p tsconfig.json || stop "build failed: type errors"
phase "build: UI (vite)" npm run --silent build:ui || stop "build failed: the web UI"
phase "lint (biome)" npx biome check . || stop "lint failed (npx biome check --write . fixes most)"

full=()
[ $# -eq 0 ] && full=(--full)
phase "vitest" npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json "$@"
status=$?
node scripts/count-tests.mjs .cache/vitest.json "${full[@]}" || status=1
exit $status
