"""``invites.*``: invitations to an organization (server.services.invites): made, listed,
cancelled and resent by its owners, as Docker Hub serves them; accepted or declined by the
invitee, beyond Hub."""

import uuid
from datetime import UTC, datetime

from generated import models
from server.auth import Account
from server.errors import AuthenticationFailed, NotFound, PermissionDenied
from server.handlers._audit import audited
from server.handlers._organizations import standing_of
from server.handlers.call import Call, Reply
from server.handlers.members import model as member_model
from server.handlers.paging import links
from server.services.invites import InviteRecord
from server.services.mail import Invitation
from server.services.organizations import OWNERS, OrgRole, permit


async def page(
    call: Call, *, org_name: str, page: int = 1, page_size: int = 10
) -> models.InvitePage:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "list its invitations", changes=False)
    count, invites = await call.services.invites.page(standing.org.id, page, page_size)
    following, preceding = links(call, f"/v2/orgs/{org_name}/invites", page, page_size, count)
    return models.InvitePage(
        count=count, next=following, previous=preceding, data=[_model(i) for i in invites]
    )


async def bulk(
    call: Call,
    *,
    body: models.InviteBulkRequest,
    x_analytics_client_feature: str | None = None,
) -> Reply:
    standing = await standing_of(call, body.org)
    account = permit(call.identity, standing, OWNERS, "invite members")
    team_id = None
    if body.team is not None:
        team_id = (await call.services.teams.get(standing.org.id, body.team)).id
    role = OrgRole(body.role or OrgRole.MEMBER)
    outcomes = await call.services.invites.bulk(
        standing.org.id,
        [invitee.root for invitee in body.invitees],
        role,
        team_id,
        account.username,
        dry_run=bool(body.dry_run),
    )
    answers = []
    for outcome in outcomes:
        invite = outcome.invite
        if invite is not None:
            await audited(
                call, body.org, "member.invite.send", name=invite.invitee, data=_details(invite)
            )
            await _mail_after_commit(call, invite)
        answers.append(
            models.InviteBulkStatus(
                invitee=outcome.invitee,
                status=models.InviteStatus(outcome.status),
                invite=None if invite is None else _model(invite),
            )
        )
    return Reply(202, models.InviteBulkResult(invitees=answers))


async def cancel(call: Call, *, id_: uuid.UUID) -> Reply:
    invite = await _managed(call, id_, "cancel invitations")
    await call.services.invites.delete(invite)
    await audited(call, invite.org, "member.invite.cancel", name=invite.invitee)
    return Reply(204)


async def resend(call: Call, *, id_: uuid.UUID) -> Reply:
    invite = await _managed(call, id_, "resend invitations")
    renewed = await call.services.invites.renew(invite)
    await audited(call, invite.org, "member.invite.resend", name=invite.invitee)
    await _mail_after_commit(call, renewed)
    return Reply(204)


async def accept(call: Call, *, id_: uuid.UUID) -> models.OrgMember:
    account, invite = await _addressed(call, id_, "accept invitations")
    if invite.expired(datetime.now(UTC)):
        raise NotFound(f"invite {invite.uuid} has expired")
    await call.services.invites.accept(invite, account.user_id)
    await audited(
        call, invite.org, "member.invite.accept", name=account.username, data=_details(invite)
    )
    return member_model(await call.services.organizations.member(invite.org_id, account.username))


async def decline(call: Call, *, id_: uuid.UUID) -> Reply:
    account, invite = await _addressed(call, id_, "decline invitations")
    await call.services.invites.delete(invite)
    await audited(call, invite.org, "member.invite.decline", name=account.username)
    return Reply(204)


async def _managed(call: Call, invite_id: uuid.UUID, what: str) -> InviteRecord:
    """The invitation, if the caller is an owner of its organization (or an administrator),
    signed in with the account's password."""
    invite = await call.services.invites.get(str(invite_id))
    standing = await standing_of(call, invite.org)
    permit(call.identity, standing, OWNERS, what)
    return invite


async def _addressed(call: Call, invite_id: uuid.UUID, what: str) -> tuple[Account, InviteRecord]:
    """The caller and the invitation, if it is addressed to the caller (an administrator is
    no invitee), signed in with the account's password."""
    identity = call.identity
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    identity.limit_to_password(what)
    invite = await call.services.invites.get(str(invite_id))
    if not await call.services.invites.addressed_to(invite, identity.user_id):
        raise PermissionDenied("the invitation is for another account")
    return identity, invite


async def _mail_after_commit(call: Call, invite: InviteRecord) -> None:
    """Mail the invitee once the invitation is committed. The path to accept comes from
    configuration, never from the request's ``Host``."""
    addresses = await call.services.invites.addresses(invite)
    base = str(call.settings.public_url or "").rstrip("/")
    invitation = Invitation(
        organization=invite.org,
        inviter=invite.inviter,
        role=str(invite.role),
        team=invite.team,
        accept=f"{base}/v2/invites/{invite.uuid}/accept",
        expires_at=invite.expires_at.isoformat(),
    )
    mailer = call.services.mailer
    for address in addresses:
        call.after_commit(lambda address=address: mailer.send_invitation(address, invitation))


def _details(invite: InviteRecord) -> dict[str, str]:
    details = {"role": str(invite.role)}
    if invite.team is not None:
        details["team"] = invite.team
    return details


def _model(invite: InviteRecord) -> models.Invite:
    return models.Invite(
        id=uuid.UUID(invite.uuid),
        inviter_username=invite.inviter,
        invitee=invite.invitee,
        org=invite.org,
        team=invite.team,
        role=models.OrgRole(str(invite.role)),
        created_at=invite.created_at,
        expires_at=invite.expires_at,
    )
