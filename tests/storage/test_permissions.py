"""What the access decision reads in one statement (server.services.permissions), and the
readable set search and the parent-layer check filter by, as each database answers them."""

import pytest
from sqlalchemy import select, text

from server.auth import Level, RepositoryName, Standing
from server.composition import AppState
from server.services.permissions import visible_to
from server.storage.tables import Repository

pytestmark = pytest.mark.anyio

OWNED = RepositoryName("owner1", "secret")
OPEN = RepositoryName("owner1", "open")
LIBRARY = RepositoryName("library", "base")


async def _accounts(state: AppState) -> dict[str, int]:
    names = {"owner1": False, "collab": False, "stranger": False, "root1": True}
    for name, admin in names.items():  # a unit each: hashing may not hold the write lock
        async with state.unit_of_work(writes=True) as services:
            await services.accounts.create(name, f"{name}@example.com", "pass-word-1", admin=admin)
    async with state.unit_of_work(writes=False) as services:
        rows = await services._session.execute(text("SELECT username, id FROM users"))
        return dict(rows.all())


async def _world(state: AppState) -> dict[str, int]:
    ids = await _accounts(state)
    async with state.unit_of_work(writes=True) as services:
        for repository in (OWNED, OPEN, LIBRARY):
            await services.repositories.create(repository, [])
        await services.sharing.set_privacy(OWNED, True)
        await services.sharing.set_privacy(LIBRARY, True)
        await services.sharing.add(OWNED, "collab")
    return ids


async def test_the_standing_of_each_caller(state: AppState):
    ids = await _world(state)
    expected = {
        (0, OWNED): Standing(True, True, Level.NONE),
        (ids["owner1"], OWNED): Standing(True, True, Level.ADMIN),
        (ids["collab"], OWNED): Standing(True, True, Level.WRITE),
        (ids["stranger"], OWNED): Standing(True, True, Level.NONE),
        (ids["root1"], OWNED): Standing(True, True, Level.ADMIN),
        (ids["collab"], OPEN): Standing(True, False, Level.NONE),
        (ids["owner1"], LIBRARY): Standing(True, True, Level.NONE),
        (ids["root1"], LIBRARY): Standing(True, True, Level.ADMIN),
        # a repository that does not exist: the owner of the namespace may create it
        (ids["owner1"], RepositoryName("owner1", "new")): Standing(False, False, Level.ADMIN),
        (ids["collab"], RepositoryName("owner1", "new")): Standing(False, False, Level.NONE),
    }
    async with state.unit_of_work(writes=False) as services:
        for (user, repository), standing in expected.items():
            assert await services.permissions.standing(user, repository) == standing, (
                user,
                repository,
            )


async def test_what_each_caller_may_read(state: AppState):
    ids = await _world(state)
    names = select(Repository.namespace, Repository.name).order_by(Repository.name)
    everything = ["library/base", "owner1/open", "owner1/secret"]
    expected = {
        None: ["owner1/open"],
        ids["stranger"]: ["owner1/open"],
        ids["collab"]: ["owner1/open", "owner1/secret"],
        ids["owner1"]: ["owner1/open", "owner1/secret"],
        ids["root1"]: everything,
    }
    async with state.unit_of_work(writes=False) as services:
        for user, readable in expected.items():
            rows = await services._session.execute(names.where(visible_to(user)))
            assert [f"{ns}/{name}" for ns, name in rows] == readable, user
        public = await services._session.execute(
            names.where(visible_to(ids["owner1"], private=False))
        )
        assert [f"{ns}/{name}" for ns, name in public] == ["owner1/open"]


async def test_privacy_and_collaborators_raise_the_search_generation(state: AppState):
    await _accounts(state)
    generation = text("SELECT generation FROM search_generation")
    async with state.unit_of_work(writes=True) as services:
        await services.repositories.create(OWNED, [])
    steps = [
        lambda services: services.sharing.set_privacy(OWNED, True),
        lambda services: services.sharing.add(OWNED, "collab"),
        lambda services: services.sharing.remove(OWNED, "collab"),
        lambda services: services.sharing.set_privacy(OWNED, False),
    ]
    for step in steps:
        async with state.unit_of_work(writes=False) as services:
            before = (await services._session.execute(generation)).scalar_one()
        async with state.unit_of_work(writes=True) as services:
            await step(services)
        async with state.unit_of_work(writes=False) as services:
            assert (await services._session.execute(generation)).scalar_one() == before + 1
    # Setting what is already set changes nothing, and raises nothing.
    async with state.unit_of_work(writes=True) as services:
        await services.sharing.set_privacy(OWNED, False)
    async with state.unit_of_work(writes=False) as services:
        assert (await services._session.execute(generation)).scalar_one() == before + 1
