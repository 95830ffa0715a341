"""PostgreSQL's units of work: prepared statements on psycopg answer what SQLAlchemy's execution
does, and a writing unit's transaction begins at its first write (server.storage.postgres)."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import RepositoryName
from server.composition import AppState
from server.errors import DatabaseBusy, NotFound
from server.services import logins, repositories, tokens
from server.services.repositories import ImageRecord
from server.settings import Settings
from server.storage import postgres
from server.storage.database import Database
from server.storage.postgres import PostgresSession
from server.storage.prepared import is_prepared, prepared
from server.storage.tables import LoginFailure
from tests.harness import FAST_HASHING

pytestmark = pytest.mark.anyio

NAME = RepositoryName("alice", "units")
SINCE = datetime.now(UTC) - timedelta(hours=1)
IDLE = psycopg.pq.TransactionStatus.IDLE
IN_TRANSACTION = psycopg.pq.TransactionStatus.INTRANS


class _Failed(Exception):
    pass


@pytest.fixture
async def state(postgres_url: str) -> AsyncIterator[AppState]:
    app_state = AppState(Settings(database_url=postgres_url, **FAST_HASHING))
    async with app_state.unit_of_work(writes=True) as services:
        await services.accounts.create("alice", "alice@example.com", "password1", admin=True)
        await services.repositories.create(
            NAME, [ImageRecord("b" * 64, "sha256:1"), ImageRecord("a" * 64)]
        )
        await services.logins.record_failure("alice", "192.0.2.1")
    yield app_state
    await app_state.close()


async def _driver(session: object) -> psycopg.AsyncConnection:
    assert isinstance(session, AsyncSession)
    raw = await (await session.connection()).get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)
    return driver


@pytest.mark.parametrize(
    ("statement", "parameters"),
    [
        (logins._ATTEMPT, {"username": "alice", "address": "192.0.2.1", "since": SINCE}),
        (logins._ATTEMPT, {"username": "nobody", "address": "192.0.2.7", "since": SINCE}),
        (repositories._IMAGES, {"namespace": "alice", "name": "units"}),
        (
            repositories._CHECKSUMS["postgresql"],
            {"namespace": "alice", "name": "units", "ids": json.dumps(["a" * 64, "c" * 64])},
        ),
        (
            repositories._CHECKSUMS["postgresql"],
            {"namespace": "alice", "name": "units", "ids": json.dumps([])},
        ),
        (
            tokens._STANDING,
            {"namespace": "alice", "name": "units", "holder": 1, "via": tokens._NO_ACCESS_TOKEN},
        ),
    ],
    ids=[
        "attempt",
        "attempt-of-no-one",
        "images",
        "checksums",
        "checksums-of-none",
        "standing",
    ],
)
async def test_rows_and_their_types_are_sqlalchemy_s(state: AppState, statement, parameters):
    assert is_prepared(statement)
    async with state.database.unit_of_work(writes=False) as session:
        assert isinstance(session, PostgresSession)
        got = (await session.execute(statement, parameters)).all()
        connection = await session.connection()
        expected = [tuple(row) for row in await connection.execute(statement, parameters)]
    assert got == expected
    assert [[type(value) for value in row] for row in got] == [
        [type(value) for value in row] for row in expected
    ]
    assert got  # every one of them answers a row


async def test_a_unit_that_only_reads_what_decides_runs_no_transaction(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.logins.attempt("alice", "192.0.2.1")
        current = await services.repositories.checksums(NAME, ["a" * 64])
        # Written already: nothing to write, and no BEGIN was sent (nor will COMMIT be).
        await services.repositories.put_images(NAME, [ImageRecord("a" * 64)], current=current)
        driver = await _driver(services._session)
        assert (driver.pgconn.transaction_status, driver.autocommit) == (IDLE, True)


async def test_a_write_begins_the_transaction_and_a_failure_undoes_all_of_it(state: AppState):
    new = [ImageRecord("c" * 64, "sha256:3"), ImageRecord("d" * 64)]

    async def write_then_fail() -> None:
        async with state.unit_of_work(writes=True) as services:
            current = await services.repositories.checksums(NAME, [image.id for image in new])
            await services.repositories.put_images(NAME, new, current=current)
            driver = await _driver(services._session)
            assert driver.pgconn.transaction_status == IN_TRANSACTION
            raise _Failed

    with pytest.raises(_Failed):
        await write_then_fail()
    async with state.unit_of_work(writes=False) as services:
        assert [image.id for image in await services.repositories.images(NAME)] == [
            "a" * 64,
            "b" * 64,
        ]
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(NAME, new, current={})
    async with state.unit_of_work(writes=False) as services:
        assert len(await services.repositories.images(NAME)) == 4


async def test_a_prepared_write_counts_its_rows_and_refuses_a_missing_repository(state: AppState):
    with pytest.raises(NotFound):
        async with state.unit_of_work(writes=True) as services:
            await services.repositories.put_images(
                RepositoryName("alice", "missing"), [ImageRecord("e" * 64)], current={}
            )


async def test_a_database_error_is_sqlalchemy_s_and_undoes_the_unit(state: AppState):
    failures = LoginFailure.__table__
    columns = {name: bindparam(name) for name in ("username", "address", "failed_at")}
    record = prepared(insert(failures).values(**columns))
    row = {"username": "alice", "address": "192.0.2.2", "failed_at": datetime.now(UTC)}

    async def write_then_fail() -> None:
        async with state.database.unit_of_work(writes=True) as session:
            await session.execute(record, row)
            await session.execute(record, {**row, "failed_at": None})

    with pytest.raises(IntegrityError):  # failed_at is NOT NULL
        await write_then_fail()
    async with state.database.unit_of_work(writes=False) as session:
        assert await session.scalar(select(func.count()).select_from(failures)) == 1


async def test_a_unit_that_gave_its_connection_back_takes_another(state: AppState):
    """As Services.admit_account_change does: the unit's transaction ended, then more work."""
    async with state.unit_of_work(writes=True) as services:
        first = await _driver(services._session)
        await services.repositories.checksums(NAME, ["a" * 64])
        await services._session.rollback()
        pool = state.database.pool
        assert pool.checkedout() == 0  # given back: it must not be used by this unit any more
        assert postgres._DRIVER not in services._session.info
        await services.repositories.put_images(NAME, [ImageRecord("a" * 64, "sha256:9")])
        assert pool.checkedout() == 1  # written on a connection of the unit's own again
        second = await _driver(services._session)
        assert second.pgconn.transaction_status == IN_TRANSACTION
        assert first is second or first.pgconn.transaction_status == IDLE
    async with state.unit_of_work(writes=False) as services:
        assert (await services.repositories.checksums(NAME, ["a" * 64])) == {"a" * 64: "sha256:9"}


