"""Teams (Docker Hub's groups) of an organization, their members, their permissions on the
organization's repositories; and what an account may do with a repository through its
organizations, as SQL for the access decision to take in: :func:`granted` (its grants, one
row a source, for a union of sources), :func:`level` (the highest, one scalar expression),
:func:`readable` (the repositories it may read).

An account's level on a repository through organizations is the highest of: ``admin`` where
it is an owner or an editor of the organization whose name is the repository's namespace, and
each permission given to a team it is in. Levels are ranks in SQL (``RANKS``: read 1, write
2, admin 3), so that the highest is the greatest.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from server.errors import Conflict, NotFound
from server.services.access_tokens import aware
from server.services.organizations import REPOSITORY_MANAGERS
from server.storage.database import DatabaseSession
from server.storage.tables import (
    Organization,
    OrganizationMember,
    Repository,
    Team,
    TeamMember,
    TeamPermission,
    User,
)

LEVELS = ("read", "write", "admin")
RANKS = {level: rank for rank, level in enumerate(LEVELS, start=1)}

_orgs = Organization.__table__
_members = OrganizationMember.__table__
_repositories = Repository.__table__
_teams = Team.__table__
_team_members = TeamMember.__table__
_permissions = TeamPermission.__table__
_users = User.__table__
_RANK = case(RANKS, value=_permissions.c.permission, else_=0)
# Its own name, so that an outer query over ``repositories`` may be correlated with it.
_granted_repositories = _repositories.alias("granted_repositories")


def granted(
    account: ColumnElement[int] | int, repository: ColumnElement[int] | int | None = None
) -> CompoundSelect:
    """``(repository_id, rank)`` of every grant ``account`` has through its organizations (on
    ``repository`` alone, if given), one row a source: a repository may have several. A
    UNION ALL of one SELECT a source, to be a part of a larger union of sources."""
    managed, given = _sources(account, repository)
    return union_all(managed, given)


def level(
    account: ColumnElement[int] | int, repository: ColumnElement[int] | int
) -> ColumnElement[int]:
    """The rank (``RANKS``) of the highest level ``account`` has on ``repository`` through its
    organizations, 0 if none: one scalar expression, which may name the columns of an outer
    query (``repositories.id``) as well as values."""
    managed, given = _sources(account, repository)
    manages = func.coalesce(
        managed.with_only_columns(managed.selected_columns.rank).limit(1).scalar_subquery(), 0
    )
    team = func.coalesce(
        given.with_only_columns(func.max(given.selected_columns.rank)).scalar_subquery(), 0
    )
    return case((manages >= team, manages), else_=team)


def managed_namespace(
    account: ColumnElement[int] | int, namespace: ColumnElement[str] | str
) -> Select[Any]:
    """``rank`` ``admin``, one row, where ``account`` is an owner or an editor of the
    organization named ``namespace``: on each of its repositories, and on one it pushes
    there first (which does not exist yet, so :func:`granted` cannot name it)."""
    return (
        select(literal(RANKS["admin"]).label("rank"))
        .select_from(_members.join(_orgs, _orgs.c.id == _members.c.organization_id))
        .where(
            _members.c.user_id == account,
            _orgs.c.name == namespace,
            _members.c.role.in_([literal(str(role)) for role in REPOSITORY_MANAGERS]),
        )
    )


def readable(account: ColumnElement[int] | int) -> CompoundSelect:
    """The ids of the repositories ``account`` may read through its organizations (every
    level reads), for ``repositories.id IN (...)``."""
    managed, given = _sources(account, None)
    return union_all(
        managed.with_only_columns(managed.selected_columns.repository_id),
        given.with_only_columns(given.selected_columns.repository_id),
    )


def _sources(
    account: ColumnElement[int] | int, repository: ColumnElement[int] | int | None
) -> tuple[Select[Any], Select[Any]]:
    """The two sources of grants: the organization's owners and editors (``admin`` on each of
    its repositories), and the permissions of the teams ``account`` is in."""
    managed = (
        select(
            _granted_repositories.c.id.label("repository_id"), literal(RANKS["admin"]).label("rank")
        )
        .select_from(
            _members.join(_orgs, _orgs.c.id == _members.c.organization_id).join(
                _granted_repositories, _granted_repositories.c.namespace == _orgs.c.name
            )
        )
        .where(
            _members.c.user_id == account,
            _members.c.role.in_([literal(str(role)) for role in REPOSITORY_MANAGERS]),
        )
    )
    given = (
        select(_permissions.c.repository_id.label("repository_id"), _RANK.label("rank"))
        .select_from(
            _team_members.join(_permissions, _permissions.c.team_id == _team_members.c.team_id)
        )
        .where(_team_members.c.user_id == account)
    )
    if repository is not None:
        managed = managed.where(_granted_repositories.c.id == repository)
        given = given.where(_permissions.c.repository_id == repository)
    return managed, given


def level_name(rank: int | None) -> str | None:
    return None if not rank else LEVELS[rank - 1]


@dataclass(frozen=True, slots=True)
class TeamRecord:
    id: int
    uuid: str
    name: str
    description: str
    member_count: int


@dataclass(frozen=True, slots=True)
class TeamMemberRecord:
    user_id: int
    username: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class PermissionRecord:
    team_id: int
    team_name: str
    permission: str


_COUNTED = select(
    _teams.c.id,
    _teams.c.uuid,
    _teams.c.name,
    _teams.c.description,
    select(func.count())
    .where(_team_members.c.team_id == _teams.c.id)
    .scalar_subquery()
    .label("member_count"),
)
# Both dialects speak INSERT ... ON CONFLICT; each in its own construct.
_DIALECTS = {"sqlite": sqlite, "postgresql": postgresql}


class TeamService:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    def _dialect(self) -> Any:
        return _DIALECTS[self._session.get_bind().dialect.name]

    async def page(
        self, org_id: int, page: int, size: int, username: str | None = None
    ) -> tuple[int, list[TeamRecord]]:
        """The organization's teams by name (those ``username`` is in, if given)."""
        where = [_teams.c.organization_id == org_id]
        if username is not None:
            where.append(
                _teams.c.id.in_(
                    select(_team_members.c.team_id)
                    .join(_users, _users.c.id == _team_members.c.user_id)
                    .where(_users.c.username == username)
                )
            )
        count = await self._session.scalar(select(func.count()).select_from(_teams).where(*where))
        rows = await self._session.execute(
            _COUNTED.where(*where).order_by(_teams.c.name).limit(size).offset((page - 1) * size)
        )
        return count or 0, [TeamRecord(*row) for row in rows]

    async def get(self, org_id: int, name: str) -> TeamRecord:
        row = (
            await self._session.execute(
                _COUNTED.where(_teams.c.organization_id == org_id, _teams.c.name == name)
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"team {name} not found")
        return TeamRecord(*row)

    async def create(self, org_id: int, name: str, description: str) -> TeamRecord:
        try:
            await self._session.execute(
                insert(_teams).values(
                    uuid=str(uuid.uuid4()),
                    organization_id=org_id,
                    name=name,
                    description=description,
                    created_at=datetime.now(UTC),
                )
            )
        except IntegrityError:
            raise Conflict(f"the organization has a team {name} already") from None
        return await self.get(org_id, name)

    async def change(
        self, org_id: int, name: str, *, new_name: str | None, description: str | None
    ) -> TeamRecord:
        values = {
            key: value
            for key, value in (("name", new_name), ("description", description))
            if value is not None
        }
        team = await self.get(org_id, name)
        if values:
            try:
                await self._session.execute(
                    update(_teams).where(_teams.c.id == team.id).values(**values)
                )
            except IntegrityError:
                raise Conflict(f"the organization has a team {new_name} already") from None
        return await self.get(org_id, new_name or name)

    async def delete(self, org_id: int, name: str) -> None:
        removed = await self._session.execute(
            delete(_teams).where(_teams.c.organization_id == org_id, _teams.c.name == name)
        )
        if removed.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"team {name} not found")

    async def members_page(
        self, team_id: int, page: int, size: int
    ) -> tuple[int, list[TeamMemberRecord]]:
        of_team = _team_members.c.team_id == team_id
        count = await self._session.scalar(select(func.count()).where(of_team))
        rows = await self._session.execute(
            select(_users.c.id, _users.c.username, _team_members.c.joined_at)
            .select_from(_team_members.join(_users, _users.c.id == _team_members.c.user_id))
            .where(of_team)
            .order_by(_users.c.username)
            .limit(size)
            .offset((page - 1) * size)
        )
        return count or 0, [_team_member(row) for row in rows]

    async def add_member(self, org_id: int, team_id: int, username: str) -> TeamMemberRecord:
        """Add a member of the organization to its team; one in it already stays as it is."""
        user_id = await self._session.scalar(
            select(_members.c.user_id)
            .join(_users, _users.c.id == _members.c.user_id)
            .where(_members.c.organization_id == org_id, _users.c.username == username)
        )
        if user_id is None:
            raise NotFound(f"{username} is not a member of the organization")
        statement = (
            self._dialect()
            .insert(_team_members)
            .values(
                team_id=team_id,
                user_id=user_id,
                organization_id=org_id,
                joined_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["team_id", "user_id"])
        )
        try:
            await self._session.execute(statement)
        except IntegrityError:  # left the organization (or the team went) meanwhile
            raise NotFound(f"{username} is not a member of the organization") from None
        row = (
            await self._session.execute(
                select(_users.c.id, _users.c.username, _team_members.c.joined_at)
                .join(_users, _users.c.id == _team_members.c.user_id)
                .where(_team_members.c.team_id == team_id, _team_members.c.user_id == user_id)
            )
        ).one()
        return _team_member(row)

    async def remove_member(self, team_id: int, username: str) -> None:
        removed = await self._session.execute(
            delete(_team_members).where(
                _team_members.c.team_id == team_id,
                _team_members.c.user_id.in_(
                    select(_users.c.id).where(_users.c.username == username)
                ),
            )
        )
        if removed.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"{username} is not in the team")

    async def repository_id(self, namespace: str, name: str) -> int:
        found = await self._session.scalar(
            select(_repositories.c.id).where(
                _repositories.c.namespace == namespace, _repositories.c.name == name
            )
        )
        if found is None:
            raise NotFound(f"repository {namespace}/{name} not found")
        return int(found)

    async def permissions_page(
        self, repository_id: int, page: int, size: int
    ) -> tuple[int, list[PermissionRecord]]:
        of_repository = _permissions.c.repository_id == repository_id
        count = await self._session.scalar(select(func.count()).where(of_repository))
        rows = await self._session.execute(
            select(_teams.c.id, _teams.c.name, _permissions.c.permission)
            .select_from(_permissions.join(_teams, _teams.c.id == _permissions.c.team_id))
            .where(of_repository)
            .order_by(_teams.c.name)
            .limit(size)
            .offset((page - 1) * size)
        )
        return count or 0, [PermissionRecord(*row) for row in rows]

    async def grant(
        self, org_id: int, repository_id: int, team_id: int, permission: str
    ) -> PermissionRecord:
        """Give the organization's team ``permission`` on the repository (instead of any it
        had)."""
        team_name = await self._session.scalar(
            select(_teams.c.name).where(_teams.c.id == team_id, _teams.c.organization_id == org_id)
        )
        if team_name is None:
            raise NotFound(f"the organization has no team {team_id}")
        statement = (
            self._dialect()
            .insert(_permissions)
            .values(repository_id=repository_id, team_id=team_id, permission=permission)
        )
        statement = statement.on_conflict_do_update(
            index_elements=["repository_id", "team_id"], set_={"permission": permission}
        )
        try:
            await self._session.execute(statement)
        except IntegrityError:  # the team or the repository was deleted meanwhile
            raise NotFound(f"the organization has no team {team_id}") from None
        return PermissionRecord(team_id, team_name, permission)

    async def revoke(self, repository_id: int, team_id: int) -> None:
        removed = await self._session.execute(
            delete(_permissions).where(
                _permissions.c.repository_id == repository_id, _permissions.c.team_id == team_id
            )
        )
        if removed.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"team {team_id} has no permission on the repository")


def _team_member(row: Any) -> TeamMemberRecord:
    user_id, username, joined = row
    return TeamMemberRecord(user_id, username, aware(joined) or datetime.now(UTC))
