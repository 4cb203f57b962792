#!/usr/bin/env bash
# Packaging test: the sdist of the repository (scikit-build-core's build_sdist) is unpacked and
# `pip install`ed into a fresh venv (scikit-build-core and nanobind from PyPI in pip's isolated
# build environment), so what is built is exactly what the sdist ships; then the `lkstream`
# console script and `import lkstream` from outside the source tree.
#   pip_install_test.sh SOURCE_DIR WORK_DIR
# WORK_DIR/build keeps CMake's build tree between runs (incremental when run again).
set -euo pipefail
src=$1
work=$2
mkdir -p "$work"
rm -rf "$work/venv" "$work/data" "$work/sdist" "$work/sdist-src"
# The sdist is unpacked at a fixed path: WORK_DIR/build stays valid for CMake between runs.
bin=$(bash "$src/scripts/packaging-venv.sh" | tail -1)
mkdir -p "$work/sdist" "$work/sdist-src"
(cd "$src" && "$bin/python" -c 'import sys; from scikit_build_core.build import build_sdist
print(build_sdist(sys.argv[1]))' "$work/sdist") >"$work/sdist.log" 2>&1 ||
  { cat "$work/sdist.log"; echo "build_sdist failed"; exit 1; }
tar xzf "$work"/sdist/lkstream-*.tar.gz -C "$work/sdist-src"
sdist_tree=$(ls -d "$work"/sdist-src/lkstream-*)
if [[ -f $work/build/CMakeCache.txt ]] &&
   ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$sdist_tree" "$work/build/CMakeCache.txt"; then
  rm -rf "$work/build"  # configured from another source tree (an older run of this test)
fi
python3 -m venv "$work/venv"
py=$work/venv/bin/python
launcher=()
if command -v ccache >/dev/null; then
  launcher=(--config-settings=cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
  "$py" -m pip install --quiet --disable-pip-version-check \
  --config-settings=build-dir="$work/build" "${launcher[@]}" "$sdist_tree" </dev/null

want=$(sed -nE 's/^project\(lkstream VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
cd "$work"  # not the source tree: the installed package must be the one imported
got=$("$work/venv/bin/lkstream" version)
[[ $got == "lkstream $want" ]] || { echo "console script said '$got', want 'lkstream $want'"; exit 1; }
# Not `grep -q`: it exits at the first match, pip dies of SIGPIPE and pipefail fails the test.
show=$("$py" -m pip show lkstream)
grep -qx "Version: $want" <<<"$show" || { echo "wheel version is not $want: $show"; exit 1; }
"$py" - "$work/data" <<'PY'
import pathlib, sys
import lkstream
pkg = pathlib.Path(lkstream.__file__).parent
assert (pkg / "py.typed").exists() and (pkg / "_lkstream.pyi").exists(), "stubs not installed"
assert "site-packages" in lkstream.__file__, lkstream.__file__
with lkstream.open(sys.argv[1]) as lk:
    lk.create_topic("t", 2)
    p = lk.producer()
    p.send_many("t", [(b"k%d" % i, b"v%d" % i) for i in range(100)])
    p.flush()
    c = lk.consumer(partitions=[("t", 0), ("t", 1)], auto_offset_reset="earliest")
    got = []
    for _ in range(100):
        got += c.poll_batch(timeout=0.5)
        if len(got) >= 100:
            break
    assert sorted(r.value for r in got) == sorted(b"v%d" % i for i in range(100)), len(got)
print("pip install: lkstream", lkstream.__version__, "imports, produces and consumes")
PY
echo "1 passed, 0 failed"
