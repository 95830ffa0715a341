"""The SQL of server.services.teams that the access decision takes in: what an account may do
with a repository through its organizations (owners and editors: admin on each of the
organization's repositories; members: what their teams are given), on both backends,
against the database alone."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import insert, literal, select

from server.composition import AppState, Services
from server.services.organizations import OrgRole
from server.services.teams import RANKS, granted, level, level_name, readable
from server.settings import Settings
from server.storage.tables import Repository, User
from tests.harness import FAST_HASHING

T = TypeVar("T")
_repositories = Repository.__table__
_users = User.__table__


def run(database_url: str, work: Callable[[Services], Awaitable[T]]) -> T:
    async def in_a_unit() -> T:
        state = AppState(Settings(database_url=database_url, **FAST_HASHING))
        await state.start()
        try:
            async with state.unit_of_work(writes=True) as services:
                return await work(services)
        finally:
            await state.close()

    return asyncio.run(in_a_unit())


async def _world(services: Services) -> dict[str, Any]:
    """Two organizations, their members and teams, their repositories, and a user's own."""
    names = ("owner", "editor", "member", "idle", "stranger")
    rows = await services._session.execute(select(_users.c.username, _users.c.id))
    users = {username: user_id for username, user_id in rows}
    ids = {name: users[f"{name}_x"] for name in names}
    orgs = services.organizations
    acme = await orgs.create("acme", "owner_x")
    other = await orgs.create("other", "stranger_x")
    await orgs.add(acme.id, "editor_x", OrgRole.EDITOR)
    await orgs.add(acme.id, "member_x", OrgRole.MEMBER)
    await orgs.add(acme.id, "idle_x", OrgRole.MEMBER)
    repos = {}
    for namespace, name in (("acme", "one"), ("acme", "two"), ("acme", "three"),
                            ("other", "four"), ("member_x", "own")):  # fmt: skip
        repos[name] = (
            await services._session.execute(
                insert(_repositories)
                .values(namespace=namespace, name=name, description="", instance=len(repos) + 1)
                .returning(_repositories.c.id)
            )
        ).scalar_one()
    teams = services.teams
    readers = await teams.create(acme.id, "readers", "")
    writers = await teams.create(acme.id, "writers", "")
    outsiders = await teams.create(other.id, "outsiders", "")
    await teams.add_member(acme.id, readers.id, "member_x")
    await teams.add_member(acme.id, writers.id, "member_x")
    await teams.grant(acme.id, repos["one"], readers.id, "read")
    await teams.grant(acme.id, repos["one"], writers.id, "write")
    await teams.grant(acme.id, repos["two"], writers.id, "admin")
    await teams.grant(other.id, repos["four"], outsiders.id, "write")
    return {"users": ids, "repos": repos, "acme": acme.id}


# account -> repository -> its level through organizations (absent: none)
EXPECTED = {
    "owner": {"one": "admin", "two": "admin", "three": "admin"},
    "editor": {"one": "admin", "two": "admin", "three": "admin"},
    "member": {"one": "write", "two": "admin"},
    "idle": {},
    # The owner of "other" has admin there; its team's write on "four" has no member.
    "stranger": {"four": "admin"},
}


def test_levels_and_readable_repositories_through_organizations(database_url: str):
    for name in EXPECTED:
        # Each in a unit of its own: a unit that wrote may not wait for argon2 (SQLite).
        run(
            database_url,
            lambda services, name=name: services.accounts.create(
                f"{name}_x", f"{name}@example.com", "s3cret-pw", admin=False
            ),
        )
    world = run(database_url, _world)
    users, repos = world["users"], world["repos"]

    async def levels(services: Services) -> dict[str, dict[str, str | None]]:
        session = services._session
        found: dict[str, dict[str, str | None]] = {}
        for user, user_id in users.items():
            found[user] = {}
            for repo, repo_id in repos.items():
                # As a value each, and correlated with an outer query over repositories.
                alone = (await session.execute(select(level(user_id, repo_id)))).scalar()
                outer = (
                    await session.execute(
                        select(level(literal(user_id), _repositories.c.id)).where(
                            _repositories.c.id == repo_id
                        )
                    )
                ).scalar()
                rows = (await session.execute(granted(user_id, repo_id))).all()
                assert alone == outer == max((rank for _, rank in rows), default=0), (user, repo)
                if alone:
                    found[user][repo] = level_name(alone)
            ids = set((await session.execute(readable(user_id))).scalars())
            assert ids == {repos[repo] for repo in found[user]}, user
            # As search will take it: repositories.id IN (readable).
            listed = await session.execute(
                select(_repositories.c.name).where(_repositories.c.id.in_(readable(user_id)))
            )
            assert set(listed.scalars()) == set(found[user]), user
        return found

    assert run(database_url, levels) == EXPECTED

    async def leave(services: Services) -> None:
        await services.organizations.remove(world["acme"], "member_x")
        await services.organizations.set_role(world["acme"], "editor_x", OrgRole.MEMBER)

    run(database_url, leave)
    after = run(database_url, levels)
    assert after == {**EXPECTED, "member": {}, "editor": {}}


def test_ranks_order_the_levels():
    assert [level_name(RANKS[name]) for name in ("read", "write", "admin")] == [
        "read",
        "write",
        "admin",
    ]
    assert RANKS["read"] < RANKS["write"] < RANKS["admin"]
    assert level_name(0) is None
