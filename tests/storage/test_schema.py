import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from server.composition import AppState
from server.storage.database import Database
from server.storage.migrations import check, config, pending, upgrade

pytestmark = pytest.mark.anyio


def test_the_migrations_create_exactly_the_tables_of_the_models(database_url: str):
    assert not pending(database_url)
    check(database_url)  # raises when the models and the migrated schema differ


async def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout_that_spares_the_loop(
    tmp_path: Path, sqlite_template: Path
):
    shutil.copy(sqlite_template, tmp_path / "hubindex.db")
    database = Database(f"sqlite:///{tmp_path / 'hubindex.db'}")
    try:
        async with database.unit_of_work(writes=False) as session:
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            # Short: it blocks the event loop (a lock held long is waited for on the loop).
            assert 1 <= (await session.execute(text("PRAGMA busy_timeout"))).scalar() <= 20
    finally:
        await database.dispose()


async def test_the_database_has_one_signing_key(state: AppState):
    async with state.database.unit_of_work(writes=False) as session:
        keys = (await session.execute(text("SELECT secret FROM signing_keys"))).scalars().all()
    assert len(keys) == 1
    assert len(keys[0]) == 32


def test_every_migration_can_be_undone_and_applied_again(database_url: str):
    command.downgrade(config(database_url), "base")
    assert pending(database_url)
    upgrade(database_url)
    assert not pending(database_url)
    check(database_url)
