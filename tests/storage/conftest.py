"""The storage suite: services over a real database, the same tests on SQLite and PostgreSQL."""

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from server.composition import AppState
from server.settings import Settings
from tests.functional.conftest import (  # noqa: F401 - fixtures shared with the functional suite
    _PostgresDatabases,
    database_url,
    postgres_databases,
    sqlite_template,
)
from tests.harness import FAST_HASHING


@pytest.fixture
async def state(database_url: str) -> AsyncIterator[AppState]:
    app_state = AppState(
        Settings(database_url=database_url, email_confirmation="required", **FAST_HASHING)
    )
    yield app_state
    await app_state.close()


@pytest.fixture
async def sqlite_state(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[AppState]:
    """For what only SQLite has (its FTS5 index): a fresh SQLite database, no PostgreSQL run."""
    shutil.copy(sqlite_template, tmp_path / "hubindex.db")
    app_state = AppState(
        Settings(database_url=f"sqlite:///{tmp_path / 'hubindex.db'}", **FAST_HASHING)
    )
    yield app_state
    await app_state.close()


@pytest.fixture
def postgres_url(postgres_databases: _PostgresDatabases) -> Iterator[str]:
    """For what only PostgreSQL has: a fresh PostgreSQL database, no SQLite run."""
    name, url = postgres_databases.create()
    yield url
    postgres_databases.release(name)
