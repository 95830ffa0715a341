"""``access_tokens.*``: the caller's personal access tokens (server.services.access_tokens)."""

import uuid
from datetime import UTC, datetime

from generated import models
from server.auth import Account, Scope
from server.errors import AuthenticationFailed, InvalidRequest
from server.handlers._audit import audited
from server.handlers.call import Call, Reply
from server.handlers.paging import links
from server.services.access_tokens import TokenRecord

CLIENT_ID = "hubindex"
GENERATED_BY = "manual"
_PATH = "/v2/access-tokens"


async def create(call: Call, *, body: models.AccessTokenCreation) -> models.AccessToken:
    account = _owner(call)
    expires_at = body.expires_at
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise InvalidRequest(f"body.expires_at: {expires_at.isoformat()} is not in the future")
    record, secret = await call.services.access_tokens.create(
        account.user_id,
        body.token_label,
        Scope.highest(scope.value for scope in body.scopes),
        expires_at,
        creator_ip=call.address,
        creator_ua=call.header("user-agent") or "",
    )
    await _audited(call, account, "access_token.create", record)
    return _model(record, secret)


async def page(call: Call, *, page: int = 1, page_size: int = 10) -> models.AccessTokenPage:
    account = _owner(call)
    found = await call.services.access_tokens.page(account.user_id, page, page_size)
    following, preceding = links(call, _PATH, page, page_size, found.count)
    return models.AccessTokenPage(
        count=found.count,
        active_count=found.active_count,
        next=following,
        previous=preceding,
        results=[_model(record) for record in found.records],
    )


async def get(call: Call, *, uuid: uuid.UUID) -> models.AccessToken:
    account = _owner(call)
    return _model(await call.services.access_tokens.get(account.user_id, str(uuid)))


async def update(
    call: Call, *, uuid: uuid.UUID, body: models.AccessTokenChange
) -> models.AccessToken:
    account = _owner(call)
    record = await call.services.access_tokens.update(
        account.user_id, str(uuid), label=body.token_label, is_active=body.is_active
    )
    await _audited(call, account, "access_token.update", record)
    return _model(record)


async def delete(call: Call, *, uuid: uuid.UUID) -> Reply:
    account = _owner(call)
    await call.services.access_tokens.delete(account.user_id, str(uuid))
    await audited(call, account.username, "access_token.delete", name=str(uuid))
    return Reply(204)


async def _audited(call: Call, account: Account, action: str, record: TokenRecord) -> None:
    data = {
        "label": record.label,
        "scope": str(record.scope),
        "is_active": str(record.is_active).lower(),
    }
    await audited(call, account.username, action, name=record.uuid, data=data)


def _owner(call: Call) -> Account:
    """The caller, signed in with the account's password: a token got with an access token
    manages no access tokens (nor could it make one of a higher scope than its own)."""
    identity = call.identity
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    identity.limit_to_password("manage access tokens")
    return identity


def _model(record: TokenRecord, secret: str = "") -> models.AccessToken:
    return models.AccessToken(
        uuid=uuid.UUID(record.uuid),
        client_id=CLIENT_ID,
        creator_ip=record.creator_ip,
        creator_ua=record.creator_ua,
        created_at=record.created_at,
        last_used=record.last_used,
        generated_by=GENERATED_BY,
        is_active=record.is_active,
        token=secret,
        token_label=record.label,
        scopes=[models.AccessTokenScope(str(record.scope))],
        expires_at=record.expires_at,
    )