async def test_plain_reads_before_a_write_take_no_pooled_connection(state: AppState):
    """A login's read and a push's checksums, in a unit that has written nothing, run on the
    process's connections for plain reads (PlainReads): no connection of the pool is taken and
    no transaction begins; once the unit wrote, they run on its connection and see its write."""
    pool = state.database.pool
    async with state.unit_of_work(writes=True) as services:
        attempt = await services.logins.attempt("alice", "192.0.2.1")
        assert attempt.account is not None
        assert attempt.of_pair.count == 1
        assert await services.repositories.checksums(NAME, ["a" * 64]) == {"a" * 64: None}
        assert pool.checkedout() == 0
        assert not services._session.in_transaction()
        await services.repositories.put_images(NAME, [ImageRecord("a" * 64, "sha256:2")])
        assert pool.checkedout() == 1  # the write took the unit's own
        assert await services.repositories.checksums(NAME, ["a" * 64]) == {"a" * 64: "sha256:2"}


async def test_plain_reads_after_the_server_closed_their_connections_succeed(
    state: AppState, postgres_url: str
):
    async def attempt() -> logins.LoginAttempt:
        async with state.unit_of_work(writes=False) as services:
            return await services.logins.attempt("alice", "192.0.2.1")

    await asyncio.gather(*(attempt() for _ in range(3)))
    url = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as outside:
        await outside.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    await asyncio.sleep(0.1)  # the server's goodbyes arrive
    answers = await asyncio.gather(*(attempt() for _ in range(3)))
    assert [answer.account is not None for answer in answers] == [True] * 3


async def test_a_plain_read_waits_for_a_connection_then_is_refused(postgres_url: str):
    """One connection for plain reads (a pool of 8), taken: the next read waits for it, then
    DatabaseBusy, not a hang; given back, it serves again."""
    database = Database(postgres_url, pool_size=8, write_lock_timeout=0.3)
    read = {"username": "alice", "address": "192.0.2.1", "since": SINCE}

    async def attempt() -> None:
        async with database.unit_of_work(writes=False) as session:
            await session.execute(logins._ATTEMPT, read)

    try:
        await attempt()
        reads = database._plain_reads
        assert reads is not None
        held = await reads._take()
        with pytest.raises(DatabaseBusy) as refused:
            async with asyncio.timeout(10):
                await attempt()
        assert isinstance(refused.value.__cause__, PoolTimeout)
        reads._give_back(held)
        await attempt()
    finally:
        await database.dispose()


async def test_a_plain_read_in_flight_when_the_database_closes_closes_its_connection(
    postgres_url: str,
):
    """Closing takes the idle connections, and the one a statement holds is closed when the
    statement is done, not kept open in a closed process (nor left to the garbage collector)."""
    database = Database(postgres_url, pool_size=8, write_lock_timeout=1)
    read = {"username": "alice", "address": "192.0.2.1", "since": SINCE}
    reads = database._plain_reads
    assert reads is not None

    async def attempt() -> None:
        async with database.unit_of_work(writes=False) as session:
            await session.execute(logins._ATTEMPT, read)

    try:
        await attempt()
        (used,) = reads._idle
        started = asyncio.Event()
        original = reads._take

        async def take_then_close():
            connection = await original()
            started.set()
            return connection

        reads._take = take_then_close  # type: ignore[method-assign]
        statement = asyncio.create_task(attempt())
        await started.wait()
        assert reads._idle == []  # the statement holds the connection
        await reads.close()
        assert not used.closed
        await statement
        assert reads._idle == []
        assert used.closed
    finally:
        await database.dispose()
