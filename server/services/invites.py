"""Invitations to an organization (Docker Hub's invites), by Docker ID or email address.

An owner invites; the invitee accepts (becoming a member with the invited role, and a member
of the invited team, in one transaction) or declines. An invitation is pending for
:data:`LIFETIME` from its last sending; a resend sends it again and renews it. Cancelled,
declined and accepted invitations are deleted; an expired one is listed no more, cannot be
accepted, and gives way to a new invitation of the same invitee.

Each invitee is named once per organization: the table's keys refuse a second invitation of
the same text, or of the same account however it is named (its username, or a confirmed
address of it), so that two bulk requests racing cannot invite one account twice.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from server.errors import Conflict, NotFound
from server.services.access_tokens import aware
from server.services.organizations import OrgRole
from server.storage.database import DatabaseSession
from server.storage.tables import (
    Email,
    Organization,
    OrganizationInvite,
    OrganizationMember,
    Team,
    TeamMember,
    User,
)

_invites = OrganizationInvite.__table__
_orgs = Organization.__table__
_members = OrganizationMember.__table__
_teams = Team.__table__
_team_members = TeamMember.__table__
_users = User.__table__
_emails = Email.__table__

LIFETIME = timedelta(days=14)
# The most invitees one bulk request names (the spec's maxItems says the same).
MAX_BULK = 100

# Per-invitee statuses of a bulk request, as Docker Hub spells its own.
INVITED = "invited"
EXISTING_MEMBER = "existing_org_member"
ALREADY_INVITED = "already_invited"
INVALID = "invalid_email_or_docker_id"


@dataclass(frozen=True, slots=True)
class InviteRecord:
    uuid: str
    org_id: int
    org: str
    invitee: str
    user_id: int | None
    role: OrgRole
    team_id: int | None
    team: str | None
    inviter: str
    created_at: datetime
    expires_at: datetime

    @property
    def by_email(self) -> bool:
        return "@" in self.invitee

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a bulk request did (or, in a dry run, would do) for one invitee."""

    invitee: str
    status: str
    invite: InviteRecord | None = None


@dataclass(frozen=True, slots=True)
class _Target:
    invitee: str  # as stored: a username, or an address lower-cased
    user_id: int | None


