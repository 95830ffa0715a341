"""Searching repositories by name and description.

A repository matches when the query, trimmed and lower-cased, is a substring of
``lower(namespace || '/' || name)`` or of ``lower(description)``. The matches come in groups:
the name is the query (``name`` or ``namespace/name``), then a name starts with it, then a
name contains it elsewhere, then only the description contains it; within a group by
namespace, then name, in byte order. The total counts every match.

Each backend answers from its own text index (migration 0003):

- SQLite: the FTS5 table ``repositories_search``, trigrams of the same lower-cased texts,
  case-sensitive. A phrase query finds exactly the rows that contain a term of three or more
  characters, and counts them from the index alone. A shorter term has no trigram: it scans
  the table.
- PostgreSQL: pg_trgm GIN indexes on the lower-cased texts, which LIKE uses for a term they
  make a trigram of. The index only narrows the rows read: PostgreSQL rechecks each. Other
  terms scan the table.

A page takes one statement when it lies among the name matches (the usual first page): their
page, with both counts. Only a page past them reads the description-only matches.

``CachedSearchService`` answers repeated searches from a process's ``SearchResultCache``,
kept correct across processes by the search generation of migration 0004.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    case,
    column,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
)

from server.auth import LIBRARY
from server.cache import GenerationCache
from server.storage.database import DatabaseSession
from server.storage.tables import Repository, SearchGeneration


@dataclass(frozen=True, slots=True)
class SearchHit:
    name: str  # namespace/repository
    description: str
    is_official: bool


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int
    hits: tuple[SearchHit, ...]  # a tuple: a cached page is shared by the requests it serves


class SearchService(Protocol):
    async def search(self, query: str, *, page: int, per_page: int) -> SearchPage:
        """Case-insensitive matches on name and description: exact name first, then name
        prefixes, then other matches; ties by full name."""


class DatabaseSearchService:
    """Searches with the text indexes of the session's backend."""

    def __init__(self, session: DatabaseSession) -> None:
        self._session = session
        self._sqlite = session.get_bind().dialect.name == "sqlite"

    async def search(self, query: str, *, page: int, per_page: int) -> SearchPage:
        term = _term_of(query)
        if "\0" in term:  # in no text: PostgreSQL cannot store it, FTS5 cannot query it
            return SearchPage(0, ())
        groups = self._groups(term)
        offset = (page - 1) * per_page
        rows = (await self._session.execute(groups.named().limit(per_page).offset(offset))).all()
        if rows:
            total, named = rows[0].total, rows[0].named
        else:  # no name match on this page, nor its counts
            total, named = (await self._session.execute(groups.counts())).one()
        hits = [_hit(row.namespace, row.name, row.description) for row in rows]
        if len(hits) < per_page and offset + len(hits) < total:
            skip, limit = max(0, offset - named), per_page - len(hits)
            described = await self._described(groups, total - named, skip, limit)
            rows = (await self._session.execute(described.limit(limit).offset(skip))).all()
            hits += [_hit(row.namespace, row.name, row.description) for row in rows]
        return SearchPage(total, tuple(hits))

    def _groups(self, term: str) -> "_Groups":
        if self._sqlite and len(term) >= _TRIGRAM:
            return _FtsGroups(term)
        if self._sqlite:
            # SQLite's LIKE ignores ASCII case, and only ASCII case, as its lower() lowers only
            # ASCII letters: ``text LIKE '%term%'`` is ``lower(text) LIKE '%term%'``, cheaper.
            full_name = Repository.namespace + literal_column("'/'") + Repository.name
            return _SubstringGroups(term, full_name, Repository.description, _like(term), _BY_NAME)
        # LIKE, which the trigram indexes serve, only for a term they serve; strpos() for the
        # others: after five runs PostgreSQL may plan a statement once for every term, and a
        # plan through the indexes would read all of each for a term they cannot serve.
        contains = _like(term) if _PG_TRIGRAM.search(term) else _strpos(term)
        description = func.lower(Repository.description)
        by_name = (Repository.namespace.collate("C"), Repository.name.collate("C"))  # bytewise
        return _SubstringGroups(term, _full_name, description, contains, by_name)

    async def _described(self, groups: "_Groups", count: int, skip: int, limit: int) -> Select:
        """The description-only matches in order: sorted, or, when there are so many that
        sorting them costs more, found by walking the (namespace, name) index."""
        if isinstance(groups, _FtsGroups) and count >= _WALK_MINIMUM:
            repositories = await self._session.scalar(select(func.max(Repository.id))) or 0
            walked = (skip + limit) * repositories / count  # rows walked to fill the page
            if walked * _WALK_COST < count:
                return groups.described_by_walking()
        return groups.described()


class CachedSearchService:
    """Another search service's answers, kept in a process's cache for as long as the search
    generation (migration 0004) stays the same: a write that may change an answer, in any
    process, raises it as it commits, and the next search here computes afresh.

    Every repository is public, so one answer serves every caller: should search ever depend
    on who asks, the key must say who.
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

    async def search(self, query: str, *, page: int, per_page: int) -> SearchPage:
        # The generation first, then the answer. The other way round, a write committing in
        # between (PostgreSQL, READ COMMITTED: each statement sees the latest commits) would
        # file the answer from before it under its new generation. This way an answer is at
        # worst newer than its generation.
        generation = await self._generation()
        key = (_term_of(query), page, per_page)
        found = self._cache.get(generation, key)
        if found is None:
            found = await self._searches.search(query, page=page, per_page=per_page)
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

_Key = tuple[str, int, int]  # term, page, per page


class SearchResultCache(GenerationCache[_Key, SearchPage]):
    """Pages of one search generation (see server.cache), and the generation last read with
    the database's change counter at the time: until the counter moves, it still holds."""

    def __init__(self, entries: int) -> None:
        super().__init__(entries)
        self.known: tuple[int, int] | None = None


