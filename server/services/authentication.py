"""Who is calling: a password checked under the login throttle, or a token verified.

The most security-critical path of the index. A password is checked by argon2 (or against this
process's memo of it) out of any transaction; wrong ones are counted and refused past the
throttle's limits, which count the guesses still being checked too (``server.services.logins``
and ``.guesses``).
"""

from collections.abc import Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

from server.auth import Identity
from server.errors import AccountInactive, AuthenticationFailed
from server.http.credentials import BasicCredential, Credential
from server.services.guesses import Guess, GuessesInFlight
from server.services.logins import LoginAttempt, LoginThrottle
from server.services.passwords import Passwords
from server.services.tokens import TokenService
from server.storage.database import DatabaseSession

T = TypeVar("T")


class _Cached(Protocol):
    def __call__(
        self,
        key: Hashable,
        compute: Callable[[], Awaitable[T]],
        *,
        keep: Callable[[T], bool] = ...,
        decides: bool = ...,
    ) -> Awaitable[T]: ...


class _UnitsOfWork(Protocol):
    def __call__(self, *, writes: bool) -> AbstractAsyncContextManager[Any]: ...


class Authentication:
    """Identifies the caller of one unit of work (one request)."""

    def __init__(
        self,
        session: DatabaseSession,
        *,
        tokens: TokenService,
        logins: LoginThrottle,
        guesses: GuessesInFlight,
        passwords: Passwords,
        cached: _Cached,
        unit_of_work: _UnitsOfWork,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._logins = logins
        self._guesses = guesses
        self._passwords = passwords
        self._cached = cached
        self._unit_of_work = unit_of_work

    async def identify(self, credential: Credential | None, address: str) -> Identity:
        """Who presented ``credential``: AuthenticationFailed or AccountInactive if no one.

        In this unit of work when the password was verified a short while ago (each call of a
        push sends it) and there is nothing to write down. Otherwise this unit's transaction is
        ended first, so that none is held open while argon2 runs. Wrong passwords are counted,
        and a correct one clears its own (account, address) failures and makes the address
        known, each in a unit of its own; TooManyFailedLogins past the limits, which count the
        guesses being checked too (server.services.logins and .guesses).
        """
        if credential is None:
            return None
        if not isinstance(credential, BasicCredential):
            grant = await self._tokens.verify(credential)
            # A disabled account's tokens stop with it, in every process at once: read in this
            # unit, or kept while the database itself tells nothing changed (decides).
            holder = grant.holder
            if holder is not None and not await self._cached(
                ("holder", holder), lambda: self._tokens.active(holder), decides=True
            ):
                raise AccountInactive()
            return grant
        username, password = credential.username, credential.password
        guess = self._guesses.begin(username, address, password)
        try:
            # Whether the password is current (its hash, which the memo of verified passwords
            # is keyed by), whether the account is active and what failures count: what the
            # database holds now, whatever another process changed a moment ago. Read in this
            # unit, or kept while the database itself tells nothing changed (decides: SQLite
            # only) and there are no failures to count (those expire with time alone).
            attempt = await self._cached(
                ("login", username, address),
                lambda: self._logins.attempt(username, address),
                keep=lambda kept: kept.quiet,
                decides=True,
            )
            self._logins.enforce(attempt, guess.others())
            guess.check()
            if attempt.success_to_record or not self._passwords.remembered(
                username, password, attempt.password_hash
            ):
                await self._check_password(username, password, address, attempt, guess)
        finally:
            guess.end()
        if not attempt.active:
            raise AccountInactive()
        assert attempt.account is not None  # a password was good: the account exists
        return attempt.account

    async def _check_password(
        self, username: str, password: str, address: str, attempt: LoginAttempt, guess: Guess
    ) -> None:
        """argon2 (or the memo of this process), out of any transaction; then the failure or
        the success written down, each in a unit of its own."""
        await self._session.rollback()
        if not await self._passwords.verify(username, attempt.password_hash, password):
            async with self._unit_of_work(writes=True) as services:
                await services.logins.record_failure(username, address)
            guess.fail()
            raise AuthenticationFailed("wrong username or password")
        # Only now, with the password checked here (by argon2, or against this process's memo
        # of it verified against this very hash), is the success written down.
        if attempt.success_to_record and attempt.password_hash is not None:
            async with self._unit_of_work(writes=True) as services:
                await services.logins.record_success(username, address, attempt.password_hash)
