"""Slowing down password guessing: a limit of failed logins per account and per address.

Failures are kept in the database, so every process serving it counts them together; they
expire after the window, so an owner is never locked out for longer than that.

Every login reads both counts, so they come from one statement, built once: SQLAlchemy then
only looks its compiled form up per call.
"""

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, or_, select

from server.errors import TooManyFailedLogins
from server.storage.database import DatabaseSession
from server.storage.tables import LoginFailure

_failures = LoginFailure.__table__
_by_account = _failures.c.username == bindparam("username")
_by_address = _failures.c.address == bindparam("address")

# The failures since :since of the account and of the address: how many, and the oldest.
_RECENT = select(
    func.count().filter(_by_account),
    func.min(_failures.c.failed_at).filter(_by_account),
    func.count().filter(_by_address),
    func.min(_failures.c.failed_at).filter(_by_address),
).where(_failures.c.failed_at > bindparam("since"), or_(_by_account, _by_address))
_EXPIRE = delete(_failures).where(_failures.c.failed_at <= bindparam("before"))
_RECORD = insert(_failures)
_FORGET = delete(_failures).where(_by_account)


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

    async def check(self, username: str, address: str) -> int:
        """The account's recent failures; TooManyFailedLogins when a limit is reached."""
        since = datetime.now(UTC) - self._window
        parameters = {"username": username, "address": address, "since": since}
        by_account, account_oldest, by_address, address_oldest = (
            await self._session.execute(_RECENT, parameters)
        ).one()
        for count, oldest, limit in (
            (by_account, account_oldest, self._per_account),
            (by_address, address_oldest, self._per_address),
        ):
            if limit and count >= limit:
                retry_after = _aware(oldest) + self._window - datetime.now(UTC)
                raise TooManyFailedLogins(max(1, math.ceil(retry_after.total_seconds())))
        return by_account

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


def _aware(moment: datetime | None) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
