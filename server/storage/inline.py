"""SQLite's sessions: the AsyncSession methods the services use, run at once on the event loop.

SQLite answers from a local file in microseconds, so a unit of work runs inline on the loop: a
synchronous Connection behind :class:`InlineSession`, which spares every statement
SQLAlchemy's greenlet bridge and an async driver's adaptation (several times what SQLite
itself costs). What keeps it from delaying unrelated requests is enforced here: a writing
unit's lock is never held across an await (the unit is rolled back and refused:
WriteLockHeldAcrossAwait), and another process's lock is waited for on the loop, up to
``write_lock_timeout``, then DatabaseBusy (503). See ``server.storage.database``.
"""

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from server.errors import DatabaseBusy
from server.storage.prepared import Plan, Rows, is_prepared

logger = logging.getLogger(__name__)

# How long a server's writing unit waits, on the loop, for SQLite's write lock held by
# another process, before it answers DatabaseBusy (503); and the pauses between its tries.
WRITE_LOCK_TIMEOUT_SECONDS = 5.0
_WRITE_LOCK_RETRY_SECONDS = (0.001, 0.1)  # the first pause, doubled up to the last


class OffLoopWrites:
    """Whether this process's thread for large writes (server.storage.threaded) holds
    SQLite's write lock, and a wake-up for the units on the loop that wait for it.

    Trying for the lock while that thread holds it cannot succeed and still costs the loop:
    the first try waits in SQLite's busy handler (SERVER_BUSY_TIMEOUT_MS, the loop blocked),
    and every later one gives up the interpreter and waits to have it back (the writers'
    attack of scripts/stress: a fifth of the loop's time). A unit waits for its end instead,
    then tries."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._holders = 0
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def held(self) -> bool:
        return self._holders > 0

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Around a transaction of the writer thread, from before its BEGIN IMMEDIATE."""
        with self._mutex:
            self._holders += 1
        try:
            yield
        finally:
            with self._mutex:
                self._holders -= 1
                waiters = self._waiters if self._holders == 0 else []
                if waiters:
                    self._waiters = []
            for loop, future in waiters:
                with suppress(RuntimeError):  # that loop is closed
                    loop.call_soon_threadsafe(_wake, future)

    async def released(self, seconds: float) -> None:
        """Once no transaction of the writer thread holds the lock (at most ``seconds``)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._mutex:
            if self._holders == 0:
                return
            self._waiters.append((loop, future))
        with suppress(TimeoutError):
            await asyncio.wait_for(future, seconds)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


OFF_LOOP_WRITES = OffLoopWrites()


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
      process, or this one's thread for large writes (server.storage.threaded), holds the
      lock, the unit waits on the loop (asyncio.sleep) and tries again without the busy
      timeout, up to ``write_lock_timeout``, then raises DatabaseBusy (503). No unit of this
      process on the loop can hold it at that moment: see the next point.
    - Statements run inline and never yield to the loop, so a writing transaction that is
      still open when the loop next runs other work means the unit awaited something else
      (argon2, a mail, another unit). A callback queued at BEGIN checks that: it logs an error
      naming where the unit waits, rolls its transaction back (releasing the lock at once),
      and the unit's next use of the session raises WriteLockHeldAcrossAwait.
    """

    __slots__ = (
        "_changes",
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
        self._changes = 0  # the connection's total_changes when its transaction began

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
        self._changes = connection.connection.driver_connection.total_changes
        return connection

    async def release_unwritten(self) -> bool:
        """End this unit's transaction if it has written nothing (nothing is lost), so that a
        write elsewhere (server.storage.threaded.SqliteWriter) can take SQLite's write lock;
        False, and nothing done, if it has written or holds ORM entities."""
        if self._orm is not None:
            return False
        connection = self._connection
        if (
            connection is not None
            and connection.in_transaction()
            and connection.connection.driver_connection.total_changes != self._changes
        ):
            return False
        await self.close()
        return True

    async def _lock(self, driver: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE on ``driver``, waiting on the loop while another process holds
        the write lock; DatabaseBusy past the unit's timeout."""
        if not OFF_LOOP_WRITES.held and _begin_immediate(driver):
            return
        # Held elsewhere (another process, or this one's SqliteWriter for a large write): the
        # next tries do not wait in SQLite's busy handler, which would block the loop for its
        # whole timeout each time, but between them, on the loop.
        (busy_timeout,) = driver.execute("PRAGMA busy_timeout").fetchone()
        driver.execute("PRAGMA busy_timeout = 0")
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self._lock_timeout
            pause, longest = _WRITE_LOCK_RETRY_SECONDS
            while True:
                now = loop.time()
                if now >= deadline:
                    raise DatabaseBusy()
                if OFF_LOOP_WRITES.held:
                    await OFF_LOOP_WRITES.released(deadline - now)
                    if OFF_LOOP_WRITES.held:
                        continue  # the next large write has the lock already
                else:
                    await asyncio.sleep(min(pause, deadline - now))
                    pause = min(2 * pause, longest)
                if _begin_immediate(driver):
                    return
        finally:
            driver.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")

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


def _begin_immediate(driver: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE: True once begun, False while another writer holds the lock."""
    try:
        driver.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if not is_busy(error):
            raise DBAPIError.instance("BEGIN IMMEDIATE", None, error, sqlite3.Error) from error
        return False
    return True


def is_busy(error: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, or one of their extended codes."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


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
