"""PostgreSQL connections that the server closed while they sat in the pool are not used."""

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from server.auth import RepositoryName
from server.composition import AppState
from server.settings import Settings
from tests.harness import FAST_HASHING

pytestmark = pytest.mark.anyio


@pytest.fixture
async def state(postgres_url: str) -> AsyncIterator[AppState]:
    app_state = AppState(Settings(database_url=postgres_url, **FAST_HASHING))
    yield app_state
    await app_state.close()


async def test_units_after_the_server_closed_every_pooled_connection_succeed(
    state: AppState, postgres_url: str
):
    """As after a PostgreSQL restart, or an idle timeout: each unit gets a live connection."""
    repository = RepositoryName("alice", "app")

    async def read() -> bool:
        async with state.unit_of_work(writes=False) as services:
            exists = await services.repositories.exists(repository)
            await asyncio.sleep(0.01)  # hold the connection, so that the pool opens several
            return exists

    await asyncio.gather(*(read() for _ in range(4)))
    assert state.database.pool.checkedin() == 4
    url = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as outside:
        cursor = await outside.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert (await cursor.fetchone()) == (4,)
    await asyncio.sleep(0.1)  # the server's goodbyes arrive

    assert await asyncio.gather(*(read() for _ in range(4))) == [False] * 4
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(repository, [])
    assert await read()
