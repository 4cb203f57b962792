"""Benchmark of the Python package against what a Python program would use instead.

    python bench/python_bench.py [--lkstream-binary build/app/lkstream] [--quick]

Run by `make bench-python` (scripts/python-bench.sh: a venv with confluent-kafka and redis,
redis-server from Debian, PYTHONPATH=build/python). A measurement, not a test: it always exits
0, prints pass/miss next to each target and ends with one JSON line. Method in BENCHMARKS.md,
section Python.

All runs: 100-byte values, one process, fresh directories under $TMPDIR.
  lkstream send        Producer.send() one record at a time, then flush()
  lkstream send_many   Producer.send_many() in batches of 1,000 (bytes values), then flush()
  lkstream consume     poll_batch() over what send_many wrote, touching every rec.value
  lkstream e2e         producer (linger_ms=0) -> consumer thread at a fixed 10,000 records/s,
                       latency from each record's scheduled send time (no coordinated omission)
  machine stalls       right before e2e: a process per CPU spins reading the clock and counts
                       gaps > 150 us (the CPU taken away with nothing else running)
  e2e floor            the same sender and pacing, one queue.SimpleQueue hand-off to a consumer
                       thread and nothing else: what this machine and Python charge any design
  confluent-kafka      Producer.produce() (+poll) and flush(), then a group Consumer, against
                       `lkstream serve` on 127.0.0.1
  sqlite3              INSERT of (key, value) in one transaction, WAL mode, synchronous=NORMAL:
                       execute() per row, and executemany() per 1,000 rows
  redis-py             XADD through a pipeline of 1,000 commands per round trip, against a
                       redis-server started here (skipped when redis-server is not installed)
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import lkstream

VALUE = b"v" * 100
BATCH = 1000


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def fmt(r: float) -> str:
    return f"{r / 1e6:.2f} M rec/s" if r >= 1e6 else f"{r / 1e3:.0f} k rec/s"


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def best_of(reps: int, fn: Callable[[], float]) -> float:
    """Median of `reps` runs of fn (which returns records/s)."""
    return statistics.median(fn() for _ in range(reps))


# --- lkstream in-process -----------------------------------------------------------------

def bench_lkstream(root: Path, n_send: int, n_many: int, reps: int) -> dict[str, float]:
    out: dict[str, float] = {}
    counter = [0]

    def fresh() -> lkstream.Engine:
        counter[0] += 1
        eng = lkstream.open(root / f"lk{counter[0]}")
        eng.create_topic("t", 1, fsync="never")
        return eng

    def send_once() -> float:
        with fresh() as lk:
            p = lk.producer()
            send = p.send
            t0 = time.perf_counter()
            for _ in range(n_send):
                send("t", VALUE)
            p.flush()
            return rate(n_send, time.perf_counter() - t0)

    def send_many_once() -> float:
        with fresh() as lk:
            p = lk.producer()
            batch = [VALUE] * BATCH
            t0 = time.perf_counter()
            for _ in range(n_many // BATCH):
                p.send_many("t", batch)
            p.flush()
            return rate(n_many // BATCH * BATCH, time.perf_counter() - t0)

    def send_many_keyed_once() -> float:
        with fresh() as lk:
            p = lk.producer()
            batch = [(b"key-%d" % (i % 64), VALUE) for i in range(BATCH)]
            t0 = time.perf_counter()
            for _ in range(n_many // BATCH):
                p.send_many("t", batch)
            p.flush()
            return rate(n_many // BATCH * BATCH, time.perf_counter() - t0)

    def consume_once() -> float:
        with fresh() as lk:
            p = lk.producer()
            batch = [VALUE] * BATCH
            for _ in range(n_many // BATCH):
                p.send_many("t", batch)
            p.flush()
            total = n_many // BATCH * BATCH
            c = lk.consumer(partitions=[("t", 0)], auto_offset_reset="earliest",
                            max_poll_records=2000)
            seen = 0
            size = 0
            t0 = time.perf_counter()
            while seen < total:
                for rec in c.poll_batch(timeout=1.0):
                    size += len(rec.value)
                    seen += 1
            r = rate(seen, time.perf_counter() - t0)
            assert size == seen * len(VALUE)
            c.close()
            return r

    out["lk_send_rps"] = best_of(reps, send_once)
    out["lk_send_many_rps"] = best_of(reps, send_many_once)
    out["lk_send_many_keyed_rps"] = best_of(reps, send_many_keyed_once)
    out["lk_consume_rps"] = best_of(reps, consume_once)
    return out


def precise_sleeps() -> None:
    try:  # 1 ns timer slack (PR_SET_TIMERSLACK = 29)
        ctypes.CDLL(None).prctl(29, 1, 0, 0, 0)
    except Exception:
        pass


def paced_send(rate_hz: int, total: int, send: Callable[[int], None]) -> float:
    """Calls send(scheduled_ns) for record i at start + i / rate (sleeping in between);
    returns the achieved rate. Latency is taken from the scheduled time, so a late sender
    counts (no coordinated omission)."""
    period = 1_000_000_000 // rate_hz
    start = time.monotonic_ns() + 50_000_000
    for i in range(total):
        sched = start + i * period
        delay = sched - time.monotonic_ns()
        if delay > 0:
            time.sleep(delay / 1e9)
        send(sched)
    return rate(total, (time.monotonic_ns() - start) / 1e9)


def percentiles(prefix: str, lat: list[int]) -> dict[str, float]:
    lat.sort()
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] / 1000.0  # noqa: E731
    return {f"{prefix}_p50_us": q(0.50), f"{prefix}_p99_us": q(0.99),
            f"{prefix}_p999_us": q(0.999), f"{prefix}_max_us": lat[-1] / 1000.0}


def bench_e2e(root: Path, rate_hz: int, seconds: float) -> dict[str, float]:
    """Fixed-rate end to end in one process; latency from the scheduled send time."""
    precise_sleeps()
    lat: list[int] = []
    warmup = int(rate_hz * 0.5)
    total = int(rate_hz * seconds)
    with lkstream.open(root / "e2e") as lk:
        lk.create_topic("e2e", 1, fsync="never")
        c = lk.consumer(partitions=[("e2e", 0)], auto_offset_reset="earliest")
        p = lk.producer(linger_ms=0)
        done = threading.Event()

        def consume() -> None:
            got = 0
            while got < total:
                for rec in c.poll_batch(timeout=1.0):
                    now = time.monotonic_ns()
                    sched = int.from_bytes(rec.value_view[:8], "little")
                    if got >= warmup:
                        lat.append(now - sched)
                    got += 1
            done.set()

        t = threading.Thread(target=consume)
        t.start()
        pad = b"\0" * (len(VALUE) - 8)
        achieved = paced_send(rate_hz, total,
                              lambda sched: p.send("e2e", sched.to_bytes(8, "little") + pad))
        p.flush()
        done.wait(60)
        c.close()
        p.close()
    return {"e2e_rate": rate_hz, "e2e_achieved_rate": achieved, **percentiles("e2e", lat)}


def bench_e2e_floor(rate_hz: int, seconds: float) -> dict[str, float]:
    """The floor of bench_e2e on this machine: the same sender and pacing, one hand-off to a
    consumer thread through queue.SimpleQueue, and nothing else. Any Python program whose
    consumer runs on its own thread pays this (a thread wake-up and the GIL hand-over)."""
    import queue
    precise_sleeps()
    lat: list[int] = []
    warmup = int(rate_hz * 0.5)
    total = int(rate_hz * seconds)
    q: queue.SimpleQueue[int] = queue.SimpleQueue()

    def consume() -> None:
        for got in range(total):
            sched = q.get()
            if got >= warmup:
                lat.append(time.monotonic_ns() - sched)

    t = threading.Thread(target=consume)
    t.start()
    paced_send(rate_hz, total, q.put)
    t.join()
    return percentiles("e2e_floor", lat)


def _spin_gaps(cpu: int, seconds: float, threshold_ns: int, out: Any) -> None:
    """Spins on one CPU reading the clock; reports the gaps longer than threshold_ns."""
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        pass
    gaps: list[int] = []
    now = time.monotonic_ns
    prev = now()
    end = prev + int(seconds * 1e9)
    while prev < end:
        t = now()
        if t - prev > threshold_ns:
            gaps.append(t - prev)
        prev = t
    out.put(gaps)


def machine_stalls(seconds: float, threshold_us: int = 150) -> dict[str, float]:
    """How often this machine takes a CPU away from a running thread, with nothing else to
    do: one process per CPU spins reading the clock for `seconds` and counts the gaps longer
    than threshold_us between two reads (a jHiccup-style probe). Every record in flight in
    the e2e run when such a gap hits waits it out. Run right before bench_e2e, it shows how
    unsteady the machine was around that run (it does not predict a single run: stalls come
    in bursts; BENCHMARKS.md, Python, session 5)."""
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    cpus = sorted(os.sched_getaffinity(0))
    procs = [ctx.Process(target=_spin_gaps, args=(c, seconds, threshold_us * 1000, q))
             for c in cpus]
    for pr in procs:
        pr.start()
    gaps = [g for _ in procs for g in q.get()]
    for pr in procs:
        pr.join()
    return {"stall_probe_s": seconds, "stall_threshold_us": threshold_us,
            "stall_gaps": len(gaps), "stall_total_ms": sum(gaps) / 1e6,
            "stall_max_us": max(gaps, default=0) / 1e3,
            "stall_gaps_over_1ms": sum(1 for g in gaps if g > 1_000_000)}


# --- confluent-kafka against `lkstream serve` ------------------------------------------------

def bench_confluent(root: Path, binary: str, n: int) -> dict[str, float]:
    import confluent_kafka
    from confluent_kafka.admin import AdminClient, NewTopic

    proc = subprocess.Popen([binary, "serve", "--data-dir", str(root / "serve"), "--listen",
                             "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            m = re.search(r"ready.*Kafka on [^:]+:(\d+)", line)
            if m:
                port = int(m.group(1))
                break
        if port is None:
            raise RuntimeError("lkstream serve did not print its ready line")
        bootstrap = f"127.0.0.1:{port}"
        admin = AdminClient({"bootstrap.servers": bootstrap})
        for f in admin.create_topics([NewTopic("ck", 1, 1)]).values():
            f.result(30)
        prod = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "linger.ms": 5,
                                         "acks": "all", "queue.buffering.max.messages": 1000000})

        def produce() -> None:
            for i in range(n):
                while True:
                    try:
                        prod.produce("ck", VALUE)
                        break
                    except BufferError:
                        prod.poll(0.01)
                if i % 10000 == 0:
                    prod.poll(0)
            prod.flush(120)

        produce_rps = rate(n, timed(produce))
        cons = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "bench",
                                         "auto.offset.reset": "earliest",
                                         "enable.auto.commit": False})
        cons.subscribe(["ck"])
        seen = 0
        size = 0
        t0 = 0.0
        deadline = time.monotonic() + 120
        while seen < n and time.monotonic() < deadline:
            msgs = cons.consume(10000, 1.0)
            if msgs and seen == 0:
                t0 = time.perf_counter()  # from the first batch: the group join is not counted
            for m in msgs:
                if m.error() is None:
                    size += len(m.value())  # touch the value, as the lkstream run does
                    seen += 1
        if seen < n:
            raise RuntimeError(f"confluent-kafka consumed {seen} of {n} records")
        consume_rps = rate(seen, time.perf_counter() - t0)
        cons.close()
        return {"ck_produce_rps": produce_rps, "ck_consume_rps": consume_rps}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- sqlite3 ---------------------------------------------------------------------------------

def bench_sqlite(root: Path, n: int) -> dict[str, float]:
    def db(name: str) -> sqlite3.Connection:
        con = sqlite3.connect(root / name, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, k BLOB, v BLOB)")
        return con

    con = db("single.db")
    t0 = time.perf_counter()
    con.execute("BEGIN")
    for _ in range(n):
        con.execute("INSERT INTO log (k, v) VALUES (?, ?)", (None, VALUE))
    con.execute("COMMIT")
    single = rate(n, time.perf_counter() - t0)
    con.close()

    con = db("many.db")
    rows = [(None, VALUE)] * BATCH
    t0 = time.perf_counter()
    con.execute("BEGIN")
    for _ in range(n // BATCH):
        con.executemany("INSERT INTO log (k, v) VALUES (?, ?)", rows)
    con.execute("COMMIT")
    many = rate(n // BATCH * BATCH, time.perf_counter() - t0)
    con.close()
    return {"sqlite_insert_rps": single, "sqlite_executemany_rps": many}


# --- redis-py XADD ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_redis(root: Path, n: int) -> dict[str, float]:
    server = shutil.which("redis-server")
    try:
        import redis
    except ImportError:
        redis = None
    if not server or redis is None:
        print("redis: skipped (redis-server or redis-py missing; scripts/python-bench.sh "
              "installs both)")
        return {}
    port = free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(root)],
                            stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 30
        while True:
            try:
                r.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        fields = {b"v": VALUE}
        t0 = time.perf_counter()
        for _ in range(n // BATCH):
            pipe = r.pipeline(transaction=False)
            for _ in range(BATCH):
                pipe.xadd("s", fields)
            pipe.execute()
        xadd = rate(n // BATCH * BATCH, time.perf_counter() - t0)
        assert r.xlen("s") == n // BATCH * BATCH
        return {"redis_xadd_pipelined_rps": xadd}
    finally:
        proc.terminate()
        proc.wait(30)


# --- main ------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lkstream-binary", default="build/app/lkstream")
    ap.add_argument("--dir", default=os.environ.get("TMPDIR", "/tmp"))
    ap.add_argument("--quick", action="store_true", help="smaller runs (a smoke check)")
    args = ap.parse_args()
    scale = 0.1 if args.quick else 1.0
    n_send = int(500_000 * scale)
    n_many = int(2_000_000 * scale)
    n_peer = int(300_000 * scale)
    reps = 1 if args.quick else 3
    figures: dict[str, Any] = {
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "lkstream": lkstream.__version__, "loadavg_1m_at_start": os.getloadavg()[0]}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="lkstream-pybench-") as tmp:
        root = Path(tmp)
        figures.update(bench_lkstream(root, n_send, n_many, reps))
        figures.update(machine_stalls(1.0 if args.quick else 3.0))
        figures.update(bench_e2e(root, 10_000, 1.5 if args.quick else 3.0))
        figures.update(bench_e2e_floor(10_000, 1.5 if args.quick else 3.0))
        figures.update(bench_sqlite(root, n_peer))
        figures.update(bench_redis(root, n_peer))
        if Path(args.lkstream_binary).exists():
            try:
                figures.update(bench_confluent(root, args.lkstream_binary, n_peer))
            except ImportError:
                print("confluent-kafka: skipped (not installed)")
        else:
            print(f"confluent-kafka: skipped ({args.lkstream_binary} not built)")
    figures["bench_seconds"] = time.perf_counter() - started

    f = figures
    print(f"\nlkstream in-process, 100 B values ({f['cpus']} CPUs, Python {f['python']}, "
          f"load {f['loadavg_1m_at_start']:.1f})")
    rows = [("send (one at a time)", "lk_send_rps"), ("send_many (1,000 per call)",
                                                      "lk_send_many_rps"),
            ("send_many, keyed (64 keys)", "lk_send_many_keyed_rps"),
            ("consume (poll_batch, rec.value)", "lk_consume_rps"),
            ("confluent-kafka produce -> serve", "ck_produce_rps"),
            ("confluent-kafka consume <- serve", "ck_consume_rps"),
            ("sqlite3 execute, 1 txn, WAL", "sqlite_insert_rps"),
            ("sqlite3 executemany, 1 txn, WAL", "sqlite_executemany_rps"),
            ("redis-py XADD, pipelined", "redis_xadd_pipelined_rps")]
    for label, key in rows:
        if key in f:
            print(f"  {label:36s} {fmt(f[key]):>14s}")
    print(f"  e2e at {f['e2e_rate']} rec/s (achieved {f['e2e_achieved_rate']:.0f}): "
          f"p50 {f['e2e_p50_us']:.0f} us, p99 {f['e2e_p99_us']:.0f} us, "
          f"p99.9 {f['e2e_p999_us']:.0f} us, max {f['e2e_max_us']:.0f} us")
    print(f"  floor, one Python thread hand-off (queue.SimpleQueue), same pacing: "
          f"p50 {f['e2e_floor_p50_us']:.0f} us, p99 {f['e2e_floor_p99_us']:.0f} us, "
          f"p99.9 {f['e2e_floor_p999_us']:.0f} us; e2e / floor: "
          f"p50 {f['e2e_p50_us'] / f['e2e_floor_p50_us']:.2f}x, "
          f"p99 {f['e2e_p99_us'] / f['e2e_floor_p99_us']:.2f}x")
    print(f"  machine stalls just before (one clock-reading spinner per CPU, "
          f"{f['stall_probe_s']:.0f} s, nothing else running): {f['stall_gaps']} gaps > "
          f"{f['stall_threshold_us']} us, {f['stall_gaps_over_1ms']} of them > 1 ms, "
          f"{f['stall_total_ms']:.1f} ms in all, longest {f['stall_max_us']:.0f} us")

    def ratio(a: str, b: str) -> float | None:
        return f[a] / f[b] if a in f and b in f and f[b] > 0 else None

    print("\nratios")
    for name, a, b in [("send_many / sqlite3 executemany", "lk_send_many_rps",
                        "sqlite_executemany_rps"),
                       ("send / sqlite3 execute", "lk_send_rps", "sqlite_insert_rps"),
                       ("send_many / redis XADD pipelined", "lk_send_many_rps",
                        "redis_xadd_pipelined_rps"),
                       ("send_many / confluent-kafka produce", "lk_send_many_rps",
                        "ck_produce_rps"),
                       ("send / confluent-kafka produce", "lk_send_rps", "ck_produce_rps"),
                       ("consume / confluent-kafka consume", "lk_consume_rps",
                        "ck_consume_rps")]:
        r = ratio(a, b)
        if r is not None:
            key = "ratio_" + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
            f[key] = r
            print(f"  {name:40s} {r:6.1f}x")

    print("\ntargets")
    targets = [("send_many >= 3 M records/s", f["lk_send_many_rps"] >= 3e6),
               ("send >= 500 k records/s", f["lk_send_rps"] >= 5e5),
               ("e2e p99 <= 200 us at 10 k records/s", f["e2e_p99_us"] <= 200)]
    for name, a, b in [(">= 10x sqlite3", "lk_send_many_rps", "sqlite_executemany_rps"),
                       (">= 10x Redis", "lk_send_many_rps", "redis_xadd_pipelined_rps")]:
        r = ratio(a, b)
        if r is not None:
            targets.append((f"send_many {name} ({r:.1f}x)", r >= 10))
    for name, ok in targets:
        print(f"  {'pass' if ok else 'miss'}  {name}")
        f["target_" + re.sub(r"[^a-z0-9]+", "_", name.split(" (")[0].lower()).strip("_")] = ok
    print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in f.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
