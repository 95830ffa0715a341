"""Limits on what one client address may do to accounts: registrations and new email addresses.

Each costs the index work a stranger chooses: a registration an argon2 hash, both a mail to an
address the sender need not own. So one client address may make ``per_address[kind]`` of each
kind within the window; past that, TooManyAccountChanges (429) until the oldest leaves it.

Counted in the database, so that every process serving it counts together, and counted when
admitted, in a unit of work of its own: a registration refused later (its hashing overloaded,
its name taken by a concurrent one) still counted. Only what would change something is counted:
a registration of a taken username or email answers "Username or email already exists" before
it is admitted (server.handlers.users), so `docker login` of an existing account never meets
this limit.

Concurrent admissions of one address are serialised: on SQLite by the write lock every writing
unit takes first, on PostgreSQL by a transaction-scoped advisory lock on the (kind, address).
"""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import bindparam, delete, func, insert, select

from server.errors import TooManyAccountChanges
from server.storage.database import DatabaseSession
from server.storage.tables import AccountChange

Kind = Literal["registration", "email"]

_changes = AccountChange.__table__
_EXPIRE = delete(_changes).where(_changes.c.made_at <= bindparam("before"))
_RECENT = select(func.count(), func.min(_changes.c.made_at)).where(
    _changes.c.kind == bindparam("kind"),
    _changes.c.address == bindparam("address"),
    _changes.c.made_at > bindparam("since"),
)
_RECORD = insert(_changes)
_LOCK = select(func.pg_advisory_xact_lock(bindparam("key")))

_REFUSALS = {
    "registration": "too many registrations from this address",
    "email": "too many new email addresses from this address",
}


class AccountChangeLimits:
    def __init__(
        self, session: DatabaseSession, *, per_address: dict[Kind, int], window: timedelta
    ) -> None:
        self._session = session
        self._per_address = per_address
        self._window = window

    async def admit(self, kind: Kind, address: str) -> None:
        """Count one ``kind`` of change from ``address``, or TooManyAccountChanges when the
        address has made its limit of them within the window (a limit of 0: none)."""
        limit = self._per_address[kind]
        if not limit:
            return
        address = address[:64]
        now = datetime.now(UTC)
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(_LOCK, {"key": _lock_key(kind, address)})
        await self._session.execute(_EXPIRE, {"before": now - self._window})
        recent = {"kind": kind, "address": address, "since": now - self._window}
        count, oldest = (await self._session.execute(_RECENT, recent)).one()
        if count >= limit:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)  # SQLite: naive UTC
            wait = (oldest + self._window - now).total_seconds()
            raise TooManyAccountChanges(_REFUSALS[kind], max(1, int(wait) + 1))
        await self._session.execute(_RECORD, {"kind": kind, "address": address, "made_at": now})


def _lock_key(kind: str, address: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock."""
    digest = hashlib.blake2b(f"account-change\0{kind}\0{address}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)
