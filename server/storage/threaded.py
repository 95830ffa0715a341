"""Reads of a SQLite file on worker threads, for answers too large to build on the event loop.

SQLite runs inline on the loop (server.storage.inline), which is right for statements of
microseconds. A statement that walks thousands of rows (an image list, encoded as JSON by
SQLite) runs here instead: on a connection of its own, in a read transaction of its own (one
snapshot, the latest commit), on low-priority threads (server.workers). SQLite releases the
GIL while it steps, so the loop keeps answering meanwhile.
"""

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from server.storage.engines import sync_engine
from server.workers import WorkerThreads


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
