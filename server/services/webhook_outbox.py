"""The webhook outbox: deliveries written in the transaction of the change they report, and
how the delivery workers take, finish and retry them.

A push (``images.put``) or a deletion (``repositories.delete``) adds one row per active hook
of the repository with the same statement list as its own writes (``Enqueued``), inside its
transaction: what is acknowledged has its deliveries, what is rolled back has none.

A worker takes due rows by moving their ``next_attempt_at`` past a lease and marking them with
a ``lease`` of its own, in a short transaction (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two
processes never take one row). It sends them outside any transaction, then records the outcome
only where its lease still holds. A process killed meanwhile leaves the rows to be taken again
when the lease ends: at least once.
"""

import json
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Executable,
    Integer,
    String,
    Text,
    bindparam,
    case,
    func,
    insert,
    literal,
    null,
    select,
    update,
)

from server.auth import RepositoryName
from server.services.access_tokens import aware
from server.storage.database import DatabaseSession
from server.storage.tables import Repository, User, Webhook, WebhookDelivery, WebhookHook
from server.webhooks.sealing import Sealer, SecretsKeyError, is_plain

_repositories = Repository.__table__
_webhooks = Webhook.__table__
_hooks = WebhookHook.__table__
_deliveries = WebhookDelivery.__table__
_users = User.__table__
_AT = _deliveries.c.created_at.type
_now = bindparam("now", type_=_AT)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def _enqueue(*, name_hooks: bool) -> Executable:
    """One delivery per active hook of the named repository; ``name_hooks``: whether the rows
    name their hook (not for a deletion, whose hooks go with the repository)."""
    source = (
        select(
            _hooks.c.id if name_hooks else null(),
            bindparam("event", type_=String),
            _hooks.c.hook_url,
            _hooks.c.secret,
            bindparam("payload", type_=Text),
            _now,
            _now,
            literal(0, Integer),
            literal(PENDING, String),
        )
        .select_from(
            _hooks.join(_webhooks, _webhooks.c.id == _hooks.c.webhook_id).join(
                _repositories, _repositories.c.id == _webhooks.c.repository_id
            )
        )
        .where(
            _repositories.c.namespace == bindparam("namespace"),
            _repositories.c.name == bindparam("name"),
            _hooks.c.active.is_(True),
        )
    )
    columns = ["hook_id", "event", "url", "secret", "payload", "created_at", "next_attempt_at"]
    return insert(_deliveries).from_select([*columns, "attempts", "outcome"], source)


_ENQUEUE = _enqueue(name_hooks=True)
_ENQUEUE_UNNAMED = _enqueue(name_hooks=False)

# What a push or deletion needs to know first: whether any hook listens, and the repository's
# fields the payload carries. No row: no repository.
_active_hooks = (
    select(func.count())
    .select_from(_hooks.join(_webhooks, _webhooks.c.id == _hooks.c.webhook_id))
    .where(_webhooks.c.repository_id == _repositories.c.id, _hooks.c.active.is_(True))
    .scalar_subquery()
)
_LISTENERS = select(_active_hooks, _repositories.c.created_at, _repositories.c.description).where(
    _repositories.c.namespace == bindparam("namespace"),
    _repositories.c.name == bindparam("name"),
)
_USERNAME = select(_users.c.username).where(_users.c.id == bindparam("user_id"))


@dataclass(frozen=True, slots=True)
class Listeners:
    """A repository's active hooks, and what a payload about it says."""

    hooks: int
    created_at: datetime | None
    description: str


@dataclass(frozen=True, slots=True)
class Enqueued:
    """A statement and its parameters, for the writes of a push or deletion to run in their
    own transaction (server.services.repositories)."""

    statement: Executable
    parameters: dict[str, Any]


