"""The management API's signed tokens: short-lived JWTs (HS256, PyJWT) for ``Authorization:
Bearer``, handed out by ``POST /v2/users/login`` and ``POST /v2/auth/token``.

The key is derived from the database's signing key, so every process serving the database
signs and verifies alike, across restarts. A token names its account (``uid``, ``sub``) and a
fingerprint of the account's password hash (``pwd``); one got with a personal access token also
names that token (``pat``) and its scope. Each presentation is decided from what the database
holds at that moment, never from a cache: the account must still be active with the same
password hash (a new password ends every token), and the access token, where there is one,
must still exist, be active and unexpired.
"""

import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import UTC, datetime

import jwt
from sqlalchemy import bindparam, select

from server.auth import Account
from server.errors import AuthenticationFailed
from server.services.access_tokens import AccessTokenService, derived_key
from server.services.tokens import SigningKeyCache
from server.storage.database import DatabaseSession
from server.storage.tables import User

ALGORITHM = "HS256"
ISSUER = "hubindex"
_REQUIRED = ["exp", "iat", "iss", "sub", "uid", "pwd"]
_users = User.__table__
_USER = select(
    _users.c.username, _users.c.password_hash, _users.c.is_active, _users.c.is_admin
).where(_users.c.id == bindparam("id"))


class BearerTokens:
    def __init__(
        self,
        session: DatabaseSession,
        keys: SigningKeyCache,
        access_tokens: AccessTokenService,
        ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self._keys = keys
        self._access_tokens = access_tokens
        self._ttl = ttl_seconds
        self._clock = clock

    async def issue(self, account: Account) -> str:
        """A signed token for ``account`` as it signed in (with its password, or with an access
        token: then limited to that token's scope, and ending with it)."""
        row = (await self._session.execute(_USER, {"id": account.user_id})).one_or_none()
        if row is None or not row.is_active:
            raise AuthenticationFailed("the account is gone or disabled")
        key = await self._key()
        now = int(self._clock())
        claims: dict[str, object] = {
            "iss": ISSUER,
            "sub": account.username,
            "uid": account.user_id,
            "pwd": _fingerprint(key, row.password_hash),
            "iat": now,
            "exp": now + self._ttl,
        }
        if account.token is not None:
            claims["pat"] = account.token
            claims["scope"] = str(account.scope)
        return jwt.encode(claims, key, algorithm=ALGORITHM)

    async def verify(self, token: str) -> Account:
        """The account a presented token stands for; AuthenticationFailed if it is not genuine,
        has expired, or what granted it has gone."""
        key = await self._key()
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": _REQUIRED},
                # The clock of whoever decides: this process's, as issue's.
                leeway=0,
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationFailed("the token has expired") from None
        except jwt.InvalidTokenError:
            raise AuthenticationFailed("invalid token") from None
        if claims["exp"] <= self._clock():  # PyJWT reads its own clock; tests move ours
            raise AuthenticationFailed("the token has expired")
        user_id = claims["uid"]
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise AuthenticationFailed("invalid token")
        row = (await self._session.execute(_USER, {"id": user_id})).one_or_none()
        if (
            row is None
            or row.username != claims["sub"]
            or not hmac.compare_digest(str(claims["pwd"]), _fingerprint(key, row.password_hash))
        ):
            raise AuthenticationFailed("the token is no longer valid: sign in again")
        if not row.is_active:
            raise AuthenticationFailed("the token is no longer valid: the account is disabled")
        account = Account(user_id, row.username, bool(row.is_admin))
        if "pat" not in claims:
            return account
        return await self._with_access_token(account, claims)

    async def _with_access_token(self, account: Account, claims: dict[str, object]) -> Account:
        found = await self._access_tokens.by_uuid(str(claims["pat"]))
        now = datetime.fromtimestamp(self._clock(), UTC)
        if found is None or found.user_id != account.user_id:
            raise AuthenticationFailed("the access token it was got with is deleted")
        if not found.record.is_active:
            raise AuthenticationFailed("the access token it was got with is inactive")
        if found.record.expired(now):
            raise AuthenticationFailed("the access token it was got with has expired")
        return Account(
            account.user_id, account.username, account.is_admin,
            found.record.scope, found.record.uuid,
        )  # fmt: skip

    async def _key(self) -> bytes:
        return derived_key(await self._keys.get(self._session), "bearer")


def _fingerprint(key: bytes, password_hash: str) -> str:
    """Names the password hash without revealing it: a new password makes a new one."""
    digest = hmac.new(key, f"password\n{password_hash}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]
