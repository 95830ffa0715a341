"""``tags.*``: a repository's tags, as v1 pushes named them (server.services.tags), on Docker
Hub's paths: reading follows the repository's privacy, deleting takes ``admin`` on it."""

from generated import models
from server.auth import Access, RepositoryName, authorize, caller_id
from server.errors import NotFound
from server.handlers._audit import audited
from server.handlers._docker import administered
from server.handlers.call import Call, Reply
from server.handlers.paging import links
from server.services.tags import TagRecord


async def page(
    call: Call, *, namespace: str, repository: str, page: int = 1, page_size: int = 10
) -> models.RepositoryTagPage:
    name = await _readable(call, namespace, repository)
    path = f"/v2/namespaces/{name.namespace}/repositories/{name.name}/tags"
    return await _page(call, name, path, page, page_size)


async def repository_page(
    call: Call, *, namespace: str, repository: str, page: int = 1, page_size: int = 10
) -> models.RepositoryTagPage:
    name = await _readable(call, namespace, repository)
    path = f"/v2/repositories/{name.namespace}/{name.name}/tags"
    return await _page(call, name, path, page, page_size)


async def get(call: Call, *, namespace: str, repository: str, tag: str) -> models.RepositoryTag:
    name = await _readable(call, namespace, repository)
    found = await call.services.tags.get(name, tag)
    if found is None:
        raise NotFound(f"tag {tag} of {name} not found")
    return _tag(found)


async def delete(call: Call, *, namespace: str, repository: str, tag: str) -> Reply:
    _, name = await administered(call, namespace, repository)
    if not await call.services.tags.delete(name, tag):
        raise NotFound(f"tag {tag} of {name} not found")
    await audited(call, name.namespace, "repo.tag.delete", name=str(name), data={"tag": tag})
    return Reply(204)


async def _readable(call: Call, namespace: str, repository: str) -> RepositoryName:
    """The repository, once the caller is known to may read it: NotFound where it does not
    exist or is private to the caller, as for a repository that does not exist."""
    name = RepositoryName(namespace, repository)
    standing = await call.services.permissions.standing(caller_id(call.identity), name)
    if not standing.exists:
        raise NotFound(f"repository {name} not found")
    authorize(call.identity, name, Access.READ, standing)
    return name


async def _page(
    call: Call, name: RepositoryName, path: str, page: int, page_size: int
) -> models.RepositoryTagPage:
    found = await call.services.tags.page(name, page, page_size)
    following, preceding = links(call, path, page, page_size, found.count)
    return models.RepositoryTagPage(
        count=found.count,
        next=following,
        previous=preceding,
        results=[_tag(tag) for tag in found.tags],
    )


def _tag(tag: TagRecord) -> models.RepositoryTag:
    return models.RepositoryTag(
        name=tag.name,
        image_id=tag.image_id,
        last_updated=tag.last_updated,
        tag_last_pushed=tag.last_updated,
        last_updater_username=tag.last_updater,
    )
