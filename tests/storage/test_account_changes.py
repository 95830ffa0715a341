"""Limits on account changes (registrations and new addresses per client address, addresses per
account), and unconfirmed addresses that stop blocking others once their code expired; on
SQLite and on PostgreSQL."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from starlette.requests import Request

from generated import models
from server.composition import AppState, Services
from server.errors import Conflict, Overloaded, TooManyAccountChanges, UserExists
from server.handlers import users
from server.handlers.call import Call
from server.services.account_changes import AccountChangeLimits, RecentRefusals
from server.services.accounts import DatabaseAccountService
from server.services.passwords import HashPlace
from server.storage.tables import AccountChange, EmailConfirmation

pytestmark = pytest.mark.anyio

ADDRESS = "192.0.2.7"


def _limits(session, limit: int, window: timedelta = timedelta(hours=1)) -> AccountChangeLimits:
    return AccountChangeLimits(
        session, per_address={"registration": limit, "email": limit}, window=window
    )


async def _admit(state: AppState, limit: int, address: str = ADDRESS, kind: str = "registration"):
    async with state.database.unit_of_work(writes=True) as session:
        await _limits(session, limit).admit(kind, address)  # type: ignore[arg-type]


async def test_an_address_may_make_its_limit_of_each_kind_then_waits(state: AppState):
    for _ in range(3):
        await _admit(state, 3)
    with pytest.raises(TooManyAccountChanges) as refused:
        await _admit(state, 3)
    assert 3590 <= refused.value.retry_after_seconds <= 3601
    await _admit(state, 3, kind="email")  # each kind counts on its own
    await _admit(state, 3, address="192.0.2.8")  # and each address


async def test_changes_leave_the_window(state: AppState):
    async with state.database.unit_of_work(writes=True) as session:
        await _limits(session, 1, timedelta(seconds=1)).admit("registration", ADDRESS)
    await asyncio.sleep(1.1)
    async with state.database.unit_of_work(writes=True) as session:
        await _limits(session, 1, timedelta(seconds=1)).admit("registration", ADDRESS)


async def test_concurrent_admissions_of_one_address_stay_within_the_limit(state: AppState):
    outcomes = await asyncio.gather(*(_admit(state, 4) for _ in range(12)), return_exceptions=True)
    refused = [o for o in outcomes if isinstance(o, TooManyAccountChanges)]
    assert (len(outcomes) - len(refused), len(refused)) == (4, 8), outcomes


async def _expire_codes(state: AppState) -> None:
    async with state.database.unit_of_work(writes=True) as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(EmailConfirmation).values(expires_at=past))


async def _register(state: AppState, username: str, email: str):
    async with state.unit_of_work(writes=True) as services:
        if await services.accounts.taken(username, email):
            raise UserExists()
        return await services.accounts.register(username, "password1", email)


async def test_an_unconfirmed_address_blocks_others_until_its_code_expires(state: AppState):
    await _register(state, "squatter", "victim@example.com")
    with pytest.raises(UserExists):
        await _register(state, "victim", "victim@example.com")
    await _expire_codes(state)

    confirmation = await _register(state, "victim", "Victim@example.com")

    assert confirmation is not None
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.confirm(confirmation.code)
        assert await services.accounts.taken("someone", "victim@example.com")
    with pytest.raises(UserExists):  # the squatter's name stays taken: only the address went
        await _register(state, "squatter", "other@example.com")


async def test_a_confirmed_address_never_expires(state: AppState):
    confirmation = await _register(state, "owner", "owner@example.com")
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.confirm(confirmation.code)
    await _expire_codes(state)
    with pytest.raises(UserExists):
        await _register(state, "another", "owner@example.com")


async def _accounts(session, state: AppState, most: int) -> DatabaseAccountService:
    return DatabaseAccountService(
        session,
        state.passwords,
        confirmation_required=True,
        confirmation_ttl=timedelta(days=1),
        emails_per_account=most,
    )


async def test_an_account_has_its_limit_of_addresses_and_expired_ones_do_not_count(
    state: AppState,
):
    await _register(state, "collector", "first@example.com")
    for n in range(2):
        async with state.database.unit_of_work(writes=True) as session:
            accounts = await _accounts(session, state, 3)
            await accounts.update("collector", email=f"more{n}@example.com", password=None)
    async with state.database.unit_of_work(writes=True) as session:
        accounts = await _accounts(session, state, 3)
        with pytest.raises(Conflict, match="3 addresses at most"):
            await accounts.update("collector", email="one-too-many@example.com", password=None)
    await _expire_codes(state)

    async with state.database.unit_of_work(writes=True) as session:
        accounts = await _accounts(session, state, 3)
        confirmation = await accounts.update("collector", email="fresh@example.com", password=None)
    assert confirmation is not None


async def test_a_refusal_is_remembered_and_answered_again_without_the_database(state: AppState):
    refusals = RecentRefusals()
    async with state.database.unit_of_work(writes=True) as session:
        await _limits(session, 1).admit("registration", ADDRESS)
    async with state.database.unit_of_work(writes=True) as session:
        limits = AccountChangeLimits(
            session,
            per_address={"registration": 1, "email": 1},
            window=timedelta(hours=1),
            refusals=refusals,
        )
        with pytest.raises(TooManyAccountChanges):
            await limits.admit("registration", ADDRESS)

    with pytest.raises(TooManyAccountChanges) as again:
        refusals.check("registration", ADDRESS)
    assert 3590 <= again.value.retry_after_seconds <= 3601
    refusals.check("email", ADDRESS)  # only what was refused
    refusals.check("registration", "192.0.2.8")


def test_a_remembered_refusal_ends_when_the_oldest_change_leaves_the_window():
    now = [100.0]
    refusals = RecentRefusals(max_entries=2, clock=lambda: now[0])
    refusals.note("registration", ADDRESS, 2.5)
    with pytest.raises(TooManyAccountChanges) as refused:
        refusals.check("registration", ADDRESS)
    assert refused.value.retry_after_seconds == 3
    now[0] += 2.5
    refusals.check("registration", ADDRESS)  # the database decides again
    for n in range(3):  # bounded: the oldest noted is forgotten first
        refusals.note("email", f"192.0.2.{n}", 60)
    refusals.check("email", "192.0.2.0")
    with pytest.raises(TooManyAccountChanges):
        refusals.check("email", "192.0.2.2")


async def test_a_registration_refused_for_busy_hashing_is_refused_before_it_is_counted(
    state: AppState,
):
    held = await _every_place(state)
    try:
        async with state.unit_of_work(writes=True) as services:
            with pytest.raises(Overloaded):
                await users.register(_call(state, services), body=_registration("newcomer"))
        async with state.database.unit_of_work(writes=False) as session:
            counted = await session.scalar(select(func.count()).select_from(AccountChange))
        assert counted == 0
    finally:
        for place in held:
            state.passwords.give_back(place)


async def _every_place(state: AppState) -> list[HashPlace]:
    """Every place among the hashes, kept (the next one is refused after its wait)."""
    held = []
    while True:
        try:
            held.append(await state.passwords.place())
        except Overloaded:
            return held


def _registration(username: str) -> models.Registration:
    return models.Registration.model_validate(
        {"username": username, "password": "password1", "email": f"{username}@example.com"}
    )


def _call(state: AppState, services: Services) -> Call:
    request = Request({"type": "http", "client": (ADDRESS, 50000), "headers": []})
    return Call(request=request, identity=None, services=services, settings=state.settings)
