"""Access tokens: HMAC-signed, scoped to one repository and one access, valid until they expire.

A token is ``signature=<expiry>.<mac>,repository="<ns>/<repo>",access=<access>``; the MAC covers
repository, access and expiry, keyed by the database's signing key, so a token is valid across
restarts and across every process serving the database, and cannot be forged or edited.
"""

import base64
import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from server.auth import Access, Grant, RepositoryName
from server.errors import AuthenticationFailed
from server.http.credentials import TokenCredential
from server.storage.database import DatabaseSession
from server.storage.tables import SigningKey


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
            key = await session.scalar(select(SigningKey.secret).where(SigningKey.id == 1))
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

    async def issue(self, repository: RepositoryName, access: Access) -> Token:
        expires = math.ceil(self._clock() + self._ttl)  # valid for at least the whole ttl
        mac = self._mac(await self._keys.get(self._session), repository, access, expires)
        return Token(f"{expires}.{mac}", repository, access)

    async def verify(self, credential: TokenCredential) -> Grant:
        """The grant a presented token carries; AuthenticationFailed if it is not genuine."""
        expires_text, dot, mac = credential.signature.partition(".")
        try:
            access = Access(credential.access)
            expires = int(expires_text)
        except ValueError:
            raise AuthenticationFailed("invalid token") from None
        repository = RepositoryName.parse(credential.repository)
        expected = self._mac(await self._keys.get(self._session), repository, access, expires)
        if not dot or not hmac.compare_digest(mac.encode(), expected.encode()):
            raise AuthenticationFailed("invalid token")
        if expires <= self._clock():
            raise AuthenticationFailed("the token has expired")
        return Grant(repository, access)

    @staticmethod
    def _mac(key: bytes, repository: RepositoryName, access: Access, expires: int) -> str:
        message = f"{repository}\n{access}\n{expires}".encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
