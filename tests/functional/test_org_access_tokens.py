"""Organization access tokens, on both backends: made, listed, read, changed and deleted by
the organization's owners (and administrators) only, with Docker Hub's fields; the secret shown
once; presented as the organization's password on the v1 wire, each allows what its resources
list and nothing else (search finds the private repositories it may read, and no other); a
Docker token got with one ends when it is deleted or deactivated."""

from collections.abc import Callable

import pytest

from tests.functional.orgs_support import Org, create_org
from tests.functional.support import (
    as_user,
    assert_error,
    basic,
    check_token,
    create_repository,
    delete_repository,
    get_images,
    image_id,
    put_images,
    search,
    with_token,
)
from tests.harness import Index


def make_token(org: Org, *resources: tuple[str, list[str]], **fields: object) -> dict:
    """A new organization access token of ``org``, made by its owner: the creation's answer."""
    body = {
        "label": "ci",
        "resources": [
            {"type": "TYPE_REPO", "path": path, "scopes": scopes} for path, scopes in resources
        ],
        **fields,
    }
    made = org.index.client.post(f"{org.path}/access-tokens", json=body, headers=org.as_(org.owner))
    assert made.status_code == 201, made.text
    return made.json()


def as_org(org: Org, token: dict) -> dict[str, str]:
    return basic(org.name, token["token"])


def _private(org: Org) -> str:
    path = org.repository()
    made = org.index.client.post(
        f"/v2/repositories/{path}/privacy", json={"is_private": True}, headers=org.as_(org.admin)
    )
    assert made.status_code == 200, made.text
    return path


def test_the_owner_creates_lists_reads_changes_and_deletes_one(index: Index):
    org = create_org(index)
    owner = org.as_(org.owner)
    path = f"{org.name}/api"
    made = make_token(org, (path, ["repo-pull", "repo-push"]), description="the pipeline")
    assert made["token"].startswith("hbi_oat_")
    assert made["label"] == "ci"
    assert made["description"] == "the pipeline"
    assert made["created_by"] == org.owner.username
    assert made["is_active"] is True
    assert made["expires_at"] is None
    assert made["last_used_at"] is None
    assert made["resources"] == [
        {"type": "TYPE_REPO", "path": path, "scopes": ["repo-pull", "repo-push"]}
    ]
    listed = index.client.get(f"{org.path}/access-tokens", headers=owner)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == page["count"] == 1
    assert page["next"] is None
    assert page["previous"] is None
    (found,) = page["results"]
    assert "token" not in found
    assert found["id"] == made["id"]
    item = f"{org.path}/access-tokens/{made['id']}"
    got = index.client.get(item, headers=owner)
    assert got.status_code == 200, got.text
    assert got.json() == found
    changed = index.client.patch(
        item,
        json={"label": "renamed", "is_active": False, "resources": [
            {"type": "TYPE_REPO", "path": path, "scopes": ["repo-pull"]}
        ]},
        headers=owner,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["label"] == "renamed"
    assert changed.json()["is_active"] is False
    assert changed.json()["resources"][0]["scopes"] == ["repo-pull"]
    assert index.client.delete(item, headers=owner).status_code == 204
    assert_error(index.client.get(item, headers=owner), 404)
    assert_error(index.client.delete(item, headers=owner), 404)


def test_the_list_is_paged_newest_first(index: Index):
    org = create_org(index)
    made = [make_token(org, (f"{org.name}/r{n}", ["repo-pull"]), label=f"t{n}") for n in range(3)]
    first = index.client.get(
        f"{org.path}/access-tokens", params={"page_size": 2}, headers=org.as_(org.owner)
    )
    assert first.status_code == 200, first.text
    assert [t["label"] for t in first.json()["results"]] == ["t2", "t1"]
    assert first.json()["next"].endswith(f"{org.path}/access-tokens?page=2&page_size=2")
    assert len(made) == first.json()["total"]


@pytest.mark.parametrize("role", ["editor", "member", "stranger"])
def test_only_owners_and_administrators_manage_them(index: Index, role: str):
    org = create_org(index)
    caller = index.account() if role == "stranger" else org.add(role)
    token = make_token(org, (f"{org.name}/api", ["repo-pull"]))
    item = f"{org.path}/access-tokens/{token['id']}"
    headers = org.as_(caller)
    body = {
        "label": "x",
        "resources": [{"type": "TYPE_REPO", "path": f"{org.name}/a", "scopes": ["repo-pull"]}],
    }
    assert_error(index.client.post(f"{org.path}/access-tokens", json=body, headers=headers), 403)
    assert_error(index.client.get(f"{org.path}/access-tokens", headers=headers), 403)
    assert_error(index.client.get(item, headers=headers), 403)
    assert_error(index.client.patch(item, json={"is_active": False}, headers=headers), 403)
    assert_error(index.client.delete(item, headers=headers), 403)
    admin = org.as_(org.admin)
    assert index.client.get(item, headers=admin).status_code == 200
    assert (
        index.client.post(f"{org.path}/access-tokens", json=body, headers=admin).status_code == 201
    )


def test_no_token_at_all_is_a_401(index: Index):
    org = create_org(index)
    assert_error(index.client.get(f"{org.path}/access-tokens"), 401)


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        ({"type": "TYPE_REPO", "path": "someoneelse/api", "scopes": ["repo-pull"]}, "path"),
        ({"type": "TYPE_REPO", "path": "*/*/public", "scopes": ["repo-push"]}, "scopes"),
        ({"type": "TYPE_ORG", "path": "{org}/api", "scopes": ["repo-pull"]}, "type"),
        ({"type": "TYPE_REPO", "path": "{org}/api", "scopes": ["repo-delete"]}, "scopes"),
        ({"type": "TYPE_REPO", "path": "{org}/api", "scopes": []}, "scopes"),
    ],
)
def test_bad_resources_are_a_400_naming_the_field(index: Index, resource: dict, field: str):
    org = create_org(index)
    resource = {**resource, "path": resource["path"].format(org=org.name)}
    answer = index.client.post(
        f"{org.path}/access-tokens",
        json={"label": "x", "resources": [resource]},
        headers=org.as_(org.owner),
    )
    assert_error(answer, 400)
    assert f"resources[0].{field}" in answer.json()["error"]


