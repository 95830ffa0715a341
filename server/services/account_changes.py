"""Limits on what one client address may do to accounts: registrations and new email addresses.

Each costs the index work a stranger chooses: a registration an argon2 hash, both a mail to an
address the sender need not own. So one client address may make ``per_address[kind]`` of each
kind within the window; past that, TooManyAccountChanges (429) until the oldest leaves it.

Counted in the database, so that every process serving it counts together, and counted when
admitted, in a unit of work of its own: a registration refused later (its name taken by a
concurrent one) still counted. Only what would change something is counted: a registration of a
taken username or email answers "Username or email already exists" before it is admitted
(server.handlers.users), so `docker login` of an existing account never meets this limit; nor is
one refused because the password hashes are busy (it keeps its place among them first).

Concurrent admissions of one address are serialised: on SQLite by the write lock every writing
unit takes first, on PostgreSQL by a transaction-scoped advisory lock on the (kind, address).

A refusal is remembered by the process (:class:`RecentRefusals`) until the moment the oldest
change counted leaves the window: till then the count cannot fall below the limit, whatever
other processes do (they can only add to it), so the same refusal is answered again without a
unit of work. A flood from one address past its limit then costs no write lock, no statement.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
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


class RecentRefusals:
    """The (kind, address) pairs refused lately, each until its oldest counted change leaves the
    window; at most ``max_entries`` (the oldest noted forgotten first: the database decides
    for them again)."""

    def __init__(
        self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max = max_entries
        self._clock = clock
        self._until: OrderedDict[tuple[str, str], float] = OrderedDict()

    def check(self, kind: Kind, address: str) -> None:
        """TooManyAccountChanges if ``address`` was refused ``kind`` and still would be."""
        key = (kind, address[:64])
        until = self._until.get(key)
        if until is None:
            return
        wait = until - self._clock()
        if wait <= 0:
            del self._until[key]
            return
        raise TooManyAccountChanges(_REFUSALS[kind], _retry_after(wait))

    def note(self, kind: Kind, address: str, wait: float) -> None:
        key = (kind, address[:64])
        self._until[key] = self._clock() + wait
        self._until.move_to_end(key)
        while len(self._until) > self._max:
            self._until.popitem(last=False)


class AccountChangeLimits:
    def __init__(
        self,
        session: DatabaseSession,
        *,
        per_address: dict[Kind, int],
        window: timedelta,
        refusals: RecentRefusals | None = None,
    ) -> None:
        self._session = session
        self._per_address = per_address
        self._window = window
        self._refusals = refusals

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
            # From this moment, not the statements' start: the memo must not outlast the count.
            wait = (oldest + self._window - datetime.now(UTC)).total_seconds()
            if self._refusals is not None:
                self._refusals.note(kind, address, wait)
            raise TooManyAccountChanges(_REFUSALS[kind], _retry_after(wait))
        await self._session.execute(_RECORD, {"kind": kind, "address": address, "made_at": now})


def _retry_after(wait: float) -> int:
    return max(1, int(wait) + 1)


def _lock_key(kind: str, address: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock."""
    digest = hashlib.blake2b(f"account-change\0{kind}\0{address}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)
