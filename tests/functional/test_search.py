"""`GET /v1/search`: matching, order, paging and the shape of the answer."""

import math
import secrets
from collections.abc import Callable
from typing import Any

import pytest

from tests.functional.support import (
    as_user,
    assert_error,
    basic,
    create_repository,
    delete_repository,
    next_answer,
    search,
)
from tests.harness import Account, Index


def _term() -> str:
    """A fresh search term; `zq` never occurs in the generated usernames."""
    return f"zq{secrets.token_hex(3)}"


def _create(index: Index, owner: Account, *names: str) -> list[str]:
    paths = [f"{owner.username}/{name}" for name in names]
    for path in paths:
        assert create_repository(index, path, as_user(owner)).status_code == 200
    return paths


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [result["name"] for result in response.json()["results"]]


@pytest.mark.parametrize("path", ["/v1/search", "/v1/search/"])
def test_a_match_has_the_documented_shape(index: Index, path: str):
    owner = index.account()
    term = _term()
    [repository] = _create(index, owner, term)

    response = index.client.get(path, params={"q": term})

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "query": term,
        "num_results": 1,
        "num_pages": 1,
        "page": 1,
        "page_size": 25,
        "results": [
            {
                "name": repository,
                "description": "",
                "star_count": 0,
                "is_official": False,
                "is_automated": False,
                "is_trusted": False,
            }
        ],
    }


def test_matching_ignores_case(index: Index):
    term = _term()
    paths = _create(index, index.account(), term, f"a{term}b")
    response = search(index, q=term.upper())
    assert response.json()["query"] == term.upper()
    assert sorted(_names(response)) == sorted(paths)


def test_exact_names_come_first_then_prefixes_then_substrings_ties_by_name(index: Index):
    term = _term()
    first, second = index.account(), index.account()
    exact = _create(index, first, term) + _create(index, second, term)
    prefix = _create(index, first, f"{term}-x", f"{term}z") + _create(index, second, f"{term}.y")
    substring = _create(index, first, f"x{term}") + _create(index, second, f"x-{term}-y")
    _create(index, first, "unrelated", f"{term[:-1]}")

    names = _names(search(index, q=term))

    assert names == sorted(exact) + sorted(prefix) + sorted(substring)


def test_nothing_matches(index: Index):
    term = _term()
    _create(index, index.account(), "something")
    response = search(index, q=term)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "query": term,
        "num_results": 0,
        "num_pages": 0,
        "page": 1,
        "page_size": 25,
        "results": [],
    }


def test_pages_split_the_matches_in_order(index: Index):
    term = _term()
    paths = _create(index, index.account(), *(f"{term}{i}" for i in range(5)))
    expected = sorted(paths)
    pages = []
    for page in (1, 2, 3):
        response = search(index, q=term, n=2, page=page)
        body = response.json()
        assert (body["num_results"], body["num_pages"]) == (5, 3)
        assert (body["page"], body["page_size"]) == (page, 2)
        pages.append(_names(response))

    assert pages == [expected[0:2], expected[2:4], expected[4:5]]


def test_a_page_past_the_end_is_empty(index: Index):
    term = _term()
    _create(index, index.account(), f"{term}a", f"{term}b", f"{term}c")
    response = search(index, q=term, n=2, page=3)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["num_results"], body["num_pages"], body["page"]) == (3, 2, 3)
    assert body["results"] == []


def test_the_page_size_defaults_to_25(index: Index):
    term = _term()
    _create(index, index.account(), *(f"{term}-{i:02d}" for i in range(26)))
    body = search(index, q=term).json()
    assert (body["num_results"], body["num_pages"]) == (26, math.ceil(26 / 25))
    assert (body["page"], body["page_size"], len(body["results"])) == (1, 25, 25)


@pytest.mark.parametrize(
    "params",
    [{"n": 0}, {"n": 101}, {"n": "many"}, {"page": 0}, {"page": -1}, {"page": "next"}],
    ids=["n zero", "n above 100", "n not a number", "page zero", "page negative", "page word"],
)
def test_paging_out_of_range_is_a_400(index: Index, params: dict[str, Any]):
    assert_error(search(index, q=_term(), **params), 400)


def test_search_needs_a_query(index: Index):
    assert_error(index.client.get("/v1/search"), 400)


def test_anyone_may_search_but_bad_credentials_are_a_401(index: Index):
    owner = index.account()
    term = _term()
    paths = _create(index, owner, term)

    assert _names(search(index, q=term)) == paths
    assert _names(search(index, as_user(owner), q=term)) == paths
    assert_error(search(index, basic(owner.username, "wrong-password"), q=term), 401)


def test_library_repositories_are_official(index: Index):
    admin, owner = index.admin(), index.account()
    term = _term()
    assert create_repository(index, term, as_user(admin)).status_code == 200
    [mine] = _create(index, owner, f"{term}-mine")

    results = search(index, q=term).json()["results"]

    official = {result["name"]: result["is_official"] for result in results}
    assert official == {f"library/{term}": True, mine: False}


def test_a_deleted_repository_is_not_found(index: Index):
    owner = index.account()
    term = _term()
    gone, kept = _create(index, owner, f"{term}a", f"{term}b")
    assert delete_repository(index, gone, as_user(owner)).status_code == 202

    response = search(index, q=term)

    assert _names(response) == [kept]
    assert response.json()["num_results"] == 1


def test_another_server_on_the_database_finds_a_create_and_a_delete(
    make_index: Callable[..., Index],
):
    """Each server keeps the searches it answered; a write through another server, on the
    same database, shows in its next answers (see next_answer)."""
    writer, reader = make_index(), make_index()
    owner = writer.account()
    term = _term()
    [kept] = _create(writer, owner, f"{term}a")
    assert _names(search(reader, q=term)) == [kept]  # the reader keeps this answer

    [added] = _create(writer, owner, f"{term}b")
    found = next_answer(reader, lambda: search(reader, q=term), lambda r: len(_names(r)) == 2)
    assert _names(found) == [kept, added]

    assert delete_repository(writer, kept, as_user(owner)).status_code == 202
    response = next_answer(reader, lambda: search(reader, q=term), lambda r: len(_names(r)) == 1)
    assert _names(response) == [added]
    assert response.json()["num_results"] == 1
