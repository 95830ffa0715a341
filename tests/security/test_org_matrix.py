"""Who may do what to an organization: every operation on organizations, their members and
teams, and teams' permissions on repositories, against every kind of caller; one status per
cell, on both backends.

Each cell gets an organization of its own, made just before the request by an administrator:
its owner, an editor and a member (in the team ``crew``), a target user who is a member and in
``crew`` too, a repository of the organization on which ``crew`` has ``read``, an
organization access token that may pull it, and two pending invitations: of a newcomer (the
one an owner cancels and resends) and of the stranger, into ``crew`` (the one the stranger,
its invitee, accepts or declines: no one else may). After the
request the test reads the organization (and whether the one org_create names exists) as the
administrator: a read or a refused change left it as it was, an accepted change changed it.

Callers:
  anonymous   no ``Authorization``
  stranger    a signed token of an account that is no member
  member / editor / owner
              a signed token of the member of that role
  pat_owner   the owner's signed token got with a ``repo:admin`` personal access token: it
              reads what the owner reads and changes nothing
  admin       a signed token of an administrator who is no member
"""

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.harness import Account, Index, Mailbox

CALLERS = ("anonymous", "stranger", "member", "editor", "owner", "pat_owner", "admin")

# fmt: off
# anon stranger member editor owner pat_owner admin
EXPECTED: dict[str, tuple[int, ...]] = {
    "org_create":          (401, 403, 403, 403, 403, 403, 201),
    "members_list":        (401, 403, 200, 200, 200, 200, 200),
    "member_add":          (401, 403, 403, 403, 201, 403, 201),
    "member_role":         (401, 403, 403, 403, 200, 403, 200),
    "member_remove":       (401, 403, 403, 403, 204, 403, 204),
    "groups_list":         (401, 403, 200, 200, 200, 200, 200),
    "group_create":        (401, 403, 403, 403, 201, 403, 201),
    "group_get":           (401, 403, 200, 200, 200, 200, 200),
    "group_replace":       (401, 403, 403, 403, 200, 403, 200),
    "group_update":        (401, 403, 403, 403, 200, 403, 200),
    "group_delete":        (401, 403, 403, 403, 204, 403, 204),
    "group_members_list":  (401, 403, 200, 200, 200, 200, 200),
    "group_member_add":    (401, 403, 403, 403, 200, 403, 200),
    "group_member_remove": (401, 403, 403, 403, 204, 403, 204),
    "repo_groups_list":    (401, 403, 403, 200, 200, 200, 200),
    "repo_group_grant":    (401, 403, 403, 200, 200, 403, 200),
    "repo_group_revoke":   (401, 403, 403, 204, 204, 403, 204),
    # 409: the cell's organization holds a repository (test_organization_deletion.py: 204)
    "org_delete":          (401, 403, 403, 403, 409, 403, 409),
    "oat_create":          (401, 403, 403, 403, 201, 403, 201),
    "oats_list":           (401, 403, 403, 403, 200, 403, 200),
    "oat_get":             (401, 403, 403, 403, 200, 403, 200),
    "oat_update":          (401, 403, 403, 403, 200, 403, 200),
    "oat_delete":          (401, 403, 403, 403, 204, 403, 204),
    "invites_list":        (401, 403, 403, 403, 200, 200, 200),
    "invite_bulk":         (401, 403, 403, 403, 202, 403, 202),
    "invite_cancel":       (401, 403, 403, 403, 204, 403, 204),
    "invite_resend":       (401, 403, 403, 403, 204, 403, 204),
    # The stranger is the invitee: only it may, and an administrator is no invitee.
    "invite_accept":       (401, 200, 403, 403, 403, 403, 403),
    "invite_decline":      (401, 204, 403, 403, 403, 403, 403),
}
# fmt: on
READS = {name for name in EXPECTED if name.endswith("_list") or name in ("group_get", "oat_get")}
CELLS = [
    pytest.param(operation, caller, status, id=f"{operation}-{caller}-{status}")
    for operation, statuses in EXPECTED.items()
    for caller, status in zip(CALLERS, statuses, strict=True)
]
CREW = "crew"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cell:
    """One cell's organization, as it was made."""

    name: str
    repository: str
    crew_id: int
    target: Account  # a member, in crew
    newcomer: Account  # no member yet
    oat: str  # the id of an organization access token of the organization
    invite: str  # the id of the newcomer's invitation
    strangers_invite: str  # the id of the stranger's invitation, into crew

    @property
    def path(self) -> str:
        return f"/v2/orgs/{self.name}"

    @property
    def sibling(self) -> str:
        """The name org_create gives its organization."""
        return f"{self.name}_new"


