"""SQLite's write lock is never held across an await, and never waited for off the loop.

SQLite only: PostgreSQL has no database-wide write lock, and its statements await the network
by design (a PostgreSQL transaction across an await holds row locks, not the database).
"""

import asyncio
import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from server.errors import DatabaseBusy
from server.storage import inline
from server.storage.database import Database
from server.storage.inline import WriteLockHeldAcrossAwait
from server.storage.inline import _begin_immediate as begin_immediate
from server.storage.threaded import SqliteWriter

pytestmark = pytest.mark.anyio


@pytest.fixture
def path(tmp_path: Path, sqlite_template: Path) -> Path:
    shutil.copy(sqlite_template, tmp_path / "hubindex.db")
    return tmp_path / "hubindex.db"


@pytest.fixture
async def database(path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{path}", write_lock_timeout=0.3)
    yield database
    await database.dispose()


def _other_writer(path: Path) -> sqlite3.Connection:
    """A connection as another process's would be, which never waits for a lock."""
    return sqlite3.connect(path, isolation_level=None, timeout=0)


async def test_a_writing_unit_that_awaits_something_else_is_rolled_back_and_refused(
    database: Database, path: Path, caplog: pytest.LogCaptureFixture
):
    other = _other_writer(path)

    async def await_while_writing() -> None:
        async with database.unit_of_work(writes=True) as session:
            await session.execute(text("INSERT INTO signing_keys (secret) VALUES (x'00')"))
            await asyncio.to_thread(lambda: None)  # argon2, a mail: anything not the database
            # The lock was released at the loop's first turn: another writer has it at once.
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            await session.execute(text("SELECT 1"))

    with pytest.raises(WriteLockHeldAcrossAwait):
        await await_while_writing()
    other.close()

    assert "awaited something other than the database" in caplog.text
    assert "test_write_lock.py" in caplog.text  # it names where the unit waited
    [record] = [r for r in caplog.records if "SQLite's write lock" in r.getMessage()]
    assert record.levelno == logging.ERROR
    async with database.unit_of_work(writes=False) as session:
        assert (await session.execute(text("SELECT count(*) FROM signing_keys"))).scalar() == 1


async def test_a_writing_unit_that_only_runs_statements_commits_and_the_guard_stays_quiet(
    database: Database, caplog: pytest.LogCaptureFixture
):
    for _ in range(3):
        async with database.unit_of_work(writes=True) as session:
            await session.execute(text("INSERT INTO signing_keys (secret) VALUES (x'00')"))
        await asyncio.sleep(0)  # the guard's check runs now, after the commit
    assert caplog.text == ""
    async with database.unit_of_work(writes=False) as session:
        assert (await session.execute(text("SELECT count(*) FROM signing_keys"))).scalar() == 4


async def test_a_writer_waits_for_another_process_on_the_loop_then_goes_through(
    path: Path,
):
    database = Database(f"sqlite:///{path}", write_lock_timeout=30)
    other = _other_writer(path)
    other.execute("BEGIN IMMEDIATE")
    turns = 0

    async def write() -> None:
        async with database.unit_of_work(writes=True) as session:
            await session.execute(text("INSERT INTO signing_keys (secret) VALUES (x'01')"))

    try:
        writing = asyncio.create_task(write())
        # The loop runs other work while the writer waits: it is not blocked in SQLite.
        while turns < 20:
            await asyncio.sleep(0.001)
            turns += 1
        assert not writing.done()
        other.rollback()
        await writing
    finally:
        other.close()
        await database.dispose()


async def test_a_write_lock_that_cannot_be_had_in_time_is_database_busy(
    database: Database, path: Path
):
    other = _other_writer(path)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy):
            async with database.unit_of_work(writes=True) as session:
                await session.execute(text("SELECT 1"))
    finally:
        other.rollback()
        other.close()
    # The connection went back to the pool: a next unit writes.
    async with database.unit_of_work(writes=True) as session:
        await session.execute(text("INSERT INTO signing_keys (secret) VALUES (x'02')"))
    assert database.pool.checkedout() == 0


async def test_a_writer_waits_for_this_process_writer_thread_then_tries_once(
    path: Path, monkeypatch: pytest.MonkeyPatch
):
    """While this process's writer thread holds the lock, a unit on the loop does not try for
    it (a try blocked the loop in SQLite's busy handler, and every later one cost the loop the
    interpreter): it is woken when that transaction ends, and tries then."""
    url = f"sqlite:///{path}"
    database = Database(url, write_lock_timeout=30)
    writer = SqliteWriter(url)
    holds = threading.Event()
    tries: list[bool] = []

    def counted(driver: sqlite3.Connection) -> bool:
        tries.append(begin_immediate(driver))
        return tries[-1]

    def hold(_transaction: object) -> None:
        holds.set()
        time.sleep(0.3)

    monkeypatch.setattr(inline, "_begin_immediate", counted)
    holding = asyncio.create_task(writer.run(hold))
    try:
        assert await asyncio.to_thread(holds.wait, 30)
        async with database.unit_of_work(writes=True) as session:
            await session.execute(text("INSERT INTO signing_keys (secret) VALUES (x'02')"))
        assert tries == [True]
        async with database.unit_of_work(writes=False) as session:
            written = await session.scalar(
                text("SELECT count(*) FROM signing_keys WHERE secret = x'02'")
            )
        assert written == 1
    finally:
        await holding
        writer.close()
        await database.dispose()
