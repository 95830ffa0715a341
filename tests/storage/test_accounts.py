from datetime import timedelta

import pytest

from server.errors import AccountInactive, AuthenticationFailed, NotFound, UserExists
from server.services.accounts import DatabaseAccountService
from server.state import AppState

pytestmark = pytest.mark.anyio


async def _register(state: AppState, username: str, email: str, password: str = "password1"):
    async with state.unit_of_work(writes=True) as services:
        return await services.accounts.register(username, password, email)


async def test_an_account_is_inactive_until_its_code_is_confirmed(state: AppState):
    confirmation = await _register(state, "alice", "Alice@Example.com")
    assert confirmation is not None
    assert confirmation.address == "alice@example.com"
    async with state.unit_of_work(writes=False) as services:
        with pytest.raises(AccountInactive):
            await services.accounts.authenticate("alice", "password1")
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.confirm(confirmation.code)
    async with state.unit_of_work(writes=False) as services:
        account = await services.accounts.authenticate("alice", "password1")
    assert (account.username, account.is_admin) == ("alice", False)


async def test_a_code_works_once(state: AppState):
    confirmation = await _register(state, "alice", "alice@example.com")
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.confirm(confirmation.code)
    async with state.unit_of_work(writes=True) as services:
        with pytest.raises(NotFound):
            await services.accounts.confirm(confirmation.code)


async def test_an_expired_code_is_refused(state: AppState):
    async with state.database.unit_of_work(writes=True) as session:
        accounts = DatabaseAccountService(
            session,
            state.passwords,
            confirmation_required=True,
            confirmation_ttl=timedelta(seconds=-1),
        )
        confirmation = await accounts.register("alice", "password1", "alice@example.com")
    async with state.unit_of_work(writes=True) as services:
        with pytest.raises(NotFound):
            await services.accounts.confirm(confirmation.code)


@pytest.mark.parametrize(
    ("username", "email"), [("alice", "other@example.com"), ("bob_", "ALICE@example.com")]
)
async def test_usernames_and_every_email_are_unique(state: AppState, username: str, email: str):
    await _register(state, "alice", "alice@example.com")
    with pytest.raises(UserExists):
        await _register(state, username, email)


async def test_an_added_email_is_taken_too_and_the_old_one_stays(state: AppState):
    await _register(state, "alice", "alice@example.com")
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.update("alice", email="second@example.com", password=None)
    for taken in ("alice@example.com", "second@example.com"):
        with pytest.raises(UserExists):
            await _register(state, "bobby", taken)


async def test_a_wrong_password_and_an_unknown_user_fail_alike(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.create("alice", "alice@example.com", "password1", admin=True)
    async with state.unit_of_work(writes=False) as services:
        with pytest.raises(AuthenticationFailed) as wrong:
            await services.accounts.authenticate("alice", "password2")
        with pytest.raises(AuthenticationFailed) as unknown:
            await services.accounts.authenticate("nobody", "password1")
        assert wrong.value.message == unknown.value.message
        assert (await services.accounts.authenticate("alice", "password1")).is_admin


async def test_the_password_is_stored_as_an_argon2id_hash(state: AppState):
    await _register(state, "alice", "alice@example.com", password="a-secret-password")
    async with state.database.unit_of_work(writes=False) as session:
        from sqlalchemy import text

        stored = (await session.execute(text("SELECT password_hash FROM users"))).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "a-secret-password" not in stored
