"""Cross-client matrix: records produced by each client are consumed byte-identical (keys,
values, headers, timestamps, offsets) by every client.

    client_matrix_test.py SERVER_BINARY NAME=COMMAND...

COMMAND is a client program (clients/README.md) as a shell-quoted command prefix; it is run as
`COMMAND produce BOOTSTRAP TOPIC SPEC` and `COMMAND dump BOOTSTRAP OUT_DIR COUNT TOPIC...`.
Starts the test server on a free port, writes the fixed record set (clients/record_lines.py),
creates one single-partition topic per producing client, lets every client produce it to its
own topic, then lets every client dump every topic, and compares each dump with the expected
lines. Prints one line per producer/consumer pair and "N passed, N failed".
"""

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "clients"))
import record_lines  # noqa: E402

CLIENT_TIMEOUT_S = 240


def run(cmd, what):
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=CLIENT_TIMEOUT_S, stdin=subprocess.DEVNULL)
    took = time.monotonic() - start
    if p.returncode != 0:
        print("FAIL %s (exit %d after %.1f s):\n%s" % (what, p.returncode, took, p.stdout[-4000:]),
              flush=True)
        return False
    print("ran %s in %.1f s" % (what, took), flush=True)
    return True


def create_topics(bootstrap, topics):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(t, 1, 1) for t in topics]).values():
        f.result(30)


def main(argv):
    server = argv[1]
    clients = {}
    for arg in argv[2:]:
        name, cmd = arg.split("=", 1)
        clients[name] = shlex.split(cmd)
    spec_lines = record_lines.make_spec()
    expected = ["%d %s" % (i, line) for i, line in enumerate(spec_lines)]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as work:
        spec = os.path.join(work, "spec.txt")
        with open(spec, "w") as f:
            f.writelines(line + "\n" for line in spec_lines)
        proc = subprocess.Popen([server, "--data-dir", os.path.join(work, "data")],
                                stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            assert line.startswith("listening on "), line
            bootstrap = line.split()[-1]
            topics = {name: "matrix-" + name for name in clients}
            create_topics(bootstrap, list(topics.values()))
            produced = {}
            for name, cmd in clients.items():
                produced[name] = run(cmd + ["produce", bootstrap, topics[name], spec],
                                     name + " produce")
            good_topics = [topics[n] for n in clients if produced[n]]
            failed += sum(1 for ok in produced.values() if not ok) * len(clients)
            for reader, cmd in clients.items():
                out = os.path.join(work, "dump-" + reader)
                os.mkdir(out)
                if not run(cmd + ["dump", bootstrap, out, str(len(expected))] + good_topics,
                           reader + " dump"):
                    failed += len(good_topics)
                    continue
                for writer in clients:
                    if not produced[writer]:
                        continue
                    path = os.path.join(out, topics[writer] + ".txt")
                    got = open(path).read().splitlines() if os.path.exists(path) else []
                    if got == expected:
                        passed += 1
                        print("ok %s -> %s" % (writer, reader), flush=True)
                        continue
                    failed += 1
                    diff = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b),
                                min(len(got), len(expected)))
                    print("FAIL %s -> %s: %d lines, first difference at line %d\n  got:      %s\n"
                          "  expected: %s" % (writer, reader, len(got), diff,
                                              got[diff] if diff < len(got) else "(none)",
                                              expected[diff] if diff < len(expected) else "(none)"),
                          flush=True)
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(30)
            if rc != 0:
                failed += 1
                print("FAIL server exit code", rc)
        finally:
            if proc.poll() is None:
                proc.kill()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
