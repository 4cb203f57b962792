"""Transactions from Python: the producer's init/begin/send_offsets/commit/abort (sync and
asyncio), read_committed consumers, fencing between an embedded producer and a Kafka client
(confluent-kafka over the engine's listener) with the same transactional id, and the
consume-transform-produce example."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import confluent_kafka
import pytest

import lkstream
from conftest import wait_until

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python" / "consume_transform_produce.py"


def read_all(lk: lkstream.Engine, topic: str, partitions: int, isolation: str) -> list[bytes]:
    """Every value a reader with `isolation` sees, read until it reached its end offsets."""
    c = lk.consumer(partitions=[(topic, p) for p in range(partitions)],
                    auto_offset_reset="earliest", enable_auto_commit=False,
                    isolation_level=isolation)
    out: list[bytes] = []

    def at_end() -> bool:
        batch = c.poll_batch(timeout=0.05)
        out.extend(r.value for r in batch)
        return not batch and all(l.lag == 0 for l in c.lag())

    wait_until(at_end, "the reader to reach its end offsets")
    c.close()
    return sorted(out)


def test_commit_and_abort_as_read_committed_and_read_uncommitted_see_them(
        lk: lkstream.Engine) -> None:
    lk.create_topic("t", 2)
    p = lk.producer(linger_ms=0, transactional_id="py-app")
    p.init_transactions(30)
    p.begin_transaction()
    for i in range(6):
        p.send("t", value=b"c%d" % i, partition=i % 2)
    p.commit_transaction(30)
    p.begin_transaction()
    for i in range(4):
        p.send("t", value=b"a%d" % i, partition=i % 2)
    p.abort_transaction(30)
    committed = sorted(b"c%d" % i for i in range(6))
    assert read_all(lk, "t", 2, "read_committed") == committed
    assert read_all(lk, "t", 2, "read_uncommitted") == sorted(
        committed + [b"a%d" % i for i in range(4)])
    p.close()


def test_offsets_reach_the_group_only_with_the_commit(lk: lkstream.Engine) -> None:
    lk.create_topic("in", 1)
    lk.create_topic("out", 1)
    with lk.producer() as plain:
        for i in range(5):
            plain.send("in", value=b"x%d" % i)
    c = lk.consumer(group="g", topics=["in"], auto_offset_reset="earliest",
                    enable_auto_commit=False, isolation_level="read_committed",
                    heartbeat_interval_ms=100)
    got: list[lkstream.Record] = []
    wait_until(lambda: len(got) >= 5, "the 5 inputs",
               step=lambda: got.extend(c.poll_batch(timeout=0.1)))
    meta = c.group_metadata()
    assert meta.group_id == "g" and meta.generation_id >= 1 and meta.member_id
    p = lk.producer(linger_ms=0, transactional_id="py-ctp")
    p.init_transactions()
    p.begin_transaction()
    p.send("out", value=b"y")
    p.send_offsets_to_transaction({("in", 0): 5}, meta)
    assert c.committed("in", 0) is None
    p.abort_transaction()
    assert c.committed("in", 0) is None
    p.begin_transaction()
    p.send("out", value=b"y")
    stale = lkstream.ConsumerGroupMetadata()
    stale.group_id, stale.generation_id, stale.member_id = "g", meta.generation_id + 5, meta.member_id
    with pytest.raises(lkstream.GroupError):
        p.send_offsets_to_transaction({("in", 0): 5}, stale)
    p.send_offsets_to_transaction({("in", 0): 5}, meta)
    p.commit_transaction()
    assert c.committed("in", 0) == 5
    assert read_all(lk, "out", 1, "read_committed") == [b"y"]
    p.close()
    c.close()


def test_calls_out_of_order_raise_transaction_state_errors(lk: lkstream.Engine) -> None:
    lk.create_topic("t", 1)
    p = lk.producer(transactional_id="order")
    with pytest.raises(lkstream.TransactionStateError):
        p.begin_transaction()
    p.init_transactions()
    with pytest.raises(lkstream.TransactionStateError):
        p.send("t", value=b"outside")
    with pytest.raises(lkstream.TransactionStateError):
        p.commit_transaction()
    plain = lk.producer()
    with pytest.raises(lkstream.TransactionStateError):
        plain.init_transactions()
    with pytest.raises(lkstream.InvalidArgumentError):
        lk.consumer(partitions=[("t", 0)], isolation_level="read_commited")
    with pytest.raises(lkstream.InvalidArgumentError):
        lk.producer(transactional_id="")
    with pytest.raises(lkstream.InvalidArgumentError):
        lk.consumer(partitions=[("t", 0)]).group_metadata()
    p.close()
    plain.close()


def test_an_embedded_producer_and_a_kafka_client_with_one_id_fence_each_other(
        lk: lkstream.Engine) -> None:
    lk.create_topic("shared", 1)
    listener = lk.listen("127.0.0.1:0")
    conf = {"bootstrap.servers": listener.address, "transactional.id": "shared-id",
            "linger.ms": 0}

    # The embedded producer is fenced by the Kafka client.
    embedded = lk.producer(linger_ms=0, transactional_id="shared-id")
    embedded.init_transactions()
    embedded.begin_transaction()
    embedded.send("shared", value=b"embedded-zombie")
    embedded.flush()
    kafka = confluent_kafka.Producer(conf)
    kafka.init_transactions(60)
    with pytest.raises(lkstream.ProducerFencedError):
        embedded.commit_transaction()
    with pytest.raises(lkstream.ProducerFencedError):
        embedded.begin_transaction()
    embedded.close()
    kafka.begin_transaction()
    kafka.produce("shared", value=b"kafka-ok")
    kafka.commit_transaction(60)

    # And the Kafka client by a new embedded producer.
    kafka.begin_transaction()
    kafka.produce("shared", value=b"kafka-zombie")
    kafka.flush(60)
    embedded = lk.producer(linger_ms=0, transactional_id="shared-id")
    embedded.init_transactions()
    with pytest.raises(confluent_kafka.KafkaException) as fenced:
        kafka.commit_transaction(60)
    assert fenced.value.args[0].fatal(), fenced.value.args[0]
    embedded.begin_transaction()
    embedded.send("shared", value=b"embedded-ok")
    embedded.commit_transaction()
    embedded.close()
    assert read_all(lk, "shared", 1, "read_committed") == [b"embedded-ok", b"kafka-ok"]
    listener.stop()


def test_asyncio_transactions(lk: lkstream.Engine) -> None:
    lk.create_topic("t", 2)

    p = lk.producer(linger_ms=0, transactional_id="aio")

    async def run() -> list[bytes]:
        await p.init_transactions_async(30)
        p.begin_transaction()
        reports = await asyncio.gather(*(p.send_async("t", value=b"v%d" % i, partition=i % 2)
                                         for i in range(10)))
        assert all(r.offset >= 0 for r in reports)
        await p.commit_transaction_async(30)
        p.begin_transaction()
        p.send("t", value=b"gone")
        await p.abort_transaction_async(30)
        c = lk.consumer(group="aio-g", topics=["t"], auto_offset_reset="earliest",
                        enable_auto_commit=False, isolation_level="read_committed",
                        heartbeat_interval_ms=100)
        seen: list[bytes] = []
        aio = c.aio()
        while len(seen) < 10:
            seen.extend(r.value for r in await aio.poll_batch(timeout=0.5))
        c.close()
        return sorted(seen)

    assert asyncio.run(asyncio.wait_for(run(), 120)) == sorted(b"v%d" % i for i in range(10))
    p.close()  # after the loop: it served the producer's callbacks
    assert read_all(lk, "t", 2, "read_committed") == sorted(b"v%d" % i for i in range(10))


@pytest.mark.parametrize("mode", ["sync", "asyncio"])
def test_consume_transform_produce_example(tmp_path: Path, mode: str) -> None:
    args = [sys.executable, str(EXAMPLE), str(tmp_path / "data"), "500"]
    if mode == "asyncio":
        args.append("--asyncio")
    r = subprocess.run(args, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "500 distinct, 0 missing, 0 twice, 0 unexpected" in r.stdout, r.stdout
