#!/usr/bin/env bash
# Builds CAF's core library, the version Debian's libcaf-dev has, with ThreadSanitizer into a
# prefix of its own, for `make test-tsan` (tests/sanitizers/README.md).
#
# Why: Debian's libcaf_core is built without -fsanitize=thread. Its mailboxes, reference counts
# and scheduler synchronize through atomics TSan cannot see, so against it every actor looks like
# a data race. Built from the same upstream source with TSan, CAF's happens-before edges are
# visible and a report means a real race.
#
# The source comes from Debian's archive (`apt-get source`, with a deb-src list of our own that
# does not touch the system's apt configuration). Idempotent: does nothing when the prefix already
# holds this version. Usage: build-caf-tsan.sh PREFIX
set -euo pipefail

prefix=${1:?usage: build-caf-tsan.sh PREFIX}
version=$(dpkg-query -W -f='${source:Upstream-Version}' libcaf-dev 2>/dev/null) || {
  echo "build-caf-tsan: libcaf-dev is not installed (make deps installs it)" >&2; exit 1; }
stamp="$prefix/.caf-tsan-$version"
[[ -f $stamp && -f $prefix/lib/libcaf_core.so ]] && exit 0

work=${LKSTREAM_CACHE:-$HOME/.cache/lkstream}/caf-tsan-src
mkdir -p "$work/lists/partial"
tarball="$work/actor-framework_$version.orig.tar.gz"
if [[ ! -f $tarball ]]; then
  echo "build-caf-tsan: fetching CAF $version's source from Debian's archive"
  cat >"$work/deb-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt_opts=(-o "Dir::Etc::SourceList=$work/deb-src.sources" -o "Dir::Etc::SourceParts=-"
            -o "Dir::State::Lists=$work/lists" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" -q)
  apt-get "${apt_opts[@]}" update </dev/null >/dev/null
  # Only the upstream tarball is needed (Debian's packaging patches are build-system ones).
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only actor-framework </dev/null \
     >/dev/null 2>&1 || true)
  [[ -f $tarball ]] || { echo "build-caf-tsan: could not download $tarball" >&2; exit 1; }
fi

src="$work/actor-framework-$version"
rm -rf "$src" "$work/build"
tar -xzf "$tarball" -C "$work"
echo "build-caf-tsan: building CAF $version core with -fsanitize=thread into $prefix"
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
      -DCMAKE_CXX_FLAGS="-std=c++17 -fsanitize=thread -fno-omit-frame-pointer" \
      -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
      -DCAF_NO_IO=yes -DCAF_NO_OPENSSL=yes -DCAF_NO_OPENCL=yes -DCAF_NO_TOOLS=yes \
      -DCAF_NO_PYTHON=yes -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_SUMMARY=yes \
      >"$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; exit 1; }
cmake --install "$work/build" >/dev/null
touch "$stamp"
echo "build-caf-tsan: done ($prefix/lib/libcaf_core.so)"
