"""Functional fixtures: every test gets a fresh database, on SQLite and on PostgreSQL.

PostgreSQL runs against the server ``tests.backends.postgres()`` finds: the one
HUBINDEX_TEST_POSTGRES_URL names, or this machine's at 127.0.0.1:5432; without one those tests
are skipped with the reason, which the run's last line repeats. A run drops the PostgreSQL
databases it made when it ends, failed, interrupted or stopped by SIGTERM; those of a run that
was killed outright are dropped by a later run (``drop_dead_runs_databases``).
"""

import re
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from server.storage.migrations import upgrade
from tests.backends import BACKENDS, postgres
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


# A run's databases are named with its mark (the hex second it started, 4 random hex digits);
# while it runs, its admin connection carries the mark in its application_name.
RUN_APPLICATION = "hubindex-tests"
RUN_DATABASE = re.compile(r"hubindex_(?:template|test)_([0-9a-f]{12})(?:_[0-9a-f]+)?")
LEFTOVER_AFTER_SECONDS = 24 * 3600


def drop_dead_runs_databases(admin: psycopg.Connection, now: float | None = None) -> list[str]:
    """Drop the databases of test runs that are gone; what it dropped. Gone: made more than
    ``LEFTOVER_AFTER_SECONDS`` ago by a run whose admin connection is closed, and nobody is
    connected to it. A database someone connects to meanwhile refuses the DROP and is kept."""
    now = time.time() if now is None else now
    live = {
        name.removeprefix(f"{RUN_APPLICATION} ")
        for (name,) in admin.execute(
            "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE %s",
            (f"{RUN_APPLICATION} %",),
        )
    }
    candidates = admin.execute(
        "SELECT datname FROM pg_database d WHERE datname LIKE 'hubindex\\_%'"
        " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)"
    ).fetchall()
    dropped = []
    for (name,) in candidates:
        mark = RUN_DATABASE.fullmatch(name)
        if mark is None or mark[1] in live or now - int(mark[1][:8], 16) < LEFTOVER_AFTER_SECONDS:
            continue
        try:
            admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error:
            continue  # in use after all
        dropped.append(name)
    return dropped


class _PostgresDatabases:
    """Fresh databases cloned from one migrated template database.

    A database a test is done with is given back (``release``) and put back in the template's
    state for the next test (``storage.reset``): the same schema, rows and sequence positions,
    checked against the template, at a fraction of the cost of dropping it and cloning another.
    One that cannot be put back is dropped.
    """

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        # Per process: each worker of ``-n`` has a run mark, and a template, of its own.
        self.run = f"{int(time.time()):08x}{uuid.uuid4().hex[:4]}"
        self.template = f"hubindex_template_{self.run}"
        self._admin = psycopg.connect(
            self.url.set(drivername="postgresql", database="postgres").render_as_string(False),
            autocommit=True,
            application_name=f"{RUN_APPLICATION} {self.run}",
        )
        drop_dead_runs_databases(self._admin)
        self._spare: list[str] = []
        self._made: set[str] = set()
        self._admin.execute(f'CREATE DATABASE "{self.template}"')
        try:
            upgrade(self._url_of(self.template))
            with self._connect(self.template) as connection:
                self._snapshot = Snapshot.of(connection)
        except BaseException:
            self.close()
            raise

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
            name = f"hubindex_test_{self.run}_{uuid.uuid4().hex[:8]}"
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
        try:
            for name in [*self._made, self.template]:
                self.drop(name)
        finally:
            self._admin.close()


def _interrupt(_signal: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt("SIGTERM")


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[_PostgresDatabases]:
    target = postgres()
    if target.url is None:
        pytest.skip(target.why_left_out)
    # A run stopped by SIGTERM (a timeout's) ends as an interrupted one does: its fixtures are
    # torn down, and the databases dropped.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        databases = _PostgresDatabases(target.url)
        try:
            yield databases
        finally:
            databases.close()
    finally:
        signal.signal(signal.SIGTERM, previous)


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
