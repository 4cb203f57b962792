#!/usr/bin/env bash
# Creates (or reuses) a Python virtual environment with the PyPI Kafka clients the client tests
# run: confluent-kafka (bundles its own librdkafka), kafka-python and aiokafka.
#   scripts/python-kafka-clients.sh VENV_DIR
# Idempotent: an existing venv that already imports every package is left as it is. Concurrent
# runs (ctest -j) serialise on VENV_DIR.lock. Prints the venv's python path on the last line.
set -euo pipefail
venv=$(realpath -m "${1:?usage: python-kafka-clients.sh VENV_DIR}")
packages=(confluent-kafka kafka-python aiokafka)
imports='import confluent_kafka, kafka, aiokafka'
python=${PYTHON:-python3}

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [[ -x $venv/bin/python ]] && "$venv/bin/python" -c "$imports" 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
[[ -x $venv/bin/python ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" </dev/null >&2
"$venv/bin/python" -c "$imports"
echo "$venv/bin/python"
