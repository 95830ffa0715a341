"""Organization access tokens: made, listed, changed and deleted by an organization's owners,
and recognised when presented as the password of the organization's name.

Their secrets, digests, activity and ``last_used`` are a personal access token's
(server.services.access_tokens.OwnedTokens), under a prefix and a digest key of their own. What
one allows is its resources: a repository path of the organization each, with ``repo-pull``
(read it, even while private: level 1) or ``repo-push`` (also create it and push: level 2); no
organization access token deletes a repository. ``*/*/public`` names the public repositories,
which everyone may read already: it is kept as given and allows nothing more.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, bindparam, delete, func, insert, literal, or_, select

from server.auth import Level
from server.errors import InvalidRequest, NotFound
from server.services.access_tokens import ORG_PREFIX, OwnedTokens, aware
from server.services.tokens import SigningKeyCache
from server.storage.database import DatabaseSession
from server.storage.prepared import plain_read, prepared
from server.storage.tables import (
    Organization,
    OrganizationAccessToken,
    OrganizationAccessTokenResource,
    Repository,
)

PULL = "repo-pull"
PUSH = "repo-push"
PUBLIC = "*/*/public"
REPOSITORY = "TYPE_REPO"
_LEVELS = {PULL: Level.READ, PUSH: Level.WRITE}

_tokens = OrganizationAccessToken.__table__
_resources = OrganizationAccessTokenResource.__table__
_orgs = Organization.__table__
_repositories = Repository.__table__
_COLUMNS = (
    _tokens.c.id,
    _tokens.c.uuid,
    _tokens.c.label,
    _tokens.c.description,
    _tokens.c.created_by,
    _tokens.c.is_active,
    _tokens.c.created_at,
    _tokens.c.expires_at,
    _tokens.c.last_used,
)
_PRESENTED = select(*_COLUMNS, _orgs.c.name).select_from(
    _tokens.join(_orgs, _orgs.c.id == _tokens.c.organization_id)
)

# What the access decision needs of repository :namespace/:name for the organization access
# token :token, in one statement: whether the repository is private (NULL: there is none), and
# the highest level the token's resources give on it while the token is active and unexpired
# (NULL: none).
STANDING = plain_read(
    prepared(
        select(
            select(_repositories.c.is_private)
            .where(
                _repositories.c.namespace == bindparam("namespace"),
                _repositories.c.name == bindparam("name"),
            )
            .scalar_subquery(),
            select(func.max(_resources.c.level))
            .select_from(_resources.join(_tokens, _tokens.c.id == _resources.c.token_id))
            .where(
                _tokens.c.uuid == bindparam("token"),
                _tokens.c.is_active.is_(True),
                or_(_tokens.c.expires_at.is_(None), _tokens.c.expires_at > bindparam("now")),
                _resources.c.path == bindparam("path"),
            )
            .scalar_subquery(),
        )
    )
)


def readable_paths(token: str, now: datetime) -> Select:
    """The paths (``namespace/name``) of the repositories the organization access token of
    uuid ``token`` may read: its resources', while it is active and unexpired at ``now``, those
    of its own organization only (``resources_of`` checks so when they are given)."""
    organization = _orgs.c.name
    return (
        select(_resources.c.path)
        .select_from(
            _resources.join(_tokens, _tokens.c.id == _resources.c.token_id).join(
                _orgs, _orgs.c.id == _tokens.c.organization_id
            )
        )
        .where(
            _tokens.c.uuid == literal(token),
            _tokens.c.is_active.is_(True),
            or_(
                _tokens.c.expires_at.is_(None),
                _tokens.c.expires_at > literal(now, _tokens.c.expires_at.type),
            ),
            _resources.c.level >= int(Level.READ),
            func.substr(_resources.c.path, 1, func.length(organization) + 1) == organization + "/",
        )
    )


@dataclass(frozen=True, slots=True)
class Resource:
    path: str
    scopes: tuple[str, ...]

    @property
    def level(self) -> Level:
        return max(_LEVELS[scope] for scope in self.scopes)


@dataclass(frozen=True, slots=True)
class OrgTokenRecord:
    """An organization access token as its organization's owners see it (never its secret)."""

    id: int
    uuid: str
    label: str
    description: str
    created_by: str
    is_active: bool
    created_at: datetime
    expires_at: datetime | None
    last_used: datetime | None
    resources: tuple[Resource, ...]

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True, slots=True)
class PresentedOrgToken:
    record: OrgTokenRecord
    organization: str


def resources_of(org_name: str, given: Iterable[tuple[str, Sequence[str]]]) -> list[Resource]:
    """The resources ``given`` (path, scopes), checked for the organization ``org_name``: each
    path one of its repositories, or ``*/*/public`` to pull; one resource a path, whose scopes
    are what every mention of it gave."""
    merged: dict[str, set[str]] = {}
    for index, (path, scopes) in enumerate(given):
        if path == PUBLIC:
            if set(scopes) != {PULL}:
                raise InvalidRequest(f"body.resources[{index}].scopes: {PUBLIC} takes {PULL} only")
        elif path.partition("/")[0] != org_name:
            raise InvalidRequest(
                f"body.resources[{index}].path: {path!r} is no repository of {org_name}"
            )
        merged.setdefault(path, set()).update(scopes)
    return [Resource(path, tuple(sorted(scopes))) for path, scopes in merged.items()]