def _term_of(query: str) -> str:
    """What is searched for: the query, trimmed and lower-cased."""
    return query.strip().lower()


_TRIGRAM = 3  # trigram indexes find no shorter term
# What pg_trgm surely makes a trigram of, in LIKE '%term%': three letters or digits in a row,
# or two next to another character (a word's end, padded with a space).
_PG_TRIGRAM = re.compile("[a-z0-9]{3}|[^a-z0-9][a-z0-9]{2}|[a-z0-9]{2}[^a-z0-9]")
# Walking the index probes FTS5 once per row walked, at about a hundred times the cost of
# sorting a match.
_WALK_MINIMUM = 10_000
_WALK_COST = 100

# The indexed texts, as migration 0003 indexes them.
_full_name = func.lower(Repository.namespace + literal_column("'/'") + Repository.name)
_COLUMNS = (Repository.namespace, Repository.name, Repository.description)
_BY_NAME = (Repository.namespace, Repository.name)  # SQLite's BINARY collation: byte order


class _Groups(Protocol):
    def named(self) -> Select:
        """The name matches, ranked and in order, each row with the counts: ``total`` (all
        matches) and ``named`` (name matches)."""

    def counts(self) -> Select:
        """One row: all matches, name matches."""

    def described(self) -> Select:
        """The description-only matches, in order."""


_FTS = table("repositories_search", column("rowid", Integer), column("repositories_search"))


class _FtsGroups:
    """SQLite, a term of three characters or more: FTS5 phrase queries (the term's trigrams,
    in a row) on either text, on the name, on the description but not the name."""

    def __init__(self, term: str) -> None:
        phrase = '"' + term.replace('"', '""') + '"'
        self._term = term
        self._anywhere = phrase
        self._in_name = f"{{full_name}} : {phrase}"
        self._in_description_only = f"{{description}} : {phrase} NOT {self._in_name}"

    def named(self) -> Select:
        return (
            _fts_rows(self._in_name)
            .add_columns(
                _fts_count(self._anywhere).label("total"), _fts_count(self._in_name).label("named")
            )
            .order_by(_name_rank(self._term), *_BY_NAME)
        )

    def counts(self) -> Select:
        return select(_fts_count(self._anywhere), _fts_count(self._in_name))

    def described(self) -> Select:
        return _fts_rows(self._in_description_only).order_by(*_BY_NAME)

    def described_by_walking(self) -> Select:
        probe = select(_FTS.c.rowid).where(
            _FTS.c.repositories_search.match(self._in_description_only),
            _FTS.c.rowid == Repository.id,
        )
        return select(*_COLUMNS).where(probe.exists()).order_by(*_BY_NAME)


def _fts_rows(query: str) -> Select:
    return (
        select(*_COLUMNS)
        .select_from(_FTS.join(Repository, Repository.id == _FTS.c.rowid))
        .where(_FTS.c.repositories_search.match(query))
    )


def _fts_count(query: str) -> ColumnElement[int]:
    return (
        select(func.count())
        .select_from(_FTS)
        .where(_FTS.c.repositories_search.match(query))
        .scalar_subquery()
    )


class _SubstringGroups:
    """A substring test on the two texts: PostgreSQL, and SQLite for a term too short for
    FTS5."""

    def __init__(
        self,
        term: str,
        full_name: ColumnElement[str],
        description: ColumnElement[str],
        contains: Callable[[ColumnElement[str]], ColumnElement[bool]],
        by_name: tuple[ColumnElement[str], ...],
    ) -> None:
        self._term = term
        self._in_name = contains(full_name)
        self._in_description = contains(description)
        self._by_name = by_name

    def named(self) -> Select:
        described = select(func.count()).where(self._description_only()).scalar_subquery()
        return (
            select(*_COLUMNS)
            .add_columns(
                (func.count().over() + described).label("total"), func.count().over().label("named")
            )
            .where(self._in_name)
            .order_by(_name_rank(self._term), *self._by_name)
        )

    def counts(self) -> Select:
        return select(func.count(), func.count().filter(self._in_name)).where(
            or_(self._in_name, self._in_description)
        )

    def described(self) -> Select:
        return select(*_COLUMNS).where(self._description_only()).order_by(*self._by_name)

    def _description_only(self) -> ColumnElement[bool]:
        return self._in_description & not_(self._in_name)


def _like(term: str) -> Callable[[ColumnElement[str]], ColumnElement[bool]]:
    pattern = "%" + _like_escape(term) + "%"
    return lambda text: text.like(pattern, escape="\\")


def _strpos(term: str) -> Callable[[ColumnElement[str]], ColumnElement[bool]]:
    return lambda text: func.strpos(text, term) > 0


def _name_rank(term: str) -> ColumnElement[int]:
    """Among name matches: 0 the name is the term, 1 a name starts with it, 2 elsewhere."""
    name = func.lower(Repository.name)
    prefix = _like_escape(term) + "%"
    # namespace/name has a slash: it can be the term, or start with it past the namespace,
    # only when the term has one too.
    exact = or_(name == term, _full_name == term) if "/" in term else name == term
    starts = _full_name if "/" in term else func.lower(Repository.namespace)
    # Most matches start with neither: for them, the prefix test alone.
    return case(
        (
            or_(name.like(prefix, escape="\\"), starts.like(prefix, escape="\\")),
            case((exact, 0), else_=1),
        ),
        else_=2,
    )


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _hit(namespace: str, name: str, description: str) -> SearchHit:
    return SearchHit(f"{namespace}/{name}", description, namespace == LIBRARY)
