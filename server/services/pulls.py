"""Pull counts, batched: a pull (``GET .../images`` with ``X-Docker-Token: true``) adds one to
a counter in this process's memory, which costs the request no statement; a task writes what
was counted once a second, in one transaction (server.services.pages.RepositoryPages
.add_pulls), and once more when the process stops. A process killed outright loses what it
counted since its last batch: at most a second of its pulls. A batch the database refuses is
kept and tried again with the next one."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from server.auth import RepositoryName

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 1.0
# Repositories a batch holds at most: past that, the counts of new ones are dropped until the
# next batch is written (a flood of pulls of distinct names keeps memory bounded).
MAX_PENDING = 100_000

UnitOfWork = Callable[[], AbstractAsyncContextManager[Any]]  # its services: .pages


class PullCounter:
    def __init__(self, unit_of_work: UnitOfWork, interval: float = INTERVAL_SECONDS) -> None:
        self._unit_of_work = unit_of_work
        self._interval = interval
        self._pending: dict[tuple[str, str], int] = {}
        self._task: asyncio.Task[None] | None = None

    def count(self, repository: RepositoryName) -> None:
        # Keyed by a tuple of the two names, whose hashes str keeps: a frozen dataclass's
        # hash is computed in Python at every lookup (a few µs on the request's path).
        key = (repository.namespace, repository.name)
        pending = self._pending
        counted = pending.get(key)
        if counted is not None:
            pending[key] = counted + 1
        elif len(pending) < MAX_PENDING:
            pending[key] = 1

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="hubindex pull counts")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self.flush()

    async def flush(self) -> None:
        """Write what was counted, in one transaction; kept for the next batch if it fails."""
        batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            async with self._unit_of_work() as services:
                await services.pages.add_pulls(
                    {RepositoryName(*key): pulls for key, pulls in batch.items()}
                )
        except Exception:
            for key, pulls in batch.items():
                self._pending[key] = self._pending.get(key, 0) + pulls
            raise

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:  # the database is down or busy: the next batch tries again
                log.warning("pull counts not written; kept for the next batch", exc_info=True)
