"""Invitations to an organization, on both backends: Docker Hub's bulk invitation (with its
per-invitee statuses and ``dry_run``), list, cancel and resend, and hubindex's accept and
decline; who is the invitee, expiry, the mails, the audit events and bad input."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from server.storage.engines import sync_engine
from tests.functional.orgs_support import Org, create_org, sign_in, usernames
from tests.functional.support import assert_error
from tests.harness import Account, Index

UNKNOWN = "e36eca69-4cc8-4f17-9845-ae8c2b832691"


def invite(
    org: Org, *invitees: str, path: str = "/v2/invites/bulk", **fields: object
) -> httpx.Response:
    return org.index.client.post(
        path,
        json={"org": org.name, "invitees": list(invitees), **fields},
        headers=org.as_(org.owner),
    )


def statuses(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 202, response.text
    return [(answer["invitee"], answer["status"]) for answer in response.json()["invitees"]]


def invite_id(response: httpx.Response, invitee: str) -> str:
    [answer] = [a for a in response.json()["invitees"] if a["invitee"] == invitee]
    return answer["invite"]["id"]


def pending(org: Org, **params: int) -> dict:
    response = org.index.client.get(
        f"{org.path}/invites", params=params, headers=org.as_(org.owner)
    )
    assert response.status_code == 200, response.text
    return response.json()


def events(index: Index, org: Org) -> list[dict]:
    response = index.client.get(f"/v2/auditlogs/{org.name}", headers=org.as_(org.owner))
    assert response.status_code == 200, response.text
    return list(response.json()["logs"])


def test_an_owner_invites_by_docker_id_and_by_email_and_each_invitee_has_a_status(index: Index):
    org = create_org(index)
    member = org.add("member")
    bob, carol = index.account(), index.account()
    response = invite(
        org,
        bob.username,
        "Someone.New@Example.com",
        member.username,
        "not an address@",
        "nobody_here",
        bob.username,
        carol.email,
        carol.username,
        team=org.team().get("name"),
        role="editor",
        path="/v2/invites/bulk/",
    )
    assert statuses(response) == [
        (bob.username, "invited"),
        ("Someone.New@Example.com", "invited"),
        (member.username, "existing_org_member"),
        ("not an address@", "invalid_email_or_docker_id"),
        ("nobody_here", "invalid_email_or_docker_id"),
        (bob.username, "already_invited"),
        (carol.email, "invited"),
        # Her confirmed address named her already: one account is invited once.
        (carol.username, "already_invited"),
    ]
    first = response.json()["invitees"][0]["invite"]
    assert first["inviter_username"] == org.owner.username
    assert first["invitee"] == bob.username
    assert first["org"] == org.name
    assert first["role"] == "editor"
    assert first["team"]
    created = datetime.fromisoformat(first["created_at"])
    expires = datetime.fromisoformat(first["expires_at"])
    assert expires - created == timedelta(days=14)
    assert "invite" not in response.json()["invitees"][2]
    # The list, newest first, with and without the trailing slash, paged.
    listed = pending(org)
    assert listed["count"] == 3
    assert {i["invitee"] for i in listed["data"]} == {
        bob.username,
        "someone.new@example.com",
        carol.email,
    }
    slashed = index.client.get(f"{org.path}/invites/", headers=org.as_(org.owner))
    assert slashed.json()["data"] == listed["data"]
    first_page = pending(org, page_size=2)
    assert len(first_page["data"]) == 2
    assert first_page["next"].endswith(f"/v2/orgs/{org.name}/invites?page=2&page_size=2")
    assert first_page["previous"] is None
    assert len(pending(org, page=2, page_size=2)["data"]) == 1
    # Again: all pending now.
    again = invite(org, bob.username, "someone.new@example.com")
    assert statuses(again) == [
        (bob.username, "already_invited"),
        ("someone.new@example.com", "already_invited"),
    ]


def test_a_dry_run_decides_every_status_and_changes_nothing(index: Index):
    org = create_org(index)
    bob = index.account()
    response = invite(org, bob.username, org.owner.username, "x@", dry_run=True)
    assert statuses(response) == [
        (bob.username, "invited"),
        (org.owner.username, "existing_org_member"),
        ("x@", "invalid_email_or_docker_id"),
    ]
    assert all("invite" not in answer for answer in response.json()["invitees"])
    assert pending(org)["count"] == 0
    assert not index.mailbox.to(bob.email, timeout=0.5)[1:]  # its confirmation only
    assert [e["action"] for e in events(index, org)] == ["org.create"]


def test_the_invitee_is_mailed_and_a_resend_mails_again_and_renews(index: Index):
    org = create_org(index)
    bob = index.account()
    confirmations = len(index.mailbox.to(bob.email))
    response = invite(org, bob.username, "guest@example.org")
    assert statuses(response) == [(bob.username, "invited"), ("guest@example.org", "invited")]
    ident = invite_id(response, bob.username)
    mails = wait_for(index, bob.email, confirmations + 1)
    body = mails[-1].get_payload(decode=True).decode()
    assert org.name in body
    assert org.owner.username in body
    assert f"/v2/invites/{ident}/accept" in body
    assert wait_for(index, "guest@example.org", 1)
    before = pending(org)["data"]
    for path in (f"/v2/invites/{ident}/resend", f"/v2/invites/{ident}/resend/"):
        resent = index.client.patch(path, headers=org.as_(org.owner))
        assert resent.status_code == 204, resent.text
    wait_for(index, bob.email, confirmations + 3)
    after = {i["id"]: i for i in pending(org)["data"]}
    was = {i["id"]: i for i in before}
    assert after[ident]["expires_at"] > was[ident]["expires_at"]
    assert after[ident]["created_at"] == was[ident]["created_at"]


def wait_for(index: Index, address: str, count: int) -> list:
    """The mails to ``address``, once there are ``count`` (each is sent after its commit)."""
    deadline = time.monotonic() + 10
    while len(mails := index.mailbox.to(address)) < count:
        assert time.monotonic() < deadline, f"{count} mails to {address} never came"
        time.sleep(0.02)
    return mails


def test_accepting_makes_a_member_with_the_role_and_team_in_one_go(index: Index):
    org = create_org(index)
    team = org.team()
    bob = index.account()
    ident = invite_id(invite(org, bob.username, role="editor", team=team["name"]), bob.username)
    for path in (f"/v2/invites/{ident}/accept/",):
        accepted = index.client.post(path, headers=sign_in(index, bob))
        assert accepted.status_code == 200, accepted.text
    member = accepted.json()
    assert member["username"] == bob.username
    assert member["role"] == "Editor"
    assert member["groups"] == [team["name"]]
    assert bob.username in usernames(
        index.client.get(f"{org.path}/members", headers=org.as_(org.owner))
    )
    assert pending(org)["count"] == 0
    # It is gone: a second acceptance, a decline, a cancel find nothing.
    assert_error(index.client.post(f"/v2/invites/{ident}/accept", headers=sign_in(index, bob)), 404)
    assert_error(
        index.client.post(f"/v2/invites/{ident}/decline", headers=sign_in(index, bob)), 404
    )
    assert_error(index.client.delete(f"/v2/invites/{ident}", headers=org.as_(org.owner)), 404)
    logged = events(index, org)
    assert [e["action"] for e in logged[:2]] == ["member.invite.accept", "member.invite.send"]
    assert logged[0]["actor"] == bob.username
    assert logged[0]["name"] == bob.username
    assert logged[0]["data"] == {"role": "editor", "team": team["name"]}
    assert logged[1]["actor"] == org.owner.username


def test_an_invitation_by_email_is_accepted_by_the_account_whose_confirmed_address_it_is(
    index: Index,
):
    org = create_org(index)
    bob, other = index.account(), index.account()
    pending_one = index.account(active=False)  # registered, its address not confirmed
    confirmation = index.mailbox.confirmation_link(pending_one.email)
    response = invite(org, bob.email.upper(), pending_one.email)
    ident = invite_id(response, bob.email.upper())
    unconfirmed = invite_id(response, pending_one.email)
    refused = index.client.post(f"/v2/invites/{ident}/accept", headers=sign_in(index, other))
    assert_error(refused, 403, "the invitation is for another account")
    # An administrator is no invitee either.
    admin = sign_in(index, org.admin)
    assert_error(index.client.post(f"/v2/invites/{ident}/accept", headers=admin), 403)
    accepted = index.client.post(f"/v2/invites/{ident}/accept", headers=sign_in(index, bob))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["role"] == "Member"
    assert accepted.json()["groups"] == []
    # Confirming the address makes the account the invitee.
    assert index.client.get(confirmation).status_code == 200
    late = index.client.post(
        f"/v2/invites/{unconfirmed}/accept", headers=sign_in(index, pending_one)
    )
    assert late.status_code == 200, late.text


def test_the_invitee_declines_and_an_owner_cancels(index: Index):
    org = create_org(index)
    bob, carol = index.account(), index.account()
    response = invite(org, bob.username, carol.username)
    bob_invite, carol_invite = (
        invite_id(response, bob.username),
        invite_id(response, carol.username),
    )
    refused = index.client.post(f"/v2/invites/{bob_invite}/decline", headers=sign_in(index, carol))
    assert_error(refused, 403)
    declined = index.client.post(f"/v2/invites/{bob_invite}/decline", headers=sign_in(index, bob))
    assert declined.status_code == 204, declined.text
    cancelled = index.client.delete(f"/v2/invites/{carol_invite}/", headers=org.as_(org.owner))
    assert cancelled.status_code == 204, cancelled.text
    assert pending(org)["count"] == 0
    assert_error(
        index.client.post(f"/v2/invites/{carol_invite}/accept", headers=sign_in(index, carol)),
        404,
        f"invite {carol_invite} not found",
    )
    assert [e["action"] for e in events(index, org)[:2]] == [
        "member.invite.cancel",
        "member.invite.decline",
    ]
    # Either may be invited again.
    assert statuses(invite(org, bob.username)) == [(bob.username, "invited")]


def test_a_member_already_cannot_accept_and_an_expired_invitation_gives_way(index: Index):
    org = create_org(index)
    bob, carol = index.account(), index.account()
    response = invite(org, bob.username, carol.username)
    bob_invite, carol_invite = (
        invite_id(response, bob.username),
        invite_id(response, carol.username),
    )
    org.add("member", bob)
    assert_error(
        index.client.post(f"/v2/invites/{bob_invite}/accept", headers=sign_in(index, bob)),
        409,
        f"you are a member of {org.name} already; decline the invitation instead",
    )
    assert (
        index.client.post(
            f"/v2/invites/{bob_invite}/decline", headers=sign_in(index, bob)
        ).status_code
        == 204
    )
    expire(index, carol_invite)
    assert pending(org)["count"] == 0
    assert_error(
        index.client.post(f"/v2/invites/{carol_invite}/accept", headers=sign_in(index, carol)),
        404,
        f"invite {carol_invite} has expired",
    )
    # A resend renews it; a new invitation replaces it.
    assert (
        index.client.patch(
            f"/v2/invites/{carol_invite}/resend", headers=org.as_(org.owner)
        ).status_code
        == 204
    )
    assert pending(org)["count"] == 1
    expire(index, carol_invite)
    again = invite(org, carol.username)
    assert statuses(again) == [(carol.username, "invited")]
    assert invite_id(again, carol.username) != carol_invite
    accepted = index.client.post(
        f"/v2/invites/{invite_id(again, carol.username)}/accept", headers=sign_in(index, carol)
    )
    assert accepted.status_code == 200, accepted.text


def expire(index: Index, ident: str) -> None:
    engine = sync_engine(index.database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE organization_invites SET expires_at = :at WHERE uuid = :id"),
                {"at": datetime.now(UTC) - timedelta(seconds=1), "id": ident},
            )
    finally:
        engine.dispose()


def test_a_deleted_team_or_organization_takes_its_invitations(index: Index):
    org = create_org(index)
    team = org.team()
    bob = index.account()
    ident = invite_id(invite(org, bob.username, team=team["name"]), bob.username)
    gone = index.client.delete(f"{org.path}/groups/{team['name']}", headers=org.as_(org.owner))
    assert gone.status_code == 204
    assert_error(index.client.post(f"/v2/invites/{ident}/accept", headers=sign_in(index, bob)), 404)
    ident = invite_id(invite(org, bob.username), bob.username)
    deleted = index.client.delete(org.path, headers=org.as_(org.owner))
    assert deleted.status_code == 204, deleted.text
    assert_error(index.client.post(f"/v2/invites/{ident}/accept", headers=sign_in(index, bob)), 404)


def test_bad_input_is_a_400_naming_the_field(index: Index):
    org = create_org(index)
    owner = org.as_(org.owner)
    bulk = "/v2/invites/bulk"
    cases = [
        ({"org": org.name, "invitees": []}, "body.invitees"),
        ({"org": org.name, "invitees": [f"u{n:04d}x" for n in range(101)]}, "body.invitees"),
        ({"org": org.name, "invitees": ["a" * 255]}, "body.invitees"),
        ({"org": org.name, "invitees": ["bob_1"], "role": "boss"}, "body.role"),
        ({"org": org.name, "invitees": ["bob_1"], "team": "no way"}, "body.team"),
        ({"org": org.name, "invitees": ["bob_1"], "dry_run": "yes"}, "body.dry_run"),
        ({"org": "NO", "invitees": ["bob_1"]}, "body.org"),
        ({"invitees": ["bob_1"]}, "org"),
    ]
    for body, field in cases:
        response = index.client.post(bulk, json=body, headers=owner)
        assert_error(response, 400)
        assert field in response.json()["error"], (body, response.json())
    for method, path in (
        ("DELETE", "/v2/invites/not-a-uuid"),
        ("PATCH", "/v2/invites/not-a-uuid/resend"),
        ("POST", "/v2/invites/not-a-uuid/accept"),
        ("POST", "/v2/invites/not-a-uuid/decline"),
    ):
        response = index.client.request(method, path, headers=owner)
        assert_error(response, 400)
        assert "id" in response.json()["error"], response.json()
    missing_team = index.client.post(
        bulk, json={"org": org.name, "invitees": ["bob_1"], "team": "ghosts"}, headers=owner
    )
    assert_error(missing_team, 404, "team ghosts not found")
    missing_org = index.client.post(
        bulk, json={"org": "nosuchorg", "invitees": ["bob_1"]}, headers=owner
    )
    assert_error(missing_org, 404, "organization nosuchorg not found")
    for method, path in (
        ("DELETE", f"/v2/invites/{UNKNOWN}"),
        ("PATCH", f"/v2/invites/{UNKNOWN}/resend"),
        ("POST", f"/v2/invites/{UNKNOWN}/accept"),
        ("POST", f"/v2/invites/{UNKNOWN}/decline"),
    ):
        assert_error(index.client.request(method, path, headers=owner), 404)


def test_an_owners_access_token_lists_but_does_not_invite(index: Index):
    org = create_org(index)
    created = index.client.post(
        "/v2/access-tokens",
        json={"token_label": "t", "scopes": ["repo:admin"]},
        headers=org.as_(org.owner),
    )
    assert created.status_code == 201, created.text
    with_pat = sign_in(index, org.owner, created.json()["token"])
    assert index.client.get(f"{org.path}/invites", headers=with_pat).status_code == 200
    refused = index.client.post(
        "/v2/invites/bulk", json={"org": org.name, "invitees": ["bob_1"]}, headers=with_pat
    )
    assert_error(refused, 403, "an access token may not invite members")


def test_racing_requests_on_one_invitee_or_one_invitation_leave_one_outcome(index: Index):
    org = create_org(index)
    owner = org.as_(org.owner)
    for _ in range(3):
        bob = index.account()
        bob_signed = sign_in(index, bob)

        def bulk(bob: Account = bob) -> str:
            response = index.client.post(
                "/v2/invites/bulk", json={"org": org.name, "invitees": [bob.email]}, headers=owner
            )
            if response.status_code == 409:
                return "conflict"
            return statuses(response)[0][1]

        with ThreadPoolExecutor(3) as pool:
            made = sorted(pool.map(lambda _: bulk(), range(3)))
        assert made.count("invited") == 1, made
        assert set(made) <= {"invited", "already_invited", "conflict"}, made
        [listed] = [i for i in pending(org)["data"] if i["invitee"] == bob.email]

        def accept(ident: str = listed["id"], headers: dict = bob_signed) -> int:
            return index.client.post(f"/v2/invites/{ident}/accept", headers=headers).status_code

        def cancel(ident: str = listed["id"]) -> int:
            return index.client.delete(f"/v2/invites/{ident}", headers=owner).status_code

        with ThreadPoolExecutor(2) as pool:
            accepted, cancelled = pool.submit(accept), pool.submit(cancel)
            outcome = (accepted.result(), cancelled.result())
        assert outcome in ((200, 404), (404, 204)), outcome
        members = usernames(index.client.get(f"{org.path}/members", headers=owner))
        assert (bob.username in members) == (outcome[0] == 200)
