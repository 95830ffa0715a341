"""``repositories.*``: creating and deleting repositories, with the tokens a push needs."""

from datetime import UTC, datetime

from generated import models
from server.auth import Access, RepositoryName
from server.handlers._audit import creation_event, repository_event
from server.handlers._docker import authorized, token_headers, wants_token
from server.handlers._tags import tags_written
from server.handlers._webhooks import deliveries
from server.handlers.call import Call, Reply


async def create(
    call: Call,
    *,
    namespace: str | None,
    repository: str,
    x_docker_token: str | None,
    body: models.ImageList,
) -> Reply:
    name = RepositoryName.of(namespace, repository)
    await authorized(call, name, Access.WRITE)
    images = body.root  # as they are: server.services.repositories.PushedImage
    # The Docker 1.x client names its tags here ({"id": ..., "Tag": "latest"}).
    tagged = await tags_written(call, name, images) if any(i.Tag for i in images) else []
    created = await creation_event(call, name)  # written if this makes the repository
    await call.services.repositories.create(name, images, also=tagged, if_created=[created])
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
    await authorized(call, name, Access.DELETE)
    # A delete token comes with a tombstone that lives as long as it: the registry checks the
    # token after the deletion, and is answered the list the repository held.
    expires = call.services.tokens.expiry()
    until = datetime.fromtimestamp(expires, UTC) if wants_token(x_docker_token) else None
    deleted = await deliveries(call, name, "delete")
    deleted.append(await repository_event(call, name, "repo.delete"))
    instance = await call.services.repositories.delete(name, tombstone_until=until, also=deleted)
    headers = await token_headers(
        call, name, Access.DELETE, wanted=x_docker_token, instance=instance, expires=expires
    )
    return Reply(202, models.Empty(""), headers)


async def delete_library(call: Call, *, repository: str, x_docker_token: str | None) -> Reply:
    return await delete(call, namespace=None, repository=repository, x_docker_token=x_docker_token)
