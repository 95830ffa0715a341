"""Repository pages on Docker Hub's routes, on both backends: descriptions, creating, listing,
deleting, stars, pull counts, and private repositories missing to those who may not read them."""

import time
from collections.abc import Callable
from datetime import datetime

import httpx

from tests.functional.orgs_support import sign_in
from tests.functional.receiver import Receiver
from tests.functional.support import (
    WANT_TOKEN,
    as_user,
    assert_error,
    get_images,
    image_id,
    new_repository,
    put_images,
    repository_name,
)
from tests.harness import Account, Index

FULL = "# web\n\nWhat it holds, *in Markdown*.\n"


def _jwt(headers: dict[str, str]) -> dict[str, str]:
    """The same signed token as older clients send it (``Authorization: JWT ...``)."""
    return {"Authorization": "JWT " + headers["Authorization"].removeprefix("Bearer ")}


def _private(index: Index, path: str, owner: dict[str, str]) -> None:
    response = index.client.post(
        f"/v2/repositories/{path}/privacy", json={"is_private": True}, headers=owner
    )
    assert response.status_code == 200, response.text


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [entry["name"] for entry in response.json()["results"]]


def test_a_page_shows_what_its_owner_set_on_every_route(index: Index) -> None:
    alice = index.account()
    repository = new_repository(index, alice)
    owner = sign_in(index, alice)

    changed = index.client.patch(
        f"/v2/repositories/{repository.path}/",
        json={"description": "A web server", "full_description": FULL},
        headers=_jwt(owner),
    )

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["description"] == "A web server"
    assert body["full_description"] == FULL
    assert body["permissions"] == {"read": True, "write": True, "admin": True}
    assert _moment(body["last_updated"]) >= _moment(body["date_registered"])
    for path in (
        f"/v2/repositories/{repository.path}",
        f"/v2/repositories/{repository.path}/",
        f"/v2/namespaces/{alice.username}/repositories/{repository.name}",
    ):
        seen = index.client.get(path)
        assert seen.status_code == 200, seen.text
        assert seen.json()["description"] == "A web server"
        assert seen.json()["full_description"] == FULL
        assert seen.json()["permissions"] == {"read": True, "write": False, "admin": False}
        assert seen.json()["has_starred"] is False
    head = index.client.head(f"/v2/namespaces/{alice.username}/repositories/{repository.name}")
    assert head.status_code == 200
    assert head.content == b""


def test_a_field_left_out_is_kept_and_limits_are_the_spec_s(index: Index) -> None:
    alice = index.account()
    repository = new_repository(index, alice)
    owner = sign_in(index, alice)
    path = f"/v2/repositories/{repository.path}/"
    index.client.patch(path, json={"description": "short", "full_description": FULL}, headers=owner)

    kept = index.client.patch(path, json={"description": "shorter"}, headers=owner)

    assert kept.json()["full_description"] == FULL
    too_long = index.client.patch(path, json={"description": "x" * 101}, headers=owner)
    assert_error(too_long, 400)
    assert "description" in too_long.json()["error"]
    longest = index.client.patch(path, json={"full_description": "y" * 25_000}, headers=owner)
    assert longest.status_code == 200, longest.text
    assert_error(
        index.client.patch(path, json={"full_description": "y" * 25_001}, headers=owner), 400
    )


def test_only_those_who_administer_it_change_or_delete_it(index: Index) -> None:
    alice, bobby = index.account(), index.account()
    repository = new_repository(index, alice)
    path = f"/v2/repositories/{repository.path}/"
    stranger = sign_in(index, bobby)

    assert_error(index.client.patch(path, json={"description": "mine"}), 401)
    assert_error(index.client.patch(path, json={"description": "mine"}, headers=stranger), 403)
    assert_error(index.client.delete(path, headers=stranger), 403)
    assert_error(index.client.delete(path), 401)
    assert index.client.get(path).json()["description"] == ""


def test_deleting_does_what_the_v1_delete_does(index: Index) -> None:
    alice = index.account()
    repository = new_repository(index, alice)
    owner = sign_in(index, alice)

    deleted = index.client.delete(f"/v2/repositories/{repository.path}/", headers=owner)

    assert deleted.status_code == 202, deleted.text
    assert_error(get_images(index, repository.path, {}), 404)
    assert_error(index.client.get(f"/v2/repositories/{repository.path}/"), 404)
    again = index.client.delete(f"/v2/repositories/{repository.path}/", headers=owner)
    assert_error(again, 404)


