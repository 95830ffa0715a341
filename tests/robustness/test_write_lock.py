"""One request's wait is its own: a password change hashing, or SQLite's write lock held by
another process, holds up neither the other requests' writes nor a ping.

Ordering, not wall-clock thresholds: what must not wait is asserted to be answered before
what is slow. How fast is measured by ``scripts/stress``.
"""

import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.harness import Index
from tests.robustness.support import pool_client
from tests.security.helpers import image_id, listed_ids

# Concurrent requests over real connections: uvicorn's part is the point.
pytestmark = pytest.mark.over_socket

# argon2id at production strength and more, so that a hash lasts long enough (~0.5 s here)
# for the other requests to arrive while it runs.
SLOW_HASHING = {"argon2_time_cost": 10, "argon2_memory_kib": 65536, "argon2_parallelism": 1}
# How long the test waits after sending the slow request before sending the others: only to
# put them in that order (the slow part lasts several times longer), never a threshold.
HEAD_START_SECONDS = 0.1


class Answers:
    """Which requests were answered, in the order they were."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self._lock = threading.Lock()

    def send(self, name: str, request: Callable[[], httpx.Response]) -> httpx.Response:
        response = request()
        response.read()
        with self._lock:
            self.order.append(name)
        return response


def test_a_password_change_racing_a_push_holds_up_neither_the_push_nor_a_ping(
    make_index: Callable[..., Index],
):
    index = make_index(email_confirmation="off", **SLOW_HASHING)
    alice, bob = index.account(), index.account()
    # Alice's password is verified, and remembered: her next request needs no argon2 to log in.
    assert index.client.get("/v1/users/", auth=alice.auth).status_code == 200
    path = f"/v1/repositories/{bob.username}/racing"
    as_bob = {"Authorization": bob.basic}
    # A commit after alice's login: her next login reads the database again, in the writing
    # unit of her password change (on SQLite, its first statement takes the write lock).
    assert index.client.put(f"{path}/", json=[], headers=as_bob).status_code == 200
    new_password = secrets.token_urlsafe(12)
    pushed = image_id()

    answers = Answers()
    with pool_client(index.url, 3) as client, ThreadPoolExecutor(max_workers=3) as executor:
        change = executor.submit(
            answers.send,
            "password change",
            lambda: client.put(
                f"/v1/users/{alice.username}/", json={"password": new_password}, auth=alice.auth
            ),
        )
        time.sleep(HEAD_START_SECONDS)  # the hash is running: see HEAD_START_SECONDS
        push = executor.submit(
            answers.send,
            "push",
            lambda: client.put(f"{path}/images", json=[{"id": pushed}], headers=as_bob),
        )
        ping = executor.submit(answers.send, "ping", lambda: client.get("/v1/_ping"))
        responses = {
            "password change": change.result(),
            "push": push.result(),
            "ping": ping.result(),
        }

    statuses = {name: (r.status_code, r.text) for name, r in responses.items()}
    assert statuses == {"password change": (204, ""), "push": (204, ""), "ping": (200, "true")}
    # Neither waited for the hash.
    assert answers.order[-1] == "password change", answers.order
    assert index.client.get("/v1/users/", auth=(alice.username, new_password)).status_code == 200
    assert index.client.get("/v1/users/", auth=alice.auth).status_code == 401
    assert listed_ids(index.client.get(f"{path}/images")) == {pushed}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_write_lock_held_by_another_process_is_a_503_and_never_stalls_a_ping(
    make_index: Callable[..., Index], database_url: str
):
    """SQLite only: PostgreSQL has no database-wide write lock to hold."""
    index = make_index(email_confirmation="off")
    owner = index.account()
    path = f"/v1/repositories/{owner.username}/locked"
    as_owner = {"Authorization": owner.basic}
    assert index.client.put(f"{path}/", json=[], headers=as_owner).status_code == 200

    # Another process's writer (here a connection of the test's own) holds the write lock.
    other = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    answers = Answers()
    try:
        with pool_client(index.url, 2) as client, ThreadPoolExecutor(max_workers=2) as executor:
            push = executor.submit(
                answers.send,
                "push",
                lambda: client.put(f"{path}/images", json=[{"id": image_id()}], headers=as_owner),
            )
            time.sleep(HEAD_START_SECONDS)  # the push is waiting for the lock
            ping = executor.submit(answers.send, "ping", lambda: client.get("/v1/_ping"))
            refused, pong = push.result(), ping.result()
    finally:
        other.rollback()
        other.close()

    assert (pong.status_code, pong.text) == (200, "true")
    assert answers.order == ["ping", "push"]
    assert refused.status_code == 503, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert "busy" in refused.json()["error"]
    # Once the other writer is done, the same push goes through.
    again = index.client.put(f"{path}/images", json=[{"id": image_id()}], headers=as_owner)
    assert again.status_code == 204, again.text
