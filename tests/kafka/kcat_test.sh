#!/usr/bin/env bash
# kcat (Debian, librdkafka 2.0.2) against the listener: metadata (-L), keyed produce (-P -K),
# consume from the beginning (-C -e) byte for byte, a consumer group (-G) that commits and
# resumes, and a clean SIGTERM shutdown.
#   kcat_test.sh SERVER_BINARY [KCAT]
set -euo pipefail
server=$1
kcat=${2:-kcat}
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "kcat_test: FAIL: $*" >&2; echo "--- server stderr:" >&2; cat "$work/server.err" >&2; exit 1; }

"$server" --data-dir "$work/data" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 600); do  # up to 60 s: a loaded CI machine can be slow to start the server
  grep -q '^listening on ' "$work/server.out" && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
addr=$(sed -n 's/^listening on //p' "$work/server.out")
[[ -n $addr ]] || fail "server did not start"
echo "kcat_test: server at $addr"

# Metadata: one broker, advertised at the bound address.
"$kcat" -b "$addr" -L -m 10 >"$work/meta.txt" 2>&1 || fail "kcat -L: $(cat "$work/meta.txt")"
grep -q "1 brokers:" "$work/meta.txt" || fail "metadata: $(cat "$work/meta.txt")"
grep -q "broker 0 at $addr" "$work/meta.txt" || fail "advertised address: $(cat "$work/meta.txt")"

# Keyed produce (topic auto-created by Metadata), 200 lines key<TAB>value.
for i in $(seq 1 200); do printf 'k%d\tvalue %d with spaces\n' $((i % 7)) "$i"; done >"$work/in.txt"
"$kcat" -b "$addr" -P -t lines -K $'\t' -X acks=all -m 10 <"$work/in.txt" 2>"$work/produce.err" \
  || fail "produce: $(cat "$work/produce.err")"

# Consume everything back, key and value, in order (one partition).
"$kcat" -b "$addr" -C -t lines -o beginning -e -q -f '%k\t%s\n' -m 10 >"$work/out.txt" 2>"$work/consume.err" \
  || fail "consume: $(cat "$work/consume.err")"
cmp -s "$work/in.txt" "$work/out.txt" || fail "consumed records differ: $(diff "$work/in.txt" "$work/out.txt" | head)"

# Offsets and partition in the consumer's view.
"$kcat" -b "$addr" -C -t lines -o -5 -e -q -f '%p:%o\n' -m 10 >"$work/tail.txt" 2>&1 \
  || fail "consume -o -5: $(cat "$work/tail.txt")"
[[ $(head -1 "$work/tail.txt") == "0:195" && $(wc -l <"$work/tail.txt") -eq 5 ]] \
  || fail "tail offsets: $(cat "$work/tail.txt")"

# Metadata now lists the topic with its partition led by broker 0.
"$kcat" -b "$addr" -L -t lines -m 10 >"$work/meta2.txt" 2>&1 || fail "kcat -L -t"
grep -q 'topic "lines" with 1 partitions' "$work/meta2.txt" || fail "topic metadata: $(cat "$work/meta2.txt")"
grep -q 'partition 0, leader 0' "$work/meta2.txt" || fail "partition metadata: $(cat "$work/meta2.txt")"

# A balanced consumer group: reads all 200, commits; a second run of the group has nothing left.
timeout 60 "$kcat" -b "$addr" -G kgroup lines -o beginning -e -q -f '%s\n' \
  -X enable.auto.commit=true -X auto.commit.interval.ms=100 >"$work/group1.txt" 2>"$work/group1.err" \
  || fail "group consume: $(cat "$work/group1.err")"
[[ $(wc -l <"$work/group1.txt") -eq 200 ]] || fail "group consumed $(wc -l <"$work/group1.txt") of 200"
printf 'k1\tafter commit\n' | "$kcat" -b "$addr" -P -t lines -K $'\t' -m 10 || fail "produce 2"
timeout 60 "$kcat" -b "$addr" -G kgroup lines -e -q -f '%s\n' >"$work/group2.txt" 2>"$work/group2.err" \
  || fail "group resume: $(cat "$work/group2.err")"
[[ $(cat "$work/group2.txt") == "after commit" ]] || fail "group resumed with: $(head -3 "$work/group2.txt")"

# SIGTERM: clean exit 0.
kill -TERM "$server_pid"
wait "$server_pid" || fail "server exited with $?"
server_pid=
echo "kcat_test: 1 passed, 0 failed"
