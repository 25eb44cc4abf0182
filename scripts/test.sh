#!/usr/bin/env bash
# The whole test suite (`npm test`, the README's test command, also run by CI):
# lint, types, unit and integration tests against a fresh PostgreSQL database,
# a production build, and end-to-end tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

# Each phase says when it starts (seconds since the suite began), and how busy the machine's CPUs were during the
# phase before (from /proc/stat): where the time goes, and whether a phase waits or computes, at a glance.
cpu_ticks() { awk '/^cpu /{ print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat; }
read -r busy0 total0 < <(cpu_ticks)
phase_start=-1
phase_cpu() {
  local busy total
  read -r busy total < <(cpu_ticks)
  if [ "$phase_start" -ge 0 ] && [ "$total" -gt "$total0" ]; then
    printf '(that phase: %d s, CPUs %d %% busy)\n' "$((SECONDS - phase_start))" "$(((busy - busy0) * 100 / (total - total0)))"
  fi
  busy0=$busy total0=$total phase_start=$SECONDS
}
step() {
  phase_cpu
  printf '\n\033[1m== %s ==\033[0m (at %d s)\n' "$1" "$SECONDS"
}

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

phase_cpu
node scripts/test-summary.mjs
echo "The whole suite took $((SECONDS / 60)) min $((SECONDS % 60)) s."
