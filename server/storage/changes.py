"""PostgreSQL's change feed: a number that grows with every commit to hubindex's tables.

Migration 0005's triggers announce each committed write on ``CHANNEL``. A :class:`ChangeFeed`
listens on a connection of its own and counts the announcements; answers cached under one
count stay good until it moves (server.cache.GenerationCache). It reads the socket when the
event loop finds it readable, and again, without waiting, whenever the count is asked for,
so that an announcement that has arrived is never missed for want of a loop turn.

While it is not listening (before start, while reconnecting) there is no count: callers
then read the database. Each new connection moves the count, since announcements made while
none was listening are lost.
"""

import asyncio
import contextlib
import logging
from typing import Any

import psycopg
from sqlalchemy.engine import URL

logger = logging.getLogger(__name__)

CHANNEL = "hubindex_changes"  # as migration 0005 announces on
APPLICATION_NAME = "hubindex change feed"  # how its connection shows in pg_stat_activity

_FIRST_CONNECTION_WAIT = 5.0  # seconds
_RECONNECT_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)  # seconds; the last repeats


class ChangeFeed:
    def __init__(self, connect_arguments: dict[str, Any]) -> None:
        self._arguments = connect_arguments
        self._count = 0
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._lost: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @classmethod
    def of(cls, url: URL, dialect: Any) -> "ChangeFeed":
        """A feed on the database ``url`` names, connected as SQLAlchemy's ``dialect`` would."""
        _args, arguments = dialect.create_connect_args(url)
        return cls({"application_name": APPLICATION_NAME, **arguments})

    def count(self) -> int | None:
        """The announcements (and reconnections) so far; None while not listening."""
        if self._connection is None:
            return None
        self._read()
        return self._count if self._connection is not None else None

    def moved(self) -> None:
        """A commit of this process: its next reads must not see what was kept before it,
        whether or not PostgreSQL's announcement has arrived yet."""
        self._count += 1

    async def start(self) -> None:
        """Listen from now on, reconnecting when the connection is lost; waits a few seconds
        at most for the first connection (without one, reads go to the database)."""
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="hubindex change feed")
        try:
            async with asyncio.timeout(_FIRST_CONNECTION_WAIT):
                await self._listening.wait()
        except TimeoutError:
            logger.warning("change feed: not listening yet; caches stay off until it is")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _listen(self) -> None:
        failures = 0
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(
                    **self._arguments, autocommit=True
                )
            except psycopg.Error as error:
                delay = _RECONNECT_DELAYS[min(failures, len(_RECONNECT_DELAYS) - 1)]
                failures += 1
                logger.warning("change feed: cannot connect (%s); retrying in %ss", error, delay)
                await asyncio.sleep(delay)
                continue
            try:
                await connection.execute(f"LISTEN {CHANNEL}")
                failures = 0
                await self._follow(connection)
            except psycopg.Error as error:
                logger.warning("change feed: connection lost (%s); reconnecting", error)
            finally:
                await connection.close()
            await asyncio.sleep(_RECONNECT_DELAYS[0])

    async def _follow(self, connection: psycopg.AsyncConnection[Any]) -> None:
        """Count announcements until the connection is lost."""
        loop = asyncio.get_running_loop()
        lost = self._lost = asyncio.Event()
        socket = connection.pgconn.socket
        self._connection = connection
        self._count += 1  # what was announced while nobody listened is unknown
        loop.add_reader(socket, self._read)
        self._listening.set()
        if self._count > 1:
            logger.info("change feed: listening again")
        try:
            await lost.wait()
        finally:
            loop.remove_reader(socket)
            self._connection = None
            self._listening.clear()

    def _read(self) -> None:
        """Count what has arrived, without waiting; notice a lost connection."""
        connection = self._connection
        if connection is None:
            return
        pgconn = connection.pgconn
        try:
            pgconn.consume_input()
        except psycopg.OperationalError as error:
            logger.warning("change feed: connection lost (%s); reconnecting", error)
            self._connection = None
            assert self._lost is not None
            self._lost.set()
            return
        while pgconn.notifies() is not None:
            self._count += 1
