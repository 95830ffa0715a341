"""A test run drops the PostgreSQL databases it made: when its tests fail, when it is stopped by
SIGTERM; and a later run drops those of a run killed outright, once a day old, never one a
live run or anyone else uses."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.conftest import ROOT
from tests.functional.conftest import (
    LEFTOVER_AFTER_SECONDS,
    RUN_APPLICATION,
    _PostgresDatabases,
    drop_dead_runs_databases,
)

# Each test runs pytest again, or makes databases of its own.
pytestmark = pytest.mark.slow

INNER_TEST = """
import os, pathlib, time

def test_that_fails(postgres_databases):
    postgres_databases.create()
    assert False, "a failing test"

def test_that_hangs_until_stopped(postgres_databases):
    postgres_databases.create()
    pathlib.Path(os.environ["MARK_FILE"]).write_text(postgres_databases.run)
    time.sleep(300)
"""


def _ours(admin: psycopg.Connection, mark: str) -> list[str]:
    rows = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"%\\_{mark}%",)
    ).fetchall()
    return [name for (name,) in rows]


def _libpq(databases: _PostgresDatabases, database: str) -> str:
    return databases.url.set(drivername="postgresql", database=database).render_as_string(False)


@pytest.fixture
def admin(postgres_databases: _PostgresDatabases) -> Iterator[psycopg.Connection]:
    with psycopg.connect(_libpq(postgres_databases, "postgres"), autocommit=True) as connection:
        yield connection


def test_a_run_that_fails_then_is_stopped_by_sigterm_drops_its_databases(
    admin: psycopg.Connection, tmp_path: Path
):
    test, mark = tmp_path / "test_inner.py", tmp_path / "mark"
    test.write_text(INNER_TEST)
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.functional.conftest",
         "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-c", os.devnull, str(test)],
        cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "MARK_FILE": str(mark)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not mark.exists() or not mark.read_text():
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the inner run made no database"
            time.sleep(0.1)
        assert len(_ours(admin, mark.read_text())) == 3  # its template and its tests'
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # this test failed: stop the inner run, as it should end
            process.terminate()
            try:
                process.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "a failing test" in output
    assert _ours(admin, mark.read_text()) == []


def test_only_a_dead_run_s_databases_a_day_old_are_dropped(
    postgres_databases: _PostgresDatabases, admin: psycopg.Connection
):
    now = time.time()
    old, young = f"{int(now - LEFTOVER_AFTER_SECONDS - 60):08x}", f"{int(now - 60):08x}"
    dead, live, recent, used = f"{old}dead", f"{old}a11e", f"{young}7e57", f"{old}05ed"
    names = [
        f"hubindex_template_{dead}", f"hubindex_test_{dead}_0001",  # a killed run's: dropped
        f"hubindex_test_{live}_0001",  # a run a day old that still runs
        f"hubindex_test_{recent}_0001",  # a run of a minute ago: maybe still starting
        f"hubindex_test_{used}_0001",  # a dead run's, but someone is connected to it
    ]  # fmt: skip
    for name in names:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with (
            psycopg.connect(
                _libpq(postgres_databases, "postgres"), application_name=f"{RUN_APPLICATION} {live}"
            ),
            psycopg.connect(_libpq(postgres_databases, f"hubindex_test_{used}_0001")),
        ):
            dropped = drop_dead_runs_databases(admin)
        assert sorted(dropped) == sorted(names[:2])
        left = {name for mark in (dead, live, recent, used) for name in _ours(admin, mark)}
        assert left == set(names[2:])
    finally:
        for name in names:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
