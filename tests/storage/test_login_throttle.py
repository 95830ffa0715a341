"""LoginThrottle over a real database: what counts against a login, and where.

Addresses: A is where alice logged in (known to her), B a stranger's, C one alice never used.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from server.composition import AppState
from server.errors import TooManyFailedLogins
from server.services.guesses import InFlight
from server.services.logins import LoginAttempt, LoginThrottle
from server.storage.tables import KnownLoginAddress, LoginFailure, User

pytestmark = pytest.mark.anyio

WINDOW = timedelta(seconds=60)
KNOWN_FOR = timedelta(days=30)
A, B, C = "192.0.2.1", "198.51.100.2", "203.0.113.3"


def _throttle(
    session, *, per_account: int = 100, per_address: int = 100, known_for: timedelta = KNOWN_FOR
) -> LoginThrottle:
    return LoginThrottle(
        session,
        per_account=per_account,
        per_address=per_address,
        window=WINDOW,
        known_for=known_for,
    )


async def _fail(state: AppState, *attempts: tuple[str, str]) -> None:
    async with state.database.unit_of_work(writes=True) as session:
        for username, address in attempts:
            await _throttle(session).record_failure(username, address)


async def _attempt(state: AppState, username: str, address: str, **limits) -> LoginAttempt:
    async with state.database.unit_of_work(writes=False) as session:
        throttle = _throttle(session, **limits)
        attempt = await throttle.attempt(username, address)
    throttle.enforce(attempt)
    return attempt


async def _refused(state: AppState, username: str, address: str, **limits) -> int:
    """The Retry-After seconds of a refused attempt (it fails the test if not refused)."""
    with pytest.raises(TooManyFailedLogins) as refused:
        await _attempt(state, username, address, **limits)
    assert 1 <= refused.value.retry_after_seconds <= WINDOW.total_seconds()
    return refused.value.retry_after_seconds


async def _alice_known_at(state: AppState, address: str) -> str:
    """alice's account, having logged in from ``address``; her password hash."""
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.create("alice", "alice@example.com", "password1", admin=False)
    async with state.database.unit_of_work(writes=True) as session:
        password_hash = await session.scalar(select(User.password_hash))
        await _throttle(session).record_success("alice", address, password_hash)
    return password_hash


async def _failures_left(state: AppState) -> list[tuple[str, str]]:
    async with state.database.unit_of_work(writes=False) as session:
        rows = await session.execute(
            text("SELECT username, address FROM login_failures ORDER BY username, address")
        )
        return [tuple(row) for row in rows]


async def test_an_unknown_address_counts_the_account_s_failures_and_its_own(state: AppState):
    await _fail(state, ("alice", A), ("alice", A), ("alice", B), ("bob", A), ("carol", C))
    # At a limit, whichever it is: alice's 3 failures, or the 3 from A.
    await _refused(state, "alice", C, per_account=3)
    await _refused(state, "dave", A, per_address=3)
    await _attempt(state, "alice", A, per_account=4, per_address=4)
    await _attempt(state, "alice", A, per_account=0, per_address=0)  # 0: no limit


async def test_a_known_address_counts_only_its_own_failures_at_the_account(state: AppState):
    await _alice_known_at(state, A)
    # A stranger at B: alice's limit, and the limit of address A, by guesses at other accounts.
    await _fail(state, *[("alice", B)] * 3, ("bob", A), ("carol", A), ("dave", A))
    await _refused(state, "alice", C, per_account=3)
    await _refused(state, "erin", A, per_address=3)  # A is known to alice alone
    await _attempt(state, "alice", A, per_account=3, per_address=3)

    await _fail(state, *[("alice", A)] * 2)
    await _attempt(state, "alice", A, per_account=3, per_address=3)
    await _fail(state, ("alice", A))
    await _refused(state, "alice", A, per_account=3, per_address=100)
    await _attempt(state, "alice", A, per_account=0, per_address=1)


async def test_a_password_change_makes_the_address_unknown(state: AppState):
    await _alice_known_at(state, A)
    await _fail(state, *[("alice", B)] * 3)
    await _attempt(state, "alice", A, per_account=3)
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.update("alice", email=None, password="password2")
    await _refused(state, "alice", A, per_account=3)


async def test_an_address_stays_known_for_a_while_after_its_last_login(state: AppState):
    await _alice_known_at(state, A)
    await _fail(state, *[("alice", B)] * 3)
    await _attempt(state, "alice", A, per_account=3, known_for=timedelta(hours=1))
    async with state.database.unit_of_work(writes=True) as session:
        await session.execute(
            update(KnownLoginAddress).values(last_success_at=datetime.now(UTC) - KNOWN_FOR / 2)
        )
    await _attempt(state, "alice", A, per_account=3)
    await _refused(state, "alice", A, per_account=3, known_for=KNOWN_FOR / 3)
    await _refused(state, "alice", A, per_account=3, known_for=timedelta(0))  # 0: none is known


async def test_a_correct_password_clears_the_failures_of_its_pair_only(state: AppState):
    password_hash = await _alice_known_at(state, A)
    await _fail(state, ("alice", A), ("alice", B), ("bob", A), ("alice", A))
    async with state.database.unit_of_work(writes=True) as session:
        await _throttle(session).record_success("alice", A, password_hash)
    assert await _failures_left(state) == [("alice", B), ("bob", A)]


