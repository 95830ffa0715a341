"""``kill -9`` in the middle of a burst of writes loses no write that was answered 204.

``hubindex serve`` runs as a real process, as an operator runs it; several threads push image
ids at it; it is killed with SIGKILL while they are at it, then started again on the same
database. Every id answered 204 before the kill is there, no id that was never sent is, and the
database passes its integrity checks.
"""

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from tests.robustness.support import ServeProcess, migrate
from tests.security.helpers import basic, image_id, listed_ids, query

WRITERS = 4
PER_WRITER = 250  # more than the burst can get through before the kill
KILL_AFTER = 60  # answered writes


class Burst:
    """Writers that PUT fresh image ids until the server goes away."""

    def __init__(self, url: str, path: str, headers: dict[str, str]) -> None:
        self.sent: list[str] = []
        self.answered: list[str] = []  # got 204
        self.unexpected: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(
            base_url=url, timeout=10, limits=httpx.Limits(max_connections=WRITERS)
        )
        self._path, self._headers = path, headers
        self.threads = [threading.Thread(target=self._write) for _ in range(WRITERS)]

    def _write(self) -> None:
        for _ in range(PER_WRITER):
            new = image_id()
            with self._lock:
                self.sent.append(new)
            try:
                response = self._client.put(self._path, json=[{"id": new}], headers=self._headers)
            except httpx.TransportError:
                return  # the server is gone
            with self._lock:
                if response.status_code == 204:
                    self.answered.append(new)
                else:
                    self.unexpected.append((response.status_code, response.text))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.answered) < count:
            assert time.monotonic() < deadline, f"only {len(self.answered)} writes answered"
            assert any(t.is_alive() for t in self.threads), "the writers stopped early"
            time.sleep(0.005)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=60)
            assert not thread.is_alive()
        self._client.close()


def test_kill_9_mid_burst_loses_no_answered_write(database_url: str, tmp_path: Path):
    migrate(database_url)
    server = ServeProcess(
        database_url, tmp_path / "serve.log", {"HUBINDEX_EMAIL_CONFIRMATION": "off"}
    ).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            username, password = "crash_owner", "crash-password"
            registered = client.post(
                "/v1/users/",
                json={"username": username, "password": password, "email": "crash@example.com"},
            )
            assert registered.status_code == 201, registered.text
            as_owner = basic(username, password)
            repository = f"/v1/repositories/{username}/crash"
            assert client.put(f"{repository}/", json=[], headers=as_owner).status_code == 200

        burst = Burst(server.url, f"{repository}/images", as_owner)
        burst.start()
        burst.wait_for(KILL_AFTER)
        answered_before_the_kill = set(burst.answered)
        in_flight = sum(t.is_alive() for t in burst.threads)
        server.kill()
        burst.join()
    finally:
        server.stop()
    assert in_flight > 0, "the burst was over before the kill"
    assert burst.unexpected == []
    assert len(burst.answered) < WRITERS * PER_WRITER, "no write was cut off by the kill"

    restarted = ServeProcess(database_url, tmp_path / "serve-again.log").start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=30) as client:
            listed = listed_ids(client.get(f"{repository}/images"))
            assert client.get("/v1/users/", headers=as_owner).json() == "OK"
            after = image_id()
            put = client.put(f"{repository}/images", json=[{"id": after}], headers=as_owner)
            assert put.status_code == 204
    finally:
        restarted.stop()

    assert set(burst.answered) <= listed, "answered writes were lost"
    assert answered_before_the_kill <= listed
    assert listed <= set(burst.sent), "ids that were never sent are listed"
    _assert_database_integrity(database_url)


def _assert_database_integrity(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(url.database)) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        return
    duplicates = query(
        database_url,
        "SELECT repository_id, image_id FROM images GROUP BY repository_id, image_id"
        " HAVING count(*) > 1",
    )
    assert duplicates == []
    orphans = query(
        database_url,
        "SELECT count(*) FROM images WHERE repository_id NOT IN (SELECT id FROM repositories)",
    )
    assert orphans == [(0,)]
    invalid_indexes = query(
        database_url,
        "SELECT indexrelid::regclass::text FROM pg_index"
        " WHERE indrelid::regclass::text IN ('users', 'emails', 'repositories', 'images')"
        " AND NOT (indisvalid AND indisready)",
    )
    assert invalid_indexes == []
    # Every row of every table reads back.
    for table in ("users", "emails", "repositories", "images", "signing_keys"):
        assert query(database_url, f"SELECT * FROM {table}"), f"{table} is empty"
