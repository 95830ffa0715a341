"""``members.*``: an organization's members and their roles (server.services.organizations)."""

from generated import models
from server.handlers._audit import audited
from server.handlers._organizations import standing_of
from server.handlers.call import Call, Reply
from server.handlers.paging import links
from server.services.organizations import (
    OWNERS,
    READERS,
    MemberRecord,
    OrgRole,
    permit,
)


async def page(
    call: Call, *, org_name: str, page: int = 1, page_size: int = 10
) -> models.OrgMemberPage:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, READERS, "list its members", changes=False)
    count, members = await call.services.organizations.page(standing.org.id, page, page_size)
    following, preceding = links(call, f"/v2/orgs/{org_name}/members", page, page_size, count)
    return models.OrgMemberPage(
        count=count, next=following, previous=preceding, results=[model(m) for m in members]
    )


async def add(call: Call, *, org_name: str, body: models.OrgMemberAddition) -> Reply:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "add members")
    role = OrgRole(body.role or OrgRole.MEMBER)
    member = await call.services.organizations.add(standing.org.id, body.member, role)
    await audited(call, org_name, "member.add", name=member.username, data={"role": role.value})
    return Reply(201, model(member))


async def update(
    call: Call, *, org_name: str, username: str, body: models.OrgMemberRoleChange
) -> models.OrgMember:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "change roles")
    member = await call.services.organizations.set_role(
        standing.org.id, username, OrgRole(body.role)
    )
    role = {"role": member.role.value}
    await audited(call, org_name, "member.role.change", name=member.username, data=role)
    return model(member)


async def remove(call: Call, *, org_name: str, username: str) -> Reply:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "remove members")
    await call.services.organizations.remove(standing.org.id, username)
    await audited(call, org_name, "member.remove", name=username)
    return Reply(204)


def model(member: MemberRecord) -> models.OrgMember:
    return models.OrgMember(
        id=str(member.user_id),
        username=member.username,
        full_name="",
        type="User",
        role=models.OrgRoleName(member.role.value.capitalize()),
        groups=list(member.teams),
        date_joined=member.joined_at,
    )
