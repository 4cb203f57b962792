"""Cross-client test program for the PyPI clients (record_lines.py has the text format).

    python_client.py LIB produce BOOTSTRAP TOPIC SPEC_FILE
    python_client.py LIB dump BOOTSTRAP OUT_DIR COUNT TOPIC...

LIB is confluent-kafka, kafka-python or aiokafka. "produce" writes the spec's records, in
order, to partition 0 of TOPIC (acks=all). "dump" reads partition 0 of each TOPIC from offset 0
until COUNT records and writes OUT_DIR/TOPIC.txt in the dump format. Exits non-zero on error.
"""

import asyncio
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import record_lines  # noqa: E402

DEADLINE_S = 60


def confluent_produce(bootstrap, topic, records):
    import confluent_kafka
    errors = []
    p = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "acks": "all",
                                  "enable.idempotence": True})
    for ts, key, value, headers in records:
        p.produce(topic, value=value, key=key, partition=0, timestamp=ts, headers=headers,
                  on_delivery=lambda err, msg: err and errors.append(err))
    assert p.flush(DEADLINE_S) == 0, "undelivered records"
    assert not errors, errors


def confluent_dump(bootstrap, topics, count):
    import confluent_kafka
    c = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "dump-confluent",
                                  "enable.auto.commit": False})
    c.assign([confluent_kafka.TopicPartition(t, 0, 0) for t in topics])
    out = {t: [] for t in topics}
    deadline = time.monotonic() + DEADLINE_S
    while any(len(v) < count for v in out.values()):
        assert time.monotonic() < deadline, {t: len(v) for t, v in out.items()}
        for m in c.consume(100, 0.2):
            assert m.error() is None, m.error()
            out[m.topic()].append(record_lines.dump_line(m.offset(), m.timestamp()[1], m.key(),
                                                         m.value(), m.headers()))
    c.close()
    return out


def kafka_python_produce(bootstrap, topic, records):
    import kafka
    p = kafka.KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    futures = [p.send(topic, value=value, key=key, headers=headers, partition=0, timestamp_ms=ts)
               for ts, key, value, headers in records]
    p.flush(DEADLINE_S)
    for f in futures:
        f.get(DEADLINE_S)
    p.close()


def kafka_python_dump(bootstrap, topics, count):
    import kafka
    c = kafka.KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    tps = [kafka.TopicPartition(t, 0) for t in topics]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    out = {t: [] for t in topics}
    deadline = time.monotonic() + DEADLINE_S
    while any(len(v) < count for v in out.values()):
        assert time.monotonic() < deadline, {t: len(v) for t, v in out.items()}
        for tp, recs in c.poll(timeout_ms=200).items():
            for r in recs:
                out[tp.topic].append(record_lines.dump_line(r.offset, r.timestamp, r.key, r.value,
                                                            r.headers))
    c.close()
    return out


async def aiokafka_produce_async(bootstrap, topic, records):
    import aiokafka
    p = aiokafka.AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                  enable_idempotence=True)
    await p.start()
    try:
        futures = [await p.send(topic, value=value, key=key, partition=0, timestamp_ms=ts,
                                headers=headers)
                   for ts, key, value, headers in records]
        for f in futures:
            await asyncio.wait_for(f, DEADLINE_S)
    finally:
        await p.stop()


async def aiokafka_dump_async(bootstrap, topics, count):
    import aiokafka
    c = aiokafka.AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await c.start()
    try:
        tps = [aiokafka.TopicPartition(t, 0) for t in topics]
        c.assign(tps)
        await c.seek_to_beginning(*tps)
        out = {t: [] for t in topics}
        deadline = time.monotonic() + DEADLINE_S
        while any(len(v) < count for v in out.values()):
            assert time.monotonic() < deadline, {t: len(v) for t, v in out.items()}
            for tp, recs in (await c.getmany(timeout_ms=200)).items():
                for r in recs:
                    out[tp.topic].append(record_lines.dump_line(r.offset, r.timestamp, r.key,
                                                                r.value, list(r.headers)))
        return out
    finally:
        await c.stop()


def aiokafka_produce(bootstrap, topic, records):
    asyncio.run(aiokafka_produce_async(bootstrap, topic, records))


def aiokafka_dump(bootstrap, topics, count):
    return asyncio.run(aiokafka_dump_async(bootstrap, topics, count))


LIBS = {
    "confluent-kafka": (confluent_produce, confluent_dump),
    "kafka-python": (kafka_python_produce, kafka_python_dump),
    "aiokafka": (aiokafka_produce, aiokafka_dump),
}


def main(argv):
    lib, cmd = argv[1], argv[2]
    produce, dump = LIBS[lib]
    if cmd == "produce":
        bootstrap, topic, spec = argv[3:6]
        produce(bootstrap, topic, record_lines.parse_spec(spec))
    elif cmd == "dump":
        bootstrap, out_dir, count, topics = argv[3], argv[4], int(argv[5]), argv[6:]
        for topic, lines in dump(bootstrap, topics, count).items():
            with open(os.path.join(out_dir, topic + ".txt"), "w") as f:
                f.writelines(line + "\n" for line in lines[:count])
    else:
        raise SystemExit("unknown command " + cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
