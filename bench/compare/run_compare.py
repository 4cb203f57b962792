#!/usr/bin/env python3
"""Side-by-side benchmark: LKSTREAM vs Apache Kafka, Redis Streams and NATS JetStream.

Starts each system itself on 127.0.0.1, one at a time, with its data in the same work directory
(same disk), drives it with build/bench/compare/compare_loadgen (librdkafka for LKSTREAM and
Kafka, hiredis for Redis, libnats for NATS), samples the broker process in /proc, and writes
JSON, a Markdown table and PNG charts. `make bench-compare` / `make bench-compare-quick` run it;
see bench/compare/README.md for the method.

Per system and workload: a fresh broker (new data dir); a probe produces one record as soon as the
broker is ready (start-to-first-produce = first ack - process start time from /proc/PID/stat);
after an idle pause the idle RSS is read; then phase A (max rate) and phase B (fixed rate), each on
a fresh topic with one producer and one consumer-group member; then the broker is stopped.
Exit status: 0 when every run produced a result, 1 otherwise (the report still lists the rest).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

# name -> (label, driver). "lkstream-always" is LKSTREAM with fsync = "always", shown separately.
SYSTEMS = {
    "lkstream": ("LKSTREAM", "kafka"),
    "kafka": ("Apache Kafka", "kafka"),
    "redis": ("Redis Streams", "redis"),
    "nats": ("NATS JetStream", "nats"),
    "lkstream-always": ("LKSTREAM fsync=always", "kafka"),
}
PEERS = ["kafka", "redis", "nats"]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, deadline):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False


def proc_start_boot_s(pid):
    """Process start time in seconds since boot (CLOCK_BOOTTIME), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[19]) / CLK_TCK  # field 22 overall, 20 after "pid (comm)"


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def proc_rss_bytes(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def disk_bytes(path):
    """Allocated bytes under path (st_blocks, as du counts them)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


class Sampler:
    """Samples a process's RSS every 50 ms in a thread; peak since the last reset()."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = 0
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop_flag.is_set():
            try:
                self.peak = max(self.peak, proc_rss_bytes(self.pid))
            except OSError:
                return
            time.sleep(0.05)

    def reset(self):
        self.peak = 0

    def stop(self):
        self.stop_flag.set()
        self.thread.join()


class Broker:
    """One running system. Subclasses set pid, address, data_dir in start()."""

    def __init__(self, name, work, args):
        self.name, self.work, self.args = name, work, args
        self.pid = None
        self.address = None
        self.data_dir = None
        self.proc = None
        self.log_path = os.path.join(work, f"{name}.log")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def _spawn(self, argv):
        logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        logf.close()
        self.pid = self.proc.pid

    def _wait_log(self, pattern, deadline):
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited during start: {self._tail()}")
            with open(self.log_path, errors="replace") as f:
                m = rx.search(f.read())
            if m:
                return m
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} not ready in time: {self._tail()}")

    def _tail(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-15:])
        except OSError:
            return "(no log)"


class Lkstream(Broker):
    def start(self, fsync):
        self.data_dir = os.path.join(self.work, "data")
        cfg = os.path.join(self.work, "lkstream.toml")
        with open(cfg, "w") as f:
            f.write("# written by bench/compare/run_compare.py\n"
                    "[broker]\n"
                    "group_initial_rebalance_delay_ms = 0\n"
                    "[topic_defaults]\n"
                    f'fsync = "{fsync}"\n')
            for line in self.args.lkstream_topic_setting:
                f.write(line + "\n")
        self._spawn([self.args.lkstream, "serve", "--data-dir", self.data_dir,
                     "--listen", "127.0.0.1:0", "--config", cfg])
        m = self._wait_log(r"Kafka listener on (\S+?),", time.monotonic() + 60)
        self.address = m.group(1)


