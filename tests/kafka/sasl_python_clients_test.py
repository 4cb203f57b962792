"""The PyPI clients over SASL_PLAINTEXT (issue 17): confluent-kafka (librdkafka 2.x) with
SCRAM-SHA-256, kafka-python with SCRAM-SHA-512 and aiokafka with SCRAM-SHA-256 and PLAIN each
produce and consume against `lkstream serve`; each is refused with a wrong password.

    sasl_python_clients_test.py LKSTREAM_BINARY

Starts the server itself (a user made with `lkstream user create` first) and stops it.
"""
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time

import aiokafka
import confluent_kafka
import kafka
import kafka.errors

USER, PASSWORD = "py-user", "py-pw"
N = 50


def start_server(binary, work):
    data = os.path.join(work, "data")
    os.makedirs(data)
    subprocess.run([binary, "user", "create", USER, "--data-dir", data], input=PASSWORD + "\n",
                   text=True, check=True)
    toml = os.path.join(work, "lkstream.toml")
    with open(toml, "w") as f:
        f.write('[broker]\nsecurity_protocol = "SASL_PLAINTEXT"\n'
                'sasl_mechanisms = ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"]\n')
    log = open(os.path.join(work, "serve.out"), "w+")
    proc = subprocess.Popen([binary, "serve", "--config", toml, "--listen", "127.0.0.1:0",
                             "--data-dir", data], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        log.seek(0)
        m = re.search(r"ready \(.*Kafka on ([0-9.]+:[0-9]+)\)", log.read())
        if m:
            return proc, m.group(1), log
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    log.seek(0)
    sys.exit("lkstream serve did not start:\n" + log.read())


def confluent(bootstrap, password, topic):
    common = {"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT",
              "sasl.mechanisms": "SCRAM-SHA-256", "sasl.username": USER,
              "sasl.password": password}
    errors = []
    p = confluent_kafka.Producer({**common, "message.timeout.ms": 20000,
                                  "error_cb": lambda e: errors.append(e)})
    failed = []
    for i in range(N):
        p.produce(topic, b"v%d" % i, on_delivery=lambda e, m: e and failed.append(e))
    left = p.flush(30 if password == PASSWORD else 5)
    if password != PASSWORD:
        assert any(e.code() == confluent_kafka.KafkaError._AUTHENTICATION for e in errors), errors
        return
    assert left == 0 and not failed, (left, failed, errors)
    c = confluent_kafka.Consumer({**common, "group.id": "py-confluent",
                                  "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    got, deadline = 0, time.time() + 60
    while got < N and time.time() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got += 1
    c.close()
    assert got == N, got


def kafka_python(bootstrap, password, topic):
    common = dict(bootstrap_servers=bootstrap, security_protocol="SASL_PLAINTEXT",
                  sasl_mechanism="SCRAM-SHA-512", sasl_plain_username=USER,
                  sasl_plain_password=password)
    if password != PASSWORD:
        try:
            kafka.KafkaProducer(**common, request_timeout_ms=10000, max_block_ms=10000)
        except kafka.errors.KafkaError as e:  # an authentication error or, after its
            # retries, the timeout: either way nothing was served
            print("kafka-python refused as expected:", type(e).__name__)
            return
        raise AssertionError("kafka-python logged in with a wrong password")
    p = kafka.KafkaProducer(**common)
    for i in range(N):
        p.send(topic, b"v%d" % i)
    p.flush(30)
    p.close()
    c = kafka.KafkaConsumer(topic, **common, group_id="py-kafka-python",
                            auto_offset_reset="earliest", consumer_timeout_ms=30000)
    got = 0
    for _ in c:
        got += 1
        if got == N:
            break
    c.close()
    assert got == N, got


async def aio(bootstrap, password, topic, mechanism):
    common = dict(bootstrap_servers=bootstrap, security_protocol="SASL_PLAINTEXT",
                  sasl_mechanism=mechanism, sasl_plain_username=USER,
                  sasl_plain_password=password)
    p = aiokafka.AIOKafkaProducer(**common, request_timeout_ms=20000)
    if password != PASSWORD:
        try:
            await p.start()
        except Exception as e:  # aiokafka raises KafkaConnectionError / auth errors here
            print("aiokafka refused as expected:", type(e).__name__, e)
            return
        finally:
            await p.stop()
        raise AssertionError("aiokafka logged in with a wrong password")
    await p.start()
    try:
        for i in range(N):
            await p.send_and_wait(topic, b"v%d" % i)
    finally:
        await p.stop()
    c = aiokafka.AIOKafkaConsumer(topic, **common, group_id="py-aio-" + mechanism,
                                  auto_offset_reset="earliest")
    await c.start()
    got = 0
    try:
        deadline = time.time() + 60
        while got < N and time.time() < deadline:
            batch = await c.getmany(timeout_ms=500)
            got += sum(len(v) for v in batch.values())
    finally:
        await c.stop()
    assert got == N, got


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        proc, bootstrap, log = start_server(binary, work)
        try:
            for password in (PASSWORD, "wrong"):
                confluent(bootstrap, password, "py-confluent")
                print("confluent-kafka SCRAM-SHA-256", password == PASSWORD and "ok" or "refused")
                kafka_python(bootstrap, password, "py-kafka-python")
                print("kafka-python SCRAM-SHA-512", password == PASSWORD and "ok" or "refused")
                for mechanism in ("SCRAM-SHA-256", "PLAIN"):
                    asyncio.run(aio(bootstrap, password, "py-aio-" + mechanism.lower(), mechanism))
                    print("aiokafka", mechanism, password == PASSWORD and "ok" or "refused")
        finally:
            proc.terminate()
            code = proc.wait(30)
            log.seek(0)
            text = log.read()
        assert code == 0, "serve exited with %d:\n%s" % (code, text)
        assert "authentication failed" in text, text
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
