#!/usr/bin/env bash
# The whole test suite: tools, build, lint, strict type-check, tests. Prints "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-tools.sh
export PATH="$PATH:$(go env GOPATH 2>/dev/null)/bin"

npm run --silent build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
npx biome check . || { echo "lint failed (npx biome check --write . fixes most)"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p .cache
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json "$@"
status=$?
node scripts/count-tests.mjs .cache/vitest.json || status=1
exit $status
