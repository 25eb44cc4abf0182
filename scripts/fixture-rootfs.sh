#!/usr/bin/env bash
# Builds (once) the root filesystem shared by the fixture images: Debian 13
# minbase with MariaDB (closer to MySQL 8 than Debian 12's: it accepts
# utf8mb4_0900_ai_ci), Python, OpenSSL and curl (the real image has it), the
# OpenSSH client (restic/restic has it: sftp repositories) and server (the
# sftp fixture), and borg (the bench's elabctl baseline). Cached as a tarball
# keyed by its inputs, so later runs skip debootstrap. Prints the tarball path.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE_DIR=${PL_CACHE_DIR:-/var/cache/paillasse-test}
SUITE=trixie
PACKAGES=mariadb-server,mariadb-client,python3,openssl,ca-certificates,passwd,curl,openssh-client,openssh-server,borgbackup
key=$( (echo "$SUITE $PACKAGES"; cat e2e/fixtures/rootfs/customize.sh) | sha256sum | cut -c1-16)
tarball="$CACHE_DIR/rootfs-$key.tar"
if [ -f "$tarball" ]; then echo "$tarball"; exit 0; fi

# The machine's own Debian mirror, read from its apt sources (never written
# into the code): the first non-security URI.
mirror=$( { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}';
            grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}'; } | grep -v security | head -1 || true)
[ -n "$mirror" ] || { echo "No Debian mirror found in the apt sources of this machine." >&2; exit 1; }

mkdir -p "$CACHE_DIR"
root=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
echo "[fixtures] debootstrap $SUITE (first run only, about a minute)…" >&2
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
  { tail -20 "$CACHE_DIR/debootstrap.log" >&2; exit 1; }
chroot "$root" /bin/sh < e2e/fixtures/rootfs/customize.sh
tar -C "$root" -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "$tarball"
