"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

PostgreSQL runs on SQLAlchemy's asyncio engine (psycopg). SQLite answers from a local file in
microseconds, so it runs inline on the event loop instead: a synchronous Connection behind
:class:`InlineSession`, which offers the services the AsyncSession methods they await. That
spares every statement SQLAlchemy's greenlet bridge and the async driver's adaptation, which
cost several times what SQLite does.

The rule that makes this safe: a unit of work that writes never awaits anything but the
database (passwords are hashed before its first statement, mails are sent after its commit).
Within one process, SQLite write transactions therefore never interleave, and its busy
timeout only ever waits for another process. A pool checkout must never wait either (it
would block the loop that returns connections), so the SQLite pool grows as needed.

Alembic and the operator commands use the synchronous drivers on the same database.
"""

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import ConnectionPoolEntry, Pool
from sqlalchemy.sql import Executable

from server.storage.changes import ChangeFeed
from server.storage.prepared import Plan, Rows, is_prepared

SQLITE_BUSY_TIMEOUT_MS = 10_000

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


def sync_engine(url: str, **options: Any) -> Engine:
    engine = create_engine(parse_url(url, asynchronous=False), **options)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
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
    connection: psycopg.AsyncConnection[Any] = record.driver_connection
    try:
        # The first read takes what arrived (a goodbye: "terminating connection..."), the
        # second then meets the end of the connection; on a live one both find nothing.
        connection.pgconn.consume_input()
        connection.pgconn.consume_input()
    except psycopg.OperationalError as error:
        raise DisconnectionError(str(error)) from error
    if connection.pgconn.status != psycopg.pq.ConnStatus.OK:
        raise DisconnectionError("the connection is not open")


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
        # Straight to sqlite3: SQLAlchemy's statement machinery costs more than a short read.
        driver: sqlite3.Connection = connection.connection.driver_connection
        driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


class InlineSession:
    """The AsyncSession methods the services use, run at once on SQLite (see the module).

    Core statements run on the unit's Connection itself. The ORM costs twice what Core does
    per statement and per commit, so a Session exists only once a service uses the ORM (an
    entity, ``add``, ``get``); it joins the Connection's transaction, and from then on every
    statement goes through it, so that what it holds is flushed first.
    """

    __slots__ = ("_connection", "_engine", "_orm")

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._orm: Session | None = None

    async def execute(self, statement: Any, params: Any = None) -> Any:
        if self._orm is None and is_prepared(statement):
            return self._run_prepared(statement, params)
        if self._orm is None and not _uses_orm(statement):
            return self._connected().execute(statement, params)
        return self._session().execute(statement, params)

    async def scalar(self, statement: Any, params: Any = None) -> Any:
        return (await self.execute(statement, params)).scalar()

    async def scalars(self, statement: Any, params: Any = None) -> Any:
        if self._orm is None and not _uses_orm(statement):
            return self._connected().scalars(statement, params)
        return self._session().scalars(statement, params)

    async def get(self, entity: Any, ident: Any) -> Any:
        return self._session().get(entity, ident)

    async def get_one(self, entity: Any, ident: Any) -> Any:
        return self._session().get_one(entity, ident)

    async def flush(self, objects: Any = None) -> None:
        self._session().flush(objects)

    def add(self, instance: object) -> None:
        self._session().add(instance)

    def add_all(self, instances: Iterable[object]) -> None:
        self._session().add_all(instances)

    def get_bind(self) -> Engine:
        return self._engine

    def in_transaction(self) -> bool:
        return self._connection is not None and self._connection.in_transaction()

    async def commit(self) -> None:
        if self._orm is not None:
            self._orm.flush()
        if self._connection is not None:
            self._connection.commit()

    async def rollback(self) -> None:
        """Ends the transaction and gives the connection back; a next statement begins
        another."""
        await self.close()

    async def close(self) -> None:
        self._close_orm()
        if self._connection is not None:
            self._connection.close()  # back to the pool, which rolls back what is open
            self._connection = None

    def _run_prepared(self, statement: Executable, params: Any) -> Rows:
        """On the driver, in this unit's transaction (see server.storage.prepared)."""
        connection = self._connected()
        if not connection.in_transaction():
            connection.begin()  # BEGIN, or BEGIN IMMEDIATE: see _configure_sqlite
        plan = _PLANS.get(statement)
        if plan is None:
            plan = _PLANS.setdefault(statement, Plan(statement, self._engine.dialect))
        return plan.run(connection.connection.driver_connection, params)

    def _connected(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect()
        return self._connection

    def _session(self) -> Session:
        if self._orm is None:
            connection = self._connected()
            if not connection.in_transaction():
                connection.begin()
            # It joins the transaction, never ends it: commit and rollback are this class's.
            self._orm = Session(
                bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
            )
        return self._orm

    def _close_orm(self) -> None:
        if self._orm is not None:
            self._orm.close()
            self._orm = None


# Prepared statements are module-level constants: this holds one plan for each.
_PLANS: dict[Executable, Plan] = {}


def _uses_orm(statement: Any) -> bool:
    """Whether ``statement`` selects or changes mapped entities (the ORM must run it), as
    Session.execute itself tells."""
    return statement._propagate_attrs.get("compile_state_plugin") == "orm"


_WROTE = "hubindex_wrote"


class _WriteTrackingSession(Session):
    """A writing unit's session, which notes in its ``info`` whether it wrote: only a unit
    that did moves the change feed on commit (one that only read must not empty caches)."""


@event.listens_for(_WriteTrackingSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(_WriteTrackingSession, "after_flush")
def _on_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


# What a unit of work hands the services: either kind offers the same awaitable methods.
DatabaseSession: TypeAlias = AsyncSession | InlineSession


class Database:
    """The server's engine, and one session (one transaction) per unit of work."""

    def __init__(self, url: str, *, pool_size: int = 32) -> None:
        self.engine: Engine | AsyncEngine
        self._watcher: sqlite3.Connection | None = None
        self._feed: ChangeFeed | None = None
        self._reads: Callable[[], DatabaseSession]
        self._writes: Callable[[], DatabaseSession]
        if parse_url(url, asynchronous=False).get_backend_name() == "sqlite":
            file_backed = make_url(url).database not in (None, "", ":memory:")
            # An overflow without limit: see the module's docstring.
            engine = sync_engine(url, **({"max_overflow": -1} if file_backed else {}))
            writing = engine.execution_options(hubindex_writes=True)
            self.engine = engine
            self._reads = lambda: InlineSession(engine)
            self._writes = lambda: InlineSession(writing)
            self._watched = make_url(url).database if file_backed else None
        else:
            self._watched = None
            # A fixed pool, no overflow: a connection beyond the pool would be closed as soon
            # as it was returned, and under load PostgreSQL would fork a process per request.
            asynchronous = async_engine(url, pool_size=pool_size, max_overflow=0)
            self.engine = asynchronous
            self._feed = ChangeFeed.of(asynchronous.url, asynchronous.dialect)
            # Reading units in autocommit: at READ COMMITTED each statement sees the latest
            # commits anyway, so a transaction gives a reader nothing but two round trips
            # (BEGIN, COMMIT). An operation that writes is declared so (Operation.writes).
            self._reads = async_sessionmaker(
                asynchronous.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
            self._writes = async_sessionmaker(
                asynchronous.execution_options(hubindex_writes=True),
                expire_on_commit=False,
                sync_session_class=_WriteTrackingSession,
            )

    async def start(self) -> None:
        """Begin what runs beside the requests: PostgreSQL's change feed."""
        if self._feed is not None:
            await self._feed.start()

    def change_counter(self) -> int | None:
        """A number that grows whenever a change is committed to the database, by any
        connection of any process; None where that cannot be told cheaply (an in-memory SQLite
        database; PostgreSQL before ``start`` and while its change feed reconnects).

        SQLite: ``PRAGMA data_version`` on a connection of its own, which never writes: it
        moves with every commit of every other connection, and costs a microsecond or two.
        PostgreSQL: the announcements of migration 0005's triggers (server.storage.changes).
        """
        if self._feed is not None:
            return self._feed.count()
        if self._watched is None:
            return None
        if self._watcher is None:
            self._watcher = sqlite3.connect(
                self._watched, check_same_thread=False, isolation_level=None
            )
        counter: int = self._watcher.execute("PRAGMA data_version").fetchone()[0]
        return counter

    @property
    def pool(self) -> Pool:
        engine = self.engine
        return engine.sync_engine.pool if isinstance(engine, AsyncEngine) else engine.pool

    @asynccontextmanager
    async def unit_of_work(self, *, writes: bool) -> AsyncIterator[DatabaseSession]:
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
                if self._feed is not None and session.info.get(_WROTE):
                    self._feed.moved()
        except BaseException:
            began = began or session.in_transaction()
            if session.in_transaction():
                await session.rollback()
            raise
        finally:
            if began:
                await session.close()

    async def dispose(self) -> None:
        if self._feed is not None:
            await self._feed.close()
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        engine = self.engine
        if isinstance(engine, AsyncEngine):
            await engine.dispose()
        else:
            engine.dispose()
