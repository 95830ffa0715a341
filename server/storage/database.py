"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

The server runs on SQLAlchemy's asyncio engines (aiosqlite, psycopg); Alembic and the operator
commands use the matching synchronous drivers on the same database.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from server.storage import inline_sqlite

SQLITE_BUSY_TIMEOUT_MS = 10_000

_DRIVERS = {
    # backend: (synchronous driver, asyncio driver)
    "sqlite": ("sqlite", "sqlite+aiosqlite"),
    "postgresql": ("postgresql+psycopg", "postgresql+psycopg"),
}


class DatabaseURLError(ValueError):
    """The database URL is malformed or names a backend hubindex does not support."""


def parse_url(url: str, *, asynchronous: bool) -> URL:
    """``url`` with the driver hubindex uses for its backend."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseURLError(f"{url!r} is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise DatabaseURLError(f"{backend!r} databases are not supported: use sqlite or postgresql")
    return parsed.set(drivername=_DRIVERS[backend][asynchronous])


def sync_engine(url: str, **options: Any) -> Engine:
    engine = create_engine(parse_url(url, asynchronous=False), **options)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def async_engine(url: str, **options: Any) -> AsyncEngine:
    parsed = parse_url(url, asynchronous=True)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(
            parsed, async_creator=inline_sqlite.connector(parsed.database or ""), **options
        )
        _configure_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(parsed, pool_pre_ping=True, **options)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys; and transactions that begin as the work needs.

    pysqlite's own BEGIN handling is switched off so that a writing unit of work can start
    with BEGIN IMMEDIATE: it then waits for the write lock up front (busy timeout) instead of
    failing when a read lock cannot be upgraded under concurrent writers.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("hubindex_writes", False)
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        driver = connection.connection.driver_connection
        if isinstance(driver, inline_sqlite.InlineConnection):
            # Straight to sqlite3: SQLAlchemy's statement machinery costs more than the query
            # of a short read.
            driver.begin(statement)
        else:
            connection.exec_driver_sql(statement)


class Database:
    """The server's engine, and one session (one transaction) per unit of work."""

    def __init__(self, url: str) -> None:
        self.engine = async_engine(url)
        self._reads = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writes = async_sessionmaker(
            self.engine.execution_options(hubindex_writes=True), expire_on_commit=False
        )

    @asynccontextmanager
    async def unit_of_work(self, *, writes: bool) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits when the block ends and rolls back on error.

        The transaction begins with the first statement; a block that runs none (a ping, a
        request refused early) costs no connection and no round trip.
        """
        session = (self._writes if writes else self._reads)()
        began = False
        try:
            yield session
            began = session.in_transaction()
            if began:
                await session.commit()
        except BaseException:
            began = began or session.in_transaction()
            if session.in_transaction():
                await session.rollback()
            raise
        finally:
            if began:
                await session.close()

    async def dispose(self) -> None:
        await self.engine.dispose()
