"""The token rules in Docker 1.x sequences: a token stops with what granted it, and a delete
token outlives its repository for the registry's check."""

from tests.functional.support import (
    as_user,
    assert_error,
    assert_inactive,
    assert_json,
    basic,
    checksum,
    get_images,
    image_id,
    listed,
    with_token,
)
from tests.harness import Index, hubindex, token_header
from tests.protocol import steps
from tests.protocol.world import World


def _change_password(index: Index, username: str, headers: dict[str, str], new: str) -> None:
    """What `docker login` offers no way to do: the account's own password change."""
    changed = index.client.put(f"/v1/users/{username}/", json={"password": new}, headers=headers)
    assert changed.status_code == 204, changed.text


def test_a_push_token_issued_before_a_password_change_is_refused_after_it(index: Index):
    world = World(index)
    path = world.path("alice/new")
    image = image_id()
    created = steps.start_push(index, path, as_user(world.alice), [image])
    registry = {"Authorization": token_header(created)}
    assert listed(steps.registry_checks(index, path, registry)) == {image: None}

    _change_password(index, world.alice.username, as_user(world.alice), "changed-s3cret")

    # The registry's checks and the client's last steps with the old token all fail ...
    assert_error(steps.registry_checks(index, path, registry), 401)
    assert_error(steps.registry_authorizes(index, path, registry), 401)
    recorded = steps.finish_push(index, path, registry, [{"id": image, "checksum": checksum()}])
    assert_error(recorded, 401)
    assert listed(get_images(index, path)) == {image: None}
    # ... and the push started again with the new password goes through.
    new_login = basic(world.alice.username, "changed-s3cret")
    again = steps.start_push(index, path, new_login, [image])
    token = steps.assert_token(again, path, "write")
    assert steps.finish_push(index, path, with_token(token), []).status_code == 204


def test_a_pull_token_of_a_disabled_account_is_refused_until_it_is_enabled(index: Index):
    world = World(index)
    path = world.path("alice/repo")
    pulled = steps.start_pull(index, path, as_user(world.alice))
    registry = {"Authorization": token_header(pulled)}
    assert steps.registry_checks(index, path, registry).status_code == 200

    hubindex("users", "disable", world.alice.username, database_url=index.database_url)
    assert_inactive(steps.registry_checks(index, path, registry))
    hubindex("users", "enable", world.alice.username, database_url=index.database_url)
    assert steps.registry_checks(index, path, registry).status_code == 200


def test_a_write_token_does_not_outlive_a_delete_and_create_of_the_name(index: Index):
    world = World(index)
    path = world.path("alice/new")
    alice = as_user(world.alice)
    first = steps.start_push(index, path, alice, [image_id()])
    old = {"Authorization": token_header(first)}
    assert steps.delete(index, path, alice).status_code == 202
    layer = image_id()
    second = steps.start_push(index, path, alice, [layer])
    new = {"Authorization": token_header(second)}

    assert_error(steps.registry_checks(index, path, old), 401)
    assert_error(steps.registry_authorizes(index, path, old), 401)
    assert_error(steps.finish_push(index, path, old, [{"id": image_id()}]), 401)
    assert listed(steps.registry_checks(index, path, new)) == {layer: None}
    assert steps.finish_push(index, path, new, []).status_code == 204


def test_the_registry_checks_a_delete_token_after_the_deletion_and_gets_the_list(index: Index):
    world = World(index)
    path = world.path("alice/new")
    alice = as_user(world.alice)
    sums = {image_id(): checksum(), image_id(): checksum()}
    created = steps.start_push(index, path, alice, list(sums))
    pushed = [{"id": image, "checksum": value} for image, value in sums.items()]
    assert steps.finish_push(index, path, with_token(steps.assert_token(created, path, "write")),
                             pushed).status_code == 204  # fmt: skip

    deleted = steps.delete(index, path, alice)
    assert_json(deleted, 202, "")
    registry = {"Authorization": token_header(deleted)}

    assert listed(steps.registry_checks(index, path, registry)) == sums
    assert_json(steps.registry_authorizes(index, path, registry), 200, "OK")
    # Nobody else finds the repository; the delete token allows nothing more.
    assert_error(get_images(index, path), 404)
    assert_error(steps.start_pull(index, path, alice), 404)
    assert_error(steps.finish_push(index, path, registry, []), 403)


def test_a_push_asks_whether_it_may_build_on_a_parent_layer(index: Index):
    world = World(index)
    base, app = world.path("alice/repo"), world.path("alice/new")
    parent = image_id()
    alice = as_user(world.alice)
    assert steps.start_push(index, base, alice, [parent]).status_code == 200
    created = steps.start_push(index, app, alice, [image_id()])
    registry = {"Authorization": token_header(created)}

    def access(layer: str):
        return index.client.get(f"/v1/repositories/{app}/layer/{layer}/access", headers=registry)

    assert_json(access(parent), 200, {"access": True})
    assert_json(access(image_id()), 200, {"access": False})
