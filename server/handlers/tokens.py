"""``tokens.*``: a registry asks whether a token a client handed it is good here."""

from generated import models
from server.auth import Access, Grant, RepositoryName, caller_id, reads_private
from server.errors import AuthenticationFailed, NotFound
from server.handlers._docker import authorized
from server.handlers.call import Call


async def check(call: Call, *, namespace: str | None, repository: str) -> models.Ok:
    if not isinstance(call.identity, Grant):
        raise AuthenticationFailed("a token is required")
    name = RepositoryName.of(namespace, repository)
    await authorized(call, name, Access.READ)
    # The token was verified against the repository's instance (or, a delete token, its
    # tombstone) as this request began; this asks once more, in this unit.
    if call.identity.deleted:
        await call.services.repositories.tombstone_json(name, call.identity.instance)
    elif await call.services.repositories.instance(name) != call.identity.instance:
        raise NotFound(f"repository {name} not found")
    return models.Ok("OK")


async def check_library(call: Call, *, repository: str) -> models.Ok:
    return await check(call, namespace=None, repository=repository)


async def layer_access(
    call: Call, *, namespace: str | None, repository: str, image_id: str
) -> models.LayerAccess:
    """Whether the push presenting this token may build on ``image_id``: the token's holder
    may read a repository that lists it (a public one, or a private one it is granted)."""
    identity = call.identity
    if not isinstance(identity, Grant):
        raise AuthenticationFailed("a token is required")
    name = RepositoryName.of(namespace, repository)
    await authorized(call, name, Access.READ)
    listed = await call.services.repositories.lists_image(
        image_id, reader=caller_id(identity), private=reads_private(identity)
    )
    return models.LayerAccess(access=listed)


async def layer_access_library(call: Call, *, repository: str, image_id: str) -> models.LayerAccess:
    return await layer_access(call, namespace=None, repository=repository, image_id=image_id)
