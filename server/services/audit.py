"""The audit log: what changed in an account, who changed it and when.

An event is written in the transaction of the change it records, as the webhook outbox's
deliveries are (server.services.webhook_outbox): what is acknowledged has its event, what is
refused or rolled back has none. A service that writes through the request's unit of work
calls :meth:`AuditLog.record` there; a write that runs its own list of statements (a push, a
repository's creation or deletion, which may run on SQLite's writer thread) is handed
:func:`recorded`'s statement to run with its own.

Every action hubindex records is listed in :data:`GROUPS`, in one place; ``record`` refuses a
name that is not there. Hub's names are kept where Hub has the event (``repo.tag.push``,
``team.member.add``, ``member.role.change``...); those beyond Hub follow its pattern.
"""

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)

from server.storage.database import DatabaseSession
from server.storage.prepared import prepared
from server.storage.tables import AuditEvent, Organization, Repository, User

_events = AuditEvent.__table__
_users = User.__table__
_orgs = Organization.__table__
_repositories = Repository.__table__
_AT = _events.c.created_at.type


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    label: str
    description: str


# group: (label, actions). The names are what the log's ``action`` holds and its ``action``
# filter takes.
GROUPS: Mapping[str, tuple[str, tuple[Action, ...]]] = {
    "repo": (
        "Repository",
        (
            Action("repo.create", "Repository Created", "A repository was created."),
            Action("repo.delete", "Repository Deleted", "A repository was deleted."),
            Action(
                "repo.change_privacy",
                "Privacy Changed",
                "A repository was made private or public.",
            ),
            Action(
                "repo.tag.push",
                "Tag Pushed",
                "A push changed a repository's image list (its tag named).",
            ),
            Action("repo.tag.delete", "Tag Deleted", "A tag of a repository was deleted."),
            Action("repo.update", "Repository Updated", "A repository's descriptions changed."),
            Action(
                "repo.collaborator.add",
                "Collaborator Added",
                "A user was given access to a repository as a collaborator.",
            ),
            Action(
                "repo.collaborator.remove",
                "Collaborator Removed",
                "A collaborator's access to a repository was removed.",
            ),
            Action(
                "repo.team_permission.change",
                "Team Permission Changed",
                "A team was given a permission on a repository, or its permission changed.",
            ),
            Action(
                "repo.team_permission.remove",
                "Team Permission Removed",
                "A team's permission on a repository was removed.",
            ),
            Action("repo.webhook.create", "Webhook Created", "A webhook was created."),
            Action("repo.webhook.delete", "Webhook Deleted", "A webhook was deleted."),
            Action("repo.webhook.hook.create", "Hook Added", "A hook was added to a webhook."),
            Action("repo.webhook.hook.update", "Hook Updated", "A webhook's hook was changed."),
            Action("repo.webhook.hook.delete", "Hook Deleted", "A webhook's hook was removed."),
        ),
    ),
    "org": (
        "Organization",
        (
            Action("org.create", "Organization Created", "An organization was created."),
            Action("member.add", "Organization Member Added", "A member was added."),
            Action("member.remove", "Organization Member Removed", "A member was removed."),
            Action("member.role.change", "Member Role Changed", "A member's role changed."),
            Action("member.invite.send", "Org Member Invited", "A user was invited to join."),
            Action("member.invite.resend", "Invitation Resent", "An invitation was sent again."),
            Action("member.invite.cancel", "Invitation Cancelled", "An invitation was cancelled."),
            Action(
                "member.invite.accept",
                "Invitation Accepted",
                "An invitee accepted and joined (with the invited role and team).",
            ),
            Action("member.invite.decline", "Invitation Declined", "An invitee declined."),
            Action("team.create", "Team Created", "A team was created."),
            Action("team.update", "Team Updated", "A team's name or description changed."),
            Action("team.delete", "Team Deleted", "A team was deleted."),
            Action("team.member.add", "Team Member Added", "A member was added to a team."),
            Action(
                "team.member.remove", "Team Member Removed", "A member was removed from a team."
            ),
        ),
    ),
    "account": (
        "Account",
        (
            Action(
                "login.success",
                "Signed In",
                "A password or access token was exchanged for a token (v2 sign-in or docker"
                " login).",
            ),
            Action(
                "login.failure",
                "Sign-in Failed",
                "A wrong password was given for the account (at most a few per window).",
            ),
            Action("access_token.create", "Access Token Created", "An access token was made."),
            Action(
                "access_token.update",
                "Access Token Updated",
                "An access token was renamed, activated or deactivated.",
            ),
            Action("access_token.delete", "Access Token Deleted", "An access token was deleted."),
            Action("user.create", "Account Created", "The operator created the account."),
            Action("user.enable", "Account Enabled", "The operator enabled the account."),
            Action("user.disable", "Account Disabled", "The operator disabled the account."),
            Action("user.delete", "Account Deleted", "The operator deleted the account."),
            Action(
                "user.password.change",
                "Password Set",
                "The operator set the account's password.",
            ),
        ),
    ),
}
# The actor of what an operator's ``hubindex`` command changes: no account did it, and no
# username can be this one (a username has no ``-``).
OPERATOR = "hubindex-operator"

