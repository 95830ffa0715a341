"""``pages.*``: a repository's page (descriptions, stars, pulls), creating, listing and
deleting repositories on Docker Hub's routes (server.services.pages)."""

from generated import models
from server.auth import (
    Access,
    Account,
    Identity,
    Level,
    RepositoryName,
    Scope,
    Standing,
    authorize,
    authorize_level,
    caller_id,
    reads_private,
    scope_of,
)
from server.errors import AuthenticationFailed
from server.handlers._audit import audited, repository_event
from server.handlers._webhooks import deliveries
from server.handlers.call import Call, Reply
from server.handlers.paging import links
from server.services.pages import PageList, PageRecord, Viewer


async def info(call: Call, *, namespace: str, repository: str) -> models.RepositoryInfo:
    name = RepositoryName.of(namespace, repository)
    standing = await _standing(call, name)
    authorize(call.identity, name, Access.READ, standing)
    return await _info(call, name, standing)


async def get(call: Call, *, namespace: str, repository: str) -> models.RepositoryInfo:
    return await info(call, namespace=namespace, repository=repository)


async def update(
    call: Call, *, namespace: str, repository: str, body: models.RepositoryPageChange
) -> models.RepositoryInfo:
    name = RepositoryName.of(namespace, repository)
    standing = await _standing(call, name)
    authorize_level(call.identity, name, standing)
    await call.services.pages.describe(
        name,
        description=_text(body.description),
        full_description=_text(body.full_description),
    )
    await audited(call, name.namespace, "repo.update", name=str(name))
    return await _info(call, name, standing)


async def delete(call: Call, *, namespace: str, repository: str) -> Reply:
    name = RepositoryName.of(namespace, repository)
    authorize_level(call.identity, name, await _standing(call, name))
    # As the v1 DELETE does, without a delete token (so without a tombstone): the hooks are
    # told in the deletion's own transaction.
    deleted = await deliveries(call, name, "delete")
    deleted.append(await repository_event(call, name, "repo.delete"))
    await call.services.repositories.delete(name, also=deleted)
    return Reply(202)


async def create(call: Call, *, namespace: str, body: models.RepositoryCreation) -> Reply:
    return await _create(call, namespace, body)


async def create_listed(call: Call, *, body: models.RepositoryListedCreation) -> Reply:
    return await _create(call, str(_text(body.namespace)), body)


async def page(
    call: Call,
    *,
    namespace: str,
    page: int = 1,
    page_size: int = 10,
    name: str | None = None,
    ordering: str = "name",
) -> models.RepositoryPage:
    path = f"/v2/namespaces/{namespace}/repositories"
    return await _listed(call, namespace, path, page, page_size, name=name, ordering=ordering)


async def page_listed(
    call: Call,
    *,
    namespace: str,
    page: int = 1,
    page_size: int = 10,
    name: str | None = None,
    ordering: str = "name",
) -> models.RepositoryPage:
    path = f"/v2/repositories/{namespace}"
    return await _listed(call, namespace, path, page, page_size, name=name, ordering=ordering)


async def page_of_user(
    call: Call,
    *,
    username: str,
    page: int = 1,
    page_size: int = 10,
    name: str | None = None,
    ordering: str = "name",
) -> models.RepositoryPage:
    path = f"/v2/users/{username}/repositories"
    return await _listed(call, username, path, page, page_size, name=name, ordering=ordering)


async def starred(
    call: Call, *, username: str, page: int = 1, page_size: int = 10
) -> models.RepositoryPage:
    found = await call.services.pages.starred(
        username, _viewer(call.identity), page=page, size=page_size
    )
    path = f"/v2/users/{username}/repositories/starred"
    return _page(call, path, found, page, page_size)


async def star(call: Call, *, namespace: str, repository: str) -> Reply:
    account, name = await _reader(call, namespace, repository)
    await call.services.pages.star(name, account.user_id)
    return Reply(204)


