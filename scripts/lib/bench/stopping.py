"""A benchmark stopped with SIGTERM (``kill``, ``timeout``) cleans up as Ctrl-C does.

Python's default for SIGTERM ends the process at once, skipping every ``finally``: the servers
it started kept running and its PostgreSQL databases (``hubindex_bench_*``) stayed behind.
"""

import signal
import sys
from types import FrameType


def _exit(signum: int, _frame: FrameType | None) -> None:
    sys.exit(128 + signum)  # SystemExit unwinds through the finally blocks


def clean_up_on_sigterm() -> None:
    signal.signal(signal.SIGTERM, _exit)
