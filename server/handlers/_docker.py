"""What Docker clients need around tokens: the three headers of protocol.md."""

from server.auth import Access, Account, Grant, RepositoryName
from server.handlers.call import Call


async def token_headers(
    call: Call, repository: RepositoryName, access: Access, *, wanted: str | None
) -> dict[str, str]:
    """The token headers when the request said ``X-Docker-Token: true``; else none."""
    if wanted != "true":
        return {}
    identity = call.identity
    holder = (
        identity.user_id
        if isinstance(identity, Account)
        else identity.holder
        if isinstance(identity, Grant)
        else None
    )
    token = str(await call.services.tokens.issue(repository, access, holder))
    endpoints = call.settings.registry_endpoints or [call.header("Host") or "localhost"]
    return {
        "X-Docker-Token": token,
        "WWW-Authenticate": f"Token {token}",
        "X-Docker-Endpoints": ",".join(endpoints),
    }
