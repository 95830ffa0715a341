import pytest

from server.auth import RepositoryName
from server.state import AppState

pytestmark = pytest.mark.anyio


async def _create(state: AppState, *names: str) -> None:
    async with state.unit_of_work(writes=True) as services:
        for name in names:
            await services.repositories.create(RepositoryName.parse(name), [])


async def _names(state: AppState, query: str, page: int = 1, per_page: int = 25) -> list[str]:
    async with state.unit_of_work(writes=False) as services:
        found = await services.search.search(query, page=page, per_page=per_page)
    return [hit.name for hit in found.hits]


async def test_exact_then_prefix_then_substring_ties_by_name(state: AppState):
    await _create(
        state, "zed_user/webapp", "abc_user/web", "zed_user/web", "abc_user/myweb", "library/web"
    )
    assert await _names(state, "web") == [
        "abc_user/web",
        "library/web",
        "zed_user/web",
        "zed_user/webapp",
        "abc_user/myweb",
    ]


async def test_matching_ignores_case_and_paging_splits_the_order(state: AppState):
    await _create(state, *(f"someone/app{i}" for i in range(5)))
    assert await _names(state, "APP", page=2, per_page=2) == ["someone/app2", "someone/app3"]
    async with state.unit_of_work(writes=False) as services:
        assert (await services.search.search("app", page=9, per_page=2)).total == 5


@pytest.mark.parametrize("query", ["%", "_", "\\"])
async def test_like_wildcards_in_the_query_match_only_themselves(state: AppState, query: str):
    await _create(state, "someone/plain")
    assert await _names(state, query) == []


async def test_library_repositories_are_official(state: AppState):
    await _create(state, "library/ubuntu", "someone/ubuntu")
    async with state.unit_of_work(writes=False) as services:
        found = await services.search.search("ubuntu", page=1, per_page=10)
    assert [(hit.name, hit.is_official) for hit in found.hits] == [
        ("library/ubuntu", True),
        ("someone/ubuntu", False),
    ]
