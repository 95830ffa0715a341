"""What tokens depend on, as the database holds it: the holder's standing and the repository
instance read in one statement, and the tombstone a delete leaves. Both backends."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from server.auth import Access, RepositoryName
from server.composition import AppState
from server.errors import AccountInactive, AuthenticationFailed, NotFound
from server.http.credentials import parse_token
from server.services.repositories import ImageRecord

pytestmark = pytest.mark.anyio

A, B = ("a" * 64, "b" * 64)
REPO = RepositoryName("holder", "app")
LATER = timedelta(hours=1)


async def _account(state: AppState, username: str = "holder") -> int:
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.create(
            username, f"{username}@example.com", "pass-word-1", admin=False
        )
    async with state.unit_of_work(writes=False) as services:
        select = text("SELECT id FROM users WHERE username = :username")
        return (await services._session.execute(select, {"username": username})).scalar_one()


async def _create(state: AppState, images: list[ImageRecord] | None = None) -> int:
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, images or [])
        instance = await services.repositories.instance(REPO)
    assert instance is not None
    assert instance > 0
    return instance


async def _issue(state: AppState, access: Access, holder: int | None, **kwargs) -> str:
    async with state.unit_of_work(writes=False) as services:
        return str(await services.tokens.issue(REPO, access, holder, **kwargs))


async def _verify(state: AppState, token: str):
    async with state.unit_of_work(writes=False) as services:
        return await services.tokens.verify(parse_token(token))


async def test_a_repository_created_again_is_another_instance(state: AppState):
    first = await _create(state)
    async with state.unit_of_work(writes=True) as services:
        assert await services.repositories.delete(REPO) == first
    second = await _create(state)
    assert second != first
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(REPO, [ImageRecord(A)])  # created again: kept
        assert await services.repositories.instance(REPO) == second


async def test_the_standing_reads_holder_and_instance_together(state: AppState):
    holder = await _account(state)
    instance = await _create(state)
    async with state.unit_of_work(writes=False) as services:
        standing = await services.tokens.standing(REPO, holder)
        assert standing.instance == instance
        assert standing.stamp is not None
        anonymous = await services.tokens.standing(REPO, 0)
        assert anonymous[:2] == (instance, "-")
        nobody = await services.tokens.standing(RepositoryName("holder", "none"), 999_999)
        assert nobody[:2] == (None, None)


async def test_a_token_stops_with_a_password_change_and_a_disabled_holder(state: AppState):
    holder = await _account(state)
    await _create(state)
    token = await _issue(state, Access.WRITE, holder)
    assert (await _verify(state, token)).holder == holder

    async with state.unit_of_work(writes=True) as services:
        await services.accounts.set_active("holder", False)
    with pytest.raises(AccountInactive):
        await _verify(state, token)
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.set_active("holder", True)
    assert (await _verify(state, token)).holder == holder

    async with state.unit_of_work(writes=True) as services:
        await services.accounts.set_password("holder", "another-pass-word")
    with pytest.raises(AuthenticationFailed, match="password changed"):
        await _verify(state, token)


async def test_a_token_does_not_verify_for_a_later_instance(state: AppState):
    await _create(state)
    token = await _issue(state, Access.READ, None)
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.delete(REPO)
    with pytest.raises(NotFound):
        await _verify(state, token)
    await _create(state)
    with pytest.raises(AuthenticationFailed, match="earlier repository"):
        await _verify(state, token)


async def test_a_delete_leaves_a_tombstone_that_only_its_delete_token_reads(state: AppState):
    holder = await _account(state)
    await _create(state, [ImageRecord(A, "sha256:a"), ImageRecord(B)])
    until = datetime.now(UTC) + LATER
    async with state.unit_of_work(writes=True) as services:
        instance = await services.repositories.delete(REPO, tombstone_until=until)
    token = await _issue(state, Access.DELETE, holder, instance=instance)
    grant = await _verify(state, token)
    assert grant.deleted
    assert grant.instance == instance
    async with state.unit_of_work(writes=False) as services:
        listed = json.loads(await services.repositories.tombstone_json(REPO, instance))
    assert listed == [{"id": A, "checksum": "sha256:a"}, {"id": B}]
    # A write token of the same instance does not read it.
    write = await _issue(state, Access.WRITE, holder, instance=instance)
    with pytest.raises(NotFound):
        await _verify(state, write)


async def test_an_expired_tombstone_is_not_read_and_the_next_delete_removes_it(state: AppState):
    await _create(state)
    async with state.unit_of_work(writes=True) as services:
        gone = await services.repositories.delete(REPO, tombstone_until=datetime.now(UTC))
    async with state.unit_of_work(writes=False) as services:
        with pytest.raises(NotFound):
            await services.repositories.tombstone_json(REPO, gone)
    await _create(state)
    async with state.unit_of_work(writes=True) as services:
        kept = await services.repositories.delete(REPO, tombstone_until=datetime.now(UTC) + LATER)
    async with state.unit_of_work(writes=False) as services:
        # The rows themselves: the expired one is gone.
        select = text("SELECT instance FROM repository_tombstones")
        rows = (await services._session.execute(select)).all()
    assert [row[0] for row in rows] == [kept]


async def test_whether_any_repository_lists_an_image(state: AppState):
    await _create(state, [ImageRecord(A)])
    async with state.unit_of_work(writes=False) as services:
        assert await services.repositories.lists_image(A)
        assert not await services.repositories.lists_image(B)
