"""The npm package `docker-hub-api` 0.8.0, a real Hub API client, against a real index.

Its calls run in Node.js (`tests/clients/npm/docker_hub_api.js`, installed by `scripts/setup
--tests` from `tests/clients/npm/package-lock.json`) against a uvicorn on a loopback port. The
package has Hub's address hard-coded: the script wraps the package's own `makeRequestParams` in
memory to put the index's address in its place, and changes nothing else (it sends
`Authorization: JWT ...` and a trailing slash on every path without a query, as it would to
Hub). It turns the package's 300-second GET cache off with its own `setCacheOptions`, so that
each list read after a change is asked of the index.

The package resolves whatever JSON comes back unless the body has `detail` (Hub's errors), and
resolves every DELETE whatever its status: so each write is checked by reading again.
"""

import json
import secrets
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.functional.orgs_support import create_org
from tests.functional.support import image_id
from tests.functional.test_signin import sign_in
from tests.functional.test_tags import pushed
from tests.harness import Index

CLIENTS = Path(__file__).resolve().parents[1] / "clients" / "npm"
SCRIPT = CLIENTS / "docker_hub_api.js"
PACKAGE = CLIENTS / "node_modules" / "docker-hub-api" / "package.json"

pytestmark = pytest.mark.over_socket


def run_client(index: Index, calls: list[list[Any]]) -> dict[str, dict[str, Any]]:
    """Each call's ``{"value": ...}`` or ``{"error": ...}``, by its label."""
    node = shutil.which("node")
    assert node, "the tests need Node.js 20 (scripts/setup --tests installs the npm clients)"
    assert PACKAGE.exists(), "docker-hub-api is not installed: run scripts/setup --tests"
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps({"url": index.url, "calls": calls}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def value(results: dict[str, dict[str, Any]], label: str) -> Any:
    result = results[label]
    assert "error" not in result, f"{label}: {result['error']}"
    return result["value"]


def names(entries: list[dict[str, Any]]) -> list[str]:
    return sorted(entry["name"] for entry in entries)


def test_the_installed_package_is_the_pinned_one():
    assert json.loads(PACKAGE.read_text())["version"] == "0.8.0"


def test_every_call_of_a_maintainer_s_session(make_index: Callable[..., Index]):
    """alice (an organization's owner, with a repository pushed by the Docker 1.x protocol,
    tagged ``latest`` and ``1.0``) manages repositories, stars, tags, collaborators and webhooks
    through every call the issue names; then bob signs in on the same client."""
    index = make_index(webhooks_allow_private_addresses=True)
    alice, bob = index.account(), index.account()
    org = create_org(index, owner=alice)
    image = image_id()
    tagged = pushed(index, alice, [{"id": image, "Tag": "latest"}, {"id": image, "Tag": "1.0"}])
    name, org_repository = f"web-{secrets.token_hex(3)}", f"api-{secrets.token_hex(3)}"
    hook_url = "http://127.0.0.1:9/hook"
    me, webhook = alice.username, {"from": "createWebhook", "field": "id"}

    results = run_client(index, [
        ["login", "login", alice.username, alice.password],
        ["loggedInUser", "loggedInUser"],
        ["user", "user", bob.username],
        ["createRepository", "createRepository", me, name,
         {"is_private": False, "description": "A web server", "full_description": "# Web"}],
        ["createInOrg", "createRepository", org.name, org_repository, {"is_private": True}],
        ["repository", "repository", me, name],
        ["setRepositoryDescription", "setRepositoryDescription", me, name,
         {"short": "A faster web server", "full": "# Web\n\nFaster."}],
        ["described", "repository", me, name],
        ["repositories", "repositories", me],
        ["orgRepositories", "repositories", org.name],
        ["starRepository", "starRepository", me, name],
        ["starred", "repositoriesStarred", me],
        ["starredPage", "repository", me, name],
        ["unstarRepository", "unstarRepository", me, name],
        ["unstarred", "repositoriesStarred", me],
        ["tags", "tags", me, tagged.name],
        ["deleteTag", "deleteTag", me, tagged.name, "1.0"],
        ["tagsLeft", "tags", me, tagged.name],
        ["collaborators", "collaborators", me, name],
        ["addCollaborator", "addCollaborator", me, name, bob.username],
        ["collaboratorsAdded", "collaborators", me, name],
        ["deleteCollaborator", "deleteCollaborator", me, name, bob.username],
        ["collaboratorsLeft", "collaborators", me, name],
        ["webhooks", "webhooks", me, name],
        ["createWebhook", "createWebhook", me, name, "ci"],
        ["createWebhookHook", "createWebhookHook", me, name, webhook, hook_url],
        ["webhooksMade", "webhooks", me, name],
        ["deleteWebhook", "deleteWebhook", me, name, webhook],
        ["webhooksLeft", "webhooks", me, name],
        ["deleteRepository", "deleteRepository", me, name],
        ["deleted", "repository", me, name],
        ["repositoriesLeft", "repositories", me],
        # Another login, sent with the first one's token: the client then acts as bob.
        ["loginAsBob", "login", bob.username, bob.password],
        ["bob", "loggedInUser"],
        ["bobStars", "starRepository", me, tagged.name],
        ["bobStarred", "repositoriesStarred", bob.username],
        ["bobDeletes", "deleteRepository", me, tagged.name],
        ["notDeleted", "repository", me, tagged.name],
    ])  # fmt: skip

    assert isinstance(value(results, "login")["token"], str)
    for label, who in (("loggedInUser", alice), ("user", bob)):
        shown = value(results, label)
        assert (shown["username"], shown["type"], shown["full_name"]) == (who.username, "User", "")
        assert shown["id"].isdigit(), shown
        assert shown["date_joined"], shown

    created = value(results, "createRepository")
    assert (created["namespace"], created["name"]) == (me, name)
    assert (created["description"], created["full_description"]) == ("A web server", "# Web")
    assert created["is_private"] is False
    in_org = value(results, "createInOrg")
    assert (in_org["namespace"], in_org["name"], in_org["is_private"]) == (
        org.name,
        org_repository,
        True,
    )
    page = value(results, "repository")
    assert (page["namespace"], page["name"], page["description"]) == (me, name, "A web server")
    assert page["permissions"] == {"read": True, "write": True, "admin": True}
    for label in ("setRepositoryDescription", "described"):
        described = value(results, label)
        assert described["description"] == "A faster web server"
        assert described["full_description"] == "# Web\n\nFaster."
    assert names(value(results, "repositories")["results"]) == sorted([name, tagged.name])
    assert names(value(results, "orgRepositories")["results"]) == [org_repository]

    assert value(results, "starRepository") is None
    assert names(value(results, "starred")) == [name]
    assert value(results, "starredPage")["star_count"] == 1
    assert value(results, "starredPage")["has_starred"] is True
    assert value(results, "unstarred") == []

    assert names(value(results, "tags")) == ["1.0", "latest"]
    assert {tag["image_id"] for tag in value(results, "tags")} == {image}
    assert names(value(results, "tagsLeft")) == ["latest"]

    assert value(results, "collaborators") == []
    assert value(results, "addCollaborator") == {"user": bob.username}
    assert value(results, "collaboratorsAdded") == [{"user": bob.username}]
    assert value(results, "collaboratorsLeft") == []

    assert value(results, "webhooks") == []
    made = value(results, "createWebhook")
    assert (made["name"], made["hooks"]) == ("ci", [])
    hook = value(results, "createWebhookHook")
    assert hook["hook_url"] == hook_url
    assert isinstance(hook["secret"], str)
    [listed] = value(results, "webhooksMade")
    assert (listed["id"], listed["name"]) == (made["id"], "ci")
    assert [h["hook_url"] for h in listed["hooks"]] == [hook_url]
    assert value(results, "webhooksLeft") == []

    assert value(results, "deleted") == {"error": f"repository {me}/{name} not found"}
    assert names(value(results, "repositoriesLeft")["results"]) == [tagged.name]

    assert value(results, "bob")["username"] == bob.username
    assert names(value(results, "bobStarred")) == [tagged.name]
    kept = value(results, "notDeleted")
    assert (kept["name"], kept["star_count"], kept["has_starred"]) == (tagged.name, 1, True)
    assert kept["permissions"] == {"read": True, "write": False, "admin": False}


def test_what_the_client_makes_of_refusals(make_index: Callable[..., Index]):
    """A refused login rejects (no token came back). Any other refusal resolves as its body:
    the package takes only Hub's `{"detail": ...}` for an error, and this index answers its
    one shape, `{"error": ...}` (docs/protocol.md)."""
    index = make_index()
    alice, bob = index.account(), index.account()
    private = f"{alice.username}/secret"
    made = index.client.post(
        "/v2/repositories",
        json={"namespace": alice.username, "name": "secret", "is_private": True},
        headers={"Authorization": f"Bearer {sign_in(index, alice)}"},
    )
    assert made.status_code == 201, made.text

    results = run_client(index, [
        ["wrongPassword", "login", alice.username, "not-the-password"],
        ["login", "login", bob.username, bob.password],
        ["private", "repository", alice.username, "secret"],
        ["nobody", "user", "nobody_here"],
        ["star", "starRepository", alice.username, "secret"],
        ["collaborators", "collaborators", alice.username, "secret"],
    ])  # fmt: skip

    assert "No login token sent back" in results["wrongPassword"]["error"]
    assert value(results, "private") == {"error": f"repository {private} not found"}
    assert value(results, "nobody") == {"error": "user nobody_here not found"}
    assert value(results, "star") == {"error": f"repository {private} not found"}
    assert value(results, "collaborators") == {"error": f"repository {private} not found"}
