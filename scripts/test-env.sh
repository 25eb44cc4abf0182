#!/usr/bin/env bash
# Test environment: installs and starts what the test suite needs, so that
# `npm test` works on a fresh Debian machine. Idempotent: a second `up`
# reuses what is already there.
#
#   scripts/test-env.sh up      install missing packages, make PostgreSQL answer
#   scripts/test-env.sh status  say what is there
#   scripts/test-env.sh down    stop what `up` started (nothing yet: the machine's
#                               PostgreSQL is left as it was found)
set -euo pipefail

DEBIAN_PACKAGES=(chromium)
say() { printf '[test-env] %s\n' "$*"; }

missing_packages() {
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

install_packages() {
  local missing
  missing=$(missing_packages)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    say "Missing Debian packages: $missing. Install them as root (apt-get install -y $missing) and run again."
    exit 1
  fi
  say "Installing Debian packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

pg_answers() {
  node -e '
    const net = require("net");
    const s = net.connect({ host: "127.0.0.1", port: 5432, timeout: 2000 });
    s.on("connect", () => { s.end(); process.exit(0); });
    s.on("error", () => process.exit(1));
    s.on("timeout", () => process.exit(1));'
}

ensure_postgres() {
  if pg_answers; then return 0; fi
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    say "Starting the machine's PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  if pg_answers; then return 0; fi
  say "No PostgreSQL on 127.0.0.1:5432: the tests will run an embedded one."
}

case "${1:-up}" in
  up)
    install_packages
    ensure_postgres
    say "ready"
    ;;
  status)
    missing=$(missing_packages)
    say "Debian packages: ${missing:+missing $missing}${missing:-all present}"
    if pg_answers; then say "PostgreSQL: answering on 127.0.0.1:5432"; else say "PostgreSQL: not answering (embedded fallback)"; fi
    ;;
  down)
    say "nothing to stop"
    ;;
  *)
    echo "usage: $0 up|status|down" >&2
    exit 2
    ;;
esac
