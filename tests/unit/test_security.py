"""server/http/security.py: each scheme type read from where it says, its checker called with
Connexion's arguments, and the alternatives decided by hubindex's rule."""

import base64
from typing import Any

import pytest
from starlette.requests import Request

from server.errors import AuthenticationFailed, TooManyFailedLogins
from server.http.challenges import Challenges
from server.http.security import NOT_PRESENTED, OperationSecurity, Scheme

pytestmark = pytest.mark.anyio

called: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []


def basic(username: str, password: str) -> Any:
    called.append(("basic", (username, password), {}))
    return {"sub": username} if password == "right" else None


async def bearer(token: str, required_scopes: Any = None, request: Any = None) -> Any:
    called.append(("bearer", (token,), {"scopes": required_scopes, "request": request}))
    if token == "slow-down":
        raise TooManyFailedLogins(5)
    return {"sub": f"bearer:{token}"} if token.startswith("good") else None


def key(value: str, **given: Any) -> Any:
    called.append(("key", (value,), {"scopes": given["required_scopes"]}))
    if value.startswith("Basic "):
        return NOT_PRESENTED
    return {"sub": f"key:{value}"} if value == "k1" else None


def _scheme(
    name: str, kind: str, function: Any, where: str | None = None, key_name: str = ""
) -> Scheme:
    return Scheme(name, kind, where, key_name or None, function)


SCHEMES = {
    "basic": _scheme("basic", "basic", basic),
    "bearer": _scheme("bearer", "bearer", bearer),
    "header": _scheme("header", "apiKey", key, "header", "X-Key"),
    "query": _scheme("query", "apiKey", key, "query", "key"),
    "cookie": _scheme("cookie", "apiKey", key, "cookie", "key"),
    "authorization": _scheme("authorization", "apiKey", key, "header", "Authorization"),
}


# SCHEMES as generated/requests.py lists them.
ENTRIES = {
    name: {"type": scheme.kind, "in": scheme.location, "name": scheme.key}
    for name, scheme in SCHEMES.items()
}


def _security(*alternatives: tuple[str, ...]) -> OperationSecurity:
    requirements = [[[name, []] for name in alternative] for alternative in alternatives]
    security = OperationSecurity.of(requirements, SCHEMES, Challenges.of(requirements, ENTRIES))
    assert security is not None
    return security


def _request(headers: dict[str, str] | None = None, query: str = "") -> Request:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    scope = {"type": "http", "method": "GET", "path": "/", "headers": raw}
    scope["query_string"] = query.encode()
    return Request(scope)


def _basic(pair: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


@pytest.fixture(autouse=True)
def _calls() -> None:
    called.clear()


async def test_basic_hands_the_pair_decoded_as_latin1_split_at_the_first_colon():
    claims = await _security(("basic",)).verify(_request(_basic("jörg:right".encode())))
    assert claims == {"sub": "jÃ¶rg"}
    with pytest.raises(AuthenticationFailed):
        await _security(("basic",)).verify(_request(_basic(b"al:ice:right")))
    assert called[1] == ("basic", ("al", "ice:right"), {})


@pytest.mark.parametrize(
    "authorization",
    ["Basic !!!", "Basic", "Basic " + base64.b64encode(b"no-colon").decode(), "Basic a\u00e9"],
)
async def test_a_malformed_basic_pair_is_a_401_before_any_checker(authorization: str):
    with pytest.raises(AuthenticationFailed):
        await _security(("basic",)).verify(_request({"Authorization": authorization}))
    assert called == []


async def test_a_checker_answering_none_is_a_401():
    with pytest.raises(AuthenticationFailed):
        await _security(("basic",)).verify(_request(_basic(b"alice:wrong")))


async def test_the_request_and_scopes_are_passed_where_taken_as_connexion_passes_them():
    request = _request({"Authorization": "Bearer good1", "X-Key": "k1"})
    assert await _security(("bearer",)).verify(request) == {"sub": "bearer:good1"}
    assert await _security(("header",)).verify(request) == {"sub": "key:k1"}
    # Connexion hands an HTTP scheme's checker no scopes, an API key's the requirement's list.
    expected = [
        ("bearer", ("good1",), {"scopes": None, "request": request}),
        ("key", ("k1",), {"scopes": []}),
    ]
    assert called == expected


async def test_an_error_of_the_checker_is_its_own():
    with pytest.raises(TooManyFailedLogins):
        await _security(("bearer",)).verify(_request({"Authorization": "Bearer slow-down"}))


@pytest.mark.parametrize(
    ("name", "headers", "query"),
    [
        ("header", {"X-Key": "k1"}, ""),
        ("query", {}, "key=zz&key=k1"),  # the last, as Starlette (and Connexion) read it
        ("cookie", {"Cookie": "other=1; key=k1"}, ""),
    ],
)
async def test_an_api_key_is_read_where_its_scheme_says(
    name: str, headers: dict[str, str], query: str
):
    assert await _security((name,)).verify(_request(headers, query)) == {"sub": "key:k1"}


async def test_and_checks_both_and_answers_each_ones_claims_by_name():
    request = _request({"Authorization": "Bearer good2", "X-Key": "k1"})
    claims = await _security(("bearer", "header")).verify(request)
    assert claims == {"bearer": {"sub": "bearer:good2"}, "header": {"sub": "key:k1"}}


async def test_and_with_one_missing_is_not_presented():
    with pytest.raises(AuthenticationFailed, match="authentication required"):
        await _security(("header", "query")).verify(_request({"X-Key": "k1"}))


async def test_or_takes_the_first_presented():
    security = _security(("basic",), ("bearer",))
    assert await security.verify(_request({"Authorization": "Bearer good3"})) == {
        "sub": "bearer:good3"
    }
    assert [call[0] for call in called] == ["bearer"]


async def test_anonymous_only_when_nothing_is_presented():
    security = _security((), ("basic",))  # anonymous listed first: still the last resort
    assert await security.verify(_request()) == {}
    assert await security.verify(_request(_basic(b"alice:right"))) == {"sub": "alice"}


async def test_wrong_credentials_are_refused_even_where_anonymous_is_allowed():
    with pytest.raises(AuthenticationFailed):
        await _security(("basic",), ()).verify(_request(_basic(b"alice:wrong")))


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("Token abc", "Token credentials are not accepted here"),
        ("\u00ff\u00fe \u00fd", "unsupported authorization scheme"),
        ("", "unsupported authorization scheme"),
    ],
)
async def test_an_authorization_no_scheme_takes_is_refused_even_where_anonymous_is_allowed(
    authorization: str, message: str
):
    with pytest.raises(AuthenticationFailed, match=message):
        await _security(("basic",), ()).verify(_request({"Authorization": authorization}))


async def test_an_authorization_is_ignored_where_no_scheme_reads_it():
    security = _security(("query",), ())
    assert await security.verify(_request({"Authorization": "Token abc"})) == {}


async def test_an_api_key_in_authorization_may_leave_another_scheme_its_header():
    security = _security(("authorization",), ("basic",))
    assert await security.verify(_request(_basic(b"bob:right"))) == {"sub": "bob"}
    assert [call[0] for call in called] == ["key", "basic"]
