"""Worker threads for CPU-heavy work (argon2, SQLite searches), below the event loop's priority.

Off the loop is not enough on a machine with few cores: a verification at production argon2
costs runs four lanes of ~200 ms each, and while they hold every core the loop's thread waits
for the scheduler, so a ping waits too. On Linux the nice value is a per-thread attribute,
inherited by the threads a thread starts (argon2's lanes): these threads lower their own
priority when they start, so the scheduler runs the loop's thread first whenever it has work.
Elsewhere they run at normal priority.
"""

import asyncio
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

# How much lower than the process's: nice 10 gets ~1/10 of the CPU of nice 0 when both want it.
NICENESS = 10


def lower_this_threads_priority(niceness: int = NICENESS) -> None:
    if sys.platform == "linux":
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + niceness))


class WorkerThreads:
    """A pool of ``count`` low-priority threads, made on first use and again after close (a
    new lifespan of the app)."""

    def __init__(self, count: int, name: str) -> None:
        self._count = count
        self._name = name
        self._pool: ThreadPoolExecutor | None = None

    async def run(self, function: Callable[..., T], *args: object) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                self._count, thread_name_prefix=self._name, initializer=lower_this_threads_priority
            )
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
