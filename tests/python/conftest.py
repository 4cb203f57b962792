"""Shared fixtures of the Python package tests (tests/python/CMakeLists.txt runs them with
PYTHONPATH pointing at the built package in the build directory)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

import lkstream


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def lk(data_dir: Path) -> Iterator[lkstream.Engine]:
    with lkstream.open(data_dir, worker_threads=2) as eng:
        yield eng


def wait_until(pred: Callable[[], bool], what: str, seconds: float = 60.0,
               step: Callable[[], object] | None = None) -> None:
    """Polls `pred` (running `step` between tries) until it holds; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        if step is not None:
            step()
        else:
            time.sleep(0.01)


def lkstream_binary() -> str:
    """The built `lkstream` executable (set by CMake), for tests that run `lkstream serve`."""
    return os.environ["LKSTREAM_BINARY"]
