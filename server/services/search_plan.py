"""The statements that answer one search, in order, and how each is chosen.

A search is a generator: it yields a statement, is sent the statement's rows, and in the end
returns the matches counted and the page's rows. The same steps then run on an AsyncSession
(PostgreSQL) and, off the event loop, on a SQLite connection in a worker thread
(server.services.search).

Every step is bounded, whatever the term:

- The count stops at ``MATCH_LIMIT``: ``num_results`` is exact below it, and ``MATCH_LIMIT``
  means "at least that many". Only the first ``MATCH_LIMIT`` matches in the protocol's order
  can be paged to; a page past them is empty, as a page past the end always was.
- The matches come in the protocol's groups (exact name, name prefix, name elsewhere,
  description only), each in rank order (most stars first, then most pulls, then namespace
  and name in byte order), and a page takes from each group only as many rows as it needs.
  A group's first rows are found in one of two ways: its rows from an index, sorted (cost:
  the group's size), or the rows walked in rank order, along the index that holds it
  (migration 0019), until enough are found (cost: rows needed / the group's share of all
  rows). A sample of the table, a point every (max id / ``SAMPLE_SIZE``) ids, estimates each
  group's share, and the cheaper way is taken. A wrong estimate costs time, never a wrong answer.
- Every text index answers a term of any length: trigrams for three characters or more; on
  SQLite, the trigrams that start with a shorter term (migration 0006 ends each indexed text
  with ``SENTINEL`` twice, so that every character starts one); on PostgreSQL, a GIN index of
  each text's one- and two-character substrings, for the terms pg_trgm makes no trigram of.
"""

import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.sql import Executable

from server.storage.tables import Repository

MATCH_LIMIT = 1_000
SAMPLE_SIZE = 500
SENTINEL = "\x01"  # ends every text the SQLite indexes hold: see migration 0006

# A generator of statements: sent each statement's rows, it returns (matches, page rows).
Steps = Generator[Executable, Sequence[Any], tuple[int, Sequence[Any]]]

COLUMNS = (
    Repository.namespace,
    Repository.name,
    Repository.description,
    Repository.star_count,
    Repository.pull_count,
)

_TRIGRAM = 3
# What pg_trgm surely makes a trigram of, in LIKE '%term%': three letters or digits in a row,
# or two next to another character (a word's end, padded with a space).
_PG_TRIGRAM = re.compile("[a-z0-9]{3}|[^a-z0-9][a-z0-9]{2}|[a-z0-9]{2}[^a-z0-9]")
_LAST = "\U0010ffff"  # the greatest character: t <= s < t + _LAST for s starting with t


def search_steps(
    query: str,
    *,
    page: int,
    per_page: int,
    dialect: str,
    visible: ColumnElement[bool] | None = None,
) -> Steps:
    """The statements for one page of ``query`` on ``dialect`` ("sqlite" or "postgresql"),
    of the repositories ``visible`` holds true of (None: all of them; see
    server.services.permissions.visible_to)."""
    term = term_of(query)
    if "\0" in term or SENTINEL in term:  # in no text: see the module's docstring
        return 0, ()
    texts = _SqliteTexts(term) if dialect == "sqlite" else _PostgresTexts(term)
    texts.visible = true() if visible is None else visible
    top = _first((yield select(func.max(Repository.id)))) or 0
    groups = texts.groups()
    sample = _Sample.of((yield texts.sample(top, groups)), top)

    if _walks(MATCH_LIMIT, sample.share_of_any, sample.rows):
        counted = select(literal(1)).where(texts.anywhere()).limit(MATCH_LIMIT)
    else:
        counted = yield from texts.indexed_anywhere()
    total: int = _first((yield select(func.count()).select_from(counted.subquery())))

    skip = (page - 1) * per_page
    want = min(per_page, total - skip)
    rows: list[Any] = []
    for group, share in zip(groups, sample.shares, strict=True):
        if want <= 0:
            break
        needed = skip + want
        if _walks(needed, share, sample.rows):
            found = yield _in_order(select(*COLUMNS).where(group.member), texts, needed)
        else:
            indexed = yield from group.indexed()
            # Materialized: the matches first, then their order (never a walk in rank order).
            candidates = (
                select(*COLUMNS)
                .where(indexed, group.member)
                .cte("candidates")
                .prefix_with("MATERIALIZED")
            )
            ordered = select(*candidates.c).order_by(*texts.rank_of(candidates.c))
            found = yield ordered.limit(needed)
        found = list(found)
        if len(found) <= skip:
            skip -= len(found)
            continue
        taken = found[skip : skip + want]
        rows += taken
        want -= len(taken)
        skip = 0
    return total, rows


def term_of(query: str) -> str:
    """What is searched for: the query, trimmed and lower-cased."""
    return query.strip().lower()


def _walks(needed: int, share: float, rows: float) -> bool:
    """Whether walking the rows in rank order until ``needed`` are found (about needed /
    share rows read) costs less than sorting all of them (about share * rows)."""
    return share > 0 and needed / share < share * rows


def _first(rows: Sequence[Any]) -> Any:
    return next(iter(rows))[0]


