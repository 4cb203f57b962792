"""A process killed with SIGKILL while producing with fsync="always" loses no record whose
delivery it had seen acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import lkstream
from conftest import wait_until

CHILD = textwrap.dedent("""
    import sys
    import lkstream
    lk = lkstream.open(sys.argv[1])
    lk.create_topic("durable", 3, fsync="always", exist_ok=True)
    p = lk.producer(linger_ms=1)
    out = sys.stdout

    i = 0
    while True:
        value = b"rec-%d" % i
        def cb(err, rep, value=value):
            if err is None:
                out.write("%d %d %s\\n" % (rep.partition, rep.offset, value.decode()))
        p.send("durable", value, key=b"k%d" % (i % 17), on_delivery=cb)
        i += 1
        if i % 50 == 0:
            p.poll(0)
            out.flush()
""")


def test_python_sigkill_while_producing_with_fsync_always_loses_no_acked_record(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = dict(os.environ)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data)], stdout=subprocess.PIPE,
                             env=env, text=True)
    acked: list[tuple[int, int, str]] = []
    assert child.stdout is not None
    os.set_blocking(child.stdout.fileno(), True)
    deadline = time.monotonic() + 120
    while len(acked) < 3000 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line.endswith("\n"):
            break
        pt, off, val = line.split()
        acked.append((int(pt), int(off), val))
    os.kill(child.pid, signal.SIGKILL)
    child.wait(60)
    assert child.returncode == -signal.SIGKILL
    assert len(acked) >= 3000, f"only {len(acked)} acknowledgements before the deadline"

    with lkstream.open(data) as lk:
        c = lk.consumer(partitions=[("durable", p) for p in range(3)],
                        auto_offset_reset="earliest")
        ends = {pi.partition: pi.end_offset for pi in lk.describe("durable").partition_info}
        need = {pt: max(off for p2, off, _ in acked if p2 == pt) + 1
                for pt in {a[0] for a in acked}}
        for pt, n in need.items():
            assert ends[pt] >= n, f"partition {pt}: log ends at {ends[pt]}, acked up to {n - 1}"
        stored: dict[tuple[int, int], bytes] = {}
        wait_until(lambda: len(stored) >= sum(ends.values()), "every stored record",
                   step=lambda: stored.update(
                       {(r.partition, r.offset): r.value for r in c.poll_batch(timeout=0.5)}))
        for pt, off, val in acked:
            assert stored[(pt, off)] == val.encode(), (pt, off, val)
        # Offsets are contiguous from 0 in every partition.
        for pt, end in ends.items():
            assert sorted(o for p2, o in stored if p2 == pt) == list(range(end))
        c.close()
