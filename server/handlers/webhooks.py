"""``webhooks.*``: a repository's webhooks and hooks (server.services.webhooks), managed by
its owner and administrators; each hook's delivery log and a test delivery."""

from datetime import UTC, datetime

from generated import models
from server.auth import Account, RepositoryName
from server.handlers._audit import audited
from server.handlers._docker import administered
from server.handlers._webhooks import repository_url
from server.handlers.call import Call, Reply
from server.handlers.paging import links
from server.services.webhook_outbox import payload
from server.services.webhooks import DeliveryRecord, HookRecord, Page, WebhookRecord
from server.webhooks.addresses import check_hook_url

TEST_TAG = "test"


async def page(
    call: Call, *, namespace: str, repository: str, page: int = 1, page_size: int = 10
) -> models.WebhookPage:
    _, name, repository_id = await _managed(call, namespace, repository)
    found = await call.services.webhooks.page(repository_id, page, page_size)
    path = f"/v2/repositories/{name}/webhooks"
    return models.WebhookPage(
        **_links(call, path, found, page, page_size),
        results=[_webhook(record) for record in found.records],
    )


_page = page


async def page_as_listed(
    call: Call, *, namespace: str, repository: str, page: int = 1, page_size: int = 10
) -> models.WebhookPage:
    return await _page(
        call, namespace=namespace, repository=repository, page=page, page_size=page_size
    )


async def create(
    call: Call, *, namespace: str, repository: str, body: models.WebhookCreation
) -> Reply:
    account, name, repository_id = await _managed(call, namespace, repository)
    record = await call.services.webhooks.create(
        repository_id, body.name, bool(body.expect_final_callback), account.username
    )
    await _audited(call, name, "repo.webhook.create", webhook=record.id, webhook_name=record.name)
    return Reply(201, _webhook(record))


async def get(call: Call, *, namespace: str, repository: str, webhook_id: int) -> models.Webhook:
    _, _, repository_id = await _managed(call, namespace, repository)
    return _webhook(await call.services.webhooks.get(repository_id, webhook_id))


async def delete(call: Call, *, namespace: str, repository: str, webhook_id: int) -> Reply:
    _, name, repository_id = await _managed(call, namespace, repository)
    await call.services.webhooks.delete(repository_id, webhook_id)
    await _audited(call, name, "repo.webhook.delete", webhook=webhook_id)
    return Reply(204)


async def create_hook(
    call: Call,
    *,
    namespace: str,
    repository: str,
    webhook_id: int,
    body: models.WebhookHookCreation,
) -> Reply:
    # Who may, then the address (resolving a name waits on the network), before this unit
    # reads or writes anything: nothing of the database is held while the name resolves.
    account, name = await administered(call, namespace, repository)
    url = body.hook_url
    await check_hook_url(
        url, allow_private=call.settings.webhooks_allow_private_addresses, field="body.hook_url"
    )
    repository_id = await call.services.webhooks.repository_id(name)
    record = await call.services.webhooks.create_hook(
        repository_id, webhook_id, url, account.username
    )
    await _audited(call, name, "repo.webhook.hook.create", webhook=webhook_id, hook=record.id)
    return Reply(201, _hook(record))


async def update_hook(
    call: Call,
    *,
    namespace: str,
    repository: str,
    webhook_id: int,
    hook_id: int,
    body: models.WebhookHookChange,
) -> models.WebhookHook:
    account, name, repository_id = await _managed(call, namespace, repository)
    record = await call.services.webhooks.update_hook(
        repository_id, webhook_id, hook_id, active=body.active, who=account.username
    )
    await _audited(
        call,
        name,
        "repo.webhook.hook.update",
        webhook=webhook_id,
        hook=hook_id,
        active=str(record.active).lower(),
    )
    if body.active:
        call.after_commit(_wake(call))
    return _hook(record)


