"""A Python consumer and a Kafka client (confluent-kafka over the engine's Kafka listener) in
the same consumer group: the partitions are split between them, each record goes to one of
them, both commit to the same group offsets."""

from __future__ import annotations

import threading

import confluent_kafka

import lkstream
from conftest import wait_until

PARTITIONS = 4


def test_python_consumer_and_confluent_kafka_share_a_group(lk: lkstream.Engine) -> None:
    lk.create_topic("mixed", PARTITIONS)
    listener = lk.listen("127.0.0.1:0")
    assert listener.port > 0 and listener.address.endswith(":%d" % listener.port)
    bootstrap = listener.address

    py = lk.consumer(group="mixed-g", topics=["mixed"], auto_offset_reset="earliest",
                     enable_auto_commit=False, heartbeat_interval_ms=200)
    kafka_seen: list[tuple[int, int, bytes]] = []
    kafka_assignment: list[int] = []
    stop = threading.Event()
    errors: list[str] = []

    def run_kafka() -> None:
        c = confluent_kafka.Consumer({
            "bootstrap.servers": bootstrap, "group.id": "mixed-g",
            "auto.offset.reset": "earliest", "enable.auto.commit": False,
            "partition.assignment.strategy": "range", "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 200, "client.id": "ck"})
        c.subscribe(["mixed"])
        try:
            while not stop.is_set():
                m = c.poll(0.2)
                kafka_assignment[:] = [tp.partition for tp in c.assignment()]
                if m is None:
                    continue
                if m.error():
                    errors.append(str(m.error()))
                    continue
                kafka_seen.append((m.partition(), m.offset(), m.value()))
                c.commit(message=m, asynchronous=False)
        finally:
            c.close()

    t = threading.Thread(target=run_kafka)
    t.start()
    try:
        py_seen: list[lkstream.Record] = []

        def step() -> None:
            py_seen.extend(py.poll_batch(timeout=0.2))

        wait_until(lambda: len(kafka_assignment) == 2 and len(py.assignment()) == 2,
                   "the group to split 4 partitions 2/2", seconds=90, step=step)
        py_parts = {pt for _, pt in py.assignment()}
        assert py_parts.isdisjoint(kafka_assignment)

        p = lk.producer(linger_ms=0)
        p.send_many("mixed", [(b"key-%d" % i, b"%d" % i) for i in range(1000)])
        p.flush()
        wait_until(lambda: len(py_seen) + len(kafka_seen) >= 1000, "every record", seconds=90,
                   step=step)
        py.commit()
        assert {r.partition for r in py_seen} <= py_parts
        assert {pt for pt, _, _ in kafka_seen} <= set(kafka_assignment)
        values = sorted(int(v) for _, _, v in kafka_seen) + sorted(int(r.value) for r in py_seen)
        assert sorted(values) == list(range(1000))  # each record exactly once
        wait_until(lambda: sum(l.lag for l in lk.lag("mixed-g")) == 0,
                   "both members' commits to reach the group", step=step)
        members = {m.client_id for m in lk.describe_group("mixed-g").members}
        assert members == {"ck", "lkstream"}
        assert errors == []
    finally:
        stop.set()
        t.join(60)
        py.close()
        listener.stop()
    assert listener.stopped
