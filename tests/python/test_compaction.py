"""A compacted topic from Python: declared in lkstream.toml (cleanup_policy = "compact"), a
keyless record refused with InvalidRecordError, keyed updates, the engine's cleaner (every
50ms here) compacting it, and a consumer reading it from the start across the offset gaps:
the latest value of every key at the offset its delivery report gave."""

from __future__ import annotations

from pathlib import Path

import pytest

import lkstream
from conftest import wait_until


def _read_all(lk: lkstream.Engine, end: int) -> dict[int, tuple[bytes, bytes]]:
    c = lk.consumer(partitions=[("prices", 0)], auto_offset_reset="earliest",
                    enable_auto_commit=False)
    got: dict[int, tuple[bytes, bytes]] = {}
    last = -1

    def step() -> None:
        nonlocal last
        for r in c.poll_batch(max_records=500, timeout=0.2):
            assert r.offset > last
            last = r.offset
            got[r.offset] = (r.key, r.value)

    wait_until(lambda: last >= end - 1, "the end of prices-0", step=step)
    c.close()
    return got


def test_python_reads_a_compacted_topic_across_offset_gaps(tmp_path: Path) -> None:
    cfg = tmp_path / "lkstream.toml"
    cfg.write_text('[broker]\ncleaner_backoff_ms = 50\n\n'
                   '[[topic]]\nname = "prices"\ncleanup_policy = "compact"\n'
                   'segment_bytes = "1KiB"\nmin_cleanable_dirty_ratio = 0.01\n')
    with lkstream.open(tmp_path / "data", cfg, worker_threads=2) as lk:
        p = lk.producer(linger_ms=0)
        with pytest.raises(lkstream.InvalidRecordError, match="needs a key"):
            p.send("prices", value=b"no key")
        sent: dict[int, tuple[bytes, bytes]] = {}
        errors: list[lkstream.LkstreamError] = []

        def on_delivery(kv: tuple[bytes, bytes]):
            def cb(err: lkstream.LkstreamError | None, rep: lkstream.DeliveryReport) -> None:
                if err is not None:
                    errors.append(err)
                else:
                    sent[rep.offset] = kv
            return cb

        for rnd in range(20):
            for k in range(10):
                kv = (f"sym-{k}".encode(), f"px-{rnd}-{k}".encode())
                p.send("prices", key=kv[0], value=kv[1], on_delivery=on_delivery(kv))
            p.flush()
        assert not errors
        assert sorted(sent) == list(range(200))

        # The cleaner runs on its own: wait until round 0 (offsets 0..9, all superseded) is gone.
        def first_offset() -> int:
            c = lk.consumer(partitions=[("prices", 0)], auto_offset_reset="earliest",
                            enable_auto_commit=False)
            try:
                batch = c.poll_batch(max_records=1, timeout=0.5)
                return batch[0].offset if batch else -1
            finally:
                c.close()

        wait_until(lambda: first_offset() >= 10, "the cleaner to compact prices-0", seconds=60)
        seen = _read_all(lk, 200)
        assert len(seen) < 200
        for off, rec in seen.items():
            assert sent[off] == rec  # the original offsets
        latest = {key: off for off, (key, _) in sorted(sent.items())}
        assert all(off in seen for off in latest.values())
        p.close()
