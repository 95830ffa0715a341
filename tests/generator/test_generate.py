"""scripts/generate on the real spec and on edited copies of the checkout."""

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from tests.conftest import ROOT
from tests.generator.conftest import PYTHON
from tests.generator.conftest import edit_spec as _edit_spec
from tests.generator.conftest import generate as _generate


def test_the_spec_is_a_valid_openapi_3_0_document():
    spec = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    validate(spec)
    assert spec["openapi"] == "3.0.3"


def test_generated_is_up_to_date_with_the_spec():
    result = _generate(ROOT, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_regenerating_twice_gives_the_same_bytes(checkout: Path):
    first = _generate(checkout)
    assert first.returncode == 0, first.stderr
    before = {p: p.read_bytes() for p in (checkout / "generated").rglob("*.py")}
    second = _generate(checkout)
    assert second.returncode == 0, second.stderr
    assert {p: p.read_bytes() for p in (checkout / "generated").rglob("*.py")} == before
    assert before == {
        checkout / "generated" / p.relative_to(ROOT / "generated"): p.read_bytes()
        for p in (ROOT / "generated").rglob("*.py")
    }


def test_check_fails_with_a_diff_after_a_spec_edit_and_changes_nothing(checkout: Path):
    _edit_spec(checkout, lambda s: s["paths"]["/v1/_ping"]["get"].update(summary="Ping it"))
    before = (checkout / "generated" / "operations" / "ping.py").read_text()
    result = _generate(checkout, "--check")
    assert result.returncode == 1
    assert '+    """GET /v1/_ping: Ping it."""' in result.stdout
    assert (checkout / "generated" / "operations" / "ping.py").read_text() == before


def test_check_fails_on_a_file_the_generator_would_not_write(checkout: Path):
    (checkout / "generated" / "operations" / "handwritten.py").write_text("x = 1\n")
    result = _generate(checkout, "--check")
    assert result.returncode == 1
    assert "generated/operations/handwritten.py" in result.stdout
    assert _generate(checkout).returncode == 0
    assert not (checkout / "generated" / "operations" / "handwritten.py").exists()


def test_a_dangling_ref_in_a_request_body_is_refused(checkout: Path):
    def dangle(spec):
        body = spec["paths"]["/v1/users/"]["post"]["requestBody"]
        body["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/Nope"}

    _edit_spec(checkout, dangle)
    result = _generate(checkout)
    assert result.returncode == 2
    assert "Nope" in result.stderr


REGISTER = ("/v1/users/", "post")
BODY = "/paths/~1v1~1users~1/post/requestBody/content"
PING_200 = "/paths/~1v1~1_ping/get/responses/200"
UPLOAD = {"$ref": "#/components/schemas/Upload"}


def _body(spec: dict, media: dict) -> None:
    """The register operation's body becomes ``media``; a schema Upload with a file exists."""
    spec["components"]["schemas"]["Upload"] = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "file": {"type": "string", "format": "binary"},
            "pages": {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    path, method = REGISTER
    spec["paths"][path][method]["requestBody"]["content"] = media
    # Its links read the registration's username, which an Upload has not: another refusal.
    for response in spec["paths"][path][method]["responses"].values():
        response.pop("links", None)


REGISTRATION = {"schema": {"$ref": "#/components/schemas/Registration"}}


@pytest.mark.parametrize(
    ("edit", "refused"),
    [
        (
            lambda spec: _body(spec, {"application/xml": REGISTRATION}),
            f"{BODY}/application~1xml: users.register: a request body of application/xml is"
            " not read",
        ),
        (
            lambda spec: _body(
                spec,
                {"application/json": REGISTRATION,
                 "application/x-www-form-urlencoded": {"schema": UPLOAD}},
            ),
            f"{BODY}: users.register: every media type of the request body must declare the"
            " same schema",
        ),
        (
            lambda spec: _body(
                spec, {"multipart/form-data": {"schema": UPLOAD, "encoding": {"file": {}}}}
            ),
            f"{BODY}/multipart~1form-data/encoding: users.register: multipart/form-data: an"
            " encoding is not read",
        ),
        (
            lambda spec: _body(spec, {"application/x-www-form-urlencoded": {"schema": UPLOAD}}),
            f"{BODY}: users.register: property 'file' is a file, which only multipart/form-data"
            " sends",
        ),
        (
            lambda spec: _body(spec, {"application/x-www-form-urlencoded": REGISTRATION}),
            None,  # a form of the same schema as JSON: accepted
        ),
        (
            lambda spec: _body(spec, {"text/plain": REGISTRATION}),
            f"{BODY}/text~1plain/schema: users.register: text/plain: a text body's schema is"
            " an inline string",
        ),
        (
            lambda spec: spec["paths"]["/v1/_ping"]["get"]["responses"]["200"]["content"].update(
                {"text/csv": {"schema": {"type": "string"}}}
            ),
            f"{PING_200}/content: ping.get 200: a response is application/json alone, or other"
            " media types without it",
        ),
        (
            lambda spec: spec["paths"]["/v1/_ping"]["get"]["responses"].update(
                {"2XX": {"description": "ok", "content": {"text/*": {}}}}
            ),
            "/paths/~1v1~1_ping/get/responses/2XX/content/text~1*: ping.get 2XX: text/*: name"
            " the one media type the server sends",
        ),
    ],
)  # fmt: skip
def test_a_body_the_server_cannot_read_is_refused_naming_its_place(
    checkout: Path, edit, refused: str | None
):
    _edit_spec(checkout, edit)
    result = _generate(checkout)
    if refused is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 2, result.stdout
    assert refused in result.stderr


REFUSED_SCHEMES = {
    "oauth2": (
        {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a/", "scopes": {}}}},
        "(oauth2) is not supported",
    ),
    "openIdConnect": (
        {"type": "openIdConnect", "openIdConnectUrl": "https://a/.well-known/openid"},
        "(openIdConnect) is not supported",
    ),
    "http-digest": ({"type": "http", "scheme": "digest"}, "(http digest) is not supported"),
    # Not a type of OpenAPI 3.0: the validator refuses it first, at the same place.
    "mutualTLS": ({"type": "mutualTLS"}, "mutualTLS"),
    "no-checker": (
        {"type": "http", "scheme": "bearer"},
        "needs x-bearerInfoFunc: the dotted name of the function that checks it",
    ),
    "checker-not-dotted": (
        {"type": "apiKey", "in": "query", "name": "key", "x-apikeyInfoFunc": "check"},
        "needs x-apikeyInfoFunc",
    ),
    # The challenge's word is an API key's to name: an HTTP scheme's is its own.
    "challenge-of-http": (
        {
            "type": "http",
            "scheme": "basic",
            "x-basicInfoFunc": "server.checkers.basic_account",
            "x-hubindex-challenge": "Token",
        },
        "x-hubindex-challenge is for apiKey schemes (an http basic scheme's challenge is Basic)",
    ),
    "challenge-not-a-word": (
        {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "x-apikeyInfoFunc": "server.checkers.docker_token",
            "x-hubindex-challenge": "Token realm",
        },
        "x-hubindex-challenge must be one authentication scheme word",
    ),
}


@pytest.mark.parametrize("kind", REFUSED_SCHEMES)
def test_a_security_scheme_the_server_cannot_check_is_refused_naming_it_and_its_place(
    checkout: Path, kind: str
):
    scheme, words = REFUSED_SCHEMES[kind]

    def declare(spec):
        spec["components"]["securitySchemes"]["teamScheme"] = scheme

    _edit_spec(checkout, declare)
    result = _generate(checkout)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("scripts/generate: spec/openapi.yaml:"), line
    assert "/components/securitySchemes/teamScheme" in line, line
    assert words in line, line


def test_a_requirement_of_an_undeclared_scheme_is_refused_at_its_place(checkout: Path):
    def require(spec):
        spec["paths"]["/v1/search"]["get"]["security"] = [{"basicAuth": []}, {"nope": []}]

    _edit_spec(checkout, require)
    result = _generate(checkout)
    assert result.returncode == 2
    assert "/paths/~1v1~1search/get/security/1: search.query: security scheme 'nope' is not" in (
        result.stderr
    )


def test_scopes_for_a_scheme_without_them_are_refused(checkout: Path):
    def scoped(spec):
        spec["paths"]["/v1/search"]["get"]["security"] = [{"basicAuth": ["admin"]}]

    _edit_spec(checkout, scoped)
    result = _generate(checkout)
    assert result.returncode == 2
    assert "security scheme 'basicAuth' takes no scopes" in result.stderr


TEAM_CHECKERS = """
def bearer(token):
    return {"sub": token}


async def cookie(key, required_scopes=None):
    return None
"""


def test_a_checker_its_module_does_not_define_is_refused(checkout: Path):
    def declare(spec):
        basic = spec["components"]["securitySchemes"]["basicAuth"]
        basic["x-basicInfoFunc"] = "server.checkers.nobody"

    _edit_spec(checkout, declare)
    result = _generate(checkout)
    assert result.returncode == 2
    assert (
        "/components/securitySchemes/basicAuth/x-basicInfoFunc: security scheme 'basicAuth'"
        " names server.checkers.nobody, which server/checkers.py does not define"
    ) in result.stderr


def test_any_supported_scheme_under_any_name_is_generated_with_its_checker(checkout: Path):
    def declare(spec):
        spec["components"]["securitySchemes"] |= {
            "teamBearer": {
                "type": "http",
                "scheme": "Bearer",
                "x-bearerInfoFunc": "server.team_checkers.bearer",
            },
            "teamCookie": {
                "type": "apiKey",
                "in": "cookie",
                "name": "sid",
                "x-apikeyInfoFunc": "server.team_checkers.cookie",
                "x-hubindex-challenge": "Session",
            },
        }
        spec["paths"]["/v1/search"]["get"]["security"] = [
            {"teamBearer": [], "teamCookie": []},
            {"basicAuth": []},
            {},
        ]

    _edit_spec(checkout, declare)
    (checkout / "server" / "team_checkers.py").write_text(TEAM_CHECKERS)
    result = _generate(checkout)
    assert result.returncode == 0, result.stderr
    probe = (
        "from generated import requests\n"
        "[search] = [o for o in requests.OPERATIONS if o['operation_id'] == 'search.query']\n"
        "print(search['security'])\n"
        "print(requests.SECURITY_SCHEMES['teamBearer'], requests.SECURITY_SCHEMES['teamCookie'])\n"
    )
    shown = subprocess.run(
        [PYTHON, "-c", probe], capture_output=True, text=True, check=False, cwd=checkout
    )
    security, schemes = shown.stdout.splitlines()
    # In the spec's order: an AND keeps its schemes' order, the alternatives theirs.
    assert security == "[[['teamBearer', []], ['teamCookie', []]], [['basicAuth', []]], []]"
    assert schemes == (
        "{'function': 'server.team_checkers.bearer', 'type': 'bearer'} "
        "{'challenge': 'Session', 'function': 'server.team_checkers.cookie', 'in': 'cookie',"
        " 'name': 'sid', 'type': 'apiKey'}"
    )


def test_a_required_nullable_field_accepts_null_in_the_model_as_in_the_schema(checkout: Path):
    def nullable(spec):
        spec["components"]["schemas"]["Error"]["properties"]["error"]["nullable"] = True

    _edit_spec(checkout, nullable)
    assert _generate(checkout).returncode == 0
    probe = (
        "from generated.models import Error\n"
        "print(Error(error=None).error)\n"
        "try:\n    Error()\nexcept ValueError:\n    print('missing refused')\n"
    )
    result = subprocess.run(
        [PYTHON, "-c", probe], capture_output=True, text=True, check=False, cwd=checkout
    )
    assert result.stdout.split() == ["None", "missing", "refused"], result.stderr


@pytest.mark.parametrize(
    ("parameter", "refused"),
    [
        (
            {"name": "request", "in": "query", "schema": {"type": "string"}},
            "parameter 'request' would be the glue's argument 'request', which is taken",
        ),
        (
            {"name": "pageSize", "in": "header", "schema": {"type": "integer"}},
            "parameter 'pageSize' would be the glue's argument 'page_size', which is taken",
        ),
        (
            {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "string"},
             "default": ["a"]}},
            "array parameter 'ids' has a default",
        ),
        (
            {"name": "filter", "in": "query", "schema": {"type": "object"}},
            "query parameter 'filter': an object parameter must $ref a named schema (its model)",
        ),
        (
            {"name": "tags", "in": "query", "style": "deepObject",
             "schema": {"type": "array", "items": {"type": "string"}}},
            "query parameter 'tags': style 'deepObject' is for objects",
        ),
        (
            {"name": "X-Filter", "in": "header", "schema": {"$ref": "#/components/schemas/Error"}},
            "header parameter 'X-Filter': an object parameter must be in the query, style"
            " deepObject or form, exploded",
        ),
        (
            {"name": "f", "in": "query", "explode": False,
             "schema": {"$ref": "#/components/schemas/Error"}},
            "query parameter 'f': an object parameter must be in the query, style deepObject or"
            " form, exploded",
        ),
        (
            {"name": "f", "in": "query", "style": "deepObject",
             "schema": {"$ref": "#/components/schemas/SearchResults"}},
            "query parameter 'f': property 'results' must be a string, number, integer or"
            " boolean, not nullable",
        ),
        (
            [{"name": "error", "in": "query", "schema": {"type": "string"}},
             {"name": "f", "in": "query", "schema": {"$ref": "#/components/schemas/Error"}}],
            "query parameter 'f' (form, exploded) writes its property 'error' as a query"
            " parameter, as parameter 'error' is",
        ),
        (
            {"name": "since", "in": "query",
             "schema": {"type": "string", "format": "date", "default": "2026-01-01"}},
            "query parameter 'since': a parameter of format 'date' may not have a default",
        ),
    ],
)  # fmt: skip
def test_a_parameter_the_glue_cannot_take_is_refused_naming_the_operation(
    checkout: Path, parameter: dict | list, refused: str
):
    def add_parameters(spec):
        extra = [{"name": "page-size", "in": "query", "schema": {"type": "integer"}}]
        extra += parameter if isinstance(parameter, list) else [parameter]
        spec["paths"]["/v1/search"]["get"]["parameters"].extend(extra)

    _edit_spec(checkout, add_parameters)
    result = _generate(checkout)
    assert result.returncode == 2
    assert f"search.query: {refused}" in result.stderr


def test_a_get_that_writes_says_so_and_nothing_else_is_taken_for_yes(checkout: Path):
    """x-hubindex-writes puts a GET's handler in a writing unit of work; it must be a boolean."""
    users = (checkout / "generated" / "operations" / "users.py").read_text()

    def declared(operation_id: str) -> str:
        return users.split(f'operation_id="{operation_id}",')[1].split("operation_id=")[0]

    assert "writes=True," in declared("users.confirm")  # a GET, marked in the spec
    assert "writes=False," in declared("users.login")  # a GET
    assert "writes=True," in declared("users.register")  # a POST

    def unclear(spec):
        spec["paths"]["/v1/users/confirm"]["get"]["x-hubindex-writes"] = "yes"

    _edit_spec(checkout, unclear)
    result = _generate(checkout)
    assert result.returncode == 2
    assert "users.confirm: x-hubindex-writes must be true or false" in result.stderr


@pytest.mark.parametrize("engine", ["fast", "connexion"])
def test_a_new_operation_is_answered_501_until_it_has_a_handler(checkout: Path, engine: str):
    def add_operation(spec):
        spec["paths"]["/v1/stars"] = {
            "get": {
                "operationId": "stars.count",
                "summary": "Count stars",
                "responses": {
                    "200": {
                        "description": "The count.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}
                        },
                    }
                },
            }
        }

    _edit_spec(checkout, add_operation)
    assert _generate(checkout).returncode == 0
    assert (checkout / "generated" / "operations" / "stars.py").exists()
    assert _answers_in(checkout, "/v1/stars", "/v1/_ping", engine=engine) == [
        (501, '{"error":"not implemented"}'),
        (200, "true"),
    ]


