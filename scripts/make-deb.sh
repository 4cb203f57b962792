#!/usr/bin/env bash
# `make deb`: the Debian package lkstream_<ver>_amd64.deb, by CPack (packaging/deb/CMakeLists.txt)
# from the staged tree of make dist (scripts/make-dist.sh, run first when it is missing).
#   scripts/make-deb.sh BUILD_DIR OUT_DIR [STAGE_DIR]
# Prints the package's path on the last line.
set -euo pipefail
build=$(cd "${1:?usage: make-deb.sh BUILD_DIR OUT_DIR [STAGE_DIR]}" && pwd)
mkdir -p "${2:?usage: make-deb.sh BUILD_DIR OUT_DIR [STAGE_DIR]}"
out=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -nE 's/^project\(lkstream VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
stage=${3:-}
if [[ -z $stage ]]; then
  tarball=$(bash "$src/scripts/make-dist.sh" "$build" "$out/dist" | tail -1)
  stage=${tarball%.tar.gz}
fi
[[ -x $stage/bin/lkstream ]] || { echo "make-deb: $stage is not a make dist tree" >&2; exit 1; }

work=$out/cpack
rm -rf "$work" "$out"/lkstream_*.deb
cmake -S "$src/packaging/deb" -B "$work" -DLKSTREAM_STAGE="$stage" \
      -DLKSTREAM_VERSION="$version" >"$out/cpack.log" 2>&1 ||
  { cat "$out/cpack.log" >&2; exit 1; }
(cd "$work" && cpack --config CPackConfig.cmake -B "$out" >>"$out/cpack.log" 2>&1) ||
  { echo "make-deb: cpack failed:" >&2; cat "$out/cpack.log" >&2; exit 1; }
rm -rf "$out/_CPack_Packages"
debs=("$out"/lkstream_*.deb)
[[ -f ${debs[0]} ]] || { echo "make-deb: cpack wrote no .deb" >&2; cat "$out/cpack.log" >&2; exit 1; }
echo "${debs[0]}"
