"""`lkstream` console script and `python -m lkstream`: the lkstream CLI, in this process."""

from __future__ import annotations

import sys

from . import _lkstream


def main() -> int:
    return _lkstream._run_cli(["lkstream", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
