"""Accounts: registration, email confirmation and login."""

from collections.abc import Callable
from typing import Any

import pytest

from server.app import create_app
from server.settings import ConfigurationError, Settings
from tests.functional.support import (
    as_user,
    assert_error,
    assert_inactive,
    assert_json,
    assert_taken,
    basic,
)
from tests.harness import Index, new_account


def _valid() -> dict[str, str]:
    account = new_account()
    return {"username": account.username, "password": account.password, "email": account.email}


@pytest.mark.parametrize("path", ["/v1/users/", "/v1/users"])
def test_registration_answers_user_created(index: Index, path: str):
    response = index.client.post(path, json=_valid())
    assert_json(response, 201, "User Created")


def test_registration_ignores_the_auth_field_the_docker_client_sends(index: Index):
    response = index.client.post("/v1/users/", json={**_valid(), "auth": ""})
    assert_json(response, 201, "User Created")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("username", "abc", id="username too short"),
        pytest.param("username", "a" * 31, id="username too long"),
        pytest.param("username", "Upper_case", id="username upper case"),
        pytest.param("username", "with-dash", id="username dash"),
        pytest.param("username", 12345, id="username not a string"),
        pytest.param("password", "four", id="password too short"),
        pytest.param("email", "not-an-address", id="email invalid"),
        pytest.param("email", "", id="email empty"),
    ],
)
def test_an_invalid_field_is_a_400_naming_it(index: Index, field: str, value: Any):
    response = index.client.post("/v1/users/", json={**_valid(), field: value})
    assert_error(response, 400)
    assert field in response.json()["error"]


@pytest.mark.parametrize("field", ["username", "password", "email"])
def test_a_missing_field_is_a_400_naming_it(index: Index, field: str):
    body = _valid()
    del body[field]
    response = index.client.post("/v1/users/", json=body)
    assert_error(response, 400)
    assert field in response.json()["error"]


@pytest.mark.parametrize(
    "content",
    [b'{"username": ', b"\xff\xfe{}", b"[]", b'"User"'],
    ids=["truncated", "not utf-8", "an array", "a string"],
)
def test_a_body_that_is_not_a_registration_is_a_400(index: Index, content: bytes):
    response = index.client.post(
        "/v1/users/", content=content, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400)


def test_the_library_username_is_reserved(index: Index):
    response = index.register("library", "secret-password", new_account().email)
    assert response.status_code == 400


def test_a_taken_username_answers_the_exact_docker_body(index: Index):
    account = index.account()
    response = index.register(account.username, "another-password", new_account().email)
    assert_taken(response)


@pytest.mark.parametrize("spell", [str.lower, str.upper], ids=["same case", "other case"])
def test_a_taken_email_answers_the_exact_docker_body(index: Index, spell: Callable[[str], str]):
    account = index.account()
    response = index.register(new_account().username, "some-password", spell(account.email))
    assert_taken(response)


def test_an_email_of_an_inactive_account_is_taken_too(index: Index):
    account = index.account(active=False)
    assert_taken(index.register(new_account().username, "some-password", account.email))


def test_a_new_account_is_inactive_until_confirmed(index: Index):
    account = index.account(active=False)
    assert_inactive(index.client.get("/v1/users/", auth=account.auth))

    confirmed = index.client.get(index.mailbox.confirmation_link(account.email))

    assert_json(confirmed, 200, "Email confirmed")
    assert_json(index.client.get("/v1/users/", auth=account.auth), 200, "OK")


def test_the_confirmation_mail_links_to_this_index(index: Index):
    account = index.account(active=False)
    link = index.mailbox.confirmation_link(account.email)
    assert link.startswith(f"{index.url}/v1/users/confirm?code=")


def test_the_mailed_link_ignores_the_host_the_client_sent(index: Index):
    account = new_account()
    response = index.client.post(
        "/v1/users/",
        json={"username": account.username, "password": account.password, "email": account.email},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 201, response.text

    link = index.mailbox.confirmation_link(account.email)

    assert link.startswith(f"{index.url}/v1/users/confirm?code=")
    assert "evil.example" not in index.mailbox.to(account.email)[-1].as_string()


def test_without_smtp_the_logged_link_is_a_path_never_the_hosts(
    make_index: Callable[..., Index], caplog: pytest.LogCaptureFixture
):
    index = make_index(smtp_url=None, public_url=None)
    account = new_account()
    with caplog.at_level("WARNING", logger="server.services.mail"):
        response = index.client.post(
            "/v1/users/",
            json={"username": account.username, "password": account.password,
                  "email": account.email},
            headers={"Host": "evil.example"},
        )  # fmt: skip
    assert response.status_code == 201, response.text

    [logged] = [r.getMessage() for r in caplog.records if account.email in r.getMessage()]
    link = logged.rsplit(" ", 1)[-1]
    assert link.startswith("/v1/users/confirm?code="), logged
    assert "evil.example" not in logged
    assert index.client.get(link).status_code == 200


def test_an_app_that_would_mail_links_without_a_public_url_is_refused(database_url: str):
    settings = Settings(database_url=database_url, smtp_url="smtp://127.0.0.1:25")
    with pytest.raises(ConfigurationError, match="HUBINDEX_PUBLIC_URL"):
        create_app(settings)


def test_a_confirmation_link_works_once(index: Index):
    account = index.account(active=False)
    link = index.mailbox.confirmation_link(account.email)
    assert index.client.get(link).status_code == 200

    assert_error(index.client.get(link), 404)


@pytest.mark.parametrize("code", ["unknown-code", "A" * 43])
def test_an_unknown_confirmation_code_is_a_404(index: Index, code: str):
    response = index.client.get("/v1/users/confirm", params={"code": code})
    assert_error(response, 404)


@pytest.mark.parametrize("code", ["has space", "a" * 129])
def test_a_malformed_confirmation_code_is_a_400(index: Index, code: str):
    response = index.client.get("/v1/users/confirm", params={"code": code})
    assert_error(response, 400)


def test_a_confirmation_code_activates_only_its_own_account(index: Index):
    first = index.account(active=False)
    second = index.account(active=False)
    assert index.activate(first.email).status_code == 200

    assert_inactive(index.client.get("/v1/users/", auth=second.auth))


def test_with_confirmation_off_a_new_account_is_active_at_once(make_index: Callable[..., Index]):
    index = make_index(email_confirmation="off")
    account = new_account()
    assert index.register(account.username, account.password, account.email).status_code == 201

    assert_json(index.client.get("/v1/users/", auth=account.auth), 200, "OK")


@pytest.mark.parametrize("path", ["/v1/users/", "/v1/users"])
def test_login_with_good_credentials_answers_ok(index: Index, path: str):
    account = index.account()
    assert_json(index.client.get(path, headers=as_user(account)), 200, "OK")


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(lambda account: {}, id="no credentials"),
        pytest.param(
            lambda account: basic(account.username, "wrong-password"), id="wrong password"
        ),
        pytest.param(lambda account: basic("nobody_here", account.password), id="unknown user"),
        pytest.param(lambda account: {"Authorization": "Basic !!!"}, id="not base64"),
        pytest.param(lambda account: {"Authorization": "Bearer abc"}, id="another scheme"),
    ],
)
def test_login_without_good_credentials_is_a_401(
    index: Index, credentials: Callable[[Any], dict[str, str]]
):
    account = index.account()
    assert_error(index.client.get("/v1/users/", headers=credentials(account)), 401)


def test_login_with_the_password_of_another_account_is_a_401(index: Index):
    account, other = index.account(), index.account()
    assert_error(index.client.get("/v1/users/", auth=(account.username, other.password)), 401)
