"""Slowing down password guessing: a limit of failed logins per account and per address.

Failures are kept in the database, so every process serving it counts them together; they
expire after the window, so an owner is never locked out for longer than that.
"""

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import TooManyFailedLogins
from server.storage.tables import LoginFailure


class LoginThrottle:
    def __init__(
        self,
        session: AsyncSession,
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
        by_account = await self._recent(LoginFailure.username == username, since)
        by_address = await self._recent(LoginFailure.address == address, since)
        for (count, oldest), limit in (
            (by_account, self._per_account),
            (by_address, self._per_address),
        ):
            if limit and count >= limit:
                retry_after = _aware(oldest) + self._window - datetime.now(UTC)
                raise TooManyFailedLogins(max(1, math.ceil(retry_after.total_seconds())))
        return by_account[0]

    async def _recent(
        self, condition: ColumnElement[bool], since: datetime
    ) -> tuple[int, datetime | None]:
        count, oldest = (
            await self._session.execute(
                select(func.count(), func.min(LoginFailure.failed_at)).where(
                    condition, LoginFailure.failed_at > since
                )
            )
        ).one()
        return count, oldest

    async def record_failure(self, username: str, address: str) -> None:
        now = datetime.now(UTC)
        await self._session.execute(
            delete(LoginFailure).where(LoginFailure.failed_at <= now - self._window)
        )
        self._session.add(LoginFailure(username=username[:255], address=address, failed_at=now))
        await self._session.flush()

    async def forget(self, username: str) -> None:
        """A correct password clears that account's failures (not the address's: one good
        account of an attacker's must not reset the count of their guesses at others)."""
        await self._session.execute(delete(LoginFailure).where(LoginFailure.username == username))


def _aware(moment: datetime | None) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
