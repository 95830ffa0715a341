"""Repositories and the image lists recorded for them.

The statements are built once, at import, and run with parameters: SQLAlchemy then only looks
their compiled form up in its cache, and a read answers plain rows, no ORM objects.
"""

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple, Protocol, TypeVar

from sqlalchemy import (
    JSON,
    ColumnElement,
    Insert,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from server.auth import RepositoryName
from server.errors import NotFound, RepositoryFull
from server.storage.database import DatabaseSession
from server.storage.inline import InlineSession
from server.storage.prepared import plain_read, prepared
from server.storage.tables import Image, Repository
from server.storage.threaded import WriteTransaction

T = TypeVar("T")


class ImageRecord(NamedTuple):
    """An image id of a repository, with the checksum the registry computed, once known.

    A named tuple, not a dataclass: an image list has thousands of them, and a tuple is made
    at a fraction of the cost."""

    id: str
    checksum: str | None = None


class RepositoryService(Protocol):
    async def create(self, repository: RepositoryName, images: list[ImageRecord]) -> None:
        """Create the repository unless it exists, and record the images."""

    async def delete(self, repository: RepositoryName) -> None:
        """Delete the repository and its image list; NotFound if there is none."""

    async def exists(self, repository: RepositoryName) -> bool: ...

    async def images(self, repository: RepositoryName) -> list[ImageRecord]:
        """The repository's images in id order; NotFound if there is no such repository."""

    async def images_json(self, repository: RepositoryName) -> bytes:
        """The repository's images in id order, encoded as the spec's ImageRecordList
        (``[{"id": ..., "checksum": ...}]``, no checksum where none is known yet) by the
        database itself; NotFound if there is no such repository."""

    async def checksums(
        self, repository: RepositoryName, ids: Collection[str]
    ) -> dict[str, str | None]:
        """The checksum of each of ``ids`` the repository has (None: not known yet); NotFound
        if there is no such repository."""

    async def put_images(
        self,
        repository: RepositoryName,
        images: list[ImageRecord],
        *,
        current: Mapping[str, str | None] | None = None,
    ) -> None:
        """Merge images by id: new ids are added, a given checksum replaces an older one.

        ``current``: what ``checksums`` answered for these images, when the caller has it;
        what the repository holds already is not written again, so a push repeated writes
        nothing."""


_repositories = Repository.__table__
_images = Image.__table__
_named = (
    _repositories.c.namespace == bindparam("namespace"),
    _repositories.c.name == bindparam("name"),
)

_FIND = plain_read(select(_repositories.c.id).where(*_named))
_DELETE = delete(_repositories).where(*_named).returning(_repositories.c.id)
# The images in id order; a repository without any is one row of NULLs, a missing one no row.
_IMAGES = prepared(
    select(_images.c.image_id, _images.c.checksum)
    .select_from(_repositories.outerjoin(_images, _images.c.repository_id == _repositories.c.id))
    .where(*_named)
    .order_by(_images.c.image_id)
)


_REPOSITORY_ID = select(_repositories.c.id).where(*_named).scalar_subquery()
_COUNT = select(func.count()).select_from(_images).where(_images.c.repository_id == _REPOSITORY_ID)
# PostgreSQL: taken before images are added, so that two merges adding images to one
# repository count them one after the other. It does not conflict with the upserts' FOR KEY
# SHARE: a merge that only records checksums does not wait.
_LOCK_FOR_ADDING = select(_repositories.c.id).where(*_named).with_for_update(key_share=True)

# The image list as JSON, built by the database from the rows: a list of 10,000 is one value,
# which neither the event loop nor pydantic takes apart. One row for an existing repository
# (an empty one: []), none for a missing one.
_IMAGES_JSON = {
    # The inner query walks the primary key (repository_id, image_id): in id order.
    "sqlite": text(
        "SELECT (SELECT coalesce(json_group_array(json(entry)), '[]') FROM ("
        "  SELECT CASE WHEN checksum IS NULL THEN json_object('id', image_id)"
        "  ELSE json_object('id', image_id, 'checksum', checksum) END AS entry"
        "  FROM images WHERE repository_id = repositories.id ORDER BY image_id))"
        " FROM repositories WHERE namespace = :namespace AND name = :name"
    ),
    "postgresql": text(
        "SELECT '[' || coalesce((SELECT string_agg(json_strip_nulls(json_build_object("
        "    'id', image_id, 'checksum', checksum))::text, ',' ORDER BY image_id)"
        "  FROM images WHERE repository_id = repositories.id), '') || ']'"
        " FROM repositories WHERE namespace = :namespace AND name = :name"
    ),
}


def _checksums(named_ids: ColumnElement[bool]) -> Select:
    """Some of its images: as _IMAGES, for the ids ``named_ids`` names."""
    return (
        select(_images.c.image_id, _images.c.checksum)
        .select_from(
            _repositories.outerjoin(
                _images, and_(_images.c.repository_id == _repositories.c.id, named_ids)
            )
        )
        .where(*_named)
    )


# The ids in one parameter, so that the statement is the same for any number of them: prepared
# once on SQLite (a JSON array, which json_each() lists), planned once by PostgreSQL (an array).
_ids_listed = func.json_each(bindparam("ids", type_=JSON)).table_valued("value")
_CHECKSUMS = {
    "sqlite": prepared(_checksums(_images.c.image_id.in_(select(_ids_listed.c.value)))),
    "postgresql": plain_read(
        prepared(
            _checksums(_images.c.image_id == any_(bindparam("ids", type_=postgresql.ARRAY(Text))))
        )
    ),
}


# The same on SQLite's writer thread, whose plans take parameters as the driver does (the
# ids' JSON array as text).
_CHECKSUMS_IN_WRITER = _checksums(
    _images.c.image_id.in_(select(func.json_each(bindparam("ids")).table_valued("value").c.value))
)


@dataclass(frozen=True, slots=True)
class _Upserts:
    """The INSERT ... ON CONFLICT statements, in one dialect's construct (both speak it)."""

    repository: Insert
    images: Insert

    @classmethod
    def of(cls, insert) -> "_Upserts":
        repository = insert(_repositories).values(
            namespace=bindparam("namespace"), name=bindparam("name"), description=""
        )
        # One image of the named repository, run once per image (executemany). PostgreSQL:
        # FOR KEY SHARE keeps a concurrent delete from removing the repository's row before
        # its images are written; the delete waits for the commit, or has removed the row and
        # nothing is written. SQLite's writes are serialized already (it renders no lock).
        images = insert(_images).from_select(
            ["repository_id", "image_id", "checksum"],
            select(
                _repositories.c.id,
                bindparam("image_id", type_=_images.c.image_id.type),
                bindparam("checksum", type_=_images.c.checksum.type),
            )
            .where(*_named)
            .with_for_update(read=True, key_share=True),
        )
        return cls(
            # DO UPDATE (of nothing) rather than DO NOTHING: it locks the row of a repository
            # that exists already until commit, so a concurrent delete waits.
            repository=repository.on_conflict_do_update(
                index_elements=["namespace", "name"], set_={"name": repository.excluded.name}
            ),
            images=prepared(
                images.on_conflict_do_update(
                    index_elements=["repository_id", "image_id"],
                    set_={"checksum": func.coalesce(images.excluded.checksum, _images.c.checksum)},
                ).execution_options(preserve_rowcount=True)  # the rows written tell NotFound
            ),
        )


_UPSERTS = {"postgresql": _Upserts.of(postgresql.insert), "sqlite": _Upserts.of(sqlite.insert)}


class JsonReader(Protocol):
    """Runs a read of one JSON value elsewhere than on the event loop (SQLite's threads)."""

    async def json(self, statement: Any, parameters: dict[str, Any]) -> str | None: ...


class Writer(Protocol):
    """Runs a write as one transaction elsewhere than on the event loop (SQLite's thread)."""

    async def run(self, work: Callable[[WriteTransaction], T]) -> T: ...


# A write of this many images or more runs on SQLite's writer thread (server.storage.threaded):
# 10,000 upserts held the loop ~280 ms. Fewer stay inline, where a push's write costs least.
LARGE_WRITE_ROWS = 500


class DatabaseRepositoryService:
    def __init__(
        self,
        session: DatabaseSession,
        *,
        max_images: int | None = None,
        reader: JsonReader | None = None,
        writer: Writer | None = None,
    ) -> None:
        self._session = session
        self._max_images = max_images
        self._reader = reader
        self._writer = writer

    async def create(self, repository: RepositoryName, images: list[ImageRecord]) -> None:
        upserts = self._upserts()
        checksums = _merged(images)
        if self._writer is not None and await self._hands_off(len(checksums)):
            rows = _rows(repository, checksums)
            await self._writer.run(partial(_create_in, upserts, repository, rows, self._max_images))
            return
        await self._session.execute(upserts.repository, _parameters(repository))
        await self._merge(upserts, repository, checksums)

    async def delete(self, repository: RepositoryName) -> None:
        # On SQLite's writer thread whatever its size: a repository of 10,000 images takes
        # their rows with it (ON DELETE CASCADE), which held the loop for as long as a PUT.
        if self._writer is not None and await self._hands_off(LARGE_WRITE_ROWS):
            deleted = await self._writer.run(partial(_delete_in, repository))
        else:
            deleted = await self._session.scalar(_DELETE, _parameters(repository))
        if deleted is None:
            raise NotFound(f"repository {repository} not found")

    async def exists(self, repository: RepositoryName) -> bool:
        return await self._session.scalar(_FIND, _parameters(repository)) is not None

    async def images(self, repository: RepositoryName) -> list[ImageRecord]:
        rows = (await self._session.execute(_IMAGES, _parameters(repository))).all()
        if not rows:
            raise NotFound(f"repository {repository} not found")
        if rows[0][0] is None:
            return []
        return list(map(ImageRecord._make, rows))

    async def images_json(self, repository: RepositoryName) -> bytes:
        statement = _IMAGES_JSON[self._session.get_bind().dialect.name]
        parameters = _parameters(repository)
        if self._reader is not None:
            encoded = await self._reader.json(statement, parameters)
        else:
            encoded = (await self._session.execute(statement, parameters)).scalar()
        if encoded is None:
            raise NotFound(f"repository {repository} not found")
        return encoded.encode()

    async def checksums(
        self, repository: RepositoryName, ids: Collection[str]
    ) -> dict[str, str | None]:
        parameters = {**_parameters(repository), "ids": list(ids)}
        statement = _CHECKSUMS[self._session.get_bind().dialect.name]
        rows = (await self._session.execute(statement, parameters)).all()
        if not rows:
            raise NotFound(f"repository {repository} not found")
        return {image_id: checksum for image_id, checksum in rows if image_id is not None}

    async def put_images(
        self,
        repository: RepositoryName,
        images: list[ImageRecord],
        *,
        current: Mapping[str, str | None] | None = None,
    ) -> None:
        checksums = _merged(images)
        if self._writer is not None and await self._hands_off(len(checksums)):
            # Compared and written on SQLite's writer thread, in one transaction.
            work = partial(
                _put_in,
                self._upserts(),
                repository,
                checksums,
                current=current,
                limit=self._max_images,
            )
            await self._writer.run(work)
            return
        if current is None and len(checksums) >= LARGE_WRITE_ROWS:
            current = await self.checksums(repository, checksums)
        adds = True
        if current is not None:  # the repository exists: its checksums were read
            checksums, adds = _unwritten(checksums, current)
        elif not checksums and not await self.exists(repository):
            raise NotFound(f"repository {repository} not found")
        await self._merge(self._upserts(), repository, checksums, adds=adds)

    def _upserts(self) -> _Upserts:
        return _UPSERTS[self._session.get_bind().dialect.name]

    async def _merge(
        self,
        upserts: _Upserts,
        repository: RepositoryName,
        checksums: dict[str, str | None],
        *,
        adds: bool = True,
    ) -> None:
        """Upserts, safe under concurrent merges: no id is lost, no checksum forgotten.

        NotFound unless every image was written: there is no repository to write them to, or
        (PostgreSQL) it was deleted and created again between two of the upserts, which must
        not leave some of the images in the new one: the unit of work then rolls back.
        RepositoryFull when new ids (``adds``: some may be new) take the repository past its
        limit: the unit of work rolls back too."""
        if not checksums:
            return
        dialect = self._session.get_bind().dialect.name
        counted = adds and self._max_images is not None
        rows = _rows(repository, checksums)
        if self._writer is not None and await self._hands_off(len(rows)):
            limit = self._max_images if counted else None
            await self._writer.run(partial(_merge_in, upserts, repository, rows, limit))
            return
        if counted and dialect == "postgresql":
            await self._session.execute(_LOCK_FOR_ADDING, _parameters(repository))
        written = await self._session.execute(upserts.images, rows)
        if written.rowcount != len(rows):  # an upsert writes one row, inserted or updated
            raise NotFound(f"repository {repository} not found")
        if counted:
            held = await self._session.scalar(_COUNT, _parameters(repository))
            assert self._max_images is not None
            if held > self._max_images:
                raise RepositoryFull(repository, held, self._max_images)

    async def _hands_off(self, rows: int) -> bool:
        """Whether a write of ``rows`` rows goes to SQLite's writer thread: it is large, and
        this unit, having written nothing, has ended its transaction to let it have the
        write lock."""
        session = self._session
        return (
            rows >= LARGE_WRITE_ROWS
            and isinstance(session, InlineSession)
            and await session.release_unwritten()
        )


def _rows(repository: RepositoryName, checksums: dict[str, str | None]) -> list[dict[str, Any]]:
    """The upserts' parameters, in id order, so that two merges into one repository take
    their row locks (PostgreSQL) alike."""
    named = _parameters(repository)
    return [
        {**named, "image_id": image_id, "checksum": checksums[image_id]}
        for image_id in sorted(checksums)
    ]


# The same writes, on SQLite's writer thread: each is the whole of its transaction.


def _create_in(
    upserts: _Upserts,
    repository: RepositoryName,
    rows: list[dict[str, Any]],
    limit: int | None,
    transaction: WriteTransaction,
) -> None:
    transaction.execute(upserts.repository, _parameters(repository))
    if rows:
        _merge_in(upserts, repository, rows, limit, transaction)


def _merge_in(
    upserts: _Upserts,
    repository: RepositoryName,
    rows: list[dict[str, Any]],
    limit: int | None,
    transaction: WriteTransaction,
) -> None:
    """As DatabaseRepositoryService._merge (``limit``: counted against it, None: not)."""
    if transaction.execute(upserts.images, rows).rowcount != len(rows):
        raise NotFound(f"repository {repository} not found")
    if limit is not None:
        held = transaction.execute(_COUNT, _parameters(repository)).scalar()
        if held > limit:
            raise RepositoryFull(repository, held, limit)


def _put_in(
    upserts: _Upserts,
    repository: RepositoryName,
    checksums: dict[str, str | None],
    transaction: WriteTransaction,
    *,
    current: Mapping[str, str | None] | None,
    limit: int | None,
) -> None:
    """As DatabaseRepositoryService.put_images, ``current`` read in this transaction unless
    the caller has it."""
    if current is None:
        parameters = {**_parameters(repository), "ids": json.dumps(list(checksums))}
        found = transaction.execute(_CHECKSUMS_IN_WRITER, parameters).all()
        if not found:
            raise NotFound(f"repository {repository} not found")
        current = {image_id: checksum for image_id, checksum in found if image_id is not None}
    checksums, adds = _unwritten(checksums, current)
    if checksums:
        rows = _rows(repository, checksums)
        _merge_in(upserts, repository, rows, limit if adds else None, transaction)


def _unwritten(
    checksums: dict[str, str | None], current: Mapping[str, str | None]
) -> tuple[dict[str, str | None], bool]:
    """What of ``checksums`` the repository, holding ``current``, does not hold yet; and
    whether that adds images (or only records checksums)."""
    unwritten = {
        image_id: checksum
        for image_id, checksum in checksums.items()
        if image_id not in current or checksum not in (None, current[image_id])
    }
    return unwritten, any(image_id not in current for image_id in unwritten)


def _delete_in(repository: RepositoryName, transaction: WriteTransaction) -> int | None:
    deleted: int | None = transaction.execute(_DELETE, _parameters(repository)).scalar()
    return deleted


def _merged(images: list[ImageRecord]) -> dict[str, str | None]:
    """One checksum per id: the last one given, or None if none was."""
    checksums: dict[str, str | None] = {}
    for image in images:
        checksums[image.id] = image.checksum or checksums.get(image.id)
    return checksums


def _parameters(repository: RepositoryName) -> dict[str, str]:
    return {"namespace": repository.namespace, "name": repository.name}