async def delete_hook(
    call: Call, *, namespace: str, repository: str, webhook_id: int, hook_id: int
) -> Reply:
    _, name, repository_id = await _managed(call, namespace, repository)
    await call.services.webhooks.delete_hook(repository_id, webhook_id, hook_id)
    await _audited(call, name, "repo.webhook.hook.delete", webhook=webhook_id, hook=hook_id)
    return Reply(204)


async def deliveries(
    call: Call,
    *,
    namespace: str,
    repository: str,
    webhook_id: int,
    hook_id: int,
    page: int = 1,
    page_size: int = 10,
) -> models.WebhookDeliveryPage:
    _, name, repository_id = await _managed(call, namespace, repository)
    found = await call.services.webhooks.deliveries(
        repository_id, webhook_id, hook_id, page, page_size
    )
    path = f"/v2/repositories/{name}/webhooks/{webhook_id}/hooks/{hook_id}/deliveries"
    return models.WebhookDeliveryPage(
        **_links(call, path, found, page, page_size),
        results=[_delivery(record) for record in found.records],
    )


async def test_hook(
    call: Call, *, namespace: str, repository: str, webhook_id: int, hook_id: int
) -> Reply:
    account, name, repository_id = await _managed(call, namespace, repository)
    hook = await call.services.webhooks.hook(repository_id, webhook_id, hook_id)
    listeners = await call.services.outbox.listeners(name)
    assert listeners is not None  # _managed found the repository in this unit
    body = payload(
        "test",
        name,
        listeners,
        pusher=account.username,
        tag=TEST_TAG,
        at=datetime.now(UTC),
        repo_url=repository_url(call, name),
    )
    record = await call.services.webhooks.enqueue_test(hook, body)
    call.after_commit(_wake(call))
    return Reply(202, _delivery(record))


async def _audited(call: Call, repository: RepositoryName, action: str, **data: str | int) -> None:
    details = {key: str(value) for key, value in data.items()}
    await audited(call, repository.namespace, action, name=str(repository), data=details)


async def _managed(
    call: Call, namespace: str, repository: str
) -> tuple[Account, RepositoryName, int]:
    """The caller, who must be an account that administers the repository (its owner or an
    administrator; an access token's signed token only with scope ``repo:admin``); the
    repository and its id."""
    identity, name = await administered(call, namespace, repository)
    return identity, name, await call.services.webhooks.repository_id(name)


def _links(call: Call, path: str, found: Page, page: int, page_size: int) -> dict:
    """``count``, ``next`` and ``previous`` of a page."""
    following, preceding = links(call, path, page, page_size, found.count)
    return {"count": found.count, "next": following, "previous": preceding}


def _webhook(record: WebhookRecord) -> models.Webhook:
    return models.Webhook(
        id=record.id,
        name=record.name,
        active=record.active,
        expect_final_callback=record.expect_final_callback,
        creator=record.creator,
        last_updated=record.last_updated,
        last_updater=record.last_updater,
        hooks=[_hook(hook) for hook in record.hooks],
    )


def _hook(record: HookRecord) -> models.WebhookHook:
    return models.WebhookHook(
        id=record.id,
        creator=record.creator,
        last_updater=record.last_updater,
        hook_url=record.hook_url,
        date_added=record.date_added,
        last_updated=record.last_updated,
        active=record.active,
        disabled_reason=record.disabled_reason,
        secret=record.secret,
    )


def _delivery(record: DeliveryRecord) -> models.WebhookDelivery:
    return models.WebhookDelivery(
        id=record.id,
        event=models.WebhookEvent(record.event),
        hook_url=record.hook_url,
        created_at=record.created_at,
        outcome=models.WebhookOutcome(record.outcome),
        attempts=record.attempts,
        last_status=record.last_status,
        last_error=record.last_error,
        last_attempt_at=record.last_attempt_at,
        next_attempt_at=record.next_attempt_at,
    )


def _wake(call: Call):  # type: ignore[no-untyped-def]
    async def wake() -> None:
        call.services.deliver_soon()

    return wake
