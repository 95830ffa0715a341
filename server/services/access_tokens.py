"""Personal access tokens: created, listed, changed and deleted by their account, and
recognised when presented as a password; and what every kind of access token shares
(:class:`OwnedTokens`: organization access tokens, server.services.org_access_tokens, are the
other kind).

A token's secret is a prefix (``hbi_pat_``; an organization's ``hbi_oat_``) and 43 characters
of base64url (32 random bytes): the prefix says what it is before anything is looked up, so a
presented one is never given to argon2, and scanners can find leaked ones. Only its
HMAC-SHA256 is stored, keyed by a key derived from the database's signing key, one for each
kind (one lookup by a unique column finds it); a stolen copy of the table holds nothing to
present. ``last_used`` is written at most once a minute per token.
"""

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import Column, Table, bindparam, delete, func, insert, select, update

from server.auth import Scope
from server.errors import NotFound
from server.services.tokens import SigningKeyCache
from server.storage.database import DatabaseSession
from server.storage.tables import AccessToken, User

PREFIX = "hbi_pat_"
ORG_PREFIX = "hbi_oat_"
_SECRET_BYTES = 32
# last_used is a minute's precision: a token used all the time writes once a minute.
TOUCH_EVERY = timedelta(minutes=1)

_tokens = AccessToken.__table__
_users = User.__table__
_COLUMNS = (
    _tokens.c.uuid,
    _tokens.c.label,
    _tokens.c.scope,
    _tokens.c.is_active,
    _tokens.c.expires_at,
    _tokens.c.last_used,
    _tokens.c.created_at,
    _tokens.c.creator_ip,
    _tokens.c.creator_ua,
)
_PRESENTED = select(
    _tokens.c.id,
    *_COLUMNS,
    _users.c.id,
    _users.c.username,
    _users.c.is_active,
    _users.c.is_admin,
).select_from(_tokens.join(_users, _users.c.id == _tokens.c.user_id))


def derived_key(key: bytes, purpose: str) -> bytes:
    """A key for one purpose, from the database's signing key: each use of the shared secret
    has its own, so that no value made for one can stand for another."""
    return hmac.new(key, f"hubindex/{purpose}".encode(), hashlib.sha256).digest()


def is_access_token(secret: str) -> bool:
    """A personal access token's secret, by its prefix."""
    return secret.startswith(PREFIX)


def is_org_access_token(secret: str) -> bool:
    """An organization access token's secret, by its prefix."""
    return secret.startswith(ORG_PREFIX)


class OwnedTokens:
    """What every kind of access token shares: a table with ``uuid``, ``digest``, ``label``,
    ``is_active``, ``expires_at``, ``last_used`` and ``created_at``, each row owned by one row
    of another (``owner``: an account, an organization); secrets made with ``prefix``, and
    their digests keyed for ``purpose`` alone."""

    def __init__(
        self,
        session: DatabaseSession,
        keys: SigningKeyCache,
        table: Table,
        owner: Column[int],
        *,
        prefix: str,
        purpose: str,
    ) -> None:
        self._session = session
        self._keys = keys
        self._table = table
        self._prefix = prefix
        self._purpose = purpose
        # Not named as the columns: an UPDATE binds those names itself.
        self.of_owner = (owner == bindparam("owner"), table.c.uuid == bindparam("token_uuid"))
        self._owner = owner

    def new_secret(self) -> str:
        return self._prefix + _encode(secrets.token_bytes(_SECRET_BYTES))

    async def digest(self, secret: str) -> bytes:
        key = derived_key(await self._keys.get(self._session), self._purpose)
        return hmac.new(key, secret.encode(), hashlib.sha256).digest()

    async def counts(self, owner_id: int) -> tuple[int, int]:
        """How many tokens ``owner_id`` has, and how many of them are active."""
        active = func.count().filter(self._table.c.is_active.is_(True))
        counts = select(func.count(), active).where(self._owner == owner_id)
        count, active_count = (await self._session.execute(counts)).one()
        return count, active_count or 0

    async def change(self, owner_id: int, token: str, values: dict[str, object]) -> int:
        """Write ``values`` to ``owner_id``'s token ``token``; its id (NotFound: none)."""
        parameters = {"owner": owner_id, "token_uuid": token}
        statement = update(self._table).where(*self.of_owner).values(**values)
        found = await self._session.scalar(statement.returning(self._table.c.id), parameters)
        if found is None:
            raise NotFound(f"access token {token} not found")
        return int(found)

    async def delete(self, owner_id: int, token: str) -> None:
        removed = await self._session.execute(
            delete(self._table).where(*self.of_owner), {"owner": owner_id, "token_uuid": token}
        )
        if removed.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"access token {token} not found")

    async def touch(self, token_id: int, now: datetime) -> None:
        await self._session.execute(
            update(self._table).where(self._table.c.id == token_id).values(last_used=now)
        )


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An access token as its account sees it (never its secret)."""

    uuid: str
    label: str
    scope: Scope
    is_active: bool
    expires_at: datetime | None
    last_used: datetime | None
    created_at: datetime
    creator_ip: str
    creator_ua: str

    @classmethod
    def of(cls, row: tuple) -> "TokenRecord":  # type: ignore[type-arg]
        uuid_, label, scope, active, expires, used, created, ip, ua = row
        return cls(
            uuid_, label, Scope(scope), bool(active), aware(expires), aware(used),
            aware(created) or datetime.now(UTC), ip, ua,
        )  # fmt: skip

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True, slots=True)
class Presented:
    """A presented token's record and its account, as the database holds them now."""

    id: int
    record: TokenRecord
    user_id: int
    username: str
    user_active: bool
    is_admin: bool


