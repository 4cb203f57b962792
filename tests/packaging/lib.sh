# Shared by the packaging tests (sourced): running commands in the minimal Debian 12 root of
# scripts/debian-root.sh, where none of the build's libraries or headers exist.
#
# in_root WORK CMD...: runs CMD under chroot in a private mount namespace (unshare) on an overlay
# of the cached root: WORK/upper receives what CMD writes, so the cached root stays clean and
# tests run side by side. /proc, /dev and /sys are the host's; WORK/share is /share inside (the
# artifacts and scripts the test puts there). Network is the host's, so a server started inside
# answers a client outside on 127.0.0.1. Needs root.
# in_root_bg WORK CMD... &: the same in the background; unshare, bash and chroot exec, so the
# caller's $! is CMD's own pid (a SIGTERM reaches the server itself).

PKG_ROOT=${PKG_ROOT:?PKG_ROOT: the minimal Debian root (scripts/debian-root.sh)}

pkg_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

in_root_prepare() {
  local work=$1
  rm -rf "$work/upper" "$work/ovl" "$work/merged" "$work/share"
  mkdir -p "$work/upper" "$work/ovl" "$work/merged" "$work/share"
}

_PKG_IN_ROOT='
  set -e
  root=$1 work=$2
  shift 2
  mount -t overlay overlay -o "lowerdir=$root,upperdir=$work/upper,workdir=$work/ovl" "$work/merged"
  m=$work/merged
  mount --rbind /proc "$m/proc"
  mount --rbind /dev "$m/dev"
  mount --rbind /sys "$m/sys"
  mount -t tmpfs tmpfs "$m/tmp"
  mkdir -p "$m/share"
  mount --bind "$work/share" "$m/share"
  exec chroot "$m" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 "$@"
'

in_root() {
  local work=$1
  shift
  unshare --mount --propagation private -- bash -c "$_PKG_IN_ROOT" in_root "$PKG_ROOT" "$work" "$@"
}

in_root_bg() {
  local work=$1
  shift
  exec unshare --mount --propagation private -- bash -c "$_PKG_IN_ROOT" in_root "$PKG_ROOT" "$work" "$@"
}

# wait_ready LOG PID: waits (up to 120 s: a loaded 2-core machine) for serve's ready line in LOG
# and prints the Kafka address it names; fails when PID exits first.
wait_ready() {
  local log=$1 pid=$2 line
  for _ in $(seq 1200); do
    line=$(grep -m1 'lkstream: ready' "$log" 2>/dev/null || true)
    if [[ -n $line ]]; then
      sed -nE 's/.*Kafka on ([^)]*)\).*/\1/p' <<<"$line"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; pkg_fail "server exited before it was ready"; }
    sleep 0.1
  done
  cat "$log" >&2
  pkg_fail "no ready line in 120 s"
}

# stop_server PID LOG: SIGTERM, then the exit code must be 0 (serve syncs and exits cleanly).
stop_server() {
  local pid=$1 log=$2 rc=0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  ((rc == 0)) || { cat "$log" >&2; pkg_fail "server exited with $rc after SIGTERM"; }
}

# The root must lack what the build links: otherwise the test proves nothing.
check_root_is_bare() {
  local work=$1
  in_root "$work" /bin/sh -c '
    for f in /usr/lib/x86_64-linux-gnu/libcaf_core.so* /usr/lib/x86_64-linux-gnu/librdkafka.so* \
             /usr/lib/x86_64-linux-gnu/libsnappy.so* /usr/bin/g++ /usr/bin/cc /usr/bin/cmake; do
      if [ -e "$f" ]; then echo "$f exists in the minimal root"; exit 1; fi
    done
    # No headers at all (the directory itself exists, empty, in minbase).
    if [ -n "$(find /usr/include -mindepth 1 2>/dev/null | head -1)" ]; then
      echo "/usr/include is not empty"; exit 1
    fi' || pkg_fail "the minimal root has build libraries or headers"
}

# Kafka round trip with the host's kcat (a real Kafka client, outside the root) against ADDR:
# N records produced to TOPIC, then consumed back and compared.
kcat_round_trip() {
  local addr=$1 topic=$2 n=$3 got
  seq 1 "$n" | sed 's/^/record-/' | timeout 120 kcat -b "$addr" -t "$topic" -P -p 0 ||
    pkg_fail "kcat could not produce to $topic on $addr"
  got=$(timeout 120 kcat -b "$addr" -t "$topic" -C -p 0 -o beginning -c "$n" -e -q) ||
    pkg_fail "kcat could not consume $topic from $addr"
  [[ $got == "$(seq 1 "$n" | sed 's/^/record-/')" ]] ||
    pkg_fail "kcat read back something else from $topic: $(head -3 <<<"$got")..."
}
