"""Units of work: one session, one transaction, committed when the work ends without error.

PostgreSQL runs on SQLAlchemy's asyncio engine (psycopg); SQLite runs inline on the event loop
(``server.storage.inline``). The services see one type either way, :data:`DatabaseSession`
(the awaitable methods they use), and the storage suite (tests/storage) runs every test on
both backends.

No request hangs on a database: a unit waits at most ``write_lock_timeout`` (5 s) for SQLite's
write lock held by another process, for a pooled PostgreSQL connection, or for a PostgreSQL
lock (``lock_timeout``), then answers DatabaseBusy (503, Retry-After). A pool checkout on
SQLite never waits (it would block the loop that returns connections): its pool grows as
needed. Only a unit that wrote moves PostgreSQL's change feed (``server.storage.changes``),
so a read never empties another process's caches.

A database that fails in a way no request causes (a PostgreSQL backend terminated, a failover
or a server gone, its connection limit reached; SQLite's disk full or failing) is
DatabaseUnavailable (503, Retry-After), never a 500. It says whether running the request again
is safe: the unit only read, or never had a connection (server.engine.operation retries those
once). Whichever unit met the fault decides: a unit around it adds its own doubt, never
removes the inner one's.
"""

import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeAlias

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.pool import Pool

from server.errors import DatabaseBusy, DatabaseUnavailable
from server.storage.changes import ChangeFeed
from server.storage.engines import (
    SERVER_BUSY_TIMEOUT_MS,
    async_engine,
    parse_url,
    sync_engine,
)
from server.storage.inline import (
    WRITE_LOCK_TIMEOUT_SECONDS,
    InlineSession,
    is_busy,
)
from server.storage.postgres import (
    PLAIN_READS,
    WRITES,
    WROTE,
    PlainReads,
    PostgresSession,
    begin_at_first_write,
    forget_driver,
)

logger = logging.getLogger(__name__)

# PostgreSQL: one connection in this many of a process's pool serves plain reads (PlainReads).
PLAIN_READS_SHARE = 8


def _means_busy(error: BaseException) -> bool:
    """Whether ``error`` is a lock, or a pooled connection, that could not be had in time:
    SQLite busy past its (short) timeout, no PostgreSQL connection free in the pool's, or a
    PostgreSQL lock past ``lock_timeout``."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        return is_busy(error.orig)
    return isinstance(error.orig, psycopg.errors.LockNotAvailable)


# SQLite's primary result codes for a disk that is full, failing or not there.
_SQLITE_FAULTS = frozenset({sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN})


def _unavailable(error: BaseException) -> str | None:
    """Why ``error`` means the database failed in a way no request causes, in one line; None
    when it does not (a bug, a constraint, a lock: those are answered otherwise)."""
    if not isinstance(error, DBAPIError):
        return None
    orig = error.orig
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        faulty = code is not None and code & 0xFF in _SQLITE_FAULTS
    else:
        # OperationalError: a connection lost or refused (too many clients, a shutdown, a
        # standby still starting), a query cancelled by an operator, a disk full; a standby
        # after a failover refuses writes (ReadOnlySqlTransaction); InterfaceError: a
        # connection already closed.
        faulty = error.connection_invalidated or isinstance(
            orig,
            psycopg.OperationalError
            | psycopg.InterfaceError
            | psycopg.errors.ReadOnlySqlTransaction,
        )
    if not faulty:
        return None
    text = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text[0] if text else ''}"


_WROTE = WROTE
_CONNECTED = "hubindex_connected"


class _TrackingSession(Session):
    """A unit's session, which notes in its ``info`` when it has begun a transaction on a
    connection: before that, nothing of the unit reached the database."""


@event.listens_for(_TrackingSession, "after_begin")
def _on_begin(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info[_CONNECTED] = True


@event.listens_for(_TrackingSession, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # its connection is given back
        forget_driver(session.info)


class _WriteTrackingSession(_TrackingSession):
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
        self._plain_reads: PlainReads | None = None
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
            options = {"options": f"-c lock_timeout={lock_timeout_ms}"}
            # pool_size is the most connections of the process: a few of them (none of a
            # small pool) serve the units' plain reads (server.storage.postgres).
            plain_reads = pool_size // PLAIN_READS_SHARE
            asynchronous = async_engine(
                url,
                pool_size=pool_size - plain_reads,
                max_overflow=0,
                pool_timeout=write_lock_timeout,
                connect_args=options,
            )
            self.engine = asynchronous
            self._feed = ChangeFeed.of(asynchronous.url, asynchronous.dialect)
            _args, arguments = asynchronous.dialect.create_connect_args(asynchronous.url)
            connect = partial(
                psycopg.AsyncConnection.connect, **arguments, **options, autocommit=True
            )
            self._plain_reads = (
                PlainReads(connect, size=plain_reads, timeout=write_lock_timeout)
                if plain_reads
                else None
            )
            shared = {PLAIN_READS: self._plain_reads} if self._plain_reads else {}
            # Reading units in autocommit: at READ COMMITTED each statement sees the latest
            # commits anyway, so a transaction gives a reader nothing but two round trips
            # (BEGIN, COMMIT). An operation that writes is declared so (Operation.writes).
            self._reads = async_sessionmaker(
                asynchronous.execution_options(isolation_level="AUTOCOMMIT"),
                class_=PostgresSession,
                info=shared,
                expire_on_commit=False,
                sync_session_class=_TrackingSession,
            )
            # Writing units too, until their first write (server.storage.postgres).
            begin_at_first_write(asynchronous.sync_engine)
            self._writes = async_sessionmaker(
                asynchronous.execution_options(isolation_level="AUTOCOMMIT", **{WRITES: True}),
                class_=PostgresSession,
                info={WRITES: True, **shared},
                expire_on_commit=False,
                sync_session_class=_WriteTrackingSession,
            )

    async def start(self) -> None:
        """Begin what runs beside the requests: PostgreSQL's change feed."""
        if self._feed is not None:
            await self._feed.start()

    def decision_counter(self) -> int | None:
        """The change counter where it is read from the database itself at this moment, so
        that an answer kept under it is as good as one read now: SQLite's ``PRAGMA
        data_version`` has moved with every commit of every connection and process before it
        answers. None on PostgreSQL, whose counter follows notices that may still be on the
        way: whether to write, or whether a password is current, is read there each time."""
        return self.change_counter() if self._feed is None else None

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
            reason = _unavailable(error)
            if session.in_transaction():
                try:
                    await session.rollback()
                except Exception as failed:
                    # Its connection is gone: the server has ended the transaction anyway.
                    logger.warning("rolling back after %s failed: %s", type(error).__name__, failed)
            if _means_busy(error):
                raise DatabaseBusy() from error
            # A unit that wrote and had begun may have committed, or have let an inner unit
            # commit, before the fault: running it again could repeat a change.
            connected = (
                session.info.get(_CONNECTED, False) if isinstance(session, AsyncSession) else began
            )
            safe = not writes or not connected
            if isinstance(error, DatabaseUnavailable):
                error.retry_safe = error.retry_safe and safe
                raise
            if reason is not None:
                raise DatabaseUnavailable(reason, retry_safe=safe) from error
            raise
        finally:
            if began:
                try:
                    await session.close()
                except Exception:
                    logger.warning("a session of a failed database could not be closed")

    async def dispose(self) -> None:
        if self._feed is not None:
            await self._feed.close()
        if self._plain_reads is not None:
            await self._plain_reads.close()
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        engine = self.engine
        if isinstance(engine, AsyncEngine):
            await engine.dispose()
        else:
            engine.dispose()
