"""confluent-kafka, kafka-python and aiokafka (PyPI) against the listener.

    python_clients_test.py SERVER_BINARY

Starts the test server on a free port and runs, per client, the issue's scenario at a smaller
scale: create a 3-partition topic, produce keyed records (acks=all; idempotent with
confluent-kafka and aiokafka), check keys land on Kafka's murmur2 partitions, consume in a group of two,
close one and see its partitions move, commit, restart a consumer and see it resume at the
committed offsets. confluent-kafka also runs transactions (issue 15): commit and abort read by
read_committed and read_uncommitted consumers, a fenced zombie, and consume-transform-produce
with send_offsets_to_transaction. Then cross-client: records (keys, headers, timestamps) produced by one
client are read byte-identical by the other. Prints "N passed, N failed".
"""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback

import confluent_kafka
from confluent_kafka.admin import AdminClient, NewTopic
import aiokafka
from aiokafka.admin import AIOKafkaAdminClient, NewTopic as AioNewTopic
import kafka
from kafka.admin import KafkaAdminClient, NewTopic as KpNewTopic

PARTITIONS = 3


def murmur2(data: bytes) -> int:
    """Kafka's Utils.murmur2 (seed 0x9747b28c), as a signed 32-bit int."""
    m, r = 0x5BD1E995, 24
    length = len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    rest = length % 4
    tail = length - rest
    if rest == 3:
        h ^= data[tail + 2] << 16
    if rest >= 2:
        h ^= data[tail + 1] << 8
    if rest >= 1:
        h ^= data[tail]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def kafka_partition(key: bytes, n: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % n


def wait_until(pred, step, seconds, what):
    deadline = time.monotonic() + seconds
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("timed out: " + what)
        step()


def confluent_scenario(bootstrap):
    topic, group, n = "ck-orders", "ck-group", 3000
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(topic, PARTITIONS, 1)]).values():
        f.result(30)
    delivered = {}

    def on_delivery(err, msg):
        assert err is None, err
        delivered.setdefault(msg.key(), set()).add(msg.partition())

    p = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "acks": "all",
                                  "enable.idempotence": True, "linger.ms": 5,
                                  "partitioner": "murmur2_random"})
    for i in range(n):
        p.produce(topic, key=b"user-%d" % (i % 97), value=b"v%d" % i, on_delivery=on_delivery)
        p.poll(0)
    assert p.flush(60) == 0
    assert sum(1 for _ in delivered) == 97
    for key, parts in delivered.items():
        assert parts == {kafka_partition(key, PARTITIONS)}, (key, parts)

    def consumer(name):
        c = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                                      "client.id": name, "enable.auto.commit": False,
                                      "auto.offset.reset": "earliest",
                                      "session.timeout.ms": 6000, "heartbeat.interval.ms": 200,
                                      "fetch.wait.max.ms": 100})
        c.subscribe([topic])
        return c

    c1, c2 = consumer("c1"), consumer("c2")
    seen = set()
    got = {c1: [], c2: []}

    def step():
        for c in (c1, c2):
            for m in c.consume(500, 0.05):
                assert m.error() is None, m.error()
                seen.add((m.partition(), m.offset()))
                got[c].append(m)

    wait_until(lambda: len(seen) == n and c1.assignment() and c2.assignment(), step, 90,
               "two consumers reading all records")
    ends = {}
    for part in range(PARTITIONS):
        ends[part] = c1.get_watermark_offsets(confluent_kafka.TopicPartition(topic, part))[1]
    for c in (c1, c2):
        c.commit(offsets=[confluent_kafka.TopicPartition(topic, tp.partition, ends[tp.partition])
                          for tp in c.assignment()], asynchronous=False)
    c2.close()
    wait_until(lambda: len(c1.assignment()) == PARTITIONS, lambda: c1.consume(100, 0.05), 60,
               "partitions moving to c1")
    for i in range(300):
        p.produce(topic, key=b"late-%d" % i, value=b"late")
    assert p.flush(30) == 0
    fresh = []
    wait_until(lambda: len(fresh) == 300, lambda: fresh.extend(c1.consume(500, 0.05)), 60,
               "c1 reading the new records")
    committed = {}
    for part in range(PARTITIONS):
        offs = sorted(m.offset() for m in fresh if m.partition() == part)
        assert offs[0] == ends[part], (part, offs[0], ends[part])
        committed[part] = offs[len(offs) // 2]
    c1.commit(offsets=[confluent_kafka.TopicPartition(topic, part, off)
                       for part, off in committed.items()], asynchronous=False)
    c1.close()
    expect = sum(ends[part] + sum(1 for m in fresh if m.partition() == part) - committed[part]
                 for part in range(PARTITIONS))
    c3 = consumer("c3")
    again = []
    wait_until(lambda: len(again) >= expect, lambda: again.extend(c3.consume(500, 0.05)), 60,
               "c3 resuming")
    again.extend(c3.consume(500, 0.5))
    assert len(again) == expect, (len(again), expect)
    for part, off in committed.items():
        assert min(m.offset() for m in again if m.partition() == part) == off
    c3.close()


def confluent_transactions(bootstrap):
    topic, out_topic, group = "ck-txn", "ck-txn-out", "ck-txn-group"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(topic, 1, 1), NewTopic(out_topic, 1, 1)]).values():
        f.result(30)

    def producer(txn_id):
        p = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id,
                                      "linger.ms": 5, "transaction.timeout.ms": 30000})
        p.init_transactions(30)
        return p

    def read_all(isolation, t):
        c = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "ck-reader-" + isolation,
                                      "enable.auto.commit": False, "auto.offset.reset": "earliest",
                                      "isolation.level": isolation, "fetch.wait.max.ms": 100})
        tp = confluent_kafka.TopicPartition(t, 0, 0)
        c.assign([tp])
        _, high = c.get_watermark_offsets(tp, timeout=10, cached=False)
        values = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for m in c.consume(500, 0.1):
                if m.error() is None:
                    values.append(m.value().decode())
            pos = c.position([tp])[0].offset
            if pos >= high and high >= 0:
                break
        c.close()
        return values

    p = producer("ck-txn-1")
    p.begin_transaction()
    for v in ("c0", "c1"):
        p.produce(topic, value=v.encode(), partition=0)
    p.commit_transaction(30)
    p.begin_transaction()
    p.produce(topic, value=b"a0", partition=0)
    p.flush(30)
    p.abort_transaction(30)
    p.begin_transaction()
    p.produce(topic, value=b"c2", partition=0)
    p.commit_transaction(30)
    committed = read_all("read_committed", topic)
    assert committed == ["c0", "c1", "c2"], committed
    everything = read_all("read_uncommitted", topic)
    assert everything == ["c0", "c1", "a0", "c2"], everything

    # A second producer with the same transactional.id fences the first.
    p.begin_transaction()
    p.produce(topic, value=b"zombie", partition=0)
    p.flush(30)
    successor = producer("ck-txn-1")
    fenced = False
    try:
        p.produce(topic, value=b"zombie-2", partition=0)
        p.commit_transaction(30)
    except confluent_kafka.KafkaException as e:
        err = e.args[0]
        assert err.fatal() or err.code() in (
            confluent_kafka.KafkaError._FENCED, confluent_kafka.KafkaError.PRODUCER_FENCED,
            confluent_kafka.KafkaError.INVALID_PRODUCER_EPOCH), err
        fenced = True
    assert fenced, "the zombie committed"
    successor.begin_transaction()
    successor.produce(topic, value=b"successor", partition=0)
    successor.commit_transaction(30)
    committed = read_all("read_committed", topic)
    assert "zombie" not in committed and "zombie-2" not in committed, committed
    assert committed[-1] == "successor", committed

    # Consume-transform-produce: the group's offset commits with the output.
    c = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                                  "isolation.level": "read_committed", "fetch.wait.max.ms": 100,
                                  "session.timeout.ms": 6000, "heartbeat.interval.ms": 200})
    c.subscribe([topic])
    batch = []
    wait_until(lambda: len(batch) >= 4, lambda: batch.extend(
        m for m in c.consume(500, 0.1) if m.error() is None), 60, "the group consumer reading")
    successor.begin_transaction()
    for m in batch:
        successor.produce(out_topic, value=m.value(), partition=0)
    positions = c.position(c.assignment())
    successor.send_offsets_to_transaction(positions, c.consumer_group_metadata(), 30)
    successor.commit_transaction(30)
    got = c.committed([confluent_kafka.TopicPartition(topic, 0)], timeout=10)[0].offset
    assert got == positions[0].offset, (got, positions)
    c.close()
    out = read_all("read_committed", out_topic)
    assert out == [m.value().decode() for m in batch], out


