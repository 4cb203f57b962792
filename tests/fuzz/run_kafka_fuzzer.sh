#!/usr/bin/env bash
# Builds the libFuzzer target of the Kafka request decoder with clang (the main build is g++),
# replays tests/fuzz/regressions/, then fuzzes for a bounded time from the codec's golden seed
# corpus. The ctest entry fuzz/kafka_request_decoder runs this.
#   run_kafka_fuzzer.sh SOURCE_DIR WORK_DIR SEED_WRITER [SECONDS]
# WORK_DIR keeps the objects, the binary (rebuilt when a source is newer), the growing corpus and
# crash artifacts. Needs clang++-14 with libFuzzer (scripts/install-deps.sh: clang-14,
# libclang-rt-14-dev, libfuzzer-14-dev). Exits non-zero on a crash, leak, timeout or UB report.
set -euo pipefail
src=$(realpath "${1:?usage: run_kafka_fuzzer.sh SOURCE_DIR WORK_DIR SEED_WRITER [SECONDS]}")
work=$(realpath -m "${2:?missing WORK_DIR}")
seed_writer=${3:?missing SEED_WRITER}
seconds=${4:-60}
cxx=${FUZZ_CXX:-clang++-14}
fail() { echo "kafka fuzzer: FAIL: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
command -v "$cxx" >/dev/null || fail "$cxx not found (run scripts/install-deps.sh)"

mkdir -p "$work/obj" "$work/corpus" "$work/seeds" "$work/artifacts"
bin=$work/kafka_request_fuzzer
sources=("$src/tests/fuzz/kafka_request_fuzzer.cpp" "$src"/framework/src/kafka/*.cpp
         "$src/framework/src/errc.cpp" "$src/framework/src/model/record_batch.cpp"
         "$src/framework/src/model/crc32c.cpp")
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=all -I "$src/framework/include")
{
  flock 9
  # An object is rebuilt when its source, or any header it may include, is newer than it.
  newest_header=$(find "$src/framework/include" "$src/framework/src/kafka" -name '*.hpp' \
                    -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
  objs=()
  stale=()
  for f in "${sources[@]}"; do
    o="$work/obj/$(echo "$f" | tr / _).o"
    objs+=("$o")
    if [[ ! -f $o || $f -nt $o || $newest_header -nt $o ]]; then stale+=("$f"); fi
  done
  if ((${#stale[@]})) || [[ ! -x $bin ]]; then
    echo "kafka fuzzer: building ${#stale[@]} objects with $cxx"
    pids=()
    for f in "${stale[@]}"; do
      "$cxx" "${flags[@]}" -c "$f" -o "$work/obj/$(echo "$f" | tr / _).o" &
      pids+=($!)
      if ((${#pids[@]} >= 2)); then
        wait "${pids[0]}" || fail "compile error"
        pids=("${pids[@]:1}")
      fi
    done
    for p in "${pids[@]}"; do wait "$p" || fail "compile error"; done
    "$cxx" -fsanitize=fuzzer,address,undefined "${objs[@]}" -o "$bin.tmp" || fail "link error"
    mv "$bin.tmp" "$bin"
  fi
} 9>"$work/build.lock"

"$seed_writer" "$work/seeds" >/dev/null || fail "seed writer"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
regressions=("$src"/tests/fuzz/regressions/*)
if [[ -e ${regressions[0]} ]]; then
  "$bin" -rss_limit_mb=2048 "${regressions[@]}" || fail "a regression input crashes again"
fi
"$bin" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -timeout=10 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$work/seeds" 2>"$work/last-run.log" || {
  tail -60 "$work/last-run.log" >&2
  fail "the fuzzer found a crash (inputs in $work/artifacts/)"
}
grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$work/last-run.log" || true
echo "1 passed, 0 failed"