def _in_order(statement: Select, texts: "_Texts", limit: int) -> Select:
    return statement.order_by(*texts.rank_of(Repository.__table__.c)).limit(limit)


@dataclass(frozen=True, slots=True)
class _Sample:
    rows: float  # the table's rows, estimated
    share_of_any: float
    shares: tuple[float, ...]  # each group's

    @classmethod
    def of(cls, result: Sequence[Any], top: int) -> "_Sample":
        tried, found, anywhere, *groups = next(iter(result))
        if not found:
            return cls(0.0, 0.0, tuple(0.0 for _ in groups))
        return cls(top * found / tried, anywhere / found, tuple(count / found for count in groups))


# The statements a group needs from the generator that runs the search.
Indexed = Generator[Executable, Sequence[Any], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class _Group:
    """One of the protocol's groups: ``member`` tells its rows exactly; ``indexed`` yields
    what it must look up first and returns a test that an index serves, true for at least
    every member."""

    member: ColumnElement[bool]
    indexed: Callable[[], Indexed]


def _given(condition: ColumnElement[bool]) -> Callable[[], Indexed]:
    def indexed() -> Indexed:
        return condition
        yield  # a generator that needs no statement

    return indexed


class _Texts:
    """A term's tests on the two texts, on one backend."""

    term: str
    in_name: ColumnElement[bool]
    in_description: ColumnElement[bool]
    lower_name: ColumnElement[str]
    lower_namespace: ColumnElement[str]
    # Which repositories the caller may read: part of every group's test, so that the walks
    # and the samples count only those (a private repository read and passed over costs as
    # much as a row that does not match).
    visible: ColumnElement[bool] = true()

    def rank_of(self, columns: Any) -> tuple[ColumnElement[Any], ...]:
        """The rank order over ``columns`` (the table's, or a CTE's of COLUMNS), as the rank index
        (migration 0019) holds it: the names in byte order."""
        raise NotImplementedError

    def name_match(self) -> Callable[[], Indexed]:
        raise NotImplementedError

    def description_match(self) -> Callable[[], Indexed]:
        raise NotImplementedError

    def indexed_anywhere(self) -> Generator[Executable, Sequence[Any], Select]:
        """The ids of every match, from the indexes, at most MATCH_LIMIT of them."""
        raise NotImplementedError

    def anywhere(self) -> ColumnElement[bool]:
        return and_(or_(self.in_name, self.in_description), self.visible)

    def groups(self) -> tuple[_Group, ...]:
        term = self.term
        name, namespace = self.lower_name, self.lower_namespace
        full_name = func.lower(Repository.namespace + literal_column("'/'") + Repository.name)
        prefix = _like_escape(term) + "%"
        if "/" in term:
            # namespace/name: a namespace has no slash, so the term's first one splits it.
            before, after = term.split("/", 1)
            exact = or_(name == term, full_name == term)
            exact_indexed = or_(name == term, and_(namespace == before, name == after))
            starts = or_(name.like(prefix, escape="\\"), full_name.like(prefix, escape="\\"))
            starts_indexed = or_(_starting(name, term), namespace == before)
        else:
            exact = exact_indexed = name == term
            starts = or_(name.like(prefix, escape="\\"), namespace.like(prefix, escape="\\"))
            starts_indexed = or_(_starting(name, term), _starting(namespace, term))
        visible = self.visible
        return (
            _Group(and_(exact, visible), _given(exact_indexed)),
            _Group(and_(starts, not_(exact), visible), _given(starts_indexed)),
            _Group(and_(self.in_name, not_(starts), visible), self.name_match()),
            _Group(
                and_(self.in_description, not_(self.in_name), visible), self.description_match()
            ),
        )

    def sample(self, top: int, groups: Sequence[_Group]) -> Select:
        """How many of about SAMPLE_SIZE rows, spread over the ids, match, and fall in each
        group: tried, found, matches, per group."""
        step = max(1, top // SAMPLE_SIZE)
        ids = select(literal(step, Integer).label("i")).cte("sample_ids", recursive=True)
        ids = ids.union_all(select((ids.c.i + step).label("i")).where(ids.c.i + step <= top))
        tried = top // step
        return select(
            literal(tried, Integer),
            func.count(),
            func.count().filter(self.anywhere()),
            *(func.count().filter(group.member) for group in groups),
        ).select_from(ids.join(Repository, Repository.id == ids.c.i))


def _starting(text: ColumnElement[str], term: str) -> ColumnElement[bool]:
    """``text`` starts with ``term``, as a range an index on ``text`` serves."""
    return and_(text >= term, text < term + _LAST)


class _SqliteTexts(_Texts):
    def __init__(self, term: str) -> None:
        self.term = term
        # SQLite's LIKE ignores ASCII case, and only ASCII case, as its lower() lowers only
        # ASCII letters: ``text LIKE '%term%'`` is ``lower(text) LIKE '%term%'``, cheaper.
        pattern = "%" + _like_escape(term) + "%"
        full_name = Repository.namespace + literal_column("'/'") + Repository.name
        self.in_name = full_name.like(pattern, escape="\\")
        self.in_description = Repository.description.like(pattern, escape="\\")
        self.lower_name = func.lower(Repository.name)
        self.lower_namespace = func.lower(Repository.namespace)

    def rank_of(self, columns: Any) -> tuple[ColumnElement[Any], ...]:
        return (  # BINARY: byte order
            columns.star_count.desc(),
            columns.pull_count.desc(),
            columns.namespace,
            columns.name,
        )

    def name_match(self) -> Callable[[], Indexed]:
        return lambda: self._fts_ids(_NAMES)

    def description_match(self) -> Callable[[], Indexed]:
        return lambda: self._fts_ids(_DESCRIPTIONS)

    def indexed_anywhere(self) -> Generator[Executable, Sequence[Any], Select]:
        if not self.term:  # every text contains it
            return select(literal(1)).select_from(Repository).where(self.visible).limit(MATCH_LIMIT)
        names = yield from self._fts_query(_NAMES)
        descriptions = yield from self._fts_query(_DESCRIPTIONS)
        found = [
            select(index.rowid.label("id")).where(index.text.match(query))
            for index, query in ((_NAMES, names), (_DESCRIPTIONS, descriptions))
            if query is not None
        ]
        if not found:
            return select(literal(1)).where(false())
        return (
            select(literal(1))
            .select_from(Repository)
            .where(Repository.id.in_(union(*found)), self.visible)
            .limit(MATCH_LIMIT)
        )

    def _fts_ids(self, index: "_Fts") -> Indexed:
        if not self.term:  # every text contains it
            return true()
        query = yield from self._fts_query(index)
        if query is None:
            return false()
        return Repository.id.in_(select(index.rowid).where(index.text.match(query)))

    def _fts_query(self, index: "_Fts") -> Generator[Executable, Sequence[Any], str | None]:
        """The FTS5 query for the texts that contain the term; None when none can."""
        if len(self.term) >= _TRIGRAM:
            return _phrase(self.term)
        terms = yield select(index.terms).where(_starting(index.terms, self.term))
        trigrams = [row[0] for row in terms]
        return " OR ".join(_phrase(trigram) for trigram in trigrams) if trigrams else None


class _Fts:
    """One of migration 0006's FTS5 tables: its rowid, its one column as ``text`` (MATCH on
    the table's own name searches the whole row), and its trigrams (``terms``)."""

    def __init__(self, name: str) -> None:
        fts = table(name, column("rowid", Integer), column(name))
        self.rowid: ColumnElement[int] = fts.c.rowid
        self.text: ColumnElement[str] = fts.c[name]
        self.terms = table(f"{name}_terms", column("term", Text)).c.term


_NAMES = _Fts("repositories_search_names")
_DESCRIPTIONS = _Fts("repositories_search_descriptions")


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class _PostgresTexts(_Texts):
    def __init__(self, term: str) -> None:
        self.term = term
        # The term is written into the statement: planned for its own value, never once for
        # every term (a plan through the indexes reads all of them for a term they cannot
        # serve; a walk in name order reads the table for a term that matches few rows).
        self._value = literal(term, Text, literal_execute=True)
        full_name = func.lower(Repository.namespace + literal_column("'/'") + Repository.name)
        description = func.lower(Repository.description)
        self._texts = (full_name, description)
        self.in_name = func.strpos(full_name, self._value) > 0
        self.in_description = func.strpos(description, self._value) > 0
        self.lower_name = func.lower(Repository.name).collate("C")
        self.lower_namespace = func.lower(Repository.namespace).collate("C")

    def rank_of(self, columns: Any) -> tuple[ColumnElement[Any], ...]:
        return (
            columns.star_count.desc(),
            columns.pull_count.desc(),
            columns.namespace.collate("C"),
            columns.name.collate("C"),
        )

    def name_match(self) -> Callable[[], Indexed]:
        return _given(self._indexed(self._texts[0]))

    def description_match(self) -> Callable[[], Indexed]:
        return _given(self._indexed(self._texts[1]))

    def indexed_anywhere(self) -> Generator[Executable, Sequence[Any], Select]:
        matches = or_(
            and_(self._indexed(self._texts[0]), self.in_name),
            and_(self._indexed(self._texts[1]), self.in_description),
        )
        return select(literal(1)).where(matches, self.visible).limit(MATCH_LIMIT)
        yield  # a generator that needs no statement

    def _indexed(self, text: ColumnElement[str]) -> ColumnElement[bool]:
        """True for every text containing the term, from an index: pg_trgm's, exactly, where
        it makes a trigram of the term; else the texts with all its one- or two-character
        substrings (the rows still to be tested)."""
        if not self.term:  # every text contains it
            return true()
        if _PG_TRIGRAM.search(self.term):
            pattern = "%" + _like_escape(self.term) + "%"
            return text.like(literal(pattern, Text, literal_execute=True), escape="\\")
        if len(self.term) < 2:
            grams = [self.term]
        else:
            grams = sorted({self.term[i : i + 2] for i in range(len(self.term) - 1)})
        wanted = cast(array([literal(g, Text, literal_execute=True) for g in grams]), ARRAY(Text))
        return func.hubindex_search_grams(text).op("@>")(wanted)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
