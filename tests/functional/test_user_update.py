"""`PUT /v1/users/{username}/`: a new password replaces the old, a new email is added."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.functional.support import as_user, assert_error, assert_json, assert_taken, basic
from tests.harness import Account, Index, new_account


def _update(index: Index, username: str, headers: dict[str, str], body: Any) -> httpx.Response:
    return index.client.put(f"/v1/users/{username}/", json=body, headers=headers)


def _login(index: Index, username: str, password: str) -> httpx.Response:
    return index.client.get("/v1/users/", headers=basic(username, password))


@pytest.mark.parametrize("path", ["/v1/users/{}/", "/v1/users/{}"])
def test_a_new_password_replaces_the_old(index: Index, path: str):
    account = index.account()
    response = index.client.put(
        path.format(account.username), json={"password": "brand-new-password"}, auth=account.auth
    )

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_error(_login(index, account.username, account.password), 401)
    assert_json(_login(index, account.username, "brand-new-password"), 200, "OK")


def test_a_new_email_is_added_and_the_old_one_stays_taken(index: Index):
    account = index.account()
    added = new_account().email

    response = _update(index, account.username, as_user(account), {"email": added})

    assert response.status_code == 204, response.text
    for email in (account.email, added, added.upper()):
        assert_taken(index.register(new_account().username, "some-password", email))


def test_email_and_password_together(index: Index):
    account = index.account()
    added = new_account().email
    body = {"email": added, "password": "brand-new-password"}

    assert _update(index, account.username, as_user(account), body).status_code == 204

    assert_json(_login(index, account.username, "brand-new-password"), 200, "OK")
    assert_taken(index.register(new_account().username, "some-password", added))


@pytest.mark.parametrize("spell", [str.lower, str.upper], ids=["same case", "other case"])
def test_an_email_of_another_account_is_a_409(index: Index, spell: Any):
    account, other = index.account(), index.account()
    response = _update(index, account.username, as_user(account), {"email": spell(other.email)})
    assert_error(response, 409)


@pytest.mark.parametrize(
    "body",
    [{}, {"password": "four"}, {"email": "not-an-address"}, []],
    ids=["empty", "short password", "bad email", "not an object"],
)
def test_an_invalid_update_is_a_400(index: Index, body: Any):
    account = index.account()
    assert_error(_update(index, account.username, as_user(account), body), 400)
    assert_json(_login(index, account.username, account.password), 200, "OK")


def test_another_user_may_not_update_an_account(index: Index):
    account, other = index.account(), index.account()
    response = _update(index, account.username, as_user(other), {"password": "taken-over"})

    assert_error(response, 403)
    assert_json(_login(index, account.username, account.password), 200, "OK")


def test_an_admin_may_update_anyone(index: Index):
    account, admin = index.account(), index.admin()
    response = _update(index, account.username, as_user(admin), {"password": "reset-by-admin"})

    assert response.status_code == 204, response.text
    assert_json(_login(index, account.username, "reset-by-admin"), 200, "OK")


def test_an_unknown_user_is_a_404_for_an_admin(index: Index):
    admin = index.admin()
    response = _update(index, new_account().username, as_user(admin), {"password": "whatever"})
    assert_error(response, 404)


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(lambda account: {}, id="anonymous"),
        pytest.param(
            lambda account: basic(account.username, "wrong-password"), id="wrong password"
        ),
    ],
)
def test_an_update_without_good_credentials_is_a_401(index: Index, credentials: Any):
    account: Account = index.account()
    response = _update(index, account.username, credentials(account), {"password": "taken-over"})

    assert_error(response, 401)
    assert_json(_login(index, account.username, account.password), 200, "OK")


def test_an_inactive_account_may_not_update_itself(index: Index):
    account = index.account(active=False)
    response = _update(index, account.username, as_user(account), {"password": "brand-new"})
    assert_error(response, 403, "Account is not Active")


def test_new_addresses_from_one_client_address_are_limited(make_index: Callable[..., Index]):
    index = make_index(new_emails_per_address=2)
    account = index.account()
    added = [
        index.client.put(f"/v1/users/{account.username}/", json={"email": f"a{n}.{account.email}"},
                         auth=account.auth)
        for n in range(3)
    ]  # fmt: skip
    password_only = index.client.put(
        f"/v1/users/{account.username}/", json={"password": "a-new-password"}, auth=account.auth
    )

    assert [r.status_code for r in added[:2]] == [204, 204]
    assert_error(added[2], 429)
    assert added[2].headers["Retry-After"].isdigit()
    assert password_only.status_code == 204, password_only.text


def test_an_account_has_a_limited_number_of_addresses(make_index: Callable[..., Index]):
    index = make_index(emails_per_account=2)
    account = index.account()
    path = f"/v1/users/{account.username}/"
    first = index.client.put(path, json={"email": f"second.{account.email}"}, auth=account.auth)
    second = index.client.put(path, json={"email": f"third.{account.email}"}, auth=account.auth)

    assert first.status_code == 204, first.text
    assert_error(second, 409, "email: an account may have 2 addresses at most")
