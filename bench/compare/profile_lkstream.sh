#!/usr/bin/env bash
# Profiles `lkstream serve` under the comparison's load generator, so the hot spots behind the
# figures of `make bench-compare` can be read (BENCHMARKS.md, "Comparison").
#
#   bench/compare/profile_lkstream.sh [BUILD_DIR] [OUT_DIR]
#
# Runs the broker under callgrind (stable instruction counts; the VM exposes no hardware counters
# to perf) with fsync = "never", drives it with compare_loadgen (1 partition, 100-byte unkeyed
# values, PROFILE_RATE records/s, default max rate, for PROFILE_SECONDS, default 10), stops it
# with SIGTERM, and writes to OUT_DIR (default bench/results/profile):
#   callgrind.out        the raw profile (callgrind_annotate / kcachegrind)
#   callgrind-inclusive.txt, callgrind-self.txt   the top functions, inclusive and self cost
#   loadgen.json         what the load generator measured (records acknowledged)
# Needs valgrind (apt). Slow by design: the broker runs ~50x slower under callgrind.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
out=${2:-$repo/bench/results/profile}
rate=${PROFILE_RATE:-0}
seconds=${PROFILE_SECONDS:-10}
command -v valgrind >/dev/null || { echo "profile_lkstream.sh: valgrind not found" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "$build/profile-XXXXXX")
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

cat >"$work/lkstream.toml" <<'EOF'
[broker]
group_initial_rebalance_delay_ms = 0
[topic_defaults]
fsync = "never"
EOF
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
  "$build/app/lkstream" serve --data-dir "$work/data" --listen 127.0.0.1:0 \
  --config "$work/lkstream.toml" >"$work/serve.log" 2>&1 &
pid=$!
address=
for _ in $(seq 1 600); do
  address=$(sed -n 's/.*Kafka listener on \([^,]*\),.*/\1/p' "$work/serve.log" | head -n1)
  [[ -n $address ]] && break
  kill -0 $pid 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done
[[ -n $address ]] || { echo "profile_lkstream.sh: serve not ready" >&2; exit 1; }
"$build/bench/compare/compare_loadgen" --system kafka --address "$address" --topic profile \
  --partitions 1 --value-bytes 100 --rate "$rate" --warmup 0 --seconds "$seconds" \
  --drain-timeout 120 | tail -n1 >"$out/loadgen.json"
kill -TERM $pid
wait $pid || true
callgrind_annotate --inclusive=yes "$out/callgrind.out" 2>/dev/null | head -n 80 \
  >"$out/callgrind-inclusive.txt"
callgrind_annotate "$out/callgrind.out" 2>/dev/null | head -n 80 >"$out/callgrind-self.txt"
echo "profile_lkstream.sh: wrote $out (records: $(grep -o '"acked":[0-9]*' "$out/loadgen.json"))"
