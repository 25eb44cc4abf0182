#!/usr/bin/env bash
# The README's start command, as a new admin runs it: in a brand-new clone (under
# /root when run as root, where the embedded PostgreSQL must still work), nothing
# configured. Passes when /api/health answers 200; then stops the panel and
# removes the clone and its embedded cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
source_repo=$PWD
if [ "$(id -u)" = 0 ]; then base=/root; else base=${TMPDIR:-/tmp}; fi
clone=$(mktemp -d "$base/paillasse-start-check.XXXXXX")
port=${START_CHECK_PORT:-3999}
log=${START_CHECK_LOG:-$source_repo/test-results/start-check.log}
mkdir -p "$(dirname "$log")"
git clone -q "$source_repo" "$clone/paillasse"
started=$(date +%s)
command=$(sed -n 's/^npm install && npm start .*/npm install \&\& npm start/p' README.md | head -1)
if [ "$command" != "npm install && npm start" ]; then
  echo "[start-check] The README no longer says 'npm install && npm start': update this check." >&2
  exit 1
fi
(
  cd "$clone/paillasse"
  export PANEL_PORT=$port EMBEDDED_PG_PORT=${START_CHECK_PG_PORT:-55999} NEXT_TELEMETRY_DISABLED=1
  unset DATABASE_URL
  exec setsid bash -c "$command"
) > "$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -rf "$clone"
  # This clone's own cluster only (named after its data directory), when it lives outside the clone.
  rm -rf "/var/lib/paillasse/postgres/data-$(printf '%s' "$clone/paillasse/data" | sha256sum | cut -c1-8)"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
for _ in $(seq 900); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "[start-check] npm start ended before answering; its output:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health" || true)
  if [ "$code" = 200 ]; then
    echo "[start-check] '$command' in a fresh clone under $base: /api/health 200 after $(($(date +%s) - started)) s."
    exit 0
  fi
  sleep 1
done
echo "[start-check] /api/health did not answer 200 within 15 minutes; output:" >&2
tail -40 "$log" >&2
exit 1
