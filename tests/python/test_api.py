"""The API of the issue end to end: topics, producer (send, send_many, flush, callbacks),
consumer (poll_batch, iteration, commit, seek, seek_to_time), admin, zero-copy views."""

from __future__ import annotations

import ctypes
import re
import threading
import time
from pathlib import Path

import pytest

import lkstream
from conftest import wait_until


def test_python_version_comes_from_the_cmake_project() -> None:
    cmake = (Path(__file__).resolve().parents[2] / "CMakeLists.txt").read_text()
    version = re.search(r"project\(lkstream VERSION ([0-9.]+)", cmake).group(1)
    assert lkstream.__version__ == version


def test_python_issue_example_end_to_end(lk: lkstream.Engine) -> None:
    lk.create_topic("ticks", partitions=4, retention="1d", fsync="interval")
    info = lk.describe("ticks")
    assert (info.name, info.partitions, info.fsync, info.retention_ms) == (
        "ticks", 4, "interval", 86_400_000)
    assert lk.topics() == ["ticks"]

    p = lk.producer(linger_ms=1)
    p.send("ticks", value=b'{"p":123}', key=b"AAPL", headers={"src": b"feed1"})
    assert p.send_many("ticks", [(b"AAPL", b"a1"), (b"TSLA", b"t1"), (None, b"n1")]) == 3
    assert p.flush() == 0

    c = lk.consumer(group="strategy-v1", topics=["ticks"], auto_offset_reset="earliest")
    got = []
    wait_until(lambda: len(got) >= 4, "4 records",
               step=lambda: got.extend(c.poll_batch(max_records=500, timeout=0.5)))
    assert len(got) == 4
    by_value = {r.value: r for r in got}
    first = by_value[b'{"p":123}']
    assert (first.topic, first.key, first.headers) == ("ticks", b"AAPL", [("src", b"feed1")])
    assert by_value[b"a1"].partition == first.partition  # same key, same partition
    assert by_value[b"n1"].key is None
    now_ms = time.time() * 1000
    assert all(abs(r.timestamp - now_ms) < 120_000 for r in got)
    assert all(isinstance(r.offset, int) and r.offset >= 0 for r in got)
    c.commit()
    in_first = [r.offset for r in got if r.partition == first.partition]
    assert c.committed("ticks", first.partition) == max(in_first) + 1
    assert sum(l.lag for l in lk.lag("strategy-v1")) == 0
    assert [g.group_id for g in lk.groups()] == ["strategy-v1"]
    c.close()
    p.close()


def test_python_delivery_callbacks_run_on_the_callers_thread_only(lk: lkstream.Engine) -> None:
    lk.create_topic("cb", partitions=2)
    p = lk.producer(linger_ms=0)
    calls: list[tuple[object, lkstream.DeliveryReport, int]] = []

    def on_delivery(err: object, rep: lkstream.DeliveryReport) -> None:
        calls.append((err, rep, threading.get_ident()))

    for i in range(100):
        p.send("cb", value=b"v%d" % i, key=b"k%d" % i, on_delivery=on_delivery)
    # The engine acknowledges on its own threads; nothing runs until we poll or flush.
    wait_until(lambda: p.pending_callbacks == 100, "100 acknowledgements")
    assert calls == []
    assert p.poll(0) == 100
    assert len(calls) == 100
    assert {t for _, _, t in calls} == {threading.get_ident()}
    assert all(err is None for err, _, _ in calls)
    offsets = sorted((r.partition, r.offset) for _, r, _ in calls)
    assert len(set(offsets)) == 100
    assert all(r.topic == "cb" for _, r, _ in calls)

    calls.clear()
    p.send_many("cb", [b"x"] * 50, on_delivery=on_delivery)
    p.flush()
    assert len(calls) == 50 and {t for _, _, t in calls} == {threading.get_ident()}
    p.close()


def test_python_callback_exception_propagates_from_poll_after_all_callbacks_ran(
        lk: lkstream.Engine) -> None:
    lk.create_topic("boom")
    p = lk.producer(linger_ms=0)
    seen = []

    def bad(err: object, rep: lkstream.DeliveryReport) -> None:
        seen.append(rep.offset)
        if rep.offset == 1:
            raise RuntimeError("callback failed")

    for _ in range(3):
        p.send("boom", b"x", on_delivery=bad)
    with pytest.raises(RuntimeError, match="callback failed"):
        p.flush()
    assert sorted(seen) == [0, 1, 2]
    p.close()


