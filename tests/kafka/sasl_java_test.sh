#!/usr/bin/env bash
# ctest entry for the Java client over SASL_PLAINTEXT (clients/java/SaslClientCheck.java,
# issue 17): an admin user made with `lkstream user create` while the server is stopped, then
# `lkstream serve` with SASL_PLAINTEXT (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN; 3 s sessions) on a
# free port, and the Java check in one JVM. kafka-clients 4.4 comes from Maven Central
# (scripts/java-kafka-clients.sh, cached in CACHE_DIR).
#   sasl_java_test.sh LKSTREAM_BINARY CACHE_DIR
set -euo pipefail
binary=$1
cache=$(realpath -m "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
serve_pid=
cleanup() {
  [[ -n $serve_pid ]] && kill -KILL "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "java sasl: FAIL: $*" >&2
  tail -40 "$work/serve.out" >&2 || true
  echo "0 passed, 1 failed"
  exit 1
}

classpath=$("$here/../../scripts/java-kafka-clients.sh" "$cache/java" | tail -1)
classes=$cache/java/sasl-classes
exec 9>"$classes.lock"
flock 9
source=$here/clients/java/SaslClientCheck.java
if [[ ! -f $classes/SaslClientCheck.class || $source -nt $classes/SaslClientCheck.class ]]; then
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$classpath" "$source" >&2
fi
exec 9>&-

mkdir -p "$work/data"
echo admin-pw | "$binary" user create admin --data-dir "$work/data" || fail "user create"
cat >"$work/lkstream.toml" <<TOML
[broker]
security_protocol = "SASL_PLAINTEXT"
sasl_mechanisms = ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]
sasl_session_lifetime_ms = "3s"
TOML
"$binary" serve --config "$work/lkstream.toml" --listen 127.0.0.1:0 --data-dir "$work/data" \
  >"$work/serve.out" 2>&1 </dev/null &
serve_pid=$!
addr=
for _ in $(seq 600); do
  addr=$(sed -n 's/.*ready (.*Kafka on \([0-9.]*:[0-9]*\)).*/\1/p' "$work/serve.out" | head -1)
  [[ -n $addr ]] && break
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $addr ]] || fail "lkstream serve did not start"

timeout 600 java -cp "$classes:$classpath" SaslClientCheck "$addr" || fail "the Java check failed"
# The client re-authenticated in time: no connection outlived its session.
if grep -q "after the SASL session ended" "$work/serve.out"; then
  fail "a Java connection was closed for not re-authenticating"
fi
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve exited with $?"
serve_pid=
echo "1 passed, 0 failed"
