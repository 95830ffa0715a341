"""Repositories and the image lists recorded for them.

The statements are built once, at import, and run with parameters: SQLAlchemy then only looks
their compiled form up in its cache, and a read answers plain rows, no ORM objects.
"""

import json
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple, Protocol, TypeVar

from sqlalchemy import (
    JSON,
    ColumnElement,
    Insert,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from server.auth import RepositoryName
from server.errors import NotFound, RepositoryFull
from server.services.permissions import visible_to
from server.storage.database import DatabaseSession
from server.storage.inline import InlineSession
from server.storage.prepared import plain_read, prepared
from server.storage.tables import DelistedImage, Image, Repository, RepositoryTombstone
from server.storage.threaded import WriteTransaction
from server.workers import WorkerThreads

T = TypeVar("T")


class ImageRecord(NamedTuple):
    """An image id of a repository, with the checksum the registry computed, once known.

    A named tuple, not a dataclass: an image list has thousands of them, and a tuple is made
    at a fraction of the cost."""

    id: str
    checksum: str | None = None


class PushedImage(Protocol):
    """What a write takes of each image: an ImageRecord, or a request's entry as it is (a
    list of 10,000 is not copied into records on the event loop first)."""

    @property
    def id(self) -> str: ...

    @property
    def checksum(self) -> str | None: ...


class RepositoryService(Protocol):
    async def create(
        self,
        repository: RepositoryName,
        images: Sequence[PushedImage],
        *,
        also: Sequence["AlsoWritten"] = (),
        if_created: Sequence["AlsoWritten"] = (),
    ) -> None:
        """Create the repository unless it exists, and record the images. ``also``: written
        after them, in the same transaction (the push's tags); ``if_created``: written after
        the repository's row, in the same transaction, each given the parameter ``instance``:
        the instance a new repository is made with (which a repository that existed does not
        have: the creation's audit event tells them apart)."""

    async def delete(
        self,
        repository: RepositoryName,
        *,
        tombstone_until: datetime | None = None,
        also: Sequence["AlsoWritten"] = (),
    ) -> int:
        """Delete the repository and its image list, recording the ids the list held as
        delisted (server.services.orphans); the deleted instance. NotFound if there is none.
        ``tombstone_until``: leave a tombstone of the list until then (its delete token's
        expiry); None: leave none. ``also``: written first, in the same transaction
        (the deletion's webhook deliveries)."""

    async def tombstone_json(self, repository: RepositoryName, instance: int) -> bytes:
        """The image list the deleted repository ``instance`` held, encoded as images_json
        encodes it; NotFound if it left no tombstone (or it has expired)."""

    async def instance(self, repository: RepositoryName) -> int | None:
        """The live instance of the repository of that name; None if there is none."""

    async def lists_image(self, image_id: str, *, reader: int = 0, private: bool = True) -> bool:
        """Whether a repository account ``reader`` (0: anonymous) may read lists ``image_id``
        (``private``: whether its private repositories count: see
        server.services.permissions.visible_to)."""
        """Whether any repository lists ``image_id``."""

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
        images: Sequence[PushedImage],
        *,
        current: Mapping[str, str | None] | None = None,
        also: Sequence["AlsoWritten"] = (),
        if_changed: Sequence["AlsoWritten"] = (),
    ) -> None:
        """Merge images by id: new ids are added, a given checksum replaces an older one.
        ``also``: written after them, in the same transaction (the push's webhook deliveries);
        ``if_changed``: the same, only when the push changes what the repository holds (its
        audit event: a push repeated writes nothing, and records nothing).

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
_INSTANCE = plain_read(prepared(select(_repositories.c.instance).where(*_named)))
_DELETE = delete(_repositories).where(*_named).returning(_repositories.c.instance)
_tombstones = RepositoryTombstone.__table__
_BURY = insert(_tombstones).values(
    instance=bindparam("instance"),
    namespace=bindparam("namespace"),
    name=bindparam("name"),
    images=bindparam("images"),
    expires_at=bindparam("expires_at", type_=_tombstones.c.expires_at.type),
)
_PURGE = delete(_tombstones).where(
    _tombstones.c.expires_at < bindparam("now", type_=_tombstones.c.expires_at.type)
)
_TOMBSTONE_IMAGES = plain_read(
    select(_tombstones.c.images).where(
        _tombstones.c.instance == bindparam("instance"),
        _tombstones.c.namespace == bindparam("namespace"),
        _tombstones.c.name == bindparam("name"),
        _tombstones.c.expires_at > bindparam("now", type_=_tombstones.c.expires_at.type),
    )
)
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
# PostgreSQL: taken by a delete that leaves a tombstone before it reads the list, so that no
# merge adds an image between (it waits, then finds no repository).
_LOCK_FOR_DELETE = select(_repositories.c.id).where(*_named).with_for_update()

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
# once on SQLite (a JSON array, which json_each() lists), planned once by PostgreSQL.
_ids_listed = func.json_each(bindparam("ids", type_=JSON)).table_valued("value")
# PostgreSQL: their JSON array too, as text, whatever their number: psycopg writes a list as
# an array in Python, element by element (100 ids: most of a repeated PUT's CPU after the
# body's checks; 10,000 held the loop for tens of ms).
_CHECKSUMS_LISTED = plain_read(
    prepared(
        _checksums(
            _images.c.image_id.in_(
                select(
                    func.json_array_elements_text(cast(bindparam("ids", type_=Text), JSON))
                    .table_valued("value")
                    .c.value
                )
            )
        )
    )
)


_CHECKSUMS = {
    "sqlite": prepared(_checksums(_images.c.image_id.in_(select(_ids_listed.c.value)))),
    "postgresql": _CHECKSUMS_LISTED,
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
    # The same for a whole list in one statement, its images in one parameter: a JSON object
    # of id to checksum (_LISTED).
    images_listed: Insert

    @classmethod
    def of(cls, insert, listed: Any) -> "_Upserts":
        repository = insert(_repositories).values(
            namespace=bindparam("namespace"),
            name=bindparam("name"),
            description="",
            instance=bindparam("instance", type_=_repositories.c.instance.type),
            is_private=bindparam("is_private", type_=_repositories.c.is_private.type),
        )
        return cls(
            # DO UPDATE (of nothing) rather than DO NOTHING: it locks the row of a repository
            # that exists already until commit, so a concurrent delete waits.
            repository=repository.on_conflict_do_update(
                index_elements=["namespace", "name"], set_={"name": repository.excluded.name}
            ),
            images=prepared(
                _merging(
                    insert,
                    bindparam("image_id", type_=_images.c.image_id.type),
                    bindparam("checksum", type_=_images.c.checksum.type),
                )
            ),
            images_listed=prepared(_merging(insert, listed.c.image_id, listed.c.checksum)),
        )


def _merging(insert: Any, image_id: Any, checksum: Any) -> Insert:
    """Images of the named repository, upserted: one per run (executemany) for bind
    parameters, the rows of a table-valued function otherwise. PostgreSQL: FOR KEY SHARE keeps
    a concurrent delete from removing the repository's row before its images are written; the
    delete waits for the commit, or has removed the row and nothing is written. SQLite's writes
    are serialized already (it renders no lock)."""
    source = select(_repositories.c.id, image_id, checksum).where(*_named)
    images = insert(_images).from_select(
        ["repository_id", "image_id", "checksum"],
        source.with_for_update(read=True, key_share=True, of=_repositories),
    )
    return images.on_conflict_do_update(
        index_elements=["repository_id", "image_id"],
        set_={"checksum": func.coalesce(images.excluded.checksum, _images.c.checksum)},
    ).execution_options(preserve_rowcount=True)  # the rows written tell NotFound


# A list's ids and checksums as one statement takes them: one JSON object of id to checksum
# (null: none given), in id order (two merges into one repository take their row locks alike
# on PostgreSQL), which the database takes apart. Not arrays: psycopg writes a list as an
# array literal in Python, element by element (10,000 ids held the loop for tens of ms).
_LISTED = {
    dialect: select(
        literal_column("key").label("image_id"), literal_column("value").label("checksum")
    )
    .select_from(listed)
    .subquery("listed")
    for dialect, listed in (
        ("postgresql", func.json_each_text(cast(bindparam("checksums", type_=Text), JSON))),
        ("sqlite", func.json_each(bindparam("checksums"))),
    )
}


def _listed(checksums: dict[str, str | None]) -> dict[str, str]:
    """``checksums`` as the listed upserts take them."""
    return {"checksums": _encoded(checksums)}


# Entries per call of json.dumps: one call holds the interpreter for its whole length (10,000
# images: several ms), and the event loop's thread waits for it meanwhile.
_ENCODE_SLICE = 500


def _encoded(value: dict[str, str | None] | list[str]) -> str:
    """``json.dumps(value)``, a slice of entries at a time."""
    if len(value) <= _ENCODE_SLICE:
        return json.dumps(value)
    if isinstance(value, list):
        parts = (value[at : at + _ENCODE_SLICE] for at in range(0, len(value), _ENCODE_SLICE))
        return "[" + ", ".join(json.dumps(part)[1:-1] for part in parts) + "]"
    items = list(value.items())
    slices = (dict(items[at : at + _ENCODE_SLICE]) for at in range(0, len(items), _ENCODE_SLICE))
    return "{" + ", ".join(json.dumps(part)[1:-1] for part in slices) + "}"


# Python's share of a large write on PostgreSQL (merging 10,000 entries by id, comparing,
# encoding: tens of ms) runs here, not on the event loop; SQLite's writer thread does its own
# (inline, a unit of SQLite that has written cannot await: server.storage.inline).
_LIST_WORK = WorkerThreads(1, "hubindex-lists", niceness=0)


_UPSERTS = {
    "postgresql": _Upserts.of(postgresql.insert, _LISTED["postgresql"]),
    "sqlite": _Upserts.of(sqlite.insert, _LISTED["sqlite"]),
}

_delisted = DelistedImage.__table__


def _delisting(insert: Any) -> Insert:
    """Every id of the named repository's list recorded as delisted now (one statement, run
    by a deletion before it deletes the list): server.services.orphans."""
    # In id order: two deletions of instances that list the same ids take those ids' entries
    # in one order, never each waiting on the other's (a deadlock on PostgreSQL).
    listed = (
        select(_images.c.image_id, bindparam("now", type_=_delisted.c.last_listed.type))
        .where(_images.c.repository_id == _REPOSITORY_ID)
        .order_by(_images.c.image_id)
    )
    statement = insert(_delisted).from_select(["image_id", "last_listed"], listed)
    return statement.on_conflict_do_update(
        index_elements=["image_id"], set_={"last_listed": statement.excluded.last_listed}
    )


_DELIST = {"postgresql": _delisting(postgresql.insert), "sqlite": _delisting(sqlite.insert)}


class AlsoWritten(Protocol):
    """A statement to run in the transaction of a write (server.services.webhook_outbox)."""

    @property
    def statement(self) -> Any: ...

    @property
    def parameters(self) -> dict[str, Any]: ...


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
        private_by_default: bool = False,
    ) -> None:
        self._session = session
        self._private_by_default = private_by_default
        self._max_images = max_images
        self._reader = reader
        self._writer = writer

    async def create(
        self,
        repository: RepositoryName,
        images: Sequence[PushedImage],
        *,
        also: Sequence[AlsoWritten] = (),
        if_created: Sequence[AlsoWritten] = (),
    ) -> None:
        private = self._private_by_default
        upserts = self._upserts()
        if self._writer is not None and await self._hands_off(len(images)):
            work = partial(
                _create_in,
                upserts,
                repository,
                private,
                images,
                self._max_images,
                also=also,
                if_created=if_created,
            )
            await self._writer.run(work)
            return
        checksums = await self._off_loop(len(images), _merged, images)
        created = _created(repository, private)
        await self._session.execute(upserts.repository, created)
        for written in if_created:
            parameters = {**written.parameters, "instance": created["instance"]}
            await self._session.execute(written.statement, parameters)
        await self._merge(upserts, repository, checksums, also=also)

    async def delete(
        self,
        repository: RepositoryName,
        *,
        tombstone_until: datetime | None = None,
        also: Sequence[AlsoWritten] = (),
    ) -> int:
        # On SQLite's writer thread whatever its size: a repository of 10,000 images takes
        # their rows with it (ON DELETE CASCADE), which held the loop for as long as a PUT.
        if self._writer is not None and await self._hands_off(LARGE_WRITE_ROWS):
            work = partial(_delete_in, repository, tombstone_until, also)
            return await self._writer.run(work)
        parameters = _parameters(repository)
        images = None
        dialect = self._session.get_bind().dialect.name
        # PostgreSQL: the row locked first, so that no image is added between the list read
        # for the tombstone, or recorded as delisted, and the delete; and before ``also``,
        # whose rows referring to it take a share of its lock: two deletes that each held a
        # share and then asked for the whole lock waited for each other (a deadlock, 503).
        # Nothing to lock is a 404 at once: the statements below would find by its name
        # whatever another request created meanwhile, unlocked.
        if (
            dialect == "postgresql"
            and (await self._session.execute(_LOCK_FOR_DELETE, parameters)).first() is None
        ):
            raise NotFound(f"repository {repository} not found")
        for written in also:
            await self._session.execute(written.statement, written.parameters)
        if tombstone_until is not None:
            images = (await self._session.execute(_IMAGES_JSON[dialect], parameters)).scalar()
        await self._session.execute(_DELIST[dialect], {**parameters, "now": _now()})
        instance = await self._session.scalar(_DELETE, parameters)
        if instance is None:
            raise NotFound(f"repository {repository} not found")
        if tombstone_until is not None:
            await self._session.execute(_PURGE, {"now": _now()})
            bury = {**parameters, "instance": instance, "images": images}
            await self._session.execute(_BURY, {**bury, "expires_at": tombstone_until})
        return int(instance)

    async def tombstone_json(self, repository: RepositoryName, instance: int) -> bytes:
        parameters = {**_parameters(repository), "instance": instance, "now": _now()}
        images = await self._session.scalar(_TOMBSTONE_IMAGES, parameters)
        if images is None:
            raise NotFound(f"repository {repository} not found")
        return str(images).encode()

    async def instance(self, repository: RepositoryName) -> int | None:
        found = await self._session.scalar(_INSTANCE, _parameters(repository))
        return None if found is None else int(found)

    async def exists(self, repository: RepositoryName) -> bool:
        return await self._session.scalar(_FIND, _parameters(repository)) is not None

    async def lists_image(self, image_id: str, *, reader: int = 0, private: bool = True) -> bool:
        listing = _images.join(_repositories, _repositories.c.id == _images.c.repository_id)
        statement = (
            select(_images.c.image_id)
            .select_from(listing)
            .where(_images.c.image_id == image_id, visible_to(reader, private=private))
            .limit(1)
        )
        return await self._session.scalar(statement) is not None

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
        parameters: dict[str, Any] = {**_parameters(repository), "ids": list(ids)}
        statement = _CHECKSUMS[self._session.get_bind().dialect.name]
        if statement is _CHECKSUMS_LISTED:
            parameters["ids"] = await self._off_loop(len(ids), _encoded, parameters["ids"])
        rows = (await self._session.execute(statement, parameters)).all()
        if not rows:
            raise NotFound(f"repository {repository} not found")
        return {image_id: checksum for image_id, checksum in rows if image_id is not None}

    async def put_images(
        self,
        repository: RepositoryName,
        images: Sequence[PushedImage],
        *,
        current: Mapping[str, str | None] | None = None,
        also: Sequence[AlsoWritten] = (),
        if_changed: Sequence[AlsoWritten] = (),
    ) -> None:
        if self._writer is not None and await self._hands_off(len(images)):
            # Merged, compared and written on SQLite's writer thread, in one transaction.
            work = partial(
                _put_in,
                self._upserts(),
                repository,
                images,
                current=current,
                limit=self._max_images,
                also=also,
                if_changed=if_changed,
            )
            await self._writer.run(work)
            return
        checksums = await self._off_loop(len(images), _merged, images)
        if current is None and len(checksums) >= LARGE_WRITE_ROWS:
            current = await self.checksums(repository, checksums)
        adds = True
        if current is not None:  # the repository exists: its checksums were read
            checksums, adds = await self._off_loop(len(checksums), _unwritten, checksums, current)
        elif not checksums and not await self.exists(repository):
            raise NotFound(f"repository {repository} not found")
        if checksums:
            also = [*also, *if_changed]
        await self._merge(self._upserts(), repository, checksums, adds=adds, also=also)

    async def _off_loop(self, rows: int, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)``, on a worker thread for ``rows`` of a large write on
        PostgreSQL; here otherwise."""
        if rows >= LARGE_WRITE_ROWS and not isinstance(self._session, InlineSession):
            return await _LIST_WORK.run(function, *args)
        return function(*args)

    def _upserts(self) -> _Upserts:
        return _UPSERTS[self._session.get_bind().dialect.name]

    async def _merge(
        self,
        upserts: _Upserts,
        repository: RepositoryName,
        checksums: dict[str, str | None],
        *,
        adds: bool = True,
        also: Sequence[AlsoWritten] = (),
    ) -> None:
        """Upserts, safe under concurrent merges: no id is lost, no checksum forgotten; then
        ``also``, in the same transaction.

        NotFound unless every image was written: there is no repository to write them to, or
        (PostgreSQL) it was deleted and created again between two of the upserts, which must
        not leave some of the images in the new one: the unit of work then rolls back.
        RepositoryFull when new ids (``adds``: some may be new) take the repository past its
        limit: the unit of work rolls back too."""
        if not checksums:
            for written in also:
                await self._session.execute(written.statement, written.parameters)
            return
        dialect = self._session.get_bind().dialect.name
        counted = adds and self._max_images is not None
        if self._writer is not None and await self._hands_off(len(checksums)):
            limit = self._max_images if counted else None
            work = partial(_merge_in, upserts, repository, checksums, limit, also=also)
            await self._writer.run(work)
            return
        if counted and dialect == "postgresql":
            await self._session.execute(_LOCK_FOR_ADDING, _parameters(repository))
        if dialect == "postgresql":
            # One statement, whatever the number of images: 10,000 upserts run one by one
            # (executemany) held the event loop for their parameters and round trips.
            listed = await self._off_loop(len(checksums), _listed_in_id_order, checksums)
            parameters = {**_parameters(repository), **listed}
            written = await self._session.execute(upserts.images_listed, parameters)
        else:  # SQLite inline: a few images (LARGE_WRITE_ROWS), each upsert microseconds
            written = await self._session.execute(upserts.images, _rows(repository, checksums))
        if written.rowcount != len(checksums):  # an upsert writes one row, inserted or updated
            raise NotFound(f"repository {repository} not found")
        if counted:
            held = await self._session.scalar(_COUNT, _parameters(repository))
            assert self._max_images is not None
            if held > self._max_images:
                raise RepositoryFull(repository, held, self._max_images)
        for written in also:
            await self._session.execute(written.statement, written.parameters)

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


