"""Repository pages: descriptions, stars, pull counts and the lists Docker Hub's clients read.

A page is read in one statement. Lists take a viewer's test (server.services.permissions
.visible_to): a private repository is in them only for those who may read it. ``star_count``
is a column of the repository, kept in the transaction that stars or unstars, which also
raises the search generation (migration 0004): search shows star counts.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from server.auth import RepositoryName
from server.errors import Conflict, NotFound
from server.services.permissions import visible_to
from server.storage.database import DatabaseSession
from server.storage.tables import (
    Collaborator,
    Repository,
    RepositoryStar,
    SearchGeneration,
    User,
)

_repositories = Repository.__table__
_stars = RepositoryStar.__table__
_users = User.__table__
_collaborators = Collaborator.__table__
_RAISE = update(SearchGeneration.__table__).values(
    generation=SearchGeneration.__table__.c.generation + 1
)
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


@dataclass(frozen=True, slots=True)
class PageRecord:
    namespace: str
    name: str
    description: str
    full_description: str
    is_private: bool
    star_count: int
    pull_count: int
    last_updated: datetime
    date_registered: datetime
    collaborator_count: int = 0
    has_starred: bool = False


@dataclass(frozen=True, slots=True)
class PageList:
    records: list[PageRecord]
    count: int


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads: account ``user`` (0: anonymous), and whether the private repositories it is
    granted count (not with a ``repo:public_read`` access token)."""

    user: int = 0
    private: bool = True

    def visible(self) -> ColumnElement[bool]:
        return visible_to(self.user, private=self.private)


def _named(repository: RepositoryName) -> ColumnElement[bool]:
    return and_(
        _repositories.c.namespace == repository.namespace,
        _repositories.c.name == repository.name,
    )


_PULL_COUNT = _repositories.c.pull_count
_LAST_UPDATED = func.coalesce(_repositories.c.last_updated, _repositories.c.created_at).label(
    "last_updated"
)
_LISTED = (
    _repositories.c.namespace,
    _repositories.c.name,
    _repositories.c.description,
    _repositories.c.full_description,
    _repositories.c.is_private,
    _repositories.c.star_count,
    _PULL_COUNT,
    _LAST_UPDATED,
    _repositories.c.created_at,
)


def _record(row: Any, *, collaborators: int = 0, starred: bool = False) -> PageRecord:
    return PageRecord(
        namespace=row.namespace,
        name=row.name,
        description=row.description or "",
        full_description=row.full_description or "",
        is_private=bool(row.is_private),
        star_count=int(row.star_count or 0),
        pull_count=int(row.pull_count or 0),
        last_updated=_aware(row.last_updated),
        date_registered=_aware(row.created_at),
        collaborator_count=collaborators,
        has_starred=starred,
    )


