"""What each caller may do to an organization's repositories on the v1 wire: every v1
operation on a public and on a private repository of the organization, against every kind of
caller; one status per cell, on both backends.

One organization serves the module: its owner, an editor, a member in no team, and three
members each in one team (``readers``, ``writers``, ``admins``). Each cell gets a repository of
its own (one image, made by an administrator; ``*_private``: made private), on which the three
teams are given ``read``, ``write`` and ``admin``, and three organization access tokens: one
that may pull it, one that may push to it, one that may push to another repository only.

Callers:
  anonymous    no ``Authorization``
  stranger     Basic, an account that is no member
  member       Basic, a member in no team
  team_read / team_write / team_admin
               Basic, a member of the team of that permission on the repository
  editor / owner
               Basic, the organization's editor, owner
  oat_pull / oat_push / oat_other
               Basic, the organization's name and the cell's access token that may pull it,
               push to it, push to another repository
  admin        Basic, an administrator who is no member

Operations: ``pull`` (``GET .../images``), ``push`` (``PUT .../images``), ``create`` (``PUT
/v1/repositories/{ns}/{repo}/``, the start of a push), ``delete``, ``auth`` (the read token
the caller's pull was handed, checked by the registry: ``PUT .../auth``; a caller handed none
gets its pull's status) and ``search`` (200: the repository is found by its name; 0: it is
not); each on the public and on the private repository.
"""

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.harness import Account, Index, Mailbox
from tests.security.helpers import WANT_TOKEN, basic

CALLERS = (
    "anonymous", "stranger", "member", "team_read", "team_write", "team_admin", "editor",
    "owner", "oat_pull", "oat_push", "oat_other", "admin",
)  # fmt: skip
FOUND, MISSING = 200, 0

