import asyncio
import threading
from collections.abc import Awaitable
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update

from server.auth import RepositoryName
from server.composition import AppState
from server.services import search_plan
from server.services.repositories import ImageRecord
from server.services.search import CachedSearchService, SqliteSearcher
from server.settings import Settings
from server.storage.tables import Repository, SearchGeneration
from tests.harness import FAST_HASHING

pytestmark = pytest.mark.anyio


async def _create(state: AppState, *names: str) -> None:
    async with state.unit_of_work(writes=True) as services:
        for name in names:
            await services.repositories.create(RepositoryName.parse(name), [])


async def _update(state: AppState, full_name: str, **values: str | int) -> None:
    """Change a repository's row directly (the API has no rename, nor descriptions yet)."""
    repository = RepositoryName.parse(full_name)
    async with state.database.unit_of_work(writes=True) as session:
        await session.execute(
            update(Repository)
            .where(Repository.namespace == repository.namespace)
            .where(Repository.name == repository.name)
            .values(**values)
        )


async def _delete(state: AppState, full_name: str) -> None:
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.delete(RepositoryName.parse(full_name))


async def _names(state: AppState, query: str, page: int = 1, per_page: int = 25) -> list[str]:
    async with state.unit_of_work(writes=False) as services:
        found = await services.search.search(query, page=page, per_page=per_page)
    return [hit.name for hit in found.hits]


async def _total(state: AppState, query: str, page: int = 1, per_page: int = 25) -> int:
    async with state.unit_of_work(writes=False) as services:
        return (await services.search.search(query, page=page, per_page=per_page)).total


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


async def test_within_a_group_more_stars_then_more_pulls_come_first(state: AppState):
    await _create(state, "aaa/web", "bbb/web", "ccc/web", "ddd/web", "aaa/webapp", "zzz/webx")
    await _update(state, "ddd/web", star_count=2)
    await _update(state, "ccc/web", star_count=1, pull_count=5)
    await _update(state, "bbb/web", star_count=1, pull_count=9)
    await _update(state, "zzz/webx", star_count=9)  # a prefix: after every exact name
    async with state.unit_of_work(writes=True) as services:
        await services.pages.add_pulls({RepositoryName.parse("aaa/webapp"): 3})
    assert await _names(state, "web") == [
        "ddd/web",
        "bbb/web",
        "ccc/web",
        "aaa/web",
        "zzz/webx",
        "aaa/webapp",
    ]


async def test_a_pull_batch_leaves_the_search_generation_alone(state: AppState):
    await _create(state, "user1/one")
    before = await _generation(state)
    async with state.unit_of_work(writes=True) as services:
        await services.pages.add_pulls({RepositoryName.parse("user1/one"): 4})
    assert await _generation(state) == before


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


async def test_description_matches_come_after_every_name_match(state: AppState):
    await _create(state, "zzz_user/sql", "aaa_user/other", "mmm_user/mysqlite", "aaa_user/sqlx")
    await _update(state, "aaa_user/other", description="Runs SQL fast")
    await _update(state, "zzz_user/sql", description="sql too")  # both: ranked by its name
    assert await _names(state, "sql") == [
        "zzz_user/sql",
        "aaa_user/sqlx",
        "mmm_user/mysqlite",
        "aaa_user/other",
    ]
    assert await _total(state, "sql") == 4


async def test_the_namespace_and_the_full_name_match_too(state: AppState):
    await _create(state, "webber/app", "other/webber", "someone/x-webbe")
    # namespace/name is exact; a namespace prefix ranks with the name prefixes.
    assert await _names(state, "webber/app") == ["webber/app"]
    assert await _names(state, "webbe") == ["other/webber", "webber/app", "someone/x-webbe"]
    assert await _names(state, "r/a") == ["webber/app"]
    assert await _names(state, "er/") == ["other/webber", "webber/app"]


