#!/usr/bin/env python3
"""`make wheel`, first half: a wheel of the lkstream package from a build tree.

    make-wheel.py BUILD_DIR OUT_DIR

Packs what the normal CMake build already made (nothing is compiled here, so `make wheel` and
the packaging test share the build with everything else): the package files of python/lkstream,
the extension module the build compiled for its venv's CPython (build/python/lkstream, stripped
of debug information), the connector plugins (as lkstream/connectors/, where the plugin host of
the embedded CLI looks), the `lkstream` console script and the metadata of pyproject.toml. The
result is tagged linux_<arch>; scripts/make-wheel.sh then runs `auditwheel repair`, which
vendors CAF, librdkafka and the rest into lkstream.libs/ and gives the manylinux tag.
Prints the wheel's path.
"""

from __future__ import annotations

import base64
import hashlib
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile


def fail(msg: str) -> None:
    print(f"make-wheel: {msg}", file=sys.stderr)
    sys.exit(1)


def record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: make-wheel.py BUILD_DIR OUT_DIR")
    build = pathlib.Path(sys.argv[1]).resolve()
    out = pathlib.Path(sys.argv[2]).resolve()
    src = pathlib.Path(__file__).resolve().parent.parent
    m = re.search(r"project\(lkstream VERSION ([0-9.]+)", (src / "CMakeLists.txt").read_text())
    if not m:
        fail("no version in CMakeLists.txt")
    version = m.group(1)

    modules = sorted((build / "python" / "lkstream").glob("_lkstream.cpython-*.so"))
    if len(modules) != 1:
        fail(f"expected one extension module in {build}/python/lkstream (build the "
             f"lkstream_python target), found {[p.name for p in modules]}")
    module = modules[0]
    # _lkstream.cpython-311-x86_64-linux-gnu.so -> cp311: the CPython it was compiled for.
    mt = re.match(r"_lkstream\.cpython-(\d)(\d+)-", module.name)
    if not mt:
        fail(f"cannot tell the CPython version of {module.name}")
    py_tag = f"cp{mt.group(1)}{mt.group(2)}"
    connectors = sorted((build / "connectors").glob("liblkstream_*.so"))
    if not connectors:
        fail(f"no connectors in {build}/connectors (build the lkstream_connectors target)")

    plat = f"linux_{platform.machine()}"
    tag = f"{py_tag}-{py_tag}-{plat}"
    dist_info = f"lkstream-{version}.dist-info"
    pkg_src = src / "python" / "lkstream"
    files: dict[str, bytes] = {}
    for p in sorted(pkg_src.iterdir()):
        if p.is_file() and (p.suffix in (".py", ".pyi") or p.name == "py.typed"):
            files[f"lkstream/{p.name}"] = p.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        for elf, arc in [(module, f"lkstream/{module.name}")] + [
                (c, f"lkstream/connectors/{c.name}") for c in connectors]:
            copy = pathlib.Path(tmp) / elf.name
            shutil.copyfile(elf, copy)
            subprocess.run(["strip", "--strip-debug", str(copy)], check=True)
            files[arc] = copy.read_bytes()

    readme = (src / "docs" / "python.md").read_text()
    metadata = "\n".join([
        "Metadata-Version: 2.1",
        "Name: lkstream",
        f"Version: {version}",
        "Summary: LKSTREAM in-process: a lightweight Kafka-compatible event log as a Python "
        "library",
        "License: Proprietary",
        "Classifier: Programming Language :: Python :: 3",
        "Classifier: Programming Language :: C++",
        "Classifier: Operating System :: POSIX :: Linux",
        "Classifier: Typing :: Typed",
        f"Requires-Python: >={mt.group(1)}.{mt.group(2)}",
        "Description-Content-Type: text/markdown",
        "",
        readme,
    ])
    files[f"{dist_info}/METADATA"] = metadata.encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: lkstream scripts/make-wheel.py\n"
        f"Root-Is-Purelib: false\nTag: {tag}\n").encode()
    files[f"{dist_info}/entry_points.txt"] = (
        "[console_scripts]\nlkstream = lkstream.__main__:main\n").encode()
    record = [f"{name},{record_hash(data)},{len(data)}" for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()

    out.mkdir(parents=True, exist_ok=True)
    wheel = out / f"lkstream-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            executable = name.endswith(".so")
            info.external_attr = (0o755 if executable else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(wheel)


if __name__ == "__main__":
    main()
