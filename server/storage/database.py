"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scale-out).

PostgreSQL runs on SQLAlchemy's asyncio engine (psycopg). SQLite answers from a local file in
microseconds, so it runs inline on the event loop instead: a synchronous Connection behind
:class:`InlineSession`, which offers the services the AsyncSession methods they await. That
spares every statement SQLAlchemy's greenlet bridge and the async driver's adaptation, which
cost several times what SQLite does. It is an implementation of its own, on purpose: the
services see one Protocol (the awaitable methods of :data:`DatabaseSession`), and the storage
suite (tests/storage) runs every test on both backends.

What keeps an inline database from delaying unrelated requests, enforced, not a convention:

- SQLite's write lock is never held across an await. A writing unit's statements run inline
  and never yield, so a writing transaction still open when the loop next runs other work
  means the unit awaited something else (argon2, a mail, another unit of work): the unit is
  then rolled back at once, the error logged with where it waited, and the unit refused
  (WriteLockHeldAcrossAwait, a 500: a bug). Passwords are hashed outside any transaction,
  mails are sent after the commit. Within one process, writers therefore never meet each
  other's lock.
- Another process's lock (a second server, an operator command) is waited for on the loop:
  BEGIN IMMEDIATE meets a busy timeout of 10 ms, then the unit sleeps and tries again, up to
  5 s, then answers DatabaseBusy (503, Retry-After). On PostgreSQL, a unit waits as long for
  a pooled connection (the pool's timeout) and for a lock (``lock_timeout``), then answers the
  same.
- A pool checkout must never wait either (it would block the loop that returns
  connections), so the SQLite pool grows as needed.

Measured (the writing unit's cost, and the alternative of SQLAlchemy's own asyncio session on
SQLite): see the README's Performance section.

Alembic uses the synchronous drivers on the same database, with a busy timeout of 10 s (it
blocks only its own thread); the operator commands run units of work as the server does.
"""

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import ConnectionPoolEntry, Pool
from sqlalchemy.sql import Executable

from server.errors import DatabaseBusy
from server.storage.changes import ChangeFeed
from server.storage.prepared import Plan, Rows, is_prepared

logger = logging.getLogger(__name__)

# How long a statement may wait in SQLite's busy handler, which blocks the thread it runs on:
# the event loop for the server (a read meeting another process's checkpoint), a command's
# own thread for Alembic and the operator commands.
SERVER_BUSY_TIMEOUT_MS = 10
COMMAND_BUSY_TIMEOUT_MS = 10_000
# How long a server's writing unit waits, on the loop, for SQLite's write lock held by
# another process, before it answers DatabaseBusy (503); and the pauses between its tries.
WRITE_LOCK_TIMEOUT_SECONDS = 5.0
_WRITE_LOCK_RETRY_SECONDS = (0.001, 0.1)  # the first pause, doubled up to the last

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


class WriteLockHeldAcrossAwait(RuntimeError):
    """A writing unit of work on SQLite awaited something other than the database while its
    transaction held the write lock: a bug, refused (see :class:`InlineSession`)."""


class InlineSession:
    """The AsyncSession methods the services use, run at once on SQLite (see the module).

    Core statements run on the unit's Connection itself. The ORM costs twice what Core does
    per statement and per commit, so a Session exists only once a service uses the ORM (an
    entity, ``add``, ``get``); it joins the Connection's transaction, and from then on every
    statement goes through it, so that what it holds is flushed first.

    A writing unit's transaction holds SQLite's write lock, and must never be held across an
    await that lets the loop run other work. Two things make sure of it:

    - BEGIN IMMEDIATE is tried with a busy timeout of a few milliseconds; while another
      process holds the lock, the unit waits on the loop (asyncio.sleep) and tries again, up
      to ``write_lock_timeout``, then raises DatabaseBusy (503). No writer of this process can
      hold it at that moment: see the next point.
    - Statements run inline and never yield to the loop, so a writing transaction that is
      still open when the loop next runs other work means the unit awaited something else
      (argon2, a mail, another unit). A callback queued at BEGIN checks that: it logs an error
      naming where the unit waits, rolls its transaction back (releasing the lock at once),
      and the unit's next use of the session raises WriteLockHeldAcrossAwait.
    """

    __slots__ = (
        "_connection",
        "_engine",
        "_held",
        "_lock_timeout",
        "_orm",
        "_refused",
        "_writes",
    )

    def __init__(
        self,
        engine: Engine,
        *,
        writes: bool = False,
        write_lock_timeout: float = WRITE_LOCK_TIMEOUT_SECONDS,
    ) -> None:
        self._engine = engine
        self._writes = writes
        self._lock_timeout = write_lock_timeout
        self._connection: Connection | None = None
        self._orm: Session | None = None
        # The writing transaction the guard watches (a new object at each BEGIN), and why
        # the unit is refused once the guard has rolled it back.
        self._held: object | None = None
        self._refused: str | None = None

    async def execute(self, statement: Any, params: Any = None) -> Any:
        connection = await self._begun()
        if self._orm is None and is_prepared(statement):
            return self._run_prepared(connection, statement, params)
        if self._orm is None and not _uses_orm(statement):
            return connection.execute(statement, params)
        return self._session().execute(statement, params)

    async def scalar(self, statement: Any, params: Any = None) -> Any:
        return (await self.execute(statement, params)).scalar()

    async def scalars(self, statement: Any, params: Any = None) -> Any:
        connection = await self._begun()
        if self._orm is None and not _uses_orm(statement):
            return connection.scalars(statement, params)
        return self._session().scalars(statement, params)

    async def get(self, entity: Any, ident: Any) -> Any:
        await self._begun()
        return self._session().get(entity, ident)

    async def get_one(self, entity: Any, ident: Any) -> Any:
        await self._begun()
        return self._session().get_one(entity, ident)

    async def flush(self, objects: Any = None) -> None:
        await self._begun()
        self._session().flush(objects)

    def add(self, instance: object) -> None:
        """Only noted: the statement runs at the next flush, execute or commit."""
        self._session().add(instance)

    def add_all(self, instances: Iterable[object]) -> None:
        self._session().add_all(instances)

    def get_bind(self) -> Engine:
        return self._engine

    def in_transaction(self) -> bool:
        """Whether there is work to commit or roll back: a transaction, or entities added
        (their transaction begins when they are flushed)."""
        return self._orm is not None or (
            self._connection is not None and self._connection.in_transaction()
        )

    async def commit(self) -> None:
        if self._orm is not None:
            await self._begun()
            self._orm.flush()
        elif self._refused is not None:
            raise WriteLockHeldAcrossAwait(self._refused)
        if self._connection is not None:
            self._connection.commit()
        self._held = None

    async def rollback(self) -> None:
        """Ends the transaction and gives the connection back; a next statement begins
        another."""
        await self.close()

    async def close(self) -> None:
        self._close_orm()
        self._held = None
        if self._connection is not None:
            self._connection.close()  # back to the pool, which rolls back what is open
            self._connection = None

    async def _begun(self) -> Connection:
        """The unit's Connection, in a transaction: BEGIN, or for a writing unit BEGIN
        IMMEDIATE as the class tells."""
        if self._refused is not None:
            raise WriteLockHeldAcrossAwait(self._refused)
        connection = self._connection
        if connection is not None and connection.in_transaction():
            return connection
        connection = self._connected()
        if self._writes:
            try:
                await self._lock(connection.connection.driver_connection)
            except BaseException:
                await self.close()
                raise
            held = self._held = object()
            asyncio.get_running_loop().call_soon(
                self._release_if_held, held, asyncio.current_task()
            )
        connection.begin()  # BEGIN for a reader; on the driver already for a writer
        return connection

    async def _lock(self, driver: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE on ``driver``, waiting on the loop while another process holds
        the write lock; DatabaseBusy past the unit's timeout."""
        loop = asyncio.get_running_loop()
        deadline = None
        pause, longest = _WRITE_LOCK_RETRY_SECONDS
        while True:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise DBAPIError.instance(
                        "BEGIN IMMEDIATE", None, error, sqlite3.Error
                    ) from error
            now = loop.time()
            deadline = now + self._lock_timeout if deadline is None else deadline
            if now >= deadline:
                raise DatabaseBusy()
            await asyncio.sleep(min(pause, deadline - now))
            pause = min(2 * pause, longest)

    def _release_if_held(self, held: object, task: asyncio.Task[Any] | None) -> None:
        """The guard's check (see the class): run at the loop's first turn after BEGIN."""
        if self._held is not held or self._connection is None:
            return  # committed or rolled back before anything else ran: as it must be
        where = _awaiting(task)
        self._refused = (
            "a writing unit of work awaited something other than the database while it held"
            f" SQLite's write lock (at {where}): its transaction is rolled back"
        )
        logger.error("%s", self._refused)
        self._held = None
        self._connection.connection.driver_connection.rollback()

    def _run_prepared(self, connection: Connection, statement: Executable, params: Any) -> Rows:
        """On the driver, in this unit's transaction (see server.storage.prepared)."""
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
            # It joins the Connection's transaction (every method that runs SQL begins it
            # first), never ends it: commit and rollback are this class's.
            self._orm = Session(
                bind=self._connected(),
                expire_on_commit=False,
                join_transaction_mode="rollback_only",
            )
        return self._orm

    def _close_orm(self) -> None:
        if self._orm is not None:
            self._orm.close()
            self._orm = None


def _is_busy(error: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, or one of their extended codes."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _means_busy(error: BaseException) -> bool:
    """Whether ``error`` is a lock, or a pooled connection, that could not be had in time:
    SQLite busy past its (short) timeout, no PostgreSQL connection free in the pool's, or a
    PostgreSQL lock past ``lock_timeout``."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        return _is_busy(error.orig)
    return isinstance(error.orig, psycopg.errors.LockNotAvailable)


def _awaiting(task: asyncio.Task[Any] | None) -> str:
    """Where ``task`` is suspended: its chain of awaits, outermost first, as file:line
    (function) of the last few."""
    coroutine: Any = task.get_coro() if task is not None else None
    chain = []
    while coroutine is not None and getattr(coroutine, "cr_frame", None) is not None:
        frame = coroutine.cr_frame
        chain.append(f"{frame.f_code.co_filename}:{frame.f_lineno} ({frame.f_code.co_name})")
        coroutine = coroutine.cr_await
    return " > ".join(chain[-6:]) or "an unknown place"


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

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 32,
        write_lock_timeout: float = WRITE_LOCK_TIMEOUT_SECONDS,
    ) -> None:
        self.engine: Engine | AsyncEngine
        self._watcher: sqlite3.Connection | None = None
        self._feed: ChangeFeed | None = None
        self._reads: Callable[[], DatabaseSession]
        self._writes: Callable[[], DatabaseSession]
        if parse_url(url, asynchronous=False).get_backend_name() == "sqlite":
            file_backed = make_url(url).database not in (None, "", ":memory:")
            # An overflow without limit: see the module's docstring.
            engine = sync_engine(
                url,
                busy_timeout_ms=SERVER_BUSY_TIMEOUT_MS,
                **({"max_overflow": -1} if file_backed else {}),
            )
            self.engine = engine
            self._reads = lambda: InlineSession(engine)
            self._writes = lambda: InlineSession(
                engine, writes=True, write_lock_timeout=write_lock_timeout
            )
            self._watched = make_url(url).database if file_backed else None
        else:
            self._watched = None
            # A fixed pool, no overflow: a connection beyond the pool would be closed as soon
            # as it was returned, and under load PostgreSQL would fork a process per request.
            # A unit waits as long for a pooled connection, or for a lock another transaction
            # holds (a row, or a table an operator's session locked), as SQLite's units wait
            # for the write lock: then DatabaseBusy (503), never a request that hangs.
            lock_timeout_ms = max(1, round(write_lock_timeout * 1000))
            asynchronous = async_engine(
                url,
                pool_size=pool_size,
                max_overflow=0,
                pool_timeout=write_lock_timeout,
                connect_args={"options": f"-c lock_timeout={lock_timeout_ms}"},
            )
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
        except BaseException as error:
            began = began or session.in_transaction()
            if session.in_transaction():
                await session.rollback()
            if _means_busy(error):
                raise DatabaseBusy() from error
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
