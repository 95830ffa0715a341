"""Both engines side by side, each on a fresh database of each backend, in one event loop."""

import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp

from server.app import create_app
from server.operator import create_user
from server.settings import Settings
from server.storage.migrations import upgrade
from tests.backends import BACKENDS
from tests.contract.conftest import ADMIN
from tests.contract.credentials import Credentials
from tests.differential.engines import ENGINES, lifespan
from tests.functional.conftest import postgres_databases  # noqa: F401 - a fixture used here
from tests.harness import FAST_HASHING


def differential_settings(database_url: str, engine: str) -> Settings:
    return Settings(
        database_url=database_url,
        engine=engine,
        email_confirmation="off",  # registrations log in at once, on both sides alike
        # Wrong passwords are sent on purpose; a lock-out would depend on timing.
        login_failures_per_account=0,
        login_failures_per_address=0,
        validate_responses=True,
        **FAST_HASHING,
    )


@dataclass
class Side:
    """One engine over its own database."""

    engine: str
    app: ASGIApp
    credentials: Credentials


@dataclass
class Pair:
    backend: str
    portal: BlockingPortal
    sides: tuple[Side, Side]  # in ENGINES' order: fast, connexion


@pytest.fixture(scope="module", params=BACKENDS)
def engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    """Both engines, each on a fresh database holding one administrator, their start-up run."""
    with ExitStack() as stack:
        urls = []
        for engine in ENGINES:
            if request.param == "sqlite":
                directory = tmp_path_factory.mktemp(f"differential-{engine}")
                urls.append(f"sqlite:///{Path(directory) / 'hubindex.db'}")
                upgrade(urls[-1])
                stack.callback(shutil.rmtree, directory, ignore_errors=True)
            else:
                databases = request.getfixturevalue("postgres_databases")
                name, url = databases.create()
                stack.callback(databases.drop, name)
                urls.append(url)
        portal = stack.enter_context(start_blocking_portal())
        sides = []
        for engine, url in zip(ENGINES, urls, strict=True):
            settings = differential_settings(url, engine)
            create_user(settings, ADMIN[0], "differential@example.com", ADMIN[1], True)
            app = create_app(settings)
            stack.enter_context(portal.wrap_async_context_manager(lifespan(app)))
            sides.append(Side(engine, app, Credentials(url, ADMIN)))
        yield Pair(request.param, portal, (sides[0], sides[1]))
