#!/usr/bin/env bash
# The tarball of `make dist` in the minimal Debian 12 root (no CAF, librdkafka, toml++, codecs or
# /usr/include): unpacked, then moved (relocatable), every ELF file's libraries resolved inside the
# tree or in the base system, `lkstream serve` serving kcat (on the host) and running a file_sink
# connector found in the tree's lib/lkstream/connectors without any plugin_dirs.
#   dist_test.sh SOURCE_DIR ARTIFACTS_DIR WORK_DIR      (PKG_ROOT: the minimal root)
set -euo pipefail
src=$1 artifacts=$2 work=$3
source "$src/tests/packaging/lib.sh"
tarball=$(ls "$artifacts"/dist/lkstream-*-linux-*.tar.gz)
version=$(sed -nE 's/^project\(lkstream VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
in_root_prepare "$work"
check_root_is_bare "$work"
cp "$tarball" "$work/share/"
cat >"$work/share/check.sh" <<'SH'
#!/bin/sh
# In the root: unpack under /opt, move the tree elsewhere, check its linkage.
set -e
cd /opt
tar xzf /share/lkstream-*.tar.gz
mkdir -p /srv
mv /opt/lkstream-* /srv/moved-lkstream
cd /
bad=0
for f in /srv/moved-lkstream/bin/lkstream /srv/moved-lkstream/lib/lkstream/connectors/*.so \
         /srv/moved-lkstream/lib/lkstream/vendor/*; do
  out=$(ldd "$f") || { echo "ldd $f failed"; bad=1; continue; }
  echo "$out" | grep -q 'not found' && { echo "$f: $out"; bad=1; }
  # Every library is the tree's own or the base system's (glibc, libstdc++, libgcc_s).
  echo "$out" | awk '$2 == "=>" { print $3 }' | while read -r lib; do
    case $lib in
      /srv/moved-lkstream/*) ;;
      */libc.so.6|*/libm.so.6|*/libstdc++.so.6|*/libgcc_s.so.1|*/libpthread.so.0|*/libdl.so.2|*/librt.so.1|*/libresolv.so.2) ;;
      *) echo "$f links $lib, outside the tree and the base system"; exit 1 ;;
    esac
  done || bad=1
done
[ $bad = 0 ]
/srv/moved-lkstream/bin/lkstream version
/srv/moved-lkstream/bin/lkstream connector describe file_sink >/dev/null
SH
out=$(in_root "$work" /bin/sh /share/check.sh 2>&1) || { echo "$out"; pkg_fail "the unpacked tarball does not run"; }
echo "$out"
[[ $(tail -1 <<<"$out") == "lkstream $version" ]] || pkg_fail "lkstream version said '$(tail -1 <<<"$out")'"

mkdir -p "$work/upper/srv/run"
cat >"$work/upper/srv/run/serve.toml" <<'TOML'
[broker]
data_dir = "/srv/run/data"

[[topic]]
name = "lines"

[[connector]]
name = "lines-to-file"
plugin = "file_sink"
topics = ["lines"]
[connector.config]
path = "/srv/run/lines.out"
format = "raw"
TOML
log=$work/serve.log
in_root_bg "$work" /srv/moved-lkstream/bin/lkstream serve --config /srv/run/serve.toml \
  --listen 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
addr=$(wait_ready "$log" "$pid")
echo "serve (from the moved tarball tree) ready on $addr"
kcat_round_trip "$addr" round-trip 200
# The file_sink connector writes what kcat produces to "lines" (raw: one value a line).
seq 1 100 | sed 's/^/line-/' | timeout 120 kcat -b "$addr" -t lines -P -p 0 || pkg_fail "produce to lines"
for _ in $(seq 1200); do
  [[ $(wc -l <"$work/upper/srv/run/lines.out" 2>/dev/null || echo 0) -ge 100 ]] && break
  sleep 0.1
done
[[ -f $work/upper/srv/run/lines.out ]] || { cat "$log"; pkg_fail "the file_sink connector wrote nothing"; }
[[ $(cat "$work/upper/srv/run/lines.out") == "$(seq 1 100 | sed 's/^/line-/')" ]] ||
  { cat "$log"; pkg_fail "the file_sink connector wrote $(wc -l <"$work/upper/srv/run/lines.out") lines, not the 100 produced"; }
stop_server "$pid" "$log"
trap - EXIT
echo "tarball: relocatable, linkage inside the tree, serve + kcat + file_sink connector"
echo "1 passed, 0 failed"
