"""The dispatcher compiled from a small spec, in front of a stand-in for the rest of the app."""

import importlib.util
import sys
from typing import Any

import httpx
import pytest
import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from server.engine.fast import Dispatcher
from tests.conftest import ROOT
from tests.unit.compiled import compiled

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things/{name}/": {
            "parameters": [
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "things.get",
                "parameters": [
                    {"$ref": "#/components/parameters/Size"},
                    {
                        "name": "X-Flag",
                        "in": "header",
                        "schema": {"type": "string", "enum": ["on", "off"]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    },
                    "404": {"description": "no"},
                },
            },
            "put": {
                "operationId": "things.put",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                    },
                },
                "responses": {"204": {"description": "stored"}},
            },
        },
        "/report": {
            "get": {
                "operationId": "things.report",
                "responses": {
                    "200": {
                        "description": "the report",
                        "content": {"text/csv": {"schema": {"type": "string", "maxLength": 5}}},
                    },
                    "4XX": {
                        "description": "no",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    },
                    "default": {"description": "whatever else"},
                },
            }
        },
    },
    "components": {
        "parameters": {
            "Size": {
                "name": "n",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10},
            }
        },
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}},
            }
        },
    },
}


STATE: Any = object()  # what the stand-in glue must be handed as the app's state


class Glue:
    """Stand-ins for the generated glue, recording what they were called with."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answer: Response = JSONResponse({"name": "ok"})

    def resolve(self, operation_id: str) -> Any:
        if operation_id == "things.get":

            async def get(
                request: Request, state: Any, *, name: str, n: int = 5, x_flag: str | None = None
            ) -> Response:
                assert isinstance(request, Request)
                assert state is STATE  # passed explicitly, not through the scope
                self.calls.append((operation_id, {"name": name, "n": n, "x_flag": x_flag}))
                return self.answer

            return get
        if operation_id == "things.report":

            async def report(request: Request, state: Any) -> Response:
                return self.answer

            return report

        async def put(request: Request, state: Any, *, name: str, body: Any = None) -> Response:
            self.calls.append((operation_id, {"name": name, "body": body}))
            return Response(status_code=204)

        return put


async def _rest_of_the_app(scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse({"error": "not an operation"}, 404)(scope, receive, send)


@pytest.fixture
def glue() -> Glue:
    return Glue()


def _client(glue: Glue, *, validate_responses: bool = False) -> httpx.AsyncClient:
    dispatcher = Dispatcher(
        _rest_of_the_app,
        compiled=compiled(SPEC),
        resolve=glue.resolve,
        state=STATE,
        validate_responses=validate_responses,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(dispatcher), base_url="http://t")


@pytest.mark.anyio
async def test_parameters_headers_included_are_coerced_and_passed_by_name(glue: Glue):
    async with _client(glue) as client:
        response = await client.get("/things/box/?n=3&n=7", headers={"X-Flag": "on"})
    assert response.status_code == 200
    # A repeated query parameter keeps its last value, as Connexion does.
    assert glue.calls == [("things.get", {"name": "box", "n": 7, "x_flag": "on"})]


@pytest.mark.anyio
async def test_both_slash_spellings_and_head_reach_the_operation(glue: Glue):
    async with _client(glue) as client:
        assert (await client.get("/things/box")).status_code == 200
        assert (await client.head("/things/box/")).status_code == 200
    assert [call[1]["name"] for call in glue.calls] == ["box", "box"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("query", "headers", "error"),
    [
        ("n=abc", {}, "query parameter 'n': 'abc' is not of type 'integer'"),
        ("n=11", {}, "query parameter 'n': 11 is greater than the maximum of 10"),
        # int() would take these; an integer parameter is ASCII digits with an optional sign.
        ("n=%D9%A3", {}, "query parameter 'n': '\u0663' is not of type 'integer'"),
        ("n=%203", {}, "query parameter 'n': ' 3' is not of type 'integer'"),
        ("n=1_0", {}, "query parameter 'n': '1_0' is not of type 'integer'"),
        ("n=3.0", {}, "query parameter 'n': '3.0' is not of type 'integer'"),
        ("", {"X-Flag": "maybe"}, "header parameter 'X-Flag': 'maybe' is not one of ['on', 'off']"),
    ],
)
async def test_a_bad_parameter_is_a_400_naming_it(
    glue: Glue, query: str, headers: dict[str, str], error: str
):
    async with _client(glue) as client:
        response = await client.get(f"/things/box/?{query}", headers=headers)
    assert (response.status_code, response.json()) == (400, {"error": error})
    assert glue.calls == []


@pytest.mark.anyio
@pytest.mark.parametrize(("query", "n"), [("n=%2B3", 3), ("n=07", 7), ("n=-0", None)])
async def test_an_integer_parameter_may_have_a_sign_and_leading_zeros(
    glue: Glue, query: str, n: int | None
):
    async with _client(glue) as client:
        response = await client.get(f"/things/box/?{query}")
    if n is None:  # -0 is 0, below the minimum: refused as a number, not as text
        assert response.json() == {"error": "query parameter 'n': 0 is less than the minimum of 1"}
    else:
        assert response.status_code == 200
        assert glue.calls == [("things.get", {"name": "box", "n": n, "x_flag": None})]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("content", "content_type", "status", "error"),
    [
        (b'{"name": "ok"}', "text/plain", 415, "Content-Type text/plain is not accepted here"),
        (b'{"name": "ok"}', None, 400, "the request body has no Content-Type"),
        (b"", "application/json", 400, "the request body must not be empty"),
        (b'{"name": 1}', "application/json", 400, "body.name: 1 is not of type 'string'"),
        (b'{"name": "a\\n"}', "application/json", 400, "body.name: 'a\\n' does not match"),
        # Python's json reads these; JSON has no such numbers.
        (b'{"name": NaN}', "application/json", 400, "the request body is not valid JSON: NaN"),
        (b'{"name": -Infinity}', "application/json", 400, "the request body is not valid JSON"),
    ],
)
async def test_a_bad_body_is_refused_before_the_glue_runs(
    glue: Glue, content: bytes, content_type: str | None, status: int, error: str
):
    headers = {} if content_type is None else {"Content-Type": content_type}
    async with _client(glue) as client:
        response = await client.put("/things/box/", content=content, headers=headers)
    assert response.status_code == status
    assert response.json()["error"].startswith(error)
    assert glue.calls == []


@pytest.mark.anyio
async def test_a_good_body_reaches_the_glue_parsed(glue: Glue):
    async with _client(glue) as client:
        response = await client.put(
            "/things/box/", json={"name": "ok", "extra": [1]}, headers={"X-Flag": "on"}
        )
    assert response.status_code == 204
    assert glue.calls == [("things.put", {"name": "box", "body": {"name": "ok", "extra": [1]}})]


@pytest.mark.anyio
async def test_a_method_the_path_does_not_allow_is_a_405_listing_those_it_does(glue: Glue):
    async with _client(glue) as client:
        response = await client.delete("/things/box")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, PUT"


@pytest.mark.anyio
async def test_what_is_not_an_operation_goes_on_to_the_rest_of_the_app(glue: Glue):
    async with _client(glue) as client:
        response = await client.get("/elsewhere")
    assert (response.status_code, response.json()) == (404, {"error": "not an operation"})


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (JSONResponse({"name": "NOT lower case"}), "body.name: 'NOT lower case' does not match"),
        (JSONResponse({"name": "ok"}, 201), "status 201 is not documented"),
        (Response("ok", media_type="text/plain"), "must be application/json"),
    ],
)
async def test_with_response_validation_an_answer_against_the_spec_is_a_500(
    glue: Glue, answer: Response, problem: str
):
    glue.answer = answer
    async with _client(glue, validate_responses=True) as client:
        response = await client.get("/things/box/")
    assert response.status_code == 500
    assert problem in response.json()["error"]
    async with _client(glue, validate_responses=False) as client:
        assert (await client.get("/things/box/")).status_code == answer.status_code


async def _csv() -> Any:
    yield b"a,b,c,d,e,f\n"  # longer than the schema allows: a stream is not checked


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (Response("a,b", media_type="text/csv"), None),
        (Response("a,b", media_type="text/plain"), "status 200 must be text/csv, not text/plain"),
        (Response("a,b,c,d", media_type="text/csv"), "'a,b,c,d' is too long"),
        (StreamingResponse(_csv(), media_type="text/csv"), None),
        (JSONResponse({"name": "ok"}, 404), None),  # 4XX
        (JSONResponse({"name": "NOT"}, 418), "'NOT' does not match"),
        (Response(status_code=503), None),  # default
        (JSONResponse({"name": "ok"}, 302), None),  # default: no body documented, none checked
    ],
)
async def test_responses_are_checked_by_status_range_or_default_and_media_type(
    glue: Glue, answer: Response, problem: str | None
):
    glue.answer = answer
    async with _client(glue, validate_responses=True) as client:
        response = await client.get("/report")
    if problem is None:
        assert response.status_code == answer.status_code, response.text
    else:
        assert response.status_code == 500
        assert problem in response.json()["error"]


PROBE_SPEC: dict[str, Any] = yaml.safe_load((ROOT / "tests" / "probe" / "openapi.yaml").read_text())


@pytest.fixture
def _probe_checkers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe's security checkers, where its spec names them (a probe checkout's
    server/probe_checkers.py): the dispatcher imports every scheme's checker as it starts."""
    spec = importlib.util.spec_from_file_location(
        "server.probe_checkers", ROOT / "tests" / "probe" / "checkers.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "server.probe_checkers", module)


@pytest.mark.anyio
@pytest.mark.usefixtures("_probe_checkers")
async def test_parameters_reach_the_glue_by_connexion_s_pythonic_names():
    """The probe spec's names: camelCase, hyphenated, keywords and builtins, a header and a
    cookie (tests/differential/test_probe.py runs the generated glue on both engines)."""
    calls: list[dict[str, Any]] = []

    async def read(_request: Request, _state: Any, **values: Any) -> Response:
        calls.append(values)
        return Response(status_code=204)

    dispatcher = Dispatcher(
        _rest_of_the_app,
        compiled=compiled(PROBE_SPEC),
        resolve=lambda _operation_id: read,
        state=STATE,
        validate_responses=False,
    )
    transport = httpx.ASGITransport(dispatcher)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        first = await client.get(
            "/probes/p1/items?kind=a&page-size=3&from=x&type=t&flag=true&tags=a&tags=b&ids=1,2",
            headers={"X-Request-Mode": "plain", "X-Retry-Count": "2", "Cookie": "session=s1"},
        )
        second = await client.get("/probes/p2/items?kind=b&flag=False&note=null")
        refused = await client.get("/probes/p3/items?kind=a&flag=yes")
    assert (first.status_code, second.status_code) == (204, 204)
    assert calls == [
        {
            "probe_id": "p1",
            "kind": "a",
            "page_size": 3,
            "from_": "x",
            "type_": "t",
            "flag": True,
            "tags": ["a", "b"],
            "ids": [1, 2],
            "x_request_mode": "plain",
            "x_retry_count": 2,
            "session": "s1",
        },
        # A nullable parameter's null is passed; what is absent is left to the glue's default.
        {"probe_id": "p2", "kind": "b", "flag": False, "note": None},
    ]
    assert (refused.status_code, refused.json()) == (
        400,
        {"error": "query parameter 'flag': 'yes' is not of type 'boolean'"},
    )
