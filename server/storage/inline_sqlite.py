"""SQLite under SQLAlchemy's asyncio engine, without a thread per statement.

aiosqlite runs every call (cursor, execute, fetch, close) in a thread of its own and wakes the
event loop for each answer: some 17 round trips per request, most of a read request's time.
SQLite on a local file answers in microseconds, so hubindex runs it inline instead: this
shim offers aiosqlite's interface (what SQLAlchemy's aiosqlite dialect calls) over a plain
``sqlite3`` connection, and its coroutines finish without ever suspending.

The rule that makes this safe: a unit of work that writes never awaits anything but the
database (passwords are hashed before its first statement, mails are sent after its commit).
Within one process, write transactions therefore never interleave, and SQLite's busy timeout
only ever waits for another process.
"""

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any


class _Cursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> "_Cursor":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> "_Cursor":
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> "_Cursor":
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: SQLAlchemy puts (future, function) pairs
    on it to change ``isolation_level``; the function runs at once."""

    def put_nowait(self, item: tuple[Any, Any]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class InlineConnection:
    """``sqlite3.Connection`` with the async methods SQLAlchemy's aiosqlite dialect awaits."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection = connection  # the dialect checks this to tell an open connection
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> _Cursor:
        return _Cursor(self._conn.execute(sql, parameters))

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    def begin(self, statement: str = "BEGIN") -> None:
        """Begin a transaction now: ``BEGIN``, or ``BEGIN IMMEDIATE`` to take the write lock."""
        self._conn.execute(statement)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()


def connector(database: str) -> Callable[[], Awaitable[InlineConnection]]:
    """An ``async_creator`` for ``create_async_engine`` opening ``database`` inline."""

    async def connect() -> InlineConnection:
        return InlineConnection(sqlite3.connect(database or ":memory:", check_same_thread=False))

    return connect
