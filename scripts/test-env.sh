#!/usr/bin/env bash
# The real test environment, so that `npm test` works on a fresh Debian machine:
#
#   scripts/test-env.sh up       install missing Debian packages; make PostgreSQL
#                                answer; start a private Docker engine and a loopback
#                                registry; build and push the fixture images
#   scripts/test-env.sh status   say what is running
#   scripts/test-env.sh down     stop the engine and the registry (by pid file),
#                                remove the test bridge
#   scripts/test-env.sh env      print the variables the tests read (sourceable)
#
# Idempotent: a second `up` reuses what is running, the root filesystem of the
# fixture images is cached under PL_CACHE_DIR, and the registry keeps its
# storage there too. It never touches the machine's own Docker socket: the
# engine has its own socket, data root, exec root, pid file and bridge, and
# --iptables=false so it cannot disturb another engine's rules. Its pulls go
# to the loopback registry (--registry-mirror); a tag the registry lacks falls
# back to Docker Hub through a dead proxy on loopback, and fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."

PL_TEST_DIR=${PL_TEST_DIR:-/tmp/pl-test}
PL_CACHE_DIR=${PL_CACHE_DIR:-/var/cache/paillasse-test}
REGISTRY_ADDR=${PL_REGISTRY_ADDR:-127.0.0.1:5555}
BRIDGE=${PL_BRIDGE:-pltest0}
BRIDGE_CIDR=${PL_BRIDGE_CIDR:-172.31.254.1/24}
SOCKET="$PL_TEST_DIR/docker.sock"
DEBIAN_PACKAGES=(chromium docker.io docker-registry debootstrap busybox-static age)

say() { printf '[test-env] %s\n' "$*" >&2; }
docker_() { docker -H "unix://$SOCKET" "$@"; }

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
    const s = require("net").connect({ host: "127.0.0.1", port: 5432, timeout: 2000 });
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
  pg_answers || say "No PostgreSQL on 127.0.0.1:5432: the tests will run an embedded one."
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # description, attempts (0.5 s each), command...
  local what=$1 n=$2
  shift 2
  for _ in $(seq "$n"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  say "$what did not come up; see the logs in $PL_TEST_DIR"
  return 1
}

start_registry() {
  if pid_alive "$PL_TEST_DIR/registry.pid"; then return 0; fi
  mkdir -p "$PL_CACHE_DIR/registry"
  cat >"$PL_TEST_DIR/registry.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $PL_CACHE_DIR/registry }
  delete: { enabled: true }
http: { addr: $REGISTRY_ADDR }
EOF
  say "Starting the loopback registry on $REGISTRY_ADDR"
  setsid docker-registry serve "$PL_TEST_DIR/registry.yml" >"$PL_TEST_DIR/registry.log" 2>&1 </dev/null &
  echo $! >"$PL_TEST_DIR/registry.pid"
  wait_for "The registry" 40 curl -fsS "http://$REGISTRY_ADDR/v2/"
}

start_bridge() {
  ip link show "$BRIDGE" >/dev/null 2>&1 && return 0
  ip link add "$BRIDGE" type bridge
  ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

start_docker() {
  if pid_alive "$PL_TEST_DIR/docker.pid" && docker_ version >/dev/null 2>&1; then
    prune_leftovers
    return 0
  fi
  start_bridge
  say "Starting a private Docker engine on $SOCKET"
  # The dead proxy keeps Docker Hub fallbacks on loopback: they fail at once.
  setsid env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost \
    dockerd --host "unix://$SOCKET" --data-root "$PL_TEST_DIR/docker" --exec-root "$PL_TEST_DIR/exec" \
    --pidfile "$PL_TEST_DIR/docker.pid" --registry-mirror "http://$REGISTRY_ADDR" \
    --bridge "$BRIDGE" --iptables=false --ip-masq=false --storage-driver overlay2 \
    --default-address-pool base=10.213.0.0/16,size=24 \
    >"$PL_TEST_DIR/dockerd.log" 2>&1 </dev/null &
  wait_for "The Docker engine" 120 docker_ version
  prune_leftovers
}

# Networks and volumes that tests left behind (a run cut short, a kept
# environment): the engine's address pools are finite, so they go at every
# start and stop. Only what no container uses is removed.
prune_leftovers() {
  docker_ network prune -f >/dev/null 2>&1 || true
  docker_ volume prune -f >/dev/null 2>&1 || true
}

build_fixtures() {
  local tarball base key
  tarball=$(bash scripts/fixture-rootfs.sh)
  key=$(basename "$tarball" .tar | sed 's/^rootfs-//')
  base="paillasse-fixture/rootfs:$key"
  if ! docker_ image inspect "$base" >/dev/null 2>&1; then
    say "Importing the fixture root filesystem"
    docker_ import "$tarball" "$base" >/dev/null
  fi
  REGISTRY_ADDR=$REGISTRY_ADDR DOCKER_HOST="unix://$SOCKET" bash e2e/fixtures/images/build.sh "$base"
}

print_env() {
  echo "export PL_TEST_DOCKER_SOCKET=$SOCKET"
  echo "export PL_TEST_REGISTRY=http://$REGISTRY_ADDR"
  echo "export PL_TEST_DIR=$PL_TEST_DIR"
}

case "${1:-up}" in
  up)
    mkdir -p "$PL_TEST_DIR"
    install_packages
    ensure_postgres
    start_registry
    start_docker
    build_fixtures
    say "ready: engine unix://$SOCKET, registry http://$REGISTRY_ADDR"
    ;;
  env)
    print_env
    ;;
  status)
    missing=$(missing_packages)
    say "Debian packages: ${missing:+missing $missing}${missing:-all present}"
    if pg_answers; then say "PostgreSQL: answering on 127.0.0.1:5432"; else say "PostgreSQL: not answering (embedded fallback)"; fi
    if pid_alive "$PL_TEST_DIR/registry.pid"; then say "registry: running (pid $(cat "$PL_TEST_DIR/registry.pid"))"; else say "registry: stopped"; fi
    if pid_alive "$PL_TEST_DIR/docker.pid"; then say "engine: running (pid $(cat "$PL_TEST_DIR/docker.pid"))"; else say "engine: stopped"; fi
    ;;
  down)
    if pid_alive "$PL_TEST_DIR/docker.pid"; then
      say "Stopping the test engine's containers and the engine"
      ids=$(docker_ ps -aq 2>/dev/null || true)
      # shellcheck disable=SC2086
      [ -n "$ids" ] && docker_ rm -f $ids >/dev/null 2>&1 || true
      prune_leftovers
      kill "$(cat "$PL_TEST_DIR/docker.pid")"
      for _ in $(seq 60); do pid_alive "$PL_TEST_DIR/docker.pid" || break; sleep 0.5; done
    fi
    if pid_alive "$PL_TEST_DIR/registry.pid"; then
      say "Stopping the registry"
      kill "$(cat "$PL_TEST_DIR/registry.pid")"
    fi
    rm -f "$PL_TEST_DIR/registry.pid"
    if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE" || true; fi
    ;;
  *)
    echo "usage: $0 up|status|down|env" >&2
    exit 2
    ;;
esac
