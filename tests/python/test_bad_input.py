"""Bad input raises a clear exception and never crashes the interpreter: wrong types, bad
values, closed objects, a locked data directory, a bad configuration file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import lkstream


def test_python_wrong_types_raise_type_errors(lk: lkstream.Engine) -> None:
    lk.create_topic("t")
    p = lk.producer()
    with pytest.raises(TypeError, match="value must be bytes"):
        p.send("t", 123)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="key must be bytes"):
        p.send("t", b"v", key=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        p.send(None, b"v")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="headers must be"):
        p.send("t", b"v", headers="src=feed")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="header key must be str"):
        p.send("t", b"v", headers={b"k": b"v"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="pair"):
        p.send("t", b"v", headers=[("a", b"1", b"2")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="on_delivery must be callable"):
        p.send("t", b"v", on_delivery=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"records\[1\]"):
        p.send_many("t", [b"ok", 7])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"records\[0\] must be a \(key, value\) tuple"):
        p.send_many("t", [(b"k", b"v", b"x")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not a single"):
        p.send_many("t", b"abc")
    with pytest.raises(TypeError):
        p.send_many("t", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lk.create_topic("x", retention=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lk.consumer(group="g", topics=["t"], max_poll_records="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lk.consumer(partitions=[("t",)])  # type: ignore[list-item]
    p.flush()
    assert lk.describe("t").partition_info[0].end_offset == 0  # nothing half-sent
    p.close()


def test_python_bad_values_raise_value_errors_that_say_what_is_wrong(lk: lkstream.Engine) -> None:
    with pytest.raises(lkstream.InvalidArgumentError, match="fsync must be"):
        lk.create_topic("t", fsync="sometimes")
    with pytest.raises(ValueError, match="retention"):
        lk.create_topic("t", retention="7 weeks")
    with pytest.raises(ValueError, match="invalid topic name"):
        lk.create_topic("bad/name")
    with pytest.raises(ValueError, match="partitions must be 1..10000"):
        lk.create_topic("t", 0)
    lk.create_topic("t", 2)
    p = lk.producer()
    with pytest.raises(lkstream.UnknownTopicError, match="unknown topic nope"):
        p.send("nope", b"v")
    with pytest.raises(lkstream.InvalidArgumentError, match="out of range"):
        p.send("t", b"v", partition=5)
    with pytest.raises(ValueError, match="partition must be >= 0"):
        p.send("t", b"v", partition=-1)
    with pytest.raises(lkstream.MessageTooLargeError):
        p.send("t", b"x" * (2 << 20))
    with pytest.raises(lkstream.UnknownTopicError, match=r"send_many: records\[0\]"):
        p.send_many("nope", [b"a", b"b"])
    with pytest.raises(ValueError, match="linger_ms"):
        lk.producer(linger_ms=-1)
    with pytest.raises(ValueError, match="auto_offset_reset"):
        lk.consumer(group="g", topics=["t"], auto_offset_reset="oldest")
    with pytest.raises(ValueError, match="needs a group"):
        lk.consumer(topics=["t"])
    with pytest.raises(lkstream.UnknownTopicError):
        lk.consumer(group="g", topics=["missing"])
    with pytest.raises(ValueError, match="no partition 9"):
        lk.consumer(partitions=[("t", 9)])
    c = lk.consumer(partitions=[("t", 0)])
    with pytest.raises(ValueError, match="needs a consumer with a group"):
        c.commit()
    with pytest.raises(ValueError, match="not assigned"):
        c.seek("t", 1, 0)
    with pytest.raises(ValueError, match="offset must be >= 0"):
        c.seek("t", 0, -5)
    with pytest.raises(ValueError, match="timeout"):
        c.poll_batch(timeout=-1)
    with pytest.raises(ValueError, match="max_records"):
        c.poll_batch(max_records=0)
    c.close()
    p.close()


def test_python_closed_objects_raise_closed_error(data_dir: Path) -> None:
    lk = lkstream.open(data_dir)
    lk.create_topic("t")
    p = lk.producer()
    c = lk.consumer(group="g", topics=["t"])
    p.send("t", b"v")
    c.close()
    c.close()  # idempotent
    with pytest.raises(lkstream.ClosedError, match="consumer is closed"):
        c.poll_batch(timeout=0)
    with pytest.raises(StopIteration):
        next(iter(c))
    p2 = lk.producer()
    lk.close()  # closes (flushing) the producers first
    assert p.closed and p2.closed and lk.closed
    with pytest.raises(lkstream.ClosedError, match="producer is closed"):
        p.send("t", b"v")
    with pytest.raises(lkstream.ClosedError):
        p2.flush()
    with pytest.raises(lkstream.ClosedError, match="engine is closed"):
        lk.topics()
    with pytest.raises(lkstream.ClosedError):
        lk.producer()
    with pytest.raises(lkstream.ClosedError):
        lk.listen()
    lk.close()
    with lkstream.open(data_dir) as again:  # the record sent before close was flushed
        assert again.describe("t").partition_info[0].end_offset == 1


def test_python_engine_close_stops_its_children_first_while_it_still_works(data_dir: Path) -> None:
    # The engine owns the stop order (its close hooks): open children are closed first, newest
    # first, and their last work (a flush, an async commit) reaches the log before it closes.
    lk = lkstream.open(data_dir)
    lk.create_topic("t")
    p = lk.producer()
    for i in range(10):
        p.send("t", b"v%d" % i)
    p.flush()
    c = lk.consumer(
        group="g", topics=["t"], auto_offset_reset="earliest", enable_auto_commit=False
    )
    got: list[lkstream.Record] = []
    deadline = time.monotonic() + 30
    while len(got) < 10 and time.monotonic() < deadline:
        got += c.poll_batch(timeout=0.2)
    assert len(got) == 10
    c.commit(asynchronous=True)  # still pending when the engine closes
    listener = lk.listen()
    late = lk.producer()
    late.send("t", b"late")  # not flushed by the application
    for _ in range(100):  # children that close themselves leave no hook behind
        lk.producer().close()
    lk.close()
    assert p.closed and c.closed and late.closed and listener.stopped and lk.closed
    with lkstream.open(data_dir) as again:
        assert again.describe("t").partition_info[0].end_offset == 11
        check = again.consumer(group="g", partitions=[("t", 0)])
        assert check.committed("t", 0) == 10
        check.close()


def test_python_locked_data_dir_raises_naming_the_holder(data_dir: Path) -> None:
    with lkstream.open(data_dir):
        with pytest.raises(lkstream.DataDirLockedError, match="locked") as e:
            lkstream.open(data_dir)
        assert e.value.code == "data_dir_locked"
        other = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(f"""
                import lkstream
                try:
                    lkstream.open({str(data_dir)!r})
                except lkstream.DataDirLockedError as e:
                    print("locked:", e)
            """)], capture_output=True, text=True, timeout=120)
        assert other.returncode == 0, other.stderr
        assert other.stdout.startswith("locked:")


def test_python_bad_config_file_raises_config_error_with_location(tmp_path: Path) -> None:
    cfg = tmp_path / "lkstream.toml"
    cfg.write_text('[broker]\ndata_dir = "%s"\n\n[topic_defaults]\nfsync = "sometimes"\n'
                   % (tmp_path / "d"))
    with pytest.raises(lkstream.ConfigError) as e:
        lkstream.open(config=cfg)
    assert f"{cfg}:5:" in str(e.value) and "fsync" in str(e.value)
    with pytest.raises(lkstream.StorageError, match="no-such.toml"):
        lkstream.open(config=tmp_path / "no-such.toml")


def test_python_abuse_in_a_subprocess_never_crashes_the_interpreter(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import gc, sys, threading, lkstream
        lk = lkstream.open(sys.argv[1])
        lk.create_topic("t", 2)
        p = lk.producer(linger_ms=0)
        c = lk.consumer(group="g", topics=["t"], auto_offset_reset="earliest")
        bad = [None, 1, 1.5, object(), [], {}, b"", "", (b"k",), (1, 2), float("nan"), -1, 2**70]
        n = 0
        # timeout=None is valid and waits for a record forever: once an earlier poll_batch took
        # the few records sent above, nothing would end that wait.
        def wait(x):
            return 0 if x is None else x
        for x in bad:
            for call in (lambda: p.send("t", x), lambda: p.send("t", b"v", key=x),
                         lambda: p.send("t", b"v", headers=x), lambda: p.send_many("t", x),
                         lambda: p.send_many("t", [x]), lambda: p.flush(x),
                         lambda: p.poll(x), lambda: c.poll_batch(x, 0),
                         lambda: c.poll_batch(1, wait(x)), lambda: c.seek("t", 0, x),
                         lambda: c.commit(x), lambda: lk.create_topic(x),
                         lambda: lk.create_topic("y", x), lambda: lk.describe(x),
                         lambda: lk.lag(x), lambda: c.seek_to_time("t", x)):
                try:
                    call()
                except (TypeError, ValueError, OverflowError, lkstream.LkstreamError):
                    n += 1
        # Objects dropped in odd orders, from several threads.
        prods = [lk.producer() for _ in range(4)]
        def hammer(pr):
            try:
                for i in range(100000):
                    pr.send("t", b"x", on_delivery=lambda e, r: None)
            except lkstream.ClosedError:
                pass
        ts = [threading.Thread(target=hammer, args=(pr,)) for pr in prods]
        [t.start() for t in ts]
        lk.close()  # while they send: they get ClosedError, nothing crashes
        [t.join() for t in ts]
        del prods, p, c
        gc.collect()
        print("survived", n)
    """)
    r = subprocess.run([sys.executable, "-c", script, str(tmp_path / "d")], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.startswith("survived")


def test_python_send_many_names_the_refused_record_and_keeps_those_before_it(
        lk: lkstream.Engine) -> None:
    lk.create_topic("refused", 1)
    p = lk.producer()
    delivered: list[bytes] = []

    def on_delivery(err: lkstream.LkstreamError | None, rep: object) -> None:
        assert err is None
        delivered.append(b"ok")

    too_big = b"x" * (2 << 20)  # over the topic's max batch size
    with pytest.raises(lkstream.LkstreamError) as e:
        p.send_many("refused", [b"a", b"b", too_big, b"c"], on_delivery=on_delivery)
    assert "records[2]" in str(e.value) and "2 records before it were queued" in str(e.value)
    assert "record 2:" not in str(e.value)  # the binding reads the count, not the message
    p.flush()
    assert len(delivered) == 2