@dataclass(frozen=True, slots=True)
class TokenPage:
    records: list[TokenRecord]
    count: int
    active_count: int


class AccessTokenService:
    def __init__(self, session: DatabaseSession, keys: SigningKeyCache) -> None:
        self._session = session
        self._owned = OwnedTokens(
            session, keys, _tokens, _tokens.c.user_id, prefix=PREFIX, purpose="access-token"
        )

    async def create(
        self,
        user_id: int,
        label: str,
        scope: Scope,
        expires_at: datetime | None,
        *,
        creator_ip: str,
        creator_ua: str,
    ) -> tuple[TokenRecord, str]:
        """The new token's record and its secret, which is never shown again."""
        secret = self._owned.new_secret()
        now = datetime.now(UTC)
        record = TokenRecord(
            str(uuid.uuid4()), label, scope, True, expires_at, None, now,
            creator_ip[:64], creator_ua[:255],
        )  # fmt: skip
        await self._session.execute(
            insert(_tokens).values(
                uuid=record.uuid,
                user_id=user_id,
                digest=await self._owned.digest(secret),
                label=label,
                scope=str(scope),
                is_active=True,
                expires_at=expires_at,
                last_used=None,
                created_at=now,
                creator_ip=record.creator_ip,
                creator_ua=record.creator_ua,
            )
        )
        return record, secret

    async def page(self, user_id: int, page: int, size: int) -> TokenPage:
        """The account's tokens, newest first: page ``page`` of ``size``."""
        mine = _tokens.c.user_id == user_id
        count, active = await self._owned.counts(user_id)
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(mine)
            .order_by(_tokens.c.created_at.desc(), _tokens.c.id.desc())
            .limit(size)
            .offset((page - 1) * size)
        )
        return TokenPage([TokenRecord.of(tuple(row)) for row in rows], count, active)

    async def get(self, user_id: int, token: str) -> TokenRecord:
        row = (
            await self._session.execute(
                select(*_COLUMNS).where(*self._owned.of_owner),
                {"owner": user_id, "token_uuid": token},
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"access token {token} not found")
        return TokenRecord.of(tuple(row))

    async def update(
        self, user_id: int, token: str, *, label: str | None, is_active: bool | None
    ) -> TokenRecord:
        values: dict[str, object] = {}
        if label is not None:
            values["label"] = label
        if is_active is not None:
            values["is_active"] = is_active
        if values:
            await self._owned.change(user_id, token, values)
        return await self.get(user_id, token)

    async def delete(self, user_id: int, token: str) -> None:
        await self._owned.delete(user_id, token)

    async def presented(self, secret: str) -> Presented | None:
        """The token whose secret this is, with its account; None if there is none."""
        digest = await self._owned.digest(secret)
        row = (
            await self._session.execute(_PRESENTED.where(_tokens.c.digest == digest))
        ).one_or_none()
        return None if row is None else _presented(tuple(row))

    async def by_uuid(self, token: str) -> Presented | None:
        """The token of this uuid, with its account, as the database holds them now."""
        row = (await self._session.execute(_PRESENTED.where(_tokens.c.uuid == token))).one_or_none()
        return None if row is None else _presented(tuple(row))

    async def touch(self, token_id: int, now: datetime) -> None:
        await self._owned.touch(token_id, now)


def _presented(row: tuple) -> Presented:  # type: ignore[type-arg]
    token_id, *record, user_id, username, user_active, is_admin = row
    return Presented(
        token_id, TokenRecord.of(tuple(record)), user_id, username, bool(user_active),
        bool(is_admin),
    )  # fmt: skip


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Used(Protocol):
    @property
    def last_used(self) -> datetime | None: ...


def due_for_touch(record: _Used, now: datetime) -> bool:
    return record.last_used is None or now - record.last_used >= TOUCH_EVERY
