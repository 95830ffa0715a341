"""Organizations, their members and teams, and teams' permissions on repositories, through the
management API on both backends: what each operation answers and what it changes."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.functional.orgs_support import (
    create_org,
    org_name,
    sign_in,
    team_name,
    usernames,
)
from tests.functional.support import assert_error, assert_taken
from tests.harness import Index, hubindex, new_account


def test_an_administrator_creates_an_organization_with_its_owner(index: Index):
    admin, owner = index.admin(), index.account()
    for path in ("/v2/orgs", "/v2/orgs/"):
        name = org_name()
        response = index.client.post(
            path, json={"orgname": name, "owner": owner.username}, headers=sign_in(index, admin)
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["orgname"] == name, body
        assert isinstance(body["id"], int), body
        members = index.client.get(f"/v2/orgs/{name}/members", headers=sign_in(index, owner))
        assert members.json()["results"] == [
            {
                "id": members.json()["results"][0]["id"],
                "username": owner.username,
                "full_name": "",
                "type": "User",
                "role": "Owner",
                "groups": [],
                "date_joined": members.json()["results"][0]["date_joined"],
            }
        ]


def test_only_an_administrator_creates_one(index: Index):
    user = index.account()
    response = index.client.post(
        "/v2/orgs",
        json={"orgname": org_name(), "owner": user.username},
        headers=sign_in(index, user),
    )
    assert_error(response, 403, "only administrators may create organizations")


def test_the_owner_must_exist(index: Index):
    response = index.client.post(
        "/v2/orgs",
        json={"orgname": org_name(), "owner": "nobody_here"},
        headers=sign_in(index, index.admin()),
    )
    assert_error(response, 404, "user nobody_here not found")


def test_users_and_organizations_share_one_namespace(index: Index):
    org = create_org(index)
    # A registration of the organization's name is refused as any taken name is.
    assert_taken(index.register(org.name, "s3cret-password", f"{org.name}@example.com"))
    admin = sign_in(index, org.admin)
    for taken in (org.name, org.owner.username, "library"):
        response = index.client.post(
            "/v2/orgs", json={"orgname": taken, "owner": org.owner.username}, headers=admin
        )
        assert response.status_code in (400, 409), response.text
        assert taken in response.json()["error"]


def test_the_command_creates_an_organization_and_refuses_a_taken_name(index: Index):
    owner = index.account()
    name = org_name()
    made = hubindex(
        "orgs", "create", name, "--owner", owner.username, database_url=index.database_url
    )
    assert made.stdout == f"hubindex: created organization {name}, owned by {owner.username}\n"
    again = hubindex(
        "orgs", "create", owner.username, "--owner", owner.username,
        database_url=index.database_url, check=False,
    )  # fmt: skip
    assert (again.returncode, again.stderr) == (1, f"hubindex: {owner.username} is taken\n")
    bad = hubindex(
        "orgs", "create", "Bad-Name", "--owner", owner.username,
        database_url=index.database_url, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "orgname" in bad.stderr, bad.stderr
    listed = index.client.get(f"/v2/orgs/{name}/members", headers=sign_in(index, owner))
    assert usernames(listed) == [owner.username]


def test_a_registration_and_an_organization_racing_for_one_name_one_wins(index: Index):
    admin, owner = index.admin(), index.account()
    headers = sign_in(index, admin)
    for _ in range(3):
        name = org_name()

        def register(name: str = name) -> int:
            account = new_account()
            return index.register(name, account.password, account.email).status_code

        def create(name: str = name) -> int:
            return index.client.post(
                "/v2/orgs", json={"orgname": name, "owner": owner.username}, headers=headers
            ).status_code

        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(work) for work in (register, create, register, create)]
            statuses = sorted(future.result() for future in futures)
        assert statuses.count(201) == 1, statuses
        assert set(statuses) <= {201, 400, 409}, statuses


def test_owners_add_members_with_roles_and_list_them_a_page_at_a_time(index: Index):
    org = create_org(index)
    added = [org.add(role) for role in ("member", "editor", "owner")]
    headers = org.as_(added[0])  # a plain member may list
    everyone = sorted([org.owner.username, *(account.username for account in added)])
    first = index.client.get(f"{org.path}/members?page_size=3", headers=headers)
    body = first.json()
    assert (body["count"], body["previous"]) == (4, None), body
    base = str(index.settings.public_url or "").rstrip("/")
    assert body["next"] == f"{base}{org.path}/members?page=2&page_size=3"
    second = index.client.get(body["next"], headers=headers)
    assert second.json()["next"] is None
    assert second.json()["previous"] == f"{base}{org.path}/members?page=1&page_size=3"
    assert usernames(first) + usernames(second) == everyone
    roles = {m["username"]: m["role"] for m in first.json()["results"] + second.json()["results"]}
    assert roles[added[1].username] == "Editor"
    assert roles[added[2].username] == "Owner"
    again = index.client.post(
        f"{org.path}/members", json={"member": added[0].username}, headers=org.as_(org.owner)
    )
    assert_error(again, 409, f"{added[0].username} is a member already")


def test_a_role_changes_and_the_last_owner_stays(index: Index):
    org = create_org(index)
    member = org.add("member")
    owner = org.as_(org.owner)
    path = f"{org.path}/members"
    promoted = index.client.put(f"{path}/{member.username}", json={"role": "owner"}, headers=owner)
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "Owner"
    # Two owners: one may step down; then the other is the last.
    down = index.client.put(f"{path}/{org.owner.username}/", json={"role": "member"}, headers=owner)
    assert down.json()["role"] == "Member", down.text
    last = org.as_(member)
    assert_error(
        index.client.put(f"{path}/{member.username}", json={"role": "editor"}, headers=last),
        409,
        "an organization keeps one owner at least",
    )
    assert_error(index.client.delete(f"{path}/{member.username}", headers=last), 409)
    assert_error(
        index.client.put(f"{path}/{member.username}", json={"role": "boss"}, headers=last), 400
    )
    assert (
        "role"
        in index.client.put(
            f"{path}/{member.username}", json={"role": "boss"}, headers=last
        ).json()["error"]
    )


def test_a_removed_member_leaves_every_team(index: Index):
    org = create_org(index)
    member = org.add("member")
    team = org.team(None, member)
    owner = org.as_(org.owner)
    removed = index.client.delete(f"{org.path}/members/{member.username}", headers=owner)
    assert removed.status_code == 204, removed.text
    listed = index.client.get(f"{org.path}/groups/{team['name']}/members", headers=owner)
    assert usernames(listed) == []
    assert (
        index.client.get(f"{org.path}/groups/{team['name']}", headers=owner).json()["member_count"]
        == 0
    )
    again = index.client.delete(f"{org.path}/members/{member.username}", headers=owner)
    assert_error(again, 404)
    # No longer a member: refused what members may do.
    assert_error(index.client.get(f"{org.path}/members", headers=org.as_(member)), 403)


def test_teams_are_created_read_renamed_and_deleted(index: Index):
    org = create_org(index)
    owner = org.as_(org.owner)
    groups = f"{org.path}/groups"
    name = team_name()
    made = index.client.post(groups, json={"name": name, "description": "builds"}, headers=owner)
    assert made.status_code == 201, made.text
    team = made.json()
    assert (team["name"], team["description"], team["member_count"]) == (name, "builds", 0)
    assert_error(index.client.post(groups, json={"name": name}, headers=owner), 409)
    assert index.client.get(f"{groups}/{name}/", headers=owner).json() == team
    renamed = index.client.put(f"{groups}/{name}", json={"name": f"{name}-x"}, headers=owner)
    assert renamed.json() == {**team, "name": f"{name}-x", "description": ""}, renamed.text
    patched = index.client.patch(
        f"{groups}/{name}-x", json={"description": "pushes"}, headers=owner
    )
    assert patched.json() == {**team, "name": f"{name}-x", "description": "pushes"}
    assert_error(index.client.get(f"{groups}/{name}", headers=owner), 404)
    assert_error(index.client.patch(f"{groups}/{name}-x", json={}, headers=owner), 400)
    other = org.team()
    clash = index.client.patch(
        f"{groups}/{other['name']}", json={"name": f"{name}-x"}, headers=owner
    )
    assert_error(clash, 409)
    assert index.client.delete(f"{groups}/{name}-x", headers=owner).status_code == 204
    assert_error(index.client.get(f"{groups}/{name}-x", headers=owner), 404)


def test_teams_are_listed_a_page_at_a_time_and_by_member(index: Index):
    org = create_org(index)
    member = org.add("member")
    names = sorted(team_name() for _ in range(3))
    org.team(names[0], member)
    org.team(names[1])
    org.team(names[2], member)
    headers = org.as_(member)
    first = index.client.get(f"{org.path}/groups?page_size=2", headers=headers).json()
    assert first["count"] == 3
    assert [t["name"] for t in first["results"]] == names[:2]
    second = index.client.get(first["next"], headers=headers).json()
    assert [t["name"] for t in second["results"]] == names[2:]
    mine = index.client.get(
        f"{org.path}/groups?username={member.username}&page_size=1", headers=headers
    ).json()
    assert mine["count"] == 2
    assert mine["results"][0]["name"] == names[0]
    assert "username=" in mine["next"], mine
    listed = index.client.get(f"{org.path}/members", headers=headers).json()["results"]
    groups = {m["username"]: m["groups"] for m in listed}
    assert groups[member.username] == [names[0], names[2]]


def test_team_members_are_members_of_the_organization(index: Index):
    org = create_org(index)
    member, stranger = org.add("member"), index.account()
    team = org.team()
    owner = org.as_(org.owner)
    path = f"{org.path}/groups/{team['name']}/members"
    for _ in range(2):  # adding twice changes nothing
        added = index.client.post(path, json={"member": member.username}, headers=owner)
        assert added.status_code == 200, added.text
        assert added.json()["username"] == member.username
    assert index.client.get(path, headers=owner).json()["count"] == 1
    refused = index.client.post(path, json={"member": stranger.username}, headers=owner)
    assert_error(refused, 404, f"{stranger.username} is not a member of the organization")
    assert index.client.delete(f"{path}/{member.username}", headers=owner).status_code == 204
    assert_error(index.client.delete(f"{path}/{member.username}", headers=owner), 404)
    # Still a member of the organization.
    assert member.username in usernames(index.client.get(f"{org.path}/members", headers=owner))


def test_a_team_is_given_a_permission_on_a_repository(index: Index):
    org = create_org(index)
    editor = org.add("editor")
    team, other = org.team(), org.team()
    repository = org.repository()
    path = f"/v2/repositories/{repository}/groups"
    headers = org.as_(editor)  # editors set teams' permissions too
    given = index.client.post(
        path, json={"group_id": team["id"], "permission": "read"}, headers=headers
    )
    assert given.json() == {
        "group_id": team["id"],
        "group_name": team["name"],
        "permission": "read",
    }
    changed = index.client.post(
        path + "/", json={"group_id": team["id"], "permission": "admin"}, headers=headers
    )
    assert changed.json()["permission"] == "admin", changed.text
    index.client.post(path, json={"group_id": other["id"], "permission": "write"}, headers=headers)
    listed = index.client.get(path, headers=headers).json()
    assert listed["count"] == 2
    assert {(g["group_name"], g["permission"]) for g in listed["results"]} == {
        (team["name"], "admin"),
        (other["name"], "write"),
    }
    gone = index.client.delete(f"{path}/{team['id']}", headers=headers)
    assert gone.status_code == 204, gone.text
    assert_error(index.client.delete(f"{path}/{team['id']}", headers=headers), 404)
    assert index.client.get(path, headers=headers).json()["count"] == 1


def test_a_permission_names_a_team_of_the_repository_s_organization(index: Index):
    org = create_org(index)
    elsewhere = create_org(index, admin=org.admin)
    foreign = elsewhere.team()
    repository = org.repository()
    owner = org.as_(org.owner)
    path = f"/v2/repositories/{repository}/groups"
    refused = index.client.post(
        path, json={"group_id": foreign["id"], "permission": "read"}, headers=owner
    )
    assert_error(refused, 404, f"the organization has no team {foreign['id']}")
    missing = index.client.post(
        f"/v2/repositories/{org.name}/nothing_here/groups",
        json={"group_id": foreign["id"], "permission": "read"},
        headers=owner,
    )
    assert_error(missing, 404, f"repository {org.name}/nothing_here not found")
    # A user's repository belongs to no organization.
    user = org.owner.username
    assert_error(index.client.get(f"/v2/repositories/{user}/x/groups", headers=owner), 404)
    assert_error(
        index.client.post(path, json={"group_id": 0, "permission": "read"}, headers=owner), 400
    )
    bad = index.client.post(path, json={"group_id": 1, "permission": "all"}, headers=owner)
    assert_error(bad, 400)
    assert "permission" in bad.json()["error"]


def test_a_deleted_team_or_repository_takes_its_permissions_along(index: Index):
    org = create_org(index)
    team = org.team()
    repository = org.repository()
    owner = org.as_(org.owner)
    path = f"/v2/repositories/{repository}/groups"
    index.client.post(path, json={"group_id": team["id"], "permission": "write"}, headers=owner)
    assert (
        index.client.delete(f"{org.path}/groups/{team['name']}", headers=owner).status_code == 204
    )
    assert index.client.get(path, headers=owner).json()["count"] == 0
    again = org.team()
    index.client.post(path, json={"group_id": again["id"], "permission": "write"}, headers=owner)
    deleted = index.client.delete(
        f"/v1/repositories/{repository}/", headers={"Authorization": org.admin.basic}
    )
    assert deleted.status_code == 202, deleted.text
    org.repository(repository.split("/")[1])  # the same name, a new repository
    assert index.client.get(path, headers=owner).json()["count"] == 0


def test_a_token_got_with_an_access_token_reads_but_changes_nothing(index: Index):
    org = create_org(index)
    owner = org.as_(org.owner)
    created = index.client.post(
        "/v2/access-tokens", json={"token_label": "ci", "scopes": ["repo:admin"]}, headers=owner
    )
    pat = sign_in(index, org.owner, created.json()["token"])
    assert index.client.get(f"{org.path}/members", headers=pat).status_code == 200
    refused = index.client.post(f"{org.path}/groups", json={"name": team_name()}, headers=pat)
    assert_error(refused, 403, "an access token may not create teams")


@pytest.mark.parametrize("path", ["/v2/orgs/nobody_org/members", "/v2/orgs/nobody_org/groups"])
def test_an_unknown_organization_is_not_found(index: Index, path: str):
    assert_error(index.client.get(path, headers=sign_in(index, index.admin())), 404)


def test_a_team_s_description_is_bounded_and_named_when_refused(index: Index):
    org = create_org(index)
    owner = org.as_(org.owner)
    for description in ("x" * 256, "a\x00b"):
        refused = index.client.post(
            f"{org.path}/groups", json={"name": team_name(), "description": description},
            headers=owner,
        )  # fmt: skip
        assert_error(refused, 400)
        assert refused.json()["error"].startswith("body.description"), refused.text
    assert index.client.get(f"{org.path}/groups", headers=owner).json()["count"] == 0
