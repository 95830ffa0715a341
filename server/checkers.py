"""The checkers of spec/openapi.yaml's security schemes, named there by ``x-basicInfoFunc``,
``x-bearerInfoFunc`` and ``x-apikeyInfoFunc``: who presented the credentials, as the
authentication service says, in a unit of work of their own. Both engines call them before a
request's body is read (server/http/security.py has the contract).

Each answers the caller's claims: ``sub``, the name the access log shows (a username, or what a
token allows; never a secret), and under ``IDENTITY`` the :data:`server.auth.Identity` the
handlers are given as ``call.identity``.
"""

import asyncio
import re
import time
from typing import Any

from server.auth import IDENTITY, Account, Grant, Identity
from server.composition import AppState
from server.errors import AuthenticationFailed, DatabaseUnavailable
from server.handlers.call import client_address
from server.http.credentials import (
    BasicCredential,
    BearerCredential,
    Credential,
    TokenCredential,
    parse_token,
)
from server.http.security import NOT_PRESENTED, STATE
from server.services.tokens import unexpired, verified_key

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# No account's username is longer (the spec allows 30): a longer one is counted by the login
# throttle all the same, under its first 255 characters.
_MAX_USERNAME = 255
# Before the one retry of an identification that met a failed database (as the glue's).
_RETRY_PAUSE_SECONDS = 0.05
_READING_METHODS = frozenset({"GET", "HEAD"})


async def basic_account(username: str, password: str, *, request: Any) -> dict[str, Any]:
    """``basicAuth``: an account's username and password. The engines hand them over as
    latin-1 text (the bytes as sent); hubindex reads them as UTF-8, as Docker sends them."""
    try:
        username = username.encode("latin-1").decode("utf-8")
        password = password.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise AuthenticationFailed("malformed Basic credentials") from None
    if not username:
        raise AuthenticationFailed("malformed Basic credentials")
    # A NUL is refused by PostgreSQL's text columns, which the login throttle writes into.
    if _CONTROL.search(username) or len(username) > _MAX_USERNAME:
        raise AuthenticationFailed("malformed Basic credentials: the username is not one")
    return await _identified(BasicCredential(username, password), request)


async def docker_token(authorization: str, *, request: Any) -> Any:
    """``dockerToken``: ``Authorization: Token signature=...,repository="ns/repo",access=...``,
    a token this index handed out. A Basic header is the other scheme's (not presented here);
    any other scheme is refused."""
    scheme, _, rest = authorization.strip().partition(" ")
    match scheme.lower():
        case "token":
            return await _identified(parse_token(rest.strip()), request)
        case "basic":
            return NOT_PRESENTED
        case _:
            raise AuthenticationFailed("unsupported authorization scheme: use Basic or Token")


async def bearer_account(token: str, *, request: Any) -> dict[str, Any]:
    """``bearerAuth``: ``Authorization: Bearer <jwt>``, a signed token of the management API."""
    return await _identified(BearerCredential(token.strip()), request)


async def legacy_bearer_account(authorization: str, *, request: Any) -> Any:
    """``legacyJwt``: the same signed token as ``Authorization: JWT <jwt>``, as older Docker Hub
    clients send it. Any other word is not this scheme's (``bearerAuth`` reads ``Bearer``)."""
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme.lower() != "jwt":
        return NOT_PRESENTED
    token = rest.strip()
    if not token:
        raise AuthenticationFailed("malformed JWT credentials")
    return await _identified(BearerCredential(token), request)


async def _identified(credential: Credential, request: Any) -> dict[str, Any]:
    """The claims of whoever presented ``credential``, run once more when the database failed
    where that is safe (nothing written), as the glue runs an operation."""
    state: AppState = request.scope[STATE]
    address = client_address(request)
    # No GET or HEAD operation writes: its token may be checked against a kept standing.
    writes = request.scope.get("method") not in _READING_METHODS
    try:
        identity = await _identify(state, credential, address, writes)
    except DatabaseUnavailable as error:
        if not error.retry_safe:
            raise
        await asyncio.sleep(_RETRY_PAUSE_SECONDS)
        identity = await _identify(state, credential, address, writes)
    return {"sub": _label(identity), IDENTITY: identity}


async def _identify(
    state: AppState, credential: Credential, address: str, writes: bool
) -> Identity:
    if isinstance(credential, TokenCredential):
        # A token this process found good a moment ago, with nothing changed since: no unit
        # of work at all (a registry checks the same token for every layer of a pull).
        verified = state.kept(verified_key(credential), decides=writes)
        if verified is not None:
            return unexpired(verified, time.time())
    async with state.unit_of_work(writes=False) as services:
        return await services.identify(credential, address, writes=writes)


def _label(identity: Identity) -> str:
    match identity:
        case Account():
            return identity.username
        case Grant():
            return f"token:{identity.repository}:{identity.access}"
        case _:
            return "-"
