"""Repositories and the image lists recorded for them."""

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import RepositoryName
from server.errors import NotFound
from server.storage.tables import Image, Repository


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """An image id of a repository, with the checksum the registry computed, once known."""

    id: str
    checksum: str | None = None


class RepositoryService(Protocol):
    async def create(self, repository: RepositoryName, images: list[ImageRecord]) -> None:
        """Create the repository unless it exists, and record the images."""

    async def delete(self, repository: RepositoryName) -> None:
        """Delete the repository and its image list; NotFound if there is none."""

    async def exists(self, repository: RepositoryName) -> bool: ...

    async def images(self, repository: RepositoryName) -> list[ImageRecord]:
        """The repository's images; NotFound if there is no such repository."""

    async def put_images(self, repository: RepositoryName, images: list[ImageRecord]) -> None:
        """Merge images by id: new ids are added, a given checksum replaces an older one."""


class DatabaseRepositoryService:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, repository: RepositoryName, images: list[ImageRecord]) -> None:
        insert = _insert_for(self._session)
        statement = insert(Repository).values(
            namespace=repository.namespace, name=repository.name, description=""
        )
        # DO UPDATE (of nothing) rather than DO NOTHING: it returns the id of a repository that
        # exists already, and locks its row until commit, so a concurrent delete waits.
        repository_id = await self._session.scalar(
            statement.on_conflict_do_update(
                index_elements=["namespace", "name"], set_={"name": statement.excluded.name}
            ).returning(Repository.id)
        )
        assert repository_id is not None
        await self._merge(repository_id, images)

    async def delete(self, repository: RepositoryName) -> None:
        deleted = await self._session.scalar(
            delete(Repository)
            .where(Repository.namespace == repository.namespace, Repository.name == repository.name)
            .returning(Repository.id)
        )
        if deleted is None:
            raise NotFound(f"repository {repository} not found")

    async def exists(self, repository: RepositoryName) -> bool:
        return await self._find(repository) is not None

    async def images(self, repository: RepositoryName) -> list[ImageRecord]:
        rows = await self._session.execute(
            select(Image.image_id, Image.checksum)
            .where(Image.repository_id == await self._id_of(repository))
            .order_by(Image.image_id)
        )
        return [ImageRecord(image_id, checksum) for image_id, checksum in rows]

    async def put_images(self, repository: RepositoryName, images: list[ImageRecord]) -> None:
        await self._merge(await self._id_of(repository, lock=True), images)

    async def _find(self, repository: RepositoryName, *, lock: bool = False) -> int | None:
        query = select(Repository.id).where(
            Repository.namespace == repository.namespace, Repository.name == repository.name
        )
        if lock:
            # PostgreSQL: FOR KEY SHARE keeps a concurrent delete from removing the row before
            # the images referring to it are written. SQLite's writes are serialized already.
            query = query.with_for_update(read=True, key_share=True)
        return await self._session.scalar(query)

    async def _id_of(self, repository: RepositoryName, *, lock: bool = False) -> int:
        repository_id = await self._find(repository, lock=lock)
        if repository_id is None:
            raise NotFound(f"repository {repository} not found")
        return repository_id

    async def _merge(self, repository_id: int, images: list[ImageRecord]) -> None:
        """One upsert, safe under concurrent merges: no id is lost, no checksum forgotten."""
        checksums: dict[str, str | None] = {}
        for image in images:  # one row per id: the last checksum given wins
            checksums[image.id] = image.checksum or checksums.get(image.id)
        if not checksums:
            return
        insert = _insert_for(self._session)
        statement = insert(Image).values(
            [
                {"repository_id": repository_id, "image_id": image_id, "checksum": checksum}
                for image_id, checksum in checksums.items()
            ]
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["repository_id", "image_id"],
                set_={"checksum": func.coalesce(statement.excluded.checksum, Image.checksum)},
            )
        )


def _insert_for(session: AsyncSession):
    """INSERT with ON CONFLICT, which both SQLite and PostgreSQL speak."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