_LABELS = {action.name: action.label for _label, actions in GROUPS.values() for action in actions}
ACTIONS: frozenset[str] = frozenset(_LABELS)

# Failed logins: at most this many events per account within the login-failure window. The
# throttle (server.services.logins) counts every failure in its own table; the log only
# shows that they happened, so that wrong passwords sent by a stranger cannot fill it.
FAILED_LOGINS_PER_WINDOW = 10


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    account: str
    action: str
    name: str
    actor: str
    data: dict[str, str]
    timestamp: datetime


# How an event is told in words (``action_description``): its name and data fill the blanks.
_TOLD: Mapping[str, str] = {
    "repo.create": "created the repository {name}",
    "repo.delete": "deleted the repository {name}",
    "repo.change_privacy": "set the repository {name} private: {is_private}",
    "repo.tag.push": "pushed the tag {tag} to the repository {name}",
    "repo.tag.delete": "deleted the tag {tag} of the repository {name}",
    "repo.update": "changed the descriptions of the repository {name}",
    "repo.collaborator.add": "added {collaborator} as a collaborator of {name}",
    "repo.collaborator.remove": "removed {collaborator} as a collaborator of {name}",
    "repo.team_permission.change": "gave the team {team} {permission} on {name}",
    "repo.team_permission.remove": "took the permission of team {team_id} on {name} away",
    "org.create": "created the organization {name}",
    "member.add": "added {name} to the organization as {role}",
    "member.remove": "removed {name} from the organization",
    "member.role.change": "made {name} {role} of the organization",
    "team.create": "created the team {name}",
    "team.update": "changed the team {name}",
    "team.delete": "deleted the team {name}",
    "team.member.add": "added {name} to the team {team}",
    "team.member.remove": "removed {name} from the team {team}",
    "login.success": "signed in from {address}",
    "login.failure": "a wrong password was given from {address}",
}


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(event: "Event") -> str:
    """The event in words, as Hub's ``action_description``."""
    told = _TOLD.get(event.action)
    if told is None:
        return f"{_LABELS.get(event.action, event.action)}: {event.name}"
    return told.format_map(_Blank({**event.data, "name": event.name}))


@dataclass(frozen=True, slots=True)
class Recorded:
    """A statement and its parameters, for a write that runs its own (AlsoWritten of
    server.services.repositories)."""

    statement: Any
    parameters: dict[str, Any]


# Prepared (server.storage.prepared): a push that writes runs it, on the driver itself.
_INSERT = prepared(
    insert(_events).values(
        account=bindparam("account"),
        action=bindparam("action"),
        name=bindparam("name"),
        actor=bindparam("actor"),
        data=bindparam("data"),
        created_at=bindparam("at", type_=_AT),
    )
)

# A failed login's event, unless the account has had FAILED_LOGINS_PER_WINDOW since :since.
_recent_failures = (
    select(func.count())
    .select_from(_events)
    .where(
        _events.c.account == bindparam("account"),
        _events.c.created_at > bindparam("since", type_=_AT),
        _events.c.action == "login.failure",
    )
    .scalar_subquery()
)
_INSERT_FAILURE = insert(_events).from_select(
    ["account", "action", "name", "actor", "data", "created_at"],
    select(
        bindparam("account", type_=String),
        literal("login.failure", String),
        bindparam("account", type_=String),
        bindparam("actor", type_=String),
        bindparam("data", type_=Text),
        bindparam("at", type_=_AT),
    ).where(_recent_failures < bindparam("cap", type_=Integer)),
)
_COLUMN_NAMES = ["account", "action", "name", "actor", "data", "created_at"]


def _row(action: Any = None) -> list[Any]:
    return [
        bindparam("account", type_=String),
        bindparam("action", type_=String) if action is None else action,
        bindparam("name", type_=String),
        bindparam("actor", type_=String),
        bindparam("data", type_=Text),
        bindparam("at", type_=_AT),
    ]


# A repository's creation: its event if the upsert that ran before it in its transaction
# made the repository, which then holds the instance it drew (one that existed, or that a
# concurrent creation made first, holds its own).
_INSERT_IF_CREATED = insert(_events).from_select(
    _COLUMN_NAMES,
    select(*_row()).where(
        exists().where(
            _repositories.c.namespace == bindparam("namespace"),
            _repositories.c.name == bindparam("repository"),
            _repositories.c.instance == bindparam("instance", type_=_repositories.c.instance.type),
        )
    ),
)
_REGISTERED = select(_users.c.created_at).where(_users.c.username == bindparam("account"))
_FOUNDED = select(_orgs.c.created_at).where(_orgs.c.name == bindparam("account"))


def _parameters(
    account: str, action: str, actor: str, name: str, data: Mapping[str, str] | None
) -> dict[str, Any]:
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not an audit action (server.services.audit.GROUPS)")
    return {
        "account": account[:30],
        "action": action,
        "name": name[:255],
        "actor": actor[:255],
        "data": json.dumps(dict(data or {}), separators=(",", ":")),
        "at": datetime.now(UTC),
    }


