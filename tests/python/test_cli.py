"""The CLI in-process (python -m lkstream, the same entry point as the console script)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import lkstream


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lkstream", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_python_cli_version_and_usage_errors() -> None:
    r = run("version")
    assert r.returncode == 0 and r.stdout.strip() == f"lkstream {lkstream.__version__}"
    r = run("no-such-command")
    assert r.returncode == 2 and "unknown command 'no-such-command'" in r.stderr
    r = run("--help")
    assert r.returncode == 0 and "serve" in r.stdout


def test_python_cli_serve_runs_in_process_until_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "lkstream", "serve", "--data-dir", str(data),
                             "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ready = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("lkstream: ready"):
            ready = line
            break
    assert re.search(r"Kafka on 127\.0\.0\.1:(\d+)", ready), ready
    port = int(re.search(r"127\.0\.0\.1:(\d+)", ready).group(1))
    assert port > 0
    os.kill(proc.pid, signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "stopped" in out
    with lkstream.open(data):  # the lock was released
        pass
