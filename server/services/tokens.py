"""Access tokens: HMAC-signed, scoped to one repository and one access, valid until they expire.

A token is ``signature=<expiry>.<holder>.<mac>,repository="<ns>/<repo>",access=<access>``; the
holder is the id of the account it was handed to (0: an anonymous reader). The MAC covers
repository, access, expiry and holder, keyed by the database's signing key, so a token is valid
across restarts and across every process serving the database, and cannot be forged or edited.
A holder's token stops with its account: the caller checks the account is still active
(server.services.authentication).
"""

import base64
import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from server.auth import Access, Grant, RepositoryName
from server.errors import AuthenticationFailed
from server.http.credentials import TokenCredential
from server.storage.database import DatabaseSession
from server.storage.prepared import plain_read, prepared
from server.storage.tables import SigningKey, User

_SIGNING_KEY = plain_read(select(SigningKey.secret).where(SigningKey.id == 1))
_ACTIVE = plain_read(prepared(select(User.is_active).where(User.id == bindparam("id"))))


@dataclass(frozen=True, slots=True)
class Token:
    signature: str
    repository: RepositoryName
    access: Access

    def __str__(self) -> str:
        """As handed out in ``X-Docker-Token`` (the client prepends ``Token ``)."""
        return f'signature={self.signature},repository="{self.repository}",access={self.access}'


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

    async def issue(
        self, repository: RepositoryName, access: Access, holder: int | None = None
    ) -> Token:
        """A token for ``repository``, handed to the account ``holder`` (None: anyone)."""
        expires = math.ceil(self._clock() + self._ttl)  # valid for at least the whole ttl
        held = holder or 0
        key = await self._keys.get(self._session)
        mac = self._mac(key, repository, access, expires, held)
        return Token(f"{expires}.{held}.{mac}", repository, access)

    async def verify(self, credential: TokenCredential) -> Grant:
        """The grant a presented token carries; AuthenticationFailed if it is not genuine.
        Whether its holder may still use it is :meth:`active`'s question."""
        parts = credential.signature.split(".")
        try:
            expires_text, holder_text, mac = parts
            access = Access(credential.access)
            expires, holder = int(expires_text), int(holder_text)
        except ValueError:
            raise AuthenticationFailed("invalid token") from None
        repository = RepositoryName.parse(credential.repository)
        key = await self._keys.get(self._session)
        expected = self._mac(key, repository, access, expires, holder)
        if not hmac.compare_digest(mac.encode(), expected.encode()):
            raise AuthenticationFailed("invalid token")
        if expires <= self._clock():
            raise AuthenticationFailed("the token has expired")
        return Grant(repository, access, holder or None)

    async def active(self, holder: int) -> bool:
        """Whether the account ``holder`` exists and is active (not disabled)."""
        return bool(await self._session.scalar(_ACTIVE, {"id": holder}))

    @staticmethod
    def _mac(
        key: bytes, repository: RepositoryName, access: Access, expires: int, holder: int
    ) -> str:
        message = f"{repository}\n{access}\n{expires}\n{holder}".encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
