"""`GET /v1/repositories/{ns}/{repo}/layer/{image_id}/access`: the registry asks, before a push
builds on a parent layer, whether the push's caller may read a repository listing it."""

from collections.abc import Callable

import pytest

from tests.functional.support import (
    as_user,
    assert_error,
    assert_json,
    check_token,
    create_repository,
    delete_repository,
    forged_token,
    get_images,
    image_id,
    listed,
    new_repository,
    put_images,
    repository_name,
    token_for,
    with_token,
)
from tests.harness import Index


def _access(index: Index, path: str, layer: str, headers: dict[str, str]):
    return index.client.get(f"/v1/repositories/{path}/layer/{layer}/access", headers=headers)


def test_a_layer_some_repository_lists_may_be_built_on(index: Index):
    parent = new_repository(index, index.account())
    pushed = new_repository(index, index.account())
    token = token_for(index, pushed.path, "write", as_user(pushed.owner))
    headers = with_token(token)

    assert_json(_access(index, pushed.path, parent.images[0], headers), 200, {"access": True})
    assert_json(_access(index, pushed.path, pushed.images[0], headers), 200, {"access": True})
    assert_json(_access(index, pushed.path, image_id(), headers), 200, {"access": False})


def test_a_layer_of_a_deleted_repository_may_no_longer_be_built_on(index: Index):
    parent = new_repository(index, index.account())
    pushed = new_repository(index, index.account())
    token = token_for(index, pushed.path, "write", as_user(pushed.owner))
    assert delete_repository(index, parent.path, as_user(parent.owner)).status_code == 202
    answer = _access(index, pushed.path, parent.images[0], with_token(token))
    assert_json(answer, 200, {"access": False})


def test_the_library_spelling(index: Index):
    admin = index.admin()
    name = repository_name()
    layer = image_id()
    created = create_repository(index, name, as_user(admin), [{"id": layer}], want_token=True)
    token = created.headers["X-Docker-Token"]
    answer = index.client.get(
        f"/v1/repositories/{name}/layer/{layer}/access", headers=with_token(token)
    )
    assert_json(answer, 200, {"access": True})


def test_the_check_needs_the_pushs_token(index: Index):
    pushed = new_repository(index, index.account())
    other = new_repository(index, index.account())
    layer = pushed.images[0]
    assert_error(_access(index, pushed.path, layer, {}), 401)
    assert_error(_access(index, pushed.path, layer, as_user(pushed.owner)), 401)
    assert_error(_access(index, pushed.path, layer, with_token(forged_token(pushed.path))), 401)
    token = token_for(index, other.path, "write", as_user(other.owner))
    assert_error(_access(index, pushed.path, layer, with_token(token)), 403)


@pytest.mark.parametrize("layer", ["short", "A" * 64, "g" * 64])
def test_an_image_id_that_is_not_one_is_a_400(index: Index, layer: str):
    pushed = new_repository(index, index.account())
    token = token_for(index, pushed.path, "write", as_user(pushed.owner))
    assert_error(_access(index, pushed.path, layer, with_token(token)), 400)


@pytest.mark.parametrize("engine", ["fast", "connexion"])
def test_both_engines_answer_the_registrys_checks(make_index: Callable[..., Index], engine: str):
    index = make_index(engine=engine)
    parent = new_repository(index, index.account())
    pushed = new_repository(index, index.account())
    owner = as_user(pushed.owner)
    write = with_token(token_for(index, pushed.path, "write", owner))
    assert_json(_access(index, pushed.path, parent.images[0], write), 200, {"access": True})
    assert_json(_access(index, pushed.path, image_id(), write), 200, {"access": False})
    assert_error(_access(index, pushed.path, "short", write), 400)

    deleting = with_token(token_for(index, pushed.path, "delete", owner))
    assert set(listed(get_images(index, pushed.path, deleting))) == set(pushed.images)
    assert_json(check_token(index, pushed.path, deleting), 200, "OK")
    assert_error(get_images(index, pushed.path), 404)
    assert create_repository(index, pushed.path, owner).status_code == 200
    assert_error(put_images(index, pushed.path, write, []), 401)
