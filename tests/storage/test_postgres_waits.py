"""PostgreSQL: a unit that cannot have a pooled connection, or a lock another transaction
holds, in time is refused with DatabaseBusy (503, Retry-After), never left to hang."""

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from server.errors import DatabaseBusy
from server.storage.database import Database

pytestmark = pytest.mark.anyio

WAIT = 0.3
# Far beyond WAIT, far below SQLAlchemy's default pool timeout (30 s) and no lock_timeout's
# forever: a unit still waiting then was never going to be refused.
HANG = 10


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_url, pool_size=1, write_lock_timeout=WAIT)
    yield database
    await database.dispose()


async def test_a_unit_waits_for_a_pooled_connection_then_is_refused(database: Database):
    async with database.unit_of_work(writes=False) as holder:
        await holder.execute(text("SELECT 1"))  # the pool's only connection, taken
        with pytest.raises(DatabaseBusy):
            async with asyncio.timeout(HANG), database.unit_of_work(writes=False) as waiter:
                await waiter.execute(text("SELECT 1"))

    async with database.unit_of_work(writes=False) as after:  # given back: served again
        assert (await after.execute(text("SELECT 1"))).scalar() == 1


async def test_a_lock_held_elsewhere_is_waited_for_then_refused(
    database: Database, postgres_url: str
):
    url = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(url) as operator:  # an operator's session, in a transaction
        operator.execute("LOCK TABLE signing_keys IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(DatabaseBusy):
            async with asyncio.timeout(HANG), database.unit_of_work(writes=True) as session:
                await session.execute(text("SELECT secret FROM signing_keys"))
        operator.rollback()

    async with database.unit_of_work(writes=True) as session:
        await session.execute(text("SELECT secret FROM signing_keys"))
