"""``auditlogs.*``: an account's audit log (server.services.audit), as Docker Hub answers
it. A user reads their own, an organization's owners theirs, administrators any; to anyone
else the account is missing."""

from datetime import UTC, datetime

from generated import models
from server.auth import LIBRARY, Account
from server.errors import AuthenticationFailed, NotFound
from server.handlers.call import Call
from server.services.audit import GROUPS, Event, describe
from server.services.organizations import OrgRole


async def page(
    call: Call,
    *,
    account: str,
    action: str | None = None,
    name: str | None = None,
    actor: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
    page: int = 1,
    page_size: int = 25,
) -> models.AuditLogPage:
    since = await _readable(call, account)
    events = await call.services.audit.page(
        account,
        since=since,
        action=action,
        name=name,
        actor=actor,
        start=_utc(from_),
        end=_utc(to),
        page=page,
        page_size=page_size,
    )
    return models.AuditLogPage(logs=[_event(event) for event in events])


async def actions(call: Call, *, account: str) -> models.AuditActions:
    await _readable(call, account)
    return models.AuditActions(
        actions={
            group: models.AuditActionGroup(
                label=label,
                actions=[
                    models.AuditAction(
                        name=action.name, label=action.label, description=action.description
                    )
                    for action in listed
                ],
            )
            for group, (label, listed) in GROUPS.items()
        }
    )


async def _readable(call: Call, account: str) -> datetime | None:
    """Whether the caller may read ``account``'s log (NotFound if not, as for a missing
    account); the moment its log starts for the caller (None: from the first event kept)."""
    identity = call.identity
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    if identity.is_admin:  # every log, a former account's too
        return None
    missing = NotFound(f"account {account} not found")
    if account == LIBRARY:
        raise missing
    opened = await call.services.audit.opened(account)
    if opened is None:
        raise missing
    if identity.username == account:
        return opened
    try:
        standing = await call.services.organizations.standing(account, identity.user_id)
    except NotFound:
        raise missing from None
    if standing.role is not OrgRole.OWNER:
        raise missing
    return opened


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _event(event: Event) -> models.AuditLogEvent:
    return models.AuditLogEvent(
        account=event.account,
        action=event.action,
        name=event.name,
        actor=event.actor,
        data=event.data,
        timestamp=event.timestamp,
        action_description=describe(event),
    )