def kafka_python_scenario(bootstrap):
    topic, group, n = "kp-orders", "kp-group", 1000
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([KpNewTopic(topic, PARTITIONS, 1)])
    admin.close()
    p = kafka.KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    futures = [(b"k%d" % (i % 31), p.send(topic, key=b"k%d" % (i % 31), value=b"v%d" % i))
               for i in range(n)]
    p.flush(30)
    for key, f in futures:
        md = f.get(30)
        assert md.partition == kafka_partition(key, PARTITIONS), (key, md.partition)
    p.close()

    def consumer():
        return kafka.KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                   enable_auto_commit=False, auto_offset_reset="earliest",
                                   session_timeout_ms=6000, heartbeat_interval_ms=200,
                                   fetch_max_wait_ms=100)

    c1, c2 = consumer(), consumer()
    seen = set()

    def step():
        for c in (c1, c2):
            for recs in c.poll(timeout_ms=50).values():
                seen.update((r.partition, r.offset) for r in recs)

    try:
        wait_until(lambda: len(seen) == n and c1.assignment() and c2.assignment(), step, 90,
                   "two kafka-python consumers reading all records")
    except AssertionError as e:
        raise AssertionError("%s (seen %d of %d, assignments %s / %s)" % (
            e, len(seen), n, c1.assignment(), c2.assignment())) from None
    # Each member commits the end offsets of what it owns now: its own position may still lag
    # behind when it took a partition over after the other member had read it (a rebalance
    # after the first member's reads), and the records were already counted then.
    tps = [kafka.TopicPartition(topic, part) for part in range(PARTITIONS)]
    ends = c1.end_offsets(tps)
    assert sum(ends.values()) == n, ends
    # A rebalance may still be settling (a member rejoining late): the broker then answers
    # commits with REBALANCE_IN_PROGRESS, as Kafka does. Poll and commit again until the group's
    # committed offsets are the end offsets of every partition.
    retriable = (kafka.errors.RebalanceInProgressError, kafka.errors.CommitFailedError,
                 kafka.errors.IllegalGenerationError, kafka.errors.UnknownMemberIdError)

    def all_committed():
        return all(c1.committed(tp) == ends[tp] for tp in tps)

    def commit_step():
        for c in (c1, c2):
            try:
                c.commit({tp: kafka.structs.OffsetAndMetadata(ends[tp], "", -1)
                          for tp in c.assignment()})
            except retriable:
                step()

    wait_until(all_committed, commit_step, 60, "kafka-python members committing the end offsets")
    c2.close()
    wait_until(lambda: len(c1.assignment()) == PARTITIONS, lambda: c1.poll(timeout_ms=50), 60,
               "partitions moving to the remaining kafka-python consumer")
    c1.close()
    c3 = consumer()
    extra = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        for recs in c3.poll(timeout_ms=100).values():
            extra.extend(recs)
    assert not extra, "re-delivered %d committed records" % len(extra)
    c3.close()