def payload(
    event: str,
    repository: RepositoryName,
    listeners: Listeners,
    *,
    pusher: str,
    tag: str,
    at: datetime,
    repo_url: str,
) -> str:
    """Docker Hub's payload (``push_data``, ``repository``), and ``event`` beyond it."""
    created = listeners.created_at
    return json.dumps(
        {
            "event": event,
            "push_data": {
                "pushed_at": int(at.timestamp()),
                "pusher": pusher,
                "tag": tag,
            },
            "repository": {
                "comment_count": 0,
                "date_created": int(created.timestamp()) if created else None,
                "description": listeners.description,
                "full_description": "",
                "is_official": repository.namespace == "library",
                "is_private": False,
                "is_trusted": False,
                "name": repository.name,
                "namespace": repository.namespace,
                "owner": repository.namespace,
                "repo_name": str(repository),
                "repo_url": repo_url,
                "star_count": 0,
                "status": "Active",
            },
        },
        separators=(",", ":"),
    )


def enqueued(
    event: str, repository: RepositoryName, payload_json: str, *, name_hooks: bool = True
) -> Enqueued:
    return Enqueued(
        _ENQUEUE if name_hooks else _ENQUEUE_UNNAMED,
        {
            "namespace": repository.namespace,
            "name": repository.name,
            "event": event,
            "payload": payload_json,
            "now": datetime.now(UTC),
        },
    )


@dataclass(frozen=True, slots=True)
class Taken:
    """A delivery a worker holds under its lease."""

    id: int
    hook_id: int | None
    event: str
    url: str
    secret: str | None  # in the clear once taken; None: no key of this process opens it
    payload: str
    attempts: int  # this one included


_ANY_DUE = select(_deliveries.c.id).where(_deliveries.c.next_attempt_at <= _now).limit(1)
_DUE = (
    select(_deliveries.c.id)
    .where(_deliveries.c.next_attempt_at <= _now)
    .order_by(_deliveries.c.next_attempt_at)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True)
)
_TAKE = (
    update(_deliveries)
    .where(_deliveries.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        lease=bindparam("taker"),
        next_attempt_at=bindparam("until", type_=_AT),
        attempts=_deliveries.c.attempts + 1,
    )
    .returning(
        _deliveries.c.id,
        _deliveries.c.hook_id,
        _deliveries.c.event,
        _deliveries.c.url,
        _deliveries.c.secret,
        _deliveries.c.payload,
        _deliveries.c.attempts,
    )
)
_held = (_deliveries.c.id == bindparam("delivery"), _deliveries.c.lease == bindparam("held"))
_FINISH = (
    update(_deliveries)
    .where(*_held)
    .values(
        outcome=bindparam("finished_as"),
        next_attempt_at=bindparam("retry_at", type_=_AT),
        lease=None,
        last_status=bindparam("status", type_=Integer),
        last_error=bindparam("error", type_=String),
        last_attempt_at=_now,
    )
)
_SUCCEEDED = update(_hooks).where(_hooks.c.id == bindparam("hook_id")).values(failures_in_a_row=0)
_GAVE_UP = (
    update(_hooks)
    .where(_hooks.c.id == bindparam("hook_id"))
    .values(failures_in_a_row=_hooks.c.failures_in_a_row + 1)
    .returning(_hooks.c.failures_in_a_row)
)
_DISABLE = (
    update(_hooks)
    .where(_hooks.c.id == bindparam("hook_id"), _hooks.c.active.is_(True))
    .values(active=False, disabled_reason=bindparam("reason"), last_updated=_now)
)
# A disabled hook's deliveries still waiting are given up (its test deliveries excepted).
GIVE_UP_WAITING = (
    update(_deliveries)
    .where(
        _deliveries.c.hook_id == bindparam("hook"),
        _deliveries.c.outcome == PENDING,
        _deliveries.c.event != "test",
    )
    .values(
        outcome=FAILED,
        next_attempt_at=None,
        lease=None,
        last_error=case(
            (_deliveries.c.last_error.is_(None), "the hook was disabled"),
            else_=_deliveries.c.last_error,
        ),
    )
)
# SQLite's one process, starting: nothing of an earlier run still holds a lease.
_RELEASE_ALL = (
    update(_deliveries)
    .where(_deliveries.c.lease.is_not(None), _deliveries.c.outcome == PENDING)
    .values(lease=None, next_attempt_at=_now)
)


