"""The search result cache, and the service that reads the generation before it searches."""

from typing import Any

import pytest

from server.services.search import (
    ANONYMOUS,
    CachedSearchService,
    SearchHit,
    SearchPage,
    SearchResultCache,
    Viewer,
)

pytestmark = pytest.mark.anyio


def _page(*names: str) -> SearchPage:
    return SearchPage(len(names), tuple(SearchHit(name, "", False) for name in names))


def test_a_page_put_is_found_under_its_generation_and_key():
    cache = SearchResultCache(10)
    found = _page("user1/redis")
    cache.put(1, ("redis", 1, 25), found)
    assert cache.get(1, ("redis", 1, 25)) is found


@pytest.mark.parametrize("key", [("redi", 1, 25), ("redis", 2, 25), ("redis", 1, 10)])
def test_another_term_page_or_page_size_misses(key: tuple[str, int, int]):
    cache = SearchResultCache(10)
    cache.put(1, ("redis", 1, 25), _page("user1/redis"))
    assert cache.get(1, key) is None


def test_the_least_recently_used_page_goes_first():
    cache = SearchResultCache(2)
    cache.put(1, ("a", 1, 25), _page("a/a"))
    cache.put(1, ("b", 1, 25), _page("b/b"))
    assert cache.get(1, ("a", 1, 25)) is not None  # now b is the least recently used
    cache.put(1, ("c", 1, 25), _page("c/c"))
    assert len(cache) == 2
    assert cache.get(1, ("b", 1, 25)) is None
    assert cache.get(1, ("a", 1, 25)) is not None
    assert cache.get(1, ("c", 1, 25)) is not None


def test_putting_a_key_again_replaces_its_page_without_growing():
    cache = SearchResultCache(2)
    cache.put(1, ("a", 1, 25), _page("a/a"))
    newer = _page("a/a", "a/b")
    cache.put(1, ("a", 1, 25), newer)
    assert len(cache) == 1
    assert cache.get(1, ("a", 1, 25)) is newer


def test_a_newer_generation_finds_nothing_of_the_older_and_empties_the_cache():
    cache = SearchResultCache(10)
    cache.put(1, ("a", 1, 25), _page("a/a"))
    cache.put(1, ("b", 1, 25), _page("b/b"))
    assert cache.get(2, ("a", 1, 25)) is None
    assert len(cache) == 0
    assert cache.get(1, ("b", 1, 25)) is None


def test_an_older_generation_neither_finds_nor_stores():
    cache = SearchResultCache(10)
    current = _page("a/a")
    cache.put(2, ("a", 1, 25), current)
    assert cache.get(1, ("a", 1, 25)) is None
    cache.put(1, ("a", 1, 25), _page("a/old"))  # computed by a search that began earlier
    cache.put(1, ("b", 1, 25), _page("b/old"))
    assert cache.get(2, ("a", 1, 25)) is current
    assert cache.get(2, ("b", 1, 25)) is None


@pytest.mark.parametrize("entries", [0, -1])
def test_a_cache_holds_at_least_one_entry(entries: int):
    with pytest.raises(ValueError, match="at least one"):
        SearchResultCache(entries)


class _Log(list[str]):
    """What happened, in order, across the fake session and the fake search service."""


class _Result:
    def __init__(self, value: int) -> None:
        self._value = value

    def scalar_one(self) -> int:
        return self._value


class _Session:
    """A session whose only query is the search generation."""

    def __init__(self, log: _Log) -> None:
        self.generation = 7
        self._log = log

    async def execute(self, _statement: Any) -> _Result:
        self._log.append("generation")
        return _Result(self.generation)


class _Searches:
    def __init__(self, log: _Log) -> None:
        self._log = log

    async def search(
        self, query: str, *, page: int, per_page: int, viewer: Viewer = ANONYMOUS
    ) -> SearchPage:
        self._log.append(f"search {query!r} {page} {per_page} {viewer.key}")
        return _page(f"user1/{query.strip().lower()}")


def _service(log: _Log) -> tuple[CachedSearchService, _Session]:
    session = _Session(log)
    service = CachedSearchService(session, _Searches(log), SearchResultCache(10))  # type: ignore[arg-type]
    return service, session


async def test_the_generation_is_read_before_the_search_runs():
    log = _Log()
    service, _ = _service(log)
    await service.search("redis", page=1, per_page=25)
    assert log == ["generation", "search 'redis' 1 25 0"]


async def test_a_repeated_search_reads_only_the_generation():
    log = _Log()
    service, _ = _service(log)
    first = await service.search("redis", page=1, per_page=25)
    log.clear()
    # The same term, trimmed and lower-cased, is the same search.
    assert await service.search("  ReDis ", page=1, per_page=25) is first
    assert log == ["generation"]


async def test_another_page_or_page_size_is_searched():
    log = _Log()
    service, _ = _service(log)
    await service.search("redis", page=1, per_page=25)
    await service.search("redis", page=2, per_page=25)
    await service.search("redis", page=1, per_page=10)
    assert [entry for entry in log if entry.startswith("search")] == [
        "search 'redis' 1 25 0",
        "search 'redis' 2 25 0",
        "search 'redis' 1 10 0",
    ]


async def test_a_new_generation_searches_again():
    log = _Log()
    service, session = _service(log)
    await service.search("redis", page=1, per_page=25)
    session.generation += 1
    log.clear()
    await service.search("redis", page=1, per_page=25)
    assert log == ["generation", "search 'redis' 1 25 0"]


async def test_answers_are_kept_apart_by_who_may_see_them():
    log = _Log()
    service, _ = _service(log)
    await service.search("redis", page=1, per_page=25)
    # Those who see only public repositories share one answer.
    await service.search("redis", page=1, per_page=25, viewer=Viewer(7, private=False))
    await service.search("redis", page=1, per_page=25, viewer=Viewer(7))
    await service.search("redis", page=1, per_page=25, viewer=Viewer(8))
    await service.search("redis", page=1, per_page=25, viewer=Viewer(7))
    assert [entry for entry in log if entry.startswith("search")] == [
        "search 'redis' 1 25 0",
        "search 'redis' 1 25 7",
        "search 'redis' 1 25 8",
    ]


async def test_an_organization_access_token_s_answers_are_never_kept():
    log = _Log()
    service, _ = _service(log)
    token = Viewer(org_token="3f2c")
    for _ in range(2):
        await service.search("redis", page=1, per_page=25, viewer=token)
    assert log == ["search 'redis' 1 25 None", "search 'redis' 1 25 None"]
