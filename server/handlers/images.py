"""``images.*``: the image list of a repository; also how a registry checks a token."""

from generated import models
from server.auth import Access, RepositoryName, authorize
from server.handlers._docker import token_headers
from server.handlers.call import Call, Encoded, Reply
from server.services.repositories import LARGE_WRITE_ROWS, ImageRecord

# Kept between requests (server.composition.Services.cached): encoded image lists of at most
# this many bytes (about 1,000 images with checksums; longer ones among the few large answers),
# and what a PUT compares with for a list of at most that many images.
CACHED_LIST_BYTES = 160 * 1024
CACHED_CHECKSUMS_MAX = 128


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
    # A large list is compared with what the repository holds where it is written (on
    # SQLite's writer thread, in the write's own transaction).
    current = await _current(call, name, images) if len(images) < LARGE_WRITE_ROWS else None
    await call.services.repositories.put_images(name, images, current=current)
    return Reply(204)  # exactly: the Docker client fails on any other success code


async def put_library(call: Call, *, repository: str, body: models.ImageList) -> Reply:
    return await put(call, namespace=None, repository=repository, body=body)


async def _listing(call: Call, name: RepositoryName) -> Encoded:
    """The repository's images, encoded by the database; NotFound if there is no such
    repository.

    Pulls ask for the same lists over and over: a list is the same for every caller, and
    kept until the database changes, with its JSON (which costs more to write than the rest
    of the answer). Long lists are not kept, so that the cache's memory stays bounded."""

    async def listing() -> bytes:
        return await call.services.repositories.images_json(name)

    content = await call.services.cached(
        ("images", name), listing, keep=lambda kept: len(kept) <= CACHED_LIST_BYTES
    )
    return Encoded(models.ImageRecordList, content)


async def _current(
    call: Call, name: RepositoryName, images: list[ImageRecord]
) -> dict[str, str | None]:
    """What the repository holds of these images (id to checksum); NotFound if there is no
    such repository. It decides whether to write, so it is what the database holds now,
    whatever another process wrote a moment ago: read in this unit, or (SQLite, whose change
    counter is read from the database itself) a short list's answer kept while nothing has
    changed, so that a push repeated costs no statement at all."""
    ids = tuple(sorted({image.id for image in images}))
    return await call.services.cached(
        ("checksums", name, ids),
        lambda: call.services.repositories.checksums(name, ids),
        keep=lambda _kept: len(ids) <= CACHED_CHECKSUMS_MAX,
        decides=True,
    )
