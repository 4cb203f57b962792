#!/usr/bin/env bash
# ctest entry for one Kafka client's group scenario (tests/kafka/clients/*): installs the client
# through scripts/kafka-test-clients.sh (idempotent, cached in CACHE_DIR), starts the test
# server on a free port, runs `CLIENT_PROGRAM SCENARIO BOOTSTRAP`, stops the server (exit 0).
#   client_scenario_test.sh SERVER_BINARY CACHE_DIR CLIENT [SCENARIO]   (default: scenario)
set -euo pipefail
server=$1
cache=$2
client=$3
scenario=${4:-scenario}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "$client scenario: FAIL: $*" >&2
  echo "--- server log (tail):" >&2
  tail -40 "$work/server.err" >&2
  echo "0 passed, 1 failed"
  exit 1
}

read -ra program <<<"$("$here/../../scripts/kafka-test-clients.sh" "$cache" "$client" | tail -1)"
((${#program[@]})) || fail "no command for $client"

"$server" --data-dir "$work/data" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 600); do  # up to 60 s: a loaded CI machine can be slow to start the server
  grep -q '^listening on ' "$work/server.out" && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
addr=$(sed -n 's/^listening on //p' "$work/server.out")
[[ -n $addr ]] || fail "server did not start"
echo "$client scenario: server at $addr"

start=$SECONDS
timeout 540 "${program[@]}" "$scenario" "$addr" </dev/null || fail "client exited with $?"
echo "$client $scenario: passed in $((SECONDS - start)) s"

kill -TERM "$server_pid"
wait "$server_pid" || fail "server exited with $?"
server_pid=
echo "1 passed, 0 failed"
