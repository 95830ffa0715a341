"""Pruning the audit log: each serving process deletes events older than the retention
(HUBINDEX_AUDIT_RETENTION_DAYS), a bounded batch per pass, in a short transaction of its
own, so that no pass holds SQLite's write lock, or PostgreSQL's row locks, for long. Two
processes pruning at once delete disjoint or the same rows; either way nothing is lost but
what is due.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

from server.services.audit import AuditLog

logger = logging.getLogger(__name__)

BATCH = 1000  # events deleted per pass at most
EVERY_SECONDS = 600.0  # between two rounds of passes
BREATH_SECONDS = 0.05  # between two passes of a round (more was due)
# The first round waits this long: a process that starts has requests to serve, and a
# database at its connection limit has none to spare for housekeeping.
FIRST_ROUND_SECONDS = 60.0

# A writing unit of work over the audit log.
UnitOfWork = Callable[[], AbstractAsyncContextManager[AuditLog]]


class AuditPruner:
    def __init__(self, unit_of_work: UnitOfWork, retention_days: int) -> None:
        self._unit_of_work = unit_of_work
        self._retention = timedelta(days=retention_days) if retention_days else None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None and self._retention is not None:
            self._task = asyncio.create_task(self._run(), name="hubindex audit pruning")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def prune(self) -> int:
        """One pass: how many events it deleted (at most BATCH)."""
        assert self._retention is not None
        async with self._unit_of_work() as log:
            return await log.prune(datetime.now(UTC) - self._retention, BATCH)

    async def _run(self) -> None:
        await asyncio.sleep(FIRST_ROUND_SECONDS)
        while True:
            try:
                more = await self.prune() == BATCH
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("audit log pruning: a pass failed; trying again later")
                more = False
            # More may be due at once: after a breath, for the write lock's others.
            await asyncio.sleep(BREATH_SECONDS if more else EVERY_SECONDS)
