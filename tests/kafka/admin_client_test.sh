#!/usr/bin/env bash
# ctest entry for the Java AdminClient check (tests/kafka/clients/java/AdminClientCheck.java):
# fetches kafka-clients 4.4 (scripts/java-kafka-clients.sh, cached in CACHE_DIR), compiles the
# check, and runs it in one JVM; it starts, restarts and stops `lkstream serve` itself.
#   admin_client_test.sh LKSTREAM_BINARY CACHE_DIR
set -euo pipefail
binary=$1
cache=$(realpath -m "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

classpath=$("$here/../../scripts/java-kafka-clients.sh" "$cache/java" | tail -1)
classes=$cache/java/admin-classes
exec 9>"$classes.lock"
flock 9
source=$here/clients/java/AdminClientCheck.java
if [[ ! -f $classes/AdminClientCheck.class || $source -nt $classes/AdminClientCheck.class ]]; then
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$classpath" "$source" >&2
fi
exec 9>&-
if timeout 600 java -cp "$classes:$classpath" AdminClientCheck "$binary" "$work/data"; then
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
  exit 1
fi
