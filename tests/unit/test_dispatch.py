"""The dispatcher compiled from a small spec, in front of a stand-in for the rest of the app."""

from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from server.dispatch import Dispatcher

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
                    {"name": "X-Flag", "in": "header", "schema": {"enum": ["on", "off"]}},
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
        }
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
        spec=SPEC,
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


NAMES_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/probes/{probeId}": {
            "get": {
                "operationId": "probes.get",
                "parameters": [
                    {
                        "name": "probeId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    {"name": "page-size", "in": "query", "schema": {"type": "integer"}},
                    {"name": "from", "in": "query", "schema": {"type": "string"}},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": {"204": {"description": "ok"}},
            }
        }
    },
}


@pytest.mark.anyio
async def test_parameters_reach_the_glue_by_connexion_s_pythonic_names():
    calls: list[dict[str, Any]] = []

    async def get(
        _request: Request,
        _state: Any,
        *,
        probe_id: str,
        page_size: int | None = None,
        from_: str | None = None,
        flag: bool | None = None,
    ):
        calls.append({"probe_id": probe_id, "page_size": page_size, "from_": from_, "flag": flag})
        return Response(status_code=204)

    dispatcher = Dispatcher(
        _rest_of_the_app,
        spec=NAMES_SPEC,
        resolve=lambda _operation_id: get,
        state=None,  # type: ignore[arg-type]
        validate_responses=False,
    )
    transport = httpx.ASGITransport(dispatcher)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/probes/p1?page-size=3&from=x&flag=true")).status_code == 204
        assert (await client.get("/probes/p2?flag=False")).status_code == 204
        refused = await client.get("/probes/p3?flag=yes")
    assert calls == [
        {"probe_id": "p1", "page_size": 3, "from_": "x", "flag": True},
        {"probe_id": "p2", "page_size": None, "from_": None, "flag": False},
    ]
    assert (refused.status_code, refused.json()) == (
        400,
        {"error": "query parameter 'flag': 'yes' is not of type 'boolean'"},
    )
