"""What Docker clients need around tokens: the three headers of protocol.md; and the access
decision every v1 operation on a repository takes."""

from server.auth import (
    Access,
    Account,
    Grant,
    RepositoryName,
    Standing,
    authorize,
    authorize_level,
    caller_id,
    org_token_of,
)
from server.handlers.call import Call


async def standing(call: Call, repository: RepositoryName, *, writes: bool) -> Standing:
    """What the access decision needs of ``repository`` for the caller (a token: its holder),
    in one statement; a request that only reads may take what another request of this process
    read while the database has not changed since (server.composition.Services.cached). An
    organization access token (or a token got with one) stands as its resources allow."""
    token = org_token_of(call.identity)
    if token is not None:
        return await call.services.cached(
            ("org-token standing", token, repository),
            lambda: call.services.permissions.org_token_standing(token, repository),
            decides=writes,
        )
    user = caller_id(call.identity)
    return await call.services.cached(
        ("standing", user, repository),
        lambda: call.services.permissions.standing(user, repository),
        decides=writes,
    )


async def authorized(call: Call, repository: RepositoryName, access: Access) -> Standing:
    """Raise unless the caller may have ``access`` to ``repository`` (server.auth.authorize);
    what it stands as."""
    found = await standing(call, repository, writes=access is not Access.READ)
    authorize(call.identity, repository, access, found)
    return found


async def administered(
    call: Call, namespace: str, repository: str
) -> tuple[Account, RepositoryName]:
    """The caller, once known to administer the repository (server.auth.authorize_level), and
    the repository: one fresh read of its standing, no lock held. A private repository the
    caller may not read is missing, as one that does not exist."""
    name = RepositoryName.of(namespace, repository)
    found = await call.services.permissions.standing(caller_id(call.identity), name)
    return authorize_level(call.identity, name, found), name


def wants_token(asked: str | None) -> bool:
    """Whether the request asked for a token (``X-Docker-Token: true``)."""
    return asked == "true"


async def token_headers(
    call: Call,
    repository: RepositoryName,
    access: Access,
    *,
    wanted: str | None,
    instance: int | None = None,
    expires: int | None = None,
) -> dict[str, str]:
    """The token headers when the request said ``X-Docker-Token: true``; else none. The
    token names the caller and the repository instance (``instance``, a deleted one's; None:
    the one of that name now), and expires at ``expires`` (None: the ttl from now)."""
    if not wants_token(wanted):
        return {}
    identity = call.identity
    holder = caller_id(identity) or None
    # A caller who presented an access token: the token ends with it (server.services.tokens).
    org_token = org_token_of(identity)
    via = identity.token if isinstance(identity, Account | Grant) and not org_token else None
    issued = await call.services.tokens.issue(
        repository, access, holder, instance=instance, expires=expires, via=via,
        org_token=org_token,
    )  # fmt: skip
    token = str(issued)
    endpoints = call.settings.registry_endpoints or [call.header("Host") or "localhost"]
    return {
        "X-Docker-Token": token,
        "WWW-Authenticate": f"Token {token}",
        "X-Docker-Endpoints": ",".join(endpoints),
    }
