"""PostgreSQL's units of work: the hottest statements on psycopg itself, and a writing unit's
transaction begun at its first write.

Every request of a push reads, fresh, what decides it (the login, the checksums it compares
with): no cache another process may have made stale decides on PostgreSQL. Two things keep
those reads cheap:

- A statement marked :func:`~server.storage.prepared.prepared` runs on the unit's psycopg
  connection directly, as a statement PostgreSQL has prepared, without SQLAlchemy's ORM
  session, greenlet bridge and result objects (several times what the round trip itself costs
  the process). Only while the ORM session holds nothing unflushed; otherwise, and for every
  other statement, :class:`PostgresSession` is the AsyncSession it always was.
- A writing unit's connection starts in autocommit: the reads before its first write run as
  single statements, so that a unit that then writes nothing (a push repeated) costs neither
  BEGIN nor COMMIT, two of its four round trips. Before any statement not marked
  :func:`~server.storage.prepared.plain_read` (a write, a ``SELECT ... FOR UPDATE``, an
  advisory lock, anything unmarked) the connection leaves autocommit, and psycopg sends BEGIN
  with it; from then on the unit is one transaction, committed or rolled back as before. A
  read outside the transaction sees what one inside would (READ COMMITTED: each statement sees
  the latest commits), and takes no lock either way, so no decision reads older data.
- A prepared plain read of a unit that holds no connection yet (a login's read, a push's
  checksums before anything is written) runs on one of a few autocommit connections the
  process keeps for them (:class:`PlainReads`), outside SQLAlchemy's pool: checking a pooled
  connection out and back in through the asyncio engine (its greenlet bridge, the session's
  transaction, the isolation level set and reset) cost more CPU than the statement. What it
  reads is what the unit's own connection would have read outside its transaction.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Connection, Engine, ExecutionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from server.storage.engines import closed_by_server
from server.storage.prepared import PLAIN_READ, Plan, Rows, is_prepared

WRITES = "hubindex_writes"  # a writing unit: its engine's execution option, its session's info
WROTE = "hubindex_wrote"  # in a session's info: the unit wrote (its commit moves the feed)
_DRIVER = "hubindex_driver"  # in a session's info: its psycopg connection, once it has one
PLAIN_READS = "hubindex_plain_reads"  # in a session's info: the process's PlainReads, if any

# Compiled with positional parameters (%s), which psycopg takes as a sequence.
_DIALECT = PGDialect_psycopg(paramstyle="format")
_PLANS: dict[Executable, Plan] = {}


def begin_at_first_write(engine: Engine) -> None:
    """Make the writing units on ``engine`` (the sync side of the asyncio engine, with the
    :data:`WRITES` option and AUTOCOMMIT) begin their transaction as the module tells."""
    event.listen(engine, "before_cursor_execute", _begin_unless_plain_read)


def _begin_unless_plain_read(
    connection: Connection,
    _cursor: Any,
    _statement: str,
    _parameters: Any,
    context: ExecutionContext | None,
    _executemany: bool,
) -> None:
    options = context.execution_options if context is not None else {}
    if not options.get(WRITES) or options.get(PLAIN_READ):
        return
    driver = connection.connection.dbapi_connection
    if driver is not None and driver.autocommit:
        # SQLAlchemy's adapter awaits psycopg's set_autocommit here (the connection is idle);
        # the statement's execution then sends BEGIN first.
        driver.autocommit = False


def forget_driver(info: dict[Any, Any]) -> None:
    """The unit's connection went back to the pool (its transaction ended): the next statement
    takes another."""
    info.pop(_DRIVER, None)


class PostgresSession(AsyncSession):
    """An AsyncSession that runs prepared statements on its psycopg connection (the module)."""

    async def execute(self, statement: Any, params: Any = None, **options: Any) -> Any:
        if options or not is_prepared(statement) or not self.sync_session._is_clean():
            return await super().execute(statement, params, **options)
        return await self._run_prepared(statement, params)

    async def scalar(self, statement: Any, params: Any = None, **options: Any) -> Any:
        if options or not is_prepared(statement) or not self.sync_session._is_clean():
            return await super().scalar(statement, params, **options)
        return (await self._run_prepared(statement, params)).scalar()

    async def _run_prepared(self, statement: Executable, params: Any) -> Rows:
        plan = _PLANS.get(statement)
        if plan is None:
            plan = _PLANS.setdefault(statement, Plan(statement, _DIALECT))
        info = self.info
        reads: PlainReads | None = info.get(PLAIN_READS)
        if (
            reads is not None
            and _DRIVER not in info
            and not isinstance(params, list)
            and statement.get_execution_options().get(PLAIN_READ)
            and not self.sync_session.in_transaction()
        ):
            try:
                return await reads.run(plan, params)
            except psycopg.Error as error:
                raise DBAPIError.instance(plan.sql, params, error, psycopg.Error) from error
        driver = await self._driver()
        if info.get(WRITES):
            if driver.autocommit and not statement.get_execution_options().get(PLAIN_READ):
                await driver.set_autocommit(False)  # the statement sends BEGIN first
            if getattr(statement, "is_dml", False):
                info[WROTE] = True
        try:
            async with driver.cursor() as cursor:
                if isinstance(params, list):
                    arguments = [plan.arguments(p) for p in params]
                    await cursor.executemany(plan.sql, arguments)
                else:
                    await cursor.execute(plan.sql, plan.arguments(params), prepare=True)
                rows = await cursor.fetchall() if cursor.description else []
                return Rows(plan.converted(rows), cursor.rowcount)
        except psycopg.Error as error:
            raise DBAPIError.instance(plan.sql, params, error, psycopg.Error) from error

    async def _driver(self) -> psycopg.AsyncConnection[Any]:
        """The unit's psycopg connection: its connection begun as SQLAlchemy would (the
        session's events run, the pool's checkout checks), once."""
        driver: psycopg.AsyncConnection[Any] | None = self.info.get(_DRIVER)
        if driver is None:
            connection = await self.connection()
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            self.info[_DRIVER] = driver
        return driver


Connect = Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]


class PlainReads:
    """A few autocommit psycopg connections of a process's own, for the prepared plain reads
    of units that hold no connection (the module's docstring): each statement takes one for
    its round trip only. At most ``size`` are open; a statement waits up to ``timeout`` for
    one, then PoolTimeout (DatabaseBusy, 503) as for a pooled connection. One the server has
    closed is replaced when next taken (as the pool does: engines._refuse_closed); one whose
    statement failed, or was cancelled, is closed."""

    def __init__(self, connect: Connect, *, size: int, timeout: float) -> None:
        self._connect = connect
        self._size = size
        self._timeout = timeout
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._open = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._closed = False

    async def run(self, plan: Plan, params: Any) -> Rows:
        connection = await self._take()
        try:
            async with connection.cursor() as cursor:
                await cursor.execute(plan.sql, plan.arguments(params), prepare=True)
                rows = await cursor.fetchall() if cursor.description else []
                answer = Rows(plan.converted(rows), cursor.rowcount)
        except BaseException:
            await self._drop(connection)
            raise
        if self._closed:  # in use while the process closed its database: not kept
            await self._drop(connection)
        else:
            self._give_back(connection)
        return answer

    async def close(self) -> None:
        """Close the idle connections, and from now on each one in use when it comes back (a
        statement after this still runs, on a connection of its own, closed after it)."""
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            await self._drop(connection)

    async def _take(self) -> psycopg.AsyncConnection[Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        while True:
            while self._idle:
                connection = self._idle.pop()
                if closed_by_server(connection) is None:
                    return connection
                await self._drop(connection)
            if self._open < self._size:
                self._open += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
            waiter = loop.create_future()
            self._waiting.append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    await waiter
            except BaseException as error:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(waiter)
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # woken, but leaving: the next one tries instead
                if isinstance(error, TimeoutError):
                    raise PoolTimeout("no connection for a plain read in time") from None
                raise

    def _give_back(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._idle.append(connection)
        self._wake()

    async def _drop(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._open -= 1
        self._wake()
        with contextlib.suppress(Exception):
            await connection.close()

    def _wake(self) -> None:
        """The first statement waiting, if any, tries again."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
