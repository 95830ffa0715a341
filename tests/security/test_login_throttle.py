"""Password guessing is slowed down, for a window, and a stranger cannot lock the owner out.

Every index here counts 3 wrong passwords per account and 5 per address, over 2 seconds, unless
a test turns a limit off (0). Clients come from 127.0.0.1, which uvicorn trusts by default, so
``X-Forwarded-For`` sets the address a request is counted by: A is the owner's (where they
logged in before), B a stranger's, C one the owner never used.
"""

import secrets
import time
from collections.abc import Callable

import httpx
import pytest

from tests.harness import Account, Index
from tests.robustness.support import burst, pool_client
from tests.security.helpers import WANT_TOKEN, assert_error, basic

# A window no test's failures outlast, however loaded the machine: a test that waits for the
# window to pass asks for SHORT instead (its failures must fall within it: a few logins).
WINDOW = 60
SHORT = 5
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


BURST = 20
A, B, C = "192.0.2.1", "198.51.100.2", "203.0.113.3"


def _login(
    index: Index, account: Account, *, right: bool, address: str | None = None
) -> httpx.Response:
    password = account.password if right else account.password + "-wrong"
    headers = basic(account.username, password)
    if address is not None:
        headers["X-Forwarded-For"] = address
    return index.client.get("/v1/users/", headers=headers)


def _push(index: Index, account: Account, address: str) -> list[int]:
    """The statuses of a push's two calls to the index, with the password, from ``address``."""
    headers = {"Authorization": account.basic, "X-Forwarded-For": address}
    path = f"/v1/repositories/{account.username}/pushed-{secrets.token_hex(3)}"
    created = index.client.put(f"{path}/", json=[], headers={**headers, **WANT_TOKEN})
    images = index.client.put(f"{path}/images", json=[], headers=headers)
    return [created.status_code, images.status_code]


def _assert_ok(response: httpx.Response) -> None:
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.json() == "OK"


def _assert_throttled(response: httpx.Response, window: int = WINDOW) -> int:
    """429 with the error shape and a ``Retry-After`` within the window; its seconds."""
    assert_error(response, 429)
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit(), response.headers
    assert 1 <= int(retry_after) <= window, retry_after
    return int(retry_after)


def _refused_until_the_window_passes(index: Index, account: Account, address: str) -> None:
    """The correct password is refused (429) at ``address``, then accepted once the window
    the refusal names has passed."""
    retry_after = _assert_throttled(_login(index, account, right=True, address=address), SHORT)
    time.sleep(retry_after + 0.1)
    _assert_ok(_login(index, account, right=True, address=address))


def test_an_account_is_locked_after_its_limit_until_the_window_passes(
    throttled: Callable[..., Index],
):
    index = throttled(login_failure_window_seconds=SHORT)
    owner = index.account()
    for _ in range(3):
        assert_error(_login(index, owner, right=False), 401)

    retry_after = _assert_throttled(_login(index, owner, right=True), SHORT)
    _assert_throttled(_login(index, owner, right=False), SHORT)
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


def test_a_stranger_s_failures_do_not_refuse_the_owner_where_they_logged_in_before(
    throttled: Callable[..., Index],
):
    index = throttled(login_failure_window_seconds=SHORT)
    owner = index.account()
    _assert_ok(_login(index, owner, right=True, address=A))
    for attempt in range(12):  # the account's limit, then the address's, and beyond
        response = _login(index, owner, right=False, address=B)
        assert response.status_code == (401 if attempt < 3 else 429), (attempt, response.text)

    _assert_ok(_login(index, owner, right=True, address=A))
    assert _push(index, owner, A) == [200, 204]
    # From an address the account never logged in from, the account's limit holds.
    _refused_until_the_window_passes(index, owner, C)


def test_at_a_known_address_its_own_failures_still_count(throttled: Callable[..., Index]):
    index = throttled()
    owner = index.account()
    _assert_ok(_login(index, owner, right=True, address=A))
    for _ in range(3):
        assert_error(_login(index, owner, right=False, address=A), 401)
    _assert_throttled(_login(index, owner, right=True, address=A))


def test_guesses_from_many_addresses_share_the_account_s_limit(throttled: Callable[..., Index]):
    index = throttled()
    owner = index.account()
    for octet in range(3):
        assert_error(_login(index, owner, right=False, address=f"198.51.100.{octet}"), 401)
    _assert_throttled(_login(index, owner, right=False, address="198.51.100.3"))
    _assert_throttled(_login(index, owner, right=True, address=C))


def test_the_owner_s_login_does_not_reset_a_stranger_s_count(throttled: Callable[..., Index]):
    index = throttled()
    owner = index.account()
    for _ in range(2):
        assert_error(_login(index, owner, right=False, address=B), 401)
    _assert_ok(_login(index, owner, right=True, address=A))
    assert_error(_login(index, owner, right=False, address=B), 401)  # the account's 3rd
    _assert_throttled(_login(index, owner, right=False, address=B))
    _assert_throttled(_login(index, owner, right=True, address=C))


def test_a_password_change_keeps_only_the_changing_address_known(
    throttled: Callable[..., Index],
):
    index = throttled(login_failure_window_seconds=SHORT)
    owner = index.account()
    _assert_ok(_login(index, owner, right=True, address=A))
    _assert_ok(_login(index, owner, right=True, address=C))
    for _ in range(3):
        assert_error(_login(index, owner, right=False, address=B), 401)
    new_password = owner.password + "-new"
    change = index.client.put(
        f"/v1/users/{owner.username}/",
        json={"password": new_password},
        headers={"Authorization": owner.basic, "X-Forwarded-For": A},
    )
    assert change.status_code == 204, change.text
    changed = Account(owner.username, new_password, owner.email)
    # The owner proved the old password at A and chose the new one there: A stays known, so
    # the stranger at B, who holds the account's limit reached, cannot refuse it.
    _assert_ok(_login(index, changed, right=True, address=A))
    # C knew the old password only: like anywhere new, refused while the limit is reached.
    _refused_until_the_window_passes(index, changed, C)


def test_an_address_of_any_length_is_counted(throttled: Callable[..., Index]):
    index = throttled()
    owner = index.account()
    address = "2001:db8::" + "f" * 100
    for _ in range(3):
        assert_error(_login(index, owner, right=False, address=address), 401)
    _assert_throttled(_login(index, owner, right=False, address=address))


@pytest.mark.over_socket
def test_guesses_sent_at_once_are_bounded_by_the_limit_too(throttled: Callable[..., Index]):
    """Each is counted from its check on: they cannot all pass the check before any failed."""
    index = throttled(login_failures_per_address=0)
    owner = index.account()
    wrong = [f"{owner.password}-wrong-{n}" for n in range(BURST)]
    with pool_client(index.url, BURST) as client:
        responses = burst(
            [
                lambda password=password: client.get(
                    "/v1/users/", headers={**basic(owner.username, password), "X-Forwarded-For": B}
                )
                for password in wrong
            ]
        )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 3 + [429] * (BURST - 3), statuses