class Kafka(Broker):
    def start(self):
        script = os.path.join(REPO, "scripts", "apache-kafka.sh")
        self.data_dir = os.path.join(self.work, "kafka", "data")
        env = dict(os.environ)
        env["KAFKA_EXTRA_PROPS"] = self.args.kafka_props
        out = subprocess.run(["bash", script, "start", os.path.join(self.work, "kafka")],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"apache-kafka.sh start failed: {out.stderr[-2000:]}")
        self.address = out.stdout.strip().splitlines()[-1]
        with open(os.path.join(self.work, "kafka", "kafka.pid")) as f:
            self.pid = int(f.read().strip())
        self.log_path = os.path.join(self.work, "kafka", "kafka.log")

    def stop(self):
        subprocess.run(["bash", os.path.join(REPO, "scripts", "apache-kafka.sh"), "stop",
                        os.path.join(self.work, "kafka")], timeout=120)


class Redis(Broker):
    def start(self):
        self.data_dir = os.path.join(self.work, "redis")
        os.makedirs(self.data_dir)
        port = free_port()
        # AOF on, fsync left to the OS (appendfsync no): the equal of Kafka's and LKSTREAM's
        # "no fsync per message". No RDB snapshots and no AOF rewrite (no fork during a run).
        self._spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                     "--dir", self.data_dir, "--appendonly", "yes", "--appendfsync", "no",
                     "--save", "", "--auto-aof-rewrite-percentage", "0", "--daemonize", "no",
                     "--logfile", ""])
        self._wait_log(r"Ready to accept connections", time.monotonic() + 60)
        self.address = f"127.0.0.1:{port}"


class Nats(Broker):
    def start(self):
        self.data_dir = os.path.join(self.work, "nats")
        os.makedirs(self.data_dir)
        port = free_port()
        self._spawn(["nats-server", "-a", "127.0.0.1", "-p", str(port), "-js",
                     "-sd", self.data_dir])
        self._wait_log(r"Server is ready", time.monotonic() + 60)
        self.address = f"127.0.0.1:{port}"


def start_broker(name, work, args):
    if name == "lkstream":
        b = Lkstream(name, work, args)
        b.start("never")
    elif name == "lkstream-always":
        b = Lkstream(name, work, args)
        b.start("always")
    elif name == "kafka":
        b = Kafka(name, work, args)
        b.start()
    elif name == "redis":
        b = Redis(name, work, args)
        b.start()
    else:
        b = Nats(name, work, args)
        b.start()
    return b


def loadgen(args, driver, address, extra, timeout):
    argv = [args.loadgen, "--system", driver, "--address", address] + extra
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=timeout)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"compare_loadgen {' '.join(extra)} failed (exit {out.returncode}): "
                           f"{out.stderr.strip()[-1500:]}")
    return json.loads(lines[-1])


def workload_id(w):
    return f"{w['partitions']}p-{w['value_bytes']}b-{'keyed' if w['keyed'] else 'unkeyed'}"


def workload_label(w):
    size = "1 KiB" if w["value_bytes"] == 1024 else f"{w['value_bytes']} B"
    parts = f"{w['partitions']} partition" + ("s" if w["partitions"] > 1 else "")
    return f"1 topic x {parts}, {size}, {'keyed' if w['keyed'] else 'unkeyed'}"


