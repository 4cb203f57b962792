"""The type stubs match the module (mypy's stubtest) and let mypy check user code."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import lkstream


# What stubtest cannot see through in a nanobind module: its metaclass, its function objects
# (no inspectable signature) and its generic __init__. Everything else (a name missing on
# either side, a property that is a method, a wrong default, ...) fails the test.
NANOBIND_ARTIFACTS = ("metaclass differs", "disjoint base", "is not a function",
                      "__init__ is inconsistent, stub does not have *args")


def test_python_stubs_match_the_runtime() -> None:
    pkg = Path(lkstream.__file__).parent
    assert (pkg / "py.typed").exists() and (pkg / "_lkstream.pyi").exists()
    r = subprocess.run([sys.executable, "-m", "mypy.stubtest", "lkstream",
                        "--ignore-missing-stub"], capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, MYPY_CACHE_DIR=os.devnull))
    errors = [line for line in r.stdout.splitlines() if line.startswith("error:")]
    real = [e for e in errors if not any(a in e for a in NANOBIND_ARTIFACTS)]
    assert real == [], r.stdout[-5000:]
    assert "Found" in r.stdout or r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


def test_python_stubs_list_every_runtime_member() -> None:
    import ast
    from lkstream import _lkstream
    tree = ast.parse((Path(lkstream.__file__).parent / "_lkstream.pyi").read_text())
    stub = {n.name: n for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    runtime = {k for k in vars(_lkstream) if not k.startswith("__")}
    assert runtime - {"_Bytes"} <= set(stub) | {"__version__"}, runtime - set(stub)
    for name, node in stub.items():
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(_lkstream, name)
        in_stub = {m.name for m in node.body if isinstance(m, ast.FunctionDef)}
        in_runtime = {k for k in vars(cls) if not k.startswith("__") or k in
                      ("__init__", "__next__", "__len__", "__contains__")}
        assert in_runtime <= in_stub | {"__init__"}, (name, in_runtime - in_stub)
        assert in_stub <= in_runtime | {"__init__"}, (name, in_stub - in_runtime)


def test_python_mypy_accepts_good_code_and_rejects_bad(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text(textwrap.dedent("""
        import lkstream
        with lkstream.open("./d") as lk:
            lk.create_topic("t", 2, retention="1d", fsync="always")
            p = lk.producer(linger_ms=1)
            p.send("t", b"v", key=b"k", headers={"a": b"1"})
            n: int = p.send_many("t", [(b"k", b"v"), b"w"])
            c = lk.consumer(group="g", topics=["t"], auto_offset_reset="earliest")
            for r in c.poll_batch(max_records=10, timeout=1.0):
                v: bytes | None = r.value
                off: int = r.offset
            info: lkstream.TopicInfo = lk.describe("t")
    """))
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent("""
        import lkstream
        lk = lkstream.open("./d")
        lk.producer().send("t", 5)
        x: str = lk.consumer(group="g").poll_batch()[0].value
    """))
    cmd = [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
           "--cache-dir", os.devnull]
    r = subprocess.run(cmd + [str(good)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout
    r = subprocess.run(cmd + [str(bad)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 1
    assert "bad.py:4" in r.stdout and "bad.py:5" in r.stdout, r.stdout
