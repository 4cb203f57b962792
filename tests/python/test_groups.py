"""Consumer groups from Python: two consumers of one group in two threads rebalance, and a
restarted engine resumes from the committed offsets."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import lkstream
from conftest import wait_until

PARTITIONS = 4


def test_python_two_consumers_in_two_threads_rebalance(lk: lkstream.Engine) -> None:
    lk.create_topic("orders", PARTITIONS)
    p = lk.producer()
    p.send_many("orders", [(b"key-%d" % i, b"%d" % i) for i in range(400)])
    p.flush()

    seen: dict[str, list[lkstream.Record]] = {"a": [], "b": []}
    assignments: dict[str, list[tuple[str, int]]] = {"a": [], "b": []}
    stop = threading.Event()
    consumers: dict[str, lkstream.Consumer] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            c = lk.consumer(group="workers", topics=["orders"], auto_offset_reset="earliest",
                            session_timeout_ms=10000, heartbeat_interval_ms=200,
                            enable_auto_commit=False)
            consumers[name] = c
            while not stop.is_set():
                batch = c.poll_batch(timeout=0.2)
                seen[name].extend(batch)
                assignments[name] = c.assignment()
                if batch:
                    c.commit()
            c.close()
        except BaseException as e:  # reported by the main thread, not lost with this one
            errors.append(e)
            raise

    def no_errors(pred: Callable[[], bool]) -> Callable[[], bool]:
        # A failed thread fails the wait at once, with its exception.
        def check() -> bool:
            assert not errors, errors
            return pred()
        return check

    def all_committed() -> bool:
        return sum(l.lag for l in lk.lag("workers", "orders")) == 0

    a = threading.Thread(target=run, args=("a",))
    a.start()
    wait_until(no_errors(lambda: len(assignments["a"]) == PARTITIONS), "a owns every partition")
    wait_until(no_errors(lambda: len(seen["a"]) == 400), "a consumed the first 400")
    # a hands a batch to Python before it commits it: b may only join once a's commit of the
    # last batch has landed, or b would re-read those records (and a's commit, racing the
    # rebalance, could be refused).
    wait_until(no_errors(all_committed), "a committed the first 400")
    b = threading.Thread(target=run, args=("b",))
    b.start()
    wait_until(no_errors(lambda: len(assignments["a"]) == 2 and len(assignments["b"]) == 2),
               "the rebalance splits the partitions 2/2")
    assert set(assignments["a"]).isdisjoint(assignments["b"])
    assert set(assignments["a"]) | set(assignments["b"]) == {("orders", i) for i in range(4)}

    p.send_many("orders", [(b"key-%d" % i, b"%d" % i) for i in range(400, 800)])
    p.flush()
    wait_until(no_errors(lambda: len(seen["a"]) + len(seen["b"]) >= 800), "the next 400 records")
    late_a = {(r.partition, r.offset) for r in seen["a"][400:]}
    late_b = {(r.partition, r.offset) for r in seen["b"]}
    assert late_a.isdisjoint(late_b)  # each record to one member only
    assert {r.partition for r in seen["b"]} <= {pt for _, pt in assignments["b"]}
    values = sorted(int(r.value) for r in seen["a"] + seen["b"])
    assert values == list(range(800))

    # Both commit each batch after handing it over: stopping before those commits landed
    # would make b's leave race a's last commit (refused during the rebalance that starts).
    wait_until(no_errors(all_committed), "both members committed the 800")
    # b leaves: a gets every partition back.
    stop_b = consumers["b"]
    stop_b.wakeup()
    stop.set()
    a.join(60)
    b.join(60)
    assert not a.is_alive() and not b.is_alive()
    assert not errors, errors
    assert sum(l.lag for l in lk.lag("workers")) == 0


def test_python_restart_resumes_from_committed_offsets(data_dir: Path) -> None:
    with lkstream.open(data_dir) as lk:
        lk.create_topic("jobs", 2, fsync="always")
        p = lk.producer()
        p.send_many("jobs", [(b"k%d" % i, b"%d" % i) for i in range(200)])
        p.flush()
        c = lk.consumer(group="resume", topics=["jobs"], auto_offset_reset="earliest",
                        enable_auto_commit=False)
        got: list[lkstream.Record] = []
        wait_until(lambda: len(got) >= 100, "100 records",
                   step=lambda: got.extend(c.poll_batch(max_records=25, timeout=0.5)))
        c.commit()
        committed = {pt: c.committed("jobs", pt) for pt in range(2)}
        consumed = {(r.partition, r.offset) for r in got}
        # Uncommitted reads after the commit must come back after the restart.
        got.extend(c.poll_batch(max_records=5, timeout=1))

    with lkstream.open(data_dir) as lk:
        assert lk.describe("jobs").partitions == 2
        c = lk.consumer(group="resume", topics=["jobs"], auto_offset_reset="earliest")
        rest: list[lkstream.Record] = []
        wait_until(lambda: len(rest) >= 200 - len(consumed), "the rest",
                   step=lambda: rest.extend(c.poll_batch(timeout=0.5)))
        firsts = {}
        for r in rest:
            firsts.setdefault(r.partition, r.offset)
        for pt, off in firsts.items():
            assert off == committed[pt], (pt, off, committed)
        assert consumed.isdisjoint({(r.partition, r.offset) for r in rest})
        assert sorted(int(r.value) for r in rest) == sorted(
            set(range(200)) - {int(r.value) for r in got[:len(consumed)]})
        assert len(rest) == 200 - len(consumed)
        c.close()
