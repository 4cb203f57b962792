#!/usr/bin/env bash
# The wheel of `make wheel` in the minimal Debian 12 root (no CAF, librdkafka, toml++, codecs,
# compiler or /usr/include; Debian's own python3): installed with pip into a fresh venv from the
# file alone (--no-index), its libraries resolved inside the wheel, the Python quick start of
# docs/python.md run as written, the `lkstream` console script serving kcat (on the host) and its
# own produce/consume commands (the vendored librdkafka), and a connector plugin loaded from the
# wheel's lkstream/connectors.
#   wheel_test.sh SOURCE_DIR ARTIFACTS_DIR WORK_DIR      (PKG_ROOT: the minimal root)
set -euo pipefail
src=$1 artifacts=$2 work=$3
source "$src/tests/packaging/lib.sh"
wheel=$(ls "$artifacts"/wheel/lkstream-*manylinux*.whl)
version=$(sed -nE 's/^project\(lkstream VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
in_root_prepare "$work"
check_root_is_bare "$work"
cp "$wheel" "$work/share/"

# The docs' quick start, verbatim (the code block under "## Quick start"), with what it leaves
# to the reader defined first: ts_ms and the optional lkstream.toml.
awk '/^## Quick start/ { on = 1; next } on && /^```python/ { code = 1; next }
     code && /^```/ { exit } code { print }' "$src/docs/python.md" >"$work/share/quickstart_body.py"
[[ -s $work/share/quickstart_body.py ]] || pkg_fail "no Python quick start in docs/python.md"
{
  echo "import time"
  echo "ts_ms = int(time.time() * 1000) - 60000"
  cat "$work/share/quickstart_body.py"
} >"$work/share/quickstart.py"

cat >"$work/share/install.sh" <<'SH'
#!/bin/sh
set -e
wheel=$(ls /share/lkstream-*.whl)
tag=$(python3 -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
case $wheel in
  *-$tag-*) ;;
  *) echo "the wheel $wheel is not for this root's CPython ($tag)"; exit 1 ;;
esac
python3 -m venv /opt/venv
/opt/venv/bin/pip install --quiet --no-index --no-cache-dir --disable-pip-version-check "$wheel"
site=$(/opt/venv/bin/python -c 'import lkstream, os; print(os.path.dirname(os.path.dirname(lkstream.__file__)))')
bad=0
for f in $(find "$site/lkstream" "$site"/lkstream.libs -name '*.so*' -type f); do
  out=$(ldd "$f") || { echo "ldd $f failed"; bad=1; continue; }
  if echo "$out" | grep -q 'not found'; then echo "$f: $out"; bad=1; fi
done
[ $bad = 0 ]
ls "$site/lkstream/connectors"
/opt/venv/bin/lkstream version
SH
out=$(in_root "$work" /bin/sh /share/install.sh 2>&1) || { echo "$out"; pkg_fail "the wheel does not install and load"; }
echo "$out"
[[ $(tail -1 <<<"$out") == "lkstream $version" ]] || pkg_fail "the console script said '$(tail -1 <<<"$out")'"

cat >"$work/share/use.sh" <<'SH'
#!/bin/sh
set -e
mkdir -p /srv/qs && cd /srv/qs && : >lkstream.toml
/opt/venv/bin/python /share/quickstart.py
# What the quick start does, checked: every record back, through a group.
/opt/venv/bin/python - <<'PY'
import lkstream
with lkstream.open("/srv/check") as lk:
    lk.create_topic("t", 2)
    p = lk.producer()
    p.send_many("t", [(b"k%d" % i, b"v%d" % i) for i in range(1000)])
    p.flush()
    c = lk.consumer(group="g", topics=["t"], auto_offset_reset="earliest")
    got = []
    for _ in range(200):
        got += c.poll_batch(timeout=0.5)
        if len(got) >= 1000:
            break
    assert sorted(r.value for r in got) == sorted(b"v%d" % i for i in range(1000)), len(got)
    c.commit()
print("wheel: lkstream", lkstream.__version__, "produces and consumes in-process")
PY
# The embedded CLI loads a connector from the wheel (kafka_bridge links the vendored librdkafka).
/opt/venv/bin/lkstream connector describe kafka_bridge >/dev/null
/opt/venv/bin/lkstream connector describe file_sink >/dev/null
SH
in_root "$work" /bin/sh /share/use.sh || pkg_fail "the Python quick start or the checks failed in the root"

log=$work/serve.log
in_root_bg "$work" /opt/venv/bin/lkstream serve --data-dir /srv/served --listen 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
addr=$(wait_ready "$log" "$pid")
echo "lkstream serve (the wheel's console script) ready on $addr"
kcat_round_trip "$addr" from-kcat 200
# The wheel's own Kafka client commands, in the root, against the same server.
got=$(in_root "$work" /bin/sh -c "/opt/venv/bin/lkstream topic create wheel-cli --bootstrap $addr >/dev/null &&
  seq 1 50 | /opt/venv/bin/lkstream produce wheel-cli --bootstrap $addr >/dev/null &&
  /opt/venv/bin/lkstream consume wheel-cli --bootstrap $addr --from-beginning --count 50 --value-only") ||
  { cat "$log"; pkg_fail "lkstream produce/consume of the wheel failed"; }
[[ $got == "$(seq 1 50)" ]] || pkg_fail "lkstream consume gave back something else: $(head -3 <<<"$got")..."
stop_server "$pid" "$log"
trap - EXIT
echo "wheel: pip install in a fresh venv, quick start, serve + kcat, CLI produce/consume, connectors"
echo "1 passed, 0 failed"
