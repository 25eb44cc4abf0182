#!/usr/bin/env bash
# Fetches (once) a Debian 13 (trixie) binary package and extracts it, for the
# helper images no public registry can serve here (restic, rest-server). The
# package index and the .deb come from the machine's own Debian mirror (read
# from its apt sources, never written into the code); the .deb is checked
# against the index's SHA-256. Prints the directory the package was extracted to.
#   usage: trixie-deb.sh <package>
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE_DIR=${PL_CACHE_DIR:-/var/cache/paillasse-test}
package=${1:?usage: trixie-deb.sh <package>}
mkdir -p "$CACHE_DIR/debs"
index="$CACHE_DIR/debs/trixie-main-amd64-Packages"

mirror=$( { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}';
            grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}'; } | grep -v security | head -1 || true)
[ -n "$mirror" ] || { echo "No Debian mirror found in the apt sources of this machine." >&2; exit 1; }

fetch_index() {
  curl -fsS "$mirror/dists/trixie/main/binary-amd64/Packages.xz" | xz -dc >"$index.tmp"
  mv "$index.tmp" "$index"
}
field() { # package, field: the field of that package's stanza in the index
  awk -v p="$1" -v f="$2" '$0 == "Package: " p {s=1} s && index($0, f ": ") == 1 {print substr($0, length(f) + 3); exit} /^$/ {s=0}' "$index"
}

[ -f "$index" ] || fetch_index
file=$(field "$package" Filename)
[ -n "$file" ] || { echo "Package $package is not in Debian trixie's index." >&2; exit 1; }
out="$CACHE_DIR/debs/$(basename "$file" .deb)"
if [ -d "$out" ]; then echo "$out"; exit 0; fi

deb="$out.deb"
if ! curl -fsS -o "$deb" "$mirror/$file"; then
  # The index may be older than the mirror: read it again once.
  fetch_index
  file=$(field "$package" Filename)
  out="$CACHE_DIR/debs/$(basename "$file" .deb)"
  deb="$out.deb"
  curl -fsS -o "$deb" "$mirror/$file"
fi
echo "$(field "$package" SHA256)  $deb" | sha256sum -c --quiet - || { rm -f "$deb"; echo "$deb: checksum mismatch" >&2; exit 1; }
mkdir -p "$out.tmp"
dpkg-deb -x "$deb" "$out.tmp"
rm -f "$deb"
mv "$out.tmp" "$out"
echo "$out"
