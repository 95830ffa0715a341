"""`docker pull`: list the images with a read token, which the registry then checks."""

import pytest

from tests.functional.support import as_user, assert_json, listed
from tests.harness import Index, token_header
from tests.protocol import steps
from tests.protocol.world import World, credentials


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob"])
def test_a_pull_with_a_token_used_again_and_again(index: Index, who: str):
    world = World(index)
    path = world.path("alice/repo")

    pulled = steps.start_pull(index, path, credentials(world, who, "alice/repo"))

    assert listed(pulled) == {}
    steps.assert_token(pulled, path, "read")
    assert pulled.headers["X-Docker-Endpoints"] == f"127.0.0.1:{index.port}"
    registry = {"Authorization": token_header(pulled)}
    for _ in range(3):
        assert listed(steps.registry_checks(index, path, registry)) == {}
    assert_json(steps.registry_authorizes(index, path, registry), 200, "OK")


def test_a_pull_sees_the_images_of_a_push(index: Index):
    world = World(index)
    path = world.path("alice/new")
    image = "a" * 64
    assert steps.start_push(index, path, as_user(world.alice), [image]).status_code == 200

    pulled = steps.start_pull(index, path, {})

    assert listed(pulled) == {image: None}


@pytest.mark.parametrize(
    ("target", "who", "status"),
    [
        pytest.param("alice/repo", "anonymous", 200, id="anonymous"),
        pytest.param("alice/repo", "admin", 200, id="admin"),
        pytest.param("repo", "anonymous", 200, id="library"),
        pytest.param("library/repo", "bob", 200, id="library/"),
        pytest.param("alice/repo", "read token", 200, id="read token"),
        pytest.param("alice/new", "anonymous", 404, id="no such repository"),
        pytest.param("new", "anonymous", 404, id="no such library repository"),
        pytest.param("alice/repo", "wrong password", 401, id="wrong password"),
        pytest.param("alice/repo", "unknown user", 401, id="unknown user"),
        pytest.param("alice/repo", "inactive", 403, id="inactive account"),
        pytest.param("alice/repo", "token of another repository", 403, id="another repository"),
        pytest.param("alice/repo", "forged token", 401, id="forged token"),
        pytest.param("alice/repo", "tampered token", 401, id="tampered signature"),
        pytest.param("alice/repo", "token with its repository edited", 401, id="repo edited"),
        pytest.param("alice/repo", "malformed token", 401, id="malformed token"),
    ],
)
def test_start_pull(index: Index, target: str, who: str, status: int):
    world = World(index)
    path = world.path(target)

    response = steps.start_pull(index, path, credentials(world, who, target))

    steps.assert_outcome(response, status)
    if status == 200:
        steps.assert_token(response, world.full_name(target), "read")
