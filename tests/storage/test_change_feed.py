"""PostgreSQL's change feed (migration 0005, server.storage.changes), on a real server."""

from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from server.composition import AppState
from server.settings import Settings
from server.storage.changes import APPLICATION_NAME
from server.storage.tables import Base
from tests.harness import FAST_HASHING
from tests.storage.support import eventually

pytestmark = pytest.mark.anyio


@pytest.fixture
async def listening(postgres_url: str) -> AsyncIterator[AppState]:
    state = AppState(Settings(database_url=postgres_url, **FAST_HASHING))
    await state.start()
    yield state
    await state.close()


@pytest.fixture
async def outside(postgres_url: str) -> AsyncIterator[psycopg.AsyncConnection]:
    """A connection that is not hubindex's, as psql or another program would open."""
    url = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    connection = await psycopg.AsyncConnection.connect(url, autocommit=True)
    yield connection
    await connection.close()


async def test_there_is_no_counter_before_the_feed_listens(postgres_url: str):
    state = AppState(Settings(database_url=postgres_url, **FAST_HASHING))
    try:
        assert state.database.change_counter() is None
        await state.start()
        assert state.database.change_counter() is not None
    finally:
        await state.close()
    assert state.database.change_counter() is None


# Tables that hold no answer any process keeps: the webhooks' outbox, whose workers'
# bookkeeping would only empty every process's caches (migration 0013), the audit log,
# whose events ride with changes that announce themselves (0016), the check of the secrets
# key, which no process keeps (0018), and the invitations, which no process keeps either
# (0020). The pull counts each process adds in batches every second are a column whose updates
# alone announce nothing (0019).
UNANNOUNCED = {"webhook_deliveries", "audit_events", "secrets_key_check", "organization_invites"}


@pytest.mark.parametrize(
    "table", [table.name for table in Base.metadata.sorted_tables if table.name not in UNANNOUNCED]
)
async def test_a_write_to_any_table_by_anyone_moves_the_counter(
    listening: AppState, outside: psycopg.AsyncConnection, table: str
):
    before = _counter(listening)
    # A statement trigger fires even when no row is touched: any table's trigger shows so.
    await outside.execute(f"DELETE FROM {table} WHERE false")
    assert await eventually(lambda: _counter(listening) > before)


@pytest.mark.parametrize("table", sorted(UNANNOUNCED))
async def test_the_unannounced_tables_writes_are_not_announced(
    listening: AppState, outside: psycopg.AsyncConnection, table: str
):
    before = _counter(listening)
    await outside.execute(f"DELETE FROM {table} WHERE false")
    await outside.execute("DELETE FROM webhooks WHERE false")  # one that is, after it
    assert await eventually(lambda: _counter(listening) > before)
    assert _counter(listening) == before + 1


async def test_an_update_of_pull_counts_alone_is_not_announced(
    listening: AppState, outside: psycopg.AsyncConnection
):
    start = _counter(listening)
    await outside.execute(
        "INSERT INTO repositories (namespace, name, description) VALUES ('feed', 'pulled', '')"
    )
    assert await eventually(lambda: _counter(listening) > start)
    before = _counter(listening)
    await outside.execute("UPDATE repositories SET pull_count = pull_count + 3")
    await outside.execute("UPDATE repositories SET star_count = star_count + 1")  # announced
    assert await eventually(lambda: _counter(listening) > before)
    assert _counter(listening) == before + 1
    await outside.execute("UPDATE repositories SET pull_count = 1, description = 'both'")
    assert await eventually(lambda: _counter(listening) > before + 1)


async def test_a_write_rolled_back_is_not_announced(
    listening: AppState, outside: psycopg.AsyncConnection
):
    before = _counter(listening)
    async with outside.transaction(force_rollback=True):
        await outside.execute("UPDATE search_generation SET generation = generation + 1")
    await outside.execute("UPDATE search_generation SET generation = generation")
    assert await eventually(lambda: _counter(listening) > before)
    assert _counter(listening) == before + 1  # the committed write's announcement only


async def test_a_lost_connection_turns_the_counter_off_until_it_listens_again(
    listening: AppState, outside: psycopg.AsyncConnection
):
    before = _counter(listening)
    await outside.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = %s AND datname = current_database()",
        (APPLICATION_NAME,),
    )
    assert await eventually(lambda: listening.database.change_counter() is None)
    # Announcements made while nobody listened are lost: listening again moves the counter.
    assert await eventually(lambda: (listening.database.change_counter() or 0) > before)
    after = _counter(listening)
    await outside.execute("DELETE FROM images WHERE false")
    assert await eventually(lambda: _counter(listening) > after)


def _counter(state: AppState) -> int:
    counter = state.database.change_counter()
    assert counter is not None, "the change feed is not listening"
    return counter
