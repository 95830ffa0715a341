"""How long another process still accepts a v1 token once what granted it is gone: two
``hubindex serve`` processes on one PostgreSQL database (A takes the revocations, B is asked),
for an organization access token deleted, a personal access token deleted, and a team's
permission taken away.

Each round: a Docker read token for a private repository is got through B and used once on B
(so that B keeps the answer in its read cache, as a busy registry's checks make it); then the
revocation is sent to A, and B is asked with the token again and again until it refuses. The
figures are how many requests B accepted after A answered, and the time from A's answer to
B's first refusal, B's round trip included (an upper bound of the change feed's delay:
docs/operating.md). Run it with ``-s`` to see the
figures::

    HUBINDEX_TEST_WORKERS=0 nice -n 10 .venv/bin/python -m pytest -n 0 -s \\
        tests/robustness/test_revocation_reach.py
"""

import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import hubindex
from tests.robustness.support import ServeProcess, migrate
from tests.security.helpers import WANT_TOKEN, basic, with_token

ROUNDS = 10
# B must refuse within this: far above any delay the feed has (it is a bound, not a wait).
BOUND = 5.0


@pytest.fixture
def replicas(postgres_databases, tmp_path: Path) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    name, url = postgres_databases.create()
    migrate(url)
    variables = {"HUBINDEX_EMAIL_CONFIRMATION": "off"}
    started: list[ServeProcess] = []
    try:
        for label in ("a", "b"):
            started.append(
                ServeProcess(url, tmp_path / f"serve-{label}.log", variables).start(timeout=120)
            )
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()
        postgres_databases.release(name)


class Setup:
    """An administrator, an organization it owns, and what each round needs, made through A."""

    def __init__(self, a: httpx.Client, database_url: str) -> None:
        suffix = secrets.token_hex(4)
        self.admin, self.password = f"adm_{suffix}", f"pw-{secrets.token_hex(8)}"
        hubindex(
            "users", "create", self.admin, "--email", f"adm.{suffix}@example.com", "--admin",
            "--password-stdin", database_url=database_url, stdin=f"{self.password}\n",
        )  # fmt: skip
        self.a = a
        self.org = f"org_{suffix}"
        made = a.post(
            "/v2/orgs", json={"orgname": self.org, "owner": self.admin}, headers=self.jwt()
        )
        assert made.status_code == 201, made.text

    def jwt(self, secret: str | None = None) -> dict[str, str]:
        signed = self.a.post(
            "/v2/auth/token", json={"identifier": self.admin, "secret": secret or self.password}
        )
        assert signed.status_code == 200, signed.text
        return {"Authorization": f"Bearer {signed.json()['access_token']}"}

    def private_repository(self) -> str:
        path = f"{self.org}/r{secrets.token_hex(4)}"
        made = self.a.put(
            f"/v1/repositories/{path}/", json=[], headers=basic(self.admin, self.password)
        )
        assert made.status_code == 200, made.text
        hidden = self.a.post(
            f"/v2/repositories/{path}/privacy", json={"is_private": True}, headers=self.jwt()
        )
        assert hidden.status_code == 200, hidden.text
        return path


def _measure(
    b: httpx.Client, path: str, credentials: dict[str, str], revoke: Callable[[], None]
) -> tuple[float, int]:
    pulled = b.get(f"/v1/repositories/{path}/images", headers={**credentials, **WANT_TOKEN})
    assert pulled.status_code == 200, pulled.text
    token = with_token(pulled.headers["X-Docker-Token"])
    assert b.get(f"/v1/repositories/{path}/images", headers=token).status_code == 200
    revoke()
    answered = time.perf_counter()
    accepted = 0
    while True:
        status = b.get(f"/v1/repositories/{path}/images", headers=token).status_code
        now = time.perf_counter()
        if status != 200:
            assert status in (401, 404), status
            return now - answered, accepted
        accepted += 1
        assert now - answered < BOUND, f"B still accepts the token {BOUND} s after"


