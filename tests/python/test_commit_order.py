"""Offset commits of one consumer take effect in the order they were issued: a synchronous
commit issued after many asynchronous ones (a lower offset, as after a seek back) is the one
that stays, embedded (Consumer.commit(asynchronous=True)) and over the Kafka protocol
(confluent-kafka on one connection), also across a SIGKILL of `lkstream serve`."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
from functools import partial
from pathlib import Path
from typing import Iterator

import confluent_kafka
import confluent_kafka.admin
import pytest
from confluent_kafka import TopicPartition

import lkstream
from conftest import lkstream_binary, wait_until

TOPIC = "orders"


def make_topic(lk: lkstream.Engine, records: int = 2000) -> None:
    lk.create_topic(TOPIC, 1)
    p = lk.producer(linger_ms=0)
    p.send_many(TOPIC, [b"%d" % i for i in range(records)])
    p.flush()
    p.close()


def group_consumer(lk: lkstream.Engine, group: str) -> lkstream.Consumer:
    """A consumer of `group` that owns partition 0 of TOPIC (it has records buffered)."""
    c = lk.consumer(group=group, topics=[TOPIC], auto_offset_reset="earliest",
                    enable_auto_commit=False, heartbeat_interval_ms=200)
    wait_until(lambda: c.assignment() == [(TOPIC, 0)], "the partition to be assigned",
               step=lambda: c.poll_batch(max_records=1, timeout=0.1))
    return c


Outcomes = list[tuple[int, "lkstream.LkstreamError | None"]]


def note(outcomes: Outcomes, offset: int, err: lkstream.LkstreamError | None) -> None:
    outcomes.append((offset, err))


# --- embedded --------------------------------------------------------------------------------


def test_python_sync_commit_after_1000_async_commits_is_the_committed_one(
        lk: lkstream.Engine) -> None:
    make_topic(lk)
    c = group_consumer(lk, "g-seek-back")
    outcomes: Outcomes = []
    for off in range(1, 1001):
        c.commit({(TOPIC, 0): off}, asynchronous=True, on_commit=partial(note, outcomes, off))
    c.seek(TOPIC, 0, 10)  # reprocess from 10: the older, higher commits must not win
    c.commit()            # synchronous, the position: 10
    assert c.committed(TOPIC, 0) == 10
    # The synchronous commit returned after the async ones were written and ran their
    # callbacks, once each, in issue order.
    assert outcomes == [(off, None) for off in range(1, 1001)]
    c.close()
    assert len(outcomes) == 1000
    assert [(l.partition, l.committed) for l in lk.lag("g-seek-back")] == [(0, 10)]


def test_python_close_writes_pending_async_commits_and_runs_each_callback_once_in_order(
        data_dir: Path) -> None:
    outcomes: Outcomes = []
    with lkstream.open(data_dir, worker_threads=2) as lk:
        make_topic(lk)
        c = group_consumer(lk, "g-close")
        for off in range(1, 1001):
            c.commit({(TOPIC, 0): off}, asynchronous=True, on_commit=partial(note, outcomes, off))
        c.close()
        assert outcomes == [(off, None) for off in range(1, 1001)]
        c.close()  # idempotent: nothing runs twice
        assert len(outcomes) == 1000
    with lkstream.open(data_dir, worker_threads=2) as lk:
        c = lk.consumer(group="g-close", topics=[TOPIC], enable_auto_commit=False)
        assert c.committed(TOPIC, 0) == 1000
        c.close()


def test_python_async_commit_arguments_errors_and_callback_exceptions(
        lk: lkstream.Engine) -> None:
    make_topic(lk, records=10)
    lk.create_topic("other", 1)
    c = group_consumer(lk, "g-errors")
    with pytest.raises(lkstream.InvalidArgumentError, match="asynchronous=True"):
        c.commit({(TOPIC, 0): 1}, on_commit=lambda err: None)
    with pytest.raises(TypeError, match="on_commit must be callable"):
        c.commit({(TOPIC, 0): 1}, asynchronous=True, on_commit=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.commit({(TOPIC, 0): -1}, asynchronous=True)
    no_group = lk.consumer(partitions=[(TOPIC, 0)])
    with pytest.raises(lkstream.InvalidArgumentError, match="group"):
        no_group.commit(asynchronous=True)
    no_group.close()

    # Refusals of the engine reach on_commit, in order with the commits around them.
    outcomes: Outcomes = []
    c.commit({(TOPIC, 0): 1}, asynchronous=True, on_commit=partial(note, outcomes, 1))
    c.commit({("other", 0): 2}, asynchronous=True, on_commit=partial(note, outcomes, 2))
    c.commit({(TOPIC, 7): 3}, asynchronous=True, on_commit=partial(note, outcomes, 3))
    c.commit({(TOPIC, 0): 4}, asynchronous=True)  # no callback: nothing to report to
    c.commit({(TOPIC, 0): 5}, asynchronous=True, on_commit=partial(note, outcomes, 5))
    c.commit({(TOPIC, 0): 6})
    assert [off for off, _ in outcomes] == [1, 2, 3, 5]
    assert outcomes[0][1] is None and outcomes[3][1] is None
    assert isinstance(outcomes[1][1], lkstream.InvalidArgumentError)
    assert "not assigned" in str(outcomes[1][1])
    assert isinstance(outcomes[2][1], lkstream.UnknownTopicError)
    assert c.committed(TOPIC, 0) == 6

    # A callback that raises: the exception comes out of the call that served it, after the
    # other callbacks ran; the commit itself happened.
    def fail(err: lkstream.LkstreamError | None) -> None:
        raise RuntimeError("on_commit failed")

    outcomes.clear()
    c.commit({(TOPIC, 0): 7}, asynchronous=True, on_commit=fail)
    raised: list[Exception] = []
    # Served by whichever call finds the outcome waiting: the next async commit (after
    # queueing it) or the synchronous one (after it returned).
    for call in (lambda: c.commit({(TOPIC, 0): 8}, asynchronous=True,
                                  on_commit=partial(note, outcomes, 8)),
                 lambda: c.commit({(TOPIC, 0): 9})):
        try:
            call()
        except RuntimeError as e:
            raised.append(e)
    assert [str(e) for e in raised] == ["on_commit failed"]
    assert outcomes == [(8, None)]
    assert c.committed(TOPIC, 0) == 9

    # Async commit with the offsets Python was handed (records buffered but not taken do not
    # count), and an empty commit: both report success.
    c.seek(TOPIC, 0, 0)
    got = c.poll_batch(max_records=3, timeout=10)
    assert [r.offset for r in got] == [0, 1, 2]
    outcomes.clear()
    c.commit(asynchronous=True, on_commit=partial(note, outcomes, 3))
    c.commit({}, asynchronous=True, on_commit=partial(note, outcomes, -1))
    wait_until(lambda: len(outcomes) == 2, "the callbacks",
               step=lambda: c.poll_batch(max_records=1, timeout=0))  # serves them
    assert outcomes == [(3, None), (-1, None)]
    assert c.committed(TOPIC, 0) == 3

    c.close()
    called: list[object] = []
    with pytest.raises(lkstream.ClosedError):
        c.commit({(TOPIC, 0): 1}, asynchronous=True, on_commit=called.append)
    c.close()
    assert called == []


CHILD = textwrap.dedent("""
    import gc, sys
    import lkstream
    mode, data = sys.argv[1], sys.argv[2]
    lk = lkstream.open(data, worker_threads=2)
    lk.create_topic("orders", 1)
    c = lk.consumer(group="g", topics=["orders"], enable_auto_commit=False,
                    heartbeat_interval_ms=200)
    while c.assignment() != [("orders", 0)]:
        c.poll_batch(timeout=0.1)
    seen = []
    for off in range(1, 1001):
        if mode == "exit":  # callbacks that refer to the consumer: a cycle, never freed
            cb = lambda err, off=off, c=c: seen.append((off, err))
        else:
            cb = lambda err, off=off: seen.append((off, err))
        c.commit({("orders", 0): off}, asynchronous=True, on_commit=cb)
    if mode == "free":          # the consumer goes while its commits are pending
        del c
        gc.collect()
        lk.close()
    elif mode == "engine":      # the engine closes the consumer; close() then runs the callbacks
        lk.close()
        c.close()
        assert seen == [(off, None) for off in range(1, 1001)], seen[:5]
    # mode "exit": nothing closed, the atexit hook closes the engine with callbacks pending
    print("done", len(seen), flush=True)
