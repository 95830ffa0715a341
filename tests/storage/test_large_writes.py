"""Large writes: on SQLite, on the writer thread (server.storage.threaded.SqliteWriter), each
one transaction; on PostgreSQL, in the unit as any write. Either way nothing acknowledged is
lost and a failed write leaves nothing behind."""

from collections.abc import AsyncIterator

import pytest

from server.auth import RepositoryName
from server.composition import AppState
from server.errors import NotFound, RepositoryFull
from server.services.repositories import LARGE_WRITE_ROWS, ImageRecord
from server.settings import Settings
from tests.harness import FAST_HASHING

pytestmark = pytest.mark.anyio

REPO = RepositoryName("someone", "large")
LIMIT = 2 * LARGE_WRITE_ROWS + 10


class _Failed(Exception):
    pass


@pytest.fixture
async def state(database_url: str) -> AsyncIterator[AppState]:
    settings = Settings(database_url=database_url, max_images_per_repository=LIMIT, **FAST_HASHING)
    app_state = AppState(settings)
    yield app_state
    await app_state.close()


def _ids(prefix: str, count: int = LARGE_WRITE_ROWS) -> list[str]:
    return [f"{prefix}{n:063x}" for n in range(count)]


async def _held(state: AppState, repository: RepositoryName = REPO) -> dict[str, str | None]:
    async with state.unit_of_work(writes=False) as services:
        return {
            image.id: image.checksum for image in await services.repositories.images(repository)
        }


async def _put(state: AppState, images: list[ImageRecord]) -> None:
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(REPO, images)


async def _delete(state: AppState, repository: RepositoryName) -> None:
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.delete(repository)


def _threaded(state: AppState) -> bool:
    """Whether the writer thread has run a write (SQLite in a file: it must have)."""
    writer = state.sqlite_writer
    return writer is not None and writer._threads._pool is not None


async def test_a_large_list_is_created_merged_and_pushed_again_without_writing(state: AppState):
    first, second = _ids("a"), _ids("b")
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(i) for i in first])
    assert _threaded(state) == (state.sqlite_writer is not None)
    pushed = [ImageRecord(i, f"sha256:{i}") for i in first + second]
    await _put(state, pushed)
    assert await _held(state) == {image.id: image.checksum for image in pushed}
    counter = state.database.change_counter()
    await _put(state, pushed)  # as a push repeated
    if counter is not None and state.sqlite_writer is not None:
        assert state.database.change_counter() == counter  # nothing was written


async def test_a_large_list_past_the_limit_writes_none_of_it(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(i) for i in _ids("a")])
    more = [ImageRecord(i, "sha256:new") for i in _ids("b", LIMIT)]
    with pytest.raises(RepositoryFull):
        await _put(state, more)
    assert set(await _held(state)) == set(_ids("a"))


async def test_a_large_list_for_no_repository_is_not_found_and_writes_nothing(state: AppState):
    with pytest.raises(NotFound):
        await _put(state, [ImageRecord(i) for i in _ids("a")])
    async with state.unit_of_work(writes=False) as services:
        assert not await services.repositories.exists(REPO)


async def test_a_large_repository_is_deleted_with_its_images(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(i) for i in _ids("a")])
    await _delete(state, REPO)
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [])
    assert await _held(state) == {}  # none of the old images came back with the name
    with pytest.raises(NotFound):
        await _delete(state, RepositoryName("someone", "missing"))


async def test_a_unit_that_wrote_first_keeps_its_large_write_in_its_own_transaction(
    state: AppState,
):
    """A unit that has written cannot hand its write to the thread (ending its transaction
    would lose what it wrote): it writes inline, and a failure undoes both."""
    other = RepositoryName("someone", "other")

    async def write_then_fail() -> None:
        async with state.unit_of_work(writes=True) as services:
            await services.repositories.create(other, [])
            await services.repositories.create(REPO, [ImageRecord(i) for i in _ids("a")])
            raise _Failed

    with pytest.raises(_Failed):
        await write_then_fail()
    assert not _threaded(state)
    async with state.unit_of_work(writes=False) as services:
        assert not await services.repositories.exists(other)
        assert not await services.repositories.exists(REPO)
