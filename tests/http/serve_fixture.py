"""A real `lkstream serve` for the HTTP tests: free ports, a temporary data directory, and
kcat for Kafka traffic. Shared by http_api_test.py and console_test.py."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request


class Server:
    def __init__(self, binary, kcat):
        self.binary, self.kcat = binary, kcat
        self.data = tempfile.mkdtemp(prefix="lkstream-http-")
        self.lines = []
        self.proc = subprocess.Popen(
            [binary, "serve", "--data-dir", self.data, "--listen", "127.0.0.1:0",
             "--http-listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.kafka = self.http = None
        deadline = time.monotonic() + 120
        for line in self.proc.stdout:
            self.lines.append(line)
            if m := re.search(r"Kafka listener on (\S+),", line):
                self.kafka = m.group(1)
            if m := re.search(r"HTTP listener on (\S+) ", line):
                self.http = "http://" + m.group(1)
            if line.startswith("lkstream: ready"):
                break
            if time.monotonic() > deadline:
                break
        if not (self.kafka and self.http):
            self.proc.kill()
            raise RuntimeError("serve did not start:\n" + "".join(self.lines))
        # Keep draining its output so that it never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = "killed after 60 s"
        else:
            code = self.proc.returncode
        shutil.rmtree(self.data, ignore_errors=True)
        return code

    # ---- HTTP -----------------------------------------------------------------------------

    def request(self, method, path, body=None, content_type="application/json", timeout=30):
        data = None if body is None else (body if isinstance(body, bytes) else
                                          json.dumps(body).encode())
        req = urllib.request.Request(self.http + path, data=data, method=method)
        if data is not None and content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return res.status, res.headers, res.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def get_json(self, path):
        status, _, body = self.request("GET", path)
        assert status == 200, f"GET {path}: {status} {body[:300]!r}"
        return json.loads(body)

    # ---- Kafka through kcat ---------------------------------------------------------------

    def produce(self, topic, lines, key_sep=":"):
        """Produces `lines` ("key:value") with acks=all; returns once kcat exits."""
        r = subprocess.run([self.kcat, "-b", self.kafka, "-P", "-t", topic, "-K", key_sep,
                            "-X", "acks=all"], input="\n".join(lines) + "\n", text=True,
                           capture_output=True, timeout=120)
        assert r.returncode == 0, f"kcat produce: {r.stderr}"

    def consume_group(self, group, topic, count):
        """Reads `count` records in consumer group `group`, commits and leaves."""
        r = subprocess.run([self.kcat, "-b", self.kafka, "-G", group, "-o", "beginning",
                            "-c", str(count), "-q", "-f", "%o\n",
                            "-X", "auto.commit.interval.ms=100", topic],
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, f"kcat -G: {r.stderr}"
        return r.stdout.split()

    def member(self, group, topic):
        """A consumer that stays in `group` until killed."""
        return subprocess.Popen([self.kcat, "-b", self.kafka, "-G", group, "-q", topic],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(what, predicate, timeout=90, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")