def _in_id_order(checksums: dict[str, str | None]) -> dict[str, str | None]:
    """As :func:`_rows` orders them."""
    return {image_id: checksums[image_id] for image_id in sorted(checksums)}


def _listed_in_id_order(checksums: dict[str, str | None]) -> dict[str, str]:
    return _listed(_in_id_order(checksums))


# The same writes, on SQLite's writer thread: each is the whole of its transaction.


def _create_in(  # noqa: PLR0917 (bound with functools.partial)
    upserts: _Upserts,
    repository: RepositoryName,
    private: bool,
    images: Sequence[PushedImage],
    limit: int | None,
    transaction: WriteTransaction,
    *,
    also: Sequence[AlsoWritten] = (),
    if_created: Sequence[AlsoWritten] = (),
) -> None:
    created = _created(repository, private)
    transaction.execute(upserts.repository, created)
    for written in if_created:
        transaction.execute(
            written.statement, {**written.parameters, "instance": created["instance"]}
        )
    checksums = _merged(images)
    if checksums:
        _merge_in(upserts, repository, checksums, limit, transaction, also=also)
    else:
        for written in also:
            transaction.execute(written.statement, written.parameters)


def _merge_in(
    upserts: _Upserts,
    repository: RepositoryName,
    checksums: dict[str, str | None],
    limit: int | None,
    transaction: WriteTransaction,
    *,
    also: Sequence[AlsoWritten] = (),
) -> None:
    """As DatabaseRepositoryService._merge (``limit``: counted against it, None: not), in one
    statement: no Python runs per image while SQLite writes them."""
    parameters = {**_parameters(repository), **_listed(checksums)}
    if transaction.execute(upserts.images_listed, parameters).rowcount != len(checksums):
        raise NotFound(f"repository {repository} not found")
    if limit is not None:
        held = transaction.execute(_COUNT, _parameters(repository)).scalar()
        if held > limit:
            raise RepositoryFull(repository, held, limit)
    for written in also:
        transaction.execute(written.statement, written.parameters)


