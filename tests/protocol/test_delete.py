"""Deleting a repository: the index forgets it and hands out a token to remove the layers."""

import pytest

from tests.functional.support import as_user, assert_error, assert_json, get_images, listed
from tests.harness import Index, token_header
from tests.protocol import steps
from tests.protocol.world import World, credentials


def test_a_delete_from_start_to_finish(index: Index):
    world = World(index)
    path = world.path("alice/repo")

    deleted = steps.delete(index, path, as_user(world.alice))

    assert_json(deleted, 202, "")
    steps.assert_token(deleted, path, "delete")
    registry = {"Authorization": token_header(deleted)}
    assert_error(get_images(index, path), 404)
    # The registry checks the delete token after the deletion: it is good, and reads the list.
    assert_json(steps.registry_authorizes(index, path, registry), 200, "OK")
    assert listed(steps.registry_checks(index, path, registry)) == {}
    found = steps.search(index, path.split("/")[1]).json()
    assert found["num_results"] == 0
    assert found["results"] == []


@pytest.mark.parametrize(
    ("target", "who", "status"),
    [
        pytest.param("alice/repo", "alice", 202, id="owner"),
        pytest.param("alice/repo", "admin", 202, id="admin"),
        pytest.param("repo", "admin", 202, id="admin on library"),
        pytest.param("library/repo", "admin", 202, id="admin on library/"),
        pytest.param("alice/new", "alice", 404, id="no such repository"),
        pytest.param("new", "admin", 404, id="no such library repository"),
        pytest.param("alice/repo", "anonymous", 401, id="anonymous"),
        pytest.param("alice/repo", "wrong password", 401, id="wrong password"),
        pytest.param("alice/repo", "unknown user", 401, id="unknown user"),
        pytest.param("inactive/repo", "inactive", 403, id="inactive account"),
        pytest.param("alice/repo", "bob", 403, id="another user's namespace"),
        pytest.param("repo", "alice", 403, id="non-admin on library"),
        pytest.param("library/repo", "alice", 403, id="non-admin on library/"),
        pytest.param("alice/repo", "write token", 401, id="a token instead of Basic"),
        pytest.param("alice/repo", "delete token", 401, id="a delete token instead of Basic"),
    ],
)
def test_delete(index: Index, target: str, who: str, status: int):
    world = World(index)
    path, headers = world.path(target), credentials(world, who, target)

    response = steps.delete(index, path, headers)

    steps.assert_outcome(response, status)
    if status == 202:
        steps.assert_token(response, world.full_name(target), "delete")
        assert_error(get_images(index, path), 404)
    elif target.endswith("repo"):
        assert listed(get_images(index, path)) == {}
