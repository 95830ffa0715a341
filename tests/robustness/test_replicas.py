"""Two ``hubindex serve`` processes on one PostgreSQL database act as one index.

As an operator scales out: the same database URL, SMTP server and public URL for both, no other
shared state. Accounts, confirmations, logins, tokens and writes go through either one.
"""

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import Mailbox
from tests.robustness.support import ServeProcess, burst, migrate, pool_client
from tests.security.helpers import WANT_TOKEN, basic, image_id, listed_ids, with_token

PUBLIC_URL = "https://index.example"


@pytest.fixture
def replicas(
    postgres_databases, mailbox: Mailbox, tmp_path: Path
) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    name, url = postgres_databases.create()
    migrate(url)
    variables = {
        "HUBINDEX_SMTP_URL": mailbox.url,
        "HUBINDEX_PUBLIC_URL": PUBLIC_URL,  # the load balancer's, in front of both
        "HUBINDEX_EMAIL_CONFIRMATION": "required",
    }
    started: list[ServeProcess] = []
    try:
        for label in ("a", "b"):
            started.append(ServeProcess(url, tmp_path / f"serve-{label}.log", variables).start())
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()
        postgres_databases.release(name)


def test_two_replicas_on_one_database_act_as_one_index(
    replicas: tuple[ServeProcess, ServeProcess], mailbox: Mailbox
):
    a, b = replicas
    assert a.port != b.port
    suffix = secrets.token_hex(4)
    username, password = f"twin_{suffix}", f"pw-{secrets.token_hex(8)}"
    email = f"twin.{suffix}@example.com"
    as_user = basic(username, password)
    with (
        httpx.Client(base_url=a.url, timeout=30) as via_a,
        httpx.Client(base_url=b.url, timeout=30) as via_b,
    ):
        # Registered through A, confirmed by the mailed link (the public URL's), logs in
        # through B.
        registered = via_a.post(
            "/v1/users/", json={"username": username, "password": password, "email": email}
        )
        assert registered.status_code == 201, registered.text
        assert via_b.get("/v1/users/", headers=as_user).status_code == 403  # not yet confirmed
        link = mailbox.confirmation_link(email)
        assert link.startswith(f"{PUBLIC_URL}/v1/users/confirm?code=")
        confirmed = via_b.get(link.removeprefix(PUBLIC_URL))  # the code works on either replica
        assert (confirmed.status_code, confirmed.json()) == (200, "Email confirmed")
        login = via_b.get("/v1/users/", headers=as_user)
        assert (login.status_code, login.json()) == (200, "OK")

        # A token minted by A is good on B, for pulling and for a registry's check.
        path = f"/v1/repositories/{username}/shared"
        first = image_id()
        created = via_a.put(f"{path}/", json=[{"id": first}], headers={**as_user, **WANT_TOKEN})
        assert created.status_code == 200, created.text
        write = with_token(created.headers["X-Docker-Token"])
        assert listed_ids(via_b.get(f"{path}/images", headers=write)) == {first}
        checked = via_b.put(f"{path}/auth", headers=write)
        assert (checked.status_code, checked.json()) == (200, "OK")
        pulled = via_b.get(f"{path}/images", headers=WANT_TOKEN)
        read = with_token(pulled.headers["X-Docker-Token"])
        assert via_a.put(f"{path}/auth", headers=read).json() == "OK"
        # ... and what it does not allow, B does not allow either.
        assert via_b.put(f"{path}/images", json=[], headers=read).status_code == 403

        # Writes through both at once: none is lost.
        ids = {"a": [image_id() for _ in range(25)], "b": [image_id() for _ in range(25)]}
        with pool_client(a.url, 25) as pool_a, pool_client(b.url, 25) as pool_b:
            requests = []
            for via, label in ((pool_a, "a"), (pool_b, "b")):
                requests += [
                    lambda via=via, i=i: via.put(
                        f"{path}/images", json=[{"id": i}], headers=as_user
                    )
                    for i in ids[label]
                ]
            responses = burst(requests)
        assert [r.status_code for r in responses] == [204] * 50, [r.text for r in responses]
        everything = {first, *ids["a"], *ids["b"]}
        assert listed_ids(via_a.get(f"{path}/images")) == everything
        assert listed_ids(via_b.get(f"{path}/images")) == everything
