"""What the access decision (server.auth.authorize) needs of one repository for one caller,
read in one statement: whether the repository exists, whether it is private, and the highest
level the caller's grants give on it.

A grant comes from one of :data:`SOURCES`, each a :class:`GrantSource`: the levels it grants an
account on one repository (rows of one column, ``level``), and the ids of the repositories it
grants that account at least ``read`` on (for search and the parent-layer check). The granted
level is the greatest of every source's rows; the readable set is the union of every source's
ids. An organization's owners and editors, and its teams, are one more source
(server.services.teams): neither the statements nor the decision change for it.

Administrators hold ``admin`` everywhere: a source of its own for the level, and a test of its
own for what they may read (every repository, so no set of ids).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    union,
    union_all,
)

from server.auth import LIBRARY, Level, RepositoryName, Standing
from server.services import org_access_tokens, teams
from server.storage.database import DatabaseSession
from server.storage.prepared import plain_read, prepared
from server.storage.tables import Collaborator, Repository, User

_repositories = Repository.__table__
_users = User.__table__
_collaborators = Collaborator.__table__

# A source's level query for ``user`` on ``namespace``/``name`` (its rows: one ``level``
# column), and its readable query for ``user`` (its rows: repository ids).
LevelQuery = Callable[[ColumnElement[int], ColumnElement[str], ColumnElement[str]], Select]
ReadableQuery = Callable[[ColumnElement[int]], Select]


@dataclass(frozen=True, slots=True)
class GrantSource:
    """One way an account is granted a level on repositories."""

    name: str
    level: LevelQuery
    readable: ReadableQuery


def _owner_level(
    user: ColumnElement[int], namespace: ColumnElement[str], _name: ColumnElement[str]
) -> Select:
    """The account whose username is the namespace holds ``admin`` on it (``library`` is no
    one's: administrators only)."""
    return select(literal(int(Level.ADMIN)).label("level")).where(
        _users.c.id == user, _users.c.username == namespace, namespace != LIBRARY
    )


def _owner_readable(user: ColumnElement[int]) -> Select:
    username = select(_users.c.username).where(_users.c.id == user).scalar_subquery()
    return select(_repositories.c.id).where(_repositories.c.namespace == username)


def _collaborator_level(
    user: ColumnElement[int], namespace: ColumnElement[str], name: ColumnElement[str]
) -> Select:
    joined = _collaborators.join(
        _repositories, _repositories.c.id == _collaborators.c.repository_id
    )
    return (
        select(_collaborators.c.level.label("level"))
        .select_from(joined)
        .where(
            _collaborators.c.user_id == user,
            _repositories.c.namespace == namespace,
            _repositories.c.name == name,
        )
    )


def _collaborator_readable(user: ColumnElement[int]) -> Select:
    return select(_collaborators.c.repository_id).where(
        _collaborators.c.user_id == user, _collaborators.c.level >= int(Level.READ)
    )


def _organization_level(
    user: ColumnElement[int], namespace: ColumnElement[str], name: ColumnElement[str]
) -> Select:
    """What ``user`` is granted through organizations (server.services.teams): ``admin`` as an
    owner or editor of the namespace's organization, and its teams' permissions."""
    repository = select(_repositories.c.id).where(
        _repositories.c.namespace == namespace, _repositories.c.name == name
    )
    given = teams.granted(user, repository.scalar_subquery()).subquery("organization_grants")
    grants = union_all(teams.managed_namespace(user, namespace), select(given.c.rank)).subquery(
        "organization_levels"
    )
    return select(grants.c.rank.label("level"))


def _organization_readable(user: ColumnElement[int]) -> Select:
    ids = teams.readable(user).subquery("organization_readable")
    return select(ids.c.repository_id)


OWNER = GrantSource("owner", _owner_level, _owner_readable)
COLLABORATORS = GrantSource("collaborators", _collaborator_level, _collaborator_readable)
ORGANIZATIONS = GrantSource("organizations", _organization_level, _organization_readable)
SOURCES: tuple[GrantSource, ...] = (OWNER, COLLABORATORS, ORGANIZATIONS)


def _admin_level(
    user: ColumnElement[int], _namespace: ColumnElement[str], _name: ColumnElement[str]
) -> Select:
    return select(literal(int(Level.ADMIN)).label("level")).where(
        _users.c.id == user, _users.c.is_admin.is_(True)
    )


def granted_level(
    user: ColumnElement[int], namespace: ColumnElement[str], name: ColumnElement[str]
) -> ColumnElement[int]:
    """The highest level any source grants ``user`` on ``namespace/name`` (NULL: none)."""
    levels = union_all(
        _admin_level(user, namespace, name),
        *(source.level(user, namespace, name) for source in SOURCES),
    ).subquery("levels")
    return select(func.max(levels.c.level)).scalar_subquery()


def readable_ids(user: ColumnElement[int]) -> Select:
    """The ids of the repositories ``user`` is granted at least ``read`` on (administrators'
    every repository excepted: see :func:`visible_to`)."""
    return union(*(source.readable(user) for source in SOURCES))  # type: ignore[return-value]


def visible_to(user: int | None, *, private: bool = True) -> ColumnElement[bool]:
    """A test of a repository row: whether account ``user`` (None: anonymous) may read it;
    ``private``: whether its private repositories count (False: a ``repo:public_read`` access
    token's view). Both subqueries are uncorrelated: each database evaluates them once per
    statement (a hashed set), not per row."""
    public = not_(_repositories.c.is_private)
    if not user or not private:
        return public
    account = literal(user)
    is_admin = exists().where(_users.c.id == account, _users.c.is_admin.is_(True))
    return or_(public, is_admin, _repositories.c.id.in_(readable_ids(account)))


def visible_to_org_token(token: str) -> ColumnElement[bool]:
    """A test of a repository row: whether the organization access token of uuid ``token``
    may read it (public, or one of its resources' while it is active and unexpired). Its
    subquery, the token's paths, is uncorrelated, as :func:`visible_to`'s: a hashed set of
    the resources' rows, no lookup of repositories; a private row's path is tested in it."""
    paths = org_access_tokens.readable_paths(token, datetime.now(UTC))
    path = _repositories.c.namespace + "/" + _repositories.c.name
    return or_(not_(_repositories.c.is_private), path.in_(paths))


def public_only(user: int | None, private: bool) -> bool:
    """Whether :func:`visible_to` sees what anonymous callers see (one answer serves all)."""
    return not user or not private


_NAMESPACE, _NAME, _USER = bindparam("namespace"), bindparam("name"), bindparam("user")
_named = and_(_repositories.c.namespace == _NAMESPACE, _repositories.c.name == _NAME)
_STANDING = plain_read(
    prepared(
        select(
            select(_repositories.c.is_private).where(_named).scalar_subquery(),
            granted_level(_USER, _NAMESPACE, _NAME),
        )
    )
)


class Permissions:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    async def standing(self, user: int, repository: RepositoryName) -> Standing:
        """What the decision needs of ``repository`` for account ``user`` (0: anonymous), as
        the database holds it now, in one statement."""
        parameters = {"namespace": repository.namespace, "name": repository.name, "user": user}
        is_private, level = (await self._session.execute(_STANDING, parameters)).one()
        granted = Level(level) if level else Level.NONE
        return Standing(is_private is not None, bool(is_private), granted)

    async def org_token_standing(self, token: str, repository: RepositoryName) -> Standing:
        """What the decision needs of ``repository`` for the organization access token of uuid
        ``token``: the level its resources give (server.services.org_access_tokens)."""
        parameters = {
            "namespace": repository.namespace,
            "name": repository.name,
            "path": str(repository),
            "token": token,
            "now": datetime.now(UTC),
        }
        row = await self._session.execute(org_access_tokens.STANDING, parameters)
        is_private, level = row.one()
        granted = Level(level) if level else Level.NONE
        return Standing(is_private is not None, bool(is_private), granted)
