#!/usr/bin/env bash
# ctest entry for the cross-client matrix (client_matrix_test.py): installs every client through
# scripts/kafka-test-clients.sh (idempotent, cached in CACHE_DIR) and runs the matrix.
#   client_matrix_test.sh SERVER_BINARY CACHE_DIR
set -euo pipefail
server=$1
cache=$2
here=$(cd "$(dirname "$0")" && pwd)
clients=(confluent-kafka kafka-python aiokafka java kafkajs franz-go)
args=()
for c in "${clients[@]}"; do
  args+=("$c=$("$here/../../scripts/kafka-test-clients.sh" "$cache" "$c" | tail -1)")
done
python=$("$here/../../scripts/python-kafka-clients.sh" "$cache/python-venv" | tail -1)
exec "$python" "$here/client_matrix_test.py" "$server" "${args[@]}"
