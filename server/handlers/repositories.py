"""``repositories.*``: creating and deleting repositories, with the tokens a push needs."""

from generated import models
from server.auth import Access, RepositoryName, authorize
from server.handlers._docker import token_headers
from server.handlers.call import Call, Reply
from server.services.repositories import ImageRecord


async def create(
    call: Call,
    *,
    namespace: str | None,
    repository: str,
    x_docker_token: str | None,
    body: models.ImageList,
) -> Reply:
    name = RepositoryName.of(namespace, repository)
    authorize(call.identity, name, Access.WRITE)
    images = [ImageRecord(entry.id, entry.checksum) for entry in body.root]
    await call.services.repositories.create(name, images)
    headers = await token_headers(call, name, Access.WRITE, wanted=x_docker_token)
    return Reply(200, models.Empty(""), headers)


async def create_library(
    call: Call, *, repository: str, x_docker_token: str | None, body: models.ImageList
) -> Reply:
    return await create(
        call, namespace=None, repository=repository, x_docker_token=x_docker_token, body=body
    )


async def delete(
    call: Call, *, namespace: str | None, repository: str, x_docker_token: str | None
) -> Reply:
    name = RepositoryName.of(namespace, repository)
    authorize(call.identity, name, Access.DELETE)
    await call.services.repositories.delete(name)
    headers = await token_headers(call, name, Access.DELETE, wanted=x_docker_token)
    return Reply(202, models.Empty(""), headers)


async def delete_library(call: Call, *, repository: str, x_docker_token: str | None) -> Reply:
    return await delete(call, namespace=None, repository=repository, x_docker_token=x_docker_token)