def test_python_send_many_accepts_generators_and_buffers(lk: lkstream.Engine) -> None:
    lk.create_topic("many")
    p = lk.producer()
    n = p.send_many("many", ((b"k", bytearray(b"v%d" % i)) for i in range(2500)))
    n += p.send_many("many", [memoryview(b"mv"), "text"])
    p.flush()
    assert n == 2502
    assert lk.describe("many").partition_info[0].end_offset == 2502
    c = lk.consumer(partitions=[("many", 0)], auto_offset_reset="earliest")
    values = []
    wait_until(lambda: len(values) >= 2502, "2502 records",
               step=lambda: values.extend(r.value for r in c.poll_batch(timeout=0.5)))
    assert values[:2] == [b"v0", b"v1"] and values[-2:] == [b"mv", b"text"]
    c.close()


def test_python_seek_and_seek_to_time(lk: lkstream.Engine) -> None:
    lk.create_topic("t", partitions=1)
    p = lk.producer()
    for i in range(10):
        p.send("t", b"%d" % i, timestamp=1_000_000 + i * 1000)
    p.flush()
    c = lk.consumer(group="g", topics=["t"], auto_offset_reset="earliest")
    recs = []
    wait_until(lambda: len(recs) >= 10, "10 records",
               step=lambda: recs.extend(c.poll_batch(timeout=0.5)))
    assert [r.timestamp for r in recs] == [1_000_000 + i * 1000 for i in range(10)]
    c.seek("t", 0, offset=3)
    assert c.poll_batch(max_records=1, timeout=5)[0].value == b"3"
    c.seek_to_time("t", 1_006_500)  # the first record at or after: offset 7
    assert c.position("t", 0) == 7
    assert c.poll_batch(max_records=1, timeout=5)[0].offset == 7
    c.seek_to_beginning()
    assert c.poll_batch(max_records=1, timeout=5)[0].offset == 0
    c.seek_to_end("t")
    assert c.position("t", 0) == 10
    assert c.poll_batch(timeout=0.2) == []
    c.close()


def test_python_small_batches_and_iteration_commit_what_was_handed_out(
        lk: lkstream.Engine) -> None:
    lk.create_topic("it", partitions=1)
    p = lk.producer()
    p.send_many("it", [b"%d" % i for i in range(100)])
    p.flush()
    c = lk.consumer(group="it-g", topics=["it"], auto_offset_reset="earliest",
                    enable_auto_commit=False)
    first = []
    wait_until(lambda: len(first) >= 1, "a record",
               step=lambda: first.extend(c.poll_batch(max_records=1, timeout=0.5)))
    it = iter(c)
    more = [next(it) for _ in range(9)]
    assert [r.offset for r in first + more] == list(range(10))
    assert c.position("it", 0) == 10
    c.commit()  # the engine fetched more than 10: only the 10 handed out count
    assert c.committed("it", 0) == 10
    c.close()
    c2 = lk.consumer(group="it-g", topics=["it"], auto_offset_reset="earliest")
    got = []
    wait_until(lambda: len(got) >= 1, "resumed record",
               step=lambda: got.extend(c2.poll_batch(max_records=1, timeout=0.5)))
    assert got[0].offset == 10
    c2.close()


def test_python_iteration_ends_when_another_thread_closes_the_consumer(
        lk: lkstream.Engine) -> None:
    lk.create_topic("stop")
    c = lk.consumer(partitions=[("stop", 0)], auto_offset_reset="earliest")
    closer = threading.Timer(0.3, c.close)
    closer.start()
    started = time.monotonic()
    assert list(c) == []
    closer.join()
    assert c.closed and time.monotonic() - started < 30


class _PyBuffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.py_object), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int),
                ("ndim", ctypes.c_int), ("format", ctypes.c_char_p),
                ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]


def buffer_address(view: memoryview) -> int:
    """The address of a (read-only) buffer's first byte, through the C buffer protocol."""
    b = _PyBuffer()
    get = ctypes.pythonapi.PyObject_GetBuffer
    get.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
    assert get(view, ctypes.byref(b), 0) == 0
    try:
        return int(b.buf)
    finally:
        ctypes.pythonapi.PyBuffer_Release.argtypes = [ctypes.POINTER(_PyBuffer)]
        ctypes.pythonapi.PyBuffer_Release(ctypes.byref(b))


