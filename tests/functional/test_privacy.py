"""Private repositories and collaborators, on both backends: who reads, pushes and administers
a private repository, that to everyone else it is a missing one (every v1 path that reaches
it, and search), the /v2 sharing operations, and v1 tokens that end with the access token
they were got with."""

from collections.abc import Callable

import httpx
import pytest

from tests.functional.support import (
    Repository,
    as_user,
    assert_error,
    assert_json,
    basic,
    check_token,
    create_repository,
    delete_repository,
    get_images,
    image_id,
    new_repository,
    put_images,
    repository_name,
    search,
    token_for,
    with_token,
)
from tests.functional.test_signin import bearer, new_token, sign_in
from tests.harness import Account, Index


def privacy_of(index: Index, path: str, jwt_token: str, private: bool) -> httpx.Response:
    return index.client.post(
        f"/v2/repositories/{path}/privacy/", json={"is_private": private}, headers=bearer(jwt_token)
    )


def make_private(index: Index, repository: Repository) -> None:
    answer = privacy_of(index, repository.path, sign_in(index, repository.owner), True)
    assert_json(
        answer,
        200,
        {"namespace": repository.owner.username, "name": repository.name, "is_private": True},
    )


def add_collaborator(index: Index, repository: Repository, user: str) -> httpx.Response:
    return index.client.post(
        f"/v2/repositories/{repository.path}/collaborators/",
        json={"user": user},
        headers=bearer(sign_in(index, repository.owner)),
    )


def remove_collaborator(index: Index, repository: Repository, user: str) -> httpx.Response:
    return index.client.delete(
        f"/v2/repositories/{repository.path}/collaborators/{user}",
        headers=bearer(sign_in(index, repository.owner)),
    )


def missing_answer(index: Index, owner: Account, headers: dict[str, str] | None) -> httpx.Response:
    """What a repository of ``owner`` that does not exist answers a pull."""
    return get_images(index, f"{owner.username}/{repository_name('missing')}", headers)


def assert_missing(answer: httpx.Response, path: str) -> None:
    assert_error(answer, 404, f"repository {path} not found")
    assert "X-Docker-Token" not in answer.headers


@pytest.fixture
def private(index: Index) -> Repository:
    repository = new_repository(index, index.account())
    make_private(index, repository)
    return repository


def test_a_repository_is_public_until_its_owner_makes_it_private(index: Index):
    repository = new_repository(index, index.account())
    assert get_images(index, repository.path).status_code == 200
    make_private(index, repository)
    assert_missing(get_images(index, repository.path), repository.path)
    jwt_token = sign_in(index, repository.owner)
    public = privacy_of(index, repository.path, jwt_token, False)
    assert public.json()["is_private"] is False
    assert get_images(index, repository.path).status_code == 200


@pytest.mark.parametrize("caller", ["anonymous", "stranger"])
def test_a_private_repository_is_missing_to_those_who_may_not_read_it(
    index: Index, private: Repository, caller: str
):
    headers = None if caller == "anonymous" else as_user(index.account())
    answer = get_images(index, private.path, headers, want_token=True)
    assert_missing(answer, private.path)
    missing = missing_answer(index, private.owner, headers)
    assert answer.status_code == missing.status_code
    assert answer.headers["Content-Type"] == missing.headers["Content-Type"]
    assert answer.json().keys() == missing.json().keys()


def test_owner_admin_and_collaborator_read_a_private_repository(index: Index, private: Repository):
    collaborator = index.account()
    assert add_collaborator(index, private, collaborator.username).status_code == 201
    for reader in (private.owner, index.admin(), collaborator):
        answer = get_images(index, private.path, as_user(reader), want_token=True)
        assert answer.status_code == 200, (reader.username, answer.text)
        assert [entry["id"] for entry in answer.json()] == private.images
        token = answer.headers["X-Docker-Token"]
        assert get_images(index, private.path, with_token(token)).status_code == 200
        assert_json(check_token(index, private.path, with_token(token)), 200, "OK")


def test_a_collaborator_pushes_but_neither_deletes_nor_administers(
    index: Index, private: Repository
):
    collaborator = index.account()
    assert add_collaborator(index, private, collaborator.username).status_code == 201
    headers = as_user(collaborator)
    created = create_repository(index, private.path, headers, want_token=True)
    assert created.status_code == 200, created.text
    pushed = image_id()
    write = with_token(created.headers["X-Docker-Token"])
    assert put_images(index, private.path, write, [{"id": pushed}]).status_code == 204
    assert pushed in [entry["id"] for entry in get_images(index, private.path, headers).json()]

    refused = f"{collaborator.username} may not change {private.path}"
    assert_error(delete_repository(index, private.path, headers), 403, refused)
    jwt_token = sign_in(index, collaborator)
    assert_error(privacy_of(index, private.path, jwt_token, False), 403, refused)
    listing = index.client.get(
        f"/v2/repositories/{private.path}/collaborators", headers=bearer(jwt_token)
    )
    assert_error(listing, 403, refused)
    assert get_images(index, private.path).status_code == 404  # still private


