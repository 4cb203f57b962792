#!/usr/bin/env bash
# Creates (or reuses) a Python virtual environment with the PyPI Kafka clients the client tests
# run: confluent-kafka (bundles its own librdkafka) and kafka-python.
#   scripts/python-kafka-clients.sh VENV_DIR
# Idempotent: an existing venv that already imports both packages is left as it is. Prints the
# venv's python path on the last line.
set -euo pipefail
venv=${1:?usage: python-kafka-clients.sh VENV_DIR}
packages=(confluent-kafka kafka-python)
python=${PYTHON:-python3}

if [[ -x $venv/bin/python ]] && "$venv/bin/python" -c 'import confluent_kafka, kafka' 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" </dev/null
"$venv/bin/python" -c 'import confluent_kafka, kafka'
echo "$venv/bin/python"
