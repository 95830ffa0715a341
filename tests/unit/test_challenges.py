"""server/http/challenges.py: a 401's WWW-Authenticate, one challenge per scheme the operation
accepts, in the spec's order; Bearer's error="invalid_token" only after a bearer token was
presented and refused; the default outside an operation."""

import base64
from typing import Any

import pytest
from connexion.exceptions import OAuthProblem
from starlette.requests import Request

from server.errors import AuthenticationFailed, PermissionDenied, TooManyFailedLogins
from server.http.challenges import DEFAULT, Challenges, challenge, challenged
from server.http.responses import response_for
from server.http.security import NOT_PRESENTED, OperationSecurity, Scheme

pytestmark = pytest.mark.anyio

BASIC = 'Basic realm="hubindex"'
BEARER = 'Bearer realm="hubindex"'
REFUSED = 'Bearer realm="hubindex", error="invalid_token"'
HEADER_KEY = 'ApiKey realm="hubindex", in="header", name="X-Key"'
QUERY_KEY = 'ApiKey realm="hubindex", in="query", name="key"'


def basic(username: str, password: str) -> Any:
    return {"sub": username} if password == "right" else None


def bearer(token: str) -> Any:
    if token == "slow-down":
        raise TooManyFailedLogins(5)
    return {"sub": token} if token.startswith("good") else None


def key(value: str) -> Any:
    if value.startswith("Basic "):
        return NOT_PRESENTED
    return {"sub": value} if value.endswith("k1") else None


ENTRIES: dict[str, dict[str, Any]] = {
    "basic": {"type": "basic", "function": basic},
    "password": {"type": "basic", "function": basic},  # Basic again, under another name
    "bearer": {"type": "bearer", "function": bearer},
    "header": {"type": "apiKey", "in": "header", "name": "X-Key", "function": key},
    "query": {"type": "apiKey", "in": "query", "name": "key", "function": key},
    # A token after a word of its own in Authorization, which the spec names.
    "jwt": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "challenge": "Bearer",
        "function": key,
    },
    "docker": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "challenge": "Token",
        "function": key,
    },
}
SCHEMES = {
    name: Scheme(name, entry["type"], entry.get("in"), entry.get("name"), entry["function"])
    for name, entry in ENTRIES.items()
}


def _requirements(*alternatives: tuple[str, ...]) -> list[list[list[Any]]]:
    return [[[name, []] for name in alternative] for alternative in alternatives]


def _request(headers: dict[str, str] | None = None, query: str = "") -> Request:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    scope = {"type": "http", "method": "GET", "path": "/", "headers": raw}
    scope["query_string"] = query.encode()
    return Request(scope)


async def _refused(request: Request, *alternatives: tuple[str, ...]) -> tuple[str, ...]:
    """The challenges of the 401 the fast engine's readers answer ``request`` with."""
    requirements = _requirements(*alternatives)
    challenges = Challenges.of(requirements, ENTRIES)
    security = OperationSecurity.of(requirements, SCHEMES, challenges)
    assert security is not None
    with pytest.raises(AuthenticationFailed):
        await security.verify(request)
    return challenges.of_request(request.scope)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("basic", BASIC),
        ("bearer", BEARER),
        ("header", HEADER_KEY),
        ("query", QUERY_KEY),
        ("jwt", BEARER),
        ("docker", 'Token realm="hubindex"'),
    ],
)
def test_each_scheme_challenges_by_its_type_or_the_word_the_spec_names(name: str, expected: str):
    assert challenge(ENTRIES[name]) == expected


def test_an_api_key_name_is_a_quoted_string_or_left_out():
    quoted = challenge({"type": "apiKey", "in": "cookie", "name": 'a"b\\c'})
    assert quoted == 'ApiKey realm="hubindex", in="cookie", name="a\\"b\\\\c"'
    # A control character cannot be sent in a header at all.
    assert challenge({"type": "apiKey", "in": "query", "name": "a\nb"}) == (
        'ApiKey realm="hubindex", in="query"'
    )


