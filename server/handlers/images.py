"""``images.*``: the image list of a repository; also how a registry checks a token."""

from generated import models
from server.auth import Access, RepositoryName, authorize
from server.handlers._docker import token_headers
from server.handlers.call import Call, Encoded, Reply
from server.services.repositories import ImageRecord

# Kept between requests (server.composition.Services.cached): encoded image lists of at most
# this many bytes (about 1,000 images with checksums).
CACHED_LIST_BYTES = 160 * 1024


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
    # Read in this transaction, never from a cache: whether a write is needed must be decided
    # from what the database holds now, whatever another process wrote a moment ago.
    ids = sorted({image.id for image in images})
    current = await call.services.repositories.checksums(name, ids)
    await call.services.repositories.put_images(name, images, current=current)
    return Reply(204)  # exactly: the Docker client fails on any other success code


async def put_library(call: Call, *, repository: str, body: models.ImageList) -> Reply:
    return await put(call, namespace=None, repository=repository, body=body)


async def _listing(call: Call, name: RepositoryName) -> Encoded:
    """The repository's images, encoded by the database; NotFound if there is no such
    repository.

    Pulls ask for the same lists over and over: a list is the same for every caller, and
    kept until the database changes. Long lists are not kept, so that the cache's memory
    stays bounded."""

    async def listing() -> bytes:
        return await call.services.repositories.images_json(name)

    content = await call.services.cached(
        ("images", name), listing, keep=lambda kept: len(kept) <= CACHED_LIST_BYTES
    )
    return Encoded(models.ImageRecordList, content)
