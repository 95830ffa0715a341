"""The spec's security, as both engines apply it: each scheme read from where its type says
and handed to the checker function the spec names, and the alternatives decided by one rule.

A scheme is one of three types (``scripts/generate`` refuses the others): HTTP Basic, HTTP
Bearer, or an API key in a header, the query or a cookie. Its checker is named in the scheme
the way Connexion reads it (``x-basicInfoFunc``, ``x-bearerInfoFunc``, ``x-apikeyInfoFunc``)
and called with Connexion's arguments:

    basic_info(username, password)   the Basic pair, each decoded as latin-1 (the bytes)
    bearer_info(token)               what follows ``Bearer `` in ``Authorization``
    apikey_info(key)                 the header's, query parameter's or cookie's value

plus ``required_scopes`` and ``request`` where the function takes them by those names. It may
be async. It answers the caller's claims, a mapping (``sub`` names the caller), or None for
credentials it refuses (401), or raises a ``server.errors`` error for a refusal of its own
(its status and words); ``NOT_PRESENTED`` says the value is not its scheme's (an API key in
``Authorization`` that begins with another scheme's word).

Both engines read the schemes the same way: the fast engine with :class:`OperationSecurity`
here, Connexion with its own security handlers (``server.engine.reference``). Both decide the
alternatives with :func:`first_presented`, which differs from Connexion's own rule on purpose.
"""

import base64
import binascii
import http.cookies
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from inspect import iscoroutine
from typing import Any
from urllib.parse import parse_qsl

from connexion.security import NO_VALUE
from connexion.utils import get_function_from_name
from starlette.requests import Request
from starlette.types import Scope

from server.errors import AuthenticationFailed
from server.http.challenges import Challenges

# What a scheme's reading answers when the request does not carry it (Connexion's own value).
NOT_PRESENTED: Any = NO_VALUE
# The scope key under which an engine leaves what the security of the request's operation
# decided: the claims of the alternative that was met, {} for an anonymous call.
VERIFIED = "hubindex.verified"
# The scope key under which an engine leaves the app's state, for checkers that need it.
STATE = "hubindex.state"

Check = Callable[[Any], Any]  # a request -> claims, NOT_PRESENTED, or a coroutine of them


def claims_of(scope: Scope) -> Mapping[str, Any] | None:
    """What the security of the request's operation decided; None when it has no security."""
    return scope.get(VERIFIED)


async def first_presented(
    checks: Sequence[Check], anonymous: bool, reads_authorization: bool, request: Any
) -> Mapping[str, Any]:
    """The claims of the first alternative whose schemes the request all carries.

    hubindex's rule, stricter than OpenAPI's bare "one requirement met" and than Connexion,
    which tries the next alternative after a refusal: credentials a request carries are checked,
    and a refusal is final, even where an anonymous call would be allowed; so is an
    ``Authorization`` header that no scheme of the operation takes, where one reads it. An
    anonymous call (``{}`` in the spec, wherever it is listed) is allowed only when the
    request carries none of the operation's schemes.
    """
    for check in checks:
        claims = check(request)
        while iscoroutine(claims):
            claims = await claims
        if claims is not NOT_PRESENTED:
            return claims  # type: ignore[no-any-return]
    authorization = request.headers.get("authorization") if reads_authorization else None
    if authorization is not None:  # an empty one too: a client that meant to send one
        raise AuthenticationFailed(_not_taken(authorization))
    if anonymous:
        return {}
    raise AuthenticationFailed("authentication required")


_SCHEME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,31}")


def _not_taken(authorization: str) -> str:
    words = authorization.split(maxsplit=1)
    word = words[0] if words else ""
    if _SCHEME_WORD.fullmatch(word):
        return f"{word} credentials are not accepted here"
    return "unsupported authorization scheme"


# How Connexion tells a checker what it may take (connexion.security, _generic_check).
def _takes(function: Callable[..., Any], name: str) -> bool:
    parameters = inspect.signature(function).parameters.values()
    return any(p.kind is p.VAR_KEYWORD or p.name == name for p in parameters)


async def _checked(
    function: Callable[..., Any], scopes: list[str] | None, takes: tuple[bool, bool], *values: Any
) -> Any:
    """The checker's answer; None becomes a 401, as in Connexion."""
    takes_scopes, takes_request = takes
    keywords: dict[str, Any] = {}
    if takes_scopes:
        keywords["required_scopes"] = scopes
    if takes_request:
        keywords["request"] = values[-1]
    answer = function(*values[:-1], **keywords)
    while iscoroutine(answer):
        answer = await answer
    if answer is None:
        raise AuthenticationFailed("the credentials were not accepted")
    return answer


