"""SIGKILL of `lkstream serve` during a consume-transform-produce loop (issue 15).

    txn_crash_test.py LKSTREAM_BINARY

A confluent-kafka application reads `in` in a group (read_committed), writes each record's
transform to `out` in a transaction together with the group's offset
(send_offsets_to_transaction), and commits. Meanwhile the server is killed with SIGKILL at
random moments and restarted on the same data directory and port, several times. The
application does what Kafka's documentation says a transactional application does: on an
abortable error it aborts and rewinds to the committed offsets, on a fatal one it builds a new
producer (whose init_transactions fences the old one) and a new consumer. At the end a
read_committed reader of `out` must see every input record exactly once: nothing lost, nothing
duplicated, nothing from an aborted or half-written transaction. Prints "N passed, N failed".

The application runs as a child process (`--worker BOOTSTRAP`) that reports each commit. If it
makes no progress for STALL_SECONDS it is killed and started again, as a supervisor would: once
in several runs librdkafka's send_offsets_to_transaction() blocked for good after a server kill
(its thread waiting in rd_kafka_txn_op_req0, no AddOffsetsToTxn reaching the server, which
answered a fresh client at once). A restarted application must keep exactly-once too; the
number of such restarts is printed.
"""

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import confluent_kafka
from confluent_kafka.admin import AdminClient, NewTopic

N = 6000
KILLS = 5
BATCH = 25  # records per transaction: many transactions, so the kills land inside the loop
STALL_SECONDS = 45
SEED = int(os.environ.get("LKSTREAM_TXN_CRASH_SEED", str(int(time.time()))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, data, port):
        self.binary, self.data, self.port = binary, data, port
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--data-dir", self.data, "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        for line in self.proc.stdout:
            if line.startswith("lkstream: ready"):
                break
            if time.monotonic() > deadline:
                raise AssertionError("server did not start")
        else:
            raise AssertionError("server exited at start: %s" % self.proc.wait())
        def drain(out=self.proc.stdout):
            with open(os.path.join(os.path.dirname(self.data), "server.log"), "a") as log:
                for line in out:
                    log.write(line)
                    log.flush()
        threading.Thread(target=drain, daemon=True).start()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def main():
    if sys.argv[1] == "--worker":
        progress = {"committed": 0, "transactions": 0, "recoveries": 0}
        transform_loop(sys.argv[2], threading.Event(), progress)
        return 0
    binary = sys.argv[1]
    rng = random.Random(SEED)
    print("seed", SEED, flush=True)
    with tempfile.TemporaryDirectory() as work:
        data = os.path.join(work, "data")
        server = Server(binary, data, free_port())
        server.start()
        bootstrap = f"127.0.0.1:{server.port}"
        try:
            run(server, bootstrap, rng)
            print("1 passed, 0 failed")
            return 0
        except Exception:
            traceback.print_exc()
            with open(os.path.join(work, "server.log")) as log:
                print("--- server log (tail):\n" + "".join(log.readlines()[-40:]))
            print("0 passed, 1 failed")
            return 1
        finally:
            if server.proc.poll() is None:
                server.kill()


def run(server, bootstrap, rng):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic("in", 2, 1), NewTopic("out", 2, 1)]).values():
        f.result(30)
    p = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for i in range(N):
        p.produce("in", value=b"i-%d" % i, partition=i % 2)
        p.poll(0)
    assert p.flush(60) == 0

    done = threading.Event()
    progress = {"committed": 0, "transactions": 0, "recoveries": 0, "kills": 0}

    def killer():
        for _ in range(KILLS):
            # After a random time, or sooner once a random number of transactions passed: on
            # an idle machine the whole loop takes about two seconds and must not end first.
            start, step = progress["transactions"], rng.randint(5, 30)
            until = time.monotonic() + rng.uniform(0.3, 2.0)
            while time.monotonic() < until and progress["transactions"] - start < step:
                if done.is_set():
                    return
                time.sleep(0.005)
            if done.is_set():
                return
            server.kill()
            progress["kills"] += 1
            time.sleep(rng.uniform(0.05, 0.5))
            server.start()

    k = threading.Thread(target=killer)
    k.start()
    try:
        supervise(bootstrap, progress)
    finally:
        done.set()
        k.join()
    print("transactions", progress, flush=True)
    assert progress["kills"] >= 2, "the loop ended before the server was killed twice"

    # Every input exactly once in the committed output.
    c = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "verify",
                                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                                  "isolation.level": "read_committed"})
    tps = [confluent_kafka.TopicPartition("out", p, 0) for p in range(2)]
    c.assign(tps)
    highs = [c.get_watermark_offsets(tp, timeout=30, cached=False)[1] for tp in tps]
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for m in c.consume(1000, 0.2):
            if m.error() is None:
                seen.append(m.value().decode())
        if all(pos.offset >= h for pos, h in zip(c.position(tps), highs)):
            break
    c.close()
    want = sorted("o-i-%d" % i for i in range(N))
    dups = len(seen) - len(set(seen))
    missing = set(want) - set(seen)
    assert dups == 0, "%d duplicates in the committed output" % dups
    assert not missing, "%d inputs missing, e.g. %s" % (len(missing), sorted(missing)[:5])
    assert sorted(seen) == want


