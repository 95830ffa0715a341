"""`docker push`: create with a token, the registry checks it, the client finishes with `[]`."""

from collections.abc import Callable

import pytest

from tests.functional.support import (
    as_user,
    assert_json,
    checksum,
    get_images,
    image_id,
    listed,
    with_token,
)
from tests.harness import Index, token_header
from tests.protocol import steps
from tests.protocol.world import World, credentials


def test_a_push_from_start_to_finish(index: Index):
    world = World(index)
    path = world.path("alice/new")
    images = [image_id(), image_id()]

    created = steps.start_push(index, path, as_user(world.alice), images)
    assert_json(created, 200, "")
    token = steps.assert_token(created, path, "write")
    assert created.headers["X-Docker-Endpoints"] == f"127.0.0.1:{index.port}"
    registry = {"Authorization": token_header(created)}

    checked = steps.registry_checks(index, path, registry)
    assert listed(checked) == dict.fromkeys(images)
    assert_json(steps.registry_authorizes(index, path, registry), 200, "OK")
    sums = {image: checksum() for image in images}
    recorded = steps.finish_push(index, path, with_token(token), [
        {"id": image, "checksum": value} for image, value in sums.items()
    ])  # fmt: skip
    assert recorded.status_code == 204, recorded.text
    finished = steps.finish_push(index, path, as_user(world.alice))

    assert finished.status_code == 204, finished.text
    assert finished.content == b""
    assert listed(get_images(index, path)) == sums


def test_a_push_leaves_its_tags_visible_on_hub_s_tag_routes(index: Index):
    """`docker push alice/new` of an image tagged `latest` and `1.0` over an untagged parent
    layer: the client names the tags when it creates the repository, and ends with `[]`."""
    world = World(index)
    path = world.path("alice/new")
    parent, image = image_id(), image_id()

    created = steps.start_push(
        index, path, as_user(world.alice), [parent, image], {image: ["latest", "1.0"]}
    )
    assert created.status_code == 200, created.text
    token = steps.assert_token(created, path, "write")
    registry = {"Authorization": token_header(created)}
    assert listed(steps.registry_checks(index, path, registry)) == dict.fromkeys([parent, image])
    finished = steps.finish_push(index, path, with_token(token))
    assert finished.status_code == 204, finished.text

    namespace, name = path.split("/")
    for tags in (
        f"/v2/namespaces/{namespace}/repositories/{name}/tags",
        f"/v2/repositories/{path}/tags/",  # as the npm docker-hub-api client asks
    ):
        page = index.client.get(tags, params={"page_size": 100, "page": 1})
        assert page.status_code == 200, page.text
        found = {tag["name"]: tag["image_id"] for tag in page.json()["results"]}
        assert found == {"latest": image, "1.0": image}
    latest = index.client.get(f"/v2/namespaces/{namespace}/repositories/{name}/tags/latest")
    assert latest.status_code == 200, latest.text
    assert latest.json()["last_updater_username"] == world.alice.username


def test_a_push_to_configured_registries(make_index: Callable[..., Index]):
    index = make_index(registry_endpoints=["reg.example:5000"])
    world = World(index)
    created = steps.start_push(index, world.path("alice/new"), as_user(world.alice), [])
    assert created.status_code == 200, created.text
    assert created.headers["X-Docker-Endpoints"] == "reg.example:5000"


@pytest.mark.parametrize(
    ("target", "who", "status"),
    [
        pytest.param("alice/new", "alice", 200, id="owner"),
        pytest.param("alice/repo", "alice", 200, id="owner, again"),
        pytest.param("bob/new", "admin", 200, id="admin in a user's namespace"),
        pytest.param("new", "admin", 200, id="admin on library"),
        pytest.param("library/new", "admin", 200, id="admin on library/"),
        pytest.param("alice/new", "anonymous", 401, id="anonymous"),
        pytest.param("alice/new", "wrong password", 401, id="wrong password"),
        pytest.param("alice/new", "unknown user", 401, id="unknown user"),
        pytest.param("inactive/new", "inactive", 403, id="inactive account"),
        pytest.param("bob/new", "alice", 403, id="another user's namespace"),
        pytest.param("new", "alice", 403, id="non-admin on library"),
        pytest.param("library/new", "alice", 403, id="non-admin on library/"),
        pytest.param("alice/repo", "write token", 401, id="a token instead of Basic"),
        pytest.param("alice/new", "malformed token", 401, id="malformed token"),
    ],
)
def test_start_push(index: Index, target: str, who: str, status: int):
    world = World(index)
    path, headers = world.path(target), credentials(world, who, target)

    response = steps.start_push(index, path, headers, [image_id()])

    steps.assert_outcome(response, status)
    if status == 200:
        steps.assert_token(response, world.full_name(target), "write")
    elif target.endswith("new"):
        assert get_images(index, path).status_code == 404


