"""Access tokens: HMAC-signed, for one access to one repository instance, held by one caller.

A token is ``signature=<expiry>.<holder>.<via>.<instance>.<stamp>.<mac>,repository="<ns>/<repo>",
access=<access>``:

- ``holder``: the id of the account it was handed to (0: an anonymous reader);
- ``via``: the uuid of the personal access token the holder presented, ``-`` if none (a token
  of the older form, without this field, is read as ``-``); ``oat-`` and the uuid of the
  organization access token presented, for a token of no holder that ends with it;
- ``instance``: the repository instance it was issued for (``repositories.instance``, drawn
  when the repository was created and never reused), so that it does not work for a later
  repository of the same name;
- ``stamp``: a keyed digest of what let the holder in, their password hash (``-`` for an
  anonymous reader), so that a password change ends every token handed out before it; with
  ``via``, of the access token's stored digest too, so that the token ends with it.

The MAC covers all of it, with repository and access, keyed by the database's signing key: a
token is valid across restarts and across every process serving the database, and cannot be
forged or edited. Each use reads the holder's standing and the repository's instance in one
statement (``_STANDING``): a disabled holder, a changed password or a deleted repository ends
the token in every process. A token presented to a request that may write is checked against
what the database holds at that moment; a request that only reads may take the answer
(:class:`Verified`) another request of this process found, while the database's change counter
says nothing has changed since (on PostgreSQL its change feed, so a revocation reaches every
process within the feed's delay).

A delete token outlives its repository: the deletion leaves a tombstone (the image list the
repository held) for the token's lifetime, and the token reads it.

A token handed to a caller who presented a personal access token stops with that access token:
``_STANDING`` reads, beside the holder's password hash, the access token's digest while it is
active (NULL once it is deleted or deactivated: the token is refused, until it is activated
again), its scope (which the grant keeps: a ``repo:public_read`` token never reads a private
repository) and its expiry (a token never outlives it). A token got with an organization
access token has no holder: its stamp is made of that token's digest alone, read while it is
active (``_ORG_STANDING``), and what it allows is decided by the organization access token's
resources as they are at each use (server.services.permissions). :func:`_stamp` is the one
place a stamp is made.
"""

import base64
import hashlib
import hmac
import math
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple, Protocol, TypeVar

from sqlalchemy import and_, bindparam, select

from server.auth import Access, Grant, RepositoryName, Scope
from server.errors import AccountInactive, AuthenticationFailed, NotFound
from server.http.credentials import TokenCredential
from server.storage.database import DatabaseSession
from server.storage.prepared import plain_read, prepared
from server.storage.tables import (
    AccessToken,
    OrganizationAccessToken,
    Repository,
    RepositoryTombstone,
    SigningKey,
    User,
)

T = TypeVar("T")

_SIGNING_KEY = plain_read(select(SigningKey.secret).where(SigningKey.id == 1))

_repositories = Repository.__table__
_users = User.__table__
_tombstones = RepositoryTombstone.__table__
_access_tokens = AccessToken.__table__
_org_tokens = OrganizationAccessToken.__table__
_via = (
    _access_tokens.c.uuid == bindparam("via"),
    _access_tokens.c.user_id == bindparam("holder"),
    _access_tokens.c.is_active.is_(True),
)
# What a token's use depends on, in one statement: the instance of the repository of that name
# (NULL: none), the holder's password hash while the account is active (NULL: not active,
# no such account, or no holder), and the digest, scope and expiry of the access token the
# holder presented while it is active (NULL: none, deleted or inactive).
_STANDING = plain_read(
    prepared(
        select(
            select(_repositories.c.instance)
            .where(
                _repositories.c.namespace == bindparam("namespace"),
                _repositories.c.name == bindparam("name"),
            )
            .scalar_subquery(),
            select(_users.c.password_hash)
            .where(and_(_users.c.id == bindparam("holder"), _users.c.is_active.is_(True)))
            .scalar_subquery(),
            select(_access_tokens.c.digest).where(*_via).scalar_subquery(),
            select(_access_tokens.c.scope).where(*_via).scalar_subquery(),
            select(_access_tokens.c.expires_at).where(*_via).scalar_subquery(),
        )
    )
)
_org_via = (_org_tokens.c.uuid == bindparam("token"), _org_tokens.c.is_active.is_(True))
# The same for a token got with an organization access token: the repository's instance, and
# the digest and expiry of the organization access token while it is active.
_ORG_STANDING = plain_read(
    prepared(
        select(
            select(_repositories.c.instance)
            .where(
                _repositories.c.namespace == bindparam("namespace"),
                _repositories.c.name == bindparam("name"),
            )
            .scalar_subquery(),
            select(_org_tokens.c.digest).where(*_org_via).scalar_subquery(),
            select(_org_tokens.c.expires_at).where(*_org_via).scalar_subquery(),
        )
    )
)
_TOMBSTONE = plain_read(
    prepared(
        select(_tombstones.c.instance).where(
            _tombstones.c.instance == bindparam("instance"),
            _tombstones.c.namespace == bindparam("namespace"),
            _tombstones.c.name == bindparam("name"),
        )
    )
)
_ANONYMOUS_STAMP = "-"
_NO_ACCESS_TOKEN = "-"  # noqa: S105 (a placeholder: no access token presented)
_ORG_VIA = "oat-"  # then an organization access token's uuid


