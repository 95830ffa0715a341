"""``repository_groups.*``: the permissions teams have on a repository of their organization
(server.services.teams)."""

from generated import models
from server.handlers._audit import audited
from server.handlers._organizations import standing_of
from server.handlers.call import Call, Reply
from server.handlers.paging import links
from server.services.organizations import REPOSITORY_MANAGERS, Standing, permit
from server.services.teams import PermissionRecord


async def page(
    call: Call, *, namespace: str, repository: str, page: int = 1, page_size: int = 10
) -> models.RepositoryGroupPage:
    await _managed(call, namespace, "list teams' permissions", changes=False)
    teams = call.services.teams
    repository_id = await teams.repository_id(namespace, repository)
    count, found = await teams.permissions_page(repository_id, page, page_size)
    path = f"/v2/repositories/{namespace}/{repository}/groups"
    following, preceding = links(call, path, page, page_size, count)
    return models.RepositoryGroupPage(
        count=count, next=following, previous=preceding, results=[_model(p) for p in found]
    )


async def create(
    call: Call, *, namespace: str, repository: str, body: models.RepositoryGroupGrant
) -> models.RepositoryGroup:
    standing = await _managed(call, namespace, "give teams permissions")
    teams = call.services.teams
    repository_id = await teams.repository_id(namespace, repository)
    granted = await teams.grant(
        standing.org.id, repository_id, body.group_id, body.permission.value
    )
    given = {"team": granted.team_name, "permission": str(granted.permission)}
    name = f"{namespace}/{repository}"
    await audited(call, namespace, "repo.team_permission.change", name=name, data=given)
    return _model(granted)


async def delete(call: Call, *, namespace: str, repository: str, group_id: int) -> Reply:
    await _managed(call, namespace, "take teams' permissions away")
    teams = call.services.teams
    repository_id = await teams.repository_id(namespace, repository)
    await teams.revoke(repository_id, group_id)
    name, taken = f"{namespace}/{repository}", {"team_id": str(group_id)}
    await audited(call, namespace, "repo.team_permission.remove", name=name, data=taken)
    return Reply(204)


async def _managed(call: Call, namespace: str, what: str, *, changes: bool = True) -> Standing:
    """The organization that owns the repositories of ``namespace``, once the caller is known
    to manage them: the caller's role is decided before the repository is looked up, so that
    a stranger learns nothing of which repositories exist."""
    standing = await standing_of(call, namespace)
    permit(call.identity, standing, REPOSITORY_MANAGERS, what, changes=changes)
    return standing


def _model(found: PermissionRecord) -> models.RepositoryGroup:
    return models.RepositoryGroup(
        group_id=found.team_id,
        group_name=found.team_name,
        permission=models.TeamPermission(found.permission),
    )
