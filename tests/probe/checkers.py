"""The probe's security checkers (``server.probe_checkers`` in a generated probe checkout), one
of each kind the contract allows (server/http/security.py): sync and async, with and without
``required_scopes`` and ``request``. Each answers claims that say what it was handed."""

from typing import Any

from server.errors import AuthenticationFailed
from server.http.security import NOT_PRESENTED

KEYS = {"k-header": "header-client", "k-query": "query-client", "k-cookie": "cookie-client"}


def password(username: str, password: str) -> dict[str, Any] | None:
    """HTTP Basic: one password for everyone."""
    return {"sub": username, "scheme": "basic"} if password == "open-sesame" else None


async def bearer(token: str, required_scopes: list[str] | None = None) -> dict[str, Any] | None:
    """HTTP Bearer: ``t-<name>``; ``expired`` is refused in the checker's own words."""
    if token == "expired":
        raise AuthenticationFailed("the token has expired")
    if not token.startswith("t-"):
        return None
    return {"sub": token.removeprefix("t-"), "scheme": "bearer", "scopes": required_scopes}


def key(key: str, *, request: Any) -> dict[str, Any] | None:
    """An API key wherever its scheme puts it; the request says which operation asked."""
    client = KEYS.get(key)
    if client is None:
        return None
    return {"sub": client, "scheme": "key", "path": request.scope["path"]}


def two_words(authorization: str) -> Any:
    """A token after ``Bearer`` or ``JWT``, the whole ``Authorization`` value; ``Basic`` is the
    other alternative's (not presented here)."""
    word, _, token = authorization.partition(" ")
    if word.lower() == "basic":
        return NOT_PRESENTED
    if word.lower() not in ("bearer", "jwt") or not token.startswith("t-"):
        return None
    return {"sub": token.removeprefix("t-"), "scheme": word.lower()}
