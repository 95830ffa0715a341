"""`docker login`: try to register; if the account exists, log in with Basic instead."""

import pytest

from tests.functional.support import TAKEN, as_user, assert_inactive, assert_json, basic
from tests.harness import Index, new_account
from tests.protocol import steps
from tests.protocol.world import World, credentials


def test_login_of_an_existing_account(index: Index):
    account = index.account()

    registered = steps.register(index, account.username, account.password, account.email)

    assert registered.status_code == 400
    assert registered.content == TAKEN
    assert_json(steps.login(index, as_user(account)), 200, "OK")


def test_login_of_a_new_account_registers_it_and_waits_for_confirmation(index: Index):
    account = new_account()

    registered = steps.register(index, account.username, account.password, account.email)

    assert_json(registered, 201, "User Created")
    assert_inactive(steps.login(index, as_user(account)))
    assert index.activate(account.email).status_code == 200
    assert_json(steps.login(index, as_user(account)), 200, "OK")


def test_login_to_an_existing_username_with_another_password(index: Index):
    account = index.account()
    other_email = new_account().email

    registered = steps.register(index, account.username, "not-the-password", other_email)

    assert registered.content == TAKEN
    assert steps.login(index, basic(account.username, "not-the-password")).status_code == 401


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("alice", 200, id="active account"),
        pytest.param("admin", 200, id="admin"),
        pytest.param("anonymous", 401, id="anonymous"),
        pytest.param("wrong password", 401, id="wrong password"),
        pytest.param("unknown user", 401, id="unknown user"),
        pytest.param("inactive", 403, id="inactive account"),
        pytest.param("read token", 401, id="a token instead of Basic"),
        pytest.param("malformed token", 401, id="malformed token"),
    ],
)
def test_login(index: Index, who: str, status: int):
    world = World(index)

    response = steps.login(index, credentials(world, who, "alice/repo"))

    steps.assert_outcome(response, status)
    if status == 200:
        assert_json(response, 200, "OK")
    if who == "inactive":
        assert_inactive(response)


@pytest.mark.parametrize(
    "header",
    ["Basic", "Basic !!!", "Basic " + "dXNlcm5hbWU=", "Basic " + "//46eA=="],
    ids=["no value", "not base64", "no colon", "not utf-8"],
)
def test_login_with_a_malformed_basic_header(index: Index, header: str):
    steps.assert_outcome(steps.login(index, {"Authorization": header}), 401)
