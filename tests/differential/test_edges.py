"""Hand-picked requests over the real spec to both engines: the edges of media types, numbers,
patterns, repeated parameters, methods and paths, where the two readings could part.

Each edge is what both engines answer, or, where Connexion differs, its answer and the rule that
makes hubindex differ. Success bodies are compared; error bodies are worded by each engine.
"""

import base64
from dataclasses import dataclass, field

import httpx
import pytest

from tests.contract.conftest import ADMIN
from tests.differential.conftest import Pair
from tests.differential.engines import Answer, client
from tests.differential.rules import (
    CONCRETE_PATHS,
    ECMA_PATTERNS,
    INTEGER_TEXT,
    MEDIA_TYPE_CASE,
    SLASHES,
)

BASIC = "Basic " + base64.b64encode(":".join(ADMIN).encode()).decode()
REPOSITORY = f"/v1/repositories/{ADMIN[0]}/edges/"
IMAGES = f"/v1/repositories/{ADMIN[0]}/edges/images"
ID = "9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f"
AUTH = f"/v1/repositories/{ADMIN[0]}/edges/auth"
FORGED_TOKEN = f'Token signature=Zm9yZ2Vk,repository="{ADMIN[0]}/edges",access=read'
BASIC_CHALLENGE = 'Basic realm="hubindex"'
TOKEN_CHALLENGE = 'Token realm="hubindex"'


@dataclass(frozen=True)
class Edge:
    id: str
    method: str
    path: str
    status: int  # what both engines answer (hubindex's, where Connexion differs)
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    connexion: tuple[int, str] | None = None  # Connexion's status where it differs, and why
    challenges: tuple[str, ...] = ()  # a 401's WWW-Authenticate fields, on both engines
    allow: set[str] | None = None  # a 405's Allow (hubindex's), where the edge says


def _put(name: str, content_type: str | None, content: bytes, status: int, **more) -> Edge:
    headers = {"Authorization": BASIC}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return Edge(name, "PUT", REPOSITORY, status, headers, content, **more)


