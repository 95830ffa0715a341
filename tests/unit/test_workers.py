"""Worker threads run below the event loop's priority (Linux, where the tests run)."""

import asyncio
import os
import threading

from server.workers import NICENESS, WorkerThreads


def _priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _priority_of_a_thread_started_here() -> int:
    seen: list[int] = []
    started = threading.Thread(target=lambda: seen.append(_priority()))
    started.start()
    started.join()
    return seen[0]


def test_work_runs_below_the_loops_priority_and_so_do_the_threads_it_starts():
    threads = WorkerThreads(2, "test-workers")

    async def measure() -> tuple[int, int, int]:
        worker = await threads.run(_priority)
        started = await threads.run(_priority_of_a_thread_started_here)
        return _priority(), worker, started

    try:
        loop, worker, started = asyncio.run(measure())
    finally:
        threads.close()
    assert worker == min(19, loop + NICENESS)
    assert started == worker  # argon2's lanes are threads its caller starts


def test_the_threads_are_made_again_after_close():
    threads = WorkerThreads(1, "test-workers")
    assert asyncio.run(threads.run(sum, [1, 2])) == 3
    threads.close()
    assert asyncio.run(threads.run(sum, [3, 4])) == 7
    threads.close()
