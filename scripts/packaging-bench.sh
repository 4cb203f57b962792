#!/usr/bin/env bash
# Size and start-up of the redistributable artifacts (issue 19; BENCHMARKS.md, "Packaging"), in the
# minimal Debian 12 root the packaging tests use: artifact sizes, installed sizes, `pip install`
# of the wheel into a fresh venv, a new Python process from start to its first produced record
# (import lkstream, open a data directory, create a topic, send, flush: acknowledged), and
# `lkstream serve` of the tarball from exec to its ready line. Median of RUNS runs each.
#   scripts/packaging-bench.sh ARTIFACTS_DIR [RUNS]   (ARTIFACTS_DIR/{wheel,dist,deb}, as
#   tests/packaging/build_artifacts.sh or make packages with PKG_DIR=... leave them)
# Root only. Not a test: prints a Markdown table.
set -euo pipefail
artifacts=$(cd "${1:?usage: packaging-bench.sh ARTIFACTS_DIR [RUNS]}" && pwd)
runs=${2:-7}
src=$(cd "$(dirname "$0")/.." && pwd)
PKG_ROOT=$(bash "$src/scripts/debian-root.sh" | tail -1)
export PKG_ROOT
source "$src/tests/packaging/lib.sh"
work=$(mktemp -d /tmp/lkstream-pkg-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
wheel=$(ls "$artifacts"/wheel/lkstream-*manylinux*.whl)
tarball=$(ls "$artifacts"/dist/lkstream-*-linux-*.tar.gz)
deb=$(ls "$artifacts"/deb/lkstream_*.deb)
in_root_prepare "$work"
cp "$wheel" "$tarball" "$work/share/"

cat >"$work/share/bench.sh" <<'SH'
#!/bin/bash
set -euo pipefail
runs=$1
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
pip_ms=() first_ms=() serve_ms=()
for i in $(seq "$runs"); do
  rm -rf /opt/venv /srv/d
  python3 -m venv /opt/venv
  t0=$(date +%s%N)
  /opt/venv/bin/pip install --quiet --no-index --no-cache-dir --disable-pip-version-check /share/lkstream-*.whl
  t1=$(date +%s%N)
  /opt/venv/bin/python -c '
import lkstream
with lkstream.open("/srv/d") as lk:
    lk.create_topic("t", 1)
    p = lk.producer(linger_ms=0)
    p.send("t", value=b"first")
    p.flush()
'
  t2=$(date +%s%N)
  pip_ms+=("$(ms "$t0" "$t1")")
  first_ms+=("$(ms "$t1" "$t2")")
done
site=$(/opt/venv/bin/python -c 'import lkstream, os; print(os.path.dirname(os.path.dirname(lkstream.__file__)))')
wheel_installed=$(du -sk "$site/lkstream" "$site/lkstream.libs" | awk '{ s += $1 } END { print s }')
mkdir -p /opt/t && tar xzf /share/lkstream-*.tar.gz -C /opt/t
bin=$(ls -d /opt/t/lkstream-*)/bin/lkstream
tar_installed=$(du -sk /opt/t | cut -f1)
for i in $(seq "$runs"); do
  rm -rf /srv/s
  t0=$(date +%s%N)
  "$bin" serve --data-dir /srv/s --listen 127.0.0.1:0 >/tmp/serve.log 2>&1 &
  pid=$!
  until grep -q 'lkstream: ready' /tmp/serve.log; do
    kill -0 "$pid" 2>/dev/null || { cat /tmp/serve.log; exit 1; }
    sleep 0.001
  done
  t1=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid"
  serve_ms+=("$(ms "$t0" "$t1")")
done
echo "pip_install_ms $(printf '%s\n' "${pip_ms[@]}" | median)"
echo "first_produce_ms $(printf '%s\n' "${first_ms[@]}" | median)"
echo "serve_ready_ms $(printf '%s\n' "${serve_ms[@]}" | median)"
echo "wheel_installed_kb $wheel_installed"
echo "tarball_installed_kb $tar_installed"
SH
out=$(in_root "$work" /bin/bash /share/bench.sh "$runs")
val() { awk -v k="$1" '$1 == k { print $2 }' <<<"$out"; }
kb() { echo "$(( $(stat -c %s "$1") / 1024 ))"; }
deb_installed=$(dpkg-deb -f "$deb" Installed-Size)
cat <<EOF
| Artifact | File | Installed | Start-up (median of $runs) |
|---|---|---|---|
| wheel $(basename "$wheel") | $(kb "$wheel") KiB | $(val wheel_installed_kb) KiB | pip install $(val pip_install_ms) ms; new process to first produced record $(val first_produce_ms) ms |
| tarball $(basename "$tarball") | $(kb "$tarball") KiB | $(val tarball_installed_kb) KiB | exec to serve's ready line $(val serve_ready_ms) ms |
| .deb $(basename "$deb") | $(kb "$deb") KiB | $deb_installed KiB | (the tarball's binary) |
EOF
