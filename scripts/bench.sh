#!/usr/bin/env bash
# npm run bench: starts the test environment (as npm test does), runs the
# benchmarks, stops it again unless PL_KEEP_TEST_ENV=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-env.sh up
[ "${PL_KEEP_TEST_ENV:-}" = 1 ] || trap 'bash scripts/test-env.sh down' EXIT
eval "$(bash scripts/test-env.sh env)"
# A master key for the run (the audit chain is keyed with it), as the tests have one.
export PANEL_SECRET_KEY=${PANEL_SECRET_KEY:-test:$(head -c 32 /dev/urandom | base64)}
npm run db:generate >/dev/null
[ -f .next/BUILD_ID ] || npm run build
node --import tsx scripts/bench.ts
node --import tsx scripts/bench-backup.ts
node --import tsx scripts/bench-restic.ts
node --import tsx scripts/bench-verify.ts
node --import tsx scripts/bench-upgrade.ts
