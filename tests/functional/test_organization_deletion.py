"""Deleting an organization (``DELETE /v2/orgs/{org}``: its owners and administrators), and
the rule for an account that is the last owner of one: its deletion is refused, naming the
organization. Both backends."""

import pytest

from tests.functional.orgs_support import create_org
from tests.functional.support import as_user, assert_error, create_repository, delete_repository
from tests.harness import Index, hubindex


@pytest.mark.parametrize("by", ["owner", "admin"])
def test_owners_and_administrators_delete_it_with_its_teams_and_free_its_name(
    index: Index, by: str
):
    org = create_org(index)
    member = org.add("member")
    org.team(None, member)
    caller = org.owner if by == "owner" else org.admin
    deleted = index.client.delete(org.path, headers=org.as_(caller))
    assert deleted.status_code == 204, deleted.text
    assert_error(index.client.get(f"{org.path}/members", headers=org.as_(org.admin)), 404)
    assert_error(index.client.delete(org.path, headers=org.as_(org.admin)), 404)
    # Its name is free: a user may register it.
    registered = index.register(org.name, "a-password", f"{org.name}@example.com")
    assert registered.status_code == 201, registered.text


@pytest.mark.parametrize("role", ["editor", "member", "stranger"])
def test_no_one_else_deletes_it(index: Index, role: str):
    org = create_org(index)
    caller = index.account() if role == "stranger" else org.add(role)
    assert_error(index.client.delete(org.path, headers=org.as_(caller)), 403)
    assert_error(index.client.delete(org.path), 401)
    members = index.client.get(f"{org.path}/members", headers=org.as_(org.owner))
    assert members.status_code == 200, members.text


def test_it_is_refused_while_it_holds_repositories(index: Index):
    org = create_org(index)
    path = org.repository()
    refused = index.client.delete(org.path, headers=org.as_(org.owner))
    assert_error(refused, 409, f"{org.name} holds 1 repositories; delete them first")
    assert delete_repository(index, path, as_user(org.admin)).status_code == 202
    deleted = index.client.delete(org.path, headers=org.as_(org.owner))
    assert deleted.status_code == 204, deleted.text
    # No one of the organization pushes under its name any more.
    assert_error(create_repository(index, path, as_user(org.owner)), 403)


def test_the_last_owner_s_account_is_not_deleted_while_another_owner_s_is(index: Index):
    org = create_org(index)
    refused = hubindex(
        "users", "delete", org.owner.username, database_url=index.database_url, check=False
    )
    assert (refused.returncode, refused.stderr) == (
        1,
        f"hubindex: user {org.owner.username} is the last owner of {org.name}: make another"
        " member an owner, or delete the organization, first\n",
    )
    second = org.add("owner")
    hubindex("users", "delete", org.owner.username, database_url=index.database_url)
    members = index.client.get(f"{org.path}/members", headers=org.as_(second))
    assert [m["username"] for m in members.json()["results"]] == [second.username]
