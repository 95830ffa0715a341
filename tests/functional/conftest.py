"""Functional fixtures: every test gets a fresh database, on SQLite and on PostgreSQL.

PostgreSQL runs against the server ``tests.backends.postgres()`` finds: the one
HUBINDEX_TEST_POSTGRES_URL names, or this machine's at 127.0.0.1:5432; without one those tests
are skipped with the reason, which the run's last line repeats.
"""

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from server.storage.migrations import upgrade
from tests.backends import BACKENDS, postgres
from tests.conftest import worker_id
from tests.harness import Index, Mailbox
from tests.reset import ResetRefused, Snapshot


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database that each test copies."""
    path = tmp_path_factory.mktemp("template") / "hubindex.db"
    upgrade(f"sqlite:///{path}")
    return path


class _PostgresDatabases:
    """Fresh databases cloned from one migrated template database.

    A database a test is done with is given back (``release``) and put back in the template's
    state for the next test (``storage.reset``): the same schema, rows and sequence positions,
    checked against the template, at a fraction of the cost of dropping it and cloning another.
    One that cannot be put back is dropped.
    """

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        # Per process: each worker of ``-n`` has a template of its own.
        self.template = f"hubindex_template_{worker_id()}_{uuid.uuid4().hex[:8]}"
        self._admin = psycopg.connect(
            self.url.set(drivername="postgresql", database="postgres").render_as_string(False),
            autocommit=True,
        )
        self._admin.execute(f'CREATE DATABASE "{self.template}"')
        upgrade(self._url_of(self.template))
        with self._connect(self.template) as connection:
            self._snapshot = Snapshot.of(connection)
        self._spare: list[str] = []
        self._made: set[str] = set()

    def _url_of(self, database: str) -> str:
        return self.url.set(drivername="postgresql+psycopg", database=database).render_as_string(
            hide_password=False
        )

    def _connect(self, database: str) -> psycopg.Connection:
        url = self.url.set(drivername="postgresql", database=database)
        return psycopg.connect(url.render_as_string(False), autocommit=True)

    def create(self) -> tuple[str, str]:
        """A database in the template's state, and its URL."""
        if self._spare:
            name = self._spare.pop()
        else:
            name = f"hubindex_test_{worker_id()}_{uuid.uuid4().hex[:12]}"
            self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self._made.add(name)
        return name, self._url_of(name)

    def release(self, name: str) -> None:
        """Done with ``name``: reset it for another test, or drop it."""
        try:
            with self._connect(name) as connection:
                self._snapshot.restore(connection)
        except (psycopg.Error, ResetRefused):
            self.drop(name)
            return
        self._spare.append(name)

    def drop(self, name: str) -> None:
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._made.discard(name)

    def close(self) -> None:
        for name in list(self._made):
            self.drop(name)
        self.drop(self.template)
        self._admin.close()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[_PostgresDatabases]:
    target = postgres()
    if target.url is None:
        pytest.skip(target.why_left_out)
    databases = _PostgresDatabases(target.url)
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A fresh, migrated database of each backend."""
    yield from fresh_database(request, tmp_path, sqlite_template)


def fresh_database(
    request: pytest.FixtureRequest, directory: Path, sqlite_template: Path
) -> Iterator[str]:
    """The URL of a new database of ``request.param``'s backend, dropped afterwards."""
    if request.param == "sqlite":
        path = directory / "hubindex.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    databases = request.getfixturevalue("postgres_databases")
    name, url = databases.create()
    yield url
    databases.release(name)


@pytest.fixture
def make_index(
    request: pytest.FixtureRequest, database_url: str, mailbox: Mailbox
) -> Iterator[Callable[..., Index]]:
    """Start a hubindex on this test's database with the given settings (as Settings fields):
    in-process, or behind a real uvicorn on a loopback port for a test marked ``over_socket``."""
    started: list[Index] = []
    over_socket = request.node.get_closest_marker("over_socket") is not None

    def make(**settings: Any) -> Index:
        index = Index(database_url, mailbox, over_socket=over_socket, **settings).start()
        started.append(index)
        return index

    yield make
    for index in started:
        index.close()


@pytest.fixture
def index(make_index: Callable[..., Index]) -> Index:
    """A hubindex with the default settings (email confirmation required)."""
    return make_index()
