#!/usr/bin/env bash
# A minimal Debian 12 (bookworm) root in a folder, made once with debootstrap from Debian's
# mirror and cached: the packaging tests (tests/packaging) install the wheel, the tarball and the
# .deb in it, where none of the build's libraries (CAF, librdkafka, toml++, the codecs' -dev
# packages) nor /usr/include exist. Only python3 and python3-venv are added to minbase (the wheel
# test makes a venv with Debian's own interpreter).
#   scripts/debian-root.sh [ROOT_DIR]    (default ~/.cache/lkstream/debian12-root)
# Idempotent: a complete root (marked by ROOT_DIR/.lkstream-complete) is reused as it is; a
# partial one (an interrupted run) is removed and made again. Needs root (debootstrap, chroot).
# Prints the root's path on the last line.
set -euo pipefail
cache=${LKSTREAM_CACHE:-$HOME/.cache/lkstream}
root=${1:-$cache/debian12-root}
mirror=${LKSTREAM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
include=python3,python3-venv

if [[ -f $root/.lkstream-complete ]]; then
  echo "$root"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "debian-root: debootstrap and chroot need root" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  echo "debian-root: debootstrap is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
mkdir -p "$(dirname "$root")"
# One maker at a time (parallel test runs, two build trees): the others wait, then reuse it.
exec 9>"$root.lock"
flock 9
if [[ -f $root/.lkstream-complete ]]; then
  echo "$root"
  exit 0
fi
rm -rf "$root"
log=$root.log
echo "debian-root: debootstrap bookworm into $root (once; log: $log)" >&2
if ! debootstrap --variant=minbase --include="$include" bookworm "$root" "$mirror" \
     >"$log" 2>&1 </dev/null; then
  echo "debian-root: debootstrap failed; the end of $log:" >&2
  tail -20 "$log" >&2
  exit 1
fi
# Smaller and reproducible: no package lists or downloaded .debs kept.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
touch "$root/.lkstream-complete"
echo "$root"
