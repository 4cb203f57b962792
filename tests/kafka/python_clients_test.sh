#!/usr/bin/env bash
# ctest entry for the PyPI clients: makes the venv (scripts/python-kafka-clients.sh, idempotent)
# and runs python_clients_test.py against the test server.
#   python_clients_test.sh SERVER_BINARY VENV_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../../scripts/python-kafka-clients.sh" "$2" | tail -1)
exec "$python" "$here/python_clients_test.py" "$1"
