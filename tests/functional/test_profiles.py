"""Users as Docker Hub's older `/v2/users/{username}/` and `/v2/user/` show them."""

from datetime import UTC, datetime

from tests.functional.orgs_support import create_org
from tests.functional.support import assert_error
from tests.functional.test_signin import bearer, new_token, sign_in
from tests.harness import Account, Index


def profile_of(account: Account) -> dict:
    return {
        "username": account.username,
        "full_name": "",
        "location": "",
        "company": "",
        "gravatar_email": "",
        "gravatar_url": "",
        "profile_url": "",
        "type": "User",
    }


def shown(body: dict) -> dict:
    rest = {key: value for key, value in body.items() if key not in ("id", "date_joined")}
    assert body["id"].isdigit(), body
    joined = datetime.fromisoformat(body["date_joined"])
    assert joined.tzinfo is not None, body
    assert joined <= datetime.now(UTC), body
    return rest


def test_a_user_s_profile_is_public_with_or_without_a_trailing_slash(index: Index):
    alice, bob = index.account(), index.account()
    jwt = {"Authorization": f"JWT {sign_in(index, bob)}"}
    for path, headers in (
        (f"/v2/users/{alice.username}", {}),
        (f"/v2/users/{alice.username}/", jwt),
        (f"/v2/users/{alice.username}/", bearer(sign_in(index, alice))),
    ):
        response = index.client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        assert shown(response.json()) == profile_of(alice)
    ids = {index.client.get(f"/v2/users/{who.username}").json()["id"] for who in (alice, bob)}
    assert len(ids) == 2


def test_only_active_users_have_profiles(index: Index):
    inactive = index.account(active=False)
    org = create_org(index)
    for name in (inactive.username, org.name, "nobody_here", "library"):
        assert_error(index.client.get(f"/v2/users/{name}/"), 404, f"user {name} not found")
    assert_error(index.client.get("/v2/users/Not-A-Name/"), 400)
    assert_error(index.client.get("/v2/users/nobody_here", headers=bearer("forged")), 401)


def test_the_signed_in_user_s_profile(index: Index):
    alice = index.account()
    token = sign_in(index, alice)
    for path, headers in (
        ("/v2/user", bearer(token)),
        ("/v2/user/", {"Authorization": f"JWT {token}"}),
        # A token got with an access token of the lowest scope shows its account too.
        ("/v2/user/", bearer(sign_in(index, alice, new_token(index, token, "repo:read")["token"]))),
    ):
        response = index.client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        assert shown(response.json()) == profile_of(alice)
        assert response.json() == index.client.get(f"/v2/users/{alice.username}").json()
    assert_error(index.client.get("/v2/user/"), 401)
    assert_error(index.client.get("/v2/user/", headers={"Authorization": alice.basic}), 401)
