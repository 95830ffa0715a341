"""Creating and deleting repositories and what is answered.

Who may do it, with which credentials, is tabled step by step in `tests/protocol/`.
"""

from typing import Any

import pytest

from tests.functional.support import (
    as_user,
    assert_error,
    assert_json,
    create_repository,
    delete_repository,
    get_images,
    image_id,
    listed,
    new_repository,
    repository_name,
)
from tests.harness import Index


@pytest.mark.parametrize("path", ["/v1/repositories/{}/", "/v1/repositories/{}"])
def test_the_owner_creates_a_repository(index: Index, path: str):
    owner = index.account()
    name = f"{owner.username}/{repository_name()}"
    image = image_id()

    response = index.client.put(path.format(name), json=[{"id": image}], auth=owner.auth)

    assert_json(response, 200, "")
    assert listed(get_images(index, name)) == {image: None}


def test_creating_an_existing_repository_of_your_own_is_not_an_error(index: Index):
    repository = new_repository(index, index.account())
    again = create_repository(index, repository.path, as_user(repository.owner))
    assert_json(again, 200, "")


def test_an_empty_image_list_creates_an_empty_repository(index: Index):
    owner = index.account()
    path = f"{owner.username}/{repository_name()}"
    assert_json(create_repository(index, path, as_user(owner), []), 200, "")
    assert listed(get_images(index, path)) == {}


def test_image_entries_may_carry_a_tag_and_other_fields(index: Index):
    owner = index.account()
    path = f"{owner.username}/{repository_name()}"
    image = image_id()
    entries = [{"id": image, "Tag": "latest", "comment": "ignored"}]
    assert_json(create_repository(index, path, as_user(owner), entries), 200, "")
    assert set(listed(get_images(index, path))) == {image}


@pytest.mark.parametrize(
    "name",
    ["Upper", "a..b", "-lead", "trail-", "a b", "x" * 256],
    ids=["upper case", "double dot", "leading dash", "trailing dash", "space", "too long"],
)
def test_an_invalid_repository_name_is_a_400(index: Index, name: str):
    owner = index.account()
    response = create_repository(index, f"{owner.username}/{name}", as_user(owner))
    assert_error(response, 400)


@pytest.mark.parametrize(
    "images",
    [{"id": "x"}, [{"id": "ABCDEF" + "0" * 58}], [{"id": "0" * 63}], [{"checksum": "sha256:0"}]],
    ids=["not a list", "upper-case id", "short id", "no id"],
)
def test_an_invalid_image_list_is_a_400(index: Index, images: Any):
    owner = index.account()
    path = f"{owner.username}/{repository_name()}"
    response = index.client.put(f"/v1/repositories/{path}/", json=images, auth=owner.auth)
    assert_error(response, 400)
    assert_error(get_images(index, path), 404)


def test_an_admin_may_create_in_any_namespace(index: Index):
    owner, admin = index.account(), index.admin()
    path = f"{owner.username}/{repository_name()}"
    assert_json(create_repository(index, path, as_user(admin)), 200, "")
    assert listed(get_images(index, path)) == {}


@pytest.mark.parametrize("spelling", ["{}", "library/{}"])
def test_the_library_namespace_is_for_admins(index: Index, spelling: str):
    user, admin = index.account(), index.admin()
    path = spelling.format(repository_name())

    assert_error(create_repository(index, path, as_user(user)), 403)
    assert_json(create_repository(index, path, as_user(admin)), 200, "")


@pytest.mark.parametrize("path", ["/v1/repositories/{}/", "/v1/repositories/{}"])
def test_the_owner_deletes_a_repository(index: Index, path: str):
    repository = new_repository(index, index.account())

    response = index.client.delete(path.format(repository.path), auth=repository.owner.auth)

    assert_json(response, 202, "")
    assert_error(get_images(index, repository.path), 404)


def test_deleting_twice_is_a_404_the_second_time(index: Index):
    repository = new_repository(index, index.account())
    assert delete_repository(index, repository.path, as_user(repository.owner)).status_code == 202
    assert_error(delete_repository(index, repository.path, as_user(repository.owner)), 404)


@pytest.mark.parametrize("spelling", ["{}", "library/{}"])
def test_library_repositories_are_deleted_by_admins_only(index: Index, spelling: str):
    admin, user = index.admin(), index.account()
    name = repository_name()
    assert create_repository(index, name, as_user(admin)).status_code == 200
    path = spelling.format(name)

    assert_error(delete_repository(index, path, as_user(user)), 403)
    assert_json(delete_repository(index, path, as_user(admin)), 202, "")
    assert_error(get_images(index, name), 404)


def test_a_deleted_repository_can_be_created_again(index: Index):
    repository = new_repository(index, index.account())
    assert delete_repository(index, repository.path, as_user(repository.owner)).status_code == 202
    image = image_id()

    again = create_repository(index, repository.path, as_user(repository.owner), [{"id": image}])

    assert_json(again, 200, "")
    assert image in listed(get_images(index, repository.path))


def test_a_path_that_is_both_a_library_image_list_and_a_repository_follows_its_spelling(
    index: Index,
):
    """`PUT /v1/repositories/foo/images/` creates `foo/images`; without the slash it is not."""
    owner = index.account()
    path = f"/v1/repositories/{owner.username}/images/"
    response = index.client.put(path, json=[], auth=owner.auth)
    assert_json(response, 200, "")
    assert listed(get_images(index, f"{owner.username}/images")) == {}
