"""A compacted topic read as a table from Python: created with Engine.create_topic
(cleanup_policy="compact"), keyed updates and tombstones over two partitions, a forced
cleaning (Engine.run_cleaning) that leaves offset gaps and removes expired tombstones, then
Engine.table(): its snapshot is the latest value per key, poll() brings the updates after it
(a tombstone deletes its key), and the table stays readable after the engine closed."""

from __future__ import annotations

from pathlib import Path

import pytest

import lkstream
from conftest import wait_until


def _send(p: lkstream.Producer, model: dict[bytes, tuple[bytes | None, int]],
          key: bytes, value: bytes | None) -> None:
    def cb(err: lkstream.LkstreamError | None, rep: lkstream.DeliveryReport) -> None:
        assert err is None, err
        if key not in model or rep.offset > model[key][1]:
            model[key] = (value, rep.offset)
    p.send("prices", key=key, value=value, on_delivery=cb)


def _live(model: dict[bytes, tuple[bytes | None, int]]) -> dict[bytes, bytes]:
    return {k: v for k, (v, _) in model.items() if v is not None}


def test_python_table_snapshot_after_cleaning_then_updates(tmp_path: Path) -> None:
    cfg = tmp_path / "lkstream.toml"
    cfg.write_text('[broker]\ncleaner_backoff_ms = "1h"\n')  # only run_cleaning() cleans
    with lkstream.open(tmp_path / "data", cfg, worker_threads=2) as lk:
        lk.create_topic("prices", 2, cleanup_policy="compact", segment_bytes="1KiB",
                        min_cleanable_dirty_ratio=0.01, delete_retention=0)
        assert lk.describe("prices").cleanup_policy == "compact"
        p = lk.producer(linger_ms=0)
        model: dict[bytes, tuple[bytes | None, int]] = {}
        for rnd in range(15):
            for k in range(20):
                key = f"sym-{k}".encode()
                gone = k % 4 == 0 and rnd >= 10  # keys 0, 4, 8, ... deleted from round 10
                _send(p, model, key, None if gone else f"px-{rnd}-{k}".encode() + b"." * 40)
            p.flush()
        assert lk.run_cleaning() == 2
        assert sum(pi.end_offset for pi in lk.describe("prices").partition_info) == 300

        t = lk.table("prices")
        assert t.snapshot() == _live(model)
        assert len(t) == 15 and b"sym-0" not in t and t.get(b"sym-1") == model[b"sym-1"][0]
        assert sum(t.snapshot_offsets.values()) == 300
        assert t.poll(timeout=0.1) == []

        _send(p, model, b"sym-1", b"px-new")
        _send(p, model, b"sym-0", b"px-back")
        _send(p, model, b"sym-2", None)
        p.flush()
        seen: dict[bytes, bytes | None] = {}

        def step() -> None:
            for u in t.poll(timeout=0.2):
                assert u.offset >= t.snapshot_offsets[u.partition]
                seen[u.key] = u.value

        wait_until(lambda: len(seen) == 3, "the three updates", step=step)
        assert seen == {b"sym-1": b"px-new", b"sym-0": b"px-back", b"sym-2": None}
        assert t.snapshot() == _live(model)
        assert t.get(b"sym-2") is None and t.size_bytes > 0
        p.close()
        kept = t.snapshot()
    # The engine closed the table first; what it held stays readable.
    assert t.closed and t.snapshot() == kept
    with pytest.raises(lkstream.ClosedError):
        t.poll(timeout=0)


def test_python_table_iterates_updates_until_closed(tmp_path: Path) -> None:
    import threading
    with lkstream.open(tmp_path / "data", worker_threads=2) as lk:
        lk.create_topic("prices", 1, cleanup_policy="compact")
        with lk.table("prices") as t:
            assert len(t) == 0
            p = lk.producer(linger_ms=0)
            for i in range(5):
                p.send("prices", key=b"k", value=str(i).encode())
            p.flush()
            got: list[bytes | None] = []
            for u in t:
                got.append(u.value)
                if len(got) == 5:
                    threading.Thread(target=t.close).start()
            assert got == [b"0", b"1", b"2", b"3", b"4"] and t.get(b"k") == b"4"
            p.close()


def test_python_table_bad_input(tmp_path: Path) -> None:
    with lkstream.open(tmp_path / "data", worker_threads=2) as lk:
        with pytest.raises(lkstream.UnknownTopicError):
            lk.table("nope")
        with pytest.raises(lkstream.InvalidArgumentError, match="cleanup_policy"):
            lk.create_topic("bad", cleanup_policy="bogus")
        with pytest.raises(lkstream.InvalidArgumentError, match="min_cleanable_dirty_ratio"):
            lk.create_topic("bad", cleanup_policy="compact", min_cleanable_dirty_ratio=2.0)
        lk.create_topic("prices", 1, cleanup_policy="compact")
        with pytest.raises(lkstream.InvalidArgumentError):
            lk.table("prices", max_bytes=0)
        p = lk.producer(linger_ms=0)
        for i in range(50):
            p.send("prices", key=f"key-{i}".encode(), value=b"v" * 100)
        p.flush()
        with pytest.raises(lkstream.MessageTooLargeError, match="max_bytes"):
            lk.table("prices", max_bytes="2KiB")
        p.close()