@dataclass(frozen=True, slots=True)
class Token:
    signature: str
    repository: RepositoryName
    access: Access

    def __str__(self) -> str:
        """As handed out in ``X-Docker-Token`` (the client prepends ``Token ``)."""
        return f'signature={self.signature},repository="{self.repository}",access={self.access}'


class Standing(NamedTuple):
    """What a token of one holder for one repository name depends on, as read at one moment."""

    instance: int | None  # the live repository of that name; None: there is none
    stamp: str | None  # the holder's stamp; None: not an active account, or its access
    # token (``via``) is gone or inactive
    scope: Scope | None = None  # the access token's
    until: int | None = None  # when the access token expires (Unix seconds); None: never


class _Cached(Protocol):
    def __call__(
        self, key: Hashable, compute: Callable[[], Awaitable[T]], *, decides: bool = ...
    ) -> Awaitable[T]: ...


class SigningKeyCache:
    """The database's signing key, read once per process (it never changes)."""

    def __init__(self) -> None:
        self._key: bytes | None = None

    async def get(self, session: DatabaseSession) -> bytes:
        if self._key is None:
            key = await session.scalar(_SIGNING_KEY)
            if key is None:
                raise RuntimeError("the database has no signing key: run `hubindex db upgrade`")
            self._key = key
        return self._key


class _Signed(NamedTuple):
    """What a genuine token's text says."""

    repository: RepositoryName
    access: Access
    expires: int
    holder: int
    via: str
    instance: int
    stamp: str


class Verified(NamedTuple):
    """A token found good: what it grants, and until when. Kept between requests under
    :func:`verified_key` while the database has not changed (server.composition)."""

    grant: Grant
    expires: int


def verified_key(credential: TokenCredential) -> tuple[str, TokenCredential]:
    """The key a :class:`Verified` is kept under: the token's whole text."""
    return ("token", credential)


def unexpired(verified: Verified, now: float) -> Grant:
    """``verified``'s grant; AuthenticationFailed once it has expired."""
    if verified.expires <= now:
        raise AuthenticationFailed("the token has expired")
    return verified.grant


