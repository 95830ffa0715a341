"""Answers kept between requests while the database stays unchanged (SQLite's data_version)."""

from collections.abc import AsyncIterator

import pytest

from server.auth import RepositoryName
from server.services.repositories import ImageRecord
from server.settings import Settings
from server.state import AppState
from tests.harness import FAST_HASHING

pytestmark = pytest.mark.anyio

IMAGE = "a" * 64
NAME = RepositoryName("alice", "kept")


@pytest.fixture
async def other_process(sqlite_state: AppState) -> AsyncIterator[AppState]:
    """A second app state on the same SQLite file, as another server process would hold."""
    url = sqlite_state.settings.database_url
    other = AppState(Settings(database_url=url, **FAST_HASHING))
    yield other
    await other.close()


async def test_the_change_counter_moves_with_every_commit_of_any_connection_only(
    sqlite_state: AppState, other_process: AppState
):
    before = sqlite_state.database.change_counter()
    assert before is not None
    async with sqlite_state.unit_of_work(writes=False) as services:
        assert not await services.repositories.exists(NAME)
    assert sqlite_state.database.change_counter() == before  # reads change nothing

    async with other_process.unit_of_work(writes=True) as services:
        await services.repositories.create(NAME, [])
    after_other = sqlite_state.database.change_counter()
    assert after_other is not None
    assert after_other > before

    async with sqlite_state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(NAME, [ImageRecord(IMAGE)])
    assert sqlite_state.database.change_counter() > after_other  # its own commits too


async def test_a_kept_answer_lasts_until_any_process_commits(
    sqlite_state: AppState, other_process: AppState
):
    async with other_process.unit_of_work(writes=True) as services:
        await services.repositories.create(NAME, [])
    computed: list[list[ImageRecord]] = []

    async def listing() -> list[ImageRecord]:
        async with sqlite_state.unit_of_work(writes=False) as services:
            computed.append(await services.repositories.images(NAME))
        return computed[-1]

    async def read() -> list[ImageRecord]:
        async with sqlite_state.unit_of_work(writes=False) as services:
            return await services.cached(("images", NAME), listing)

    assert await read() == []
    assert await read() == []
    assert len(computed) == 1  # the second answer was the kept one

    async with other_process.unit_of_work(writes=True) as services:
        await services.repositories.put_images(NAME, [ImageRecord(IMAGE)])
    assert await read() == [ImageRecord(IMAGE)]
    assert len(computed) == 2


async def test_without_a_cheap_change_counter_nothing_is_kept():
    # An in-memory SQLite database (like PostgreSQL) cannot tell its changes cheaply.
    memory = AppState(Settings(database_url="sqlite://", **FAST_HASHING))
    assert memory.database.change_counter() is None
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        return calls

    try:
        async with memory.unit_of_work(writes=False) as services:
            assert [await services.cached("k", compute) for _ in range(2)] == [1, 2]
    finally:
        await memory.close()


async def test_a_value_the_caller_will_not_keep_is_computed_each_time(sqlite_state: AppState):
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        return calls

    async with sqlite_state.unit_of_work(writes=False) as services:
        values = [await services.cached("big", compute, keep=lambda v: v < 0) for _ in range(2)]
        kept = [await services.cached("small", compute) for _ in range(2)]
    assert values == [1, 2]
    assert kept == [3, 3]
