"""``orphans.*``: the image ids no repository lists any more (server.services.orphans), for
administrators."""

from generated import models
from server.auth import Account
from server.errors import AuthenticationFailed, PermissionDenied
from server.handlers.call import Call
from server.handlers.paging import links


async def page(call: Call, *, page: int = 1, page_size: int = 10) -> models.OrphanImagePage:
    identity = call.identity
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    identity.limit_to_password("list orphan images")
    if not identity.is_admin:
        raise PermissionDenied("only administrators may list orphan images")
    found = await call.services.orphans.page(page, page_size)
    following, preceding = links(call, "/v2/images/orphans", page, page_size, found.count)
    return models.OrphanImagePage(
        count=found.count,
        next=following,
        previous=preceding,
        results=[
            models.OrphanImage(id=orphan.image_id, last_listed=orphan.last_listed)
            for orphan in found.orphans
        ],
    )
