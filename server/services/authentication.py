"""Who is calling: a password checked under the login throttle, a personal or organization
access token recognised by its prefix and keyed hash, or a token verified.

The most security-critical path of the index. A password is checked by argon2 (or against this
process's memo of it) out of any transaction; wrong ones are counted and refused past the
throttle's limits, which count the guesses still being checked too (``server.services.logins``
and ``.guesses``).
"""

from collections.abc import Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from server.auth import Account, Identity, OrgToken
from server.errors import AccountInactive, AuthenticationFailed
from server.http.credentials import BasicCredential, BearerCredential, Credential
from server.services.access_tokens import (
    AccessTokenService,
    due_for_touch,
    is_access_token,
    is_org_access_token,
)
from server.services.bearer import BearerTokens
from server.services.guesses import Guess, GuessesInFlight
from server.services.logins import LoginAttempt, LoginThrottle
from server.services.org_access_tokens import OrgAccessTokenService
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
        access_tokens: AccessTokenService,
        org_access_tokens: OrgAccessTokenService,
        bearer: BearerTokens,
        logins: LoginThrottle,
        guesses: GuessesInFlight,
        passwords: Passwords,
        cached: _Cached,
        unit_of_work: _UnitsOfWork,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._access_tokens = access_tokens
        self._org_access_tokens = org_access_tokens
        self._bearer = bearer
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
        if isinstance(credential, BearerCredential):
            return await self._bearer.verify(credential.token)
        if isinstance(credential, BasicCredential) and is_access_token(credential.password):
            return await self._access_token(credential.username, credential.password, address)
        if isinstance(credential, BasicCredential) and is_org_access_token(credential.password):
            return await self._org_token(credential.username, credential.password, address)
        if not isinstance(credential, BasicCredential):
            # Checked as for a write: what the database holds now (server.services.tokens).
            # Services.identify sends tokens to the token service itself.
            return await self._tokens.verify(credential)
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

    async def _access_token(self, username: str, secret: str, address: str) -> Account:
        """A personal access token given as ``username``'s password: found by its keyed hash,
        never by argon2, and never refused by the login limits (it cannot be guessed). One that
        is no token of ``username``'s is a wrong password of the client address alone, so that
        guesses of tokens cannot lock the account out."""
        found = await self._access_tokens.presented(secret)
        if found is None or found.username != username:
            await self._wrong_token(address)
        assert found is not None
        record, now = found.record, datetime.now(UTC)
        _check_usable(record, now)
        if not found.user_active:
            raise AccountInactive()
        if due_for_touch(record, now):
            await self._session.rollback()
            async with self._unit_of_work(writes=True) as services:
                await services.access_tokens.touch(found.id, now)
        return Account(found.user_id, username, found.is_admin, record.scope, record.uuid)

    async def _org_token(self, org_name: str, secret: str, address: str) -> OrgToken:
        """An organization access token given as its organization's password: as a personal
        one (:meth:`_access_token`), never refused by the login limits, and one that is no
        token of ``org_name``'s counts against the client address alone."""
        found = await self._org_access_tokens.presented(secret)
        if found is None or found.organization != org_name:
            await self._wrong_token(address)
        assert found is not None
        record, now = found.record, datetime.now(UTC)
        _check_usable(record, now)
        if due_for_touch(record, now):
            await self._session.rollback()
            async with self._unit_of_work(writes=True) as services:
                await services.org_access_tokens.touch(record.id, now)
        return OrgToken(org_name, record.uuid)

    async def _wrong_token(self, address: str) -> None:
        """A wrong access token: a failure of the client address alone."""
        await self._session.rollback()
        async with self._unit_of_work(writes=True) as services:
            await services.logins.record_address_failure(address)
        raise AuthenticationFailed("wrong username or password")

    async def _check_password(
        self, username: str, password: str, address: str, attempt: LoginAttempt, guess: Guess
    ) -> None:
        """argon2 (or the memo of this process), out of any transaction; then the failure or
        the success written down, each in a unit of its own."""
        await self._session.rollback()
        if not await self._passwords.verify(username, attempt.password_hash, password):
            async with self._unit_of_work(writes=True) as services:
                await services.logins.record_failure(username, address)
                if attempt.account is not None:  # bounded per window: AuditLog's
                    await services.audit.record_failed_login(
                        attempt.account.username, address=address, window=services.logins.window
                    )
            guess.fail()
            raise AuthenticationFailed("wrong username or password")
        # Only now, with the password checked here (by argon2, or against this process's memo
        # of it verified against this very hash), is the success written down.
        if attempt.success_to_record and attempt.password_hash is not None:
            async with self._unit_of_work(writes=True) as services:
                await services.logins.record_success(username, address, attempt.password_hash)


def _check_usable(record: Any, now: datetime) -> None:
    """Raise unless an access token (personal or an organization's) is active and unexpired."""
    if not record.is_active:
        raise AuthenticationFailed("the access token is inactive")
    if record.expired(now):
        raise AuthenticationFailed("the access token has expired")
