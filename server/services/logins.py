"""Logins: the account a username names, and a limit on failed logins per account and address.

Failures are kept in the database, so every process serving it counts them together; they
expire after the window, so an owner is never locked out for longer than that.

A Docker client sends its password with every call of a push, so a login reads both failure
counts and the account in one statement, built once and, on SQLite, run as a prepared
statement (server.storage.prepared).
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select

from server.auth import Account
from server.errors import TooManyFailedLogins
from server.storage.database import DatabaseSession
from server.storage.prepared import prepared
from server.storage.tables import LoginFailure, User

_failures = LoginFailure.__table__
_users = User.__table__
_by_account = _failures.c.username == bindparam("username")
_by_address = _failures.c.address == bindparam("address")

# The failures since :since of the account and of the address: how many, and the oldest.
_RECENT = select(
    func.count().filter(_by_account),
    func.min(_failures.c.failed_at).filter(_by_account),
    func.count().filter(_by_address),
    func.min(_failures.c.failed_at).filter(_by_address),
).where(_failures.c.failed_at > bindparam("since"), or_(_by_account, _by_address))
_recent = _RECENT.subquery("recent")
# The same, and the account of :username: one row, whose account columns are NULL if none.
_ATTEMPT = prepared(
    select(
        *_recent.c,
        _users.c.id,
        _users.c.username,
        _users.c.password_hash,
        _users.c.is_active,
        _users.c.is_admin,
    ).select_from(_recent.outerjoin(_users, _users.c.username == bindparam("username")))
)
_EXPIRE = delete(_failures).where(_failures.c.failed_at <= bindparam("before"))
_RECORD = insert(_failures)
_FORGET = delete(_failures).where(_by_account)


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """What a login needs to know before the password is checked."""

    earlier_failures: int  # the account's, within the window
    password_hash: str | None  # None: there is no such account
    account: Account | None
    active: bool


class LoginThrottle:
    def __init__(
        self,
        session: DatabaseSession,
        *,
        per_account: int,
        per_address: int,
        window: timedelta,
    ) -> None:
        self._session = session
        self._per_account = per_account
        self._per_address = per_address
        self._window = window

    async def attempt(self, username: str, address: str) -> LoginAttempt:
        """The account of ``username`` and its recent failures; TooManyFailedLogins when a
        limit is reached."""
        row = (await self._session.execute(_ATTEMPT, self._parameters(username, address))).one()
        earlier_failures = self._enforce(*row[:4])
        user_id, name, password_hash, active, admin = row[4:]
        account = None if user_id is None else Account(user_id, name, admin)
        return LoginAttempt(earlier_failures, password_hash, account, bool(active))

    async def check(self, username: str, address: str) -> int:
        """The account's recent failures; TooManyFailedLogins when a limit is reached."""
        row = (await self._session.execute(_RECENT, self._parameters(username, address))).one()
        return self._enforce(*row)

    async def record_failure(self, username: str, address: str) -> None:
        now = datetime.now(UTC)
        await self._session.execute(_EXPIRE, {"before": now - self._window})
        await self._session.execute(
            _RECORD, {"username": username[:255], "address": address, "failed_at": now}
        )

    async def forget(self, username: str) -> None:
        """A correct password clears that account's failures (not the address's: one good
        account of an attacker's must not reset the count of their guesses at others)."""
        await self._session.execute(_FORGET, {"username": username})

    def _parameters(self, username: str, address: str) -> dict[str, Any]:
        since = datetime.now(UTC) - self._window
        return {"username": username, "address": address, "since": since}

    def _enforce(
        self,
        by_account: int,
        account_oldest: datetime | None,
        by_address: int,
        address_oldest: datetime | None,
    ) -> int:
        for count, oldest, limit in (
            (by_account, account_oldest, self._per_account),
            (by_address, address_oldest, self._per_address),
        ):
            if limit and count >= limit:
                retry_after = _aware(oldest) + self._window - datetime.now(UTC)
                raise TooManyFailedLogins(max(1, math.ceil(retry_after.total_seconds())))
        return by_account


def _aware(moment: datetime | None) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