def supervise(bootstrap, progress):
    """Runs the worker until it finishes, restarting it when it stalls."""
    progress["worker_restarts"] = 0
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        worker = subprocess.Popen([sys.executable, __file__, "--worker", bootstrap],
                                  stdout=subprocess.PIPE, text=True)
        last = [time.monotonic()]

        def read():
            for line in worker.stdout:
                last[0] = time.monotonic()
                if line.startswith("commit "):
                    progress["transactions"] += 1
        t = threading.Thread(target=read, daemon=True)
        t.start()
        while worker.poll() is None and time.monotonic() - last[0] < STALL_SECONDS:
            time.sleep(0.2)
        if worker.poll() is None:
            progress["worker_restarts"] += 1
            print("worker made no progress for %d s: killed and restarted" % STALL_SECONDS,
                  flush=True)
            if os.environ.get("LKSTREAM_TXN_CRASH_STRICT"):  # to investigate the stall
                raise AssertionError("the worker stalled")
            worker.kill()
            worker.wait()
            continue
        t.join()
        if worker.returncode == 0:
            return
        raise AssertionError("the worker failed with %d" % worker.returncode)
    raise AssertionError("the worker did not finish in time: %s" % progress)


def transform_loop(bootstrap, done, progress):
    def make_producer():
        while True:
            conf = {"bootstrap.servers": bootstrap, "transactional.id": "ctp-1", "linger.ms": 2,
                    "transaction.timeout.ms": 10000}
            if os.environ.get("LKSTREAM_TXN_CRASH_DEBUG"):  # e.g. "eos,protocol,broker"
                conf["debug"] = os.environ["LKSTREAM_TXN_CRASH_DEBUG"]
            pr = confluent_kafka.Producer(conf)
            try:
                pr.init_transactions(30)
                return pr
            except confluent_kafka.KafkaException:
                progress["recoveries"] += 1
                time.sleep(0.2)

    def make_consumer():
        c = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "ctp",
                                      "auto.offset.reset": "earliest",
                                      "enable.auto.commit": False,
                                      "isolation.level": "read_committed",
                                      "session.timeout.ms": 6000, "heartbeat.interval.ms": 300,
                                      "fetch.wait.max.ms": 50})
        c.subscribe(["in"])
        return c

    producer, consumer = make_producer(), make_consumer()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            msgs = [m for m in consumer.consume(BATCH, 0.2) if m.error() is None]
            if not msgs:
                committed = consumer.committed(
                    [confluent_kafka.TopicPartition("in", p) for p in range(2)], timeout=10)
                total = sum(max(tp.offset, 0) for tp in committed)
                progress["committed"] = total
                print("idle", total, flush=True)
                if total >= N:
                    return
                continue
            producer.begin_transaction()
            for m in msgs:
                producer.produce("out", value=b"o-" + m.value(), partition=m.partition())
            producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                 consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
            progress["transactions"] += 1
            print("commit", progress["transactions"], flush=True)
        except confluent_kafka.KafkaException as e:
            err = e.args[0]
            progress["recoveries"] += 1
            if not err.fatal():
                try:
                    producer.abort_transaction(30)
                except confluent_kafka.KafkaException:
                    pass
            # Start over from the committed offsets with a fresh producer (fencing any
            # transaction the old one left open) and consumer.
            try:
                consumer.close()
            except Exception:
                pass
            producer = make_producer()
            consumer = make_consumer()
    raise AssertionError("the loop did not finish in time: %s" % progress)


if __name__ == "__main__":
    sys.exit(main())
