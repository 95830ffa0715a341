"""Password guessing is slowed down: per account and per client address, for a window.

Every index here counts 3 wrong passwords per account and 5 per address, over 2 seconds, unless
a test turns a limit off (0).
"""

import time
from collections.abc import Callable

import httpx
import pytest

from tests.harness import Account, Index
from tests.security.helpers import assert_error, basic

WINDOW = 2
LIMITS = {
    "login_failures_per_account": 3,
    "login_failures_per_address": 5,
    "login_failure_window_seconds": WINDOW,
    "email_confirmation": "off",
}


@pytest.fixture
def throttled(make_index: Callable[..., Index]) -> Callable[..., Index]:
    def make(**overrides: object) -> Index:
        return make_index(**{**LIMITS, **overrides})

    return make


def _login(index: Index, account: Account, *, right: bool) -> httpx.Response:
    password = account.password if right else account.password + "-wrong"
    return index.client.get("/v1/users/", headers=basic(account.username, password))


def _assert_ok(response: httpx.Response) -> None:
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.json() == "OK"


def _assert_throttled(response: httpx.Response) -> int:
    """429 with the error shape and a ``Retry-After`` within the window; its seconds."""
    assert_error(response, 429)
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit(), response.headers
    assert 1 <= int(retry_after) <= WINDOW, retry_after
    return int(retry_after)


def test_an_account_is_locked_after_its_limit_until_the_window_passes(
    throttled: Callable[..., Index],
):
    index = throttled()
    owner = index.account()
    for _ in range(3):
        assert_error(_login(index, owner, right=False), 401)

    retry_after = _assert_throttled(_login(index, owner, right=True))
    _assert_throttled(_login(index, owner, right=False))
    # The lock is per account: another account logs in meanwhile.
    _assert_ok(_login(index, index.account(), right=True))

    time.sleep(retry_after + 0.1)
    _assert_ok(_login(index, owner, right=True))


def test_every_operation_with_a_password_is_throttled(throttled: Callable[..., Index]):
    index = throttled()
    owner = index.account()
    for _ in range(3):
        assert_error(_login(index, owner, right=False), 401)
    as_owner = {"Authorization": owner.basic}
    path = f"/v1/repositories/{owner.username}/throttled/"
    _assert_throttled(index.client.put(path, json=[], headers=as_owner))
    update = index.client.put(
        f"/v1/users/{owner.username}/", json={"email": "x@example.com"}, headers=as_owner
    )
    _assert_throttled(update)


def test_an_address_is_locked_after_its_limit_across_accounts(throttled: Callable[..., Index]):
    index = throttled()
    accounts = [index.account() for _ in range(6)]
    for account in accounts[:5]:
        assert_error(_login(index, account, right=False), 401)

    _assert_throttled(_login(index, accounts[5], right=True))
    _assert_throttled(_login(index, accounts[0], right=True))


def test_a_correct_login_clears_the_failures_of_its_account(throttled: Callable[..., Index]):
    index = throttled()
    owner = index.account()
    for _ in range(2):
        assert_error(_login(index, owner, right=False), 401)
    _assert_ok(_login(index, owner, right=True))
    for _ in range(2):  # 4 failures in the window, but only 2 since the correct login
        assert_error(_login(index, owner, right=False), 401)
    _assert_ok(_login(index, owner, right=True))


def test_a_correct_login_does_not_clear_the_failures_of_its_address(
    throttled: Callable[..., Index],
):
    index = throttled()
    accounts = [index.account() for _ in range(6)]
    for account in accounts[:4]:
        assert_error(_login(index, account, right=False), 401)
    _assert_ok(_login(index, accounts[4], right=True))
    assert_error(_login(index, accounts[4], right=False), 401)  # the 5th from this address

    _assert_throttled(_login(index, accounts[5], right=True))


def test_zero_turns_the_account_limit_off(throttled: Callable[..., Index]):
    index = throttled(login_failures_per_account=0, login_failures_per_address=100)
    owner = index.account()
    for _ in range(8):
        assert_error(_login(index, owner, right=False), 401)
    _assert_ok(_login(index, owner, right=True))


def test_zero_turns_the_address_limit_off(throttled: Callable[..., Index]):
    index = throttled(login_failures_per_address=0)
    accounts = [index.account() for _ in range(8)]
    for account in accounts[:7]:
        assert_error(_login(index, account, right=False), 401)
    _assert_ok(_login(index, accounts[7], right=True))
