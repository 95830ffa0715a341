"""Reads and writes of a SQLite file on worker threads, for work too large for the event loop.

SQLite runs inline on the loop (server.storage.inline), which is right for statements of
microseconds. A statement that walks thousands of rows (an image list, encoded as JSON by
SQLite) runs here instead: on a connection of its own, in a read transaction of its own (one
snapshot, the latest commit), on low-priority threads (server.workers). SQLite releases the
GIL while it steps, so the loop keeps answering meanwhile.

A write of thousands of rows (an image list of 10,000, a repository of 10,000 images deleted)
likewise runs on a thread of :class:`SqliteWriter`, as one transaction of its own: to the
inline units it is one more writer holding SQLite's lock for a while, as another process
would be, and they wait for it as they wait for one (server.storage.inline).
"""

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from server.storage.engines import sync_engine
from server.storage.inline import OFF_LOOP_WRITES, WRITE_LOCK_TIMEOUT_SECONDS
from server.storage.prepared import Plan, Rows
from server.workers import WorkerThreads

T = TypeVar("T")


class SqliteReader:
    """A process's threads for large SQLite reads; while both are busy, a read waits for one
    (the event loop does not)."""

    THREADS = 2

    def __init__(self, url: str) -> None:
        self._engine: Engine = sync_engine(url, pool_size=self.THREADS, max_overflow=0)
        self._threads = WorkerThreads(self.THREADS, "hubindex-reads")

    @classmethod
    def for_url(cls, url: str) -> "SqliteReader | None":
        """One for a SQLite database in a file; None for PostgreSQL or an in-memory one."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return cls(url)

    async def json(self, statement: Any, parameters: dict[str, Any]) -> str | None:
        """The one value ``statement`` selects (None: no row)."""
        return await self._threads.run(self._scalar, statement, parameters)

    def _scalar(self, statement: Any, parameters: dict[str, Any]) -> str | None:
        with self._engine.connect() as connection:  # closed: rolled back, the snapshot ends
            value: str | None = connection.execute(statement, parameters).scalar()
            return value

    def close(self) -> None:
        self._threads.close()
        self._engine.dispose()


class WriteTransaction:
    """What a :class:`SqliteWriter`'s work is given: its statements run in one transaction."""

    def __init__(self, driver: sqlite3.Connection, plans: dict[Executable, Plan], dialect: Any):
        self._driver = driver
        self._plans = plans
        self._dialect = dialect

    def execute(self, statement: Executable, parameters: Any) -> Rows:
        plan = self._plans.get(statement)
        if plan is None:
            plan = self._plans.setdefault(statement, Plan(statement, self._dialect))
        return plan.run(self._driver, parameters)


class SqliteWriter:
    """A process's thread for large SQLite writes, each one transaction: BEGIN IMMEDIATE
    (waiting on the thread, up to the units' lock timeout, for another writer), the work,
    COMMIT; on any error ROLLBACK, so that a failed write leaves nothing half done. One thread:
    large writes of this process run one after another (a caller waits, the loop does not).
    At normal priority: while it holds the write lock the loop's writers wait for it."""

    def __init__(self, url: str, *, lock_timeout: float = WRITE_LOCK_TIMEOUT_SECONDS) -> None:
        busy = max(1, round(lock_timeout * 1000))
        self._engine: Engine = sync_engine(url, busy_timeout_ms=busy, pool_size=1, max_overflow=0)
        self._threads = WorkerThreads(1, "hubindex-writes", niceness=0)
        self._plans: dict[Executable, Plan] = {}

    @classmethod
    def for_url(cls, url: str) -> "SqliteWriter | None":
        """One for a SQLite database in a file; None for PostgreSQL or an in-memory one."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return cls(url)

    async def run(self, work: Callable[[WriteTransaction], T]) -> T:
        """``work``'s answer, once its transaction has committed."""
        return await self._threads.run(self._transaction, work)

    def _transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        with (
            OFF_LOOP_WRITES.holding(),
            self._engine.connect() as connection,  # closed: given back, rolled back if open
        ):
            driver: sqlite3.Connection = connection.connection.driver_connection
            try:
                driver.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise DBAPIError.instance("BEGIN IMMEDIATE", None, error, sqlite3.Error) from error
            try:
                answer = work(WriteTransaction(driver, self._plans, self._engine.dialect))
                driver.commit()
            except BaseException:
                driver.rollback()
                raise
            return answer

    def close(self) -> None:
        self._threads.close()
        self._engine.dispose()