def _put_in(
    upserts: _Upserts,
    repository: RepositoryName,
    images: Sequence[PushedImage],
    transaction: WriteTransaction,
    *,
    current: Mapping[str, str | None] | None,
    limit: int | None,
    also: Sequence[AlsoWritten] = (),
    if_changed: Sequence[AlsoWritten] = (),
) -> None:
    """As DatabaseRepositoryService.put_images, ``current`` read in this transaction unless
    the caller has it."""
    checksums = _merged(images)
    if current is None:
        parameters = {**_parameters(repository), "ids": _encoded(list(checksums))}
        found = transaction.execute(_CHECKSUMS_IN_WRITER, parameters).all()
        if not found:
            raise NotFound(f"repository {repository} not found")
        current = {image_id: checksum for image_id, checksum in found if image_id is not None}
    checksums, adds = _unwritten(checksums, current)
    if checksums:
        also = [*also, *if_changed]
        _merge_in(upserts, repository, checksums, limit if adds else None, transaction, also=also)
    else:
        for written in also:
            transaction.execute(written.statement, written.parameters)


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


def _delete_in(
    repository: RepositoryName,
    tombstone_until: datetime | None,
    also: Sequence[AlsoWritten],
    transaction: WriteTransaction,
) -> int:
    """As DatabaseRepositoryService.delete."""
    parameters = _parameters(repository)
    for written in also:
        transaction.execute(written.statement, written.parameters)
    images = None
    if tombstone_until is not None:
        images = transaction.execute(_IMAGES_JSON["sqlite"], parameters).scalar()
    transaction.execute(_DELIST["sqlite"], {**parameters, "now": _now()})
    instance = transaction.execute(_DELETE, parameters).scalar()
    if instance is None:
        raise NotFound(f"repository {repository} not found")
    if tombstone_until is not None:
        transaction.execute(_PURGE, {"now": _now()})
        bury = {**parameters, "instance": instance, "images": images}
        transaction.execute(_BURY, {**bury, "expires_at": tombstone_until})
    return int(instance)


def _merged(images: Sequence[PushedImage]) -> dict[str, str | None]:
    """One checksum per id: the last one given, or None if none was."""
    checksums: dict[str, str | None] = {}
    for image in images:
        checksums[image.id] = image.checksum or checksums.get(image.id)
    return checksums


def _parameters(repository: RepositoryName) -> dict[str, str]:
    return {"namespace": repository.namespace, "name": repository.name}


def _created(repository: RepositoryName, private: bool) -> dict[str, Any]:
    """The parameters of creating ``repository``: its name, its privacy, and a new instance (a
    positive 62-bit number, drawn at random: unlike a row id, never handed to a later
    repository)."""
    instance = secrets.randbits(62) or 1
    return {**_parameters(repository), "instance": instance, "is_private": private}


def _now() -> datetime:
    return datetime.now(UTC)
