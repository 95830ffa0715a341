from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from generated.models import ImageRecordList
from server.auth import RepositoryName
from server.composition import AppState
from server.errors import NotFound, RepositoryFull
from server.services.repositories import DatabaseRepositoryService, ImageRecord
from server.settings import Settings
from tests.harness import FAST_HASHING

pytestmark = pytest.mark.anyio

A, B, C = ("a" * 64, "b" * 64, "c" * 64)
REPO = RepositoryName("someone", "app")


async def _images(state: AppState, repository: RepositoryName = REPO) -> list[ImageRecord]:
    async with state.unit_of_work(writes=False) as services:
        return await services.repositories.images(repository)


async def test_create_records_the_ids_and_repeating_it_keeps_what_was_there(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(A), ImageRecord(B, "sha256:b")])
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(B), ImageRecord(C)])
    assert await _images(state) == [ImageRecord(A), ImageRecord(B, "sha256:b"), ImageRecord(C)]


async def test_put_images_merges_by_id(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(A, "sha256:old"), ImageRecord(B)])
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(
            REPO, [ImageRecord(A), ImageRecord(B, "sha256:b"), ImageRecord(C, "sha256:c")]
        )
    assert await _images(state) == [
        ImageRecord(A, "sha256:old"),
        ImageRecord(B, "sha256:b"),
        ImageRecord(C, "sha256:c"),
    ]


async def test_one_list_may_name_an_id_twice(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(
            REPO, [ImageRecord(A, "sha256:1"), ImageRecord(A), ImageRecord(A, "sha256:2")]
        )
    assert await _images(state) == [ImageRecord(A, "sha256:2")]


async def test_a_failed_unit_of_work_leaves_nothing_behind(state: AppState):
    async def create_then_fail() -> None:
        async with state.unit_of_work(writes=True) as services:
            await services.repositories.create(REPO, [ImageRecord(A)])
            raise RuntimeError("the request failed after the write")

    with pytest.raises(RuntimeError):
        await create_then_fail()
    async with state.unit_of_work(writes=False) as services:
        assert not await services.repositories.exists(REPO)


async def test_delete_removes_the_repository_and_its_images(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(A)])
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.delete(REPO)
    with pytest.raises(NotFound):
        await _images(state)
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [])
    assert await _images(state) == []


@pytest.mark.parametrize("operation", ["delete", "images", "put_images"])
async def test_a_missing_repository_is_not_found(state: AppState, operation: str):
    async with state.unit_of_work(writes=True) as services:
        method = getattr(services.repositories, operation)
        with pytest.raises(NotFound):
            await (method(REPO) if operation != "put_images" else method(REPO, []))


async def test_images_for_a_missing_repository_are_not_found_and_not_written(state: AppState):
    other = RepositoryName("someone", "other")
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(other, [])
    async with state.unit_of_work(writes=True) as services:
        with pytest.raises(NotFound):
            await services.repositories.put_images(REPO, [ImageRecord(A), ImageRecord(B, "x")])
    assert await _images(state, other) == []
    async with state.database.unit_of_work(writes=False) as session:
        assert (await session.execute(text("SELECT count(*) FROM images"))).scalar() == 0


async def test_the_images_come_in_id_order_whatever_order_they_were_given_in(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(C), ImageRecord(A, "sha256:a")])
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(REPO, [ImageRecord(B)])
    assert await _images(state) == [ImageRecord(A, "sha256:a"), ImageRecord(B), ImageRecord(C)]


async def test_what_the_caller_has_read_already_is_not_written_again(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(A), ImageRecord(B, "sha256:b")])
    current = {A: None, B: "sha256:b"}  # as checksums() answers
    async with state.database.unit_of_work(writes=True) as session:
        repeated = [ImageRecord(A), ImageRecord(B, "sha256:b"), ImageRecord(B)]
        await DatabaseRepositoryService(session).put_images(REPO, repeated, current=current)
        assert not session.in_transaction()  # not one statement: a push repeated is free
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(
            REPO, [ImageRecord(A, "sha256:a"), ImageRecord(B), ImageRecord(C)], current=current
        )
    assert await _images(state) == [
        ImageRecord(A, "sha256:a"),
        ImageRecord(B, "sha256:b"),
        ImageRecord(C),
    ]


async def test_checksums_answers_for_the_ids_asked_that_the_repository_has(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(A, "sha256:a"), ImageRecord(B)])
    async with state.unit_of_work(writes=False) as services:
        assert await services.repositories.checksums(REPO, [A, B, C]) == {A: "sha256:a", B: None}
        assert await services.repositories.checksums(REPO, [C]) == {}
        assert await services.repositories.checksums(REPO, []) == {}
        with pytest.raises(NotFound):
            await services.repositories.checksums(RepositoryName("someone", "else"), [A])


D = "d" * 64


@pytest.fixture
async def limited(database_url: str) -> AsyncIterator[AppState]:
    """At most 3 images per repository."""
    app_state = AppState(
        Settings(database_url=database_url, max_images_per_repository=3, **FAST_HASHING)
    )
    yield app_state
    await app_state.close()


async def _put(state: AppState, images: list[ImageRecord]) -> None:
    async with state.unit_of_work(writes=True) as services:
        current = await services.repositories.checksums(REPO, [image.id for image in images])
        await services.repositories.put_images(REPO, images, current=current)


async def test_no_write_takes_a_repository_past_its_limit_and_a_refused_one_writes_nothing(
    limited: AppState,
):
    async with limited.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(A), ImageRecord(B)])

    with pytest.raises(RepositoryFull, match="would hold 4 images: at most 3"):
        await _put(limited, [ImageRecord(A, "sha256:a"), ImageRecord(C), ImageRecord(D)])
    with pytest.raises(RepositoryFull, match="at most 3"):
        async with limited.unit_of_work(writes=True) as services:
            await services.repositories.create(REPO, [ImageRecord(C), ImageRecord(D)])
    with pytest.raises(RepositoryFull, match="at most 3"):  # without the checksums read first
        async with limited.unit_of_work(writes=True) as services:
            await services.repositories.put_images(REPO, [ImageRecord(C), ImageRecord(D)])
    assert await _images(limited) == [ImageRecord(A), ImageRecord(B)]

    await _put(limited, [ImageRecord(C)])  # up to the limit
    await _put(limited, [ImageRecord(A, "sha256:a"), ImageRecord(C, "sha256:c")])  # full: no new id
    async with limited.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(B, "sha256:b")])
    assert await _images(limited) == [
        ImageRecord(A, "sha256:a"),
        ImageRecord(B, "sha256:b"),
        ImageRecord(C, "sha256:c"),
    ]


async def test_the_encoded_listing_is_the_listing(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [])
    async with state.unit_of_work(writes=False) as services:
        assert await services.repositories.images_json(REPO) == b"[]"
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(C), ImageRecord(A, "sha256:a")])
    async with state.unit_of_work(writes=False) as services:
        encoded = await services.repositories.images_json(REPO)
        with pytest.raises(NotFound):
            await services.repositories.images_json(RepositoryName("someone", "else"))
    expected = ImageRecordList.model_validate(
        [{"id": A, "checksum": "sha256:a"}, {"id": C}]
    ).model_dump_json(exclude_none=True)
    assert encoded == expected.encode()
