"""What a handler adds to its unit of work for the audit log (server.services.audit): the
event of the change it makes, with the caller as its actor."""

from collections.abc import Mapping

from server.auth import Account, Grant, OrgToken, RepositoryName
from server.handlers.call import Call
from server.services.audit import Recorded, recorded, recorded_if_created


async def actor(call: Call) -> str:
    """The caller's username ("" for no one; an organization access token: its
    organization's name): a token's holder is read once."""
    identity = call.identity
    if isinstance(identity, Account):
        return identity.username
    if isinstance(identity, OrgToken):
        return identity.organization
    if isinstance(identity, Grant) and identity.holder is not None:
        return await call.services.outbox.username(identity.holder) or ""
    return ""


async def audited(
    call: Call,
    account: str,
    action: str,
    *,
    name: str = "",
    data: Mapping[str, str] | None = None,
) -> None:
    """Record ``action`` in ``account``'s log, in this request's transaction: it commits with
    the change the handler made, or not at all (an error after it rolls both back)."""
    by = await actor(call)
    await call.services.audit.record(account, action, actor=by, name=name, data=data)


async def repository_event(
    call: Call, repository: RepositoryName, action: str, data: Mapping[str, str] | None = None
) -> Recorded:
    """The event of a change to ``repository``, for a write that runs its own statements (a
    push, a creation, a deletion: server.services.repositories' ``also``)."""
    by = await actor(call)
    return recorded(repository.namespace, action, actor=by, name=str(repository), data=data)


async def creation_event(call: Call, repository: RepositoryName) -> Recorded:
    """``repo.create``, written only if the repository is made by this request (a push creates
    the repository it names, or finds it)."""
    by = await actor(call)
    return recorded_if_created(
        repository.namespace, repository.name, "repo.create", actor=by, data=None
    )


async def signed_in(call: Call, account: Account | OrgToken, how: str) -> None:
    """``login.success`` in the account's log (``how``: ``v1``, ``v2``), in a unit of its own:
    a sign-in writes nothing else to ride with. An organization access token signs in to its
    organization's log."""
    if isinstance(account, OrgToken):
        name, secret = account.organization, "organization_access_token"
    else:
        name, secret = account.username, "access_token" if account.token else "password"
    data = {"address": call.address, "with": secret, "via": how}
    await call.services.audit_apart(name, "login.success", actor=name, name=name, data=data)
