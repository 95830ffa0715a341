"""SQLAlchemy engines for hubindex's two backends: SQLite (embedded) and PostgreSQL.

SQLite runs on the synchronous driver (inline on the event loop, see ``server.storage.inline``)
with WAL, a busy timeout and BEGIN as the work needs it; PostgreSQL on psycopg's asyncio
driver, its pool refusing connections the server has closed. Alembic and the operator
commands use the synchronous drivers on the same database.
"""

import sqlite3
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

# How long a statement may wait in SQLite's busy handler, which blocks the thread it runs on:
# the event loop for the server (a read meeting another process's checkpoint), a command's
# own thread for Alembic and the operator commands.
SERVER_BUSY_TIMEOUT_MS = 10
COMMAND_BUSY_TIMEOUT_MS = 10_000
_DRIVERS = {
    # backend: (synchronous driver, asyncio driver); SQLite runs inline, never through asyncio
    "sqlite": ("sqlite", None),
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
    driver = _DRIVERS[backend][asynchronous]
    if driver is None:
        raise ValueError(f"{backend} runs inline, not on an asyncio driver: use sync_engine()")
    return parsed.set(drivername=driver)


def sync_engine(
    url: str, *, busy_timeout_ms: int = COMMAND_BUSY_TIMEOUT_MS, **options: Any
) -> Engine:
    engine = create_engine(parse_url(url, asynchronous=False), **options)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)
    return engine


def async_engine(url: str, **options: Any) -> AsyncEngine:
    engine = create_async_engine(parse_url(url, asynchronous=True), **options)
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(_dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Keep the pool from handing out a connection the server has closed (a restart, an idle
    timeout, an administrator): the pool then opens a new one instead.

    Instead of SQLAlchemy's pre-ping, which costs every unit of work a round trip: a closing
    server says goodbye on the socket, so what arrived while the connection sat in the pool
    is read, without waiting, and an end of the connection shows. A connection that is gone
    without a word (a network cut) is only found out by using it, as it would by a ping."""
    gone = closed_by_server(record.driver_connection)
    if gone is not None:
        raise DisconnectionError(gone)


def closed_by_server(connection: psycopg.AsyncConnection[Any]) -> str | None:
    """Why ``connection``, idle, is closed (see _refuse_closed), without waiting; None while
    it is open."""
    try:
        # The first read takes what arrived (a goodbye: "terminating connection..."), the
        # second then meets the end of the connection; on a live one both find nothing.
        connection.pgconn.consume_input()
        connection.pgconn.consume_input()
    except psycopg.OperationalError as error:
        return str(error)
    if connection.pgconn.status != psycopg.pq.ConnStatus.OK:
        return "the connection is not open"
    return None


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, foreign keys; and transactions that begin as the work needs.

    pysqlite's own BEGIN handling is switched off so that a writing unit of work can start
    with BEGIN IMMEDIATE (InlineSession does, on the driver): it then takes the write lock up
    front instead of failing when a read lock cannot be upgraded under concurrent writers.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to sqlite3: SQLAlchemy's statement machinery costs more than a short read.
        driver: sqlite3.Connection = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN")