@pytest.mark.parametrize("query", ["a", "A", "b", "ab", "AB", "b-"])
async def test_terms_shorter_than_a_trigram_match_and_rank_alike(state: AppState, query: str):
    await _create(state, "user1/ab", "user1/abc", "user1/xab", "user1/b-ab", "user2/none")
    await _update(state, "user2/none", description="A tab")
    expected = _expected(
        {
            "user1/ab": "",
            "user1/abc": "",
            "user1/xab": "",
            "user1/b-ab": "",
            "user2/none": "A tab",
        },
        query,
    )
    assert await _names(state, query) == expected
    assert await _total(state, query) == len(expected)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"hi"', ["user1/quoted"]),
        ('say "', ["user1/quoted"]),
        ('"', ["user1/quoted"]),
        ("100%", ["user1/percent"]),
        ("0%", ["user1/percent"]),
        ("%", ["user1/percent"]),
        ("a_b", ["user1/a_b"]),
        ("_b", ["user1/a_b"]),
        ("a\\b", ["user1/backslash"]),
        ("\\", ["user1/backslash"]),
        ("10", ["user1/percent"]),
        ("axb", []),
        ("a%b", []),
    ],
)
async def test_quotes_and_like_wildcards_match_only_themselves(
    state: AppState, query: str, found: list[str]
):
    await _create(state, "user1/quoted", "user1/percent", "user1/a_b", "user1/backslash")
    await _update(state, "user1/quoted", description='They say "hi"')
    await _update(state, "user1/percent", description="100% sure")
    await _update(state, "user1/backslash", description="a\\b")
    assert await _names(state, query) == found
    assert await _total(state, query) == len(found)


@pytest.mark.parametrize("query", ["\0", "ab\0", "abc\0def"])
async def test_a_term_with_a_nul_character_matches_nothing(state: AppState, query: str):
    await _create(state, "user1/abcdef", "user1/ab")
    assert (await _names(state, query), await _total(state, query)) == ([], 0)


async def test_a_deleted_repository_leaves_the_index(state: AppState):
    await _create(state, "user1/gonerepo", "user1/keptrepo")
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.delete(RepositoryName.parse("user1/gonerepo"))
    assert await _names(state, "repo") == ["user1/keptrepo"]
    assert await _names(state, "gonere") == []
    assert await _total(state, "gonere") == 0
    await _create(state, "user1/gonerepo")  # a new row: found again
    assert await _names(state, "gonere") == ["user1/gonerepo"]


async def test_a_renamed_or_redescribed_repository_is_found_by_its_new_texts(state: AppState):
    await _create(state, "user1/oldname", "user1/other")
    await _update(state, "user1/other", description="first words")
    await _update(state, "user1/oldname", name="newname")
    await _update(state, "user1/other", description="second words")

    assert (await _names(state, "oldname"), await _total(state, "oldname")) == ([], 0)
    assert await _names(state, "newname") == ["user1/newname"]
    assert await _names(state, "first") == []
    assert await _names(state, "second") == ["user1/other"]
    assert await _names(state, "words") == ["user1/other"]


async def test_deleting_many_rows_at_once_leaves_the_index(state: AppState):
    await _create(state, *(f"user1/bulk{i}" for i in range(5)), "user2/bulk9")
    async with state.database.unit_of_work(writes=True) as session:
        await session.execute(delete(Repository).where(Repository.namespace == "user1"))
    assert await _names(state, "bulk") == ["user2/bulk9"]
    assert await _total(state, "bulk") == 1


