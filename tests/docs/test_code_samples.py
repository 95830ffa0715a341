"""The code samples the published page shows (scripts/lib/samples.py, python_samples.py), without
a browser or a server: each Python sample names only what generated/client has and calls it the
way its signatures allow; each curl command is one the shell reads back; and every security
scheme type gives the credentials its scheme asks for, as the request the sample really sends
shows (the client's httpx transport replaced by one that records it).

tests/functional/test_code_samples.py runs the samples of the spec against a real index;
tests/docs/test_docs_in_browser.py finds them on the page.
"""

import ast
import base64
import contextlib
import copy
import importlib
import inspect
import io
import re
import shlex
from typing import Any

import httpx
import pytest
import yaml

import generated.client.client as client_module
from server.spec.document import operations
from tests.conftest import ROOT
from tests.docs.support import docs, samples

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text("utf-8"))


def _page(spec: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each operation's samples, by operationId and label."""
    page = samples.for_page(spec, docs.public_spec(spec))
    return {
        operation["operationId"]: {s["label"]: s["source"] for s in operation["x-codeSamples"]}
        for _path, _method, operation, _item in operations(page)
    }


PAGE = _page(SPEC)


def _calls(tree: ast.Module, scope: dict[str, Any]) -> list[tuple[Any, ast.Call]]:
    """The calls of a module-level name or its attribute, with what the name is."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in scope:
            found.append((scope[func.id], node))
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in scope
        ):
            found.append((getattr(scope[func.value.id], func.attr), node))
    return found


@pytest.mark.parametrize("operation_id", sorted(PAGE))
def test_a_python_sample_names_only_what_the_client_has(operation_id: str):
    source = PAGE[operation_id]["Python"]
    tree = ast.parse(source)
    scope: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            assert node.module is not None
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
                scope[alias.name] = getattr(module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                scope[alias.name] = importlib.import_module(alias.name)
    assert any(
        name.startswith("generated.client.api.")
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for name in [node.module or ""]
    )
    calls = _calls(tree, scope)
    called = [target for target, _ in calls]
    assert any(getattr(t, "__name__", "") == "sync_detailed" for t in called), source
    assert any(t in (scope.get("Client"), scope.get("AuthenticatedClient")) for t in called)
    for target, call in calls:
        if not callable(target) or not (getattr(target, "__module__", "") or "").startswith(
            "generated.client"
        ):
            continue
        # Keywords only, each one the callee takes, none of its required ones left out.
        assert call.args == [], ast.unparse(call)
        inspect.signature(target).bind(**{k.arg: None for k in call.keywords if k.arg})


@pytest.mark.parametrize("operation_id", sorted(PAGE))
def test_a_curl_sample_is_one_command_to_the_pages_server(operation_id: str):
    words = shlex.split(PAGE[operation_id]["curl"].replace("\\\n", " "))
    assert words[0] == "curl"
    url = words[-1]
    assert url.startswith(samples.BASE_URL + "/"), url
    (template,) = [
        path
        for path, _m, operation, _i in operations(SPEC)
        if operation["operationId"] == operation_id
    ]
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/?]+", re.escape(template))
    assert re.fullmatch(pattern + r"(\?.*)?", url.removeprefix(samples.BASE_URL)), url


def _with_security(scheme: dict[str, Any]) -> dict[str, Any]:
    """The spec with tokens.check secured by ``scheme`` alone."""
    spec = copy.deepcopy(SPEC)
    spec["components"]["securitySchemes"]["probe"] = scheme
    for _path, _method, operation, _item in operations(spec):
        if operation["operationId"] == "tokens.check":
            operation["security"] = [{"probe": []}]
    return spec


def _sent(source: str, monkeypatch: pytest.MonkeyPatch) -> httpx.Request:
    """The request the Python sample sends, to a transport that records it (and answers a
    status no operation documents: the client parses no body then)."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(418)

    class Recording(httpx.Client):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs, transport=httpx.MockTransport(answer))

    monkeypatch.setattr(client_module.httpx, "Client", Recording)
    monkeypatch.setenv("USERNAME", "foobar")
    monkeypatch.setenv("PASSWORD", "toto42")
    monkeypatch.setenv("TOKEN", "t0ken")
    monkeypatch.setenv("API_KEY", "k3y")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, "<sample>", "exec"), {"__name__": "__sample__"})
    (request,) = sent
    return request


