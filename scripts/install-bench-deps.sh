#!/usr/bin/env bash
# Installs what `make bench-compare` needs besides the build dependencies (scripts/install-deps.sh):
# the peer brokers Redis 7 (Streams) and NATS (JetStream), their C client libraries for the load
# generator, Java for Apache Kafka, and a Python venv with matplotlib for the charts.
# Idempotent and quiet when everything is there; safe without a terminal (CI=true, no stdin).
# Not used by `make test`.
#
# Prints nothing on success except what it installs. The venv lives in
# ${LKSTREAM_CACHE:-$HOME/.cache/lkstream}/bench-venv (override with BENCH_VENV).
set -euo pipefail

apt_packages=(redis-server nats-server libhiredis-dev libnats-dev python3-venv
              default-jre-headless procps)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-bench-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q </dev/null
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

# The packaged services must not be left running on their default ports: the harness starts its
# own instances on free ports. Debian starts redis-server on install; stop it if it is ours to stop.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server >/dev/null 2>&1 || true
  systemctl disable redis-server >/dev/null 2>&1 || true
fi

cache="${LKSTREAM_CACHE:-$HOME/.cache/lkstream}"
venv="${BENCH_VENV:-$cache/bench-venv}"
if ! "$venv/bin/python" -c 'import matplotlib' >/dev/null 2>&1; then
  echo "install-bench-deps: creating $venv with matplotlib"
  mkdir -p "$cache"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'matplotlib>=3.6,<4' </dev/null
fi