async def unstar(call: Call, *, namespace: str, repository: str) -> Reply:
    account, name = await _reader(call, namespace, repository)
    await call.services.pages.unstar(name, account.user_id)
    return Reply(204)


async def _reader(call: Call, namespace: str, repository: str) -> tuple[Account, RepositoryName]:
    """The caller, an account, once it is known to read the repository, which exists."""
    identity = call.identity
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    name = RepositoryName.of(namespace, repository)
    authorize(identity, name, Access.READ, await _standing(call, name))
    return identity, name


async def _create(
    call: Call, namespace: str, body: models.RepositoryCreation | models.RepositoryListedCreation
) -> Reply:
    identity = call.identity
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    name = RepositoryName.of(namespace, str(_text(body.name)))
    standing = await _standing(call, name)
    # Who may push a new repository to the namespace (a v1 PUT's rule), for a name not taken;
    # a taken name the caller may not read is refused as any other name it may not push to.
    authorize(identity, name, Access.WRITE, Standing(False, False, standing.granted))
    private = call.settings.default_privacy == "private"
    if body.is_private is not None:
        private = body.is_private
    await call.services.pages.create(
        name,
        description=_text(body.description) or "",
        full_description=_text(body.full_description) or "",
        is_private=private,
    )
    await audited(call, name.namespace, "repo.create", name=str(name))
    return Reply(201, await _info(call, name, standing))


async def _standing(call: Call, name: RepositoryName) -> Standing:
    return await call.services.permissions.standing(caller_id(call.identity), name)


async def _info(call: Call, name: RepositoryName, standing: Standing) -> models.RepositoryInfo:
    record = await call.services.pages.info(name, caller_id(call.identity))
    return models.RepositoryInfo(
        **_entry(record).model_dump(),
        full_description=record.full_description,
        collaborator_count=record.collaborator_count,
        has_starred=record.has_starred,
        permissions=_permissions(call.identity, standing),
    )


def _permissions(identity: Identity, standing: Standing) -> models.RepositoryPermissions:
    """What the caller may do, as server.auth.authorize decides it (a read already allowed)."""
    scope = scope_of(identity) if isinstance(identity, Account) else None
    if not isinstance(identity, Account):
        return models.RepositoryPermissions(read=True, write=False, admin=False)
    write = standing.granted >= Level.WRITE and (scope is None or scope.allows(Access.WRITE))
    admin = standing.granted >= Level.ADMIN and scope in (None, Scope.ADMIN)
    return models.RepositoryPermissions(read=True, write=write, admin=admin)


async def _listed(
    call: Call,
    namespace: str,
    path: str,
    page: int,
    page_size: int,
    *,
    name: str | None,
    ordering: str,
) -> models.RepositoryPage:
    """A page of ``namespace``'s repositories the caller may see, as ``path`` lists them."""
    found = await call.services.pages.page(
        namespace, _viewer(call.identity), page=page, size=page_size, name=name, ordering=ordering
    )
    return _page(call, path, found, page, page_size, name=name, ordering=ordering)


def _viewer(identity: Identity) -> Viewer:
    return Viewer(caller_id(identity), private=reads_private(identity))


def _page(
    call: Call, path: str, found: PageList, page: int, page_size: int, **query: str | None
) -> models.RepositoryPage:
    following, preceding = links(call, path, page, page_size, found.count, **query)
    return models.RepositoryPage(
        count=found.count,
        next=following,
        previous=preceding,
        results=[_entry(record) for record in found.records],
    )


def _entry(record: PageRecord) -> models.RepositoryListEntry:
    return models.RepositoryListEntry(
        namespace=record.namespace,
        name=record.name,
        description=record.description,
        is_private=record.is_private,
        star_count=record.star_count,
        pull_count=record.pull_count,
        last_updated=record.last_updated,
        date_registered=record.date_registered,
    )


def _text(value: object) -> str | None:
    """A body's string field as text (a constrained string's model wraps it in ``root``)."""
    if value is None:
        return None
    return str(getattr(value, "root", value))
