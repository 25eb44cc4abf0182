#!/usr/bin/env bash
# The whole test suite (`npm test`, the README's test command, also run by CI):
# lint, types, unit and integration tests against a fresh PostgreSQL database,
# a production build, and end-to-end tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

# Each phase says when it starts (seconds since the suite began): where the time goes, at a glance.
step() { printf '\n\033[1m== %s ==\033[0m (at %d s)\n' "$1" "$SECONDS"; }

rm -rf test-results
mkdir -p test-results

step "Test environment (packages, PostgreSQL, private Docker engine, registry, fixture images)"
bash scripts/test-env.sh up
# Stop the private engine and the registry at the end unless asked to keep them.
if [ -z "${PL_KEEP_TEST_ENV:-}" ]; then trap 'bash scripts/test-env.sh down' EXIT; fi
eval "$(bash scripts/test-env.sh env)"

step "Prisma client"
npm run --silent db:generate

step "Lint and formatting"
npm run --silent lint

step "Type check"
npm run --silent typecheck

step "Unit and integration tests (Vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
node scripts/test-summary.mjs --vitest

step "Production build"
npm run --silent build

step "End-to-end tests (Playwright, Debian Chromium)"
npx playwright test

node scripts/test-summary.mjs
echo "The whole suite took $((SECONDS / 60)) min $((SECONDS % 60)) s."
