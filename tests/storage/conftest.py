"""The storage suite: services over a real database, the same tests on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator

import pytest

from server.settings import Settings
from server.state import AppState
from tests.functional.conftest import (  # noqa: F401 - fixtures shared with the functional suite
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
