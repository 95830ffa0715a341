"""The tags of a repository, as v1 pushes name them (``{"id": ..., "Tag": "latest"}`` entries
of the image list): which image each names, when it was last pushed and by whom.

A push's tags are written by one statement in the push's own transaction, beside its images
(``RepositoryService.create`` and ``put_images`` take it with their ``also``): the list's
entries travel as one JSON object of tag to image id, taken apart by the database, so a list
of 10,000 entries costs no Python per entry on the event loop, and a list that names no tag
costs no statement at all.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite

from server.auth import RepositoryName
from server.services.access_tokens import aware
from server.storage.database import DatabaseSession
from server.storage.tables import Repository, Tag

_repositories = Repository.__table__
_tags = Tag.__table__
_named = and_(
    _repositories.c.namespace == bindparam("namespace"),
    _repositories.c.name == bindparam("name"),
)
_AT = _tags.c.last_updated.type


class TaggedImage(Protocol):
    """What a push's entry gives of its tag (a request's ImageEntry as it is)."""

    @property
    def id(self) -> str: ...

    @property
    def Tag(self) -> str | None: ...  # the v1 protocol's field name


@dataclass(frozen=True, slots=True)
class TagsWritten:
    """The statement recording a push's tags, to run in the push's transaction
    (server.services.repositories.AlsoWritten)."""

    statement: Any
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TagRecord:
    name: str
    image_id: str
    last_updated: datetime
    last_updater: str | None


@dataclass(frozen=True, slots=True)
class TagPage:
    tags: list[TagRecord]
    count: int


def _upsert(insert: Any, listed: Any) -> Any:
    """Each tag of the JSON object ``tags`` (tag to image id) recorded for the named
    repository: a tag pushed again names its new image, with the new time and pusher."""
    source = (
        select(
            _repositories.c.id,
            listed.c.tag,
            listed.c.image_id,
            bindparam("now", type_=_AT),
            bindparam("updater", type_=_tags.c.last_updater.type),
        )
        .select_from(_repositories.join(listed, true()))
        .where(_named)
    )
    statement = insert(_tags).from_select(
        ["repository_id", "name", "image_id", "last_updated", "last_updater"], source
    )
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["repository_id", "name"],
        set_={
            "image_id": excluded.image_id,
            "last_updated": excluded.last_updated,
            "last_updater": excluded.last_updater,
        },
    )


def _listed(function: Any) -> Any:
    return (
        select(literal_column("key").label("tag"), literal_column("value").label("image_id"))
        .select_from(function)
        .subquery("listed")
    )


_UPSERTS = {
    "sqlite": _upsert(sqlite.insert, _listed(func.json_each(bindparam("tags")))),
    "postgresql": _upsert(
        postgresql.insert,
        _listed(func.json_each_text(cast(bindparam("tags", type_=Text), JSON))),
    ),
}

_REPOSITORY_ID = select(_repositories.c.id).where(_named).scalar_subquery()
_OF_REPOSITORY = _tags.c.repository_id == _REPOSITORY_ID
_COLUMNS = (_tags.c.name, _tags.c.image_id, _tags.c.last_updated, _tags.c.last_updater)
_COUNT = select(func.count()).select_from(_tags).where(_OF_REPOSITORY)
# Hub's order: the tag pushed last first; tags pushed at one instant by name.
_PAGE = (
    select(*_COLUMNS)
    .where(_OF_REPOSITORY)
    .order_by(_tags.c.last_updated.desc(), _tags.c.name)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_ONE = select(*_COLUMNS).where(_OF_REPOSITORY, _tags.c.name == bindparam("tag"))
_DELETE = delete(_tags).where(_OF_REPOSITORY, _tags.c.name == bindparam("tag"))


def pushed_tags(images: Sequence[TaggedImage]) -> dict[str, str]:
    """Tag to image id, as a push's entries name them (the last entry naming a tag wins)."""
    return {image.Tag: image.id for image in images if image.Tag}


class TagService:
    def __init__(self, session: DatabaseSession) -> None:
        self._session = session

    def recorded(
        self, repository: RepositoryName, tags: dict[str, str], updater: str | None
    ) -> list[TagsWritten]:
        """The statement recording ``tags`` (tag to image id) for ``repository``, pushed now
        by ``updater``; none when there are none."""
        if not tags:
            return []
        statement = _UPSERTS[self._session.get_bind().dialect.name]
        parameters = {
            "namespace": repository.namespace,
            "name": repository.name,
            "tags": json.dumps(tags),
            "now": datetime.now(UTC),
            "updater": updater,
        }
        return [TagsWritten(statement, parameters)]

    async def page(self, repository: RepositoryName, page: int, size: int) -> TagPage:
        """The repository's tags, the last pushed first: page ``page`` of ``size``."""
        named = _parameters(repository)
        count = await self._session.scalar(_COUNT, named)
        rows = await self._session.execute(
            _PAGE, {**named, "limit": size, "offset": (page - 1) * size}
        )
        return TagPage([_record(row) for row in rows], count or 0)

    async def last_pushed(self, repository: RepositoryName) -> str | None:
        """The tag pushed last, if the repository has any."""
        rows = await self._session.execute(
            _PAGE, {**_parameters(repository), "limit": 1, "offset": 0}
        )
        return next((_record(row).name for row in rows), None)

    async def get(self, repository: RepositoryName, tag: str) -> TagRecord | None:
        row = (await self._session.execute(_ONE, {**_parameters(repository), "tag": tag})).first()
        return None if row is None else _record(row)

    async def delete(self, repository: RepositoryName, tag: str) -> bool:
        """Forget ``tag``; whether there was one. The image it named stays in the
        repository's list: other tags may name it, and the registry's layers are the list's."""
        deleted = await self._session.execute(_DELETE, {**_parameters(repository), "tag": tag})
        return bool(deleted.rowcount)  # type: ignore[attr-defined]


def _record(row: Any) -> TagRecord:
    name, image_id, last_updated, last_updater = row
    return TagRecord(name, image_id, aware(last_updated) or last_updated, last_updater)


def _parameters(repository: RepositoryName) -> dict[str, str]:
    return {"namespace": repository.namespace, "name": repository.name}
