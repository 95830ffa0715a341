"""`docker search`: one request per page until the pages run out."""

import secrets

import pytest

from tests.functional.support import as_user
from tests.harness import Index
from tests.protocol import steps
from tests.protocol.world import World, credentials


def test_walking_every_page_finds_every_match_once_in_order(index: Index):
    world = World(index)
    term = f"zq{secrets.token_hex(3)}"
    names = [f"{term}{i}" for i in range(7)]
    for account, name in zip([world.alice, world.bob] * 4, names, strict=False):
        assert (
            steps.start_push(index, f"{account.username}/{name}", as_user(account), []).status_code
            == 200
        )

    found, page, pages = [], 1, 1
    while page <= pages:
        body = steps.search(index, term, n=3, page=page).json()
        assert (body["query"], body["num_results"], body["page_size"]) == (term, 7, 3)
        pages = body["num_pages"]
        found.extend(result["name"] for result in body["results"])
        page += 1

    assert pages == 3
    expected = [
        f"{a.username}/{n}" for a, n in zip([world.alice, world.bob] * 4, names, strict=False)
    ]
    assert found == sorted(expected)


@pytest.mark.parametrize(
    ("who", "params", "status"),
    [
        pytest.param("anonymous", {}, 200, id="anonymous"),
        pytest.param("alice", {"n": 100, "page": 1}, 200, id="signed in, largest page"),
        pytest.param("anonymous", {"n": 1, "page": 1_000_000}, 200, id="far past the end"),
        pytest.param("wrong password", {}, 401, id="wrong password"),
        pytest.param("unknown user", {}, 401, id="unknown user"),
        pytest.param("inactive", {}, 403, id="inactive account"),
        pytest.param("malformed token", {}, 401, id="a token instead of Basic"),
        pytest.param("anonymous", {"n": 0}, 400, id="n zero"),
        pytest.param("anonymous", {"n": 101}, 400, id="n above 100"),
        pytest.param("anonymous", {"page": 0}, 400, id="page zero"),
    ],
)
def test_search(index: Index, who: str, params: dict[str, int], status: int):
    world = World(index)
    term = f"zq{secrets.token_hex(3)}"
    mine = f"{world.alice.username}/{term}"
    assert steps.start_push(index, mine, as_user(world.alice), []).status_code == 200

    response = index.client.get(
        "/v1/search", params={"q": term, **params}, headers=credentials(world, who, "alice/new")
    )

    steps.assert_outcome(response, status)
    if status == 200:
        assert response.json()["num_results"] == 1
