"""``images.*``: the image list of a repository; also how a registry checks a token."""

from collections.abc import Sequence

from generated import models
from server.auth import Access, Grant, RepositoryName
from server.handlers._audit import repository_event
from server.handlers._docker import authorized, token_headers
from server.handlers._tags import tags_written
from server.handlers._webhooks import DEFAULT_TAG, deliveries
from server.handlers.call import Call, Encoded, Reply
from server.services.pages import touched
from server.services.repositories import LARGE_WRITE_ROWS, PushedImage

# Kept between requests (server.composition.Services.cached): encoded image lists of at most
# this many bytes (about 1,000 images with checksums; longer ones among the few large answers),
# and what a PUT compares with for a list of at most that many images.
CACHED_LIST_BYTES = 160 * 1024
CACHED_CHECKSUMS_MAX = 128


async def get(
    call: Call, *, namespace: str | None, repository: str, x_docker_token: str | None
) -> Reply:
    name = RepositoryName.of(namespace, repository)
    identity = call.identity
    await authorized(call, name, Access.READ)
    if isinstance(identity, Grant) and identity.deleted:
        # A delete token after its deletion (a registry's check): what the repository held.
        tombstone = await call.services.repositories.tombstone_json(name, identity.instance)
        return Reply(200, Encoded(models.ImageRecordList, tombstone))
    images = await _listing(call, name)
    headers = await token_headers(call, name, Access.READ, wanted=x_docker_token)
    if headers:  # a pull: counted in memory, written with the process's next batch
        call.services.count_pull(name)
    return Reply(200, images, headers)


async def get_library(call: Call, *, repository: str, x_docker_token: str | None) -> Reply:
    return await get(call, namespace=None, repository=repository, x_docker_token=x_docker_token)


async def put(
    call: Call, *, namespace: str | None, repository: str, body: models.ImageList
) -> Reply:
    name = RepositoryName.of(namespace, repository)
    await authorized(call, name, Access.WRITE)
    images = body.root  # as they are: server.services.repositories.PushedImage
    # A large list is compared with what the repository holds where it is written (on
    # SQLite's writer thread, in the write's own transaction).
    current = await _current(call, name, images) if len(images) < LARGE_WRITE_ROWS else None
    # The push's webhook deliveries, written in its transaction: none if it is rolled back.
    tags = [image.Tag for image in images if image.Tag]
    pushed = await deliveries(call, name, "push", tags=tags)
    if tags:  # the tags it names, in the same transaction (the 1.x client names them at create)
        pushed = [*pushed, *await tags_written(call, name, images)]
    # When the push changes what the repository holds (a push repeated writes nothing): its
    # page's last_updated and its audit event.
    event = await repository_event(
        call, name, "repo.tag.push", {"tag": tags[-1] if tags else DEFAULT_TAG}
    )
    await call.services.repositories.put_images(
        name, images, current=current, also=pushed, if_changed=[touched(name), event]
    )
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
    call: Call, name: RepositoryName, images: Sequence[PushedImage]
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
