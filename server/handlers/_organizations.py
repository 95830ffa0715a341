"""What the organization handlers share: the organization a path names, and the caller's
role in it (server.services.organizations)."""

from server.handlers.call import Call
from server.services.organizations import Standing


async def standing_of(call: Call, org_name: str) -> Standing:
    """The organization ``org_name`` (NotFound if none) and the caller's role in it."""
    user_id = getattr(call.identity, "user_id", None)
    return await call.services.organizations.standing(org_name, user_id)