@dataclass(frozen=True, slots=True)
class Scheme:
    """One security scheme of the spec, as ``generated/requests.py`` lists it."""

    name: str
    kind: str  # basic, bearer, apiKey
    location: str | None  # for apiKey: header, query or cookie
    key: str | None  # for apiKey: the header's, parameter's or cookie's name
    function: Callable[..., Any]

    @classmethod
    def of(cls, name: str, entry: Mapping[str, Any]) -> "Scheme":
        return cls(
            name,
            entry["type"],
            entry.get("in"),
            entry.get("name"),
            get_function_from_name(entry["function"]),
        )

    @property
    def reads_authorization(self) -> bool:
        if self.kind == "apiKey":
            return self.location == "header" and (self.key or "").lower() == "authorization"
        return True

    def reader(self, scopes: list[str] | None) -> Callable[[Request], Any]:
        """A request -> the checker's answer, or NOT_PRESENTED: Connexion's handler of the
        scheme's type, to the letter (connexion.security), except that a Basic pair must be
        base64 itself (RFC 7617), where Connexion drops the characters that are not."""
        function = self.function
        takes = (_takes(function, "required_scopes"), _takes(function, "request"))
        if self.kind in ("basic", "bearer"):
            wanted = self.kind
            scopes = None  # Connexion hands an HTTP scheme's checker none

            def read_authorization(request: Request) -> Any:
                kind, value = _authorization(request)
                if kind != wanted:
                    return NOT_PRESENTED
                if wanted == "bearer":
                    return _checked(function, scopes, takes, value, request)
                username, password = _basic_pair(value)
                return _checked(function, scopes, takes, username, password, request)

            return read_authorization
        location, key = self.location, self.key or ""
        header_key = key.lower().encode("latin-1")

        def read_key(request: Request) -> Any:
            value = _api_key(request.scope, location, key, header_key)
            if value is None:
                return NOT_PRESENTED
            return _checked(function, scopes, takes, value, request)

        return read_key


def _authorization(request: Request) -> tuple[str | None, str | None]:
    authorization = _header(request.scope, b"authorization")
    if not authorization:
        return None, None
    try:
        kind, value = authorization.split(maxsplit=1)
    except ValueError:
        raise AuthenticationFailed("malformed Authorization header") from None
    return kind.lower(), value


def _basic_pair(encoded: str | None) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded or "", validate=True).decode("latin-1")
    except (binascii.Error, ValueError):  # not base64, or a character outside ASCII
        raise AuthenticationFailed("malformed Basic credentials") from None
    username, colon, password = decoded.partition(":")
    if not colon:
        raise AuthenticationFailed("malformed Basic credentials")
    return username, password


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")  # type: ignore[no-any-return]
    return None


def _api_key(scope: Scope, location: str | None, key: str, header_key: bytes) -> str | None:
    if location == "header":
        return _header(scope, header_key)
    if location == "query":
        found = None
        query = scope["query_string"].decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name == key:
                found = value  # the last, as Starlette's query_params.get
        return found
    if location == "cookie":
        # As Connexion reads it: the standard library's parser over the Cookie header.
        cookies = http.cookies.SimpleCookie()
        cookies.load(_header(scope, b"cookie") or "")
        morsel = cookies.get(key)
        return None if morsel is None else morsel.value
    return None


def _all_of(readers: Sequence[tuple[str, Callable[[Request], Any]]]) -> Check:
    """An AND of schemes, as Connexion's verify_multiple_schemes: each read in the spec's
    order; not presented as soon as one is not; the claims of each, by scheme name."""

    async def check(request: Request) -> Any:
        claims = {}
        for name, read in readers:
            answer = read(request)
            while iscoroutine(answer):
                answer = await answer
            if answer is NOT_PRESENTED:
                return NOT_PRESENTED
            claims[name] = answer
        return claims

    return check


@dataclass(frozen=True, slots=True)
class OperationSecurity:
    """An operation's security requirements, compiled for the fast engine."""

    checks: tuple[Check, ...]
    anonymous: bool
    reads_authorization: bool

    @classmethod
    def of(
        cls,
        requirements: Sequence[Sequence[Sequence[Any]]],
        schemes: Mapping[str, Scheme],
        challenges: Challenges,
    ) -> "OperationSecurity | None":
        """``requirements``: the alternatives, each a list of (scheme name, scopes); None for
        an operation without security. A Bearer scheme's refusal is marked for ``challenges``."""
        if not requirements:
            return None
        checks: list[Check] = []
        for requirement in requirements:
            readers = [
                (name, challenges.watching(name, schemes[name].reader(list(scopes))))
                for name, scopes in requirement
            ]
            if len(readers) == 1:
                checks.append(readers[0][1])
            elif readers:
                checks.append(_all_of(readers))
        used = {name for requirement in requirements for name, _ in requirement}
        return cls(
            tuple(checks),
            anonymous=any(not requirement for requirement in requirements),
            reads_authorization=any(schemes[name].reads_authorization for name in used),
        )

    async def verify(self, request: Request) -> Mapping[str, Any]:
        return await first_presented(self.checks, self.anonymous, self.reads_authorization, request)


def load_schemes(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, Scheme]:
    """Every scheme of ``generated/requests.py``'s SCHEMES, its checker imported."""
    return {name: Scheme.of(name, entry) for name, entry in entries.items()}
