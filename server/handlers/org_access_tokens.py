"""``org_access_tokens.*``: an organization's access tokens, managed by its owners
(server.services.org_access_tokens)."""

import uuid
from datetime import UTC, datetime

from generated import models
from server.errors import InvalidRequest
from server.handlers._organizations import standing_of
from server.handlers.call import Call, Reply
from server.handlers.paging import links
from server.services.org_access_tokens import OrgTokenRecord, Resource, resources_of
from server.services.organizations import OWNERS, Standing, permit


async def create(call: Call, *, org_name: str, body: models.OrgAccessTokenCreation) -> Reply:
    standing = await _owned(call, org_name)
    account = permit(call.identity, standing, OWNERS, "manage access tokens")
    expires_at = body.expires_at
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise InvalidRequest(f"body.expires_at: {expires_at.isoformat()} is not in the future")
    record, secret = await call.services.org_access_tokens.create(
        standing.org.id,
        body.label,
        body.description or "",
        _resources(org_name, body.resources),
        expires_at,
        created_by=account.username,
    )
    return Reply(201, models.OrgAccessTokenCreated(**_fields(record), token=secret))


async def page(
    call: Call, *, org_name: str, page: int = 1, page_size: int = 10
) -> models.OrgAccessTokenPage:
    standing = await _owned(call, org_name)
    count, records = await call.services.org_access_tokens.page(standing.org.id, page, page_size)
    path = f"/v2/orgs/{org_name}/access-tokens"
    following, preceding = links(call, path, page, page_size, count)
    return models.OrgAccessTokenPage(
        total=count,
        count=count,
        next=following,
        previous=preceding,
        results=[_model(record) for record in records],
    )


async def get(call: Call, *, org_name: str, access_token_id: uuid.UUID) -> models.OrgAccessToken:
    standing = await _owned(call, org_name)
    record = await call.services.org_access_tokens.get(standing.org.id, str(access_token_id))
    return _model(record)


async def update(
    call: Call, *, org_name: str, access_token_id: uuid.UUID, body: models.OrgAccessTokenChange
) -> models.OrgAccessToken:
    standing = await _owned(call, org_name)
    resources = None if body.resources is None else _resources(org_name, body.resources)
    record = await call.services.org_access_tokens.update(
        standing.org.id,
        str(access_token_id),
        label=body.label,
        description=body.description,
        resources=resources,
        is_active=body.is_active,
    )
    return _model(record)


async def delete(call: Call, *, org_name: str, access_token_id: uuid.UUID) -> Reply:
    standing = await _owned(call, org_name)
    await call.services.org_access_tokens.delete(standing.org.id, str(access_token_id))
    return Reply(204)


async def _owned(call: Call, org_name: str) -> Standing:
    """The organization, if the caller is one of its owners (or an administrator), signed in
    with the account's password: no access token manages access tokens."""
    standing = await standing_of(call, org_name)
    permit(call.identity, standing, OWNERS, "manage access tokens")
    return standing


def _resources(org_name: str, given: list[models.OrgAccessTokenResource]) -> list[Resource]:
    return resources_of(
        org_name,
        ((resource.path, [scope.value for scope in resource.scopes]) for resource in given),
    )


def _fields(record: OrgTokenRecord) -> dict[str, object]:
    return {
        "id": uuid.UUID(record.uuid),
        "label": record.label,
        "description": record.description,
        "created_by": record.created_by,
        "is_active": record.is_active,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "last_used_at": record.last_used,
        "resources": [
            models.OrgAccessTokenResource(
                type="TYPE_REPO",  # type: ignore[arg-type]
                path=resource.path,
                scopes=[models.OrgAccessTokenScope(scope) for scope in resource.scopes],
            )
            for resource in record.resources
        ],
    }


def _model(record: OrgTokenRecord) -> models.OrgAccessToken:
    return models.OrgAccessToken(**_fields(record))  # type: ignore[arg-type]