class TokenService:
    def __init__(
        self,
        session: DatabaseSession,
        keys: SigningKeyCache,
        ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self._keys = keys
        self._ttl = ttl_seconds
        self._clock = clock

    def expiry(self) -> int:
        """When a token issued now expires (Unix seconds): valid for at least the whole ttl."""
        return math.ceil(self._clock() + self._ttl)

    async def issue(
        self,
        repository: RepositoryName,
        access: Access,
        holder: int | None = None,
        *,
        instance: int | None = None,
        expires: int | None = None,
        via: str | None = None,
        org_token: str | None = None,
    ) -> Token:
        """A token for ``repository`` handed to the account ``holder`` (None: anyone), who
        presented the access token of uuid ``via`` (None: their password, or nothing), for
        the repository instance ``instance`` (None: the one of that name now; NotFound if there
        is none), valid until ``expires`` (None: the ttl from now) and never after ``via``
        expires; or, with ``org_token``, to no one, for whoever presented that organization
        access token (uuid), and never after it expires."""
        held = holder or 0
        if org_token is not None:
            held, via = 0, _ORG_VIA + org_token
        else:
            via = via if held and via else _NO_ACCESS_TOKEN
        stamp = _ANONYMOUS_STAMP
        until = None
        if instance is None or held or via != _NO_ACCESS_TOKEN:
            standing = await self.standing(repository, held, via)
            if instance is None:
                instance = standing.instance
                if instance is None:
                    raise NotFound(f"repository {repository} not found")
            if standing.stamp is None:
                if via != _NO_ACCESS_TOKEN:
                    raise AuthenticationFailed("the access token is deleted or inactive")
                raise AccountInactive()
            stamp, until = standing.stamp, standing.until
        expires = self.expiry() if expires is None else expires
        if until is not None:
            expires = min(expires, until)
        key = await self._keys.get(self._session)
        fields = f"{expires}.{held}.{via}.{instance}.{stamp}"
        mac = _mac(key, repository, access, fields)
        return Token(f"{fields}.{mac}", repository, access)

    async def verify(
        self,
        credential: TokenCredential,
        *,
        cached: _Cached | None = None,
        writes: bool = True,
    ) -> Grant:
        """The grant a presented token carries.

        AuthenticationFailed when it is not genuine, has expired, or was issued before its
        holder's password changed or for an earlier repository of that name; AccountInactive
        when its holder is disabled; NotFound when its repository is gone (a delete token's
        excepted, which reads the tombstone). ``writes``: whether the request may write; if so
        (or without ``cached``) what the token depends on is read in this unit, else the answer
        may be one kept while the database has not changed."""
        if cached is None:
            verified = await self.verified(credential)
        else:
            verified = await cached(
                verified_key(credential), lambda: self.verified(credential), decides=writes
            )
        return unexpired(verified, self._clock())

    async def verified(self, credential: TokenCredential) -> Verified:
        """:meth:`verify`'s answer, as read in this unit, with the token's expiry."""
        signed = await self._genuine(credential)
        repository, access, expires, holder, via, instance, stamp = signed
        if expires <= self._clock():
            raise AuthenticationFailed("the token has expired")
        standing = await self.standing(repository, holder, via)
        if standing.stamp is None:
            if via != _NO_ACCESS_TOKEN:
                raise AuthenticationFailed(
                    "the access token the token was got with is deleted or inactive"
                )
            raise AccountInactive()
        if not hmac.compare_digest(stamp, standing.stamp):
            raise AuthenticationFailed("the token was issued before its holder's password changed")
        org_token = via.startswith(_ORG_VIA)
        token = None if via == _NO_ACCESS_TOKEN else via.removeprefix(_ORG_VIA)
        held = holder or None
        if standing.instance == instance:
            grant = Grant(
                repository, access, held, instance, scope=standing.scope, token=token,
                org_token=org_token,
            )  # fmt: skip
            return Verified(grant, expires)
        if access is Access.DELETE and await self._tombstone(repository, instance):
            grant = Grant(
                repository, access, held, instance, deleted=True, scope=standing.scope,
                token=token, org_token=org_token,
            )  # fmt: skip
            return Verified(grant, expires)
        if standing.instance is None:
            raise NotFound(f"repository {repository} not found")
        raise AuthenticationFailed(
            f"the token is for an earlier repository {repository}, since deleted"
        )

    async def _genuine(self, credential: TokenCredential) -> _Signed:
        """What ``credential`` says, if this index signed it; else AuthenticationFailed."""
        parts = credential.signature.split(".")
        older = len(parts) == 5  # the form before access tokens, without ``via``
        if older:
            parts.insert(2, _NO_ACCESS_TOKEN)
        try:
            expires_text, holder_text, via, instance_text, stamp, mac = parts
            access = Access(credential.access)
            expires, holder, instance = int(expires_text), int(holder_text), int(instance_text)
        except ValueError:
            raise AuthenticationFailed("invalid token") from None
        repository = RepositoryName.parse(credential.repository)
        key = await self._keys.get(self._session)
        fields = parts[:2] + parts[3:5] if older else parts[:5]
        expected = _mac(key, repository, access, ".".join(fields))
        if not hmac.compare_digest(mac.encode(), expected.encode()):
            raise AuthenticationFailed("invalid token")
        return _Signed(repository, access, expires, holder, via, instance, stamp)

    async def standing(
        self, repository: RepositoryName, holder: int, via: str = _NO_ACCESS_TOKEN
    ) -> Standing:
        """What a token of ``holder`` (0: anonymous), who presented the access token ``via``
        (``-``: none; ``oat-`` and a uuid: that organization access token), for
        ``repository`` depends on, now."""
        parameters = {"namespace": repository.namespace, "name": repository.name}
        if via.startswith(_ORG_VIA):
            token = via.removeprefix(_ORG_VIA)
            found = await self._session.execute(_ORG_STANDING, {**parameters, "token": token})
            instance, digest, until = found.one()
            if digest is None:
                return Standing(instance, None)
            key = await self._keys.get(self._session)
            return Standing(
                instance, _stamp(key, f"oat\n{bytes(digest).hex()}"), None, _seconds(until)
            )
        row = (
            await self._session.execute(_STANDING, {**parameters, "holder": holder, "via": via})
        ).one()
        instance, password_hash, digest, scope, until = row
        if not holder:
            return Standing(instance, _ANONYMOUS_STAMP)
        if password_hash is None or (via != _NO_ACCESS_TOKEN and digest is None):
            return Standing(instance, None)
        key = await self._keys.get(self._session)
        if via == _NO_ACCESS_TOKEN:
            return Standing(instance, _stamp(key, password_hash))
        stamp = _stamp(key, f"{password_hash}\n{bytes(digest).hex()}")
        return Standing(instance, stamp, Scope(scope), _seconds(until))

    async def _tombstone(self, repository: RepositoryName, instance: int) -> bool:
        """Whether the deleted repository ``instance`` left a tombstone under that name (it
        lives as long as its delete token: an expired token never gets this far)."""
        parameters = {"namespace": repository.namespace, "name": repository.name}
        found = await self._session.scalar(_TOMBSTONE, {**parameters, "instance": instance})
        return found is not None


def _seconds(moment: datetime | None) -> int | None:
    """``moment`` in Unix seconds, rounded down (SQLite hands back naive datetimes, in UTC)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return math.floor(aware.timestamp())


def _stamp(key: bytes, secret: str) -> str:
    """A digest of what let a holder in, keyed so that it tells nothing of it (11 characters)."""
    digest = hmac.new(key, b"stamp\n" + secret.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:8]).rstrip(b"=").decode()


def _mac(key: bytes, repository: RepositoryName, access: Access, fields: str) -> str:
    message = f"{repository}\n{access}\n{fields}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