def test_creating_on_both_routes(index: Index) -> None:
    alice, bobby = index.account(), index.account()
    owner = sign_in(index, alice)
    name = repository_name()

    created = index.client.post(
        f"/v2/namespaces/{alice.username}/repositories",
        json={"name": name, "description": "new", "full_description": FULL, "is_private": True},
        headers=owner,
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["namespace"], body["name"], body["is_private"]) == (alice.username, name, True)
    assert (body["star_count"], body["pull_count"], body["collaborator_count"]) == (0, 0, 0)
    images = get_images(index, f"{alice.username}/{name}", as_user(alice))
    assert images.status_code == 200
    assert images.json() == []
    taken = index.client.post(
        f"/v2/namespaces/{alice.username}/repositories", json={"name": name}, headers=owner
    )
    assert_error(taken, 409, f"repository {alice.username}/{name} exists")
    listed = index.client.post(
        "/v2/repositories/",
        json={"namespace": alice.username, "name": name + "x"},
        headers=_jwt(owner),
    )
    assert listed.status_code == 201, listed.text
    assert listed.json()["is_private"] is False
    elsewhere = index.client.post(
        f"/v2/namespaces/{bobby.username}/repositories", json={"name": name}, headers=owner
    )
    assert_error(elsewhere, 403)
    assert_error(
        index.client.post(f"/v2/namespaces/{alice.username}/repositories", json={"name": "z1"}),
        401,
    )


def test_a_private_repository_is_missing_to_those_who_may_not_read_it(index: Index) -> None:
    alice, bobby = index.account(), index.account()
    repository = new_repository(index, alice)
    public = new_repository(index, alice)
    owner, stranger = sign_in(index, alice), sign_in(index, bobby)
    _private(index, repository.path, owner)
    missing = f"repository {repository.path} not found"

    for headers in ({}, stranger):
        assert_error(
            index.client.get(f"/v2/repositories/{repository.path}", headers=headers), 404, missing
        )
        assert_error(
            index.client.get(
                f"/v2/namespaces/{alice.username}/repositories/{repository.name}", headers=headers
            ),
            404,
            missing,
        )
        for path in (
            f"/v2/namespaces/{alice.username}/repositories",
            f"/v2/repositories/{alice.username}/",
            f"/v2/users/{alice.username}/repositories/",
        ):
            assert _names(index.client.get(path, headers=headers)) == [public.name]
        assert_error(
            index.client.post(f"/v2/repositories/{repository.path}/stars/", headers=stranger),
            404,
            missing,
        )
    assert_error(
        index.client.patch(
            f"/v2/repositories/{repository.path}/", json={"description": "x"}, headers=stranger
        ),
        404,
        missing,
    )
    seen = index.client.get(f"/v2/namespaces/{alice.username}/repositories", headers=owner)
    assert sorted(_names(seen)) == sorted([repository.name, public.name])


def test_listing_pages_filters_and_orders(index: Index) -> None:
    alice = index.account()
    owner = sign_in(index, alice)
    names = ["alpha1", "beta1", "gamma1", "alphabet1"]
    for name in names:
        created = index.client.post(
            f"/v2/namespaces/{alice.username}/repositories", json={"name": name}, headers=owner
        )
        assert created.status_code == 201, created.text
    path = f"/v2/namespaces/{alice.username}/repositories"

    first = index.client.get(path, params={"page_size": 3})
    assert first.json()["count"] == 4
    assert _names(first) == ["alpha1", "alphabet1", "beta1"]
    assert first.json()["next"].endswith(f"{path}?ordering=name&page=2&page_size=3")
    assert first.json()["previous"] is None
    second = index.client.get(path, params={"page_size": 3, "page": 2})
    assert _names(second) == ["gamma1"]
    assert second.json()["next"] is None
    assert _names(index.client.get(path, params={"ordering": "-name"})) == sorted(names)[::-1]
    assert _names(index.client.get(path, params={"name": "ALPHA"})) == ["alpha1", "alphabet1"]
    assert _names(index.client.get(path, params={"name": "%"})) == []
    assert_error(index.client.get(path, params={"ordering": "stars"}), 400)
    assert "ordering" in index.client.get(path, params={"ordering": "stars"}).json()["error"]
    index.client.patch(
        f"/v2/repositories/{alice.username}/beta1/", json={"description": "b"}, headers=owner
    )
    assert _names(index.client.get(path, params={"ordering": "-last_updated"}))[0] == "beta1"