def test_removing_a_collaborator_ends_its_reads_and_its_tokens(index: Index, private: Repository):
    collaborator = index.account()
    assert add_collaborator(index, private, collaborator.username).status_code == 201
    write = token_for(index, private.path, "write", as_user(collaborator))
    read = token_for(index, private.path, "read", as_user(collaborator))
    assert remove_collaborator(index, private, collaborator.username).status_code == 204

    assert_missing(get_images(index, private.path, as_user(collaborator)), private.path)
    assert_missing(get_images(index, private.path, with_token(read)), private.path)
    assert_missing(check_token(index, private.path, with_token(read)), private.path)
    assert put_images(index, private.path, with_token(write), []).status_code == 403
    assert_error(remove_collaborator(index, private, collaborator.username), 404)


def test_making_a_repository_private_ends_anonymous_read_tokens(index: Index):
    repository = new_repository(index, index.account())
    anonymous = token_for(index, repository.path, "read")
    owners = token_for(index, repository.path, "read", as_user(repository.owner))
    make_private(index, repository)
    assert_missing(get_images(index, repository.path, with_token(anonymous)), repository.path)
    assert_missing(check_token(index, repository.path, with_token(anonymous)), repository.path)
    assert get_images(index, repository.path, with_token(owners)).status_code == 200


def test_writes_to_a_private_repository_are_refused_as_to_a_missing_one(
    index: Index, private: Repository
):
    stranger = as_user(index.account())
    missing = f"{private.owner.username}/{repository_name('missing')}"
    for path in (private.path, missing):
        assert_error(create_repository(index, path, {}), 401)
        answer = create_repository(index, path, stranger)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"].endswith(f"may not change {path}")
        assert delete_repository(index, path, stranger).status_code == 403
        assert put_images(index, path, stranger, []).status_code == 403


def test_the_parent_layer_check_counts_only_repositories_the_holder_may_read(
    index: Index, private: Repository
):
    layer = private.images[0]
    stranger = index.account()
    pushed = new_repository(index, stranger)
    strangers = with_token(token_for(index, pushed.path, "write", as_user(stranger)))
    path = f"/v1/repositories/{pushed.path}/layer/{layer}/access"
    assert_json(index.client.get(path, headers=strangers), 200, {"access": False})

    owners_repository = new_repository(index, private.owner)
    owners = with_token(token_for(index, owners_repository.path, "write", as_user(private.owner)))
    path = f"/v1/repositories/{owners_repository.path}/layer/{layer}/access"
    assert_json(index.client.get(path, headers=owners), 200, {"access": True})

    assert add_collaborator(index, private, stranger.username).status_code == 201
    path = f"/v1/repositories/{pushed.path}/layer/{layer}/access"
    assert_json(index.client.get(path, headers=strangers), 200, {"access": True})


def _found(index: Index, term: str, headers: dict[str, str] | None) -> list[str]:
    answer = search(index, headers, q=term)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["num_results"] == len(body["results"])
    return [hit["name"] for hit in body["results"]]


def test_search_finds_a_private_repository_only_for_those_who_may_read_it(index: Index):
    owner = index.account()
    term = repository_name("needle")
    hidden = new_repository_named(index, owner, f"{term}-private")
    shown = new_repository_named(index, owner, f"{term}-public")
    make_private(index, hidden)
    collaborator, stranger = index.account(), index.account()
    assert add_collaborator(index, hidden, collaborator.username).status_code == 201

    everyone = [shown.path]
    both = sorted([hidden.path, shown.path])
    assert _found(index, term, None) == everyone
    assert _found(index, term, as_user(stranger)) == everyone
    for reader in (owner, collaborator, index.admin()):
        assert sorted(_found(index, term, as_user(reader))) == both
    # kept answers follow a change of privacy and of collaborators
    assert remove_collaborator(index, hidden, collaborator.username).status_code == 204
    assert _found(index, term, as_user(collaborator)) == everyone
    privacy_of(index, hidden.path, sign_in(index, owner), False)
    assert sorted(_found(index, term, None)) == both


def new_repository_named(index: Index, owner: Account, name: str) -> Repository:
    repository = Repository(owner, name, [image_id()])
    images = [{"id": image} for image in repository.images]
    created = create_repository(index, repository.path, as_user(owner), images)
    assert created.status_code == 200, created.text
    return repository


@pytest.mark.parametrize(("scope", "reads"), [("repo:public_read", False), ("repo:read", True)])
def test_an_access_tokens_scope_says_whether_it_reads_private_repositories(
    index: Index, private: Repository, scope: str, reads: bool
):
    secret = new_token(index, sign_in(index, private.owner), scope)["token"]
    headers = basic(private.owner.username, secret)
    answer = get_images(index, private.path, headers, want_token=True)
    if not reads:
        assert_missing(answer, private.path)
        assert private.path not in _found(index, private.name, headers)
        return
    assert answer.status_code == 200, answer.text
    assert private.path in _found(index, private.name, headers)
    token = answer.headers["X-Docker-Token"]
    assert get_images(index, private.path, with_token(token)).status_code == 200


