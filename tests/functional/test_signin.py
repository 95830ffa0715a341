"""Signing in to the management API (``/v2/users/login``, ``/v2/auth/token``) and personal
access tokens (``/v2/access-tokens``), on both backends: what each answers, what a signed token
and an access token allow, and when each stops working."""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.functional.support import (
    as_user,
    assert_error,
    assert_inactive,
    basic,
    create_repository,
    delete_repository,
    get_images,
    image_id,
    put_images,
    repository_name,
)
from tests.harness import Account, Index, hubindex
from tests.security.helpers import query

TOKENS = "/v2/access-tokens"


def sign_in(index: Index, account: Account, secret: str | None = None) -> str:
    response = index.client.post(
        "/v2/auth/token",
        json={"identifier": account.username, "secret": secret or account.password},
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_token(index: Index, jwt_token: str, scope: str = "repo:write", **fields: object) -> dict:
    response = index.client.post(
        TOKENS,
        json={"token_label": f"label {scope}", "scopes": [scope], **fields},
        headers={**bearer(jwt_token), "User-Agent": "tests/1.0"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_login_answers_a_signed_token_of_the_account(index: Index):
    account = index.account()
    for path in ("/v2/users/login", "/v2/users/login/"):
        response = index.client.post(
            path, json={"username": account.username, "password": account.password}
        )
        assert response.status_code == 200, response.text
        token = response.json()["token"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["sub"] == account.username
        assert claims["iss"] == "hubindex"
        assert 0 < claims["exp"] - time.time() <= 600
        assert "pat" not in claims
        listing = index.client.get(TOKENS, headers=bearer(token))
        assert listing.status_code == 200, listing.text


def test_auth_token_in_either_spelling_and_both_prefixes(index: Index):
    account = index.account()
    for path in ("/v2/auth/token", "/v2/auth/token/"):
        response = index.client.post(
            path, json={"identifier": account.username, "secret": account.password}
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        for prefix in ("Bearer", "bearer", "JWT", "jwt"):
            for listing in (TOKENS, TOKENS + "/"):
                answer = index.client.get(listing, headers={"Authorization": f"{prefix} {token}"})
                assert answer.status_code == 200, (prefix, answer.text)


@pytest.mark.parametrize("path", ["/v2/users/login", "/v2/auth/token"])
def test_wrong_password_is_refused_and_counted(make_index: Callable[..., Index], path: str):
    index = make_index(login_failures_per_account=2)
    account = index.account()
    fields = ("username", "password") if "login" in path else ("identifier", "secret")
    wrong = dict(zip(fields, (account.username, "not-the-password"), strict=True))
    assert_error(index.client.post(path, json=wrong), 401, "wrong username or password")
    assert_error(index.client.post(path, json=wrong), 401, "wrong username or password")
    assert index.client.post(path, json=wrong).status_code == 429


def test_inactive_account_cannot_sign_in(index: Index):
    account = index.account(active=False)
    response = index.client.post(
        "/v2/users/login", json={"username": account.username, "password": account.password}
    )
    assert_inactive(response)


def test_bad_bodies_are_400_naming_the_field(index: Index):
    response = index.client.post("/v2/auth/token", json={"identifier": "someone"})
    assert_error(response, 400)
    assert "secret" in response.json()["error"]
    token = sign_in(index, index.account())
    response = index.client.post(
        TOKENS, json={"token_label": "x", "scopes": ["repo:everything"]}, headers=bearer(token)
    )
    assert_error(response, 400)
    assert "scopes" in response.json()["error"]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = index.client.post(
        TOKENS,
        json={"token_label": "x", "scopes": ["repo:read"], "expires_at": past},
        headers=bearer(token),
    )
    assert_error(response, 400)
    assert "expires_at" in response.json()["error"]
    assert_error(index.client.get(f"{TOKENS}/not-a-uuid", headers=bearer(token)), 400)


def test_access_tokens_need_a_genuine_signed_token(index: Index):
    account = index.account()
    token = sign_in(index, account)
    assert_error(index.client.get(TOKENS), 401)
    assert_error(index.client.get(TOKENS, headers=as_user(account)), 401)
    assert_error(index.client.get(TOKENS, headers=bearer(token[:-4] + "AAAA")), 401)
    forged = jwt.encode(jwt.decode(token, options={"verify_signature": False}), "k" * 32, "HS256")
    assert_error(index.client.get(TOKENS, headers=bearer(forged)), 401, "invalid token")
    assert_error(index.client.get(TOKENS, headers={"Authorization": "JWT"}), 401)


def test_a_401_challenges_for_the_bearer_and_the_legacy_prefix(index: Index):
    """The challenges follow the operation's schemes: no Basic on a bearer-only operation, and
    ``invalid_token`` only where a bearer token was presented and refused."""
    absent = index.client.get(TOKENS)
    assert absent.headers.get_list("WWW-Authenticate") == [
        'Bearer realm="hubindex"',
        'JWT realm="hubindex"',
    ]
    refused = index.client.get(TOKENS, headers=bearer("not.a.token"))
    assert refused.headers.get_list("WWW-Authenticate") == [
        'Bearer realm="hubindex", error="invalid_token"',
        'JWT realm="hubindex"',
    ]


def test_signed_tokens_expire(make_index: Callable[..., Index]):
    index = make_index(bearer_ttl_seconds=1)
    token = sign_in(index, index.account())
    assert index.client.get(TOKENS, headers=bearer(token)).status_code == 200
    time.sleep(2.1)
    assert_error(index.client.get(TOKENS, headers=bearer(token)), 401, "the token has expired")


def test_signed_token_stops_with_a_new_password_or_a_disabled_account(index: Index):
    account = index.account()
    token = sign_in(index, account)
    changed = index.client.put(
        f"/v1/users/{account.username}/", json={"password": "a-new-pw-1"}, headers=as_user(account)
    )
    assert changed.status_code == 204, changed.text
    assert_error(index.client.get(TOKENS, headers=bearer(token)), 401)
    account.password = "a-new-pw-1"
    token = sign_in(index, account)
    assert index.client.get(TOKENS, headers=bearer(token)).status_code == 200
    hubindex("users", "disable", account.username, database_url=index.database_url)
    assert_error(index.client.get(TOKENS, headers=bearer(token)), 401)


def test_create_list_get_patch_delete(index: Index):
    account = index.account()
    token = sign_in(index, account)
    created = new_token(index, token, "repo:read")
    assert created["token"].startswith("hbi_pat_")
    assert created["scopes"] == ["repo:read"]
    assert created["is_active"] is True
    assert created["last_used"] is None
    assert created["expires_at"] is None
    assert created["creator_ua"] == "tests/1.0"
    assert created["client_id"] == "hubindex"
    path = f"{TOKENS}/{created['uuid']}"

    got = index.client.get(path, headers=bearer(token))
    assert got.status_code == 200, got.text
    assert got.json() == {**created, "token": ""}

    patched = index.client.patch(
        path + "/", json={"token_label": "renamed", "is_active": False}, headers=bearer(token)
    )
    assert patched.status_code == 200, patched.text
    assert patched.json() == {**created, "token": "", "token_label": "renamed", "is_active": False}

    listing = index.client.get(TOKENS, headers=bearer(token)).json()
    assert listing["count"] == 1
    assert listing["active_count"] == 0
    assert listing["next"] is None
    assert listing["previous"] is None
    assert listing["results"] == [patched.json()]

    assert index.client.delete(path, headers=bearer(token)).status_code == 204
    assert_error(index.client.get(path, headers=bearer(token)), 404)
    assert_error(index.client.delete(path, headers=bearer(token)), 404)


def test_scopes_name_the_highest(index: Index):
    token = sign_in(index, index.account())
    response = index.client.post(
        TOKENS,
        json={"token_label": "x", "scopes": ["repo:read", "repo:admin", "repo:write"]},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    assert response.json()["scopes"] == ["repo:admin"]


def test_pages(index: Index):
    token = sign_in(index, index.account())
    made = [new_token(index, token)["uuid"] for _ in range(5)]
    first = index.client.get(TOKENS, params={"page_size": 2}, headers=bearer(token)).json()
    assert first["count"] == 5
    assert [r["uuid"] for r in first["results"]] == made[::-1][:2]
    assert first["previous"] is None
    assert first["next"] == f"{index.url}{TOKENS}?page=2&page_size=2"
    last = index.client.get(TOKENS, params={"page": 3, "page_size": 2}, headers=bearer(token))
    assert [r["uuid"] for r in last.json()["results"]] == made[:1]
    assert last.json()["next"] is None
    assert last.json()["previous"] == f"{index.url}{TOKENS}?page=2&page_size=2"
    beyond = index.client.get(TOKENS, params={"page": 9, "page_size": 2}, headers=bearer(token))
    assert beyond.json()["results"] == []
    assert_error(index.client.get(TOKENS, params={"page_size": 101}, headers=bearer(token)), 400)


def test_tokens_are_private_to_their_account(index: Index):
    owner, stranger = index.account(), index.account()
    created = new_token(index, sign_in(index, owner))
    theirs = sign_in(index, stranger)
    path = f"{TOKENS}/{created['uuid']}"
    assert_error(index.client.get(path, headers=bearer(theirs)), 404)
    assert_error(index.client.patch(path, json={"is_active": False}, headers=bearer(theirs)), 404)
    assert_error(index.client.delete(path, headers=bearer(theirs)), 404)
    assert index.client.get(TOKENS, headers=bearer(theirs)).json()["count"] == 0


def test_an_access_token_logs_in_within_its_scope(index: Index):
    account = index.account()
    token = sign_in(index, account)
    secrets_by_scope = {
        scope: new_token(index, token, scope)["token"]
        for scope in ("repo:public_read", "repo:read", "repo:write", "repo:admin")
    }
    for scope, secret in secrets_by_scope.items():
        pat = basic(account.username, secret)
        login = index.client.get("/v1/users/", headers=pat)  # docker login
        assert login.status_code == 200, (scope, login.text)
        repository = f"{account.username}/{repository_name()}"
        created = create_repository(index, repository, pat, [{"id": image_id()}])
        may_write = scope in ("repo:write", "repo:admin")
        assert created.status_code == (200 if may_write else 403), (scope, created.text)
        if not may_write:
            assert create_repository(index, repository, as_user(account)).status_code == 200
        pushed = put_images(index, repository, pat, [{"id": image_id()}])
        assert pushed.status_code == (204 if may_write else 403), (scope, pushed.text)
        assert get_images(index, repository, pat).status_code == 200
        deleted = delete_repository(index, repository, pat)
        assert deleted.status_code == (202 if scope == "repo:admin" else 403), scope
        # Never the account itself: not its password, not its email.
        change = index.client.put(
            f"/v1/users/{account.username}/", json={"password": "pw-of-a-pat"}, headers=pat
        )
        assert_error(change, 403, "an access token may not change an account")


def test_a_wrong_or_foreign_access_token_is_a_wrong_password(index: Index):
    owner, stranger = index.account(), index.account()
    secret = new_token(index, sign_in(index, owner))["token"]
    assert_error(index.client.get("/v1/users/", headers=basic(stranger.username, secret)), 401)
    guess = "hbi_pat_" + "A" * 43
    assert_error(index.client.get("/v1/users/", headers=basic(owner.username, guess)), 401)


def test_access_token_signs_in_to_a_token_of_its_scope(index: Index):
    account = index.account()
    created = new_token(index, sign_in(index, account), "repo:read")
    response = index.client.post(
        "/v2/users/login", json={"username": account.username, "password": created["token"]}
    )
    assert response.status_code == 200, response.text
    from_pat = response.json()["token"]
    claims = jwt.decode(from_pat, options={"verify_signature": False})
    assert claims["pat"] == created["uuid"]
    assert claims["scope"] == "repo:read"
    # It manages no access tokens: none could be made of a higher scope than its own.
    refused = index.client.post(
        TOKENS, json={"token_label": "x", "scopes": ["repo:admin"]}, headers=bearer(from_pat)
    )
    assert_error(refused, 403, "an access token may not manage access tokens")
    assert_error(index.client.get(TOKENS, headers=bearer(from_pat)), 403)


def test_deactivated_deleted_and_expired_access_tokens_stop(index: Index):
    account = index.account()
    token = sign_in(index, account)
    created = new_token(index, token, "repo:read")
    pat = basic(account.username, created["token"])
    from_pat = sign_in(index, account, created["token"])
    path = f"{TOKENS}/{created['uuid']}"
    assert index.client.get("/v1/users/", headers=pat).status_code == 200

    index.client.patch(path, json={"is_active": False}, headers=bearer(token))
    assert_error(index.client.get("/v1/users/", headers=pat), 401, "the access token is inactive")
    assert_error(index.client.get(TOKENS, headers=bearer(from_pat)), 401)
    index.client.patch(path, json={"is_active": True}, headers=bearer(token))
    assert index.client.get("/v1/users/", headers=pat).status_code == 200

    index.client.delete(path, headers=bearer(token))
    assert_error(index.client.get("/v1/users/", headers=pat), 401)
    assert_error(index.client.get(TOKENS, headers=bearer(from_pat)), 401)

    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    expiring = new_token(index, token, expires_at=soon)
    assert expiring["expires_at"] is not None
    time.sleep(1.2)
    assert_error(
        index.client.get("/v1/users/", headers=basic(account.username, expiring["token"])),
        401,
        "the access token has expired",
    )


def test_last_used_is_written(index: Index):
    account = index.account()
    token = sign_in(index, account)
    created = new_token(index, token)
    assert index.client.get("/v1/users/", headers=basic(account.username, created["token"]))
    got = index.client.get(f"{TOKENS}/{created['uuid']}", headers=bearer(token)).json()
    assert got["last_used"] is not None


def test_a_disabled_accounts_access_token_stops(index: Index):
    account = index.account()
    secret = new_token(index, sign_in(index, account))["token"]
    hubindex("users", "disable", account.username, database_url=index.database_url)
    assert_inactive(index.client.get("/v1/users/", headers=basic(account.username, secret)))


def test_valid_access_tokens_pass_the_throttle_and_wrong_ones_count_per_address(
    make_index: Callable[..., Index],
):
    index = make_index(login_failures_per_account=3, login_failures_per_address=3)
    account = index.account()
    secret = new_token(index, sign_in(index, account))["token"]
    pat = basic(account.username, secret)
    for _ in range(3):  # a stranger holds the account at its limit
        index.client.get("/v1/users/", headers=basic(account.username, "wrong-pw"))
    assert index.client.get("/v1/users/", headers=as_user(account)).status_code == 429
    assert index.client.get("/v1/users/", headers=pat).status_code == 200
    assert (
        index.client.post(
            "/v2/auth/token", json={"identifier": account.username, "secret": secret}
        ).status_code
        == 200
    )


def test_wrong_access_tokens_count_against_the_address_not_the_account(
    make_index: Callable[..., Index],
):
    index = make_index(login_failures_per_account=2, login_failures_per_address=2)
    account, other = index.account(), index.account()
    for _ in range(2):
        guess = basic(account.username, "hbi_pat_" + "B" * 43)
        assert_error(index.client.get("/v1/users/", headers=guess), 401)
    rows = _failures(index)
    assert rows == [("",), ("",)]
    # The address is at its limit for passwords (any account's) ...
    assert index.client.get("/v1/users/", headers=as_user(other)).status_code == 429


def _failures(index: Index) -> list[tuple]:
    return query(index.database_url, "SELECT username FROM login_failures")


def test_legacy_prefix_leaves_basic_to_no_one(index: Index):
    account = index.account()
    response = index.client.get(TOKENS, headers=as_user(account))
    assert_error(response, 401, "Basic credentials are not accepted here")
    response = index.client.get(TOKENS, headers={"Authorization": "Token signature=x"})
    assert_error(response, 401, "Token credentials are not accepted here")


@pytest.mark.parametrize("engine", ["fast", "connexion"])
def test_both_engines_take_both_prefixes_and_refuse_alike(
    make_index: Callable[..., Index], engine: str
):
    index = make_index(engine=engine)
    account = index.account()
    token = sign_in(index, account)
    # Connexion redirects the other slash spelling (tests/differential/rules.py, SLASHES).
    path = TOKENS + "/" if engine == "fast" else TOKENS
    for prefix in ("Bearer", "JWT"):
        answer = index.client.get(path, headers={"Authorization": f"{prefix} {token}"})
        assert answer.status_code == 200, (prefix, answer.text)
        wrong = index.client.get(TOKENS, headers={"Authorization": f"{prefix} {token}x"})
        assert_error(wrong, 401, "invalid token")
    assert_error(
        index.client.get(TOKENS, headers=as_user(account)),
        401,
        "Basic credentials are not accepted here",
    )


def test_a_password_cannot_look_like_an_access_token(index: Index):
    """What begins with the access tokens' prefix is taken for one at login, so no account's
    password may begin so: a registration or a change to one is a 400 naming the field."""
    looks_like_a_token = "hbi_pat_" + "x" * 43
    registration = index.client.post(
        "/v1/users/",
        json={"username": "tokenlike", "password": looks_like_a_token, "email": "t@example.com"},
    )
    assert_error(registration, 400, "body.password: does not satisfy not {'pattern': '^hbi_pat_'}")
    account = index.account()
    change = index.client.put(
        f"/v1/users/{account.username}/",
        json={"password": looks_like_a_token},
        headers=as_user(account),
    )
    assert_error(change, 400, "body.password: does not satisfy not {'pattern': '^hbi_pat_'}")
    assert index.client.get("/v1/users/", headers=as_user(account)).status_code == 200