async def test_sqlite_index_agrees_with_the_table_after_writes(sqlite_state: AppState):
    state = sqlite_state
    await _create(state, "user1/one", "user1/two", "user1/three")
    await _create(state, "user1/one")  # exists: the upsert updates the row to itself
    await _update(state, "user1/two", name="deux", description="Zwei")
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.delete(RepositoryName.parse("user1/three"))
    async with state.database.unit_of_work(writes=True) as session:
        # Raises unless an index holds exactly the texts of the rows (rank 1: compare them).
        for index in ("repositories_search_names", "repositories_search_descriptions"):
            await session.execute(
                text(f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")
            )


async def _generation(state: AppState) -> int:
    async with state.database.unit_of_work(writes=False) as session:
        return (await session.execute(select(SearchGeneration.generation))).scalar_one()


async def test_writes_that_change_what_search_finds_raise_the_search_generation(
    state: AppState,
):
    async def raised(write: Awaitable[None]) -> bool:
        before = await _generation(state)
        await write
        return await _generation(state) > before

    assert await raised(_create(state, "user1/one"))
    assert await raised(_update(state, "user1/one", description="words"))
    assert await raised(_update(state, "user1/one", name="two"))
    assert await raised(_update(state, "user1/two", namespace="user2"))
    assert await raised(_delete(state, "user2/two"))


async def test_writes_search_cannot_see_leave_the_search_generation_alone(state: AppState):
    await _create(state, "user1/one")
    await _update(state, "user1/one", description="words")
    before = await _generation(state)
    await _create(state, "user1/one")  # exists: the upsert rewrites the row to itself
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.put_images(
            RepositoryName.parse("user1/one"), [ImageRecord("a" * 64, "sha256:" + "0" * 64)]
        )
    await _update(state, "user1/one", description="words")  # the same text again
    async with state.database.unit_of_work(writes=True) as session:
        await session.execute(update(Repository).values(created_at=func.now()))
        await session.execute(delete(Repository).where(Repository.namespace == "nobody"))
    async with state.unit_of_work(writes=False) as services:
        await services.search.search("one", page=1, per_page=25)
    assert await _generation(state) == before


async def test_one_statement_over_many_rows_raises_it_once_on_postgresql(state: AppState):
    """PostgreSQL's triggers run per statement, so that a bulk write locks the row once;
    SQLite's run per row."""
    await _create(state, *(f"user1/bulk{i}" for i in range(5)))
    before = await _generation(state)
    async with state.database.unit_of_work(writes=True) as session:
        await session.execute(
            update(Repository).where(Repository.namespace == "user1").values(description="bulk")
        )
    per_statement = state.database.engine.dialect.name == "postgresql"
    assert await _generation(state) - before == (1 if per_statement else 5)


async def test_a_write_through_another_process_is_found_at_once(state: AppState, database_url: str):
    """Two app states on one database: two processes, each with its own cache."""
    other = AppState(Settings(database_url=database_url, **FAST_HASHING))
    try:
        await _create(state, "user1/cachedrepo")
        assert await _names(state, "cachedrepo") == ["user1/cachedrepo"]  # now cached
        await _create(other, "user2/cachedrepo")
        assert await _names(state, "cachedrepo") == ["user1/cachedrepo", "user2/cachedrepo"]
        await _delete(other, "user1/cachedrepo")
        assert await _names(state, "cachedrepo") == ["user2/cachedrepo"]
        assert await _total(state, "cachedrepo") == 1
        await _update(other, "user2/cachedrepo", name="renamed")
        assert await _names(state, "cachedrepo") == []
    finally:
        await other.close()


async def test_a_search_is_kept_under_its_term_page_and_page_size(state: AppState):
    await _create(state, "user1/keptrepo")
    cache = state.search_cache
    assert cache is not None
    assert await _names(state, " KeptRepo ") == ["user1/keptrepo"]
    assert len(cache) == 1
    assert await _names(state, "keptrepo") == ["user1/keptrepo"]  # the same search
    assert len(cache) == 1
    assert await _names(state, "keptrepo", page=2) == []
    assert len(cache) == 2
    await _create(state, "user1/other")  # a new generation: the pages kept are gone
    assert await _names(state, "keptrepo") == ["user1/keptrepo"]
    assert len(cache) == 1


async def test_no_cache_when_its_size_is_zero(database_url: str):
    state = AppState(Settings(database_url=database_url, search_cache_entries=0, **FAST_HASHING))
    try:
        assert state.search_cache is None
        async with state.unit_of_work(writes=False) as services:
            assert not isinstance(services.search, CachedSearchService)
        await _create(state, "user1/uncached")
        assert await _names(state, "uncached") == ["user1/uncached"]
    finally:
        await state.close()
    cached = AppState(Settings(database_url=database_url, **FAST_HASHING))
    try:
        async with cached.unit_of_work(writes=False) as services:
            assert isinstance(services.search, CachedSearchService)
    finally:
        await cached.close()


# A data set for comparing every page with a model of the order: names and descriptions that
# share words, in several cases, a few with the term at the start, in the middle, at the end.
_REPOSITORIES = {
    "library/redis": "In-memory store",
    "library/postgres": "The PostgreSQL database",
    "library/nginx": "Web server and reverse proxy",
    "bitnami/redis": "Redis, packaged",
    "bitnami/redis-cluster": "",
    "bitnami/postgresql": "PostgreSQL by Bitnami",
    "someone/myredis": "a redis fork",
    "someone/web": "a web server",
    "someone/webserver": "serves the web",
    "someone/server": "Nginx-like WEB server",
    "redisfan/tools": "Tools for Redis users",
    "redisfan/redis": "",
    "webdev/site": "My site, café edition",
    "webdev/webapp": "an app for the web",
    "proxy_co/revproxy": "Reverse proxy; 50% faster",
    "proxy_co/proxy": "proxy_pass",
    "u1234/a": "aaa",
    "u1234/ab": "b-a-b",
    "u1234/x.y-z": "x_y z",
}
_QUERIES = [
    "redis",
    "REDIS",
    "red",
    "re",
    "r",
    "is/r",
    "library/redis",
    "web",
    "we",
    "server",
    "proxy",
    "proxy_",
    "reverse proxy",
    "50% f",
    "post",
    "postgres",
    "a",
    "ab",
    "b-",
    "café",
    "CAFÉ",
    "x.y",
    ".y-",
    "/",
    "-",
    "e",
    "q",
    "zz",
    "",
    "   ",
    "  redis  ",
    "nothing here",
]
# Stars and pulls of some of them: ties of both, and pulls that order equal stars.
_RANKS = {
    "library/redis": (3, 5),
    "bitnami/redis": (3, 20),
    "redisfan/redis": (3, 20),
    "someone/myredis": (0, 500),
    "redisfan/tools": (1, 0),
    "someone/server": (2, 0),
    "webdev/webapp": (0, 9),
    "library/nginx": (0, 9),
    "proxy_co/proxy": (7, 0),
    "u1234/ab": (1, 1),
}


def _expected(
    repositories: dict[str, str], query: str, ranks: dict[str, tuple[int, int]] | None = None
) -> list[str]:
    """The documented order, computed in Python: the group, then most stars, most pulls,
    then namespace and name."""
    term = query.strip().lower()
    ranked = []
    for full_name, description in repositories.items():
        namespace, _, name = full_name.partition("/")
        lowered = full_name.lower()
        if term in lowered:
            if term in (name.lower(), lowered):
                rank = 0
            elif name.lower().startswith(term) or lowered.startswith(term):
                rank = 1
            else:
                rank = 2
        elif term in description.lower():
            rank = 3
        else:
            continue
        stars, pulls = (ranks or {}).get(full_name, (0, 0))
        ranked.append((rank, -stars, -pulls, namespace, name))
    return [f"{namespace}/{name}" for *_, namespace, name in sorted(ranked)]


async def test_every_page_follows_the_model_and_totals_are_exact(state: AppState):
    await _every_page_follows_the_model(state)


@pytest.mark.parametrize("walks", [True, False], ids=["walking in rank order", "sorting"])
async def test_every_page_follows_the_model_either_way_a_group_is_read(
    state: AppState, monkeypatch: pytest.MonkeyPatch, walks: bool
):
    """Each group's rows, by walking the rows in rank order or sorting the indexed matches:
    the sample's estimate chooses only how long it takes."""
    monkeypatch.setattr(search_plan, "_walks", lambda _needed, _share, _rows: walks)
    await _every_page_follows_the_model(state)


async def _every_page_follows_the_model(state: AppState) -> None:
    await _create(state, *sorted(_REPOSITORIES, reverse=True))  # ids against name order
    for full_name, description in _REPOSITORIES.items():
        if description:
            await _update(state, full_name, description=description)
    for full_name, (stars, pulls) in _RANKS.items():
        await _update(state, full_name, star_count=stars, pull_count=pulls)
    for query in _QUERIES:
        expected = _expected(_REPOSITORIES, query, _RANKS)
        assert await _names(state, query, per_page=100) == expected, query
        for per_page in (1, 2, 3, 7):
            found = []
            for page in range(1, -(-len(expected) // per_page) + 2):  # and one past the end
                async with state.unit_of_work(writes=False) as services:
                    result = await services.search.search(query, page=page, per_page=per_page)
                assert result.total == len(expected), (query, per_page, page)
                found += [hit.name for hit in result.hits]
            assert found == expected, (query, per_page)


async def test_the_count_stops_at_the_bound_and_the_pages_end_there(
    state: AppState, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(search_plan, "MATCH_LIMIT", 5)
    names = [f"user1/bound{i}" for i in range(8)]
    await _create(state, *names)
    pages = [await _names(state, "bound", page=page, per_page=2) for page in (1, 2, 3, 4)]
    assert pages == [names[0:2], names[2:4], names[4:5], []]
    assert [await _total(state, "bound", page=page, per_page=2) for page in (1, 3, 4)] == [5] * 3


async def test_the_count_is_exact_below_the_bound(state: AppState, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(search_plan, "MATCH_LIMIT", 5)
    await _create(state, *(f"user1/bound{i}" for i in range(4)))
    assert await _total(state, "bound") == 4
    assert await _total(state, "b") == 4  # a short term, from the same indexes


@pytest.mark.parametrize("query", ["web", "we", "w"])
async def test_the_matches_within_the_bound_are_the_first_in_the_protocols_order(
    state: AppState, monkeypatch: pytest.MonkeyPatch, query: str
):
    monkeypatch.setattr(search_plan, "MATCH_LIMIT", 4)
    repositories = {
        "zzz_user/web": "",
        "zzz_user/webapp": "",
        "aaa_user/myweb": "",
        "aaa_user/other": "for the web",
        "aaa_user/more": "web too",
        "bbb_user/x-web": "",
    }
    await _create(state, *sorted(repositories, reverse=True))
    for full_name, description in repositories.items():
        if description:
            await _update(state, full_name, description=description)
    expected = _expected(repositories, query)[:4]
    assert await _names(state, query, per_page=100) == expected
    assert await _names(state, query, page=2, per_page=3) == expected[3:]
    assert await _total(state, query) == 4


@pytest.mark.parametrize("query", ["", "   "])
async def test_a_blank_query_lists_every_repository_by_name(state: AppState, query: str):
    names = ["library/web", "abc_user/web", "zed_user/app", "abc_user/zoo"]
    await _create(state, *names)
    assert await _names(state, query) == sorted(names)
    assert await _total(state, query) == len(names)


@pytest.mark.parametrize("query", ["q", "zz", "é", "\x01", "a\x01"])
async def test_a_short_or_unusual_term_that_occurs_nowhere_matches_nothing(
    state: AppState, query: str
):
    await _create(state, "user1/abc", "user1/ab")
    await _update(state, "user1/abc", description="a b c")
    assert (await _names(state, query), await _total(state, query)) == ([], 0)


async def test_a_term_at_the_very_end_of_a_text_is_found(state: AppState):
    """SQLite finds a short term from the trigrams it starts: the texts' ends too."""
    await _create(state, "user1/xy", "user2/other")
    await _update(state, "user2/other", description="ends in q")
    assert await _names(state, "y") == ["user1/xy"]
    assert await _names(state, "xy") == ["user1/xy"]
    assert await _names(state, "q") == ["user2/other"]
    assert await _names(state, " q") == ["user2/other"]


async def test_sqlite_searches_run_off_the_event_loop(sqlite_state: AppState, monkeypatch):
    """While a search's statements run (held here in its worker thread), the event loop
    answers other units of work."""
    state = sqlite_state
    assert state.sqlite_searcher is not None
    started, release = threading.Event(), threading.Event()
    search_in_thread = SqliteSearcher._search

    def held(self: SqliteSearcher, *args: Any) -> Any:
        started.set()
        assert release.wait(10)
        return search_in_thread(self, *args)

    monkeypatch.setattr(SqliteSearcher, "_search", held)
    await _create(state, "user1/held")
    search = asyncio.create_task(_names(state, "held"))
    assert await asyncio.to_thread(started.wait, 10)
    assert await _generation(state) > 0  # answered on the loop while the search is held
    assert not search.done()
    release.set()
    assert await search == ["user1/held"]


async def test_sqlite_searcher_serves_again_after_close(tmp_path, sqlite_template):
    """An app's lifespan may end and start again in one process (a test client does): the
    worker threads closed at its end are made anew for the next search."""
    import shutil

    shutil.copy(sqlite_template, tmp_path / "hubindex.db")
    searcher = SqliteSearcher.for_url(f"sqlite:///{tmp_path / 'hubindex.db'}")
    assert searcher is not None
    assert (await searcher.search("hello", page=1, per_page=25)).total == 0
    searcher.close()
    assert (await searcher.search("hello", page=1, per_page=25)).total == 0
    searcher.close()