def stop_broker(label, broker, work, args):
    """Stops a run's broker (if it started) and removes its data unless --keep."""
    if broker:
        try:
            broker.stop()
        except Exception as e:
            log(f"{label}: stop failed: {e}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def run_one(name, w, args, root):
    label, driver = SYSTEMS[name]
    work = os.path.join(root, f"{name}-{workload_id(w)}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    res = {"system": name, "label": label, "workload": workload_id(w)}
    broker = None
    sampler = None
    try:
        log(f"{label}: starting for {workload_label(w)}")
        broker = start_broker(name, work, args)
        ready_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        start_boot = proc_start_boot_s(broker.pid)
        sampler = Sampler(broker.pid)
        probe = loadgen(args, driver, broker.address,
                        ["--probe", "--topic", "probe", "--value-bytes", str(w["value_bytes"])],
                        timeout=300)
        res["start_to_ready_s"] = ready_boot - start_boot
        res["start_to_first_produce_s"] = probe["first_ack_boot_ns"] / 1e9 - start_boot
        time.sleep(args.idle_s)
        res["rss_idle_bytes"] = proc_rss_bytes(broker.pid)
        res["rss_start_peak_bytes"] = sampler.peak
        common = ["--partitions", str(w["partitions"]), "--value-bytes", str(w["value_bytes"]),
                  "--warmup", str(args.warmup), "--seconds", str(args.seconds),
                  "--drain-timeout", str(args.drain_timeout)]
        if w["keyed"]:
            common.append("--keyed")
        timeout = args.warmup + args.seconds + 2 * args.drain_timeout + 300
        for phase, rate in (("max", 0), ("fixed", args.rate)):
            if phase == "fixed":
                time.sleep(args.idle_s)  # let the broker settle after the max-rate phase
            disk0 = disk_bytes(broker.data_dir)
            cpu0 = proc_cpu_s(broker.pid)
            sampler.reset()
            log(f"{label}: {workload_id(w)} phase {phase} (rate {rate or 'max'})")
            r = loadgen(args, driver, broker.address,
                        common + ["--topic", f"bench-{phase}", "--rate", str(rate)], timeout)
            r["broker_cpu_s"] = proc_cpu_s(broker.pid) - cpu0
            r["rss_peak_bytes"] = sampler.peak
            r["disk_bytes"] = disk_bytes(broker.data_dir) - disk0
            acked = max(r["acked"], 1)
            r["cpu_s_per_million"] = r["broker_cpu_s"] / (acked / 1e6)
            r["disk_bytes_per_record"] = r["disk_bytes"] / acked
            res[phase] = r
            log(f"{label}: {phase}: {r['publish_rps']:.0f} rec/s, ack p99 "
                f"{r['ack']['p99_us']:.0f} us, e2e p99 {r['e2e']['p99_us']:.0f} us, "
                f"missing {r['missing']}")
        res["rss_peak_bytes"] = max(res["rss_start_peak_bytes"], res["max"]["rss_peak_bytes"],
                                    res["fixed"]["rss_peak_bytes"])
    except Exception as e:  # a failed system is reported, the others still run
        res["error"] = str(e)
        log(f"{label}: FAILED: {e}")
    finally:
        if sampler:
            sampler.stop()
        stop_broker(label, broker, work, args)
    return res


def txn_workload_id(w):
    return f"txn{w['records']}-{w['partitions']}p-{w['value_bytes']}b"


def run_txn(name, w, args, root):
    """A transactional workload on a fresh broker (Kafka-protocol systems only): transactions
    of w['records'] records back to back, committed records/s and commit latency."""
    label, driver = SYSTEMS[name]
    wid = txn_workload_id(w)
    work = os.path.join(root, f"{name}-{wid}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    res = {"system": name, "label": label, "workload": wid}
    broker = None
    try:
        log(f"{label}: starting for {wid}")
        broker = start_broker(name, work, args)
        loadgen(args, driver, broker.address,
                ["--probe", "--topic", "probe", "--value-bytes", str(w["value_bytes"])],
                timeout=300)
        time.sleep(args.idle_s)
        cpu0 = proc_cpu_s(broker.pid)
        r = loadgen(args, driver, broker.address,
                    ["--topic", "bench-txn", "--partitions", str(w["partitions"]),
                     "--value-bytes", str(w["value_bytes"]), "--warmup", str(args.warmup),
                     "--seconds", str(args.seconds), "--drain-timeout", str(args.drain_timeout),
                     "--transaction-records", str(w["records"])],
                    args.warmup + args.seconds + 2 * args.drain_timeout + 300)
        r["broker_cpu_s"] = proc_cpu_s(broker.pid) - cpu0
        res.update(r)
        log(f"{label}: {wid}: {r['committed_rps']:.0f} committed rec/s, commit p50 "
            f"{r['commit']['p50_us']:.0f} us p99 {r['commit']['p99_us']:.0f} us, "
            f"missing {r['missing']}")
    except Exception as e:  # a failed system is reported, the others still run
        res["error"] = str(e)
        log(f"{label}: FAILED: {e}")
    finally:
        stop_broker(label, broker, work, args)
    return res


def machine():
    info = {"cpus": os.cpu_count(), "kernel": platform.release()}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            info["cpu"] = m.group(1).strip() if m else "?"
        with open("/proc/meminfo") as f:
            info["mem_gib"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def versions(args):
    v = {}
    def cmd(argv):
        try:
            return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, timeout=30).stdout.strip().splitlines()[0]
        except Exception:
            return "?"
    v["redis"] = cmd(["redis-server", "--version"])
    v["nats"] = cmd(["nats-server", "--version"])
    v["kafka"] = os.environ.get("KAFKA_VERSION", "4.4.0")
    v["lkstream"] = cmd([args.lkstream, "version"])
    v["git"] = cmd(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
    v["librdkafka"] = cmd(["sh", "-c", "dpkg-query -W -f='${Version}' librdkafka-dev"])
    return v


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="short runs, one workload per system (under 3 minutes)")
    p.add_argument("--systems", default="lkstream,kafka,redis,nats,lkstream-always")
    p.add_argument("--workloads", default=None,
                   help="comma list of NpBb-keyed|unkeyed, e.g. 1p-100b-unkeyed,8p-1024b-keyed; "
                        "'all' for the full cross product")
    p.add_argument("--txn-workloads", default=None,
                   help="transactional workloads txnN-Pp-Bb (N records per transaction), run "
                        "for the Kafka-protocol systems; default txn1-1p-100b,txn100-1p-100b "
                        "('none' in --quick runs unless given)")
    p.add_argument("--seconds", type=float, default=None, help="measured seconds per phase")
    p.add_argument("--warmup", type=float, default=None, help="warm-up seconds per phase")
    p.add_argument("--rate", type=int, default=50000, help="records/s of the fixed-rate phase")
    p.add_argument("--drain-timeout", type=float, default=None,
                   help="seconds the consumer may take to catch up after a phase")
    p.add_argument("--idle-s", type=float, default=None, help="pause before the idle RSS")
    p.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    p.add_argument("--out", default=None, help="results directory (default bench/results[/quick])")
    p.add_argument("--work-dir", default=None, help="where the brokers keep their data")
    p.add_argument("--kafka-props", default="", help="extra server.properties, 'k=v k=v'")
    p.add_argument("--lkstream-topic-setting", action="append", default=[], metavar="'K = V'",
                   help="extra [topic_defaults] line for LKSTREAM, "
                        "e.g. 'hot_tail_bytes = \"1MiB\"'")
    p.add_argument("--keep", action="store_true", help="keep the data directories")
    p.add_argument("--no-charts", action="store_true")
    p.add_argument("--lkstream", default=None, help="lkstream binary (default BUILD/app/lkstream)")
    p.add_argument("--loadgen", default=None,
                   help="compare_loadgen binary (default BUILD/bench/compare/compare_loadgen)")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 also when a phase lost records or acknowledged none (tests)")
    args = p.parse_args()

    if args.quick:
        args.seconds = args.seconds or 4
        args.warmup = args.warmup if args.warmup is not None else 1
        args.idle_s = args.idle_s if args.idle_s is not None else 0.5
        args.drain_timeout = args.drain_timeout if args.drain_timeout is not None else 15
        args.workloads = args.workloads or "1p-100b-unkeyed"
        args.txn_workloads = args.txn_workloads or "none"
        if args.systems == p.get_default("systems"):
            args.systems = "lkstream,kafka,redis,nats"
    else:
        args.seconds = args.seconds or 30
        args.warmup = args.warmup if args.warmup is not None else 5
        args.idle_s = args.idle_s if args.idle_s is not None else 3
        args.drain_timeout = args.drain_timeout if args.drain_timeout is not None else 60
        args.workloads = args.workloads or ("1p-100b-unkeyed,1p-1024b-unkeyed,8p-100b-keyed,"
                                            "8p-1024b-keyed")
        args.txn_workloads = args.txn_workloads or "txn1-1p-100b,txn100-1p-100b"
    if args.workloads == "all":
        args.workloads = ",".join(f"{p_}p-{b}b-{k}" for p_ in (1, 8) for b in (100, 1024)
                                  for k in ("unkeyed", "keyed"))
    workloads = []
    for wid in ([] if args.workloads == "none" else args.workloads.split(",")):
        m = re.fullmatch(r"(\d+)p-(\d+)b-(keyed|unkeyed)", wid.strip())
        if not m:
            p.error(f"bad workload {wid!r} (want e.g. 8p-100b-keyed)")
        workloads.append({"partitions": int(m.group(1)), "value_bytes": int(m.group(2)),
                          "keyed": m.group(3) == "keyed"})
    txn_workloads = []
    if args.txn_workloads != "none":
        for wid in args.txn_workloads.split(","):
            m = re.fullmatch(r"txn(\d+)-(\d+)p-(\d+)b", wid.strip())
            if not m:
                p.error(f"bad transactional workload {wid!r} (want e.g. txn100-1p-100b)")
            txn_workloads.append({"records": int(m.group(1)), "partitions": int(m.group(2)),
                                  "value_bytes": int(m.group(3))})
    if args.workloads == "none":
        workloads = []
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    for s in systems:
        if s not in SYSTEMS:
            p.error(f"unknown system {s!r} (known: {', '.join(SYSTEMS)})")
    args.lkstream = args.lkstream or os.path.join(args.build_dir, "app", "lkstream")
    args.loadgen = args.loadgen or os.path.join(args.build_dir, "bench", "compare",
                                                "compare_loadgen")
    for exe in (args.lkstream, args.loadgen):
        if not os.access(exe, os.X_OK):
            p.error(f"{exe} not built (make bench-compare builds it)")
    out_dir = args.out or os.path.join(REPO, "bench", "results", "quick" if args.quick else "")
    out_dir = os.path.abspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    root = os.path.abspath(args.work_dir or os.path.join(args.build_dir, "bench-compare-work"))
    os.makedirs(root, exist_ok=True)

    command = " ".join(["bench/compare/run_compare.py"] + sys.argv[1:])
    report = {
        "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "quick": args.quick,
        "machine": machine(),
        "versions": versions(args),
        "loadavg_start": os.getloadavg(),
        "settings": {"seconds": args.seconds, "warmup": args.warmup, "rate": args.rate,
                     "drain_timeout": args.drain_timeout,
                     "idle_s": args.idle_s, "kafka_props": args.kafka_props,
                     "lkstream_topic_settings": args.lkstream_topic_setting,
                     "kafka_heap": os.environ.get("KAFKA_HEAP", "512m"),
                     "nice": os.nice(0)},
        "workloads": [dict(w, id=workload_id(w), label=workload_label(w)) for w in workloads],
        "systems": systems,
        "runs": [],
        "transactions": [],
    }
    import compare_report  # same directory
    json_path = os.path.join(out_dir, "compare.json")

    def save(final):
        # Written after every run too, so that an interrupted run still leaves its results.
        report["elapsed_s"] = time.monotonic() - t0
        report["loadavg_end"] = os.getloadavg()
        report["complete"] = final
        with open(json_path + ".tmp", "w") as f:
            json.dump(report, f, indent=1)
        os.replace(json_path + ".tmp", json_path)

    t0 = time.monotonic()
    for w in workloads:
        for s in systems:
            report["runs"].append(run_one(s, w, args, root))
            save(False)
    for w in txn_workloads:
        for s in systems:
            if s in ("lkstream", "kafka"):  # the Kafka protocol's transactions
                report["transactions"].append(run_txn(s, w, args, root))
                save(False)
    save(True)
    md = compare_report.markdown(report, charts=not args.no_charts) if report["runs"] else ""
    md += compare_report.txn_markdown(report)
    with open(os.path.join(out_dir, "compare.md"), "w") as f:
        f.write(md)
    if not args.no_charts and report["runs"]:
        try:
            compare_report.charts(report, out_dir)
        except ImportError as e:
            log(f"no charts: {e} (scripts/install-bench-deps.sh sets up matplotlib)")
    log(f"wrote {json_path}, compare.md and charts in {out_dir} ({report['elapsed_s']:.0f} s)")
    print(md)
    failed = [r for r in report["runs"] + report["transactions"] if "error" in r]
    if args.strict:
        failed += [r for r in report["runs"] if "error" not in r and any(
            r[ph]["missing"] or not r[ph]["acked"] or r[ph]["ack_failed"] or r[ph]["bad_values"]
            for ph in ("max", "fixed"))]
        failed += [r for r in report["transactions"] if "error" not in r and (
            r["missing"] or not r["committed"] or r["bad_values"])]
    for r in failed:
        log(f"{r['label']} {r['workload']}: " + r.get("error", "records lost or not acknowledged"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    sys.exit(main())