class OrgAccessTokenService:
    def __init__(self, session: DatabaseSession, keys: SigningKeyCache) -> None:
        self._session = session
        self._owned = OwnedTokens(
            session,
            keys,
            _tokens,
            _tokens.c.organization_id,
            prefix=ORG_PREFIX,
            purpose="organization-access-token",
        )

    async def create(
        self,
        org_id: int,
        label: str,
        description: str,
        resources: Sequence[Resource],
        expires_at: datetime | None,
        *,
        created_by: str,
    ) -> tuple[OrgTokenRecord, str]:
        """The new token's record and its secret, which is never shown again."""
        secret = self._owned.new_secret()
        now = datetime.now(UTC)
        token_uuid = str(uuid.uuid4())
        token_id = await self._session.scalar(
            insert(_tokens)
            .values(
                uuid=token_uuid,
                organization_id=org_id,
                digest=await self._owned.digest(secret),
                label=label,
                description=description,
                is_active=True,
                expires_at=expires_at,
                last_used=None,
                created_at=now,
                created_by=created_by,
            )
            .returning(_tokens.c.id)
        )
        assert token_id is not None
        await self._write_resources(int(token_id), resources)
        record = OrgTokenRecord(
            int(token_id), token_uuid, label, description, created_by, True, now, expires_at,
            None, tuple(resources),
        )  # fmt: skip
        return record, secret

    async def page(self, org_id: int, page: int, size: int) -> tuple[int, list[OrgTokenRecord]]:
        """The organization's tokens, newest first: page ``page`` of ``size``, and how many."""
        count, _active = await self._owned.counts(org_id)
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(_tokens.c.organization_id == org_id)
            .order_by(_tokens.c.created_at.desc(), _tokens.c.id.desc())
            .limit(size)
            .offset((page - 1) * size)
        )
        found = [tuple(row) for row in rows]
        resources = await self._resources([row[0] for row in found])
        return count, [_record(row, resources.get(row[0], ())) for row in found]

    async def get(self, org_id: int, token: str) -> OrgTokenRecord:
        row = (
            await self._session.execute(
                select(*_COLUMNS).where(*self._owned.of_owner),
                {"owner": org_id, "token_uuid": token},
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"access token {token} not found")
        resources = await self._resources([row[0]])
        return _record(tuple(row), resources.get(row[0], ()))

    async def update(
        self,
        org_id: int,
        token: str,
        *,
        label: str | None,
        description: str | None,
        resources: Sequence[Resource] | None,
        is_active: bool | None,
    ) -> OrgTokenRecord:
        values: dict[str, object] = {}
        if label is not None:
            values["label"] = label
        if description is not None:
            values["description"] = description
        if is_active is not None:
            values["is_active"] = is_active
        if values or resources is not None:
            # Written even without values: the token's row is locked and found the same way.
            token_id = await self._owned.change(org_id, token, values or {"uuid": token})
            if resources is not None:
                await self._session.execute(
                    delete(_resources).where(_resources.c.token_id == token_id)
                )
                await self._write_resources(token_id, resources)
        return await self.get(org_id, token)

    async def delete(self, org_id: int, token: str) -> None:
        await self._owned.delete(org_id, token)

    async def presented(self, secret: str) -> PresentedOrgToken | None:
        """The token whose secret this is, with its organization's name; None if none."""
        digest = await self._owned.digest(secret)
        row = (
            await self._session.execute(_PRESENTED.where(_tokens.c.digest == digest))
        ).one_or_none()
        if row is None:
            return None
        *columns, organization = tuple(row)
        return PresentedOrgToken(_record(tuple(columns), ()), organization)

    async def touch(self, token_id: int, now: datetime) -> None:
        await self._owned.touch(token_id, now)

    async def _write_resources(self, token_id: int, resources: Sequence[Resource]) -> None:
        if resources:
            await self._session.execute(
                insert(_resources),
                [
                    {
                        "token_id": token_id,
                        "path": resource.path,
                        "scopes": ",".join(resource.scopes),
                        "level": int(resource.level),
                    }
                    for resource in resources
                ],
            )

    async def _resources(self, token_ids: list[int]) -> dict[int, tuple[Resource, ...]]:
        if not token_ids:
            return {}
        rows = await self._session.execute(
            select(_resources.c.token_id, _resources.c.path, _resources.c.scopes)
            .where(_resources.c.token_id.in_(bindparam("ids", expanding=True)))
            .order_by(_resources.c.path),
            {"ids": token_ids},
        )
        found: dict[int, list[Resource]] = {}
        for token_id, path, scopes in rows:
            found.setdefault(token_id, []).append(Resource(path, tuple(scopes.split(","))))
        return {token_id: tuple(resources) for token_id, resources in found.items()}


def _record(row: tuple, resources: tuple[Resource, ...]) -> OrgTokenRecord:  # type: ignore[type-arg]
    token_id, token_uuid, label, description, created_by, active, created, expires, used = row
    return OrgTokenRecord(
        token_id, token_uuid, label, description, created_by, bool(active),
        aware(created) or datetime.now(UTC), aware(expires), aware(used), resources,
    )  # fmt: skip
