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
from server.cli.accounts import create_user
from tests.backends import BACKENDS
from tests.contract.conftest import ADMIN
from tests.contract.credentials import Credentials, conformance_settings
from tests.differential.engines import ENGINES
from tests.functional.conftest import (  # noqa: F401 - fixtures used here
    postgres_databases,
    sqlite_template,
)
from tests.harness import lifespan


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
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[Pair]:
    """Both engines, each on a fresh database holding one administrator, their start-up run."""
    with ExitStack() as stack:
        urls = []
        for engine in ENGINES:
            if request.param == "sqlite":
                directory = tmp_path_factory.mktemp(f"differential-{engine}")
                shutil.copy(sqlite_template, Path(directory) / "hubindex.db")
                urls.append(f"sqlite:///{Path(directory) / 'hubindex.db'}")
                stack.callback(shutil.rmtree, directory, ignore_errors=True)
            else:
                databases = request.getfixturevalue("postgres_databases")
                name, url = databases.create()
                stack.callback(databases.release, name)
                urls.append(url)
        portal = stack.enter_context(start_blocking_portal())
        sides = []
        for engine, url in zip(ENGINES, urls, strict=True):
            settings = conformance_settings(url, engine=engine)
            create_user(settings, ADMIN[0], "differential@example.com", ADMIN[1], True)
            app = create_app(settings)
            stack.enter_context(portal.wrap_async_context_manager(lifespan(app)))
            credentials = Credentials(url, ADMIN)
            stack.callback(credentials.close)  # before its database is released
            sides.append(Side(engine, app, credentials))
        yield Pair(request.param, portal, (sides[0], sides[1]))
