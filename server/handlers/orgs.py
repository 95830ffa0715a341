"""``orgs.*``: organizations, created by an administrator (server.services.organizations)."""

from generated import models
from server.auth import Account
from server.errors import AuthenticationFailed, PermissionDenied
from server.handlers._audit import audited
from server.handlers._organizations import standing_of
from server.handlers.call import Call, Reply
from server.services.organizations import OWNERS, permit


async def create(call: Call, *, body: models.OrganizationCreation) -> Reply:
    identity = call.identity
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    identity.limit_to_password("create an organization")
    if not identity.is_admin:
        raise PermissionDenied("only administrators may create organizations")
    org = await call.services.organizations.create(body.orgname, body.owner)
    await audited(call, org.name, "org.create", name=org.name, data={"owner": body.owner})
    return Reply(201, models.Organization(id=org.id, orgname=org.name, created_at=org.created_at))


async def delete(call: Call, *, org_name: str) -> Reply:
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "delete the organization")
    await call.services.organizations.delete(standing.org.id, org_name)
    return Reply(204)
