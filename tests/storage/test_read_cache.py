"""Answers kept between requests while the database stays unchanged: SQLite's data_version,
PostgreSQL's change feed (migration 0005, server.storage.changes)."""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from server.auth import Account, RepositoryName
from server.composition import LARGE_ANSWERS, AppState
from server.errors import AuthenticationFailed
from server.http.credentials import BasicCredential
from server.services.logins import LoginThrottle
from server.services.repositories import ImageRecord
from server.settings import Settings
from tests.harness import FAST_HASHING
from tests.storage.support import eventually

pytestmark = pytest.mark.anyio

IMAGE = "a" * 64
NAME = RepositoryName("alice", "kept")
ADDRESS = "192.0.2.1"


@pytest.fixture
async def this_process(state: AppState) -> AppState:
    await state.start()  # as the server's lifespan does
    return state


@pytest.fixture
async def other_process(this_process: AppState) -> AsyncIterator[AppState]:
    """A second app state on the same database, as another server process would hold."""
    url = this_process.settings.database_url
    other = AppState(Settings(database_url=url, **FAST_HASHING))
    await other.start()
    yield other
    await other.close()


async def test_the_change_counter_moves_with_every_commit_of_any_connection_only(
    this_process: AppState, other_process: AppState
):
    before = this_process.database.change_counter()
    assert before is not None
    async with this_process.unit_of_work(writes=False) as services:
        assert not await services.repositories.exists(NAME)
    assert this_process.database.change_counter() == before  # reads change nothing

    async with other_process.unit_of_work(writes=True) as services:
        await services.repositories.create(NAME, [])
    after_other = await _moved_from(this_process, before)

    async with this_process.unit_of_work(writes=True) as services:
        await services.repositories.put_images(NAME, [ImageRecord(IMAGE)])
    # Its own commits too, at once: no waiting for PostgreSQL's announcement.
    assert this_process.database.change_counter() > after_other


async def test_a_kept_answer_lasts_until_any_process_commits(
    this_process: AppState, other_process: AppState
):
    counter = this_process.database.change_counter()
    async with other_process.unit_of_work(writes=True) as services:
        await services.repositories.create(NAME, [])
    await _moved_from(this_process, counter)  # else its announcement may empty the cache
    computed: list[list[ImageRecord]] = []

    async def listing() -> list[ImageRecord]:
        async with this_process.unit_of_work(writes=False) as services:
            computed.append(await services.repositories.images(NAME))
        return computed[-1]

    async def read() -> list[ImageRecord]:
        async with this_process.unit_of_work(writes=False) as services:
            return await services.cached(("images", NAME), listing)

    assert await read() == []
    assert await read() == []
    assert len(computed) == 1  # the second answer was the kept one

    counter = this_process.database.change_counter()
    async with other_process.unit_of_work(writes=True) as services:
        await services.repositories.put_images(NAME, [ImageRecord(IMAGE)])
    await _moved_from(this_process, counter)
    assert await read() == [ImageRecord(IMAGE)]
    assert len(computed) == 2


async def _moved_from(state: AppState, counter: int | None) -> int:
    """The change counter once it differs from ``counter`` (see ``eventually``)."""
    moved = await eventually(lambda: state.database.change_counter() not in (counter, None))
    assert moved, "the change counter did not move"
    now = state.database.change_counter()
    assert now is not None
    return now


async def test_without_a_cheap_change_counter_nothing_is_kept():
    # An in-memory SQLite database cannot tell its changes cheaply (nor can PostgreSQL before
    # its change feed listens: test_change_feed.py).
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


async def test_values_the_read_cache_will_not_keep_are_kept_a_few_at_most(this_process: AppState):
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        return calls

    async with this_process.unit_of_work(writes=False) as services:
        for key in ["big0", "big0", *(f"big{n}" for n in range(1, LARGE_ANSWERS + 1)), "big0"]:
            await services.cached(key, compute, keep=lambda v: v < 0)
        kept = [await services.cached("small", compute) for _ in range(2)]
    # big0 once, then each other once, then big0 again: pushed out by the others.
    assert calls == 1 + LARGE_ANSWERS + 1 + 1
    assert kept == [calls, calls]


async def test_requests_asking_for_one_answer_at_once_share_its_computation(
    this_process: AppState,
):
    calls = 0
    go = asyncio.Event()

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await go.wait()
        return 42

    async def ask() -> int:
        async with this_process.unit_of_work(writes=False) as services:
            return await services.cached("k", compute)

    asking = [asyncio.ensure_future(ask()) for _ in range(5)]
    await asyncio.sleep(0.01)
    go.set()
    assert await asyncio.gather(*asking) == [42] * 5
    assert calls == 1


async def test_a_login_decides_from_the_database_even_before_the_change_is_announced(
    this_process: AppState, other_process: AppState, monkeypatch: pytest.MonkeyPatch
):
    """Another process's change counts at once for a login. On PostgreSQL even with this
    process's change counter stopped where it was (its notice still on the way): nothing kept
    decides there. SQLite's counter is read from the database itself and cannot lag."""
    counter = this_process.database.change_counter()
    async with other_process.unit_of_work(writes=True) as services:
        await services.accounts.create("alice", "alice@example.com", "password1", admin=False)
    await _moved_from(this_process, counter)
    assert (await _login(other_process, "password1")).username == "alice"
    assert (await _login(this_process, "password1")).username == "alice"
    postgres = this_process.database.decision_counter() is None
    if postgres:
        stopped = this_process.database.change_counter()
        monkeypatch.setattr(this_process.database, "change_counter", lambda: stopped)
    reads = _count_calls(monkeypatch, LoginThrottle, "attempt")
    assert (await _login(this_process, "password1")).username == "alice"  # the memo spares argon2

    async with other_process.unit_of_work(writes=True) as services:
        await services.accounts.update("alice", email=None, password="password2")
    with pytest.raises(AuthenticationFailed):
        await _login(this_process, "password1")
    assert (await _login(this_process, "password2")).username == "alice"
    # PostgreSQL: each login read the account. SQLite: the first was answered from what an
    # earlier one read, the change moved the counter, the next two read afresh.
    assert reads() == (3 if postgres else 2)


async def _login(state: AppState, password: str) -> Account:
    async with state.unit_of_work(writes=False) as services:
        identity = await services.identify(BasicCredential("alice", password), ADDRESS)
    assert isinstance(identity, Account)
    return identity


def _count_calls(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> Callable[[], int]:
    """Count the calls of ``owner.name``, which still runs as it does."""
    calls = 0
    real = getattr(owner, name)

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return await real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return lambda: calls
