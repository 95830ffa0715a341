"""`docker login` of Docker 1.9.1 and 1.3.2, as their registry package sends it, to the end.

The client registers first; only the exact body "Username or email already exists" makes it
log in with Basic (GET /v1/users/), any other 400 is printed as `Registration: ...` and the
login never happens. Its prompt takes an empty email, and a mistyped password may be short:
an existing account must still get the exact body (protocol.md, Users).
"""

from collections.abc import Callable

import pytest

from tests.functional.support import TAKEN, assert_error, assert_json
from tests.harness import Account, Index, new_account
from tests.protocol import steps
from tests.protocol.steps import DOCKER_CLIENTS, DockerClient

clients = pytest.mark.parametrize("client", DOCKER_CLIENTS, ids=lambda c: f"docker {c.version}")

# (password, email) the client sends for an existing account; "own"/"right" are the account's.
EXISTING = [
    pytest.param("right", "", "Login Succeeded", 200, id="empty email"),
    pytest.param("right", "own", "Login Succeeded", 200, id="own email"),
    pytest.param("right", "not-an-address", "Login Succeeded", 200, id="malformed email"),
    pytest.param("pw", "", "Wrong login/password, please try again", 401, id="short wrong pw"),
    pytest.param("pw", "own", "Wrong login/password, please try again", 401, id="short pw, email"),
    pytest.param("wrong-pw", "", "Wrong login/password, please try again", 401, id="wrong pw"),
]


def _sent(account: Account, password: str, email: str) -> tuple[str, str]:
    return (
        account.password if password == "right" else password,
        account.email if email == "own" else email,
    )


@clients
@pytest.mark.parametrize(("password", "email", "outcome", "login_status"), EXISTING)
def test_login_of_an_existing_account(
    index: Index, client: DockerClient, password: str, email: str, outcome: str, login_status: int
):
    account = index.account()

    login = steps.docker_login(index, client, account.username, *_sent(account, password, email))

    assert (login.registration.status_code, login.registration.content) == (400, TAKEN)
    assert login.login is not None
    assert login.login.status_code == login_status, login.outcome
    assert login.outcome == outcome


@clients
def test_login_of_an_inactive_account_with_an_empty_email(index: Index, client: DockerClient):
    account = index.account(active=False)

    login = steps.docker_login(index, client, account.username, account.password, "")

    assert login.registration.content == TAKEN
    assert login.outcome == "Login: Account is not Active"


@clients
@pytest.mark.parametrize("password", ["pw", "long-enough"], ids=["short password", "password"])
def test_an_existing_email_with_a_new_username_is_taken(
    index: Index, client: DockerClient, password: str
):
    account = index.account()

    login = steps.docker_login(index, client, new_account().username, password, account.email)

    assert login.registration.content == TAKEN
    assert login.outcome == "Wrong login/password, please try again"


@clients
@pytest.mark.parametrize(
    ("username", "email", "error"),
    [
        pytest.param("abc", "new", "body.username: 'abc' does not match '^[a-z0-9_]{4,30}$'",
                     id="invalid username, new email"),
        pytest.param("Existing", "new", "body.username: 'Existing' does not match"
                     " '^[a-z0-9_]{4,30}$'", id="upper-case spelling of an existing username"),
    ],
)  # fmt: skip
def test_an_invalid_username_that_matches_no_account_is_judged(
    index: Index, client: DockerClient, username: str, email: str, error: str
):
    account = index.account()
    sent_name = account.username.capitalize() if username == "Existing" else username
    sent_email = new_account().email if email == "new" else email

    login = steps.docker_login(index, client, sent_name, "long-enough", sent_email)

    assert_error(login.registration, 400, error.replace("'Existing'", repr(sent_name)))
    assert login.login is None


@clients
@pytest.mark.parametrize(
    ("password", "email", "error"),
    [
        pytest.param("long-enough", "", "body.email: '' is not a 'email'", id="empty email"),
        pytest.param("long-enough", "not-an-address", "body.email: 'not-an-address' is not a"
                     " 'email'", id="malformed email"),
        pytest.param("pw", "new", "body.password: does not satisfy minLength 5",
                     id="short password"),
    ],
)  # fmt: skip
def test_registration_of_a_new_account_still_names_the_bad_field(
    index: Index, client: DockerClient, password: str, email: str, error: str
):
    account = new_account()
    sent_email = account.email if email == "new" else email

    login = steps.docker_login(index, client, account.username, password, sent_email)

    assert_error(login.registration, 400, error)
    assert login.outcome == f"Registration: {login.registration.text}"
    assert login.login is None


@clients
def test_registration_of_a_new_account(index: Index, client: DockerClient):
    account = new_account()

    login = steps.docker_login(index, client, account.username, account.password, account.email)

    assert_json(login.registration, 201, "User Created")
    assert login.outcome == "Account created"


@clients
def test_the_registration_limit_never_refuses_the_login_of_an_existing_account(
    make_index: Callable[..., Index], client: DockerClient
):
    """The rule: a taken username or email is answered "already exists" before a registration
    is counted, so only registrations that would create an account meet the limit (429)."""
    index = make_index(registrations_per_address=1)
    account = index.account()  # the address's one registration
    another = new_account()

    refused = steps.docker_login(index, client, another.username, another.password, another.email)
    logins = [
        steps.docker_login(index, client, account.username, account.password, email)
        for email in ("", account.email)
    ]

    assert_error(refused.registration, 429)
    assert refused.registration.headers["Retry-After"].isdigit()
    assert refused.login is None
    for login in logins:
        assert login.registration.content == TAKEN
        assert login.outcome == "Login Succeeded"
