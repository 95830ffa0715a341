"""Two ``hubindex serve`` processes on one database: what one acknowledged, the other decides
from, at once. Whether a write is needed and whether a password is current are read from the
database in the request's own transaction, never from a cache the other process's change has
not reached yet (on PostgreSQL its change feed's notice may still be on the way)."""

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.functional.support import basic, checksum, image_id
from tests.robustness.support import ServeProcess

FLIPS = 100
PASSWORD_CHANGES = 40


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    # Every old password sent is a failure: no throttle, so that the logins go on.
    variables = {
        "HUBINDEX_EMAIL_CONFIRMATION": "off",
        "HUBINDEX_LOGIN_FAILURES_PER_ACCOUNT": "0",
        "HUBINDEX_LOGIN_FAILURES_PER_ADDRESS": "0",
    }
    started: list[ServeProcess] = []
    try:
        for label in ("a", "b"):
            started.append(ServeProcess(database_url, tmp_path / f"{label}.log", variables).start())
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()


def _register(client: httpx.Client) -> tuple[str, str]:
    username, password = f"fresh_{secrets.token_hex(4)}", f"pw-{secrets.token_hex(8)}"
    body = {"username": username, "password": password, "email": f"{username}@example.com"}
    registered = client.post("/v1/users/", json=body)
    assert registered.status_code == 201, registered.text
    return username, password


def test_a_checksum_flipped_back_through_one_process_is_written(
    two_servers: tuple[ServeProcess, ServeProcess],
):
    a, b = two_servers
    with (
        httpx.Client(base_url=a.url, timeout=30) as via_a,
        httpx.Client(base_url=b.url, timeout=30) as via_b,
    ):
        username, password = _register(via_a)
        owner = basic(username, password)
        path = f"/v1/repositories/{username}/flips"
        ids = [image_id() for _ in range(FLIPS)]
        created = via_a.put(f"{path}/", json=[{"id": i} for i in ids], headers=owner)
        assert created.status_code == 200, created.text
        expected = {}
        for image in ids:
            first, second = checksum(), checksum()
            # A's second PUT writes nothing: what it read is what a cache would have kept.
            steps = ((via_a, first), (via_a, first), (via_b, second), (via_a, first))
            for client, value in steps:
                put = client.put(
                    f"{path}/images", json=[{"id": image, "checksum": value}], headers=owner
                )
                assert put.status_code == 204, put.text
            expected[image] = first
        for client in (via_a, via_b):
            listed = client.get(f"{path}/images").json()
            held = {entry["id"]: entry.get("checksum") for entry in listed}
            lost = [image for image in ids if held[image] != expected[image]]
            assert not lost, f"{len(lost)} of {FLIPS} acknowledged checksums lost"


def test_an_old_password_is_refused_once_the_change_is_acknowledged(
    two_servers: tuple[ServeProcess, ServeProcess],
):
    a, b = two_servers
    with (
        httpx.Client(base_url=a.url, timeout=30) as via_a,
        httpx.Client(base_url=b.url, timeout=30) as via_b,
    ):
        username, password = _register(via_a)
        accepted = 0
        for _ in range(PASSWORD_CHANGES):
            for _ in range(2):  # the second writes nothing: what it read, a cache would keep
                login = via_a.get("/v1/users/", headers=basic(username, password))
                assert login.status_code == 200, login.text
            new = f"pw-{secrets.token_hex(8)}"
            changed = via_b.put(
                f"/v1/users/{username}/", json={"password": new}, headers=basic(username, password)
            )
            assert changed.status_code == 204, changed.text
            old = via_a.get("/v1/users/", headers=basic(username, password))
            assert old.status_code in (200, 401), old.text
            accepted += old.status_code == 200
            password = new
        assert accepted == 0, f"A accepted the old password {accepted} times of {PASSWORD_CHANGES}"