def test_python_value_views_are_zero_copy_and_outlive_the_engine(data_dir: Path) -> None:
    eng = lkstream.open(data_dir)
    eng.create_topic("zc")
    p = eng.producer()
    p.send("zc", value=b"x" * 1000, key=b"key")
    p.flush()
    c = eng.consumer(partitions=[("zc", 0)], auto_offset_reset="earliest")
    recs = []
    wait_until(lambda: bool(recs), "a record", step=lambda: recs.extend(c.poll_batch(timeout=0.5)))
    view = recs[0].value_view
    assert isinstance(view, memoryview) and view.readonly
    assert view.tobytes() == b"x" * 1000 and bytes(recs[0].key_view) == b"key"
    with pytest.raises(TypeError):
        view[0] = 1  # read-only: the batch buffer is shared
    # Both views point into the one batch buffer: in Kafka's record layout the value follows
    # the key after its length varint (2 bytes for 1000).
    key_addr = buffer_address(recs[0].key_view)
    assert buffer_address(recs[0].value_view) - key_addr == len(b"key") + 2
    assert buffer_address(recs[0].value_view) == buffer_address(view)
    c.close()
    eng.close()
    assert view.tobytes() == b"x" * 1000  # the view keeps its batch alive


def test_python_admin_describe_groups_lag_delete(lk: lkstream.Engine) -> None:
    lk.create_topic("adm", 3, retention="forever", retention_bytes="1GiB", segment_bytes="1MiB",
                    fsync="never", timestamp_type="LogAppendTime")
    t = lk.describe("adm")
    assert (t.retention_ms, t.retention_bytes, t.segment_bytes, t.fsync, t.timestamp_type) == (
        -1, 1 << 30, 1 << 20, "never", "LogAppendTime")
    assert [pi.partition for pi in t.partition_info] == [0, 1, 2]
    lk.create_topic("adm", exist_ok=True)
    with pytest.raises(lkstream.TopicExistsError):
        lk.create_topic("adm")
    p = lk.producer()
    p.send_many("adm", [(b"k%d" % i, b"v") for i in range(30)])
    p.flush()
    c = lk.consumer(group="adm-g", topics=["adm"], auto_offset_reset="earliest")
    got = []
    wait_until(lambda: len(got) >= 10, "some records",
               step=lambda: got.extend(c.poll_batch(max_records=10, timeout=0.5)))
    c.commit()
    lag = {(l.topic, l.partition): l for l in lk.lag("adm-g")}
    assert sum(l.end_offset for l in lag.values()) == 30
    assert sum(l.lag for l in lag.values()) == 30 - len(got)
    own = c.lag()
    assert sum(l.end_offset for l in own) == 30
    g = lk.describe_group("adm-g")
    assert g.state == "Stable" and len(g.members) == 1
    assert sorted(g.members[0].assignment) == [("adm", 0), ("adm", 1), ("adm", 2)]
    c.close()
    lk.add_partitions("adm", 4)
    assert lk.describe("adm").partitions == 4
    lk.delete_topic("adm")
    assert "adm" not in lk.topics()
    with pytest.raises(lkstream.UnknownTopicError):
        lk.describe("adm")


def test_python_max_open_files_bounds_the_descriptors_of_many_partitions(data_dir: Path) -> None:
    import os

    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    with pytest.raises(ValueError, match="max_open_files"):
        lkstream.open(data_dir, max_open_files=3)
    with lkstream.open(data_dir, max_open_files=16) as lk:
        before = open_fds()
        for t in range(50):
            lk.create_topic(f"dev-{t}", partitions=1)
        with lk.producer(linger_ms=0) as p:
            for t in range(50):
                p.send(f"dev-{t}", value=b"reading")
            p.flush()
        assert open_fds() <= before + 16
        with lk.consumer(partitions=[(f"dev-{t}", 0) for t in range(50)],
                         auto_offset_reset="earliest") as c:
            seen = 0
            deadline = time.monotonic() + 30
            while seen < 50 and time.monotonic() < deadline:
                seen += len(c.poll_batch(timeout=0.2))
        assert seen == 50
        assert open_fds() <= before + 16