async def aiokafka_scenario_async(bootstrap):
    topic, group, n = "aio-orders", "aio-group", 10000
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([AioNewTopic(topic, PARTITIONS, 1)])
    await admin.close()
    p = aiokafka.AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                  enable_idempotence=True, linger_ms=5)
    await p.start()
    sent = []
    for i in range(n):
        key = b"user-%d" % (i % 97)
        sent.append((key, 1700000000000 + i,
                     await p.send(topic, key=key, value=b"v%d" % i, timestamp_ms=1700000000000 + i,
                                  headers=[("seq", b"%d" % i)])))
    for key, ts, fut in sent:
        # (aiokafka's RecordMetadata.timestamp repeats the batch's first timestamp; the records'
        # own timestamps are checked when they are consumed)
        md = await asyncio.wait_for(fut, 30)
        assert md.partition == kafka_partition(key, PARTITIONS), (key, md.partition)

    async def consumer(name):
        c = aiokafka.AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                      client_id=name, enable_auto_commit=False,
                                      auto_offset_reset="earliest", session_timeout_ms=6000,
                                      heartbeat_interval_ms=200, fetch_max_wait_ms=100)
        await c.start()
        return c

    async def wait_until(pred, step, seconds, what):
        deadline = time.monotonic() + seconds
        while not pred():
            if time.monotonic() > deadline:
                raise AssertionError("timed out: " + what)
            await step()

    async def getmany(c, out=None, timeout_ms=50):
        for tp, recs in (await c.getmany(timeout_ms=timeout_ms)).items():
            for r in recs:
                assert r.partition == kafka_partition(r.key, PARTITIONS)
                if out is not None:
                    out.append(r)

    c1, c2 = await consumer("c1"), await consumer("c2")
    got = []

    async def step_both():
        await asyncio.gather(getmany(c1, got), getmany(c2, got))

    wait_all = lambda: (len({(r.partition, r.offset) for r in got}) == n
                        and c1.assignment() and c2.assignment())
    await wait_until(wait_all, step_both, 90, "two aiokafka consumers reading all records")
    for r in got:
        i = int(r.value[1:])
        assert (r.timestamp, list(r.headers)) == (1700000000000 + i, [("seq", b"%d" % i)]), r
    tps = [aiokafka.TopicPartition(topic, part) for part in range(PARTITIONS)]
    ends = await c1.end_offsets(tps)
    assert sum(ends.values()) == n, ends
    for c in (c1, c2):
        await c.commit({tp: ends[tp] for tp in c.assignment()})
    await c2.stop()
    await wait_until(lambda: len(c1.assignment()) == PARTITIONS, lambda: getmany(c1), 60,
                     "partitions moving to the remaining aiokafka consumer")
    for i in range(300):
        await p.send(topic, key=b"late-%d" % i, value=b"late")
    await p.flush()
    fresh = []
    await wait_until(lambda: len(fresh) >= 300, lambda: getmany(c1, fresh), 60,
                     "aiokafka c1 reading the new records")
    assert len(fresh) == 300, len(fresh)
    committed, expect = {}, 0
    for tp in tps:
        offs = sorted(r.offset for r in fresh if r.partition == tp.partition)
        assert offs[0] == ends[tp], (tp, offs[0], ends[tp])
        committed[tp] = offs[len(offs) // 2]
        expect += offs[-1] + 1 - committed[tp]
    await c1.commit(committed)
    await c1.stop()
    await p.stop()
    c3 = await consumer("c3")
    again = []
    await wait_until(lambda: len(again) >= expect, lambda: getmany(c3, again), 60,
                     "aiokafka c3 resuming")
    await getmany(c3, again, 500)
    assert len(again) == expect, (len(again), expect)
    for tp, off in committed.items():
        assert min(r.offset for r in again if r.partition == tp.partition) == off
    await c3.stop()


def aiokafka_scenario(bootstrap):
    asyncio.run(aiokafka_scenario_async(bootstrap))


def cross_client(bootstrap):
    topic = "cross"
    headers = [("h1", b"\x00\x01binary"), ("h2", b"text")]
    sent = [(b"ck-%d" % i, b"payload-%d" % i, 1700000000000 + i) for i in range(50)]
    p = confluent_kafka.Producer({"bootstrap.servers": bootstrap})
    for k, v, ts in sent:
        p.produce(topic, key=k, value=v, timestamp=ts, headers=headers)
    assert p.flush(30) == 0
    c = kafka.KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                            consumer_timeout_ms=5000)
    got = [(r.key, r.value, r.timestamp, list(r.headers)) for r in c]
    c.close()
    assert got == [(k, v, ts, headers) for k, v, ts in sent], got[:2]
    kp = kafka.KafkaProducer(bootstrap_servers=bootstrap)
    kp.send(topic, key=b"kp", value=b"from kafka-python", headers=[("x", b"y")],
            timestamp_ms=1700000001234).get(30)
    kp.close()
    cc = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "cross-reader",
                                   "auto.offset.reset": "earliest"})
    cc.assign([confluent_kafka.TopicPartition(topic, 0, 50)])
    msgs = []
    wait_until(lambda: msgs, lambda: msgs.extend(m for m in cc.consume(10, 0.1) if not m.error()),
               30, "confluent reading kafka-python's record")
    m = msgs[0]
    assert (m.key(), m.value(), m.timestamp()[1], m.headers()) == (
        b"kp", b"from kafka-python", 1700000001234, [("x", b"y")])
    cc.close()


def main():
    server = sys.argv[1]
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen([server, "--data-dir", data], stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            assert line.startswith("listening on "), line
            bootstrap = line.split()[-1]
            passed = failed = 0
            for test in (confluent_scenario, confluent_transactions, kafka_python_scenario,
                         aiokafka_scenario, cross_client):
                try:
                    test(bootstrap)
                    passed += 1
                    print("ok", test.__name__, flush=True)
                except Exception:
                    failed += 1
                    print("FAIL", test.__name__, flush=True)
                    traceback.print_exc()
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(30)
            if rc != 0:
                failed += 1
                print("FAIL server exit code", rc)
        finally:
            if proc.poll() is None:
                proc.kill()
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
