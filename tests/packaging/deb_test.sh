#!/usr/bin/env bash
# The Debian package of `make deb`: its unit file passes `systemd-analyze verify` (on the host,
# against the package's own files), and in the minimal Debian 12 root (no CAF, librdkafka, toml++,
# codecs or /usr/include) it installs with `dpkg -i` alone: the lkstream system user and
# /var/lib/lkstream exist, /etc/lkstream/lkstream.toml is a conffile, the man page is there, the
# binary and connectors resolve their libraries, the service's command line (as the lkstream
# user, with the packaged configuration) serves kcat and writes under /var/lib/lkstream, and
# `dpkg --purge` removes the files, the data and the user.
#   deb_test.sh SOURCE_DIR ARTIFACTS_DIR WORK_DIR      (PKG_ROOT: the minimal root)
set -euo pipefail
src=$1 artifacts=$2 work=$3
source "$src/tests/packaging/lib.sh"
deb=$(ls "$artifacts"/deb/lkstream_*.deb)
version=$(sed -nE 's/^project\(lkstream VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")

# The unit, against the package's files (ExecStart's binary, the man page of Documentation=).
rm -rf "$work/unpacked"
mkdir -p "$work/unpacked"
dpkg-deb -x "$deb" "$work/unpacked"
unit=$work/unpacked/lib/systemd/system/lkstream.service
[[ -f $unit ]] || pkg_fail "no lib/systemd/system/lkstream.service in the package"
# systemd-analyze checks that ExecStart= is executable and Documentation='s man page exists: a
# private mount namespace lays the package's /usr/bin and man1 over the host's for it. It exits 0
# on unknown keys or bad values (it only prints them), so any output fails the test.
verify=$(unshare --mount --propagation private -- sh -c '
  set -e
  u=$1
  mount -t overlay overlay -o "lowerdir=$u/usr/bin:/usr/bin" /usr/bin
  mount -t overlay overlay -o "lowerdir=$u/usr/share/man/man1:/usr/share/man/man1" /usr/share/man/man1
  systemd-analyze verify "$u/lib/systemd/system/lkstream.service"' verify "$work/unpacked" 2>&1) ||
  { echo "$verify"; pkg_fail "systemd-analyze verify rejects lkstream.service"; }
[[ -z $verify ]] || { echo "$verify"; pkg_fail "systemd-analyze verify warns about lkstream.service"; }
echo "systemd-analyze verify: lkstream.service is clean"
man_out=$(MANWIDTH=80 man -l "$work/unpacked/usr/share/man/man1/lkstream.1.gz" 2>&1 </dev/null | head -40) ||
  pkg_fail "the man page does not render"
grep -q "lkstream serve" <<<"$man_out" || { echo "$man_out"; pkg_fail "the man page lacks serve"; }

in_root_prepare "$work"
check_root_is_bare "$work"
cp "$deb" "$work/share/"
cat >"$work/share/install.sh" <<'SH'
#!/bin/sh
set -e
dpkg -i /share/lkstream_*.deb
getent passwd lkstream | grep -q ':/var/lib/lkstream:/usr/sbin/nologin$' || { getent passwd lkstream; echo "no lkstream system user"; exit 1; }
[ "$(stat -c %U:%a /var/lib/lkstream)" = lkstream:750 ] || { ls -ld /var/lib/lkstream; exit 1; }
dpkg-query -W -f='${Conffiles}\n' lkstream | grep -q '/etc/lkstream/lkstream.toml' || { echo "lkstream.toml is not a conffile"; exit 1; }
[ -f /usr/share/man/man1/lkstream.1.gz ] && [ -f /lib/systemd/system/lkstream.service ]
for f in /usr/bin/lkstream /usr/lib/lkstream/connectors/*.so /usr/lib/lkstream/vendor/*; do
  out=$(ldd "$f")
  if echo "$out" | grep -q 'not found'; then echo "$f: $out"; exit 1; fi
done
/usr/bin/lkstream connector describe kafka_bridge >/dev/null
/usr/bin/lkstream version
SH
out=$(in_root "$work" /bin/sh /share/install.sh 2>&1) || { echo "$out"; pkg_fail "dpkg -i or the installed files failed"; }
echo "$out"
[[ $(tail -1 <<<"$out") == "lkstream $version" ]] || pkg_fail "lkstream version said '$(tail -1 <<<"$out")'"

# The unit's ExecStart as its User= (setpriv execs, so SIGTERM reaches serve itself; systemd
# does not run in the root), on a free port.
log=$work/serve.log
in_root_bg "$work" setpriv --reuid=lkstream --regid=lkstream --clear-groups -- /usr/bin/lkstream serve --config /etc/lkstream/lkstream.toml \
  --listen 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
addr=$(wait_ready "$log" "$pid")
echo "the service's command line ready on $addr"
grep -q 'data dir /var/lib/lkstream' "$log" || { cat "$log"; pkg_fail "serve did not use /var/lib/lkstream"; }
kcat_round_trip "$addr" deb-topic 200
stop_server "$pid" "$log"
trap - EXIT
# From the host: the overlay's upper layer holds what serve wrote (numeric owner: the host has no
# lkstream user).
uid=$(awk -F: '$1 == "lkstream" { print $3 }' "$work/upper/etc/passwd")
owner=$(stat -c %u "$work/upper/var/lib/lkstream/deb-topic-0" 2>/dev/null || echo none)
[[ -n $uid && $owner == "$uid" ]] ||
  pkg_fail "the topic's directory under /var/lib/lkstream is owned by '$owner', not lkstream"

in_root "$work" /bin/sh -c 'set -e
  dpkg --purge lkstream >/dev/null
  for f in /usr/bin/lkstream /usr/lib/lkstream /var/lib/lkstream /etc/lkstream/lkstream.toml; do
    if [ -e "$f" ]; then echo "$f left after purge"; exit 1; fi
  done
  if getent passwd lkstream >/dev/null; then echo "user lkstream left after purge"; exit 1; fi' ||
  pkg_fail "dpkg --purge did not clean up"
echo "deb: systemd-analyze verify, dpkg -i, system user, serve as lkstream + kcat, purge"
echo "1 passed, 0 failed"
