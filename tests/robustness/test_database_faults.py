"""A PostgreSQL that fails under the server is a 503 with Retry-After, never a 500: a backend
terminated by an administrator (as in a failover), the connection limit reached. A request
whose unit only read, or never had a connection, is run once more and usually succeeds.

The real server on a real PostgreSQL; the faults are made from an administrator's connection.
"""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.functional.conftest import _PostgresDatabases
from tests.functional.support import assert_error
from tests.harness import Account, Index, Mailbox


@pytest.fixture
def postgres_url(postgres_databases: _PostgresDatabases) -> Iterator[str]:
    name, url = postgres_databases.create()
    yield url
    postgres_databases.drop(name)


def _libpq(url: str, **changes: str) -> str:
    return make_url(url).set(drivername="postgresql", **changes).render_as_string(False)


@contextmanager
def _table_locked(
    url: str, table: str, mode: str = "ACCESS EXCLUSIVE"
) -> Iterator[psycopg.Connection]:
    """``table`` locked by an administrator's transaction until the block ends: units that
    touch it (EXCLUSIVE: that write to it) wait, each on its own connection."""
    with psycopg.connect(_libpq(url)) as admin:
        admin.execute(f"LOCK TABLE {table} IN {mode} MODE")
        yield admin
        admin.rollback()


def _terminate_waiting(url: str, expected: int, timeout: float = 10) -> int:
    """Terminate the backends of the server that wait for a lock, once ``expected`` of them
    do; how many were terminated."""
    database = make_url(url).database
    deadline = time.monotonic() + timeout
    with psycopg.connect(_libpq(url), autocommit=True) as admin:
        while True:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
                " AND pid <> pg_backend_pid()",
                (database,),
            ).fetchall()
            if len(rows) >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        for (pid,) in rows:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return len(rows)


def _in_thread(request: Callable[[], httpx.Response]) -> tuple[threading.Thread, list]:
    result: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: result.append(request()))
    thread.start()
    return thread, result


def _pushed(index: Index) -> tuple[Account, str]:
    owner = index.account()
    repository = f"{owner.username}/app"
    created = index.client.put(f"/v1/repositories/{repository}/", json=[{"id": "a" * 64}],
                               auth=owner.auth)  # fmt: skip
    assert created.status_code == 200, created.text
    return owner, repository


def test_a_read_whose_backend_is_terminated_is_run_again_and_answers(
    postgres_url: str, mailbox: Mailbox
):
    index = Index(postgres_url, mailbox, email_confirmation="off").start()
    try:
        _, repository = _pushed(index)
        with _table_locked(postgres_url, "images"):
            thread, result = _in_thread(
                lambda: index.client.get(f"/v1/repositories/{repository}/images")
            )
            assert _terminate_waiting(postgres_url, 1) == 1
        thread.join(timeout=30)
    finally:
        index.close()

    [response] = result
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": "a" * 64}]


def test_a_write_whose_backend_is_terminated_is_a_503_and_not_written(
    postgres_url: str, mailbox: Mailbox
):
    index = Index(postgres_url, mailbox, email_confirmation="off").start()
    try:
        owner, repository = _pushed(index)
        body = [{"id": "a" * 64, "checksum": "sha256:" + "1" * 64}]
        # Its reads pass (what it compares with: it has something to write); its write waits.
        with _table_locked(postgres_url, "images", "EXCLUSIVE"):
            thread, result = _in_thread(
                lambda: index.client.put(
                    f"/v1/repositories/{repository}/images", json=body, auth=owner.auth
                )
            )
            assert _terminate_waiting(postgres_url, 1) == 1
        thread.join(timeout=30)
        [response] = result
        listed = index.client.get(f"/v1/repositories/{repository}/images").json()
        again = index.client.put(
            f"/v1/repositories/{repository}/images", json=body, auth=owner.auth
        )
    finally:
        index.close()

    assert_error(response, 503)
    assert response.headers["Retry-After"] == "1"
    assert listed == [{"id": "a" * 64}]  # the unit was rolled back: nothing half-done
    assert again.status_code == 204, again.text


def test_a_push_whose_read_before_writing_is_terminated_is_run_again_and_written(
    postgres_url: str, mailbox: Mailbox
):
    """What a push compares with is read before its unit has written anything: that read's
    backend terminated, running the request again is safe, and it is."""
    index = Index(postgres_url, mailbox, email_confirmation="off").start()
    try:
        owner, repository = _pushed(index)
        body = [{"id": "a" * 64, "checksum": "sha256:" + "1" * 64}]
        with _table_locked(postgres_url, "images"):  # its read of the checksums waits
            thread, result = _in_thread(
                lambda: index.client.put(
                    f"/v1/repositories/{repository}/images", json=body, auth=owner.auth
                )
            )
            assert _terminate_waiting(postgres_url, 1) == 1
        thread.join(timeout=30)
        [response] = result
        listed = index.client.get(f"/v1/repositories/{repository}/images").json()
    finally:
        index.close()

    assert response.status_code == 204, response.text
    assert listed == body


@pytest.fixture
def limited_url(postgres_url: str) -> Iterator[str]:
    """``postgres_url`` as a role of its own that may hold 3 connections at once."""
    role = f"hubindex_limited_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 3")
        admin.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        admin.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
    yield make_url(postgres_url).set(username=role).render_as_string(False)
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,)
        )
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")


def test_the_connection_limit_reached_is_a_503_never_a_500(
    postgres_url: str, limited_url: str, mailbox: Mailbox
):
    # One connection listens for changes; two more serve; the pool would open eight.
    index = Index(limited_url, mailbox, email_confirmation="off", database_pool_size=8).start()
    try:
        # Six repositories: requests for one list would share one read, and one connection.
        repositories = [_pushed(index)[1] for _ in range(6)]
        with _table_locked(postgres_url, "images"):
            waiting = [
                _in_thread(lambda name=name: index.client.get(f"/v1/repositories/{name}/images"))
                for name in repositories
            ]
            time.sleep(1)  # every request has a connection and waits, or was refused one
        for thread, _ in waiting:
            thread.join(timeout=30)
        after = index.client.get(f"/v1/repositories/{repositories[0]}/images")
    finally:
        index.close()

    statuses = sorted(result[0].status_code for _, result in waiting)
    assert set(statuses) <= {200, 503}, statuses
    assert 503 in statuses, statuses  # the limit was met
    assert 200 in statuses, statuses  # the requests that had a connection were answered
    for _, [response] in waiting:
        if response.status_code == 503:
            assert_error(response, 503)
            assert response.headers["Retry-After"] == "1"
    assert after.status_code == 200, after.text
