"""Organizations and their members: created by an administrator, each member with a role.

An organization's name is a namespace, as a user's is: the ``namespaces`` table holds both, so
its key refuses a name taken either way however two creations race (migration 0012). Roles:
``owner`` (manages the organization, its members and teams; ``admin`` on each of its
repositories), ``editor`` (``admin`` on each of its repositories, and sets its teams'
permissions on them) and ``member`` (what its teams are given: server.services.teams). An
organization keeps one owner at least: a change that would leave none is refused, decided
under a lock on the organization's row so that two owners demoting each other cannot both
succeed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.auth import LIBRARY, Account, Identity
from server.errors import AuthenticationFailed, Conflict, InvalidRequest, NotFound, PermissionDenied
from server.services.access_tokens import aware
from server.storage.database import DatabaseSession
from server.storage.tables import (
    Namespace,
    Organization,
    OrganizationMember,
    Repository,
    Team,
    TeamMember,
    User,
)

_orgs = Organization.__table__
_namespaces = Namespace.__table__
_members = OrganizationMember.__table__
_users = User.__table__
_teams = Team.__table__
_team_members = TeamMember.__table__
_repositories = Repository.__table__


class OrgRole(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    MEMBER = "member"


# Who may do what to an organization, by the caller's role in it; administrators may all.
READERS = frozenset(OrgRole)
OWNERS = frozenset({OrgRole.OWNER})
REPOSITORY_MANAGERS = frozenset({OrgRole.OWNER, OrgRole.EDITOR})


@dataclass(frozen=True, slots=True)
class OrgRecord:
    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Standing:
    """An organization, and the caller's role in it (None: not a member)."""

    org: OrgRecord
    role: OrgRole | None


@dataclass(frozen=True, slots=True)
class MemberRecord:
    user_id: int
    username: str
    role: OrgRole
    joined_at: datetime
    teams: tuple[str, ...]


def permit(
    identity: Identity,
    standing: Standing,
    allowed: frozenset[OrgRole],
    what: str,
    *,
    changes: bool = True,
) -> Account:
    """The caller, if its role in the organization is one of ``allowed`` or it is an
    administrator. A change takes the account's password: a signed token got with a personal
    access token may only read."""
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    if changes:
        identity.limit_to_password(what)
    if identity.is_admin or standing.role in allowed:
        return identity
    if standing.role is None:
        raise PermissionDenied(f"{identity.username} is not a member of {standing.org.name}")
    raise PermissionDenied(f"a {standing.role} of {standing.org.name} may not {what}")