# fmt: off
#                   anon strgr membr tread twrit tadmn editr owner opull opush oothr admin
EXPECTED: dict[str, tuple[int, ...]] = {
    "pull":           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "push":           (401, 403, 403, 403, 204, 204, 204, 204, 403, 204, 403, 204),
    "create":         (401, 403, 403, 403, 200, 200, 200, 200, 403, 200, 403, 200),
    "delete":         (401, 403, 403, 403, 403, 202, 202, 202, 403, 403, 403, 202),
    "auth":           (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "search":         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pull_private":   (404, 404, 404, 200, 200, 200, 200, 200, 200, 200, 404, 200),
    "push_private":   (401, 403, 403, 403, 204, 204, 204, 204, 403, 204, 403, 204),
    "create_private": (401, 403, 403, 403, 200, 200, 200, 200, 403, 200, 403, 200),
    "delete_private": (401, 403, 403, 403, 403, 202, 202, 202, 403, 403, 403, 202),
    "auth_private":   (404, 404, 404, 200, 200, 200, 200, 200, 200, 200, 404, 200),
    # An organization access token finds what its resources let it pull, as it pulls it
    "search_private": (  0,   0,   0, 200, 200, 200, 200, 200, 200, 200,   0, 200),
}
# fmt: on
CELLS = [
    pytest.param(operation, caller, status, id=f"{operation}-{caller}-{status}")
    for operation, statuses in EXPECTED.items()
    for caller, status in zip(CALLERS, statuses, strict=True)
]
TEAMS = {"team_read": "read", "team_write": "write", "team_admin": "admin"}


@dataclass
class Cell:
    path: str
    oats: dict[str, str]  # caller -> its access token's secret


@dataclass
class World:
    index: Index
    org: str
    admin: Account
    accounts: dict[str, Account]  # caller -> its account
    teams: dict[str, int]  # caller -> the id of its team
    _signed: tuple[float, dict[str, str]] | None = field(default=None)

    @property
    def client(self) -> httpx.Client:
        return self.index.client

    def bearer(self) -> dict[str, str]:
        """The administrator's signed token, made again once it is a minute old."""
        if self._signed is None or time.monotonic() - self._signed[0] > 60:
            answer = self.client.post(
                "/v2/auth/token",
                json={"identifier": self.admin.username, "secret": self.admin.password},
            )
            assert answer.status_code == 200, answer.text
            self._signed = (
                time.monotonic(),
                {"Authorization": f"Bearer {answer.json()['access_token']}"},
            )
        return self._signed[1]

    def cell(self, private: bool) -> Cell:
        path = f"{self.org}/r{secrets.token_hex(4)}"
        made = self.client.put(
            f"/v1/repositories/{path}/",
            json=[{"id": secrets.token_hex(32)}],
            headers={"Authorization": self.admin.basic},
        )
        assert made.status_code == 200, made.text
        if private:
            hidden = self.client.post(
                f"/v2/repositories/{path}/privacy", json={"is_private": True}, headers=self.bearer()
            )
            assert hidden.status_code == 200, hidden.text
        for caller, permission in TEAMS.items():
            given = self.client.post(
                f"/v2/repositories/{path}/groups",
                json={"group_id": self.teams[caller], "permission": permission},
                headers=self.bearer(),
            )
            assert given.status_code == 200, given.text
        resources = {
            "oat_pull": (path, ["repo-pull"]),
            "oat_push": (path, ["repo-push"]),
            "oat_other": (f"{self.org}/another", ["repo-pull", "repo-push"]),
        }
        oats = {}
        for caller, (resource, scopes) in resources.items():
            made = self.client.post(
                f"/v2/orgs/{self.org}/access-tokens",
                json={"label": caller, "resources": [
                    {"type": "TYPE_REPO", "path": resource, "scopes": scopes}
                ]},
                headers=self.bearer(),
            )  # fmt: skip
            assert made.status_code == 201, made.text
            oats[caller] = made.json()["token"]
        return Cell(path, oats)

    def credentials(self, cell: Cell, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        if caller in cell.oats:
            return basic(self.org, cell.oats[caller])
        if caller == "admin":
            return {"Authorization": self.admin.basic}
        return {"Authorization": self.accounts[caller].basic}


def request(world: World, cell: Cell, operation: str, headers: dict[str, str]) -> int:
    client, path = world.client, cell.path
    match operation.removesuffix("_private"):
        case "pull":
            return client.get(f"/v1/repositories/{path}/images", headers=headers).status_code
        case "push":
            images = client.put(f"/v1/repositories/{path}/images", json=[], headers=headers)
            return images.status_code
        case "create":
            made = client.put(f"/v1/repositories/{path}/", json=[], headers=headers)
            return made.status_code
        case "delete":
            return client.delete(f"/v1/repositories/{path}/", headers=headers).status_code
        case "auth":
            pulled = client.get(
                f"/v1/repositories/{path}/images", headers={**headers, **WANT_TOKEN}
            )
            if pulled.status_code != 200:
                return pulled.status_code
            token = {"Authorization": f"Token {pulled.headers['X-Docker-Token']}"}
            return client.put(f"/v1/repositories/{path}/auth", headers=token).status_code
        case _:
            found = client.get("/v1/search", params={"q": path.split("/")[1]}, headers=headers)
            assert found.status_code == 200, found.text
            names = {result["name"] for result in found.json()["results"]}
            return FOUND if path in names else MISSING


@pytest.fixture(scope="module")
def world(module_database_url: str, mailbox: Mailbox) -> Iterator[World]:
    index = Index(module_database_url, mailbox).start()
    try:
        admin = index.admin()
        accounts = {
            caller: index.account()
            for caller in ("stranger", "member", "team_read", "team_write", "team_admin",
                           "editor", "owner")
        }  # fmt: skip
        org = f"org_{secrets.token_hex(4)}"
        world = World(index, org, admin, accounts, {})
        signed = world.bearer()
        made = world.client.post(
            "/v2/orgs", json={"orgname": org, "owner": accounts["owner"].username}, headers=signed
        )
        assert made.status_code == 201, made.text
        for caller in ("member", "editor", *TEAMS):
            role = "editor" if caller == "editor" else "member"
            added = world.client.post(
                f"/v2/orgs/{org}/members",
                json={"member": accounts[caller].username, "role": role},
                headers=signed,
            )
            assert added.status_code == 201, added.text
        for caller in TEAMS:
            team = world.client.post(
                f"/v2/orgs/{org}/groups", json={"name": caller.replace("_", "-")}, headers=signed
            )
            assert team.status_code == 201, team.text
            world.teams[caller] = team.json()["id"]
            joined = world.client.post(
                f"/v2/orgs/{org}/groups/{team.json()['name']}/members",
                json={"member": accounts[caller].username},
                headers=signed,
            )
            assert joined.status_code == 200, joined.text
        yield world
    finally:
        index.close()


@pytest.mark.parametrize(("operation", "caller", "status"), CELLS)
def test_cell(world: World, operation: str, caller: str, status: int):
    cell = world.cell(private=operation.endswith("_private"))
    answered = request(world, cell, operation, world.credentials(cell, caller))
    assert answered == status, (operation, caller, answered)
    # A refused write left the repository as it was.
    if status >= 400 and operation.removesuffix("_private") in ("push", "create", "delete"):
        still = world.client.get(
            f"/v1/repositories/{cell.path}/images", headers={"Authorization": world.admin.basic}
        )
        assert still.status_code == 200, still.text
        assert len(still.json()) == 1, still.json()