def _report(what: str, figures: list[tuple[float, int]]) -> None:
    delays = sorted(delay * 1000 for delay, _ in figures)
    late = [accepted for _, accepted in figures]
    print(
        f"\n{what}, over {len(figures)} rounds: requests B accepted after A answered:"
        f" {sum(late)} in all, at most {max(late)} in a round; B's refusal arrived"
        f" {statistics.median(delays):.1f} ms (median) / {delays[-1]:.1f} ms (max) after A's"
        " answer (B's own round trip included: an upper bound of the feed's delay)"
    )


def test_revocations_reach_the_other_process_within_the_feed_s_delay(
    replicas: tuple[ServeProcess, ServeProcess],
):
    a_server, b_server = replicas
    with (
        httpx.Client(base_url=a_server.url, timeout=30) as a,
        httpx.Client(base_url=b_server.url, timeout=30) as b,
    ):
        setup = Setup(a, a_server.database_url)
        owner = setup.jwt()

        oat_figures = []
        for _ in range(ROUNDS):
            path = setup.private_repository()
            made = a.post(
                f"/v2/orgs/{setup.org}/access-tokens",
                json={"label": "m", "resources": [
                    {"type": "TYPE_REPO", "path": path, "scopes": ["repo-pull"]}
                ]},
                headers=owner,
            )  # fmt: skip
            assert made.status_code == 201, made.text
            item = f"/v2/orgs/{setup.org}/access-tokens/{made.json()['id']}"

            def revoke(item: str = item) -> None:
                assert a.delete(item, headers=owner).status_code == 204

            oat_figures.append(_measure(b, path, basic(setup.org, made.json()["token"]), revoke))
        _report("organization access token deleted", oat_figures)

        pat_figures = []
        for _ in range(ROUNDS):
            path = setup.private_repository()
            made = a.post(
                "/v2/access-tokens",
                json={"token_label": "m", "scopes": ["repo:read"]},
                headers=owner,
            )
            assert made.status_code == 201, made.text
            item = f"/v2/access-tokens/{made.json()['uuid']}"

            def revoke(item: str = item) -> None:
                assert a.delete(item, headers=owner).status_code == 204

            pat_figures.append(_measure(b, path, basic(setup.admin, made.json()["token"]), revoke))
        _report("personal access token deleted", pat_figures)

        team_figures = []
        member, password = _member(a, setup, a_server.database_url)
        team = a.post(f"/v2/orgs/{setup.org}/groups", json={"name": "readers"}, headers=owner)
        assert team.status_code == 201, team.text
        joined = a.post(
            f"/v2/orgs/{setup.org}/groups/readers/members", json={"member": member}, headers=owner
        )
        assert joined.status_code == 200, joined.text
        for _ in range(ROUNDS):
            path = setup.private_repository()
            grants = f"/v2/repositories/{path}/groups"
            given = a.post(
                grants, json={"group_id": team.json()["id"], "permission": "read"}, headers=owner
            )
            assert given.status_code == 200, given.text

            def revoke(grant: str = f"{grants}/{team.json()['id']}") -> None:
                assert a.delete(grant, headers=owner).status_code == 204

            team_figures.append(_measure(b, path, basic(member, password), revoke))
        _report("team permission taken away", team_figures)


def _member(a: httpx.Client, setup: Setup, database_url: str) -> tuple[str, str]:
    suffix = secrets.token_hex(4)
    username, password = f"mem_{suffix}", f"pw-{secrets.token_hex(8)}"
    hubindex(
        "users", "create", username, "--email", f"mem.{suffix}@example.com",
        "--password-stdin", database_url=database_url, stdin=f"{password}\n",
    )  # fmt: skip
    added = a.post(f"/v2/orgs/{setup.org}/members", json={"member": username}, headers=setup.jwt())
    assert added.status_code == 201, added.text
    return username, password