def test_an_expiry_in_the_past_is_a_400(index: Index):
    org = create_org(index)
    answer = index.client.post(
        f"{org.path}/access-tokens",
        json={"label": "x", "expires_at": "2001-01-01T00:00:00Z", "resources": [
            {"type": "TYPE_REPO", "path": f"{org.name}/a", "scopes": ["repo-pull"]}
        ]},
        headers=org.as_(org.owner),
    )  # fmt: skip
    assert_error(answer, 400)
    assert "expires_at" in answer.json()["error"]


def test_a_pull_token_reads_its_private_repository_and_writes_nothing(index: Index):
    org = create_org(index)
    path, other = _private(org), _private(org)
    token = make_token(org, (path, ["repo-pull"]))
    headers = as_org(org, token)
    assert index.client.get("/v1/users/", headers=headers).status_code == 200  # docker login
    assert get_images(index, path, headers).status_code == 200
    assert_error(get_images(index, other, headers), 404, f"repository {other} not found")
    assert_error(put_images(index, path, headers, [{"id": image_id()}]), 403)
    assert_error(create_repository(index, path, headers), 403)
    assert_error(delete_repository(index, path, headers), 403)


def _found(index: Index, headers: dict[str, str], term: str) -> set[str]:
    answer = search(index, headers, q=term, n=100)
    assert answer.status_code == 200, answer.text
    return {result["name"] for result in answer.json()["results"]}


def test_search_finds_the_private_repositories_a_token_may_read_and_no_other(index: Index):
    org, another = create_org(index), create_org(index)
    pulled, pushed = _private(org), _private(org)
    _private(org)  # listed by no resource
    public = org.repository()
    _private(another)
    made = make_token(org, (pulled, ["repo-pull"]), (pushed, ["repo-push"]))
    headers = as_org(org, made)
    assert _found(index, headers, org.name) == {pulled, pushed, public}
    assert _found(index, headers, another.name) == set()
    assert _found(index, headers, pulled.split("/")[1]) == {pulled}
    assert _found(index, {}, org.name) == {public}  # anonymous: public only
    # Taken away, deactivated, or expired: its private repositories are gone from its answers.
    item = f"{org.path}/access-tokens/{made['id']}"
    owner = org.as_(org.owner)
    changed = index.client.patch(
        item,
        json={"resources": [{"type": "TYPE_REPO", "path": pushed, "scopes": ["repo-pull"]}]},
        headers=owner,
    )
    assert changed.status_code == 200, changed.text
    assert _found(index, headers, org.name) == {pushed, public}
    off = index.client.patch(item, json={"is_active": False}, headers=owner)
    assert off.status_code == 200, off.text
    assert_error(search(index, headers, q=org.name), 401)


def test_a_push_token_creates_and_pushes_and_never_deletes(index: Index):
    org = create_org(index)
    path = f"{org.name}/made-by-ci"
    headers = as_org(org, make_token(org, (path, ["repo-push"])))
    created = create_repository(index, path, headers, [{"id": image_id()}], want_token=True)
    assert created.status_code == 200, created.text
    token = created.headers["X-Docker-Token"]
    assert check_token(index, path, with_token(token)).status_code == 200
    assert put_images(index, path, headers, [{"id": image_id()}]).status_code == 204
    assert_error(delete_repository(index, path, headers), 403)
    elsewhere = f"{org.name}/not-listed"
    assert_error(create_repository(index, elsewhere, headers), 403)