class Outbox:
    """The workers' statements over one unit of work."""

    def __init__(self, session: DatabaseSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def listeners(self, repository: RepositoryName) -> Listeners | None:
        """None if there is no such repository."""
        parameters = {"namespace": repository.namespace, "name": repository.name}
        row = (await self._session.execute(_LISTENERS, parameters)).first()
        if row is None:
            return None
        return Listeners(int(row[0]), aware(row[1]), row[2] or "")

    async def username(self, user_id: int) -> str | None:
        found = await self._session.scalar(_USERNAME, {"user_id": user_id})
        return None if found is None else str(found)

    async def enqueue(self, work: Enqueued) -> None:
        await self._session.execute(work.statement, work.parameters)

    async def any_due(self) -> bool:
        """Whether any delivery is due (a read: no lock, no write)."""
        return await self._session.scalar(_ANY_DUE, {"now": datetime.now(UTC)}) is not None

    async def take(self, limit: int, lease_for: timedelta) -> tuple[str, list[Taken]]:
        """Up to ``limit`` due deliveries, each held for ``lease_for``; and the lease."""
        now = datetime.now(UTC)
        ids = list(
            (await self._session.execute(_DUE, {"now": now, "limit": limit})).scalars().all()
        )
        lease = secrets.token_hex(16)
        if not ids:
            return lease, []
        parameters = {"ids": ids, "taker": lease, "until": now + lease_for}
        rows = (await self._session.execute(_TAKE, parameters)).all()
        return lease, [self._opened(Taken(*row)) for row in rows]

    def _opened(self, taken: Taken) -> Taken:
        """The delivery with its secret in the clear; None if this process's key does not
        open it (the attempt then fails, saying so, and is retried as any other)."""
        if taken.secret is None or is_plain(taken.secret):
            return taken  # written plain by a process of hubindex before 0018, meanwhile
        try:
            return replace(taken, secret=self._sealer.open(taken.secret))
        except SecretsKeyError:
            return replace(taken, secret=None)

    async def finish(
        self,
        taken: Taken,
        lease: str,
        *,
        outcome: str,
        status: int | None,
        error: str | None,
        retry_at: datetime | None,
    ) -> bool:
        """Record an attempt's outcome, if the lease still holds (False: another worker took
        the delivery since, and records it)."""
        parameters = {
            "delivery": taken.id,
            "held": lease,
            "finished_as": outcome,
            "retry_at": retry_at,
            "status": status,
            "error": error[:255] if error else None,
            "now": datetime.now(UTC),
        }
        written = await self._session.execute(_FINISH, parameters)
        return bool(written.rowcount)

    async def hook_succeeded(self, hook_id: int) -> None:
        await self._session.execute(_SUCCEEDED, {"hook_id": hook_id})

    async def hook_gave_up(self, hook_id: int, *, disable_after: int) -> bool:
        """Count a delivery given up; disable the hook when that makes ``disable_after`` in a
        row (0: never). Whether it was disabled."""
        count = await self._session.scalar(_GAVE_UP, {"hook_id": hook_id})
        if count is None or not disable_after or count < disable_after:
            return False
        reason = f"disabled after {count} deliveries in a row failed"
        parameters = {"hook_id": hook_id, "reason": reason, "now": datetime.now(UTC)}
        await self._session.execute(_DISABLE, parameters)
        await self._session.execute(GIVE_UP_WAITING, {"hook": hook_id})
        return True

    async def release_all(self) -> None:
        await self._session.execute(_RELEASE_ALL, {"now": datetime.now(UTC)})
