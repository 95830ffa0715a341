"""``tokens.*``: a registry asks whether a token a client handed it is good here."""

from generated import models
from server.auth import Access, Grant, RepositoryName, authorize
from server.errors import AuthenticationFailed, NotFound
from server.handlers.call import Call


async def check(call: Call, *, namespace: str | None, repository: str) -> models.Ok:
    if not isinstance(call.identity, Grant):
        raise AuthenticationFailed("a token is required")
    name = RepositoryName.of(namespace, repository)
    authorize(call.identity, name, Access.READ)
    if not await call.services.repositories.exists(name):
        raise NotFound(f"repository {name} not found")
    return models.Ok("OK")


async def check_library(call: Call, *, repository: str) -> models.Ok:
    return await check(call, namespace=None, repository=repository)
