#!/usr/bin/env bash
# Creates (or reuses) a Python virtual environment and installs PyPI packages into it, only
# where they are missing. Used by the build (nanobind for the extension), the Python tests
# (pytest, confluent-kafka, mypy) and bench/python_bench.py (redis, confluent-kafka).
#   scripts/python-venv.sh VENV_DIR PACKAGE... [-- IMPORT_NAME...]
# IMPORT_NAMEs are the modules that must import afterwards (default: none checked). Idempotent
# and quiet when everything is there; safe without a terminal (CI=true, no stdin). Prints the
# venv's python path on the last line.
set -euo pipefail
venv=${1:?usage: python-venv.sh VENV_DIR PACKAGE... [-- IMPORT_NAME...]}
shift
packages=()
while (($#)) && [[ $1 != -- ]]; do packages+=("$1"); shift; done
imports=()
if (($#)); then shift; imports=("$@"); fi
python=${PYTHON:-python3}

check() {
  local code="import sys"
  for m in "${imports[@]}"; do code+="; import $m"; done
  "$venv/bin/python" -c "$code" 2>/dev/null
}

if [[ -x $venv/bin/python ]] && ((${#imports[@]})) && check; then
  echo "$venv/bin/python"
  exit 0
fi
[[ -x $venv/bin/python ]] || "$python" -m venv "$venv"
if ((${#packages[@]})); then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" </dev/null
fi
if ((${#imports[@]})) && ! check; then
  echo "python-venv: $venv cannot import ${imports[*]} after installing ${packages[*]}" >&2
  exit 1
fi
echo "$venv/bin/python"
