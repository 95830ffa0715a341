"""``groups.*``: an organization's teams and their members (server.services.teams)."""

from generated import models
from server.handlers._audit import audited
from server.handlers._organizations import standing_of
from server.handlers.call import Call, Reply
from server.handlers.paging import links
from server.services.organizations import OWNERS, READERS, permit
from server.services.teams import TeamMemberRecord, TeamRecord


async def page(
    call: Call, *, org_name: str, page: int = 1, page_size: int = 10, username: str | None = None
) -> models.OrgGroupPage:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, READERS, "list its teams", changes=False)
    count, teams = await call.services.teams.page(standing.org.id, page, page_size, username)
    following, preceding = links(
        call, f"/v2/orgs/{org_name}/groups", page, page_size, count, username=username
    )
    return models.OrgGroupPage(
        count=count, next=following, previous=preceding, results=[_team(t) for t in teams]
    )


async def create(call: Call, *, org_name: str, body: models.OrgGroupCreation) -> Reply:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "create teams")
    team = await call.services.teams.create(standing.org.id, body.name, body.description or "")
    await audited(call, org_name, "team.create", name=team.name)
    return Reply(201, _team(team))


async def get(call: Call, *, org_name: str, group_name: str) -> models.OrgGroup:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, READERS, "read its teams", changes=False)
    return _team(await call.services.teams.get(standing.org.id, group_name))


async def replace(
    call: Call, *, org_name: str, group_name: str, body: models.OrgGroupCreation
) -> models.OrgGroup:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "change teams")
    team = await call.services.teams.change(
        standing.org.id, group_name, new_name=body.name, description=body.description or ""
    )
    await _changed(call, org_name, group_name, team)
    return _team(team)


async def update(
    call: Call, *, org_name: str, group_name: str, body: models.OrgGroupChange
) -> models.OrgGroup:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "change teams")
    team = await call.services.teams.change(
        standing.org.id, group_name, new_name=body.name, description=body.description
    )
    await _changed(call, org_name, group_name, team)
    return _team(team)


async def delete(call: Call, *, org_name: str, group_name: str) -> Reply:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "delete teams")
    await call.services.teams.delete(standing.org.id, group_name)
    await audited(call, org_name, "team.delete", name=group_name)
    return Reply(204)


async def members_page(
    call: Call, *, org_name: str, group_name: str, page: int = 1, page_size: int = 10
) -> models.GroupMemberPage:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, READERS, "list its teams' members", changes=False)
    teams = call.services.teams
    team = await teams.get(standing.org.id, group_name)
    count, members = await teams.members_page(team.id, page, page_size)
    path = f"/v2/orgs/{org_name}/groups/{group_name}/members"
    following, preceding = links(call, path, page, page_size, count)
    return models.GroupMemberPage(
        count=count, next=following, previous=preceding, results=[_member(m) for m in members]
    )


async def add_member(
    call: Call, *, org_name: str, group_name: str, body: models.GroupMemberAddition
) -> models.GroupMember:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "change teams")
    teams = call.services.teams
    team = await teams.get(standing.org.id, group_name)
    added = await teams.add_member(standing.org.id, team.id, body.member)
    # Hub's name for a team member's event is the member's username.
    await audited(call, org_name, "team.member.add", name=added.username, data={"team": team.name})
    return _member(added)


async def remove_member(call: Call, *, org_name: str, group_name: str, username: str) -> Reply:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "change teams")
    teams = call.services.teams
    team = await teams.get(standing.org.id, group_name)
    await teams.remove_member(team.id, username)
    await audited(call, org_name, "team.member.remove", name=username, data={"team": team.name})
    return Reply(204)


async def _changed(call: Call, org_name: str, former_name: str, team: TeamRecord) -> None:
    data = {"former_name": former_name} if former_name != team.name else None
    await audited(call, org_name, "team.update", name=team.name, data=data)


def _team(team: TeamRecord) -> models.OrgGroup:
    return models.OrgGroup(
        id=team.id,
        uuid=team.uuid,  # type: ignore[arg-type]
        name=team.name,
        description=team.description,
        member_count=team.member_count,
    )


def _member(member: TeamMemberRecord) -> models.GroupMember:
    return models.GroupMember(
        id=str(member.user_id),
        username=member.username,
        full_name="",
        type="User",
        date_joined=member.joined_at,
    )
