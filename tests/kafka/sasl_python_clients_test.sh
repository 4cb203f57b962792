#!/usr/bin/env bash
# ctest entry for the PyPI clients over SASL_PLAINTEXT (issue 17): makes the venv
# (scripts/python-kafka-clients.sh, idempotent) and runs sasl_python_clients_test.py.
#   sasl_python_clients_test.sh LKSTREAM_BINARY VENV_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../../scripts/python-kafka-clients.sh" "$2" | tail -1)
exec "$python" "$here/sasl_python_clients_test.py" "$1"
