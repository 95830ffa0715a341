"""Every operation of the spec is wired to generated glue, and errors are JSON."""

import httpx
import pytest
import yaml

from generated.operations import OPERATIONS
from server.app import create_app
from server.settings import Settings
from server.spec.document import HTTP_METHODS
from tests.conftest import ROOT
from tests.harness import Index

SPEC = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())


def _spec_operation_ids() -> set[str]:
    return {
        item[method]["operationId"]
        for item in SPEC["paths"].values()
        for method in HTTP_METHODS
        if method in item
    }


def test_every_operation_of_the_spec_has_generated_glue():
    assert {operation.operation_id for operation in OPERATIONS} == _spec_operation_ids()


def test_the_spec_has_the_seed_operations_ping_and_confirmation():
    # 14 operations of the seed document, GET /v1/_ping, GET /v1/_ready, the email
    # confirmation, and the registry's parent-layer check (both spellings); and of the
    # management API, signing in (2), personal access tokens (5), a repository's privacy and
    # collaborators (4), webhooks (10), and organizations: their creation and deletion (2),
    # members (4), teams (9), teams' permissions on repositories (3) and access tokens (5);
    # repository pages and stars (12), tags (4), orphan images (1), the audit log (2), users'
    # profiles (2) and invitations to organizations (6).
    assert len(_spec_operation_ids()) == 40 + 17 + 1 + 5 + 12 + 4 + 1 + 2 + 2 + 6


@pytest.fixture
async def client():
    app = create_app(Settings(database_url="sqlite://", validate_responses=True))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://index") as client:
        yield client


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/v1/_ping", "/v1/_ping/"])
async def test_both_spellings_are_served_without_a_redirect(client: httpx.AsyncClient, path: str):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.content == b"true"


@pytest.mark.anyio
async def test_a_wrong_method_is_a_405_that_lists_every_allowed_method(client: httpx.AsyncClient):
    response = await client.post("/v1/repositories/foo/bar/images")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, PUT"
    assert response.headers["Content-Type"] == "application/json"
    assert "error" in response.json()


@pytest.mark.anyio
async def test_an_unknown_path_is_a_json_404(client: httpx.AsyncClient):
    response = await client.get("/v2/whatever")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"error": "Not Found"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"\xff\xfe[]", "the request body is not valid UTF-8"),
        (b"[{", "the request body is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "the request body is nested too deeply"),
        (b"", "the request body must not be empty"),
    ],
)
async def test_a_body_that_is_not_json_is_a_400_that_says_why(
    client: httpx.AsyncClient, body: bytes, error: str
):
    response = await client.post(
        "/v1/users/", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"].startswith(error)


@pytest.mark.anyio
async def test_a_parameter_error_names_the_parameter(client: httpx.AsyncClient):
    response = await client.get("/v1/search", params={"q": "x", "n": "500"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "query parameter 'n': 500 is greater than the maximum of 100"
    }


def test_a_field_error_names_the_field_and_never_echoes_a_password(index: Index):
    # A registration is judged after the lookup of its name (protocol.md, Users): a database.
    response = index.client.post(
        "/v1/users/", json={"username": "someone", "password": "abc", "email": "a@example.com"}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("body.password: ")
    assert "abc" not in response.text