def recorded(
    account: str,
    action: str,
    *,
    actor: str,
    name: str = "",
    data: Mapping[str, str] | None = None,
) -> Recorded:
    """The event's INSERT, for a write to run in its own transaction."""
    return Recorded(_INSERT, _parameters(account, action, actor, name, data))


def recorded_if_created(
    namespace: str, repository: str, action: str, *, actor: str, data: Mapping[str, str] | None
) -> Recorded:
    """As :func:`recorded`, written only if the upsert before it made the repository
    ``namespace/repository`` with the instance it is run with (parameter ``instance``: see
    server.services.repositories' ``create``)."""
    parameters = _parameters(namespace, action, actor, f"{namespace}/{repository}", data)
    return Recorded(
        _INSERT_IF_CREATED, {**parameters, "namespace": namespace, "repository": repository}
    )


class AuditLog:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    async def record(
        self,
        account: str,
        action: str,
        *,
        actor: str,
        name: str = "",
        data: Mapping[str, str] | None = None,
    ) -> None:
        """Write the event in this unit's transaction: it commits with the change, or not at
        all. ``account``: the namespace whose log it goes to; ``name``: what it is about (a
        repository ``ns/name``, a team, a member); ``actor``: who (a username, "" if no one)."""
        await self._session.execute(_INSERT, _parameters(account, action, actor, name, data))

    async def record_failed_login(
        self, account: str, *, address: str, window: timedelta, actor: str = ""
    ) -> None:
        """A failed login of ``account``, unless it has had FAILED_LOGINS_PER_WINDOW within
        ``window``: a stranger's guesses write a bounded number of rows."""
        parameters = _parameters(account, "login.failure", actor, account, {"address": address})
        del parameters["action"], parameters["name"]
        since = parameters["at"] - window
        await self._session.execute(
            _INSERT_FAILURE, {**parameters, "since": since, "cap": FAILED_LOGINS_PER_WINDOW}
        )

    async def opened(self, account: str) -> datetime | None:
        """When the user or organization named ``account`` was made; None if there is none."""
        for statement in (_REGISTERED, _FOUNDED):
            found = await self._session.scalar(statement, {"account": account})
            if found is not None:
                return _aware(found)
        return None

    async def page(
        self,
        account: str,
        *,
        since: datetime | None = None,
        action: str | None = None,
        name: str | None = None,
        actor: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> list[Event]:
        """One page of the account's events, newest first. ``since``: none older (the
        account's creation: a name taken again does not show its former holder's log);
        ``start`` and ``end``: the window asked for, both included."""
        conditions = [_events.c.account == account]
        for column, value in ((_events.c.action, action), (_events.c.name, name)):
            if value is not None:
                conditions.append(column == value)
        if actor is not None:
            conditions.append(_events.c.actor == actor)
        lower = max((moment for moment in (since, start) if moment is not None), default=None)
        if lower is not None:
            conditions.append(_events.c.created_at >= lower)
        if end is not None:
            conditions.append(_events.c.created_at <= end)
        statement = (
            select(*_COLUMNS)
            .where(and_(*conditions))
            .order_by(_events.c.created_at.desc(), _events.c.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        rows = (await self._session.execute(statement)).all()
        return [_event(row) for row in rows]

    async def export(
        self,
        account: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        batch: int = 500,
    ) -> AsyncIterator[Event]:
        """Every event of the account in the window, oldest first, read ``batch`` at a time."""
        after = 0
        while True:
            conditions = [_events.c.account == account, _events.c.id > after]
            if start is not None:
                conditions.append(_events.c.created_at >= start)
            if end is not None:
                conditions.append(_events.c.created_at <= end)
            statement = select(*_COLUMNS).where(*conditions).order_by(_events.c.id).limit(batch)
            rows = (await self._session.execute(statement)).all()
            for row in rows:
                yield _event(row)
            if len(rows) < batch:
                return
            after = rows[-1].id

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` events older than ``before``, oldest first; how many. The
        oldest ``limit`` by id are looked at (the primary key: no index on the time), of which
        those older than ``before`` go: ids are drawn in the order events are written."""
        oldest = select(_events.c.id, _events.c.created_at).order_by(_events.c.id).limit(limit)
        rows = (await self._session.execute(oldest)).all()
        ids = [row.id for row in rows if _aware(row.created_at) < before]
        if not ids:
            return 0
        await self._session.execute(delete(_events).where(_events.c.id.in_(ids)))
        return len(ids)


_COLUMNS = (
    _events.c.id,
    _events.c.account,
    _events.c.action,
    _events.c.name,
    _events.c.actor,
    _events.c.data,
    _events.c.created_at,
)


def _event(row: Any) -> Event:
    try:
        data = {str(key): str(value) for key, value in json.loads(row.data).items()}
    except (ValueError, AttributeError):
        data = {}
    return Event(row.id, row.account, row.action, row.name, row.actor, data, _aware(row.created_at))


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