ENDINGS: dict[str, Callable[[Index, str, str], httpx.Response]] = {
    "deleted": lambda index, jwt, uuid: index.client.delete(
        f"/v2/access-tokens/{uuid}", headers=bearer(jwt)
    ),
    "deactivated": lambda index, jwt, uuid: index.client.patch(
        f"/v2/access-tokens/{uuid}", json={"is_active": False}, headers=bearer(jwt)
    ),
}


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_a_v1_token_ends_with_the_access_token_it_was_got_with(index: Index, ending: str):
    owner = index.account()
    repository = new_repository(index, owner)
    jwt_token = sign_in(index, owner)
    created = new_token(index, jwt_token, "repo:write")
    headers = basic(owner.username, created["token"])
    write = token_for(index, repository.path, "write", headers)
    read = token_for(index, repository.path, "read", headers)
    by_password = token_for(index, repository.path, "write", as_user(owner))
    assert put_images(index, repository.path, with_token(write), []).status_code == 204

    assert ENDINGS[ending](index, jwt_token, created["uuid"]).status_code in {200, 204}
    for token in (write, read):
        assert_error(get_images(index, repository.path, with_token(token)), 401)
        assert_error(check_token(index, repository.path, with_token(token)), 401)
    assert_error(put_images(index, repository.path, with_token(write), []), 401)
    assert put_images(index, repository.path, with_token(by_password), []).status_code == 204
    if ending == "deactivated":  # until it is activated again
        activated = index.client.patch(
            f"/v2/access-tokens/{created['uuid']}",
            json={"is_active": True},
            headers=bearer(jwt_token),
        )
        assert activated.status_code == 200, activated.text
        assert get_images(index, repository.path, with_token(read)).status_code == 200


def test_collaborators_are_listed_in_pages(index: Index, private: Repository):
    names = sorted(index.account().username for _ in range(3))
    for name in names:
        assert_json(add_collaborator(index, private, name), 201, {"user": name})
    assert_json(add_collaborator(index, private, names[0]), 201, {"user": names[0]})  # again
    jwt_token = sign_in(index, private.owner)
    path = f"/v2/repositories/{private.path}/collaborators"
    first = index.client.get(path, params={"page_size": 2}, headers=bearer(jwt_token))
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["count"] == 3
    assert [entry["user"] for entry in body["results"]] == names[:2]
    assert body["previous"] is None
    second = index.client.get(body["next"], headers=bearer(jwt_token))
    assert [entry["user"] for entry in second.json()["results"]] == names[2:]
    assert second.json()["next"] is None


def test_collaborator_changes_name_what_is_wrong(index: Index, private: Repository):
    unknown = add_collaborator(index, private, "nobody_here")
    assert_error(unknown, 400)
    assert unknown.json()["error"].startswith("body.user")
    owner = add_collaborator(index, private, private.owner.username)
    assert_error(owner, 400)
    assert owner.json()["error"].startswith("body.user")
    assert_error(add_collaborator(index, private, "Not A Name"), 400)


def test_a_library_repository_takes_no_collaborators(index: Index):
    admin = index.admin()
    name = repository_name("lib")
    assert create_repository(index, name, as_user(admin)).status_code == 200
    added = index.client.post(
        f"/v2/repositories/library/{name}/collaborators",
        json={"user": index.account().username},
        headers=bearer(sign_in(index, admin)),
    )
    assert_error(added, 400, f"body.user: library/{name} takes no collaborators")


def test_sharing_a_repository_one_may_not_read_is_a_404(index: Index, private: Repository):
    stranger = sign_in(index, index.account())
    missing = f"{private.owner.username}/{repository_name('missing')}"
    for path in (private.path, missing):
        assert_error(privacy_of(index, path, stranger, False), 404, f"repository {path} not found")
        listing = index.client.get(
            f"/v2/repositories/{path}/collaborators", headers=bearer(stranger)
        )
        assert_error(listing, 404, f"repository {path} not found")


def test_an_administrator_administers_any_repository(index: Index, private: Repository):
    admin = sign_in(index, index.admin())
    assert privacy_of(index, private.path, admin, False).status_code == 200
    assert get_images(index, private.path).status_code == 200


@pytest.mark.parametrize(("scope", "status"), [("repo:write", 403), ("repo:admin", 200)])
def test_only_a_repo_admin_access_token_administers(
    index: Index, private: Repository, scope: str, status: int
):
    secret = new_token(index, sign_in(index, private.owner), scope)["token"]
    jwt_token = sign_in(index, private.owner, secret)
    assert privacy_of(index, private.path, jwt_token, False).status_code == status


def test_new_repositories_are_private_where_the_operator_says(
    make_index: Callable[..., Index],
):
    index = make_index(default_privacy="private")
    owner = index.account()
    repository = new_repository(index, owner)
    assert_missing(get_images(index, repository.path), repository.path)
    assert get_images(index, repository.path, as_user(owner)).status_code == 200