@dataclass
class World:
    index: Index
    admin: Account
    owner: Account
    editor: Account
    member: Account
    stranger: Account
    pat: str = ""
    _signed: dict[str, tuple[float, str]] = field(default_factory=dict)

    @property
    def client(self) -> httpx.Client:
        return self.index.client

    def bearer(self, account: Account, secret: str | None = None) -> dict[str, str]:
        """A signed token, made again once it is a minute old (it lives longer)."""
        key = f"{account.username}:{bool(secret)}"
        made = self._signed.get(key)
        if made is None or time.monotonic() - made[0] > 60:
            response = self.client.post(
                "/v2/auth/token",
                json={"identifier": account.username, "secret": secret or account.password},
            )
            assert response.status_code == 200, response.text
            made = (time.monotonic(), response.json()["access_token"])
            self._signed[key] = made
        return {"Authorization": f"Bearer {made[1]}"}

    def caller(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        if caller == "pat_owner":
            return self.bearer(self.owner, self.pat)
        return self.bearer(getattr(self, caller))

    def cell(self) -> Cell:
        admin = self.bearer(self.admin)
        name = f"org_{secrets.token_hex(4)}"
        made = self.client.post(
            "/v2/orgs", json={"orgname": name, "owner": self.owner.username}, headers=admin
        )
        assert made.status_code == 201, made.text
        target, newcomer = self.index.account(), self.index.account()
        for account, role in ((self.editor, "editor"), (self.member, "member"), (target, "member")):
            added = self.client.post(
                f"/v2/orgs/{name}/members",
                json={"member": account.username, "role": role},
                headers=admin,
            )
            assert added.status_code == 201, added.text
        crew = self.client.post(f"/v2/orgs/{name}/groups", json={"name": CREW}, headers=admin)
        assert crew.status_code == 201, crew.text
        for account in (self.member, target):
            joined = self.client.post(
                f"/v2/orgs/{name}/groups/{CREW}/members",
                json={"member": account.username},
                headers=admin,
            )
            assert joined.status_code == 200, joined.text
        repository = f"{name}/repo"
        created = self.client.put(
            f"/v1/repositories/{repository}/", json=[], headers={"Authorization": self.admin.basic}
        )
        assert created.status_code == 200, created.text
        given = self.client.post(
            f"/v2/repositories/{repository}/groups",
            json={"group_id": crew.json()["id"], "permission": "read"},
            headers=admin,
        )
        assert given.status_code == 200, given.text
        oat = self.client.post(
            f"/v2/orgs/{name}/access-tokens",
            json={"label": "matrix", "resources": [
                {"type": "TYPE_REPO", "path": repository, "scopes": ["repo-pull"]}
            ]},
            headers=admin,
        )  # fmt: skip
        assert oat.status_code == 201, oat.text
        invited = self.client.post(
            "/v2/invites/bulk",
            json={"org": name, "invitees": [newcomer.username]},
            headers=admin,
        )
        assert invited.status_code == 202, invited.text
        strangers = self.client.post(
            "/v2/invites/bulk",
            json={"org": name, "invitees": [self.stranger.username], "team": CREW},
            headers=admin,
        )
        assert strangers.status_code == 202, strangers.text
        return Cell(
            name,
            repository,
            crew.json()["id"],
            target,
            newcomer,
            oat.json()["id"],
            invited.json()["invitees"][0]["invite"]["id"],
            strangers.json()["invitees"][0]["invite"]["id"],
        )

    def state(self, cell: Cell) -> tuple[object, ...]:
        """What the administrator reads of the organization (and whether org_create's
        organization exists)."""
        admin = self.bearer(self.admin)
        reads = (
            f"{cell.path}/members?page_size=100",
            f"{cell.path}/groups?page_size=100",
            f"{cell.path}/groups/{CREW}/members?page_size=100",
            f"/v2/repositories/{cell.repository}/groups?page_size=100",
            f"/v2/orgs/{cell.sibling}/members",
            f"{cell.path}/access-tokens?page_size=100",
            f"{cell.path}/invites?page_size=100",
        )
        answers = [self.client.get(path, headers=admin) for path in reads]
        return tuple((answer.status_code, answer.json()) for answer in answers)


def request(world: World, cell: Cell, operation: str, headers: dict[str, str]) -> httpx.Response:
    client, path, crew = world.client, cell.path, f"{cell.path}/groups/{CREW}"
    grants = f"/v2/repositories/{cell.repository}/groups"
    target, newcomer = cell.target.username, cell.newcomer.username
    calls = {
        "org_create": ("POST", "/v2/orgs", {"orgname": cell.sibling, "owner": newcomer}),
        "members_list": ("GET", f"{path}/members", None),
        "member_add": ("POST", f"{path}/members", {"member": newcomer}),
        "member_role": ("PUT", f"{path}/members/{target}", {"role": "editor"}),
        "member_remove": ("DELETE", f"{path}/members/{target}", None),
        "groups_list": ("GET", f"{path}/groups", None),
        "group_create": ("POST", f"{path}/groups", {"name": "newteam"}),
        "group_get": ("GET", crew, None),
        "group_replace": ("PUT", crew, {"name": CREW, "description": "changed"}),
        "group_update": ("PATCH", crew, {"description": "changed"}),
        "group_delete": ("DELETE", crew, None),
        "group_members_list": ("GET", f"{crew}/members", None),
        "group_member_add": ("POST", f"{crew}/members", {"member": world.editor.username}),
        "group_member_remove": ("DELETE", f"{crew}/members/{target}", None),
        "repo_groups_list": ("GET", grants, None),
        "repo_group_grant": ("POST", grants, {"group_id": cell.crew_id, "permission": "write"}),
        "repo_group_revoke": ("DELETE", f"{grants}/{cell.crew_id}", None),
        "org_delete": ("DELETE", path, None),
        "oat_create": ("POST", f"{path}/access-tokens", {"label": "new", "resources": [
            {"type": "TYPE_REPO", "path": cell.repository, "scopes": ["repo-push"]}
        ]}),
        "oats_list": ("GET", f"{path}/access-tokens", None),
        "oat_get": ("GET", f"{path}/access-tokens/{cell.oat}", None),
        "oat_update": ("PATCH", f"{path}/access-tokens/{cell.oat}", {"is_active": False}),
        "oat_delete": ("DELETE", f"{path}/access-tokens/{cell.oat}", None),
        "invites_list": ("GET", f"{path}/invites", None),
        "invite_bulk": ("POST", "/v2/invites/bulk", {"org": cell.name, "invitees": [
            world.editor.username, "someone@example.com", target
        ]}),
        "invite_cancel": ("DELETE", f"/v2/invites/{cell.invite}", None),
        "invite_resend": ("PATCH", f"/v2/invites/{cell.invite}/resend", None),
        "invite_accept": ("POST", f"/v2/invites/{cell.strangers_invite}/accept", None),
        "invite_decline": ("POST", f"/v2/invites/{cell.strangers_invite}/decline", None),
    }  # fmt: skip
    method, url, body = calls[operation]
    return client.request(method, url, json=body, headers=headers)


# Each row's operation in the spec.
OPERATION_IDS = {
    "org_create": "orgs.create",
    "members_list": "members.page",
    "member_add": "members.add",
    "member_role": "members.update",
    "member_remove": "members.remove",
    "groups_list": "groups.page",
    "group_create": "groups.create",
    "group_get": "groups.get",
    "group_replace": "groups.replace",
    "group_update": "groups.update",
    "group_delete": "groups.delete",
    "group_members_list": "groups.members_page",
    "group_member_add": "groups.add_member",
    "group_member_remove": "groups.remove_member",
    "repo_groups_list": "repository_groups.page",
    "repo_group_grant": "repository_groups.create",
    "repo_group_revoke": "repository_groups.delete",
    "org_delete": "orgs.delete",
    "oat_create": "org_access_tokens.create",
    "oats_list": "org_access_tokens.page",
    "oat_get": "org_access_tokens.get",
    "oat_update": "org_access_tokens.update",
    "oat_delete": "org_access_tokens.delete",
    "invites_list": "invites.page",
    "invite_bulk": "invites.bulk",
    "invite_cancel": "invites.cancel",
    "invite_resend": "invites.resend",
    "invite_accept": "invites.accept",
    "invite_decline": "invites.decline",
}
PREFIXES = (
    "orgs.",
    "members.",
    "groups.",
    "repository_groups.",
    "org_access_tokens.",
    "invites.",
)


def test_every_operation_on_organizations_is_in_the_matrix():
    spec = json.loads((ROOT / "generated" / "openapi.json").read_text())
    in_spec = {
        operation["operationId"]
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and operation.get("operationId", "").startswith(PREFIXES)
    }
    assert set(EXPECTED) == set(OPERATION_IDS)
    assert in_spec == set(OPERATION_IDS.values())


@pytest.fixture(scope="module")
def world(module_database_url: str, mailbox: Mailbox) -> Iterator[World]:
    index = Index(module_database_url, mailbox).start()
    try:
        world = World(
            index=index,
            admin=index.admin(),
            owner=index.account(),
            editor=index.account(),
            member=index.account(),
            stranger=index.account(),
        )
        created = world.client.post(
            "/v2/access-tokens",
            json={"token_label": "matrix", "scopes": ["repo:admin"]},
            headers=world.bearer(world.owner),
        )
        assert created.status_code == 201, created.text
        world.pat = created.json()["token"]
        yield world
    finally:
        index.close()


@pytest.mark.parametrize(("operation", "caller", "status"), CELLS)
def test_cell(world: World, operation: str, caller: str, status: int):
    cell = world.cell()
    before = world.state(cell)
    response = request(world, cell, operation, world.caller(caller))
    assert response.status_code == status, (response.status_code, response.text)
    after = world.state(cell)
    if status >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert after == before, "a refused request changed the organization"
    elif operation in READS:
        assert after == before, "a read changed the organization"
    else:
        assert after != before, "an accepted change changed nothing"