TOKEN_CHECKS = [
    pytest.param("alice/repo", "write token", 200, id="write token"),
    pytest.param("alice/repo", "read token", 200, id="read token"),
    pytest.param("alice/repo", "delete token", 200, id="delete token"),
    pytest.param("repo", "write token", 200, id="library write token"),
    pytest.param("library/repo", "read token", 200, id="library/ read token"),
    pytest.param("alice/repo", "token of another repository", 403, id="another repository"),
    pytest.param("alice/repo", "forged token", 401, id="forged token"),
    pytest.param("alice/repo", "tampered token", 401, id="tampered signature"),
    pytest.param("alice/repo", "token with its repository edited", 401, id="repository edited"),
    pytest.param("alice/repo", "read token edited to write", 401, id="access edited"),
    pytest.param("alice/repo", "malformed token", 401, id="malformed token"),
]


@pytest.mark.parametrize(("target", "who", "status"), TOKEN_CHECKS)
def test_registry_checks_the_token_by_listing(index: Index, target: str, who: str, status: int):
    world = World(index)
    path = world.path(target)
    response = steps.registry_checks(index, path, credentials(world, who, target))
    steps.assert_outcome(response, status)


@pytest.mark.parametrize(
    ("target", "who", "status"),
    [*TOKEN_CHECKS, pytest.param("alice/repo", "anonymous", 401, id="no token")],
)
def test_registry_checks_the_token_at_auth(index: Index, target: str, who: str, status: int):
    world = World(index)
    path = world.path(target)
    response = steps.registry_authorizes(index, path, credentials(world, who, target))
    steps.assert_outcome(response, status)
    if status == 200:
        assert_json(response, 200, "OK")


@pytest.mark.parametrize(
    ("target", "who", "status"),
    [
        pytest.param("alice/repo", "alice", 204, id="owner"),
        pytest.param("alice/repo", "admin", 204, id="admin"),
        pytest.param("alice/repo", "write token", 204, id="write token"),
        pytest.param("repo", "admin", 204, id="admin on library"),
        pytest.param("library/repo", "write token", 204, id="library write token"),
        pytest.param("alice/new", "alice", 404, id="no such repository"),
        pytest.param("alice/repo", "anonymous", 401, id="anonymous"),
        pytest.param("alice/repo", "wrong password", 401, id="wrong password"),
        pytest.param("alice/repo", "unknown user", 401, id="unknown user"),
        pytest.param("inactive/repo", "inactive", 403, id="inactive account"),
        pytest.param("alice/repo", "bob", 403, id="another user"),
        pytest.param("repo", "alice", 403, id="non-admin on library"),
        pytest.param("alice/repo", "read token", 403, id="read token"),
        pytest.param("alice/repo", "delete token", 403, id="delete token"),
        pytest.param("alice/repo", "token of another repository", 403, id="another repository"),
        pytest.param("alice/repo", "forged token", 401, id="forged token"),
        pytest.param("alice/repo", "tampered token", 401, id="tampered signature"),
        pytest.param("alice/repo", "token with its repository edited", 401, id="repo edited"),
        pytest.param("alice/repo", "read token edited to write", 401, id="access edited"),
        pytest.param("alice/repo", "malformed token", 401, id="malformed token"),
    ],
)
def test_finish_push(index: Index, target: str, who: str, status: int):
    world = World(index)
    path, headers = world.path(target), credentials(world, who, target)
    image = image_id()

    response = steps.finish_push(index, path, headers, [{"id": image}])

    steps.assert_outcome(response, status)
    if status == 204:
        assert response.content == b""
        assert image in listed(get_images(index, path))
    elif target.endswith("repo"):
        assert image not in listed(get_images(index, path))
