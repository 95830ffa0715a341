"""Both spellings of every path are served directly: with and without the trailing slash.

The other tests mostly use the spelling the Docker client sends; this table covers the other.
``{repo}`` is a repository of the user, ``{library}`` a library repository, ``{new}`` a name
that is free; ``token`` is a write token for the repository the path names.

Not here: ``PUT /v1/repositories/{library}/auth/`` and ``.../images/``, which the spec reads as
written, creating the repository ``{library}/auth`` (see test_repositories).
"""

from typing import Any

import pytest

from tests.functional.support import (
    as_user,
    create_repository,
    new_repository,
    repository_name,
    token_for,
    with_token,
)
from tests.harness import Account, Index, new_account

NEW_ACCOUNT = "new account"


@pytest.mark.parametrize(
    ("method", "path", "who", "body", "status"),
    [
        ("GET", "/v1/_ping/", "anonymous", None, 200),
        ("POST", "/v1/users", "anonymous", NEW_ACCOUNT, 201),
        ("GET", "/v1/users", "user", None, 200),
        ("GET", "/v1/users/confirm/?code={code}", "anonymous", None, 200),
        ("PUT", "/v1/users/{user}", "user", {"password": "another-password"}, 204),
        ("PUT", "/v1/repositories/{user}/{new}", "user", [], 200),
        ("PUT", "/v1/repositories/{new}", "admin", [], 200),
        ("PUT", "/v1/repositories/library/{new}", "admin", [], 200),
        ("GET", "/v1/repositories/{repo}/images/", "anonymous", None, 200),
        ("PUT", "/v1/repositories/{repo}/images/", "user", [], 204),
        ("GET", "/v1/repositories/{library}/images/", "anonymous", None, 200),
        ("GET", "/v1/repositories/library/{library}/images/", "anonymous", None, 200),
        ("PUT", "/v1/repositories/{repo}/auth/", "token", None, 200),
        ("GET", "/v1/search/?q=x", "anonymous", None, 200),
        ("DELETE", "/v1/repositories/{repo}", "user", None, 202),
        ("DELETE", "/v1/repositories/{library}", "admin", None, 202),
    ],
)
def test_the_other_spelling_is_served_without_a_redirect(
    index: Index, method: str, path: str, who: str, body: Any, status: int
):
    user = index.account()
    names, admin = _names(index, user, path)
    headers = {
        "anonymous": lambda: {},
        "user": lambda: as_user(user),
        "admin": lambda: as_user(admin or index.admin()),
        "token": lambda: with_token(token_for(index, names["repo"], "write", as_user(user))),
    }[who]()
    if body == NEW_ACCOUNT:
        account = new_account()
        body = {"username": account.username, "password": "a-password", "email": account.email}

    response = index.client.request(method, path.format(**names), headers=headers, json=body)

    assert response.status_code == status, response.text


def _names(index: Index, user: Account, path: str) -> tuple[dict[str, str], Account | None]:
    """What ``path`` names, made for this test (an admin only when a library one is named)."""
    names = {"user": user.username, "new": repository_name()}
    admin = index.admin() if "{library}" in path else None
    if "{repo}" in path:
        names["repo"] = new_repository(index, user).path
    if admin is not None:
        names["library"] = repository_name()
        assert create_repository(index, names["library"], as_user(admin)).status_code == 200
    if "{code}" in path:
        inactive = index.account(active=False)
        link = index.mailbox.confirmation_link(inactive.email)
        names["code"] = link.partition("code=")[2]
    return names, admin
