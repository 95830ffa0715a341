"""The audit log (``/v2/auditlogs/{account}``), on both backends: each acknowledged change has
its event, a refused or rolled-back one has none; who may read a log; the filters and paging;
failed logins bounded per window; pruning and the actions list."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from server.composition import AppState
from server.services.audit import ACTIONS, FAILED_LOGINS_PER_WINDOW, GROUPS
from server.services.repositories import LARGE_WRITE_ROWS
from server.settings import Settings
from server.storage.engines import sync_engine
from tests.functional.orgs_support import create_org, sign_in, team_name
from tests.functional.support import (
    as_user,
    assert_error,
    basic,
    create_repository,
    delete_repository,
    image_id,
    new_repository,
    put_images,
    repository_name,
)
from tests.harness import Index


def log(index: Index, account: str, headers: dict[str, str], **params: str | int) -> list[dict]:
    response = index.client.get(f"/v2/auditlogs/{account}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["logs"])


def actions(events: list[dict]) -> list[str]:
    return [event["action"] for event in events]


def changes(events: list[dict]) -> list[str]:
    """The actions but logins (each signed token a test asks for is one)."""
    return [action for action in actions(events) if not action.startswith("login.")]


def test_a_push_records_the_creation_and_the_tag_pushed(index: Index) -> None:
    owner = index.account()
    path = f"{owner.username}/{repository_name()}"
    image = image_id()
    created = create_repository(index, path, as_user(owner), [{"id": image, "Tag": "v1"}])
    assert created.status_code == 200, created.text
    pushed = put_images(index, path, as_user(owner), [{"id": image, "checksum": "sha256:1"}])
    assert pushed.status_code == 204, pushed.text
    # The same push again changes nothing, and records nothing.
    again = put_images(index, path, as_user(owner), [{"id": image, "checksum": "sha256:1"}])
    assert again.status_code == 204
    # Creating an existing repository again is no creation.
    assert create_repository(index, path, as_user(owner), [{"id": image}]).status_code == 200
    events = log(index, owner.username, sign_in(index, owner))
    assert changes(events) == ["repo.tag.push", "repo.create"]
    push = next(event for event in events if event["action"] == "repo.tag.push")
    assert push["account"] == owner.username
    assert push["name"] == path
    assert push["actor"] == owner.username
    assert push["data"] == {"tag": "latest"}
    assert path in push["action_description"]
    assert datetime.fromisoformat(push["timestamp"]) <= datetime.now(UTC)


def test_a_large_push_records_its_events_where_it_is_written(index: Index) -> None:
    # LARGE_WRITE_ROWS images or more: SQLite's writer thread writes them, and the events.
    owner = index.account()
    path = f"{owner.username}/{repository_name()}"
    images = [{"id": image_id()} for _ in range(LARGE_WRITE_ROWS)]
    assert create_repository(index, path, as_user(owner), images).status_code == 200
    more = [{"id": image_id()} for _ in range(LARGE_WRITE_ROWS)]
    assert put_images(index, path, as_user(owner), more).status_code == 204
    assert put_images(index, path, as_user(owner), more).status_code == 204  # nothing new
    assert delete_repository(index, path, as_user(owner)).status_code == 202
    events = log(index, owner.username, sign_in(index, owner))
    assert changes(events) == ["repo.delete", "repo.tag.push", "repo.create"]


def test_a_refused_or_rolled_back_push_records_nothing(make_index) -> None:  # type: ignore[no-untyped-def]
    index = make_index(max_images_per_repository=1)
    owner, stranger = index.account(), index.account()
    repository = new_repository(index, owner, images=1)
    headers = sign_in(index, owner)
    before = log(index, owner.username, headers)
    assert changes(before) == ["repo.create"]
    # 403: another account's repository.
    refused = put_images(index, repository.path, as_user(stranger), [{"id": image_id()}])
    assert refused.status_code == 403
    # 409: past the image limit, the push is rolled back.
    full = put_images(index, repository.path, as_user(owner), [{"id": image_id()}])
    assert full.status_code == 409, full.text
    # 404: no such repository.
    missing = put_images(index, f"{owner.username}/nothing", as_user(owner), [{"id": image_id()}])
    assert missing.status_code == 404
    # A deletion refused.
    assert delete_repository(index, repository.path, as_user(stranger)).status_code == 403
    assert log(index, owner.username, headers) == before
    assert log(index, stranger.username, sign_in(index, stranger), action="repo.tag.push") == []


def test_a_deletion_and_privacy_and_collaborators_are_recorded(index: Index) -> None:
    owner, friend = index.account(), index.account()
    repository = new_repository(index, owner)
    headers = sign_in(index, owner)
    base = f"/v2/repositories/{repository.path}"
    assert (
        index.client.post(f"{base}/privacy", json={"is_private": True}, headers=headers).status_code
        == 200
    )
    added = index.client.post(
        f"{base}/collaborators", json={"user": friend.username}, headers=headers
    )
    assert added.status_code == 201, added.text
    removed = index.client.delete(f"{base}/collaborators/{friend.username}", headers=headers)
    assert removed.status_code == 204
    # Refused: a collaborator that is not one.
    again = index.client.delete(f"{base}/collaborators/{friend.username}", headers=headers)
    assert again.status_code == 404
    assert delete_repository(index, repository.path, as_user(owner)).status_code == 202
    events = [e for e in log(index, owner.username, headers) if e["action"] != "login.success"]
    assert actions(events) == [
        "repo.delete",
        "repo.collaborator.remove",
        "repo.collaborator.add",
        "repo.change_privacy",
        "repo.create",
    ]
    assert events[1]["data"] == {"collaborator": friend.username}
    assert events[3]["data"] == {"is_private": "true"}
    assert {event["name"] for event in events} == {repository.path}


def test_repository_pages_and_tags_on_the_management_api_are_recorded(index: Index) -> None:
    owner = index.account()
    headers = sign_in(index, owner)
    name = repository_name()
    path = f"{owner.username}/{name}"
    base = f"/v2/repositories/{path}"
    created = index.client.post(
        f"/v2/namespaces/{owner.username}/repositories", json={"name": name}, headers=headers
    )
    assert created.status_code == 201, created.text
    changed = index.client.patch(base, json={"description": "A page"}, headers=headers)
    assert changed.status_code == 200, changed.text
    tagged = create_repository(index, path, as_user(owner), [{"id": image_id(), "Tag": "v1"}])
    assert tagged.status_code == 200, tagged.text
    assert index.client.delete(f"{base}/tags/v1/", headers=headers).status_code == 204
    # Refused: a tag that is not there (any more) records nothing.
    assert index.client.delete(f"{base}/tags/v1/", headers=headers).status_code == 404
    assert index.client.delete(base, headers=headers).status_code == 202
    events = log(index, owner.username, headers)
    assert changes(events) == ["repo.delete", "repo.tag.delete", "repo.update", "repo.create"]
    assert events[actions(events).index("repo.tag.delete")]["data"] == {"tag": "v1"}
    assert {event["name"] for event in events if event["name"] != owner.username} == {path}


def test_organization_changes_go_to_its_log_which_only_owners_read(index: Index) -> None:
    org = create_org(index)
    member = org.add("member")
    editor = org.add("editor")
    owner = org.as_(org.owner)
    team = org.team(team_name(), member)
    changed = index.client.put(
        f"{org.path}/members/{editor.username}", json={"role": "owner"}, headers=owner
    )
    assert changed.status_code == 200, changed.text
    gone = index.client.delete(
        f"{org.path}/groups/{team['name']}/members/{member.username}", headers=owner
    )
    assert gone.status_code == 204
    deleted = index.client.delete(f"{org.path}/groups/{team['name']}", headers=owner)
    assert deleted.status_code == 204
    # Refused: a member may not add one.
    refused = index.client.post(
        f"{org.path}/members", json={"member": index.account().username}, headers=org.as_(member)
    )
    assert refused.status_code == 403
    events = log(index, org.name, owner)
    assert actions(events) == [
        "team.delete",
        "team.member.remove",
        "member.role.change",
        "team.member.add",
        "team.create",
        "member.add",
        "member.add",
        "org.create",
    ]
    assert events[2]["name"] == editor.username
    assert events[2]["data"] == {"role": "owner"}
    assert events[3]["name"] == member.username
    assert events[3]["data"] == {"team": team["name"]}
    assert events[-1]["actor"] == org.admin.username
    assert events[0]["actor"] == org.owner.username
    # The new owner reads it; a member, an editor's former peers and strangers do not.
    assert log(index, org.name, org.as_(editor))
    for reader in (member, index.account()):
        response = index.client.get(f"/v2/auditlogs/{org.name}", headers=org.as_(reader))
        assert_error(response, 404, f"account {org.name} not found")
        actions_response = index.client.get(
            f"/v2/auditlogs/{org.name}/actions", headers=org.as_(reader)
        )
        assert actions_response.status_code == 404


def test_who_reads_a_users_log(index: Index) -> None:
    owner, stranger, admin = index.account(), index.account(), index.admin()
    new_repository(index, owner)
    assert actions(log(index, owner.username, sign_in(index, owner), action="repo.create")) == [
        "repo.create"
    ]
    assert actions(log(index, owner.username, sign_in(index, admin), action="repo.create")) == [
        "repo.create"
    ]
    for path in (f"/v2/auditlogs/{owner.username}", f"/v2/auditlogs/{owner.username}/actions"):
        missing = index.client.get(path, headers=sign_in(index, stranger))
        assert_error(missing, 404, f"account {owner.username} not found")
        assert index.client.get(path).status_code == 401
    nobody = index.client.get("/v2/auditlogs/nobody_here", headers=sign_in(index, stranger))
    assert_error(nobody, 404, "account nobody_here not found")
    library = index.client.get("/v2/auditlogs/library", headers=sign_in(index, owner))
    assert library.status_code == 404
    assert (
        index.client.get("/v2/auditlogs/library", headers=sign_in(index, admin)).status_code == 200
    )
    # With and without a trailing slash.
    slashed = index.client.get(f"/v2/auditlogs/{owner.username}/", headers=sign_in(index, owner))
    assert slashed.status_code == 200


def test_filters_and_paging(index: Index) -> None:
    owner, admin = index.account(), index.admin()
    first, second = new_repository(index, owner), new_repository(index, owner)
    headers = sign_in(index, owner)
    everything = log(index, owner.username, headers, action="repo.create")
    assert [event["name"] for event in everything] == [second.path, first.path]
    assert [e["name"] for e in log(index, owner.username, headers, name=first.path)] == [first.path]
    assert log(index, owner.username, headers, actor=admin.username) == []
    assert log(index, owner.username, headers, action="no.such.action") == []
    paged = [
        log(index, owner.username, headers, action="repo.create", page=page, page_size=1)
        for page in (1, 2, 3)
    ]
    assert [[e["name"] for e in page] for page in paged] == [[second.path], [first.path], []]
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert log(index, owner.username, headers, **{"from": later}) == []
    earlier = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert log(index, owner.username, headers, to=earlier) == []
    assert len(log(index, owner.username, headers, action="repo.create", **{"from": earlier})) == 2
    bad = index.client.get(
        f"/v2/auditlogs/{owner.username}", params={"page_size": 101}, headers=headers
    )
    assert_error(bad, 400)
    assert "page_size" in bad.json()["error"]
    bad_time = index.client.get(
        f"/v2/auditlogs/{owner.username}", params={"from": "yesterday"}, headers=headers
    )
    assert_error(bad_time, 400)
    assert "from" in bad_time.json()["error"]


def test_logins_are_recorded_and_failures_bounded(make_index) -> None:  # type: ignore[no-untyped-def]
    # No throttle: the log's own bound is what holds.
    index = make_index(login_failures_per_account=0, login_failures_per_address=0)
    owner = index.account()
    docker_login = index.client.get("/v1/users/", headers=as_user(owner))
    assert docker_login.status_code == 200
    address = {"X-Forwarded-For": "203.0.113.9"}
    for _ in range(FAILED_LOGINS_PER_WINDOW + 3):
        wrong = index.client.post(
            "/v2/users/login",
            json={"username": owner.username, "password": "wrong-password"},
            headers=address,
        )
        assert wrong.status_code == 401, wrong.text
    # A username of no account records nothing anywhere (and fails as any wrong one).
    assert index.client.get("/v1/users/", headers=basic("nobody_here", "x")).status_code == 401
    headers = sign_in(index, owner)
    failures = log(index, owner.username, headers, action="login.failure", page_size=100)
    assert len(failures) == FAILED_LOGINS_PER_WINDOW
    assert failures[0]["data"] == {"address": "203.0.113.9"}
    assert failures[0]["actor"] == ""
    successes = log(index, owner.username, headers, action="login.success")
    assert [event["data"]["via"] for event in successes] == ["v2", "v1"]
    assert successes[0]["data"]["with"] == "password"
    # A push's calls send the password each time: they record no login.
    new_repository(index, owner)
    assert len(log(index, owner.username, headers, action="login.success")) == 2


def test_access_tokens_and_webhooks_are_recorded(index: Index) -> None:
    owner = index.account()
    headers = sign_in(index, owner)
    created = index.client.post(
        "/v2/access-tokens", json={"token_label": "ci", "scopes": ["repo:read"]}, headers=headers
    )
    assert created.status_code == 201, created.text
    uuid = created.json()["uuid"]
    patched = index.client.patch(
        f"/v2/access-tokens/{uuid}", json={"is_active": False}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    assert index.client.delete(f"/v2/access-tokens/{uuid}", headers=headers).status_code == 204
    repository = new_repository(index, owner)
    webhook = index.client.post(
        f"/v2/repositories/{repository.path}/webhooks", json={"name": "ci"}, headers=headers
    )
    assert webhook.status_code == 201, webhook.text
    removed = index.client.delete(
        f"/v2/repositories/{repository.path}/webhooks/{webhook.json()['id']}", headers=headers
    )
    assert removed.status_code == 204
    events = log(index, owner.username, headers)
    assert changes(events)[:2] == ["repo.webhook.delete", "repo.webhook.create"]
    tokens = [e for e in events if e["action"].startswith("access_token.")]
    assert actions(tokens) == ["access_token.delete", "access_token.update", "access_token.create"]
    assert {event["name"] for event in tokens} == {uuid}
    assert tokens[1]["data"]["is_active"] == "false"


def test_the_actions_list_names_every_action(index: Index) -> None:
    owner = index.account()
    response = index.client.get(
        f"/v2/auditlogs/{owner.username}/actions", headers=sign_in(index, owner)
    )
    assert response.status_code == 200, response.text
    groups = response.json()["actions"]
    assert set(groups) == set(GROUPS)
    listed = {action["name"] for group in groups.values() for action in group["actions"]}
    assert listed == ACTIONS
    assert {"repo.tag.push", "team.member.add", "member.role.change"} <= listed


def test_pruning_deletes_what_is_older_than_the_retention(make_index) -> None:  # type: ignore[no-untyped-def]
    index = make_index(audit_retention_days=1)
    owner = index.account()
    old, kept = new_repository(index, owner), new_repository(index, owner)
    engine = sync_engine(index.database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE audit_events SET created_at = :at WHERE name = :name"),
                {"at": datetime.now(UTC) - timedelta(days=2), "name": old.path},
            )
    finally:
        engine.dispose()

    async def prune() -> int:
        state = AppState(Settings(database_url=index.database_url, audit_retention_days=1))
        try:
            return await state.audit_pruning.prune()
        finally:
            await state.close()

    assert asyncio.run(prune()) == 1
    assert asyncio.run(prune()) == 0
    names = [event["name"] for event in log(index, owner.username, sign_in(index, owner))]
    assert names == [owner.username, kept.path]  # the sign-in, and the event kept
