from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from server.auth import RepositoryName
from server.credentials import BasicCredential
from server.errors import (
    AccountInactive,
    AuthenticationFailed,
    NotFound,
    TooManyFailedLogins,
    UserExists,
)
from server.services.accounts import DatabaseAccountService
from server.services.logins import LoginThrottle
from server.state import AppState
from server.storage.tables import LoginFailure

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


WINDOW = timedelta(seconds=60)


def _throttle(session, *, per_account: int = 100, per_address: int = 100) -> LoginThrottle:
    return LoginThrottle(session, per_account=per_account, per_address=per_address, window=WINDOW)


async def _fail(state: AppState, *attempts: tuple[str, str]) -> None:
    async with state.database.unit_of_work(writes=True) as session:
        for username, address in attempts:
            await _throttle(session).record_failure(username, address)


async def test_failures_are_counted_per_account_and_per_address(state: AppState):
    await _fail(
        state,
        ("alice", "192.0.2.1"),
        ("alice", "192.0.2.1"),
        ("alice", "192.0.2.2"),
        ("bob", "192.0.2.1"),
        ("carol", "192.0.2.3"),
    )
    async with state.database.unit_of_work(writes=False) as session:
        assert await _throttle(session).check("alice", "192.0.2.9") == 3
        assert await _throttle(session).check("bob", "192.0.2.3") == 1
        assert await _throttle(session).check("dave", "192.0.2.1") == 0
        # At a limit, whichever it is: alice's 3 failures, or the 3 from 192.0.2.1.
        with pytest.raises(TooManyFailedLogins) as by_account:
            await _throttle(session, per_account=3).check("alice", "192.0.2.9")
        with pytest.raises(TooManyFailedLogins) as by_address:
            await _throttle(session, per_address=3).check("dave", "192.0.2.1")
        await _throttle(session, per_account=4, per_address=4).check("alice", "192.0.2.1")
        await _throttle(session, per_account=0, per_address=0).check("alice", "192.0.2.1")
    for refused in (by_account.value, by_address.value):
        assert 1 <= refused.retry_after_seconds <= WINDOW.total_seconds()


async def test_only_failures_within_the_window_count(state: AppState):
    long_ago = datetime.now(UTC) - 2 * WINDOW
    async with state.database.unit_of_work(writes=True) as session:
        session.add_all(
            LoginFailure(username="alice", address="192.0.2.1", failed_at=long_ago)
            for _ in range(3)
        )
    await _fail(state, ("alice", "192.0.2.1"))
    async with state.database.unit_of_work(writes=False) as session:
        assert (
            await _throttle(session, per_account=2, per_address=2).check("alice", "192.0.2.1") == 1
        )


async def test_the_retry_after_counts_from_the_oldest_failure_in_the_window(state: AppState):
    async with state.database.unit_of_work(writes=True) as session:
        session.add_all(
            LoginFailure(
                username="alice",
                address="192.0.2.1",
                failed_at=datetime.now(UTC) - WINDOW + timedelta(seconds=seconds),
            )
            for seconds in (10, 30)
        )
    async with state.database.unit_of_work(writes=False) as session:
        with pytest.raises(TooManyFailedLogins) as refused:
            await _throttle(session, per_account=2).check("alice", "192.0.2.7")
    assert 9 <= refused.value.retry_after_seconds <= 11


async def test_forgetting_clears_the_account_but_not_its_address(state: AppState):
    await _fail(state, ("alice", "192.0.2.1"), ("alice", "192.0.2.1"), ("bob", "192.0.2.1"))
    async with state.database.unit_of_work(writes=True) as session:
        await _throttle(session).forget("alice")
    async with state.database.unit_of_work(writes=False) as session:
        assert await _throttle(session).check("alice", "192.0.2.2") == 0
        with pytest.raises(TooManyFailedLogins):
            await _throttle(session, per_address=1).check("alice", "192.0.2.1")
        await _throttle(session, per_address=2).check("alice", "192.0.2.1")


async def test_recording_a_failure_drops_those_past_the_window(state: AppState):
    async with state.database.unit_of_work(writes=True) as session:
        long_ago = datetime(2000, 1, 1, tzinfo=UTC)
        session.add(LoginFailure(username="alice", address="192.0.2.1", failed_at=long_ago))
    await _fail(state, ("bob", "192.0.2.2"))
    async with state.database.unit_of_work(writes=False) as session:
        left = (await session.execute(text("SELECT username FROM login_failures"))).all()
    assert left == [("bob",)]


async def _failures(state: AppState, username: str) -> int:
    async with state.database.unit_of_work(writes=False) as session:
        return await _throttle(session).check(username, "198.51.100.1")


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
