#!/usr/bin/env bash
# Profiles `lkstream serve` under the comparison's load generator, so the hot spots behind the
# figures of `make bench-compare` can be read (BENCHMARKS.md, "Comparison").
#
#   bench/compare/profile_lkstream.sh [BUILD_DIR] [OUT_DIR]
#
# Two passes, each on a fresh broker with fsync = "never", driven by compare_loadgen (1 partition,
# 100-byte unkeyed values, PROFILE_RATE records/s, default max rate, for PROFILE_SECONDS,
# default 10):
#  1. callgrind: stable instruction counts of user space (the VM exposes no hardware counters to
#     `perf stat`): callgrind.out, callgrind-inclusive.txt and callgrind-self.txt (top functions),
#     callgrind-callers.txt (the main callers of the ten most expensive functions), loadgen.json.
#  2. perf record with the cpu-clock software event (kernel and user time, every thread), when
#     perf works here: perf-report.txt (self time by thread name, object and symbol),
#     perf-by-object.txt, perf-by-thread.txt, perf-loadgen.json.
# OUT_DIR defaults to bench/results/profile. Needs valgrind (apt) and, for pass 2, perf
# (linux-perf). Slow by design: the broker runs ~50x slower under callgrind.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
out=${2:-$repo/bench/results/profile}
rate=${PROFILE_RATE:-0}
seconds=${PROFILE_SECONDS:-10}
command -v valgrind >/dev/null || { echo "profile_lkstream.sh: valgrind not found" >&2; exit 1; }
[[ -x $build/app/lkstream && -x $build/bench/compare/compare_loadgen ]] ||
  { echo "profile_lkstream.sh: build lkstream_app and compare_loadgen in $build" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "$build/profile-XXXXXX")
[[ -d $work ]] || exit 1
pid=
cleanup() {
  if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

printf '[broker]\ngroup_initial_rebalance_delay_ms = 0\n[topic_defaults]\nfsync = "never"\n' \
  >"$work/lkstream.toml"

# start_serve [PREFIX...]: `PREFIX lkstream serve` on a fresh data dir; sets pid and address.
start_serve() {
  rm -rf "$work/data"
  "$@" "$build/app/lkstream" serve --data-dir "$work/data" --listen 127.0.0.1:0 \
    --config "$work/lkstream.toml" >"$work/serve.log" 2>&1 &
  pid=$!
  address=
  for _ in $(seq 1 600); do
    address=$(sed -n 's/.*Kafka listener on \([^,]*\),.*/\1/p' "$work/serve.log" | head -n1)
    [[ -n $address ]] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "profile_lkstream.sh: serve not ready" >&2
  exit 1
}

run_load() {  # OUTPUT_JSON
  "$build/bench/compare/compare_loadgen" --system kafka --address "$address" --topic profile \
    --partitions 1 --value-bytes 100 --rate "$rate" --warmup 0 --seconds "$seconds" \
    --drain-timeout 120 | tail -n1 >"$1"
}

stop_serve() {
  kill -TERM "$pid"
  wait "$pid" || true
  pid=
}

start_serve valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out"
run_load "$out/loadgen.json"
stop_serve
callgrind_annotate --inclusive=yes "$out/callgrind.out" >"$work/inclusive.txt" 2>/dev/null
callgrind_annotate "$out/callgrind.out" >"$work/self.txt" 2>/dev/null
callgrind_annotate --tree=caller "$out/callgrind.out" >"$work/tree.txt" 2>/dev/null
sed -n 1,80p "$work/inclusive.txt" >"$out/callgrind-inclusive.txt"
sed -n 1,80p "$work/self.txt" >"$out/callgrind-self.txt"
python3 "$(dirname "$0")/callgrind_callers.py" "$work/self.txt" "$work/tree.txt" \
  >"$out/callgrind-callers.txt"

if command -v perf >/dev/null &&
   perf record -e cpu-clock -o "$work/probe.data" true >/dev/null 2>&1; then
  start_serve
  perf record -e cpu-clock -F 999 -g -p "$pid" -o "$work/perf.data" >/dev/null 2>&1 &
  perf_pid=$!
  run_load "$out/perf-loadgen.json"
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
  stop_serve
  perf report -i "$work/perf.data" --no-children --sort comm,dso,sym --stdio 2>/dev/null |
    grep -E '^ +[0-9.]+%|^# (Samples|Event count)' | sed -n 1,60p >"$out/perf-report.txt" || true
  perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null |
    grep -E '^ +[0-9.]+%' | sed -n 1,15p >"$out/perf-by-object.txt" || true
  perf report -i "$work/perf.data" --no-children --sort comm --stdio 2>/dev/null |
    grep -E '^ +[0-9.]+%' | sed -n 1,15p >"$out/perf-by-thread.txt" || true
fi
echo "profile_lkstream.sh: wrote $out ($(grep -o '"acked":[0-9]*' "$out/loadgen.json"))"