def test_one_challenge_per_scheme_in_the_spec_order_each_text_once():
    requirements = _requirements(("bearer", "header"), (), ("password",), ("basic",), ("query",))
    challenges = Challenges.of(requirements, ENTRIES)
    assert challenges.plain == (BEARER, HEADER_KEY, BASIC, QUERY_KEY)
    assert challenges.refused == (REFUSED, HEADER_KEY, BASIC, QUERY_KEY)


@pytest.mark.parametrize("requirements", [[], [[]]], ids=["no security", "anonymous only"])
def test_an_operation_without_schemes_challenges_with_the_default(requirements: list[Any]):
    challenges = Challenges.of(requirements, ENTRIES)
    assert challenges.plain == challenges.refused == DEFAULT == (BASIC,)


async def test_no_bearer_token_presented_no_error():
    assert await _refused(_request(), ("bearer",)) == (BEARER,)


@pytest.mark.parametrize(
    "authorization", ["Bearer wrong", "bEARER wrong", "Bearer", "Bearer not-good"]
)
async def test_a_bearer_token_presented_and_refused_is_an_invalid_token(authorization: str):
    assert await _refused(_request({"Authorization": authorization}), ("bearer",)) == (REFUSED,)


@pytest.mark.parametrize(
    "authorization",
    ["Basic", "Token abc", "Basic !!!", "Basic " + base64.b64encode(b"alice:wrong").decode()],
)
async def test_another_scheme_refused_is_no_invalid_token(authorization: str):
    request = _request({"Authorization": authorization})
    assert await _refused(request, ("bearer",), ("basic",)) == (BEARER, BASIC)


async def test_a_bearer_token_accepted_beside_a_refused_key_is_no_invalid_token():
    request = _request({"Authorization": "Bearer good", "X-Key": "wrong"})
    assert await _refused(request, ("bearer", "header")) == (BEARER, HEADER_KEY)


async def test_a_token_refused_by_an_api_key_challenging_bearer_is_an_invalid_token():
    request = _request({"Authorization": "JWT wrong"})
    assert await _refused(request, ("jwt",), ("basic",)) == (REFUSED, BASIC)


async def test_a_checkers_refusal_other_than_401_marks_nothing():
    requirements = _requirements(("bearer",))
    challenges = Challenges.of(requirements, ENTRIES)
    security = OperationSecurity.of(requirements, SCHEMES, challenges)
    assert security is not None
    request = _request({"Authorization": "Bearer slow-down"})
    with pytest.raises(TooManyFailedLogins):
        await security.verify(request)
    assert challenges.of_request(request.scope) == (BEARER,)


async def test_a_refusal_of_connexions_own_readers_marks_too():
    challenges = Challenges.of(_requirements(("bearer",)), ENTRIES)

    async def connexions_reader(_request: Any) -> Any:
        raise OAuthProblem(detail="Provided token is not valid")

    request = _request({"Authorization": "Bearer wrong"})
    with pytest.raises(OAuthProblem):
        await challenges.watching("bearer", connexions_reader)(request)
    assert challenges.of_request(request.scope) == (REFUSED,)


def test_a_scheme_without_a_bearer_challenge_keeps_its_reader():
    challenges = Challenges.of(_requirements(("basic",), ("header",)), ENTRIES)
    assert challenges.watching("basic", basic) is basic


def test_a_401_carries_each_challenge_in_a_field_of_its_own():
    error = challenged(AuthenticationFailed("authentication required"), (BASIC, BEARER))
    response = response_for(error)
    assert response.status_code == 401
    assert response.headers.getlist("www-authenticate") == [BASIC, BEARER]


def test_a_401_outside_an_operation_carries_the_default():
    response = response_for(AuthenticationFailed("authentication required"))
    assert response.headers.getlist("www-authenticate") == [BASIC]


def test_other_errors_carry_no_challenge():
    response = response_for(PermissionDenied("no"))
    assert "www-authenticate" not in response.headers
