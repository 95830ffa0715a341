"""Official (library) repositories: one-segment names, pushed by admins, pulled by anyone."""

from tests.functional.support import as_user, assert_json, image_id, listed, repository_name
from tests.harness import Index, token_header
from tests.protocol import steps


def test_an_admin_pushes_a_library_repository_that_anyone_pulls(index: Index):
    admin, user = index.admin(), index.account()
    name = repository_name()
    images = [image_id()]

    created = steps.start_push(index, name, as_user(admin), images)

    assert_json(created, 200, "")
    write = steps.assert_token(created, f"library/{name}", "write")
    assert_json(
        steps.registry_authorizes(index, name, {"Authorization": token_header(created)}), 200, "OK"
    )
    assert steps.finish_push(index, name, as_user(admin)).status_code == 204
    for path in (name, f"library/{name}"):
        for headers in ({}, as_user(user)):
            pulled = steps.start_pull(index, path, headers)
            assert listed(pulled) == dict.fromkeys(images)
            steps.assert_token(pulled, f"library/{name}", "read")
        assert_json(
            steps.registry_authorizes(index, path, {"Authorization": f"Token {write}"}), 200, "OK"
        )


def test_a_library_repository_is_official_in_search(index: Index):
    admin, user = index.admin(), index.account()
    name = repository_name()
    assert steps.start_push(index, name, as_user(admin), []).status_code == 200
    mine = f"{user.username}/{name}"
    assert steps.start_push(index, mine, as_user(user), []).status_code == 200

    results = steps.search(index, name).json()["results"]

    assert [(r["name"], r["is_official"]) for r in results] == [
        (f"library/{name}", True),
        (mine, False),
    ]


def test_an_admin_deletes_a_library_repository_with_its_token(index: Index):
    admin = index.admin()
    name = repository_name()
    assert steps.start_push(index, name, as_user(admin), []).status_code == 200

    deleted = steps.delete(index, name, as_user(admin))

    assert_json(deleted, 202, "")
    steps.assert_token(deleted, f"library/{name}", "delete")
    assert steps.start_pull(index, f"library/{name}", {}).status_code == 404
