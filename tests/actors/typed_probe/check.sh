#!/usr/bin/env bash
# Usage: check.sh CXX SOURCE_DIR
# The typed actor interfaces are enforced by the compiler: probe.cpp must compile with the
# messages each interface declares (PROBE_ACCEPTED) and fail, with CAF's "receiver does not
# accept given message", for each message outside an interface.
set -u
cxx=$1 src=$2
flags=(-std=c++20 -fsyntax-only -I"$src/actors/src" -I"$src/actors/include"
       -I"$src/framework/include")
probe="$src/tests/actors/typed_probe/probe.cpp"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! "$cxx" "${flags[@]}" -DPROBE_ACCEPTED "$probe" >"$out" 2>&1; then
  echo "FAIL: the declared messages do not compile:"; cat "$out"; exit 1
fi
echo "ok: the declared messages compile"
status=0
for p in PARTITION REGISTRY GROUPS CLEANER; do
  if "$cxx" "${flags[@]}" -DPROBE_$p "$probe" >"$out" 2>&1; then
    echo "FAIL: PROBE_$p compiled: its interface accepts a message it does not declare"; status=1
  elif grep -q "receiver does not accept given message" "$out"; then
    echo "ok: PROBE_$p is rejected by the typed interface"
  else
    echo "FAIL: PROBE_$p failed for another reason:"; cat "$out"; status=1
  fi
done
exit $status
