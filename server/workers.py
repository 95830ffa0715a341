"""Worker threads for CPU-heavy work (argon2, SQLite searches), below the event loop's priority.

Off the loop is not enough on a machine with few cores: a verification at production argon2
costs runs four lanes of ~200 ms each, and while they hold every core the loop's thread waits
for the scheduler, so a ping waits too. On Linux the nice value is a per-thread attribute,
inherited by the threads a thread starts (argon2's lanes): these threads lower their own
priority when they start, so the scheduler runs the loop's thread first whenever it has work.
Elsewhere they run at normal priority.
"""

import asyncio
import functools
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

# How much lower than the process's: nice 10 gets ~1/10 of the CPU of nice 0 when both want it.
NICENESS = 10
# For work that must yield to NICENESS's too (new password hashes to logins' checks): nice 19
# gets ~1/7 of the CPU of nice 10, and ~1/70 of nice 0's.
LOWEST = 19


def lower_this_threads_priority(niceness: int = NICENESS) -> None:
    if sys.platform == "linux":
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + niceness))


class WorkerThreads:
    """A pool of ``count`` low-priority threads (``niceness`` below the process), made on first
    use and again after close (a new lifespan of the app)."""

    def __init__(self, count: int, name: str, *, niceness: int = NICENESS) -> None:
        self._count = count
        self._name = name
        self._niceness = niceness
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def pending(self) -> int:
        """Calls running or waiting for a thread: a caller that gave up while its call waited
        no longer counts, one whose call runs still does until it ends."""
        return self._pending

    async def run(self, function: Callable[..., T], *args: object) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                self._count,
                thread_name_prefix=self._name,
                initializer=functools.partial(lower_this_threads_priority, self._niceness),
            )
        with self._lock:
            self._pending += 1
        future = self._pool.submit(function, *args)
        future.add_done_callback(self._ended)
        return await asyncio.wrap_future(future)

    def _ended(self, _future: object) -> None:
        with self._lock:
            self._pending -= 1

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
