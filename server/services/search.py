"""Searching repositories by name and description.

A repository matches when the query, trimmed and lower-cased, is a substring of
``lower(namespace || '/' || name)`` or of ``lower(description)``. The matches come in groups:
the name is the query (``name`` or ``namespace/name``), then a name starts with it, then a
name contains it elsewhere, then only the description contains it; within a group the most
starred first, then the most pulled, then by namespace and name in byte order. A blank query
matches every repository.

Every search is bounded (server.services.search_plan): the count stops at ``MATCH_LIMIT``
(1,000: "at least 1,000"), only the first ``MATCH_LIMIT`` matches can be paged to, and each
statement reads a bounded share of the rows, from text indexes that serve a term of any
length (migrations 0003 and 0006).

- PostgreSQL: ``DatabaseSearchService``, on the request's session; the statements run in the
  database server, the event loop waits for none of them.
- SQLite: ``ThreadedSearchService`` runs the same statements in a worker thread, on a
  connection of its own (sqlite3 lets go of the GIL while a statement runs), so that no search
  holds up the requests on the event loop. An in-memory database has no other connection to
  it: there ``DatabaseSearchService`` runs them inline.

``CachedSearchService`` answers repeated searches from a process's ``SearchResultCache``,
kept correct across processes by the search generation of migration 0004.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Engine, event, select
from sqlalchemy.engine import make_url

from server.auth import LIBRARY
from server.cache import GenerationCache
from server.services.permissions import public_only, visible_to, visible_to_org_token
from server.services.search_plan import MATCH_LIMIT, Steps, search_steps, term_of
from server.storage.database import DatabaseSession
from server.storage.engines import sync_engine
from server.storage.tables import SearchGeneration
from server.workers import WorkerThreads

__all__ = ["MATCH_LIMIT"]


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who searches: account ``user`` (0: anonymous), and whether the private repositories it
    is granted count (not for a ``repo:public_read`` access token); or the organization
    access token of uuid ``org_token``, whose resources decide. A private repository is found
    only by those who may read it (server.services.permissions.visible_to and
    visible_to_org_token)."""

    user: int = 0
    private: bool = True
    org_token: str | None = None

    @property
    def key(self) -> int | None:
        """What the answers kept for it are kept under: 0 for everyone who sees only public
        repositories (one answer serves them all), else the account; None: none are kept (an
        organization access token's resources change without raising the search generation)."""
        if self.org_token is not None:
            return None
        return 0 if public_only(self.user, self.private) else self.user

    def visible(self) -> ColumnElement[bool]:
        if self.org_token is not None:
            return visible_to_org_token(self.org_token)
        return visible_to(self.user, private=self.private)


ANONYMOUS = Viewer()


@dataclass(frozen=True, slots=True)
class SearchHit:
    name: str  # namespace/repository
    description: str
    is_official: bool
    star_count: int = 0  # kept with the stars (server.services.pages)


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int  # exact below MATCH_LIMIT; MATCH_LIMIT means at least that many
    hits: tuple[SearchHit, ...]  # a tuple: a cached page is shared by the requests it serves


class SearchService(Protocol):
    async def search(
        self, query: str, *, page: int, per_page: int, viewer: Viewer = ANONYMOUS
    ) -> SearchPage:
        """Case-insensitive matches on name and description, of the repositories ``viewer``
        may read: exact name first, then name prefixes, then other matches; within each, by
        stars, then pulls (most first), then full name.
        At most MATCH_LIMIT are counted and paged through."""


class DatabaseSearchService:
    """The search's statements on the unit of work's own session."""

    def __init__(self, session: DatabaseSession) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name

    async def search(
        self, query: str, *, page: int, per_page: int, viewer: Viewer = ANONYMOUS
    ) -> SearchPage:
        steps = search_steps(
            query, page=page, per_page=per_page, dialect=self._dialect, visible=viewer.visible()
        )
        try:
            statement = next(steps)
            while True:
                rows = (await self._session.execute(statement)).all()
                statement = steps.send(rows)
        except StopIteration as done:
            return _page(*done.value)


# Each search connection's page cache, in KiB (SQLite's default: 2 MiB). A walk in rank
# order (server.services.search_plan) reads its rows' pages in no order the file keeps, a
# page of up to 1,000 rows each; with the default cache they are read from the operating
# system again at every search (docs/performance.md: about 20-40 ms against 3 ms for such a
# walk at 1,000,000 repositories). Filled only as far as searches read.
PAGE_CACHE_KIB = 65_536


