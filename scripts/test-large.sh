#!/usr/bin/env bash
# npm run test:large: the round trips too big for the default suite (a restore
# point of more than 1 GiB of uploads, backed up, verified and restored byte for
# byte). Starts the test environment as npm test does, stops it at the end
# unless PL_KEEP_TEST_ENV=1. LARGE_UPLOADS_MIB sets the size (default 1100).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-env.sh up
[ "${PL_KEEP_TEST_ENV:-}" = 1 ] || trap 'bash scripts/test-env.sh down' EXIT
eval "$(bash scripts/test-env.sh env)"
npm run --silent db:generate
mkdir -p test-results
PL_LARGE_TESTS=1 npx vitest run --project large "$@" --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
# Vitest's own exit code cannot be trusted here (see test-summary.mjs): the results file decides.
node scripts/test-summary.mjs --vitest
