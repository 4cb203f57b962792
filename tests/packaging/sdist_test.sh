#!/usr/bin/env bash
# The sdist (scikit-build-core's build_sdist, as `python -m build --sdist` makes it) on a machine
# without the build's -dev packages: in a private mount namespace the CAF, librdkafka and toml++
# headers are hidden (empty tmpfs over their directories), then `pip wheel` of the sdist must
# fail early, at CMake's configure step (cmake/Prerequisites.cmake), with one message naming the
# three missing Debian packages, not a compiler error half-way through. The sdist is also checked
# to contain what the build reads and nothing of a build tree. (Where the dependencies exist,
# python/pip_install builds the package from the source tree.)
#   sdist_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1 work=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
bin=$(bash "$src/scripts/packaging-venv.sh" | tail -1)
rm -rf "$work"
mkdir -p "$work/sdist"
(cd "$src" && "$bin/python" -c 'import sys; from scikit_build_core.build import build_sdist
print(build_sdist(sys.argv[1]))' "$work/sdist") >"$work/sdist.log" 2>&1 ||
  { cat "$work/sdist.log"; fail "build_sdist failed"; }
sdist=$(ls "$work"/sdist/lkstream-*.tar.gz)
listing=$(tar tzf "$sdist")
for f in CMakeLists.txt cmake/Prerequisites.cmake pyproject.toml python/lkstream/__init__.py \
         app/main.cpp framework/CMakeLists.txt connectors/CMakeLists.txt PKG-INFO; do
  grep -q "^lkstream-[0-9.]*/$f\$" <<<"$listing" || fail "the sdist lacks $f"
done
if grep -qE '^lkstream-[0-9.]*/(build[^/]*|data)/' <<<"$listing"; then
  fail "the sdist contains a build tree or data: $(grep -E '^lkstream-[0-9.]*/(build[^/]*|data)/' <<<"$listing" | head -3)"
fi
echo "sdist: $(basename "$sdist"), $(wc -l <<<"$listing") files"

start=$(date +%s)
rc=0
out=$(unshare --mount --propagation private -- bash -c '
  set -e
  for d in /usr/include/caf /usr/include/librdkafka /usr/include/toml++; do
    mount -t tmpfs tmpfs "$d"
  done
  exec "$1" -m pip wheel --no-build-isolation --no-deps --disable-pip-version-check \
    --wheel-dir "$2/wheels" "$3" </dev/null' pip "$bin/python" "$work" "$sdist" 2>&1) || rc=$?
took=$(($(date +%s) - start))
((rc != 0)) || fail "pip wheel of the sdist succeeded with the CAF, librdkafka and toml++ headers hidden"
# CMake wraps the message: compare with the whitespace squeezed.
flat=$(tr -s ' \n' '  ' <<<"$out")
grep -q 'missing build dependencies: libcaf-dev libtomlplusplus-dev librdkafka-dev' <<<"$flat" ||
  { echo "$out" | tail -40; fail "the failure does not name the missing packages"; }
grep -q 'Building CXX object' <<<"$out" && fail "the build compiled before it reported the missing packages"
echo "pip wheel of the sdist failed after ${took}s naming: libcaf-dev libtomlplusplus-dev librdkafka-dev"
echo "1 passed, 0 failed"
