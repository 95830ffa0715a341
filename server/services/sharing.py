"""Who a repository is shared with: whether it is private, and its collaborators (accounts
granted ``write`` on it: they read and push, and may not delete it or change who collaborates).

Each change may change what a search finds for someone: it raises the search generation
(migration 0004) in its own transaction, as the triggers on ``repositories`` do for texts.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.auth import LIBRARY, Level, RepositoryName
from server.errors import InvalidRequest, NotFound
from server.storage.database import DatabaseSession
from server.storage.tables import Collaborator, Repository, SearchGeneration, User

_repositories = Repository.__table__
_users = User.__table__
_collaborators = Collaborator.__table__
_RAISE = update(SearchGeneration.__table__).values(
    generation=SearchGeneration.__table__.c.generation + 1
)

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


@dataclass(frozen=True, slots=True)
class CollaboratorPage:
    usernames: list[str]
    count: int


def _named(repository: RepositoryName):  # type: ignore[no-untyped-def]
    return and_(
        _repositories.c.namespace == repository.namespace,
        _repositories.c.name == repository.name,
    )


class Sharing:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    async def set_privacy(self, repository: RepositoryName, is_private: bool) -> None:
        changed = await self._session.execute(
            update(_repositories)
            .where(_named(repository), _repositories.c.is_private.is_not(is_private))
            .values(is_private=is_private)
        )
        if changed.rowcount:  # type: ignore[attr-defined]
            await self._session.execute(_RAISE)

    async def page(self, repository: RepositoryName, page: int, size: int) -> CollaboratorPage:
        """The repository's collaborators by username: page ``page`` of ``size``."""
        joined = _collaborators.join(_users, _users.c.id == _collaborators.c.user_id).join(
            _repositories, _repositories.c.id == _collaborators.c.repository_id
        )
        mine = _named(repository)
        count = await self._session.scalar(select(func.count()).select_from(joined).where(mine))
        rows = await self._session.execute(
            select(_users.c.username)
            .select_from(joined)
            .where(mine)
            .order_by(_users.c.username)
            .limit(size)
            .offset((page - 1) * size)
        )
        return CollaboratorPage([row[0] for row in rows], count or 0)

    async def add(self, repository: RepositoryName, username: str) -> None:
        """Make ``username`` a collaborator (again: no error); a 400 naming ``user`` when
        there is no such account or it owns the repository."""
        user_id = await self._session.scalar(
            select(_users.c.id).where(_users.c.username == username)
        )
        if user_id is None:
            raise InvalidRequest(f"body.user: no account {username}")
        if username == repository.namespace:
            raise InvalidRequest(f"body.user: {username} owns {repository}")
        if repository.namespace == LIBRARY:  # administrators' only (protocol.md)
            raise InvalidRequest(f"body.user: {repository} takes no collaborators")
        repository_id = await self._session.scalar(
            select(_repositories.c.id).where(_named(repository))
        )
        if repository_id is None:
            raise NotFound(f"repository {repository} not found")
        dialect = self._session.get_bind().dialect.name
        upsert = _INSERTS[dialect](_collaborators).on_conflict_do_nothing()
        added = await self._session.execute(
            upsert.values(
                repository_id=repository_id,
                user_id=user_id,
                level=int(Level.WRITE),
                created_at=datetime.now(UTC),
            )
        )
        if not added.rowcount:  # type: ignore[attr-defined]
            return  # a collaborator already
        await self._session.execute(_RAISE)

    async def remove(self, repository: RepositoryName, username: str) -> None:
        found = select(_repositories.c.id).where(_named(repository)).scalar_subquery()
        user = select(_users.c.id).where(_users.c.username == username).scalar_subquery()
        removed = await self._session.execute(
            delete(_collaborators).where(
                _collaborators.c.repository_id == found, _collaborators.c.user_id == user
            )
        )
        if removed.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"{username} is no collaborator of {repository}")
        await self._session.execute(_RAISE)
