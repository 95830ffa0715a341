"""What the tests of organizations share: an organization made by an administrator, members
added with their roles, signed tokens, and the paths of the management API."""

import secrets
from dataclasses import dataclass, field

import httpx

from tests.harness import Account, Index


def sign_in(index: Index, account: Account, secret: str | None = None) -> dict[str, str]:
    """``Authorization: Bearer`` with the signed token ``POST /v2/auth/token`` answers."""
    response = index.client.post(
        "/v2/auth/token",
        json={"identifier": account.username, "secret": secret or account.password},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def org_name() -> str:
    return f"org_{secrets.token_hex(4)}"


def team_name() -> str:
    return f"team-{secrets.token_hex(3)}"


@dataclass
class Org:
    """An organization with an owner, and the accounts added to it by role."""

    index: Index
    name: str
    admin: Account
    owner: Account
    members: dict[str, Account] = field(default_factory=dict)  # role -> an account of it

    @property
    def path(self) -> str:
        return f"/v2/orgs/{self.name}"

    def as_(self, account: Account) -> dict[str, str]:
        return sign_in(self.index, account)

    def add(self, role: str, account: Account | None = None) -> Account:
        account = account or self.index.account()
        response = self.index.client.post(
            f"{self.path}/members",
            json={"member": account.username, "role": role},
            headers=self.as_(self.owner),
        )
        assert response.status_code == 201, response.text
        self.members[role] = account
        return account

    def team(self, name: str | None = None, *members: Account) -> dict:
        owner = self.as_(self.owner)
        response = self.index.client.post(
            f"{self.path}/groups", json={"name": name or team_name()}, headers=owner
        )
        assert response.status_code == 201, response.text
        team = response.json()
        for member in members:
            added = self.index.client.post(
                f"{self.path}/groups/{team['name']}/members",
                json={"member": member.username},
                headers=owner,
            )
            assert added.status_code == 200, added.text
        return team

    def repository(self, name: str | None = None) -> str:
        """A repository of the organization, created by the administrator: ``ns/name``."""
        path = f"{self.name}/{name or 'repo-' + secrets.token_hex(3)}"
        response = self.index.client.put(
            f"/v1/repositories/{path}/", json=[], headers={"Authorization": self.admin.basic}
        )
        assert response.status_code == 200, response.text
        return path


def create_org(index: Index, admin: Account | None = None, owner: Account | None = None) -> Org:
    admin = admin or index.admin()
    owner = owner or index.account()
    name = org_name()
    response = index.client.post(
        "/v2/orgs", json={"orgname": name, "owner": owner.username}, headers=sign_in(index, admin)
    )
    assert response.status_code == 201, response.text
    return Org(index, name, admin, owner)


def usernames(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [member["username"] for member in response.json()["results"]]
