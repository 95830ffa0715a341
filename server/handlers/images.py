"""``images.*``: the image list of a repository; also how a registry checks a token."""

from generated import models
from server.auth import Access, RepositoryName, authorize
from server.handlers._docker import token_headers
from server.runtime import Call, Reply
from server.services.repositories import ImageRecord

CACHED_IMAGES_MAX = 1000  # images in a list kept between requests (server.state.Services.cached)


async def get(
    call: Call, *, namespace: str | None, repository: str, x_docker_token: str | None
) -> Reply:
    name = RepositoryName.of(namespace, repository)
    authorize(call.identity, name, Access.READ)
    images = await _listing(call, name)
    return Reply(200, images, await token_headers(call, name, Access.READ, wanted=x_docker_token))


async def get_library(call: Call, *, repository: str, x_docker_token: str | None) -> Reply:
    return await get(call, namespace=None, repository=repository, x_docker_token=x_docker_token)


async def put(
    call: Call, *, namespace: str | None, repository: str, body: models.ImageList
) -> Reply:
    name = RepositoryName.of(namespace, repository)
    authorize(call.identity, name, Access.WRITE)
    images = [ImageRecord(entry.id, entry.checksum) for entry in body.root]
    await call.services.repositories.put_images(name, images, current=await _current(call, name))
    return Reply(204)  # exactly: the Docker client fails on any other success code


async def put_library(call: Call, *, repository: str, body: models.ImageList) -> Reply:
    return await put(call, namespace=None, repository=repository, body=body)


async def _listing(call: Call, name: RepositoryName) -> models.ImageRecordList:
    """The repository's images; NotFound if there is no such repository.

    Pulls ask for the same lists over and over: a list is the same for every caller, and
    kept until the database changes. Long lists are not kept, so that the cache's memory
    stays bounded."""

    async def listing() -> models.ImageRecordList:
        return _model(await call.services.repositories.images(name))

    return await call.services.cached(
        ("images", name), listing, keep=lambda kept: len(kept.root) <= CACHED_IMAGES_MAX
    )


async def _current(call: Call, name: RepositoryName) -> dict[str, str | None] | None:
    """The repository's images (id to checksum) when they are few enough to keep, so that a
    push repeated writes nothing (it sends the list it sent before); None for a longer list,
    of which no more than that is read. NotFound if there is no such repository."""

    async def short_listing() -> models.ImageRecordList | None:
        images = await call.services.repositories.images(name, limit=CACHED_IMAGES_MAX + 1)
        return None if len(images) > CACHED_IMAGES_MAX else _model(images)

    # The key of _listing: a list kept by either is the whole list, as the other reads it.
    kept = await call.services.cached(
        ("images", name), short_listing, keep=lambda kept: kept is not None
    )
    return None if kept is None else {entry.id: entry.checksum for entry in kept.root}


def _model(images: list[ImageRecord]) -> models.ImageRecordList:
    return models.ImageRecordList.model_validate(
        [{"id": image_id, "checksum": checksum} for image_id, checksum in images]
    )
