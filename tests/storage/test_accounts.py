from datetime import timedelta

import pytest
from sqlalchemy import text

from server.auth import RepositoryName
from server.composition import AppState
from server.errors import (
    AccountInactive,
    AuthenticationFailed,
    NotFound,
    UserExists,
)
from server.http.credentials import BasicCredential
from server.services.accounts import DatabaseAccountService

pytestmark = pytest.mark.anyio


async def _register(state: AppState, username: str, email: str, password: str = "password1"):
    async with state.unit_of_work(writes=True) as services:
        return await services.accounts.register(username, password, email)


async def _identify(state: AppState, username: str, password: str, *, writes: bool = False):
    async with state.unit_of_work(writes=writes) as services:
        return await services.identify(BasicCredential(username, password), "192.0.2.1")


async def test_an_account_is_inactive_until_its_code_is_confirmed(state: AppState):
    confirmation = await _register(state, "alice", "Alice@Example.com")
    assert confirmation is not None
    assert confirmation.address == "alice@example.com"
    with pytest.raises(AccountInactive):
        await _identify(state, "alice", "password1")
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.confirm(confirmation.code)
    account = await _identify(state, "alice", "password1")
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


async def _taken(state: AppState, username: str, email: str) -> bool:
    async with state.unit_of_work(writes=True) as services:
        return await services.accounts.taken(username, email)


@pytest.mark.parametrize(
    ("username", "email", "taken"),
    [
        pytest.param("alice", "", True, id="username, empty email"),
        pytest.param("Alice", "", False, id="username in another case"),
        pytest.param("bobby", "Second@Example.COM", True, id="added email in another case"),
        pytest.param("", "alice@example.com", True, id="email, empty username"),
        pytest.param("bobby", "bob@example.com", False, id="neither"),
        pytest.param("alice\x00", "x\x00", False, id="NUL in both"),
        pytest.param("alice", "x\x00", True, id="username, NUL in the email"),
        pytest.param("bob\x00", "alice@example.com", True, id="NUL in the username, email"),
    ],
)
async def test_a_username_or_any_email_of_an_account_is_taken(
    state: AppState, username: str, email: str, taken: bool
):
    await _register(state, "alice", "alice@example.com")
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.update("alice", email="second@example.com", password=None)

    assert await _taken(state, username, email) is taken


async def test_a_registration_after_the_lookup_in_the_same_unit_creates_the_account(
    state: AppState,
):
    """The lookup's transaction ends before argon2 runs (on SQLite it holds the write lock)."""
    async with state.unit_of_work(writes=True) as services:
        assert not await services.accounts.taken("alice", "alice@example.com")
        await services.accounts.register("alice", "password1", "alice@example.com")
    assert await _taken(state, "alice", "")


async def test_a_wrong_password_and_an_unknown_user_fail_alike(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.create("alice", "alice@example.com", "password1", admin=True)
    with pytest.raises(AuthenticationFailed) as wrong:
        await _identify(state, "alice", "password2")
    with pytest.raises(AuthenticationFailed) as unknown:
        await _identify(state, "nobody", "password1")
    assert wrong.value.message == unknown.value.message
    assert (await _identify(state, "alice", "password1")).is_admin


async def test_the_password_is_stored_as_an_argon2id_hash(state: AppState):
    await _register(state, "alice", "alice@example.com", password="a-secret-password")
    async with state.database.unit_of_work(writes=False) as session:
        stored = (await session.execute(text("SELECT password_hash FROM users"))).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "a-secret-password" not in stored


async def _failures(state: AppState, username: str) -> int:
    async with state.database.unit_of_work(writes=False) as session:
        query = text("SELECT count(*) FROM login_failures WHERE username = :username")
        return (await session.execute(query, {"username": username})).scalar_one()


@pytest.mark.parametrize("writes", [False, True], ids=["reading", "writing"])
async def test_a_login_in_the_request_unit_counts_and_clears_failures(
    state: AppState, writes: bool, monkeypatch: pytest.MonkeyPatch
):
    """In a writing unit too: it must end its transaction before argon2 runs and before the
    failures are written in units of their own (on SQLite, a held write lock would make those
    wait out the busy timeout and fail)."""
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.create("alice", "alice@example.com", "password1", admin=False)
    verified = 0
    real = state.passwords._verify

    def counting(password_hash, password):
        nonlocal verified
        verified += 1
        return real(password_hash, password)

    monkeypatch.setattr(state.passwords, "_verify", counting)
    with pytest.raises(AuthenticationFailed):
        await _identify(state, "alice", "password2", writes=writes)
    assert await _failures(state, "alice") == 1
    assert (await _identify(state, "alice", "password1", writes=writes)).username == "alice"
    assert (await _failures(state, "alice"), verified) == (0, 2)
    # Remembered now: no argon2, whether or not there are failures to clear.
    assert (await _identify(state, "alice", "password1", writes=writes)).username == "alice"
    with pytest.raises(AuthenticationFailed):
        await _identify(state, "alice", "password2", writes=writes)
    assert (await _identify(state, "alice", "password1", writes=writes)).username == "alice"
    assert (await _failures(state, "alice"), verified) == (0, 3)


async def test_the_request_unit_writes_after_a_login_by_a_remembered_password(state: AppState):
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.create("alice", "alice@example.com", "password1", admin=False)
    for name in ("first", "second"):  # verified by argon2, then remembered
        async with state.unit_of_work(writes=True) as services:
            await services.identify(BasicCredential("alice", "password1"), "192.0.2.1")
            await services.repositories.create(RepositoryName("alice", name), [])
    async with state.unit_of_work(writes=False) as services:
        assert await services.repositories.exists(RepositoryName("alice", "first"))
        assert await services.repositories.exists(RepositoryName("alice", "second"))
