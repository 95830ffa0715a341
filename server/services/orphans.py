"""Orphan images: the image ids no repository lists any more, for an administrator to remove
their layers from the registry.

In the v1 model a repository's list only grows: a push merges ids into it, and nothing but
deleting the repository takes one out. So an id leaves a list when its repository is deleted,
and that deletion records it (``delisted_images``, in the deletion's transaction, with the
time: server.services.repositories). An orphan is an id recorded so that no repository lists
now; when it was last listed is the last time a repository listing it was deleted. An id
listed again stops being an orphan at once, and is one again, with the new time, when that
repository goes too.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select

from server.services.access_tokens import aware
from server.storage.database import DatabaseSession
from server.storage.tables import DelistedImage, Image

_delisted = DelistedImage.__table__
_images = Image.__table__

_UNLISTED = ~exists().where(_images.c.image_id == _delisted.c.image_id)
_COUNT = select(func.count()).select_from(_delisted).where(_UNLISTED)
# The longest unlisted first: the safest to remove.
_PAGE = (
    select(_delisted.c.image_id, _delisted.c.last_listed)
    .where(_UNLISTED)
    .order_by(_delisted.c.last_listed, _delisted.c.image_id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


@dataclass(frozen=True, slots=True)
class Orphan:
    image_id: str
    last_listed: datetime


@dataclass(frozen=True, slots=True)
class OrphanPage:
    orphans: list[Orphan]
    count: int


class OrphanService:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    async def page(self, page: int, size: int) -> OrphanPage:
        """The orphans, the longest unlisted first: page ``page`` of ``size``."""
        count = await self._session.scalar(_COUNT)
        rows = await self._session.execute(_PAGE, {"limit": size, "offset": (page - 1) * size})
        orphans = [Orphan(image_id, aware(at) or at) for image_id, at in rows]
        return OrphanPage(orphans, count or 0)