EDGES = [
    # Media types and bodies.
    _put("json", "application/json", b"[]", 200),
    _put("json-charset", "application/json; charset=latin-1", b"[]", 200),
    _put("json-upper-case", "application/JSON", b"[]", 200, connexion=(400, MEDIA_TYPE_CASE)),
    _put("json-suffix", "application/merge-patch+json", b"[]", 415),
    _put("content-type-empty", "", b"[]", 415),
    _put("content-type-missing", None, b"[]", 400),
    _put("body-empty", "application/json", b"", 400),
    _put("body-null", "application/json", b"null", 400),
    _put("body-blank-around", "application/json", b" [] ", 200),
    _put("body-bom", "application/json", b"\xef\xbb\xbf[]", 400),
    _put("body-not-utf8", "application/json", b'[{"id": "\xff"}]', 400),
    _put("body-lone-surrogate", "application/json", b'["\\ud800"]', 400),
    _put("body-nan", "application/json", b'[{"id": "%s", "checksum": NaN}]' % ID.encode(), 400),
    _put("body-entry", "application/json", b'[{"id": "%s", "Tag": "x"}]' % ID.encode(), 200),
    Edge(
        "images-after-put",
        "GET",
        IMAGES,
        200,
        headers={"X-Docker-Token": "true"},
    ),
    # Integers: a sign and leading zeros, not spaces, fractions or exponents.
    Edge("integer", "GET", "/v1/search?q=edges&n=3", 200),
    Edge("integer-plus", "GET", "/v1/search?q=edges&n=%2B3", 200),
    Edge("integer-leading-zero", "GET", "/v1/search?q=edges&n=03", 200),
    Edge("integer-empty", "GET", "/v1/search?q=edges&n=", 400),
    Edge("integer-fraction", "GET", "/v1/search?q=edges&n=3.0", 400),
    Edge("integer-exponent", "GET", "/v1/search?q=edges&page=1e0", 400),
    Edge("integer-nul", "GET", "/v1/search?q=edges&n=3%00", 400),
    Edge("integer-space", "GET", "/v1/search?q=edges&n=%203", 400, connexion=(200, INTEGER_TEXT)),
    Edge(
        "integer-underscore",
        "GET",
        "/v1/search?q=edges&page=0_1",
        400,
        connexion=(200, INTEGER_TEXT),
    ),
    # A repeated parameter: the last one counts.
    Edge("repeated-last-too-big", "GET", "/v1/search?q=edges&n=3&n=200", 400),
    Edge("repeated-last-fine", "GET", "/v1/search?q=edges&n=200&n=3", 200),
    Edge("text-not-utf8", "GET", "/v1/search?q=%FF", 200),
    Edge("text-nul", "GET", "/v1/search?q=a%00b", 200),
    # Patterns and enums.
    Edge("pattern-upper-case", "GET", "/v1/repositories/Edges/x/images", 400),
    Edge(
        "pattern-final-newline",
        "GET",
        "/v1/users/confirm?code=abc%0A",
        400,
        connexion=(404, ECMA_PATTERNS),
    ),
    Edge("min-length", "GET", "/v1/users/confirm?code=", 400),
    Edge("required-missing", "GET", "/v1/users/confirm", 400),
    Edge("header-enum", "GET", IMAGES, 400, headers={"X-Docker-Token": "yes"}),
    Edge("header-empty", "GET", IMAGES, 400, headers={"X-Docker-Token": ""}),
    # Methods and paths.
    Edge("head", "HEAD", "/v1/_ping", 200),
    Edge("options", "OPTIONS", "/v1/_ping", 405),
    Edge("method-not-allowed", "PATCH", "/v1/users/", 405),
    Edge("unknown-path", "GET", "/v1/nothing", 404),
    # /v2/users/login (POST) is also /v2/users/{username} (GET): a concrete path is its own
    # path item alone (OpenAPI matches it first), so a GET there is a 405 listing POST;
    # Starlette, under Connexion, falls through to the profile of a user named login.
    Edge(
        "concrete-path-template-method",
        "GET",
        "/v2/users/login",
        405,
        allow={"POST"},
        connexion=(404, CONCRETE_PATHS),
    ),
    Edge("concrete-path-options", "OPTIONS", "/v2/users/login", 405, allow={"POST"}),
    Edge("encoded-slash", "GET", f"/v1/repositories/{ADMIN[0]}/ed%2Fges/images", 404),
    Edge("other-slash-spelling", "GET", "/v1/_ping/", 200, connexion=(307, SLASHES)),
    Edge("other-slash-spelling-query", "GET", "/v1/search/?q=edges", 200, connexion=(307, SLASHES)),
    # A 401 challenges with the operation's schemes (server/http/challenges.py).
    Edge("login-anonymous", "GET", "/v1/users/", 401, challenges=(BASIC_CHALLENGE,)),
    Edge(
        "login-a-token",
        "GET",
        "/v1/users/",
        401,
        headers={"Authorization": FORGED_TOKEN},
        challenges=(BASIC_CHALLENGE,),
    ),
    Edge("token-check-anonymous", "PUT", AUTH, 401, challenges=(TOKEN_CHALLENGE,)),
    Edge(
        "token-check-forged",
        "PUT",
        AUTH,
        401,
        headers={"Authorization": FORGED_TOKEN},
        challenges=(TOKEN_CHALLENGE,),
    ),
    Edge(
        "token-check-basic",
        "PUT",
        AUTH,
        401,
        headers={"Authorization": BASIC},
        challenges=(TOKEN_CHALLENGE,),
    ),
    Edge(
        "images-forged-token",
        "GET",
        IMAGES,
        401,
        headers={"Authorization": FORGED_TOKEN},
        challenges=(BASIC_CHALLENGE, TOKEN_CHALLENGE),
    ),
    Edge(
        "images-put-anonymous",
        "PUT",
        IMAGES,
        401,
        headers={"Content-Type": "application/json"},
        content=b"[]",
        challenges=(BASIC_CHALLENGE, TOKEN_CHALLENGE),
    ),
]


@pytest.mark.parametrize("edge", EDGES, ids=[edge.id for edge in EDGES])
def test_both_engines_answer_the_edge(engines: Pair, edge: Edge) -> None:
    fast, reference = (_send(engines, side.app, edge) for side in engines.sides)
    for answer in (fast, reference):
        if answer.status >= 400:  # protocol.md, Errors: {"error": ...}, readable
            assert isinstance(answer.body, dict), answer
            assert set(answer.body) == {"error"}, answer
            assert "\n" not in answer.body["error"], answer
    assert fast.status == edge.status, fast
    assert bool(edge.challenges) == (edge.status == 401), "a 401 edge says its challenges"
    assert fast.challenges == edge.challenges, fast
    if edge.allow is not None:  # Connexion's Allow names one operation's method only
        assert fast.allow == edge.allow, fast
    if edge.connexion is not None:
        assert reference.status == edge.connexion[0], reference
        return
    assert reference.status == edge.status, reference
    assert reference.challenges == edge.challenges, reference
    if fast.success:
        assert fast.body == reference.body


def _send(pair: Pair, app, edge: Edge) -> Answer:
    async def send() -> httpx.Response:
        async with client(app) as http:
            return await http.request(
                edge.method, edge.path, headers=edge.headers, content=edge.content
            )

    return Answer.of(pair.portal.call(send))
