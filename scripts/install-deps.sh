#!/usr/bin/env bash
# Installs what LKSTREAM needs to build and test on Debian 12, only where it is missing.
# Idempotent and quiet when everything is there; safe without a terminal (CI=true, no stdin).
set -euo pipefail

apt_packages=(build-essential cmake ninja-build pkg-config libcaf-dev librdkafka-dev
              libtomlplusplus-dev doctest-dev libasio-dev kcat nlohmann-json3-dev
              zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libssl-dev openssl
              # Apache Kafka for the bridge tests and benchmarks (scripts/apache-kafka.sh), Java client tests
              maven openjdk-17-jdk-headless python3-venv
              # the Python package (python/, nanobind) builds against the interpreter's headers
              python3-dev
              # kafkajs client tests (npm: NodeSource's nodejs bundles it, Debian's needs the package)
              nodejs
              # libFuzzer target of the Kafka request decoder (tests/fuzz), built with clang 14
              clang-14 libclang-rt-14-dev libfuzzer-14-dev
              # the HTTP listener (metrics, health, JSON API, console); its tests: promtool
              # validates /metrics, Selenium drives the system's headless Chromium
              libcpp-httplib-dev prometheus chromium chromium-driver python3-selenium
              # packaging tests (tests/packaging): the minimal Debian 12 root, the .deb's man page
              # check, the unit check (systemd-analyze)
              debootstrap man-db systemd)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q </dev/null
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