class OrganizationService:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    async def create(self, name: str, owner: str) -> OrgRecord:
        if name == LIBRARY:
            raise InvalidRequest(f"orgname: {name!r} is reserved")
        owner_id = await self._user_id(owner)
        now = datetime.now(UTC)
        try:
            org_id = (
                await self._session.execute(
                    insert(_orgs).values(name=name, created_at=now).returning(_orgs.c.id)
                )
            ).scalar_one()
            await self._session.execute(
                insert(_namespaces).values(name=name, user_id=None, organization_id=org_id)
            )
        except IntegrityError:
            raise Conflict(f"{name} is taken") from None
        await self._session.execute(
            insert(_members).values(
                organization_id=org_id, user_id=owner_id, role=str(OrgRole.OWNER), joined_at=now
            )
        )
        return OrgRecord(org_id, name, now)

    async def standing(self, name: str, user_id: int | None) -> Standing:
        """The organization ``name`` and the role of the account ``user_id`` in it."""
        row = (
            await self._session.execute(
                select(_orgs.c.id, _orgs.c.name, _orgs.c.created_at, _members.c.role)
                .select_from(
                    _orgs.outerjoin(
                        _members,
                        (_members.c.organization_id == _orgs.c.id)
                        & (_members.c.user_id == (user_id or 0)),
                    )
                )
                .where(_orgs.c.name == name)
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"organization {name} not found")
        org = OrgRecord(row.id, row.name, aware(row.created_at) or datetime.now(UTC))
        return Standing(org, None if row.role is None else OrgRole(row.role))

    async def page(self, org_id: int, page: int, size: int) -> tuple[int, list[MemberRecord]]:
        """The organization's members by username: page ``page`` of ``size``, and how many."""
        of_org = _members.c.organization_id == org_id
        count = await self._session.scalar(select(func.count()).where(of_org))
        rows = (
            await self._session.execute(
                select(_users.c.id, _users.c.username, _members.c.role, _members.c.joined_at)
                .select_from(_members.join(_users, _users.c.id == _members.c.user_id))
                .where(of_org)
                .order_by(_users.c.username)
                .limit(size)
                .offset((page - 1) * size)
            )
        ).all()
        teams = await self._teams_of(org_id, [row.id for row in rows])
        return count or 0, [_member(row, teams.get(row.id, ())) for row in rows]

    async def member(self, org_id: int, username: str) -> MemberRecord:
        row = (
            await self._session.execute(
                select(_users.c.id, _users.c.username, _members.c.role, _members.c.joined_at)
                .select_from(_members.join(_users, _users.c.id == _members.c.user_id))
                .where(_members.c.organization_id == org_id, _users.c.username == username)
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"{username} is not a member of the organization")
        teams = await self._teams_of(org_id, [row.id])
        return _member(row, teams.get(row.id, ()))

    async def add(self, org_id: int, username: str, role: OrgRole) -> MemberRecord:
        user_id = await self._user_id(username)
        try:
            await self._session.execute(
                insert(_members).values(
                    organization_id=org_id,
                    user_id=user_id,
                    role=str(role),
                    joined_at=datetime.now(UTC),
                )
            )
        except IntegrityError:
            raise Conflict(f"{username} is a member already") from None
        return await self.member(org_id, username)

    async def set_role(self, org_id: int, username: str, role: OrgRole) -> MemberRecord:
        await self._lock(org_id)
        member = await self.member(org_id, username)
        await self._session.execute(
            update(_members)
            .where(_members.c.organization_id == org_id, _members.c.user_id == member.user_id)
            .values(role=str(role))
        )
        await self._keep_an_owner(org_id)
        return await self.member(org_id, username)

    async def remove(self, org_id: int, username: str) -> None:
        await self._lock(org_id)
        member = await self.member(org_id, username)
        # Its teams' rows go with it (team_members references organization_members).
        await self._session.execute(
            delete(_members).where(
                _members.c.organization_id == org_id, _members.c.user_id == member.user_id
            )
        )
        await self._keep_an_owner(org_id)

    async def delete(self, org_id: int, name: str) -> None:
        """Delete the organization with its members, teams, teams' permissions and access
        tokens (their rows reference it, on delete cascade), and free its name; Conflict while
        it holds repositories: a name freed with repositories under it would hand them to
        whoever takes it next."""
        await self._lock(org_id)
        held = await self._session.scalar(
            select(func.count()).where(_repositories.c.namespace == name)
        )
        if held:
            raise Conflict(f"{name} holds {held} repositories; delete them first")
        await self._session.execute(delete(_orgs).where(_orgs.c.id == org_id))

    async def _lock(self, org_id: int) -> None:
        """Hold the organization's row until the transaction ends (PostgreSQL; SQLite's write
        lock serialises writers already), so that owner counts are decided one at a time."""
        await self._session.execute(
            select(_orgs.c.id).where(_orgs.c.id == org_id).with_for_update()
        )

    async def _keep_an_owner(self, org_id: int) -> None:
        owners = await self._session.scalar(
            select(func.count()).where(
                _members.c.organization_id == org_id, _members.c.role == str(OrgRole.OWNER)
            )
        )
        if not owners:
            raise Conflict("an organization keeps one owner at least")

    async def _user_id(self, username: str) -> int:
        found = await self._session.scalar(select(_users.c.id).where(_users.c.username == username))
        if found is None:
            raise NotFound(f"user {username} not found")
        return int(found)

    async def _teams_of(self, org_id: int, user_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        ids = list(user_ids)
        if not ids:
            return {}
        rows = await self._session.execute(
            select(_team_members.c.user_id, _teams.c.name)
            .select_from(_team_members.join(_teams, _teams.c.id == _team_members.c.team_id))
            .where(_team_members.c.organization_id == org_id, _team_members.c.user_id.in_(ids))
            .order_by(_teams.c.name)
        )
        teams: dict[int, list[str]] = {}
        for user_id, name in rows:
            teams.setdefault(user_id, []).append(name)
        return {user_id: tuple(names) for user_id, names in teams.items()}


def _member(row: object, teams: tuple[str, ...]) -> MemberRecord:
    user_id, username, role, joined = row  # type: ignore[misc]
    return MemberRecord(user_id, username, OrgRole(role), aware(joined) or datetime.now(UTC), teams)


async def last_owned(session: DatabaseSession, user_id: int) -> list[str]:
    """The organizations ``user_id`` is the one owner of, by name, their rows locked until the
    transaction ends (as :meth:`OrganizationService._lock`), so that no other owner leaves
    them meanwhile: an account's deletion is refused while there are any."""
    owner = str(OrgRole.OWNER)
    owned = (
        select(_orgs.c.id, _orgs.c.name)
        .select_from(_orgs.join(_members, _members.c.organization_id == _orgs.c.id))
        .where(_members.c.user_id == user_id, _members.c.role == owner)
        .order_by(_orgs.c.name)
    )
    rows = (await session.execute(owned.with_for_update(of=_orgs))).all()
    last = []
    for org_id, name in rows:
        others = await session.scalar(
            select(func.count()).where(
                _members.c.organization_id == org_id,
                _members.c.role == owner,
                _members.c.user_id != user_id,
            )
        )
        if not others:
            last.append(name)
    return last