class InviteService:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    async def bulk(
        self,
        org_id: int,
        invitees: Sequence[str],
        role: OrgRole,
        team_id: int | None,
        inviter: str,
        *,
        dry_run: bool,
    ) -> list[Outcome]:
        """Invite each of ``invitees`` in turn; each answers its status. A dry run decides the
        same and writes nothing."""
        now = datetime.now(UTC)
        members = await self._member_ids(org_id)
        pending = await self._pending_keys(org_id, now)
        outcomes = []
        for given in invitees:
            target = await self._target(given)
            if target is None:
                outcomes.append(Outcome(given, INVALID))
                continue
            if target.user_id is not None and target.user_id in members:
                outcomes.append(Outcome(given, EXISTING_MEMBER))
                continue
            keys = {target.invitee, target.user_id} - {None}
            if keys & pending:
                outcomes.append(Outcome(given, ALREADY_INVITED))
                continue
            pending |= keys
            if dry_run:
                outcomes.append(Outcome(given, INVITED))
                continue
            record = await self._insert(
                org_id, target, role=role, team_id=team_id, inviter=inviter, now=now
            )
            outcomes.append(Outcome(given, INVITED, record))
        return outcomes

    async def page(self, org_id: int, page: int, size: int) -> tuple[int, list[InviteRecord]]:
        """The organization's pending invitations, newest first: page ``page`` of ``size``,
        and how many."""
        now = datetime.now(UTC)
        pending = (_invites.c.organization_id == org_id) & (_invites.c.expires_at > now)
        count = await self._session.scalar(select(func.count()).where(pending))
        rows = (
            await self._session.execute(
                _select()
                .where(pending)
                .order_by(_invites.c.created_at.desc(), _invites.c.id.desc())
                .limit(size)
                .offset((page - 1) * size)
            )
        ).all()
        return count or 0, [_record(row) for row in rows]

    async def get(self, invite_id: str) -> InviteRecord:
        row = (await self._session.execute(_select().where(_invites.c.uuid == invite_id))).first()
        if row is None:
            raise NotFound(f"invite {invite_id} not found")
        return _record(row)

    async def delete(self, invite: InviteRecord) -> None:
        """Delete the invitation; NotFound if another request deleted it meanwhile (its
        cancellation, or its acceptance: on PostgreSQL the second waits for the first's row)."""
        deleted = await self._session.execute(
            delete(_invites).where(_invites.c.uuid == invite.uuid)
        )
        if deleted.rowcount == 0:
            raise NotFound(f"invite {invite.uuid} not found")

    async def renew(self, invite: InviteRecord) -> InviteRecord:
        """The invitation sent again now: pending for :data:`LIFETIME` from now."""
        now = datetime.now(UTC)
        await self._session.execute(
            update(_invites)
            .where(_invites.c.uuid == invite.uuid)
            .values(sent_at=now, expires_at=now + LIFETIME)
        )
        return await self.get(invite.uuid)

    async def addressed_to(self, invite: InviteRecord, user_id: int) -> bool:
        """Whether the account ``user_id`` is the invitee: the account it named, or, for an
        invitation by email, the account whose confirmed address it is now."""
        if invite.user_id == user_id:
            return True
        if not invite.by_email:
            return False
        found = await self._session.scalar(
            select(_emails.c.user_id).where(
                _emails.c.address == invite.invitee,
                _emails.c.confirmed.is_(True),
                _emails.c.user_id == user_id,
            )
        )
        return found is not None

    async def accept(self, invite: InviteRecord, user_id: int) -> None:
        """Make ``user_id`` a member with the invited role (and a member of the invited
        team), and delete the invitation: all in this transaction, or none of it. The
        invitation is deleted first, so that of two requests using it at once (an acceptance
        and a cancellation) one finds it gone."""
        await self.delete(invite)
        now = datetime.now(UTC)
        try:
            await self._session.execute(
                insert(_members).values(
                    organization_id=invite.org_id,
                    user_id=user_id,
                    role=str(invite.role),
                    joined_at=now,
                )
            )
        except IntegrityError:
            raise Conflict(
                f"you are a member of {invite.org} already; decline the invitation instead"
            ) from None
        if invite.team_id is not None:
            await self._session.execute(
                insert(_team_members).values(
                    team_id=invite.team_id,
                    user_id=user_id,
                    organization_id=invite.org_id,
                    joined_at=now,
                )
            )

    async def addresses(self, invite: InviteRecord) -> list[str]:
        """Where the invitation's mail goes: the address it names, or the confirmed
        addresses of the account it names (none: no mail)."""
        if invite.by_email:
            return [invite.invitee]
        rows = await self._session.scalars(
            select(_emails.c.address)
            .where(_emails.c.user_id == invite.user_id, _emails.c.confirmed.is_(True))
            .order_by(_emails.c.id)
        )
        return list(rows)

    async def _target(self, given: str) -> _Target | None:
        """The invitee ``given`` names, or None: neither an address nor an account's name."""
        text = given.strip()
        if "@" in text:
            try:
                address = validate_email(text, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                return None
            owner = await self._session.scalar(
                select(_emails.c.user_id).where(
                    _emails.c.address == address, _emails.c.confirmed.is_(True)
                )
            )
            return _Target(address, owner)
        found = await self._session.scalar(select(_users.c.id).where(_users.c.username == text))
        return None if found is None else _Target(text, int(found))

    async def _member_ids(self, org_id: int) -> set[int]:
        rows = await self._session.scalars(
            select(_members.c.user_id).where(_members.c.organization_id == org_id)
        )
        return set(rows)

    async def _pending_keys(self, org_id: int, now: datetime) -> set[str | int]:
        rows = await self._session.execute(
            select(_invites.c.invitee, _invites.c.user_id).where(
                _invites.c.organization_id == org_id, _invites.c.expires_at > now
            )
        )
        keys: set[str | int] = set()
        for invitee, user_id in rows:
            keys.add(invitee)
            if user_id is not None:
                keys.add(user_id)
        return keys

    async def _insert(
        self,
        org_id: int,
        target: _Target,
        *,
        role: OrgRole,
        team_id: int | None,
        inviter: str,
        now: datetime,
    ) -> InviteRecord:
        same = _invites.c.invitee == target.invitee
        if target.user_id is not None:
            same = or_(same, _invites.c.user_id == target.user_id)
        # An expired invitation of the same invitee gives way (a pending one was answered
        # already_invited above).
        await self._session.execute(
            delete(_invites).where(
                _invites.c.organization_id == org_id, same, _invites.c.expires_at <= now
            )
        )
        invite_id = str(uuid.uuid4())
        try:
            await self._session.execute(
                insert(_invites).values(
                    uuid=invite_id,
                    organization_id=org_id,
                    invitee=target.invitee,
                    user_id=target.user_id,
                    role=str(role),
                    team_id=team_id,
                    inviter=inviter,
                    created_at=now,
                    sent_at=now,
                    expires_at=now + LIFETIME,
                )
            )
        except IntegrityError:  # another request invited the same invitee meanwhile
            raise Conflict(f"{target.invitee} was invited meanwhile; try again") from None
        return await self.get(invite_id)


def _select() -> Select[Any]:
    return select(
        _invites.c.uuid,
        _invites.c.organization_id,
        _orgs.c.name.label("org"),
        _invites.c.invitee,
        _invites.c.user_id,
        _invites.c.role,
        _invites.c.team_id,
        _teams.c.name.label("team"),
        _invites.c.inviter,
        _invites.c.created_at,
        _invites.c.expires_at,
    ).select_from(
        _invites.join(_orgs, _orgs.c.id == _invites.c.organization_id).outerjoin(
            _teams, _teams.c.id == _invites.c.team_id
        )
    )


def _record(row: object) -> InviteRecord:
    m = row._mapping  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    return InviteRecord(
        uuid=m["uuid"],
        org_id=m["organization_id"],
        org=m["org"],
        invitee=m["invitee"],
        user_id=m["user_id"],
        role=OrgRole(m["role"]),
        team_id=m["team_id"],
        team=m["team"],
        inviter=m["inviter"],
        created_at=aware(m["created_at"]) or now,
        expires_at=aware(m["expires_at"]) or now,
    )
