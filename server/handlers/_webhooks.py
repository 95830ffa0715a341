"""What a push or a deletion adds to its transaction for the repository's webhooks."""

from collections.abc import Sequence
from datetime import UTC, datetime

from server.auth import Account, Grant, RepositoryName
from server.handlers.call import Call
from server.services.webhook_outbox import Enqueued, enqueued, payload

# The tag a v1 push names when its image list names none: what `docker push NS/REPO` pushes.
DEFAULT_TAG = "latest"


async def deliveries(
    call: Call,
    repository: RepositoryName,
    event: str,
    *,
    tags: Sequence[str] = (),
) -> list[Enqueued]:
    """The outbox's rows for ``event`` to every active hook of ``repository``, to be written
    in the transaction of the change (none when no hook listens, or there is no repository);
    this process's delivery worker is woken once that transaction commits."""
    services = call.services
    listeners = await services.cached(
        ("webhook listeners", repository),
        lambda: services.outbox.listeners(repository),
        decides=True,
    )
    if listeners is None or not listeners.hooks:
        return []
    if event == "push" and not tags:
        # The Docker 1.x client names its tags when it creates the repository, not in the
        # image list that ends its push: the tag that creation recorded is the one pushed.
        last = await services.tags.last_pushed(repository)
        tags = [last] if last is not None else []
    body = payload(
        event,
        repository,
        listeners,
        pusher=await _pusher(call),
        tag=tags[-1] if tags else DEFAULT_TAG,
        at=datetime.now(UTC),
        repo_url=repository_url(call, repository),
    )
    call.after_commit(_wake(call))
    # A deletion's hooks go with the repository: its rows name none (they carry the URL).
    return [enqueued(event, repository, body, name_hooks=event != "delete")]


def repository_url(call: Call, repository: RepositoryName) -> str:
    base = str(call.settings.public_url or "").rstrip("/")
    return f"{base}/v2/repositories/{repository}/"


async def _pusher(call: Call) -> str:
    identity = call.identity
    if isinstance(identity, Account):
        return identity.username
    if isinstance(identity, Grant) and identity.holder is not None:
        return await call.services.outbox.username(identity.holder) or ""
    return ""


def _wake(call: Call):  # type: ignore[no-untyped-def]
    async def wake() -> None:
        call.services.deliver_soon()

    return wake