def test_stars(index: Index) -> None:
    alice, bobby, carol = index.account(), index.account(), index.account()
    repository = new_repository(index, alice)
    other = new_repository(index, alice)
    stars = f"/v2/repositories/{repository.path}/stars/"
    as_bobby, as_carol = sign_in(index, bobby), sign_in(index, carol)

    assert index.client.post(stars, json={}, headers=_jwt(as_bobby)).status_code == 204
    assert index.client.post(stars, json={}, headers=as_bobby).status_code == 204  # again
    assert index.client.post(stars, headers=as_carol).status_code == 204
    assert (
        index.client.post(f"/v2/repositories/{other.path}/stars", headers=as_bobby).status_code
        == 204
    )

    page = index.client.get(f"/v2/repositories/{repository.path}/", headers=as_bobby).json()
    assert (page["star_count"], page["has_starred"]) == (2, True)
    starred = index.client.get(
        f"/v2/users/{bobby.username}/repositories/starred/", params={"page_size": 100, "page": 1}
    )
    assert _names(starred) == [other.name, repository.name]  # most recently starred first
    assert index.client.delete(stars, headers=as_carol).status_code == 204
    assert index.client.delete(stars, headers=as_carol).status_code == 204  # again
    assert index.client.get(f"/v2/repositories/{repository.path}/").json()["star_count"] == 1
    assert_error(index.client.post(stars), 401)
    assert_error(
        index.client.post(f"/v2/repositories/{alice.username}/nothing1/stars", headers=as_bobby),
        404,
    )
    _private(index, other.path, sign_in(index, alice))
    hidden = index.client.get(f"/v2/users/{bobby.username}/repositories/starred")
    assert _names(hidden) == [repository.name]
    assert _names(index.client.get("/v2/users/nobody_at_all/repositories/starred")) == []


def test_a_pull_is_counted_and_a_push_updates_the_page(index: Index) -> None:
    alice = index.account()
    repository = new_repository(index, alice)
    page = f"/v2/repositories/{repository.path}/"
    before = index.client.get(page).json()

    for _ in range(3):
        assert get_images(index, repository.path, WANT_TOKEN).status_code == 200
    assert get_images(index, repository.path, {}).status_code == 200  # no token: no pull
    index.restart()  # a stopping process writes what it counted

    after = index.client.get(page).json()
    assert after["pull_count"] == 3
    assert after["last_updated"] == before["last_updated"]
    pushed = put_images(index, repository.path, as_user(alice), [{"id": image_id()}])
    assert pushed.status_code == 204, pushed.text
    assert _moment(index.client.get(page).json()["last_updated"]) > _moment(before["last_updated"])


def test_pulls_are_written_while_the_process_runs(index: Index) -> None:
    alice: Account = index.account()
    repository = new_repository(index, alice)
    assert get_images(index, repository.path, WANT_TOKEN).status_code == 200

    # A batch is written within a second; the deadline only bounds a failing test.
    deadline = time.monotonic() + 10
    pulls = 0
    while pulls == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
        pulls = index.client.get(f"/v2/repositories/{repository.path}/").json()["pull_count"]

    assert pulls == 1


def test_search_shows_descriptions_and_star_counts(index: Index) -> None:
    alice, bobby = index.account(), index.account()
    repository = new_repository(index, alice)
    owner = sign_in(index, alice)
    before = index.client.get("/v1/search", params={"q": repository.name}).json()["results"]
    assert [(hit["description"], hit["star_count"]) for hit in before] == [("", 0)]

    index.client.patch(
        f"/v2/repositories/{repository.path}/", json={"description": "Web things"}, headers=owner
    )
    index.client.post(f"/v2/repositories/{repository.path}/stars", headers=sign_in(index, bobby))

    found = index.client.get("/v1/search", params={"q": repository.name}).json()["results"]
    assert [(hit["description"], hit["star_count"]) for hit in found] == [("Web things", 1)]
    by_description = index.client.get("/v1/search", params={"q": "web things"}).json()
    assert [hit["name"] for hit in by_description["results"]] == [repository.path]


def test_a_deletion_on_the_management_api_tells_the_webhooks(
    make_index: Callable[..., Index],
) -> None:
    index = make_index(webhooks_allow_private_addresses=True)
    receiver = Receiver().start()
    try:
        alice = index.account()
        repository = new_repository(index, alice)
        owner = sign_in(index, alice)
        made = index.client.post(
            f"/v2/repositories/{repository.path}/webhooks", json={"name": "ci"}, headers=owner
        )
        assert made.status_code == 201, made.text
        hook = index.client.post(
            f"/v2/repositories/{repository.path}/webhooks/{made.json()['id']}/hooks",
            json={"hook_url": receiver.url},
            headers=owner,
        )
        assert hook.status_code == 201, hook.text

        deleted = index.client.delete(f"/v2/repositories/{repository.path}", headers=owner)

        assert deleted.status_code == 202, deleted.text
        [delivery] = receiver.wait_for(1)
        assert delivery.json["event"] == "delete"
        assert delivery.json["repository"]["repo_name"] == repository.path
    finally:
        receiver.stop()