def _aware(moment: datetime) -> datetime:
    """SQLite answers naive datetimes: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class RepositoryPages:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    async def info(self, repository: RepositoryName, user: int) -> PageRecord:
        """The repository's page for account ``user`` (0: anonymous); NotFound if there is
        none. Whether the caller may read it is decided before (server.auth.authorize)."""
        repository_id = _repositories.c.id
        collaborators = (
            select(func.count())
            .select_from(_collaborators)
            .where(_collaborators.c.repository_id == repository_id)
            .scalar_subquery()
        )
        starred = exists().where(_stars.c.repository_id == repository_id, _stars.c.user_id == user)
        statement = (
            select(*_LISTED, collaborators.label("collaborators"), starred.label("starred"))
            .select_from(_repositories)
            .where(_named(repository))
        )
        row = (await self._session.execute(statement)).first()
        if row is None:
            raise NotFound(f"repository {repository} not found")
        return _record(row, collaborators=int(row.collaborators), starred=bool(row.starred))

    async def page(
        self,
        namespace: str,
        viewer: Viewer,
        *,
        page: int,
        size: int,
        name: str | None = None,
        ordering: str = "name",
    ) -> PageList:
        """Page ``page`` of ``size`` of the namespace's repositories ``viewer`` may read,
        those whose name contains ``name`` (case-insensitive) where it is given."""
        conditions = [_repositories.c.namespace == namespace, viewer.visible()]
        if name:
            conditions.append(_contains(_repositories.c.name, name))
        descending = ordering.startswith("-")
        key = {
            "name": _repositories.c.name,
            "last_updated": _LAST_UPDATED,
            "pull_count": _PULL_COUNT,
        }[ordering.lstrip("-")]
        order = [key.desc() if descending else key.asc()]
        if key is not _repositories.c.name:
            order.append(_repositories.c.name.asc())
        return await self._listed(conditions, order, page, size, _repositories)

    async def starred(self, username: str, viewer: Viewer, *, page: int, size: int) -> PageList:
        """Page ``page`` of ``size`` of the repositories ``username`` starred that ``viewer``
        may read, most recently starred first."""
        holder = select(_users.c.id).where(_users.c.username == username).scalar_subquery()
        joined = _repositories.join(_stars, _stars.c.repository_id == _repositories.c.id)
        conditions = [_stars.c.user_id == holder, viewer.visible()]
        order = [_stars.c.starred_at.desc(), _repositories.c.id.desc()]
        return await self._listed(conditions, order, page, size, joined)

    async def _listed(
        self, conditions: list[ColumnElement[bool]], order: list[Any], page: int, size: int, joined
    ) -> PageList:  # type: ignore[no-untyped-def]
        count = await self._session.scalar(
            select(func.count()).select_from(joined).where(*conditions)
        )
        rows = await self._session.execute(
            select(*_LISTED)
            .select_from(joined)
            .where(*conditions)
            .order_by(*order)
            .limit(size)
            .offset((page - 1) * size)
        )
        return PageList([_record(row) for row in rows], int(count or 0))

    async def create(
        self,
        repository: RepositoryName,
        *,
        description: str,
        full_description: str,
        is_private: bool,
    ) -> None:
        """A new, empty repository; Conflict if one of that name exists."""
        dialect = self._session.get_bind().dialect.name
        created = await self._session.execute(
            _INSERTS[dialect](_repositories)
            .values(
                namespace=repository.namespace,
                name=repository.name,
                description=description,
                full_description=full_description,
                instance=secrets.randbits(62) or 1,  # as server.services.repositories draws it
                is_private=is_private,
            )
            .on_conflict_do_nothing(index_elements=["namespace", "name"])
            .execution_options(preserve_rowcount=True)
        )
        if not created.rowcount:  # type: ignore[attr-defined]
            raise Conflict(f"repository {repository} exists")

    async def describe(
        self,
        repository: RepositoryName,
        *,
        description: str | None,
        full_description: str | None,
    ) -> None:
        """Set either description or both (None: kept), and ``last_updated``."""
        values: dict[str, Any] = {"last_updated": datetime.now(UTC)}
        if description is not None:
            values["description"] = description
        if full_description is not None:
            values["full_description"] = full_description
        changed = await self._session.execute(
            update(_repositories)
            .where(_named(repository))
            .values(**values)
            .execution_options(preserve_rowcount=True)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            raise NotFound(f"repository {repository} not found")

    async def star(self, repository: RepositoryName, user: int) -> None:
        """Account ``user`` stars the repository (again: nothing changes)."""
        repository_id = await self._id(repository)
        dialect = self._session.get_bind().dialect.name
        added = await self._session.execute(
            _INSERTS[dialect](_stars)
            .values(repository_id=repository_id, user_id=user, starred_at=datetime.now(UTC))
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        if added.rowcount:  # type: ignore[attr-defined]
            await self._count_stars(repository_id, +1)

    async def unstar(self, repository: RepositoryName, user: int) -> None:
        repository_id = await self._id(repository)
        removed = await self._session.execute(
            delete(_stars)
            .where(_stars.c.repository_id == repository_id, _stars.c.user_id == user)
            .execution_options(preserve_rowcount=True)
        )
        if removed.rowcount:  # type: ignore[attr-defined]
            await self._count_stars(repository_id, -1)

    async def _count_stars(self, repository_id: int, change: int) -> None:
        await self._session.execute(
            update(_repositories)
            .where(_repositories.c.id == repository_id)
            .values(star_count=_repositories.c.star_count + change)
        )
        await self._session.execute(_RAISE)

    async def _id(self, repository: RepositoryName) -> int:
        found = await self._session.scalar(select(_repositories.c.id).where(_named(repository)))
        if found is None:
            raise NotFound(f"repository {repository} not found")
        return int(found)

    async def add_pulls(self, counts: dict[RepositoryName, int]) -> None:
        """Add ``counts`` to the repositories' pull counts (a repository gone meanwhile: its
        pulls with it), one update per repository, in name order (two processes' batches
        take their row locks alike on PostgreSQL). Neither announced on the change feed nor
        raising the search generation (migration 0019)."""
        for repository in sorted(counts, key=str):
            await self._session.execute(
                update(_repositories)
                .where(_named(repository))
                .values(pull_count=_repositories.c.pull_count + counts[repository])
            )


def _contains(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """Whether ``column`` contains ``text``, case-insensitively, ``%`` and ``_`` as they are."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


@dataclass(frozen=True, slots=True)
class Touched:
    """The statement that sets a repository's ``last_updated``, to run in the transaction of
    a push (server.services.repositories' ``also``)."""

    statement: Any
    parameters: dict[str, Any]


_TOUCH = (
    update(_repositories)
    .where(
        _repositories.c.namespace == bindparam("touched_namespace"),
        _repositories.c.name == bindparam("touched_name"),
    )
    .values(last_updated=bindparam("now", type_=_repositories.c.last_updated.type))
)


def touched(repository: RepositoryName) -> Touched:
    parameters = {"touched_namespace": repository.namespace, "touched_name": repository.name}
    return Touched(_TOUCH, {**parameters, "now": datetime.now(UTC)})