async def test_what_a_correct_password_must_write(state: AppState):
    password_hash = await _alice_known_at(state, A)
    assert not (await _attempt(state, "alice", A)).success_to_record
    assert (await _attempt(state, "alice", C)).success_to_record  # to be known
    assert not (await _attempt(state, "alice", C, known_for=timedelta(0))).success_to_record
    async with state.database.unit_of_work(writes=True) as session:
        await session.execute(
            update(KnownLoginAddress).values(last_success_at=datetime.now(UTC) - KNOWN_FOR / 20)
        )
    assert (await _attempt(state, "alice", A)).success_to_record  # to stay known
    async with state.database.unit_of_work(writes=True) as session:
        await _throttle(session).record_success("alice", A, password_hash)
    assert not (await _attempt(state, "alice", A)).success_to_record
    await _fail(state, ("alice", A))
    assert (await _attempt(state, "alice", A)).success_to_record  # a failure to clear
    assert (await _attempt(state, "alice", A, known_for=timedelta(0))).success_to_record


async def test_an_attempt_is_quiet_without_failures_of_its_account_or_address(state: AppState):
    assert (await _attempt(state, "alice", A)).quiet
    await _fail(state, ("bob", C))
    assert (await _attempt(state, "alice", A)).quiet
    assert not (await _attempt(state, "bob", A)).quiet
    assert not (await _attempt(state, "alice", C)).quiet


async def test_recording_an_address_drops_those_known_too_long_ago(state: AppState):
    password_hash = await _alice_known_at(state, A)
    async with state.database.unit_of_work(writes=True) as session:
        session.add(
            KnownLoginAddress(
                username="alice",
                address=B,
                password_digest="0" * 64,
                last_success_at=datetime.now(UTC) - KNOWN_FOR - timedelta(minutes=1),
            )
        )
    async with state.database.unit_of_work(writes=True) as session:
        await _throttle(session).record_success("alice", C, password_hash)
    async with state.database.unit_of_work(writes=False) as session:
        known = await session.execute(select(KnownLoginAddress.address).order_by("address"))
        assert known.scalars().all() == [A, C]


async def test_only_failures_within_the_window_count(state: AppState):
    long_ago = datetime.now(UTC) - 2 * WINDOW
    async with state.database.unit_of_work(writes=True) as session:
        session.add_all(
            LoginFailure(username="alice", address=A, failed_at=long_ago) for _ in range(2)
        )
    await _fail(state, ("alice", A))
    await _attempt(state, "alice", A, per_account=2, per_address=2)


async def test_the_retry_after_counts_from_the_oldest_failure_that_refuses(state: AppState):
    async with state.database.unit_of_work(writes=True) as session:
        session.add_all(
            LoginFailure(
                username=username,
                address=address,
                failed_at=datetime.now(UTC) - WINDOW + timedelta(seconds=seconds),
            )
            for username, address, seconds in (("alice", B, 10), ("bob", A, 30), ("alice", A, 40))
        )
    assert 9 <= await _refused(state, "alice", C, per_account=2) <= 11
    assert 29 <= await _refused(state, "carol", A, per_address=2) <= 31
    # Both limits reached: refused until neither is.
    assert 29 <= await _refused(state, "alice", A, per_account=2, per_address=2) <= 31


async def test_recording_a_failure_drops_those_past_the_window(state: AppState):
    async with state.database.unit_of_work(writes=True) as session:
        long_ago = datetime(2000, 1, 1, tzinfo=UTC)
        session.add(LoginFailure(username="alice", address=A, failed_at=long_ago))
    await _fail(state, ("bob", B))
    assert await _failures_left(state) == [("bob", B)]


async def test_what_a_client_sends_is_cut_to_the_columns_lengths(state: AppState):
    name, address = "x" * 300, "2001:db8::" + "f" * 100
    await _fail(state, (name, address), (name, address))
    await _refused(state, name, address, per_account=2)
    await _refused(state, "other", address, per_address=2)


async def test_guesses_in_flight_count_with_the_failures(state: AppState):
    await _alice_known_at(state, A)
    await _fail(state, ("alice", B), ("bob", B))
    async with state.database.unit_of_work(writes=False) as session:
        throttle = _throttle(session, per_account=3, per_address=4)
        at_b, at_a = [await throttle.attempt("alice", address) for address in (B, A)]
    throttle.enforce(at_b, InFlight(1, 1, 9))
    with pytest.raises(TooManyFailedLogins) as by_account:
        throttle.enforce(at_b, InFlight(2, 0, 0))
    with pytest.raises(TooManyFailedLogins) as by_address:
        throttle.enforce(at_b, InFlight(0, 2, 0))
    # Until the guesses in flight are failures, and their count is read.
    assert by_account.value.retry_after_seconds == by_address.value.retry_after_seconds == 1
    throttle.enforce(at_a, InFlight(9, 9, 2))  # known: only the pair counts
    with pytest.raises(TooManyFailedLogins):
        throttle.enforce(at_a, InFlight(0, 0, 3))
