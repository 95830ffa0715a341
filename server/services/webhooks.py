"""A repository's webhooks and their hooks, as their managers see them, and each hook's
delivery log. Who may manage them is decided before (server.auth)."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, delete, func, insert, select, update

from server.auth import RepositoryName
from server.errors import Conflict, NotFound
from server.services.access_tokens import aware
from server.services.webhook_outbox import GIVE_UP_WAITING, PENDING
from server.storage.database import DatabaseSession
from server.storage.tables import Repository, Webhook, WebhookDelivery, WebhookHook
from server.webhooks.sealing import Sealer
from server.webhooks.signing import new_secret

MAX_WEBHOOKS = 25  # per repository
MAX_HOOKS = 10  # per webhook

_repositories = Repository.__table__
_webhooks = Webhook.__table__
_hooks = WebhookHook.__table__
_deliveries = WebhookDelivery.__table__

_REPOSITORY = select(_repositories.c.id).where(
    _repositories.c.namespace == bindparam("namespace"),
    _repositories.c.name == bindparam("name"),
)
_of_repository = _webhooks.c.repository_id == bindparam("repository_id")
_COUNT = select(func.count()).select_from(_webhooks).where(_of_repository)
_WEBHOOK_COLUMNS = (
    _webhooks.c.id,
    _webhooks.c.name,
    _webhooks.c.expect_final_callback,
    _webhooks.c.creator,
    _webhooks.c.last_updated,
    _webhooks.c.last_updater,
)
_PAGE = (
    select(*_WEBHOOK_COLUMNS)
    .where(_of_repository)
    .order_by(_webhooks.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_WEBHOOK = select(*_WEBHOOK_COLUMNS).where(_of_repository, _webhooks.c.id == bindparam("id"))
_HOOK_COLUMNS = (
    _hooks.c.id,
    _hooks.c.creator,
    _hooks.c.last_updater,
    _hooks.c.hook_url,
    _hooks.c.date_added,
    _hooks.c.last_updated,
    _hooks.c.active,
    _hooks.c.disabled_reason,
)
_HOOKS_OF = (
    select(_hooks.c.webhook_id, *_HOOK_COLUMNS)
    .where(_hooks.c.webhook_id.in_(bindparam("ids", expanding=True)))
    .order_by(_hooks.c.id)
)
_hook_of = and_(
    _hooks.c.id == bindparam("hook_id"),
    _hooks.c.webhook_id == bindparam("id"),
    _hooks.c.webhook_id.in_(select(_webhooks.c.id).where(_of_repository)),
)
_HOOK = select(*_HOOK_COLUMNS, _hooks.c.secret).where(_hook_of)
_HOOK_COUNT = select(func.count()).select_from(_hooks).where(_hooks.c.webhook_id == bindparam("id"))
_CREATE = insert(_webhooks).returning(_webhooks.c.id)
_CREATE_HOOK = insert(_hooks).returning(_hooks.c.id)
_DELETE = delete(_webhooks).where(_of_repository, _webhooks.c.id == bindparam("id"))
_DELETE_HOOK = delete(_hooks).where(_hook_of)
_TOUCH = (
    update(_webhooks)
    .where(_webhooks.c.id == bindparam("webhook"))
    .values(last_updated=bindparam("now"), last_updater=bindparam("who"))
)
_CHANGE_HOOK = (
    update(_hooks)
    .where(_hooks.c.id == bindparam("hook_id"))
    .values(
        active=bindparam("enabled"),
        failures_in_a_row=0,
        disabled_reason=None,
        last_updated=bindparam("now"),
        last_updater=bindparam("who"),
    )
)
_of_hook = _deliveries.c.hook_id == bindparam("hook_id")
_DELIVERY_COLUMNS = (
    _deliveries.c.id,
    _deliveries.c.event,
    _deliveries.c.url,
    _deliveries.c.created_at,
    _deliveries.c.outcome,
    _deliveries.c.attempts,
    _deliveries.c.last_status,
    _deliveries.c.last_error,
    _deliveries.c.last_attempt_at,
    _deliveries.c.next_attempt_at,
)
_DELIVERY_COUNT = select(func.count()).select_from(_deliveries).where(_of_hook)
_DELIVERY_PAGE = (
    select(*_DELIVERY_COLUMNS)
    .where(_of_hook)
    .order_by(_deliveries.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_DELIVERY = select(*_DELIVERY_COLUMNS).where(_deliveries.c.id == bindparam("delivery_id"))
_ENQUEUE_TEST = insert(_deliveries).returning(_deliveries.c.id)


@dataclass(frozen=True, slots=True)
class HookRecord:
    id: int
    creator: str
    last_updater: str
    hook_url: str
    date_added: datetime
    last_updated: datetime
    active: bool
    disabled_reason: str | None
    secret: str = ""  # in the clear only when it is created; sealed when read for a test


@dataclass(frozen=True, slots=True)
class WebhookRecord:
    id: int
    name: str
    expect_final_callback: bool
    creator: str
    last_updated: datetime
    last_updater: str
    hooks: list[HookRecord]

    @property
    def active(self) -> bool:
        return any(hook.active for hook in self.hooks)


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    id: int
    event: str
    hook_url: str
    created_at: datetime
    outcome: str
    attempts: int
    last_status: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class Page:
    count: int
    records: list[Any]


class WebhookService:
    def __init__(self, session: DatabaseSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def repository_id(self, repository: RepositoryName) -> int:
        parameters = {"namespace": repository.namespace, "name": repository.name}
        found = await self._session.scalar(_REPOSITORY, parameters)
        if found is None:
            raise NotFound(f"repository {repository} not found")
        return int(found)

    async def page(self, repository_id: int, page: int, page_size: int) -> Page:
        count = int(await self._session.scalar(_COUNT, {"repository_id": repository_id}))
        parameters = {
            "repository_id": repository_id,
            "limit": page_size,
            "offset": (page - 1) * page_size,
        }
        rows = (await self._session.execute(_PAGE, parameters)).all()
        return Page(count, await self._with_hooks(rows))

    async def get(self, repository_id: int, webhook_id: int) -> WebhookRecord:
        parameters = {"repository_id": repository_id, "id": webhook_id}
        row = (await self._session.execute(_WEBHOOK, parameters)).first()
        if row is None:
            raise NotFound(f"webhook {webhook_id} not found")
        return (await self._with_hooks([row]))[0]

    async def create(
        self, repository_id: int, name: str, expect_final_callback: bool, creator: str
    ) -> WebhookRecord:
        held = int(await self._session.scalar(_COUNT, {"repository_id": repository_id}))
        if held >= MAX_WEBHOOKS:
            raise Conflict(f"the repository has {held} webhooks, the most it may have")
        now = datetime.now(UTC)
        values = {
            "repository_id": repository_id,
            "name": name,
            "expect_final_callback": expect_final_callback,
            "creator": creator,
            "last_updater": creator,
            "created_at": now,
            "last_updated": now,
        }
        webhook_id = int(await self._session.scalar(_CREATE, values))
        return WebhookRecord(webhook_id, name, expect_final_callback, creator, now, creator, [])

    async def delete(self, repository_id: int, webhook_id: int) -> None:
        parameters = {"repository_id": repository_id, "id": webhook_id}
        written = await self._session.execute(_DELETE, parameters)
        if not written.rowcount:
            raise NotFound(f"webhook {webhook_id} not found")

    async def create_hook(
        self, repository_id: int, webhook_id: int, url: str, creator: str
    ) -> HookRecord:
        await self.get(repository_id, webhook_id)
        held = int(await self._session.scalar(_HOOK_COUNT, {"id": webhook_id}))
        if held >= MAX_HOOKS:
            raise Conflict(f"webhook {webhook_id} has {held} hooks, the most it may have")
        now = datetime.now(UTC)
        secret = new_secret()
        values = {
            "webhook_id": webhook_id,
            "hook_url": url,
            "secret": self._sealer.seal(secret),
            "active": True,
            "failures_in_a_row": 0,
            "creator": creator,
            "last_updater": creator,
            "date_added": now,
            "last_updated": now,
        }
        hook_id = int(await self._session.scalar(_CREATE_HOOK, values))
        await self._session.execute(_TOUCH, {"webhook": webhook_id, "now": now, "who": creator})
        return HookRecord(hook_id, creator, creator, url, now, now, True, None, secret)

    async def hook(self, repository_id: int, webhook_id: int, hook_id: int) -> HookRecord:
        """The hook, its secret included as stored, sealed (for a test delivery)."""
        parameters = {"repository_id": repository_id, "id": webhook_id, "hook_id": hook_id}
        row = (await self._session.execute(_HOOK, parameters)).first()
        if row is None:
            raise NotFound(f"hook {hook_id} of webhook {webhook_id} not found")
        return HookRecord(*_aware(row))

    async def update_hook(
        self, repository_id: int, webhook_id: int, hook_id: int, *, active: bool, who: str
    ) -> HookRecord:
        await self.hook(repository_id, webhook_id, hook_id)
        now = datetime.now(UTC)
        parameters = {"hook_id": hook_id, "enabled": active, "now": now, "who": who}
        await self._session.execute(_CHANGE_HOOK, parameters)
        if not active:
            await self._session.execute(GIVE_UP_WAITING, {"hook": hook_id})
        await self._session.execute(_TOUCH, {"webhook": webhook_id, "now": now, "who": who})
        changed = await self.hook(repository_id, webhook_id, hook_id)
        return replace(changed, secret="")

    async def delete_hook(self, repository_id: int, webhook_id: int, hook_id: int) -> None:
        parameters = {"repository_id": repository_id, "id": webhook_id, "hook_id": hook_id}
        written = await self._session.execute(_DELETE_HOOK, parameters)
        if not written.rowcount:
            raise NotFound(f"hook {hook_id} of webhook {webhook_id} not found")

    async def deliveries(
        self, repository_id: int, webhook_id: int, hook_id: int, page: int, page_size: int
    ) -> Page:
        await self.hook(repository_id, webhook_id, hook_id)
        count = int(await self._session.scalar(_DELIVERY_COUNT, {"hook_id": hook_id}))
        parameters = {"hook_id": hook_id, "limit": page_size, "offset": (page - 1) * page_size}
        rows = (await self._session.execute(_DELIVERY_PAGE, parameters)).all()
        return Page(count, [DeliveryRecord(*_aware(row)) for row in rows])

    async def enqueue_test(self, hook: HookRecord, payload: str) -> DeliveryRecord:
        now = datetime.now(UTC)
        values = {
            "hook_id": hook.id,
            "event": "test",
            "url": hook.hook_url,
            "secret": hook.secret,
            "payload": payload,
            "created_at": now,
            "next_attempt_at": now,
            "attempts": 0,
            "outcome": PENDING,
        }
        delivery_id = int(await self._session.scalar(_ENQUEUE_TEST, values))
        row = (await self._session.execute(_DELIVERY, {"delivery_id": delivery_id})).one()
        return DeliveryRecord(*_aware(row))

    async def _with_hooks(self, rows: list[Row[Any]]) -> list[WebhookRecord]:
        ids = [row[0] for row in rows]
        hooks: dict[int, list[HookRecord]] = {webhook_id: [] for webhook_id in ids}
        if ids:
            found = (await self._session.execute(_HOOKS_OF, {"ids": ids})).all()
            for webhook_id, *fields in found:
                hooks[webhook_id].append(HookRecord(*_aware(fields)))
        return [WebhookRecord(*_aware(row), hooks=hooks[row[0]]) for row in rows]


def _aware(row: Any) -> list[Any]:
    """A row's values, its datetimes in UTC (SQLite answers them naive)."""
    return [aware(value) if isinstance(value, datetime) else value for value in row]
