"""Tags and orphan images, on both backends: the tags a v1 push names, on Docker Hub's tag
routes (reading as the repository's privacy allows, deleting with ``admin``), and the image
ids no repository lists any more, for administrators."""

from datetime import datetime

import httpx
import pytest

from tests.functional.orgs_support import create_org
from tests.functional.support import (
    Repository,
    as_user,
    assert_error,
    create_repository,
    delete_repository,
    image_id,
    new_repository,
    put_images,
    repository_name,
)
from tests.functional.test_privacy import add_collaborator, make_private
from tests.functional.test_signin import bearer, new_token, sign_in
from tests.harness import Account, Index


def tag_paths(path: str) -> list[str]:
    """The list of tags, on both of Hub's paths, in both slash spellings."""
    namespace, name = path.split("/")
    pages = [
        f"/v2/namespaces/{namespace}/repositories/{name}/tags",
        f"/v2/repositories/{path}/tags",
    ]
    return [spelling for page in pages for spelling in (page, page + "/")]


def one_tag(path: str, tag: str) -> str:
    namespace, name = path.split("/")
    return f"/v2/namespaces/{namespace}/repositories/{name}/tags/{tag}"


def tags_of(index: Index, path: str, headers: dict[str, str] | None = None, **params: int) -> dict:
    response = index.client.get(tag_paths(path)[0], params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def names(page: dict) -> list[str]:
    return [tag["name"] for tag in page["results"]]


def pushed(index: Index, owner: Account, entries: list[dict]) -> Repository:
    """A new repository of ``owner``, created as the Docker 1.x client does, with ``entries``."""
    repository = Repository(owner, repository_name(), [entry["id"] for entry in entries])
    response = create_repository(index, repository.path, as_user(owner), entries)
    assert response.status_code == 200, response.text
    return repository


def delete_tag(index: Index, path: str, tag: str, headers: dict[str, str]) -> httpx.Response:
    return index.client.delete(f"/v2/repositories/{path}/tags/{tag}/", headers=headers)


def test_the_tags_a_push_names_are_listed_with_the_image_each_names(index: Index):
    owner = index.account()
    first, second = image_id(), image_id()
    repository = pushed(
        index,
        owner,
        [{"id": first, "Tag": "v1"}, {"id": second, "Tag": "latest"}, {"id": "0" * 64}],
    )
    for path in tag_paths(repository.path):
        page = index.client.get(path).json()
        assert page["count"] == 2
        assert page["next"] is None
        assert page["previous"] is None
        by_name = {tag["name"]: tag for tag in page["results"]}
        assert by_name["v1"]["image_id"] == first
        assert by_name["latest"]["image_id"] == second
        for tag in page["results"]:
            assert tag["last_updater_username"] == owner.username
            assert tag["last_updated"] == tag["tag_last_pushed"]
            datetime.fromisoformat(tag["last_updated"])
            assert set(tag) == {
                "name",
                "image_id",
                "last_updated",
                "tag_last_pushed",
                "last_updater_username",
            }
    one = index.client.get(one_tag(repository.path, "v1"))
    assert one.status_code == 200
    assert one.json()["image_id"] == first
    assert index.client.head(one_tag(repository.path, "v1")).status_code == 200
    assert index.client.head(tag_paths(repository.path)[0]).status_code == 200


def test_a_tag_pushed_again_names_its_new_image_and_comes_first(index: Index):
    owner = index.account()
    old, new = image_id(), image_id()
    repository = pushed(index, owner, [{"id": old, "Tag": "latest"}, {"id": old, "Tag": "v1"}])
    # The same tag, pushed again with another image, through PUT .../images with a token.
    token = create_repository(index, repository.path, as_user(owner), [], want_token=True).headers[
        "X-Docker-Token"
    ]
    answer = put_images(
        index, repository.path, {"Authorization": f"Token {token}"}, [{"id": new, "Tag": "latest"}]
    )
    assert answer.status_code == 204, answer.text
    page = tags_of(index, repository.path)
    assert names(page) == ["latest", "v1"]  # the last pushed first
    assert page["results"][0]["image_id"] == new
    assert page["results"][0]["last_updater_username"] == owner.username
    assert page["results"][0]["last_updated"] >= page["results"][1]["last_updated"]
    images = index.client.get(f"/v1/repositories/{repository.path}/images").json()
    assert {image["id"] for image in images} == {old, new}


def test_tags_are_paged(index: Index):
    owner = index.account()
    entries = [{"id": image_id(), "Tag": f"t{k:02}"} for k in range(5)]
    repository = pushed(index, owner, entries)
    first = tags_of(index, repository.path, page=1, page_size=2)
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert first["next"].endswith("page=2&page_size=2")
    last = tags_of(index, repository.path, page=3, page_size=2)
    assert len(last["results"]) == 1
    assert last["next"] is None
    seen = [
        name
        for page in (1, 2, 3)
        for name in names(tags_of(index, repository.path, page=page, page_size=2))
    ]
    assert sorted(seen) == [f"t{k:02}" for k in range(5)]
    assert tags_of(index, repository.path, page=4, page_size=2)["results"] == []
    assert_error(index.client.get(tag_paths(repository.path)[0], params={"page_size": 101}), 400)


def test_missing_tags_and_repositories_are_404(index: Index):
    owner = index.account()
    repository = pushed(index, owner, [{"id": image_id(), "Tag": "latest"}])
    assert_error(
        index.client.get(one_tag(repository.path, "nope")),
        404,
        f"tag nope of {repository.path} not found",
    )
    assert index.client.head(one_tag(repository.path, "nope")).status_code == 404
    missing = f"{owner.username}/{repository_name('missing')}"
    for path in tag_paths(missing):
        assert_error(index.client.get(path), 404, f"repository {missing} not found")
    assert_error(index.client.get(one_tag(repository.path, "bad tag!")), 400)


def test_a_private_repository_s_tags_are_missing_to_those_who_may_not_read_it(index: Index):
    owner, stranger, collaborator = index.account(), index.account(), index.account()
    repository = pushed(index, owner, [{"id": image_id(), "Tag": "latest"}])
    make_private(index, repository)
    assert add_collaborator(index, repository, collaborator.username).status_code == 201
    for headers in ({}, bearer(sign_in(index, stranger))):
        for path in [*tag_paths(repository.path), one_tag(repository.path, "latest")]:
            assert_error(
                index.client.get(path, headers=headers),
                404,
                f"repository {repository.path} not found",
            )
    for reader in (owner, collaborator, index.admin()):
        assert names(tags_of(index, repository.path, bearer(sign_in(index, reader)))) == ["latest"]
    # A repo:public_read access token reads public repositories only.
    reader_token = new_token(index, sign_in(index, owner), "repo:public_read")["token"]
    limited = sign_in(index, owner, reader_token)
    assert (
        index.client.get(tag_paths(repository.path)[0], headers=bearer(limited)).status_code == 404
    )
    assert (
        index.client.get(tag_paths(repository.path)[0], headers=bearer("forged")).status_code == 401
    )


def test_deleting_a_tag_takes_admin_and_leaves_the_image_listed(index: Index):
    owner, stranger, collaborator = index.account(), index.account(), index.account()
    tagged = image_id()
    repository = pushed(
        index, owner, [{"id": tagged, "Tag": "latest"}, {"id": tagged, "Tag": "v1"}]
    )
    assert add_collaborator(index, repository, collaborator.username).status_code == 201
    assert_error(delete_tag(index, repository.path, "v1", {}), 401)
    assert_error(delete_tag(index, repository.path, "v1", bearer(sign_in(index, stranger))), 403)
    assert_error(
        delete_tag(index, repository.path, "v1", bearer(sign_in(index, collaborator))), 403
    )
    writer = sign_in(index, owner, new_token(index, sign_in(index, owner), "repo:write")["token"])
    assert_error(delete_tag(index, repository.path, "v1", bearer(writer)), 403)
    owner_jwt = {"Authorization": f"JWT {sign_in(index, owner)}"}  # as docker-hub-api sends it
    assert delete_tag(index, repository.path, "v1", owner_jwt).status_code == 204
    assert names(tags_of(index, repository.path)) == ["latest"]
    assert_error(
        delete_tag(index, repository.path, "v1", owner_jwt),
        404,
        f"tag v1 of {repository.path} not found",
    )
    admin = bearer(sign_in(index, index.admin()))
    assert (
        index.client.delete(
            f"/v2/repositories/{repository.path}/tags/latest", headers=admin
        ).status_code
        == 204
    )
    assert tags_of(index, repository.path)["count"] == 0
    images = index.client.get(f"/v1/repositories/{repository.path}/images").json()
    assert [image["id"] for image in images] == [tagged]


def test_a_repository_s_tags_go_with_it(index: Index):
    owner = index.account()
    repository = pushed(index, owner, [{"id": image_id(), "Tag": "latest"}])
    assert delete_repository(index, repository.path, as_user(owner)).status_code == 202
    again = create_repository(index, repository.path, as_user(owner), [])
    assert again.status_code == 200
    assert tags_of(index, repository.path)["count"] == 0


def test_a_large_push_records_its_tags_in_its_transaction(index: Index):
    """A list of 10,000 entries (SQLite's writer thread) with a tag on each of a few."""
    owner = index.account()
    ids = [image_id() for _ in range(10_000)]
    entries = [{"id": i, **({"Tag": f"t{k}"} if k % 2500 == 0 else {})} for k, i in enumerate(ids)]
    repository = pushed(index, owner, entries)
    assert sorted(names(tags_of(index, repository.path))) == ["t0", "t2500", "t5000", "t7500"]
    # One image more than a repository holds: refused, and its tag rolled back with it.
    answer = put_images(index, repository.path, as_user(owner), [{"id": image_id(), "Tag": "over"}])
    assert answer.status_code == 409, answer.text
    assert "over" not in names(tags_of(index, repository.path, page_size=100))


# Orphan images --------------------------------------------------------------------------------

ORPHANS = "/v2/images/orphans"


def orphans(index: Index, admin_jwt: str, **params: int) -> dict:
    response = index.client.get(ORPHANS, params=params, headers=bearer(admin_jwt))
    assert response.status_code == 200, response.text
    return response.json()


def orphan_ids(index: Index, admin_jwt: str) -> dict[str, str]:
    found: dict[str, str] = {}
    page = 1
    while True:
        answer = orphans(index, admin_jwt, page=page, page_size=100)
        found.update({orphan["id"]: orphan["last_listed"] for orphan in answer["results"]})
        if answer["next"] is None:
            return found
        page += 1


def test_an_image_no_repository_lists_any_more_is_an_orphan(index: Index):
    admin = sign_in(index, index.admin())
    owner = index.account()
    shared, alone = image_id(), image_id()
    first = new_repository(index, owner)
    assert (
        put_images(index, first.path, as_user(owner), [{"id": shared}, {"id": alone}]).status_code
        == 204
    )
    second = pushed(index, owner, [{"id": shared}])
    assert orphan_ids(index, admin) == {}
    assert delete_repository(index, first.path, as_user(owner)).status_code == 202
    found = orphan_ids(index, admin)
    assert set(found) == {alone, first.images[0]}  # `shared` is still listed by `second`
    assert delete_repository(index, second.path, as_user(owner)).status_code == 202
    later = orphan_ids(index, admin)
    assert set(later) == {alone, first.images[0], shared}
    assert later[shared] >= later[alone]
    page = orphans(index, admin, page_size=1)
    assert page["count"] == 3
    assert len(page["results"]) == 1
    assert page["next"] is not None
    # Listed again: no orphan any more.
    pushed(index, owner, [{"id": alone}])
    assert set(orphan_ids(index, admin)) == {first.images[0], shared}


def test_only_administrators_list_orphans(index: Index):
    user = index.account()
    assert_error(index.client.get(ORPHANS), 401)
    assert_error(index.client.get(ORPHANS, headers=bearer(sign_in(index, user))), 403)
    admin = index.admin()
    token = new_token(index, sign_in(index, admin), "repo:admin")["token"]
    assert_error(index.client.get(ORPHANS + "/", headers=bearer(sign_in(index, admin, token))), 403)
    assert index.client.get(ORPHANS + "/", headers=bearer(sign_in(index, admin))).status_code == 200


@pytest.mark.parametrize("size", [600])
def test_a_large_repository_s_ids_become_orphans_when_it_is_deleted(index: Index, size: int):
    """A deletion on SQLite's writer thread records its list too."""
    admin = sign_in(index, index.admin())
    owner = index.account()
    repository = new_repository(index, owner, images=size)
    assert delete_repository(index, repository.path, as_user(owner)).status_code == 202
    assert set(orphan_ids(index, admin)) == set(repository.images)


@pytest.mark.parametrize(
    ("role", "permission", "deletes"),
    [
        ("member", "read", False),
        ("member", "write", False),
        ("member", "admin", True),
        ("editor", None, True),
    ],
)
def test_in_an_organization_deleting_a_tag_takes_admin(
    index: Index, role: str, permission: str | None, deletes: bool
):
    org = create_org(index)
    caller = org.add(role)
    path = org.repository()
    tagged = index.client.put(
        f"/v1/repositories/{path}/",
        json=[{"id": image_id(), "Tag": "latest"}],
        headers={"Authorization": org.admin.basic},
    )
    assert tagged.status_code == 200, tagged.text
    if permission is not None:
        team = org.team(None, caller)
        given = index.client.post(
            f"/v2/repositories/{path}/groups",
            json={"group_id": team["id"], "permission": permission},
            headers=org.as_(org.owner),
        )
        assert given.status_code == 200, given.text
    answer = delete_tag(index, path, "latest", org.as_(caller))
    assert answer.status_code == (204 if deletes else 403), answer.text
    assert tags_of(index, path)["count"] == (0 if deletes else 1)
