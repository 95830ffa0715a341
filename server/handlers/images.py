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
    current = {entry.id: entry.checksum for entry in (await _listing(call, name)).root}
    await call.services.repositories.put_images(name, images, current=current)
    return Reply(204)  # exactly: the Docker client fails on any other success code


async def put_library(call: Call, *, repository: str, body: models.ImageList) -> Reply:
    return await put(call, namespace=None, repository=repository, body=body)


async def _listing(call: Call, name: RepositoryName) -> models.ImageRecordList:
    """The repository's images; NotFound if there is no such repository.

    Pulls ask for the same lists over and over, and a push repeated sends the list it sent
    before: a list is the same for every caller, and kept until the database changes. Long
    lists are not kept, so that the cache's memory stays bounded."""

    async def listing() -> models.ImageRecordList:
        images = await call.services.repositories.images(name)
        return models.ImageRecordList.model_validate(
            [{"id": image_id, "checksum": checksum} for image_id, checksum in images]
        )

    return await call.services.cached(
        ("images", name), listing, keep=lambda kept: len(kept.root) <= CACHED_IMAGES_MAX
    )