def test_a_token_is_its_organization_s_password_only(index: Index):
    org, another = create_org(index), create_org(index)
    path = _private(org)
    token = make_token(org, (path, ["repo-pull"]))
    assert_error(get_images(index, path, basic(another.name, token["token"])), 401)
    assert_error(get_images(index, path, basic(org.owner.username, token["token"])), 401)
    wrong = token["token"][:-4] + "AAAA"
    assert_error(get_images(index, path, basic(org.name, wrong)), 401)


def test_deleting_or_deactivating_ends_the_docker_tokens_got_with_it(index: Index):
    org = create_org(index)
    path = _private(org)
    made = make_token(org, (path, ["repo-pull"]))
    pulled = get_images(index, path, as_org(org, made), want_token=True)
    assert pulled.status_code == 200, pulled.text
    docker_token = with_token(pulled.headers["X-Docker-Token"])
    assert get_images(index, path, docker_token).status_code == 200
    item = f"{org.path}/access-tokens/{made['id']}"
    owner = org.as_(org.owner)
    off = index.client.patch(item, json={"is_active": False}, headers=owner)
    assert off.status_code == 200, off.text
    assert_error(get_images(index, path, docker_token), 401)
    assert_error(get_images(index, path, as_org(org, made)), 401)
    on = index.client.patch(item, json={"is_active": True}, headers=owner)
    assert on.status_code == 200, on.text
    assert get_images(index, path, docker_token).status_code == 200
    assert index.client.delete(item, headers=owner).status_code == 204
    assert_error(get_images(index, path, docker_token), 401)
    assert_error(check_token(index, path, docker_token), 401)


def test_a_resource_taken_away_ends_what_a_docker_token_allowed(index: Index):
    org = create_org(index)
    path = org.repository()
    made = make_token(org, (path, ["repo-push"]))
    created = create_repository(index, path, as_org(org, made), want_token=True)
    assert created.status_code == 200, created.text
    docker_token = with_token(created.headers["X-Docker-Token"])
    assert put_images(index, path, docker_token, [{"id": image_id()}]).status_code == 204
    changed = index.client.patch(
        f"{org.path}/access-tokens/{made['id']}",
        json={"resources": [{"type": "TYPE_REPO", "path": path, "scopes": ["repo-pull"]}]},
        headers=org.as_(org.owner),
    )
    assert changed.status_code == 200, changed.text
    assert_error(put_images(index, path, docker_token, [{"id": image_id()}]), 403)


def test_last_used_is_written_when_it_is_presented(index: Index):
    org = create_org(index)
    path = org.repository()
    made = make_token(org, (path, ["repo-pull"]))
    assert get_images(index, path, as_org(org, made)).status_code == 200
    got = index.client.get(f"{org.path}/access-tokens/{made['id']}", headers=org.as_(org.owner))
    assert got.json()["last_used_at"] is not None


def test_an_expired_token_is_refused(index: Index):
    org = create_org(index)
    path = org.repository()
    made = make_token(org, (path, ["repo-pull"]), expires_at="2100-01-01T00:00:00Z")
    assert made["expires_at"].startswith("2100-01-01")
    assert get_images(index, path, as_org(org, made)).status_code == 200


def test_wrong_tokens_count_against_the_address_and_a_valid_one_is_never_throttled(
    make_index: Callable[..., Index],
):
    index = make_index(login_failures_per_account=2, login_failures_per_address=2)
    org = create_org(index)
    path = _private(org)
    made = make_token(org, (path, ["repo-pull"]))
    for _ in range(2):
        guess = basic(org.name, "hbi_oat_" + "B" * 43)
        assert_error(get_images(index, path, guess), 401)
    # The address is at its limit for passwords (any account's) ...
    other = index.account()  # never logged in: the address is not known to it
    assert index.client.get("/v1/users/", headers=as_user(other)).status_code == 429
    # ... and a valid organization access token from it is still let in.
    assert get_images(index, path, as_org(org, made)).status_code == 200
    assert index.client.get("/v1/users/", headers=as_org(org, made)).status_code == 200


def test_deleting_the_organization_deletes_its_tokens(index: Index):
    org = create_org(index)
    made = make_token(org, (f"{org.name}/never-made", ["repo-push"]))
    deleted = index.client.delete(org.path, headers=org.as_(org.owner))
    assert deleted.status_code == 204, deleted.text
    assert_error(create_repository(index, f"{org.name}/never-made", as_org(org, made)), 401)
