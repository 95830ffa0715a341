"""``sharing.*``: a repository's privacy and collaborators (server.services.sharing)."""

from generated import models
from server.handlers._audit import audited
from server.handlers._docker import administered
from server.handlers.call import Call, Reply
from server.handlers.paging import links


async def privacy(
    call: Call, *, namespace: str, repository: str, body: models.RepositoryPrivacy
) -> models.RepositoryVisibility:
    _, name = await administered(call, namespace, repository)
    await call.services.sharing.set_privacy(name, body.is_private)
    privacy = {"is_private": "true" if body.is_private else "false"}
    await audited(call, name.namespace, "repo.change_privacy", name=str(name), data=privacy)
    return models.RepositoryVisibility(
        namespace=name.namespace, name=name.name, is_private=body.is_private
    )


async def collaborators(
    call: Call, *, namespace: str, repository: str, page: int = 1, page_size: int = 10
) -> models.CollaboratorPage:
    _, name = await administered(call, namespace, repository)
    found = await call.services.sharing.page(name, page, page_size)
    path = f"/v2/repositories/{name.namespace}/{name.name}/collaborators"
    following, preceding = links(call, path, page, page_size, found.count)
    return models.CollaboratorPage(
        count=found.count,
        next=following,
        previous=preceding,
        results=[models.Collaborator(user=user) for user in found.usernames],
    )


async def add_collaborator(
    call: Call, *, namespace: str, repository: str, body: models.CollaboratorAddition
) -> Reply:
    _, name = await administered(call, namespace, repository)
    user = body.user
    await call.services.sharing.add(name, user)
    added = {"collaborator": user}
    await audited(call, name.namespace, "repo.collaborator.add", name=str(name), data=added)
    return Reply(201, models.Collaborator(user=user))


async def remove_collaborator(
    call: Call, *, namespace: str, repository: str, username: str
) -> Reply:
    _, name = await administered(call, namespace, repository)
    await call.services.sharing.remove(name, username)
    removed = {"collaborator": username}
    await audited(call, name.namespace, "repo.collaborator.remove", name=str(name), data=removed)
    return Reply(204)
