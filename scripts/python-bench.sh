#!/usr/bin/env bash
# Runs bench/python_bench.py (make bench-python): installs redis-server from Debian when it is
# missing (the Redis comparison), makes a venv with confluent-kafka and redis-py, and runs the
# benchmark against the package built in BUILD_DIR (default build).
#   scripts/python-bench.sh [BUILD_DIR] [bench flags...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
shift || true
if ! command -v redis-server >/dev/null; then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  echo "python-bench: installing redis-server (Debian)"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    redis-server </dev/null || {
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -q </dev/null
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q \
      --no-install-recommends redis-server </dev/null
  }
fi
python=$("$here/scripts/python-venv.sh" "$build/python-bench-venv" confluent-kafka redis \
         -- confluent_kafka redis | tail -1)
[[ -f $build/python/lkstream/__init__.py ]] || { echo "build the project first (make build)"; exit 1; }
PYTHONPATH=$build/python exec "$python" "$here/bench/python_bench.py" \
  --lkstream-binary "$build/app/lkstream" "$@"
