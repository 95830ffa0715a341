"""The webhook outbox on both backends: a push's deliveries are written in its own transaction
(a large one on SQLite's writer thread too) and never for a push rolled back; on PostgreSQL two
processes' workers never take one delivery at once, and a lease taken over is not recorded."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.auth import RepositoryName
from server.composition import AppState
from server.errors import RepositoryFull
from server.services.repositories import LARGE_WRITE_ROWS, ImageRecord
from server.services.webhook_outbox import DELIVERED, Enqueued, enqueued
from server.settings import Settings
from server.storage.tables import WebhookDelivery
from tests.harness import FAST_HASHING

pytestmark = pytest.mark.anyio

LEASE = timedelta(seconds=60)
_deliveries = WebhookDelivery.__table__


async def _hooked(state: AppState, name: RepositoryName) -> None:
    """``name`` with one webhook of one hook."""
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(name, [])
        repository_id = await services.webhooks.repository_id(name)
        webhook = await services.webhooks.create(repository_id, "ci", False, "alice")
        await services.webhooks.create_hook(repository_id, webhook.id, "http://192.0.2.1/", "alice")


async def _outbox_rows(state: AppState) -> int:
    async with state.unit_of_work(writes=False) as services:
        return int(
            await services.webhooks._session.scalar(select(func.count()).select_from(_deliveries))
        )


def _push(name: RepositoryName) -> Enqueued:
    return enqueued("push", name, '{"event":"push"}')


async def test_a_large_push_writes_its_deliveries_in_its_own_transaction(state: AppState):
    name = RepositoryName("alice", "large")
    await _hooked(state, name)
    images = [ImageRecord(f"{n:064x}") for n in range(LARGE_WRITE_ROWS)]

    async with state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(name, images, also=[_push(name)])

    assert await _outbox_rows(state) == 1


async def test_a_push_rolled_back_leaves_no_delivery(database_url: str):
    state = AppState(
        Settings(database_url=database_url, max_images_per_repository=1, **FAST_HASHING)
    )
    try:
        name = RepositoryName("alice", "full")
        await _hooked(state, name)
        for images in (
            [ImageRecord("a" * 64), ImageRecord("b" * 64)],
            [ImageRecord(f"{n:064x}") for n in range(LARGE_WRITE_ROWS)],
        ):
            with pytest.raises(RepositoryFull):
                async with state.unit_of_work(writes=True) as services:
                    await services.repositories.put_images(name, images, also=[_push(name)])

        # A unit that fails after the push's write (the request fails later) rolls both back.
        with pytest.raises(RuntimeError):
            await _push_then_fail(state, name)

        assert await _outbox_rows(state) == 0
    finally:
        await state.close()


async def _push_then_fail(state: AppState, name: RepositoryName) -> None:
    async with state.unit_of_work(writes=True) as services:
        images = [ImageRecord("c" * 64)]
        await services.repositories.put_images(name, images, also=[_push(name)])
        raise RuntimeError("the request failed after its write")


async def test_a_deletion_writes_its_deliveries_before_its_hooks_go(state: AppState):
    name = RepositoryName("alice", "gone")
    await _hooked(state, name)
    deletion = enqueued("delete", name, '{"event":"delete"}', name_hooks=False)

    async with state.unit_of_work(writes=True) as services:
        await services.repositories.delete(name, also=[deletion])

    async with state.unit_of_work(writes=True) as services:
        _lease, [taken] = await services.outbox.take(10, LEASE)
    assert taken.event == "delete"
    assert taken.hook_id is None
    assert taken.url == "http://192.0.2.1/"


async def test_a_delivery_taken_is_not_taken_again_until_its_lease_ends(state: AppState):
    name = RepositoryName("alice", "leased")
    await _hooked(state, name)
    async with state.unit_of_work(writes=True) as services:
        await services.outbox.enqueue(_push(name))

    async with state.unit_of_work(writes=True) as services:
        lease, [taken] = await services.outbox.take(10, LEASE)
    async with state.unit_of_work(writes=True) as services:
        assert (await services.outbox.take(10, LEASE))[1] == []
    assert taken.attempts == 1

    async with state.unit_of_work(writes=True) as services:
        kept = dict(outcome=DELIVERED, status=200, error=None, retry_at=None)
        assert not await services.outbox.finish(taken, "another lease", **kept)
        assert await services.outbox.finish(taken, lease, **kept)


@pytest.fixture
async def two_processes(postgres_url: str) -> AsyncIterator[tuple[AppState, AppState]]:
    states = tuple(AppState(Settings(database_url=postgres_url, **FAST_HASHING)) for _ in "ab")
    yield states  # type: ignore[misc]
    for each in states:
        await each.close()


async def test_two_processes_never_take_one_delivery_at_once(
    two_processes: tuple[AppState, AppState],
):
    first, second = two_processes
    name = RepositoryName("alice", "shared")
    await _hooked(first, name)
    async with first.unit_of_work(writes=True) as services:
        for _ in range(10):
            await services.outbox.enqueue(_push(name))

    # The first takes three and has not committed yet: the second skips them, takes the rest.
    async with first.unit_of_work(writes=True) as one:
        _, mine = await one.outbox.take(3, LEASE)
        async with second.unit_of_work(writes=True) as other:
            _, theirs = await other.outbox.take(100, LEASE)

    assert len(mine) == 3
    assert len(theirs) == 7
    assert not {taken.id for taken in mine} & {taken.id for taken in theirs}
    async with second.unit_of_work(writes=True) as services:
        assert (await services.outbox.take(100, LEASE))[1] == []
