"""Concurrent requests: exactly one winner where there can be one, nothing lost, no 5xx.

Every burst starts its requests together (a barrier across threads) on one connection pool.
"""

import secrets
from collections.abc import Callable

import httpx
import pytest

from tests.harness import Index
from tests.robustness.support import burst, pool_client
from tests.security.helpers import TAKEN, image_id, listed_ids, query

# Concurrent requests over real connections: uvicorn's part is the point.
pytestmark = pytest.mark.over_socket

BURST = 50


def _no_server_errors(responses: list[httpx.Response]) -> None:
    errors = [(r.request.method, r.request.url.path, r.status_code, r.text) for r in responses]
    assert [e for e in errors if e[2] >= 500] == []


def test_one_username_registered_at_once_fifty_times_has_one_winner(
    make_index: Callable[..., Index],
):
    index = make_index(email_confirmation="off")
    username = f"race_{secrets.token_hex(4)}"
    attempts = [
        {"username": username, "password": f"pw-{n}-{secrets.token_hex(4)}",
         "email": f"race.{n}.{secrets.token_hex(3)}@example.com"}
        for n in range(BURST)
    ]  # fmt: skip
    with pool_client(index.url, BURST) as client:
        responses = burst([lambda a=a: client.post("/v1/users/", json=a) for a in attempts])

    _no_server_errors(responses)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [400] * (BURST - 1), statuses
    assert [r.content for r in responses if r.status_code == 400] == [TAKEN] * (BURST - 1)
    [winner] = [a for a, r in zip(attempts, responses, strict=True) if r.status_code == 201]

    # The winner's password is the account's; no loser left an address or an account behind.
    login = index.client.get("/v1/users/", auth=(username, winner["password"]))
    assert (login.status_code, login.json()) == (200, "OK")
    loser = next(a for a in attempts if a is not winner)
    assert index.client.get("/v1/users/", auth=(username, loser["password"])).status_code == 401
    addresses = query(
        index.database_url,
        "SELECT e.address FROM emails e JOIN users u ON u.id = e.user_id"
        " WHERE u.username = :username",
        username=username,
    )
    assert addresses == [(winner["email"],)]
    stray = query(index.database_url, "SELECT address FROM emails WHERE address LIKE 'race.%'")
    assert stray == [(winner["email"],)]


def test_fifty_image_updates_at_once_lose_nothing(make_index: Callable[..., Index]):
    index = make_index(email_confirmation="off")
    owner = index.account()
    path = f"/v1/repositories/{owner.username}/burst"
    as_owner = {"Authorization": owner.basic}
    assert index.client.put(f"{path}/", json=[], headers=as_owner).status_code == 200
    ids = [image_id() for _ in range(BURST)]
    with pool_client(index.url, BURST) as client:
        responses = burst(
            [lambda i=i: client.put(f"{path}/images", json=[{"id": i}], headers=as_owner)
             for i in ids]
        )  # fmt: skip

    _no_server_errors(responses)
    assert [r.status_code for r in responses] == [204] * BURST
    assert listed_ids(index.client.get(f"{path}/images")) == set(ids)


def test_creates_and_deletes_of_one_repository_at_once_stay_consistent(
    make_index: Callable[..., Index],
):
    index = make_index(email_confirmation="off")
    owner = index.account()
    name = f"flip-{secrets.token_hex(4)}"
    path = f"/v1/repositories/{owner.username}/{name}"
    as_owner = {"Authorization": owner.basic}
    assert index.client.put(f"{path}/", json=[], headers=as_owner).status_code == 200
    created_ids = [image_id() for _ in range(20)]
    with pool_client(index.url, 2 * len(created_ids)) as client:
        creates = [
            lambda i=i: client.put(f"{path}/", json=[{"id": i}], headers=as_owner)
            for i in created_ids
        ]
        deletes = [lambda: client.delete(f"{path}/", headers=as_owner) for _ in created_ids]
        responses = burst(
            [request for pair in zip(creates, deletes, strict=True) for request in pair]
        )

    _no_server_errors(responses)
    create_statuses = [r.status_code for r in responses if r.request.method == "PUT"]
    delete_statuses = [r.status_code for r in responses if r.request.method == "DELETE"]
    assert set(create_statuses) == {200}, create_statuses
    assert set(delete_statuses) <= {202, 404}, delete_statuses
    assert 202 in delete_statuses  # the repository existed when the burst began

    listing = index.client.get(f"{path}/images")
    found = index.client.get("/v1/search", params={"q": name, "n": 100}).json()
    names = [result["name"] for result in found["results"]]
    if listing.status_code == 404:
        assert names == []
    else:
        ids = listed_ids(listing)
        # Whatever create (re)made it last recorded its id in the same transaction.
        assert ids, "the repository exists with none of the ids of the creates"
        assert ids <= set(created_ids)
        assert names == [f"{owner.username}/{name}"]


def test_image_updates_racing_a_delete_are_recorded_or_not_found(
    make_index: Callable[..., Index],
):
    index = make_index(email_confirmation="off")
    owner = index.account()
    as_owner = {"Authorization": owner.basic}
    for _ in range(3):  # a few rounds: the race is won or lost by microseconds
        _race_image_updates_against_deletes(index, owner.username, as_owner)


def _race_image_updates_against_deletes(
    index: Index, username: str, as_owner: dict[str, str]
) -> None:
    name = f"doomed-{secrets.token_hex(4)}"
    path = f"/v1/repositories/{username}/{name}"
    assert index.client.put(f"{path}/", json=[], headers=as_owner).status_code == 200
    with pool_client(index.url, 24) as client:
        updates = [
            lambda: client.put(f"{path}/images", json=[{"id": image_id()}], headers=as_owner)
            for _ in range(20)
        ]
        deletes = [lambda: client.delete(f"{path}/", headers=as_owner) for _ in range(4)]
        responses = burst(updates[:10] + deletes + updates[10:])

    _no_server_errors(responses)
    update_statuses = [r.status_code for r in responses if r.request.method == "PUT"]
    delete_statuses = sorted(r.status_code for r in responses if r.request.method == "DELETE")
    assert set(update_statuses) <= {204, 404}, update_statuses
    assert delete_statuses == [202, 404, 404, 404], delete_statuses
    assert index.client.get(f"{path}/images").status_code == 404
    assert index.client.get("/v1/search", params={"q": name}).json()["num_results"] == 0
    orphans = query(
        index.database_url,
        "SELECT count(*) FROM images WHERE repository_id NOT IN (SELECT id FROM repositories)",
    )
    assert orphans == [(0,)]
