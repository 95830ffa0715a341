"""Logins: the account a username names, and limits on wrong passwords that a stranger cannot
turn against the owner.

Wrong passwords are counted per account, per client address and per (account, address) pair,
in the database, so every process serving it counts them together; they expire after the
window. Before a password is checked, the login is refused (429, until the oldest failure that
counts leaves the window):

- at an address the account is *known* at (it logged in there with its current password within
  ``known_for``), when the failures of that pair reach the account limit. Failures sent from
  elsewhere never refuse the owner there, and the address limit does not apply: whoever
  shares the address (a NAT, a proxy whose address is not trusted) is bounded by the pair's.
- anywhere else, when the account's failures, from every address, reach the account limit (so
  that guesses from many addresses stay bounded: the owner at a new address waits too), or the
  address's, at every account, reach the address limit.

Guesses being checked right now count too (server.services.guesses).

A correct password clears its own pair's failures only: one good account of an attacker's
does not reset their guesses at others, nor does the owner's login reset a stranger's count.
It also records the address as known, with a digest of the password hash (a password change
makes every address unknown again), rewritten once a thirtieth of ``known_for`` has passed so
that an address in use stays known.

A Docker client sends its password with every call of a push, so a login reads the counts,
the known address and the account in one statement, built once and, on SQLite, run as a
prepared statement (server.storage.prepared).
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from server.auth import Account
from server.errors import TooManyFailedLogins
from server.services.guesses import NONE_IN_FLIGHT, InFlight
from server.storage.database import DatabaseSession
from server.storage.prepared import plain_read, prepared
from server.storage.tables import KnownLoginAddress, LoginFailure, User

_failures = LoginFailure.__table__
_known = KnownLoginAddress.__table__
_users = User.__table__
_of_account = _failures.c.username == bindparam("username")
_of_address = _failures.c.address == bindparam("address")
_of_pair = and_(_of_account, _of_address)

# The failures since :since of the account, of the address and of the pair: how many, and the
# oldest of each.
_oldest = func.min(_failures.c.failed_at)
_recent = (
    select(
        *(
            column
            for which in (_of_account, _of_address, _of_pair)
            for column in (func.count().filter(which), _oldest.filter(which))
        )
    )
    .where(_failures.c.failed_at > bindparam("since"), or_(_of_account, _of_address))
    .subquery("recent")
)
# The same, the known address and the account: one row, NULL where there is none.
_ATTEMPT = plain_read(
    prepared(
        select(
            *_recent.c,
            _known.c.password_digest,
            _known.c.last_success_at,
            _users.c.id,
            _users.c.username,
            _users.c.password_hash,
            _users.c.is_active,
            _users.c.is_admin,
        ).select_from(
            _recent.outerjoin(
                _known,
                and_(
                    _known.c.username == bindparam("username"),
                    _known.c.address == bindparam("address"),
                ),
            ).outerjoin(_users, _users.c.username == bindparam("username"))
        )
    )
)
_EXPIRE = delete(_failures).where(_failures.c.failed_at <= bindparam("before"))
_RECORD = insert(_failures)
_CLEAR = delete(_failures).where(_of_pair)
_FORGET_ADDRESSES = delete(_known).where(_known.c.last_success_at <= bindparam("before"))


def _know(dialect: Any) -> Any:
    statement = dialect.insert(_known)
    return statement.on_conflict_do_update(
        index_elements=[_known.c.username, _known.c.address],
        set_={
            "password_digest": statement.excluded.password_digest,
            "last_success_at": statement.excluded.last_success_at,
        },
    )


_KNOW = {"postgresql": _know(postgresql), "sqlite": _know(sqlite)}


class Failures(NamedTuple):
    """Wrong passwords within the window: how many, and when the oldest was sent."""

    count: int
    oldest: datetime | None


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """What a login needs to know before the password is checked."""

    password_hash: str | None  # None: there is no such account
    account: Account | None
    active: bool
    of_account: Failures
    of_address: Failures
    of_pair: Failures
    known: bool  # the address is known to the account: only the pair's failures count
    # A correct password must be written down (record_success): the pair's failures to clear,
    # or the address to record as known.
    success_to_record: bool

    @property
    def quiet(self) -> bool:
        """No failure of the account or of the address within the window. Failures expire
        with time alone, so an attempt with some must be read afresh each time."""
        return not (self.of_account.count or self.of_address.count)


class LoginThrottle:
    def __init__(
        self,
        session: DatabaseSession,
        *,
        per_account: int,
        per_address: int,
        window: timedelta,
        known_for: timedelta = timedelta(0),
    ) -> None:
        self._session = session
        self._per_account = per_account
        self._per_address = per_address
        self._window = window
        self._known_for = known_for

    @property
    def window(self) -> timedelta:
        """How long a failure counts."""
        return self._window

    async def attempt(self, username: str, address: str) -> LoginAttempt:
        """The account of ``username`` and the failures that count at ``address``."""
        now = datetime.now(UTC)
        parameters = {**_key(username, address), "since": now - self._window}
        row = (await self._session.execute(_ATTEMPT, parameters)).one()
        of_account, of_address, of_pair = (Failures(*row[i : i + 2]) for i in (0, 2, 4))
        digest, last_success, user_id, name, password_hash, active, admin = row[6:]
        known = (
            self._known_for > timedelta(0)
            and password_hash is not None
            and digest is not None
            and hmac.compare_digest(digest, _digest(password_hash))
            and _aware(last_success) > now - self._known_for
        )
        to_record = bool(of_pair.count) or (
            self._known_for > timedelta(0)
            and (not known or _aware(last_success) <= now - self._known_for / 30)
        )
        account = None if user_id is None else Account(user_id, name, admin)
        return LoginAttempt(
            password_hash, account, bool(active), of_account, of_address, of_pair, known, to_record
        )

    def enforce(self, attempt: LoginAttempt, in_flight: InFlight = NONE_IN_FLIGHT) -> None:
        """TooManyFailedLogins when the failures that count, with the guesses ``in_flight``
        (server.services.guesses), reach a limit (0: none); until every one is below again."""
        if attempt.known:
            counts = [(attempt.of_pair, in_flight.of_pair, self._per_account)]
        else:
            counts = [
                (attempt.of_account, in_flight.of_account, self._per_account),
                (attempt.of_address, in_flight.of_address, self._per_address),
            ]
        reached = [
            (failures, limit)
            for failures, more, limit in counts
            if limit and failures.count + more >= limit
        ]
        if not reached:
            return
        now = datetime.now(UTC)
        # Guesses in flight become failures (or not) within moments.
        waits = [
            _aware(failures.oldest) + self._window - now
            if failures.count >= limit
            else timedelta(seconds=1)
            for failures, limit in reached
        ]
        raise TooManyFailedLogins(max(1, math.ceil(max(waits).total_seconds())))

    async def record_failure(self, username: str, address: str) -> None:
        now = datetime.now(UTC)
        await self._session.execute(_EXPIRE, {"before": now - self._window})
        await self._session.execute(_RECORD, {**_key(username, address), "failed_at": now})

    async def record_address_failure(self, address: str) -> None:
        """A wrong secret that counts against the client address alone (a personal access
        token that is no one's): under the empty username, which no account has."""
        await self.record_failure("", address)

    async def record_success(self, username: str, address: str, password_hash: str) -> None:
        """After a correct password: the pair's failures are cleared (not the address's nor the
        account's), and the address becomes known to the account."""
        key = _key(username, address)
        await self._session.execute(_CLEAR, key)
        if self._known_for <= timedelta(0):
            return
        now = datetime.now(UTC)
        await self._session.execute(_FORGET_ADDRESSES, {"before": now - self._known_for})
        upsert = _KNOW[self._session.get_bind().dialect.name]
        known = {"password_digest": _digest(password_hash), "last_success_at": now}
        await self._session.execute(upsert, {**key, **known})

    async def keep_known(self, username: str, address: str) -> None:
        """After the owner changed the password from ``address``: that address stays known
        under the new one (every other known address became unknown with the change), so a
        stranger holding the account's limit reached cannot refuse the owner's next login."""
        password_hash = await self._session.scalar(_PASSWORD_HASH, {"username": username})
        if password_hash is not None:
            await self.record_success(username, address, password_hash)


_PASSWORD_HASH = select(_users.c.password_hash).where(_users.c.username == bindparam("username"))


def _key(username: str, address: str) -> dict[str, str]:
    """The columns' lengths: whatever a client sends is counted, and never overflows them."""
    return {"username": username[:255], "address": address[:64]}


def _digest(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
