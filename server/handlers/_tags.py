"""What a push adds to its transaction for the tags its image list names."""

from collections.abc import Sequence

from server.auth import Account, Grant, RepositoryName
from server.handlers.call import Call
from server.services.tags import TaggedImage, TagsWritten, pushed_tags


async def tags_written(
    call: Call, repository: RepositoryName, images: Sequence[TaggedImage]
) -> list[TagsWritten]:
    """The statement recording the tags ``images`` name for ``repository``, pushed now by the
    caller; none when they name none. Call it only when some entry has a ``Tag``: the list is
    walked again here."""
    tags = pushed_tags(images)
    if not tags:
        return []
    return call.services.tags.recorded(repository, tags, await _pusher(call))


async def _pusher(call: Call) -> str | None:
    identity = call.identity
    if isinstance(identity, Account):
        return identity.username
    if isinstance(identity, Grant) and identity.holder is not None:
        return await call.services.outbox.username(identity.holder)
    return None