""")


@pytest.mark.parametrize("mode", ["exit", "free", "engine"])
def test_python_pending_commit_callbacks_at_consumer_free_or_interpreter_exit_are_safe(
        tmp_path: Path, mode: str) -> None:
    r = subprocess.run([sys.executable, "-c", CHILD, mode, str(tmp_path / "data")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.startswith("done "), r.stdout + r.stderr[-3000:]
    if mode == "engine":
        assert r.stdout.strip() == "done 1000"
    with lkstream.open(tmp_path / "data", worker_threads=2) as lk:
        assert [(l.partition, l.committed) for l in lk.lag("g")] == [(0, 1000)]


# --- Kafka protocol (confluent-kafka) --------------------------------------------------------

ROUNDS = 100
ASYNC_PER_ROUND = 10_000


def kafka_consumer(bootstrap: str, group: str, topic: str) -> confluent_kafka.Consumer:
    """A confluent-kafka consumer of `group` that owns partition 0 of `topic`."""
    c = confluent_kafka.Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
        "auto.offset.reset": "earliest", "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 500, "max.poll.interval.ms": 600000, "client.id": "order"})
    c.subscribe([topic])
    deadline = time.monotonic() + 60
    while [tp.partition for tp in c.assignment()] != [0]:
        assert time.monotonic() < deadline, "the partition was not assigned in 60 s"
        c.poll(0.1)
    return c


def committed_offset(c: confluent_kafka.Consumer, topic: str) -> int:
    (tp,) = c.committed([TopicPartition(topic, 0)], timeout=30)
    assert tp.error is None, tp.error
    return int(tp.offset)


def test_kafka_sync_commit_after_10000_async_commits_is_the_committed_one_every_round(
        lk: lkstream.Engine) -> None:
    make_topic(lk, records=100)
    listener = lk.listen("127.0.0.1:0")
    c = kafka_consumer(listener.address, "g-kafka-order", TOPIC)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    failures: list[str] = []
    started = time.monotonic()
    try:
        for rnd in range(ROUNDS):
            # Distinct offsets in [1000, 3000000); the sync one is below all of them, above all
            # of them, or between two of them.
            offsets = rng.sample(range(1000, 3_000_000), ASYNC_PER_ROUND)
            for off in offsets:
                c.commit(offsets=[TopicPartition(TOPIC, 0, off)], asynchronous=True)
            kind = rnd % 3
            if kind == 0:
                sync = rng.randrange(0, 1000)
            elif kind == 1:
                sync = 3_000_000 + rnd
            else:
                taken = set(offsets)
                sync = rng.randrange(1000, 3_000_000)
                while sync in taken:
                    sync += 1
            c.commit(offsets=[TopicPartition(TOPIC, 0, sync)], asynchronous=False)
            got = committed_offset(c, TOPIC)
            if got != sync:
                failures.append(
                    f"round {rnd}: committed {got}, the sync commit was {sync} (last async "
                    f"{offsets[-1]}, {'in' if got in offsets else 'not in'} this round's async "
                    f"offsets, at index {offsets.index(got) if got in offsets else -1})")
            c.poll(0)  # serve librdkafka's queues between rounds
    finally:
        c.close()
    elapsed = time.monotonic() - started
    print(f"{ROUNDS} rounds x {ASYNC_PER_ROUND} async commits: {elapsed:.1f} s (seed {seed})")
    assert failures == [], f"seed {seed}, {len(failures)} of {ROUNDS} rounds:\n" + \
        "\n".join(failures[:20])


# --- across a SIGKILL of `lkstream serve` ----------------------------------------------------

CRASH_RUNS = 5
CYCLES = 5


class Server:
    """`lkstream serve` on a data dir, its output in a file (a pipe could fill and stall it)."""

    def __init__(self, data: Path, log: Path) -> None:
        self.log = log
        self.out = open(log, "w")
        self.proc = subprocess.Popen(
            [lkstream_binary(), "serve", "--data-dir", str(data), "--listen", "127.0.0.1:0"],
            stdout=self.out, stderr=subprocess.STDOUT)
        self.address = self._wait_for_address()

    def _wait_for_address(self) -> str:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            m = re.search(r"Kafka listener on (\S+?),", self.log.read_text())
            if m:
                return m.group(1)
            assert self.proc.poll() is None, "serve exited: " + self.log.read_text()[-3000:]
            time.sleep(0.05)
        raise AssertionError("serve printed no address: " + self.log.read_text()[-3000:])

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(60)
        self.out.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        yield started
    finally:
        for s in started:
            s.kill()


def test_serve_sigkill_right_after_a_sync_commit_keeps_it_over_older_async_commits(
        tmp_path: Path, servers: list[Server]) -> None:
    for run in range(CRASH_RUNS):
        data = tmp_path / f"data-{run}"
        servers.append(Server(data, tmp_path / f"serve-{run}-a.log"))
        admin = confluent_kafka.admin.AdminClient({"bootstrap.servers": servers[-1].address})
        for fut in admin.create_topics([confluent_kafka.admin.NewTopic(TOPIC, 1, 1)]).values():
            fut.result(60)
        c = kafka_consumer(servers[-1].address, "g-crash", TOPIC)
        for _ in range(CYCLES):
            for off in range(1, 1001):
                c.commit(offsets=[TopicPartition(TOPIC, 0, off)], asynchronous=True)
        c.commit(offsets=[TopicPartition(TOPIC, 0, 777)], asynchronous=False)
        servers[-1].kill()  # right after the synchronous commit returned
        c.close()

        servers.append(Server(data, tmp_path / f"serve-{run}-b.log"))
        reader = confluent_kafka.Consumer({"bootstrap.servers": servers[-1].address,
                                           "group.id": "g-crash", "enable.auto.commit": False})
        try:
            got = committed_offset(reader, TOPIC)
        finally:
            reader.close()
        assert got == 777, f"run {run}: committed {got} after the restart, not 777"
        servers[-1].kill()