def _answers_in(checkout: Path, *paths: str, engine: str = "fast") -> list[tuple[int, str]]:
    """GET each path from the checkout's own app, in a process of its own (its generated/
    and handlers, not this one's): the status and the body of each."""
    probe = textwrap.dedent(
        """
        import asyncio, httpx, json, sys
        from server.app import create_app
        from server.settings import Settings

        async def main():
            app = create_app(Settings())
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                for path in sys.argv[1:]:
                    response = await client.get(path)
                    print(json.dumps([response.status_code, response.text]))

        asyncio.run(main())
        """
    )
    result = subprocess.run(
        [PYTHON, "-W", "ignore", "-c", probe, *paths],
        capture_output=True,
        text=True,
        check=False,
        cwd=checkout,
        env={
            "PYTHONPATH": str(checkout),
            "HUBINDEX_DATABASE_URL": "sqlite://",
            "HUBINDEX_ENGINE": engine,
        },
    )
    assert result.returncode == 0, result.stderr
    return [tuple(json.loads(line)) for line in result.stdout.splitlines()]


LONG = "x" * 5000
# A broken spec (one text edit) → the pointer and words of its one-line error, and the line of
# the edit the position must name (0: the edit's own line, 1: the line after it).
BROKEN = {
    "dangling $ref in a response": (
        '$ref: "#/components/schemas/Ping"',
        '$ref: "#/components/schemas/Nope"',
        "/paths/~1v1~1_ping/get/responses/200/content/application~1json/schema/$ref: "
        "$ref '#/components/schemas/Nope' points to nothing",
        0,
    ),
    "dangling $ref in a request body": (
        '$ref: "#/components/schemas/Registration"',
        '$ref: "#/components/schemas/Nope"',
        "/paths/~1v1~1users~1/post/requestBody/content/application~1json/schema/$ref: "
        "$ref '#/components/schemas/Nope' points to nothing",
        0,
    ),
    "wrong type for a field": (
        "summary: Ping the index",
        "summary: 12",
        '/paths/~1v1~1_ping/get/summary: 12 is not of type "string"',
        0,
    ),
    "YAML syntax error": (
        "operationId: ping.get",
        "operationId: [ping.get",
        "invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence on line",
        1,
    ),
    "unknown key under an operation": (
        "operationId: ping.get\n",
        "operationId: ping.get\n      requestbody: {}\n",
        "/paths/~1v1~1_ping/get/requestbody: Additional properties are not allowed"
        " ('requestbody' was unexpected)",
        1,
    ),
    "duplicate operationId": (
        "operationId: users.register",
        "operationId: users.login",
        "/paths/~1v1~1users~1/post/operationId: operationId 'users.login' again:"
        " GET /v1/users/ has it too",
        0,
    ),
    "operationId that names no handler": (
        "operationId: ping.get",
        "operationId: ping",
        "/paths/~1v1~1_ping/get/operationId: operationId 'ping' must be `module.function`",
        0,
    ),
    "a long invalid value": (
        "operationId: ping.get\n",
        f"operationId: ping.get\n      parameters: [{{name: x, in: body, description: {LONG}}}]\n",
        "is not valid under any of the schemas listed in the 'oneOf' keyword",
        1,
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_spec_error_is_one_short_line_with_its_place(checkout: Path, case: str):
    old, new, expected, lines_after = BROKEN[case]
    path = checkout / "spec" / "openapi.yaml"
    text = path.read_text()
    assert text.count(old) >= 1
    edited = text.replace(old, new, 1)
    path.write_text(edited)
    line = edited[: edited.index(new)].count("\n") + 1 + lines_after
    result = _generate(checkout)
    assert result.returncode == 2
    assert result.stdout == ""
    [message] = result.stderr.splitlines()
    assert message.startswith(f"scripts/generate: spec/openapi.yaml:{line}:")
    assert expected in message
    assert len(message) <= 400
