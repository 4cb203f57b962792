#!/usr/bin/env bash
# The differential conformance suite (README.md here): builds the Go runner (franz-go's kmsg, via
# scripts/go-kafka-clients.sh), starts one Apache Kafka (scripts/apache-kafka.sh) and one fresh
# `lkstream serve` with Kafka's topic defaults (lkstream.toml), runs every case against both and
# stops both. Ends with the runner's "N passed, M failed"; exit 0 only if no case differs in an
# undeclared way.
#   run_conformance.sh LKSTREAM_BINARY CACHE_DIR [--doc FILE] [runner options...]
# Needs go, java and mvn (scripts/install-deps.sh; go as for the franz-go client test).
set -euo pipefail
lkstream=$(realpath "${1:?usage: run_conformance.sh LKSTREAM_BINARY CACHE_DIR [options]}")
cache=$(realpath -m "${2:?usage: run_conformance.sh LKSTREAM_BINARY CACHE_DIR [options]}")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lkstream-conformance.XXXXXX")
serve_pid=
cleanup() {
  if [[ -n $serve_pid ]]; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$serve_pid" 2>/dev/null || true
  fi
  bash "$root/scripts/apache-kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "conformance: FAIL: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}
start=$SECONDS

runner=$(bash "$root/scripts/go-kafka-clients.sh" "$cache/conformance-runner" "$here" | tail -1) ||
  fail "could not build the runner"
# The runner's own unit tests (glob, diff, normalization, record batches) first.
(cd "$here" && GOTOOLCHAIN=local go test -count=1 . </dev/null) || fail "the runner's unit tests failed"

# Both servers start at once: Kafka takes ~20 s, LKSTREAM well under one.
# __consumer_offsets with Kafka's default partition count (apache-kafka.sh lowers it to 4), the
# count LKSTREAM shows (cases/internal_topics.txt).
KAFKA_EXTRA_PROPS="offsets.topic.num.partitions=50 ${KAFKA_EXTRA_PROPS:-}" \
  bash "$root/scripts/apache-kafka.sh" start "$work/kafka" >"$work/kafka-start.out" 2>&1 &
kafka_starter=$!

"$lkstream" serve --config "$here/lkstream.toml" --listen 127.0.0.1:0 --data-dir "$work/lkstream" \
  >"$work/serve.out" 2>&1 </dev/null &
serve_pid=$!
ours=
for _ in $(seq 600); do
  ours=$(sed -n 's/.*ready (.*Kafka on \([0-9.]*:[0-9]*\)).*/\1/p' "$work/serve.out" | head -1)
  [[ -n $ours ]] && break
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $ours ]] || { cat "$work/serve.out" >&2; fail "lkstream serve did not start"; }

wait "$kafka_starter" || { cat "$work/kafka-start.out" >&2; fail "Apache Kafka did not start"; }
kafka=$(tail -1 "$work/kafka-start.out")
echo "conformance: Apache Kafka at $kafka, lkstream at $ours (servers up in $((SECONDS - start)) s)"

set +e
timeout 600 "$runner" -kafka "$kafka" -lkstream "$ours" -cases "$here/cases" \
  -declared "$here/known_differences.txt" -absent-configs "$here/absent_configs.txt" "$@" </dev/null
status=$?
set -e
kill -0 "$serve_pid" 2>/dev/null || { tail -30 "$work/serve.out" >&2; fail "lkstream serve died during the suite"; }
echo "conformance: done in $((SECONDS - start)) s"
exit $status