SCHEMES = {
    "basic": (
        {"type": "http", "scheme": "basic"},
        ['-u "$USERNAME:$PASSWORD"'],
        ("authorization", "Basic " + base64.b64encode(b"foobar:toto42").decode()),
    ),
    "bearer": (
        {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        ['-H "Authorization: Bearer $TOKEN"'],
        ("authorization", "Bearer t0ken"),
    ),
    "apiKey in Authorization, its word in the description": (
        {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Sent as `Authorization: JWT eyJ...`.",
        },
        ['-H "Authorization: JWT $TOKEN"'],
        ("authorization", "JWT t0ken"),
    ),
    "apiKey in another header": (
        {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        ['-H "X-Api-Key: $API_KEY"'],
        ("x-api-key", "k3y"),
    ),
    "apiKey in a cookie": (
        {"type": "apiKey", "in": "cookie", "name": "session"},
        ['--cookie "session=$API_KEY"'],
        ("cookie", "session=k3y"),
    ),
}


@pytest.mark.parametrize("kind", sorted(SCHEMES))
def test_each_scheme_type_sends_its_credentials(kind: str, monkeypatch: pytest.MonkeyPatch):
    scheme, curl_words, (header, value) = SCHEMES[kind]
    made = _page(_with_security(scheme))["tokens.check"]
    for words in curl_words:
        assert words in made["curl"]
    request = _sent(made["Python"], monkeypatch)
    assert request.method == "PUT"
    assert request.url == f"{samples.BASE_URL}/v1/repositories/foobar/bar/auth"
    assert request.headers[header] == value


def test_an_api_key_in_the_query_goes_in_both_urls(monkeypatch: pytest.MonkeyPatch):
    made = _page(_with_security({"type": "apiKey", "in": "query", "name": "key"}))["tokens.check"]
    assert made["curl"].endswith('/v1/repositories/foobar/bar/auth?key=$API_KEY"')
    assert _sent(made["Python"], monkeypatch).url.params["key"] == "k3y"


def test_an_operation_open_to_anyone_sends_no_credentials(monkeypatch: pytest.MonkeyPatch):
    made = PAGE["images.get"]
    assert "$USERNAME" not in made["curl"]
    assert "$TOKEN" not in made["curl"]
    assert "AuthenticatedClient" not in made["Python"]
    request = _sent(made["Python"], monkeypatch)
    assert "authorization" not in request.headers
    assert request.headers["x-docker-token"] == "true"


def test_a_parameter_without_an_example_gets_a_placeholder(monkeypatch: pytest.MonkeyPatch):
    spec = copy.deepcopy(SPEC)
    del spec["components"]["parameters"]["SearchTerm"]["example"]
    made = _page(spec)["search.query"]
    assert made["curl"].endswith('/v1/search?q=Q"')
    assert _sent(made["Python"], monkeypatch).url.params["q"] == "Q"


def test_an_operation_the_client_lacks_stops_the_page():
    spec = copy.deepcopy(SPEC)
    for _path, _method, operation, _item in operations(spec):
        if operation["operationId"] == "search.query":
            operation["operationId"] = "search.everything"
    with pytest.raises(samples.PageError, match="search_everything: run scripts/generate"):
        samples.for_page(spec, docs.public_spec(spec))


@pytest.mark.parametrize(
    ("media_type", "option"),
    [("application/x-www-form-urlencoded", "--data-urlencode"), ("multipart/form-data", "-F")],
)
def test_a_form_body_goes_field_by_field(media_type: str, option: str):
    spec = copy.deepcopy(SPEC)
    for _path, _method, operation, _item in operations(spec):
        if operation["operationId"] == "users.register":
            content = operation["requestBody"]["content"]
            content[media_type] = content.pop("application/json")
    words = shlex.split(_page(spec)["users.register"]["curl"].replace("\\\n", " "))
    assert words[:3] == ["curl", "-X", "POST"]
    assert words[3:-1] == [
        option, "username=foobar", option, "password=toto42", option, "email=sam@docker.com"
    ]  # fmt: skip
    assert "Content-Type" not in " ".join(words)