def keep_pages(engine: Engine) -> None:
    """Give each of ``engine``'s SQLite connections a page cache of ``PAGE_CACHE_KIB``."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")


class SqliteSearcher:
    """A process's worker threads for SQLite searches, each search on a connection of its
    own in one read transaction (one snapshot), with a page cache of its own that outlives
    the search (``keep_pages``). While every thread is busy, a search waits for one; the event
    loop does not."""

    THREADS = 2

    def __init__(self, url: str) -> None:
        self._engine: Engine = sync_engine(url, pool_size=self.THREADS, max_overflow=0)
        keep_pages(self._engine)
        self._threads = WorkerThreads(self.THREADS, "hubindex-search")

    @classmethod
    def for_url(cls, url: str) -> "SqliteSearcher | None":
        """One for a SQLite database in a file; None for PostgreSQL or an in-memory one."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return cls(url)

    async def search(
        self, query: str, *, page: int, per_page: int, viewer: Viewer = ANONYMOUS
    ) -> SearchPage:
        return await self._threads.run(self._search, query, page, per_page, viewer)

    def _search(self, query: str, page: int, per_page: int, viewer: Viewer) -> SearchPage:
        visible = viewer.visible()
        steps = search_steps(query, page=page, per_page=per_page, dialect="sqlite", visible=visible)
        with self._engine.connect() as connection:  # closed: rolled back, the snapshot ends
            return _page(*_run(steps, lambda statement: connection.execute(statement).all()))

    def close(self) -> None:
        self._threads.close()
        self._engine.dispose()


class ThreadedSearchService:
    """SQLite's searches, off the event loop (see SqliteSearcher)."""

    def __init__(self, searcher: SqliteSearcher) -> None:
        self._searcher = searcher

    async def search(
        self, query: str, *, page: int, per_page: int, viewer: Viewer = ANONYMOUS
    ) -> SearchPage:
        return await self._searcher.search(query, page=page, per_page=per_page, viewer=viewer)


def _run(steps: Steps, execute: Callable[[Any], Sequence[Any]]) -> tuple[int, Sequence[Any]]:
    try:
        statement = next(steps)
        while True:
            statement = steps.send(execute(statement))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def _page(total: int, rows: Sequence[Any]) -> SearchPage:
    return SearchPage(total, tuple(_hit(row) for row in rows))


def _hit(row: Any) -> SearchHit:
    namespace = row.namespace
    return SearchHit(
        f"{namespace}/{row.name}", row.description, namespace == LIBRARY, int(row.star_count or 0)
    )


class CachedSearchService:
    """Another search service's answers, kept in a process's cache for as long as the search
    generation (migration 0004) stays the same: a write that may change an answer, in any
    process, raises it as it commits, and the next search here computes afresh.

    An answer is kept under who may see it (:attr:`Viewer.key`): one for every caller who
    sees only public repositories, one per account that may read private ones; none for an
    organization access token. A change of privacy or of collaborators raises the generation
    too (server.services.sharing).
    """

    def __init__(
        self,
        session: DatabaseSession,
        searches: SearchService,
        cache: "SearchResultCache",
        change_counter: Callable[[], int | None] = lambda: None,
    ) -> None:
        self._session = session
        self._searches = searches
        self._cache = cache
        self._change_counter = change_counter

    async def search(
        self, query: str, *, page: int, per_page: int, viewer: Viewer = ANONYMOUS
    ) -> SearchPage:
        # The generation first, then the answer. The other way round, a write committing in
        # between (PostgreSQL, READ COMMITTED: each statement sees the latest commits) would
        # file the answer from before it under its new generation. This way an answer is at
        # worst newer than its generation.
        who = viewer.key
        if who is None:
            return await self._searches.search(query, page=page, per_page=per_page, viewer=viewer)
        generation = await self._generation()
        key = (term_of(query), page, per_page, who)
        found = self._cache.get(generation, key)
        if found is None:
            found = await self._searches.search(query, page=page, per_page=per_page, viewer=viewer)
            self._cache.put(generation, key, found)
        return found

    async def _generation(self) -> int:
        """The search generation; not read again while the database has not changed since
        (where the database can tell that cheaply: ``Database.change_counter``)."""
        counter = self._change_counter()
        known = self._cache.known
        if counter is not None and known is not None and known[0] == counter:
            return known[1]
        generation: int = (await self._session.execute(_GENERATION)).scalar_one()
        if counter is not None:
            self._cache.known = (counter, generation)
        return generation


_GENERATION = select(SearchGeneration.__table__.c.generation)  # one row

_Key = tuple[str, int, int, int]  # term, page, per page, viewer


class SearchResultCache(GenerationCache[_Key, SearchPage]):
    """Pages of one search generation (see server.cache), and the generation last read with
    the database's change counter at the time: until the counter moves, it still holds."""

    def __init__(self, entries: int) -> None:
        super().__init__(entries)
        self.known: tuple[int, int] | None = None
