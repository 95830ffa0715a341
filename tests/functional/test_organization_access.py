"""What an organization's roles and teams allow on its repositories, on the v1 wire, on both
backends: owners and editors push and delete (a new repository of the organization's
included), a team's permission gives its members that level and no more, a private
repository of the organization is missing to everyone else (pulls and search), and a member
taken off the team loses what the team gave."""

import pytest

from tests.functional.orgs_support import Org, create_org
from tests.functional.support import (
    as_user,
    assert_error,
    create_repository,
    delete_repository,
    get_images,
    image_id,
    put_images,
    search,
)
from tests.harness import Account, Index


def _private_repository(org: Org) -> str:
    path = org.repository()
    made = org.index.client.post(
        f"/v2/repositories/{path}/privacy", json={"is_private": True}, headers=org.as_(org.admin)
    )
    assert made.status_code == 200, made.text
    return path


def _give(org: Org, path: str, team: dict, permission: str) -> None:
    given = org.index.client.post(
        f"/v2/repositories/{path}/groups",
        json={"group_id": team["id"], "permission": permission},
        headers=org.as_(org.owner),
    )
    assert given.status_code == 200, given.text


def _found(index: Index, account: Account | None, path: str) -> bool:
    name = path.split("/")[1]
    answer = search(index, as_user(account) if account else None, q=name)
    assert answer.status_code == 200, answer.text
    return path in {result["name"] for result in answer.json()["results"]}


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_owners_and_editors_create_push_and_delete_the_organization_s_repositories(
    index: Index, role: str
):
    org = create_org(index)
    manager = org.owner if role == "owner" else org.add("editor")
    path = f"{org.name}/made-by-{role}"
    created = create_repository(index, path, as_user(manager), [{"id": image_id()}])
    assert created.status_code == 200, created.text
    pushed = put_images(index, path, as_user(manager), [{"id": image_id()}])
    assert pushed.status_code == 204, pushed.text
    deleted = delete_repository(index, path, as_user(manager))
    assert deleted.status_code == 202, deleted.text


def test_a_member_without_a_team_reads_public_repositories_only(index: Index):
    org = create_org(index)
    member = org.add("member")
    public, private = org.repository(), _private_repository(org)
    assert get_images(index, public, as_user(member)).status_code == 200
    hidden = get_images(index, private, as_user(member))
    assert_error(hidden, 404, f"repository {private} not found")
    refused = put_images(index, public, as_user(member), [{"id": image_id()}])
    assert_error(refused, 403)
    assert_error(create_repository(index, f"{org.name}/new-one", as_user(member)), 403)
    assert _found(index, org.owner, private)
    assert not _found(index, member, private)
    assert not _found(index, None, private)


@pytest.mark.parametrize(
    ("permission", "pushes", "deletes"),
    [("read", False, False), ("write", True, False), ("admin", True, True)],
)
def test_a_team_s_permission_is_what_its_members_may_do(
    index: Index, permission: str, pushes: bool, deletes: bool
):
    org = create_org(index)
    member = org.add("member")
    path = _private_repository(org)
    _give(org, path, org.team(None, member), permission)
    headers = as_user(member)
    assert get_images(index, path, headers).status_code == 200
    assert _found(index, member, path)
    pushed = put_images(index, path, headers, [{"id": image_id()}])
    assert pushed.status_code == (204 if pushes else 403), pushed.text
    deleted = delete_repository(index, path, headers)
    assert deleted.status_code == (202 if deletes else 403), deleted.text


def test_a_member_taken_off_the_team_loses_what_it_gave(index: Index):
    org = create_org(index)
    member = org.add("member")
    path = _private_repository(org)
    team = org.team(None, member)
    _give(org, path, team, "write")
    assert put_images(index, path, as_user(member), [{"id": image_id()}]).status_code == 204
    removed = index.client.delete(
        f"/v2/orgs/{org.name}/groups/{team['name']}/members/{member.username}",
        headers=org.as_(org.owner),
    )
    assert removed.status_code == 204, removed.text
    assert_error(get_images(index, path, as_user(member)), 404, f"repository {path} not found")
    assert_error(put_images(index, path, as_user(member), [{"id": image_id()}]), 403)
    assert not _found(index, member, path)
