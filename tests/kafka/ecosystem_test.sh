#!/usr/bin/env bash
# ctest entry for the Kafka ecosystem checks (tests/kafka/clients/java/ecosystem): fetches Kafka
# Streams and the Kafka Connect runtime 4.4 (scripts/java-kafka-ecosystem.sh, cached in
# CACHE_DIR/ecosystem), compiles the checks once for every mode (one javac step, serialised by a
# lock), and runs one mode in one JVM; the checks start, kill, restart and stop `lkstream serve`
# (and the Connect worker) themselves.
#   ecosystem_test.sh LKSTREAM_BINARY CACHE_DIR streams|streams-eos|connect
set -euo pipefail
binary=$1
cache=$(realpath -m "$2")
mode=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

classpath=$("$here/../../scripts/java-kafka-ecosystem.sh" "$cache/ecosystem" | tail -1)
classes=$cache/ecosystem-classes
sources=("$here"/clients/java/ecosystem/*.java)
exec 9>"$classes.lock"
flock 9
stale=0
for s in "${sources[@]}"; do
  [[ -f $classes/.built && ! $s -nt $classes/.built ]] || stale=1
done
if ((stale)); then
  rm -rf "$classes"
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$classpath" "${sources[@]}" >&2
  touch "$classes/.built"
fi
exec 9>&-
case $mode in
  streams) main=(StreamsCheck "$binary" "$work" at_least_once) ;;
  streams-eos) main=(StreamsCheck "$binary" "$work" exactly_once_v2) ;;
  connect) main=(ConnectCheck "$binary" "$work") ;;
  *) echo "ecosystem_test.sh: unknown mode $mode" >&2; exit 2 ;;
esac
if timeout 600 java -Xmx512m -cp "$classes:$classpath" "${main[@]}"; then
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
  exit 1
fi
