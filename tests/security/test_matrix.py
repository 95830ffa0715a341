"""Who may do what: every write operation against every kind of caller, one status per cell.

The table below is the whole rule set; each cell is one test on its own repository (or, for
``update_user``, its own new email address), made just before the request. After the request
the test checks that a refused write changed nothing and an accepted one took effect.

Callers:
  anonymous         no ``Authorization``
  wrong_password    Basic, the owner's name with a wrong password
  inactive          Basic, the correct password of an account that is not activated (the target
                    is in its own namespace, so only inactivity can refuse it)
  another_user      Basic, an active account that does not own the namespace
  owner             Basic, the owner of the namespace (a non-administrator: on ``library`` they
                    are just another user, as only administrators own ``library``)
  admin             Basic, an administrator
  read_token / write_token / delete_token
                    a genuine, unexpired token of that access for the target repository
  other_repo_token  a genuine write token for another repository of the same namespace
  expired_token     a genuine write token for the target that has expired
  forged_token      a token of the right shape for the target that this index never signed
  edited_token      a genuine write token for another repository, its repository edited
  pat_read / pat_write / pat_admin
                    Basic, the owner's name and a personal access token of the owner's of that
                    scope (``repo:read``, ``repo:write``, ``repo:admin``)
  pat_inactive      the same with a deactivated ``repo:admin`` access token of the owner's
  pat_other         the same with a ``repo:admin`` access token of another account's

The management API's operations (``pat_create``, ``pat_update``, ``pat_delete``: the owner's
personal access tokens) take a signed token (``Authorization: Bearer``), so there each caller
presents what it can get: a caller with a good password or access token the signed token
``POST /v2/auth/token`` answers it; one without (a wrong password, an inactive account, a
deactivated or foreign access token) its Basic credentials; a Docker token itself. There
``expired_token`` is an expired signed token of the owner's, ``forged_token`` one signed with
another key, and ``edited_token`` the owner's with its account edited to another's. An
account manages its own access tokens only (another's is not found, an administrator's too),
and a signed token got with an access token manages none.
The webhook operations (``wh_*``: ``/v2/repositories/{ns}/{repo}/webhooks`` and its hooks) take
the same signed tokens: a repository's webhooks are managed, and read, by its owner and
administrators only (``wh_library``: administrators only), and a signed token got with an
access token only of scope ``repo:admin``. Each cell's repository has a webhook with a hook
made by its manager first.
Reading the owner's audit log (``audit_log``, ``audit_actions``) takes the same signed tokens:
the owner (with any of its access tokens' signed tokens too) and administrators read it; to
anyone else the account is missing (404).
  earlier_token     a genuine write token for an earlier repository of the target's name,
                    deleted and created again since
  collaborator      Basic (a signed token on the management API), an account that collaborates
                    on the target (every target of the owner's that exists)

Operations: the writes, and the two checks a registry makes with a token: ``auth`` and
``layer`` (may a push build on a parent layer); ``pull`` (GET the image list); each of the
repository operations again on a private target (``*_private``: made private, by an
administrator, after the caller's credentials were got, so that a token minted while it was
public is judged as its holder's grants are now); and the sharing operations of the
management API (``privacy``, ``collab_list``, ``collab_add``, ``collab_remove``) on a public
and on a private target. A private repository a caller may not read is a missing one to it:
the 404 of a missing repository on reads and the sharing operations, and for writes the 401 or
403 a missing repository of another namespace gets. Read tokens are minted by the target's
owner (anonymous callers get none for a private repository).
"""

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import jwt
import pytest

from tests.harness import Account, Index, Mailbox
from tests.security.helpers import (
    WANT_TOKEN,
    assert_error,
    basic,
    edited_token,
    forged_token,
    listed_ids,
    parse_token,
    query,
    with_token,
)

LIBRARY = "library"
ACCESS_TOKENS = "/v2/access-tokens"
CALLERS = (
    "anonymous",
    "wrong_password",
    "inactive",
    "another_user",
    "owner",
    "admin",
    "read_token",
    "write_token",
    "delete_token",
    "other_repo_token",
    "expired_token",
    "forged_token",
    "edited_token",
    "pat_read",
    "pat_write",
    "pat_admin",
    "pat_inactive",
    "pat_other",
    "earlier_token",
    "collaborator",
)
PAT_SCOPES = {"pat_read": "repo:read", "pat_write": "repo:write", "pat_admin": "repo:admin"}

# fmt: off
# anon wrong inact other owner admin | read write del repo2 exp forge edit | pread pwrite
# padmin pinactive pother: CALLERS' order, less the last, earlier_token (added below)
_EXPECTED: dict[str, tuple[int, ...]] = {
    "create":         (401,401,403,403,200,200,  401,401,401,401,401,401,401,  403,200,200,401,401),
    "delete":         (401,401,403,403,202,202,  401,401,401,401,401,401,401,  403,403,202,401,401),
    "create_library": (401,401,403,403,403,200,  401,401,401,401,401,401,401,  403,403,403,401,401),
    "delete_library": (401,401,403,403,403,202,  401,401,401,401,401,401,401,  403,403,403,401,401),
    "images":         (401,401,403,403,204,204,  403,204,403,403,401,401,401,  403,204,204,401,401),
    "images_library": (401,401,403,403,403,204,  403,204,403,403,401,401,401,  403,403,403,401,401),
    "update_user":    (401,401,403,403,204,204,  401,401,401,401,401,401,401,  403,403,403,401,401),
    "auth":           (401,401,401,401,401,401,  200,200,200,403,401,401,401,  401,401,401,401,401),
    "auth_library":   (401,401,401,401,401,401,  200,200,200,403,401,401,401,  401,401,401,401,401),
    "layer":          (401,401,401,401,401,401,  200,200,200,403,401,401,401,  401,401,401,401,401),
    "layer_library":  (401,401,401,401,401,401,  200,200,200,403,401,401,401,  401,401,401,401,401),
    "pat_create":     (401,401,401,201,201,201,  401,401,401,401,401,401,401,  403,403,403,401,401),
    "pat_update":     (401,401,401,404,200,404,  401,401,401,401,401,401,401,  403,403,403,401,401),
    "pat_delete":     (401,401,401,404,204,404,  401,401,401,401,401,401,401,  403,403,403,401,401),
    "pull":           (200,401,403,200,200,200,  200,200,200,403,401,401,401,  200,200,200,401,401),
    "pull_private":   (404,401,403,404,200,200,  200,200,200,403,401,401,401,  200,200,200,401,401),
    "images_private": (401,401,403,403,204,204,  403,204,403,403,401,401,401,  403,204,204,401,401),
    "delete_private": (401,401,403,403,202,202,  401,401,401,401,401,401,401,  403,403,202,401,401),
    "auth_private":   (401,401,401,401,401,401,  200,200,200,403,401,401,401,  401,401,401,401,401),
    "layer_private":  (401,401,401,401,401,401,  200,200,200,403,401,401,401,  401,401,401,401,401),
    "privacy":        (401,401,401,403,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "privacy_private":(401,401,401,404,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "collab_list":    (401,401,401,403,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "collab_list_private":
                      (401,401,401,404,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "collab_add":     (401,401,401,403,201,201,  401,401,401,401,401,401,401,  403,403,201,401,401),
    "collab_add_private":
                      (401,401,401,404,201,201,  401,401,401,401,401,401,401,  403,403,201,401,401),
    "collab_remove":  (401,401,401,403,204,204,  401,401,401,401,401,401,401,  403,403,204,401,401),
    "collab_remove_private":
                      (401,401,401,404,204,204,  401,401,401,401,401,401,401,  403,403,204,401,401),
    "wh_list":        (401,401,401,403,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "wh_create":      (401,401,401,403,201,201,  401,401,401,401,401,401,401,  403,403,201,401,401),
    "wh_library":     (401,401,401,403,403,201,  401,401,401,401,401,401,401,  403,403,403,401,401),
    "wh_get":         (401,401,401,403,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "wh_delete":      (401,401,401,403,204,204,  401,401,401,401,401,401,401,  403,403,204,401,401),
    "wh_create_hook": (401,401,401,403,201,201,  401,401,401,401,401,401,401,  403,403,201,401,401),
    "wh_update_hook": (401,401,401,403,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "wh_delete_hook": (401,401,401,403,204,204,  401,401,401,401,401,401,401,  403,403,204,401,401),
    "wh_deliveries":  (401,401,401,403,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "wh_test_hook":   (401,401,401,403,202,202,  401,401,401,401,401,401,401,  403,403,202,401,401),
    "tag_list":       (200,401,401,200,200,200,  401,401,401,401,401,401,401,  200,200,200,401,401),
    "tag_list_private":
                      (404,401,401,404,200,200,  401,401,401,401,401,401,401,  200,200,200,401,401),
    "tag_delete":     (401,401,401,403,204,204,  401,401,401,401,401,401,401,  403,403,204,401,401),
    "tag_delete_private":
                      (401,401,401,404,204,204,  401,401,401,401,401,401,401,  403,403,204,401,401),
    "orphans":        (401,401,401,403,403,200,  401,401,401,401,401,401,401,  403,403,403,401,401),
    "pg_update":      (401,401,401,403,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "pg_update_private":
                      (401,401,401,404,200,200,  401,401,401,401,401,401,401,  403,403,200,401,401),
    "pg_delete":      (401,401,401,403,202,202,  401,401,401,401,401,401,401,  403,403,202,401,401),
    "pg_delete_private":
                      (401,401,401,404,202,202,  401,401,401,401,401,401,401,  403,403,202,401,401),
    "pg_create":      (401,401,401,403,201,201,  401,401,401,401,401,401,401,  403,201,201,401,401),
    "pg_star":        (401,401,401,204,204,204,  401,401,401,401,401,401,401,  204,204,204,401,401),
    "pg_star_private":(401,401,401,404,204,204,  401,401,401,401,401,401,401,  204,204,204,401,401),
    "pg_unstar":      (401,401,401,204,204,204,  401,401,401,401,401,401,401,  204,204,204,401,401),
    "pg_unstar_private":
                      (401,401,401,404,204,204,  401,401,401,401,401,401,401,  204,204,204,401,401),
    "audit_log":      (401,401,401,404,200,200,  401,401,401,401,401,401,401,  200,200,200,401,401),
    "audit_actions":  (401,401,401,404,200,200,  401,401,401,401,401,401,401,  200,200,200,401,401),
}
# A collaborator reads and pushes; it does not delete, nor administer. It manages its own
# access tokens (a new one is its own; the owner's are not found).
_COLLABORATOR = {
    "create": 403, "delete": 403, "create_library": 403, "delete_library": 403, "images": 204,
    "images_library": 403, "update_user": 403, "auth": 401, "auth_library": 401, "layer": 401,
    "layer_library": 401, "pat_create": 201, "pat_update": 404, "pat_delete": 404, "pull": 200,
    "pull_private": 200, "images_private": 204, "delete_private": 403, "auth_private": 401,
    "layer_private": 401, "privacy": 403, "privacy_private": 403, "collab_list": 403,
    "collab_list_private": 403, "collab_add": 403, "collab_add_private": 403,
    "collab_remove": 403, "collab_remove_private": 403,
    "wh_list": 403, "wh_create": 403, "wh_library": 403, "wh_get": 403, "wh_delete": 403,
    "wh_create_hook": 403, "wh_update_hook": 403, "wh_delete_hook": 403, "wh_deliveries": 403,
    "wh_test_hook": 403, "tag_list": 200, "tag_list_private": 200, "tag_delete": 403,
    "tag_delete_private": 403, "orphans": 403,
    "pg_update": 403, "pg_update_private": 403, "pg_delete": 403, "pg_delete_private": 403,
    "pg_create": 403, "pg_star": 204, "pg_star_private": 204, "pg_unstar": 204,
    "pg_unstar_private": 204, "audit_log": 404, "audit_actions": 404,
}
# fmt: on
# A write token for an earlier repository of the target's name is no token of the target: 401
# everywhere (and on the management API, a Docker token is no signed token).
EXPECTED = {
    operation: (*row, 401, _COLLABORATOR[operation]) for operation, row in _EXPECTED.items()
}
CELLS = [
    pytest.param(operation, caller, status, id=f"{operation}-{caller}-{status}")
    for operation, statuses in EXPECTED.items()
    for caller, status in zip(CALLERS, statuses, strict=True)
]


@dataclass(frozen=True)
class Target:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"

    def sibling(self) -> "Target":
        return Target(self.namespace, f"{self.name}-other")


SHARING = ("privacy", "collab_list", "collab_add", "collab_remove")


@dataclass(frozen=True)
class Operation:
    method: str
    kind: str  # create | delete | images | update_user | auth | layer | pat_create | ...
    library: bool = False
    private: bool = False  # on a private target

    @property
    def management(self) -> bool:
        """An operation of the management API: on the owner's personal access tokens, or on
        who a repository is shared with, or the webhooks of a repository of the owner's (or,
        ``library``, an administrator's)."""
        kinds = ("pat_", "wh_", "pg_", "tag_", "audit_")
        return self.kind.startswith(kinds) or self.sharing or self.orphans

    @property
    def orphans(self) -> bool:
        return self.kind == "orphans"

    @property
    def sharing(self) -> bool:
        return self.kind in SHARING

    @property
    def needs_repository(self) -> bool:
        """Whether the target repository must exist before the request."""
        return self.kind != "create" and not self.kind.startswith("pat_")

    def path(self, target: Target, username: str) -> str:
        if self.kind.startswith("wh_"):
            raise AssertionError("a webhook operation's path is made by _webhook_cell")
        if self.sharing:
            suffix = {
                "privacy": "/privacy",
                "collab_list": "/collaborators",
                "collab_add": "/collaborators/",
                "collab_remove": f"/collaborators/{username}",
            }[self.kind]
            return f"/v2/repositories/{target}{suffix}"
        if self.management:
            return ACCESS_TOKENS if self.kind == "pat_create" else f"{ACCESS_TOKENS}/{target.name}"
        if self.kind == "update_user":
            return f"/v1/users/{username}/"
        repository = target.name if self.library else str(target)
        suffix = {
            "create": "/",
            "delete": "/",
            "images": "/images",
            "pull": "/images",
            "auth": "/auth",
            "layer": f"/layer/{PARENT_LAYER}/access",
        }[self.kind]
        return f"/v1/repositories/{repository}{suffix}"


OPERATIONS = {
    "create": Operation("PUT", "create"),
    "delete": Operation("DELETE", "delete"),
    "create_library": Operation("PUT", "create", library=True),
    "delete_library": Operation("DELETE", "delete", library=True),
    "images": Operation("PUT", "images"),
    "images_library": Operation("PUT", "images", library=True),
    "update_user": Operation("PUT", "update_user"),
    "auth": Operation("PUT", "auth"),
    "auth_library": Operation("PUT", "auth", library=True),
    "pat_create": Operation("POST", "pat_create"),
    "pat_update": Operation("PATCH", "pat_update"),
    "pat_delete": Operation("DELETE", "pat_delete"),
    "layer": Operation("GET", "layer"),
    "layer_library": Operation("GET", "layer", library=True),
    "pull": Operation("GET", "pull"),
    "pull_private": Operation("GET", "pull", private=True),
    "images_private": Operation("PUT", "images", private=True),
    "delete_private": Operation("DELETE", "delete", private=True),
    "auth_private": Operation("PUT", "auth", private=True),
    "layer_private": Operation("GET", "layer", private=True),
    "privacy": Operation("POST", "privacy"),
    "privacy_private": Operation("POST", "privacy", private=True),
    "collab_list": Operation("GET", "collab_list"),
    "collab_list_private": Operation("GET", "collab_list", private=True),
    "collab_add": Operation("POST", "collab_add"),
    "collab_add_private": Operation("POST", "collab_add", private=True),
    "collab_remove": Operation("DELETE", "collab_remove"),
    "collab_remove_private": Operation("DELETE", "collab_remove", private=True),
    "wh_list": Operation("GET", "wh_list"),
    "wh_create": Operation("POST", "wh_create"),
    "wh_library": Operation("POST", "wh_create", library=True),
    "wh_get": Operation("GET", "wh_get"),
    "wh_delete": Operation("DELETE", "wh_delete"),
    "wh_create_hook": Operation("POST", "wh_create_hook"),
    "wh_update_hook": Operation("PATCH", "wh_update_hook"),
    "tag_list": Operation("GET", "tag_list"),
    "tag_list_private": Operation("GET", "tag_list", private=True),
    "tag_delete": Operation("DELETE", "tag_delete"),
    "tag_delete_private": Operation("DELETE", "tag_delete", private=True),
    "orphans": Operation("GET", "orphans"),
    "wh_delete_hook": Operation("DELETE", "wh_delete_hook"),
    "wh_deliveries": Operation("GET", "wh_deliveries"),
    "wh_test_hook": Operation("POST", "wh_test_hook"),
    "pg_update": Operation("PATCH", "pg_update"),
    "pg_update_private": Operation("PATCH", "pg_update", private=True),
    "pg_delete": Operation("DELETE", "pg_delete"),
    "pg_delete_private": Operation("DELETE", "pg_delete", private=True),
    "pg_create": Operation("POST", "pg_create"),
    "pg_star": Operation("POST", "pg_star"),
    "pg_star_private": Operation("POST", "pg_star", private=True),
    "pg_unstar": Operation("DELETE", "pg_unstar"),
    "pg_unstar_private": Operation("DELETE", "pg_unstar", private=True),
    "audit_log": Operation("GET", "audit_log"),
    "audit_actions": Operation("GET", "audit_actions"),
}
# An image no repository lists: the layer check answers {"access": false} where it answers.
PARENT_LAYER = secrets.token_hex(32)
assert set(OPERATIONS) == set(EXPECTED)


@dataclass
class World:
    """One index (and a twin with 1-second tokens) over one database, with its accounts."""

    index: Index
    database_url: str
    owner: Account
    another: Account
    inactive: Account
    admin: Account
    collaborator: Account  # collaborates on every target of the owner's that exists
    third: Account  # added by collab_add, removed by collab_remove
    # operation -> its target, in the state the operation needs, and an expired write token
    expired: dict[str, tuple[Target, str]]
    # caller -> a personal access token's secret (pat_read ... pat_other)
    pats: dict[str, str]

    @property
    def client(self) -> httpx.Client:
        return self.index.client

    def namespace(self, operation: Operation, caller: str) -> str:
        if operation.library:
            return LIBRARY
        return self.inactive.username if caller == "inactive" else self.owner.username

    def minter(self, target: Target) -> Account:
        """Who makes the target and its tokens: its owner, or an administrator."""
        return self.owner if target.namespace == self.owner.username else self.admin

    def exists(self, target: Target) -> bool:
        response = self.listing(target)
        assert response.status_code in (200, 404), response.text
        return response.status_code == 200

    def listing(self, target: Target) -> httpx.Response:
        """The target's image list, as an administrator reads it (whether private or not)."""
        return self.client.get(
            f"/v1/repositories/{target}/images", headers={"Authorization": self.admin.basic}
        )

    def share(self, target: Target, *, private: bool) -> None:
        """Make ``target`` private (or not), and the collaborator collaborate on it (not on
        library's), as an administrator."""
        admin = bearer(self.sign_in(self.admin))
        answer = self.client.post(
            f"/v2/repositories/{target}/privacy", json={"is_private": private}, headers=admin
        )
        assert answer.status_code == 200, answer.text
        if target.namespace != LIBRARY:
            added = self.client.post(
                f"/v2/repositories/{target}/collaborators",
                json={"user": self.collaborator.username},
                headers=admin,
            )
            assert added.status_code == 201, added.text

    def collaborators(self, target: Target) -> list[str]:
        answer = self.client.get(
            f"/v2/repositories/{target}/collaborators",
            params={"page_size": 100},
            headers=bearer(self.sign_in(self.admin)),
        )
        assert answer.status_code == 200, answer.text
        return [entry["user"] for entry in answer.json()["results"]]

    def create(self, target: Target, client: httpx.Client | None = None) -> httpx.Response:
        response = (client or self.client).put(
            f"/v1/repositories/{target}/",
            json=[],
            headers={"Authorization": self.minter(target).basic, **WANT_TOKEN},
        )
        assert response.status_code == 200, response.text
        return response

    def delete(self, target: Target) -> httpx.Response:
        response = self.client.delete(
            f"/v1/repositories/{target}/",
            headers={"Authorization": self.minter(target).basic, **WANT_TOKEN},
        )
        assert response.status_code == 202, response.text
        return response

    def ensure(self, target: Target, *, exists: bool) -> None:
        if self.exists(target) != exists:
            (self.create if exists else self.delete)(target)

    def sign_in(
        self, account: Account, secret: str | None = None, index: Index | None = None
    ) -> str:
        """A signed token of the management API, as ``POST /v2/auth/token`` answers it."""
        response = (index or self.index).client.post(
            "/v2/auth/token",
            json={"identifier": account.username, "secret": secret or account.password},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def new_pat(self, account: Account, scope: str = "repo:admin") -> dict[str, str]:
        response = self.client.post(
            ACCESS_TOKENS,
            json={"token_label": _unique("matrix"), "scopes": [scope]},
            headers=bearer(self.sign_in(account)),
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def token(self, target: Target, access: str) -> str:
        """A genuine token for ``target`` (a delete token deletes it)."""
        self.ensure(target, exists=True)
        if access == "read":
            response = self.client.get(
                f"/v1/repositories/{target}/images",
                headers={"Authorization": self.minter(target).basic, **WANT_TOKEN},
            )
            assert response.status_code == 200, response.text
        elif access == "write":
            response = self.create(target)
        else:
            response = self.delete(target)
        token = response.headers["X-Docker-Token"]
        assert parse_token(token)["repository"] == str(target)
        assert parse_token(token)["access"] == access
        return token


def _unique(label: str) -> str:
    return f"{label.replace('_', '-')}-{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def world(module_database_url: str, mailbox: Mailbox) -> Iterator[World]:
    # Hooks of the webhook cells point at a loopback port nothing listens on.
    index = Index(module_database_url, mailbox, webhooks_allow_private_addresses=True).start()
    short_lived = Index(
        module_database_url, mailbox, token_ttl_seconds=1, bearer_ttl_seconds=1
    ).start()
    try:
        world = World(
            index=index,
            database_url=module_database_url,
            owner=index.account(),
            another=index.account(),
            inactive=index.account(active=False),
            admin=index.admin(),
            collaborator=index.account(),
            third=index.account(),
            expired={},
            pats={},
        )
        _mint_access_tokens(world)
        _mint_expired_tokens(world, short_lived)
        yield world
    finally:
        short_lived.close()
        index.close()


def _mint_access_tokens(world: World) -> None:
    """The PAT callers' access tokens; each is shown to log in first (pat_inactive before it
    is deactivated), so that the cells prove scope and state, not a bad token."""
    for caller, scope in PAT_SCOPES.items():
        world.pats[caller] = world.new_pat(world.owner, scope)["token"]
    inactive = world.new_pat(world.owner)
    world.pats["pat_inactive"] = inactive["token"]
    world.pats["pat_other"] = world.new_pat(world.another)["token"]
    for caller, secret in world.pats.items():
        username = world.another.username if caller == "pat_other" else world.owner.username
        login = world.client.get("/v1/users/", headers=basic(username, secret))
        assert login.status_code == 200, login.text
    deactivated = world.client.patch(
        f"{ACCESS_TOKENS}/{inactive['uuid']}",
        json={"is_active": False},
        headers=bearer(world.sign_in(world.owner)),
    )
    assert deactivated.status_code == 200, deactivated.text


def _mint_expired_tokens(world: World, short_lived: Index) -> None:
    """A write token of ``short_lived`` for each operation's expired_token target (for the
    management API's, a signed token of the owner's), then wait.

    Each token is shown to work before it expires, so that the cells prove expiry, not a bad
    token. One that a loaded machine shows only after its second is up is minted again (a new
    target each time): refused then, it proves nothing either way.
    """
    expires = 0
    for name, operation in OPERATIONS.items():
        for _attempt in range(5):
            if operation.management:
                target = Target(world.owner.username, "-")
                token = world.sign_in(world.owner, index=short_lived)
                expiry = int(_claims(token)["exp"])
                fresh = world.client.get(ACCESS_TOKENS, headers=bearer(token))
            else:
                target = Target(world.namespace(operation, "expired_token"), _unique(name))
                token = world.create(target, client=short_lived.client).headers["X-Docker-Token"]
                expiry = int(parse_token(token)["signature"].partition(".")[0])
                fresh = world.client.get(
                    f"/v1/repositories/{target}/images", headers=with_token(token)
                )
            if fresh.status_code == 200 or time.time() < expiry:
                break
        assert fresh.status_code == 200, fresh.text
        expires = max(expires, expiry)
        if not operation.management:
            world.ensure(target, exists=operation.needs_repository)
        world.expired[name] = (target, token)
    # The expiry is a whole second, rounded up: up to 2 s away for a 1-second lifetime.
    time.sleep(max(0.0, expires + 0.1 - time.time()))


def _credentials(world: World, caller: str, target: Target) -> dict[str, str]:
    if caller.startswith("pat_"):  # pat_other: a token of another's, as the owner's password
        return basic(world.owner.username, world.pats[caller])
    match caller:
        case "anonymous":
            return {}
        case "wrong_password":
            return basic(world.owner.username, world.owner.password + "-wrong")
        case "inactive":
            return {"Authorization": world.inactive.basic}
        case "another_user":
            return {"Authorization": world.another.basic}
        case "owner":
            return {"Authorization": world.owner.basic}
        case "admin":
            return {"Authorization": world.admin.basic}
        case "collaborator":
            return {"Authorization": world.collaborator.basic}
        case "read_token" | "write_token" | "delete_token":
            return with_token(world.token(target, caller.removesuffix("_token")))
        case "other_repo_token":
            return with_token(world.token(target.sibling(), "write"))
        case "forged_token":
            return with_token(forged_token(str(target), "write"))
        case "edited_token":
            return with_token(edited_token(world.token(target.sibling(), "write"), str(target)))
        case "earlier_token":
            token = world.token(target, "write")
            world.delete(target)
            world.create(target)
            return with_token(token)
    raise AssertionError(f"unknown caller {caller}")


def _management_credentials(world: World, caller: str, target: Target) -> dict[str, str]:
    """What each caller presents to the management API: see the module's docstring."""
    owner_token = world.sign_in(world.owner)
    match caller:
        case "another_user":
            return bearer(world.sign_in(world.another))
        case "owner":
            return bearer(owner_token)
        case "admin":
            return bearer(world.sign_in(world.admin))
        case "collaborator":
            return bearer(world.sign_in(world.collaborator))
        case "pat_read" | "pat_write" | "pat_admin":
            return bearer(world.sign_in(world.owner, world.pats[caller]))
        case "forged_token":
            return bearer(jwt.encode(_claims(owner_token), "not-the-key" * 3, algorithm="HS256"))
        case "edited_token":
            header, _, signature = owner_token.split(".")
            claims = {**_claims(world.sign_in(world.another)), "exp": _claims(owner_token)["exp"]}
            payload = jwt.encode(claims, "k" * 32, algorithm="HS256").split(".")[1]
            return bearer(f"{header}.{payload}.{signature}")
    return _credentials(world, caller, target)


def _claims(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _pat_label(world: World, uuid: str) -> list[tuple]:
    return query(world.database_url, "SELECT label FROM access_tokens WHERE uuid = :u", u=uuid)


@pytest.mark.parametrize(("operation_name", "caller", "expected"), CELLS)
def test_security_matrix(world: World, operation_name: str, caller: str, expected: int):
    operation = OPERATIONS[operation_name]
    if operation.kind.startswith("wh_"):
        _webhook_cell(world, operation_name, operation, caller, expected)
        return
    if operation.kind.startswith("pg_"):
        _page_cell(world, operation_name, operation, caller, expected)
        return
    if operation.kind.startswith("tag_") or operation.orphans:
        _tag_cell(world, operation_name, operation, caller, expected)
        return
    if operation.sharing:
        _sharing_cell(world, operation_name, caller, expected)
        return
    if operation.kind.startswith("audit_"):
        _audit_cell(world, operation_name, caller, expected)
        return
    if operation.management:
        _management_cell(world, operation, caller, expected)
        return
    if caller == "expired_token":
        target, token = world.expired[operation_name]
        headers = with_token(token)
    else:
        target = Target(world.namespace(operation, caller), _unique(f"{operation_name}-{caller}"))
        headers = _credentials(world, caller, target)
        world.ensure(target, exists=operation.needs_repository)
        if operation.needs_repository:
            world.share(target, private=operation.private)
    username = world.inactive.username if caller == "inactive" else world.owner.username
    new_image = secrets.token_hex(32)
    new_email = f"added.{secrets.token_hex(5)}@example.com"
    body: object = None
    if operation.kind in ("create", "images"):
        body = [{"id": new_image}]
    elif operation.kind == "update_user":
        body = {"email": new_email}

    audited = _AUDITED.get(operation.kind)
    events_before = _audit_events(world, target, audited) if audited else 0

    response = world.client.request(
        operation.method, operation.path(target, username), json=body, headers=headers
    )

    assert response.status_code == expected, (response.status_code, response.text)
    succeeded = expected < 300
    if succeeded:
        _assert_success_body(operation, response)
    else:
        assert_error(response, expected)
    _assert_effect(world, operation, target, username, new_image, new_email, succeeded)
    if audited:  # an accepted change has its audit event, a refused one none
        assert _audit_events(world, target, audited) == events_before + succeeded


# The audit event each repository write records (server.services.audit).
_AUDITED = {"create": "repo.create", "delete": "repo.delete", "images": "repo.tag.push"}


def _audit_events(world: World, target: Target, action: str) -> int:
    sql = "SELECT count(*) FROM audit_events WHERE name = :name AND action = :action"
    return int(query(world.database_url, sql, name=str(target), action=action)[0][0])


def _management_cell(world: World, operation: Operation, caller: str, expected: int) -> None:
    """One cell of a management operation: on a new access token of the owner's (update,
    delete), or making one (create); then whether it took effect."""
    target = Target(world.owner.username, world.new_pat(world.owner)["uuid"])
    if caller == "expired_token":
        headers = bearer(world.expired[operation.kind][1])  # named as its kind
    else:
        headers = _management_credentials(world, caller, target)
    label = _unique("label")
    body: object = None
    if operation.kind == "pat_create":
        body = {"token_label": label, "scopes": ["repo:read"]}
    elif operation.kind == "pat_update":
        body = {"token_label": label}

    response = world.client.request(
        operation.method, operation.path(target, world.owner.username), json=body, headers=headers
    )

    assert response.status_code == expected, (response.status_code, response.text)
    succeeded = expected < 300
    if not succeeded:
        assert_error(response, expected)
    made = query(world.database_url, "SELECT uuid FROM access_tokens WHERE label = :l", l=label)
    match operation.kind:
        case "pat_create":
            assert len(made) == (1 if succeeded else 0)
            if succeeded:
                assert response.json()["token"].startswith("hbi_pat_")
        case "pat_update":
            assert made == ([(target.name,)] if succeeded else [])
            if succeeded:
                assert response.json()["token_label"] == label
        case "pat_delete":
            assert (_pat_label(world, target.name) == []) is succeeded
            if succeeded:
                assert response.content == b""


def _audit_cell(world: World, operation_name: str, caller: str, expected: int) -> None:
    """One cell of reading the owner's audit log (or its list of actions): the owner and
    administrators read it, a signed token got with any of the owner's access tokens too; to
    anyone else the account is missing."""
    target = Target(world.owner.username, _unique(operation_name))
    if caller == "expired_token":
        headers = bearer(world.expired[operation_name][1])
    else:
        headers = _management_credentials(world, caller, target)
    suffix = "/actions" if operation_name == "audit_actions" else ""

    response = world.client.get(f"/v2/auditlogs/{world.owner.username}{suffix}", headers=headers)

    assert response.status_code == expected, (response.status_code, response.text)
    if expected >= 300:
        assert_error(response, expected)
    elif suffix:
        assert "repo.tag.push" in str(response.json()["actions"]["repo"])
    else:
        logs = response.json()["logs"]
        assert logs  # the owner's repositories were created, and it signed in
        assert {event["account"] for event in logs} == {world.owner.username}


def _sharing_cell(world: World, operation_name: str, caller: str, expected: int) -> None:
    """One cell of a sharing operation, on a new repository of the owner's (public, or made
    private), which the collaborator collaborates on; then whether it took effect."""
    operation = OPERATIONS[operation_name]
    target = Target(world.owner.username, _unique(operation_name))
    # Credentials first: a Docker token's may delete and create the target again.
    if caller == "expired_token":
        headers = bearer(world.expired[operation_name][1])
    else:
        headers = _management_credentials(world, caller, target)
    world.ensure(target, exists=True)
    world.share(target, private=operation.private)
    if operation.kind == "collab_remove":
        added = world.client.post(
            f"/v2/repositories/{target}/collaborators",
            json={"user": world.third.username},
            headers=bearer(world.sign_in(world.admin)),
        )
        assert added.status_code == 201, added.text
    body: object = None
    if operation.kind == "privacy":
        body = {"is_private": not operation.private}
    elif operation.kind == "collab_add":
        body = {"user": world.third.username}

    response = world.client.request(
        operation.method, operation.path(target, world.third.username), json=body, headers=headers
    )

    assert response.status_code == expected, (response.status_code, response.text)
    succeeded = expected < 300
    if not succeeded:
        assert_error(response, expected)
    anonymous = world.client.get(f"/v1/repositories/{target}/images").status_code
    collaborators = world.collaborators(target)
    match operation.kind:
        case "privacy":
            assert anonymous == (404 if operation.private != succeeded else 200)
            if succeeded:
                assert response.json()["is_private"] is not operation.private
        case "collab_list":
            assert anonymous == (404 if operation.private else 200)
            if succeeded:
                assert response.json()["results"] == [{"user": world.collaborator.username}]
        case "collab_add":
            assert (world.third.username in collaborators) is succeeded
        case "collab_remove":
            assert (world.third.username in collaborators) is not succeeded
            if succeeded:
                assert response.content == b""


def _assert_success_body(operation: Operation, response: httpx.Response) -> None:
    if operation.kind == "pull":
        assert isinstance(response.json(), list)
        return
    if operation.kind in ("images", "update_user"):
        assert response.content == b""
        return
    assert response.headers["Content-Type"] == "application/json"
    success = {"auth": "OK", "layer": {"access": False}}.get(operation.kind, "")
    assert response.json() == success


def _assert_effect(
    world: World,
    operation: Operation,
    target: Target,
    username: str,
    new_image: str,
    new_email: str,
    succeeded: bool,
) -> None:
    """A refused request changed nothing; an accepted one did what it says."""
    match operation.kind:
        case "create":
            assert world.exists(target) is succeeded
            if succeeded:
                assert new_image in listed_ids(world.listing(target))
        case "delete":
            assert world.exists(target) is not succeeded
        case "images":
            assert (new_image in listed_ids(world.listing(target))) is succeeded
        case "update_user":
            rows = query(
                world.database_url,
                "SELECT u.username FROM emails e JOIN users u ON u.id = e.user_id"
                " WHERE e.address = :address",
                address=new_email,
            )
            assert rows == ([(username,)] if succeeded else [])
        case "auth" | "layer" | "pull":
            assert world.exists(target)


HOOK_URL = "http://127.0.0.1:9/hook"  # the discard port: deliveries there fail, as they may


def _webhook_cell(
    world: World, name: str, operation: Operation, caller: str, expected: int
) -> None:
    """One cell of a webhook operation: on a new repository (of the owner's, or ``library``)
    with a webhook and a hook made by its manager first (except where the cell makes them);
    then whether it took effect."""
    namespace = LIBRARY if operation.library else world.owner.username
    target = Target(namespace, _unique(name))
    # The credentials first: a delete token deletes the repository it is made for.
    if caller == "expired_token":
        headers = bearer(world.expired[name][1])
    else:
        headers = _management_credentials(world, caller, target)
    world.ensure(target, exists=True)
    world.share(target, private=False)  # the collaborator collaborates: it still may not
    manager = bearer(world.sign_in(world.minter(target)))
    base = f"/v2/repositories/{target}/webhooks"
    webhook_id = hook_id = 0
    if operation.kind != "wh_create":
        made = world.client.post(base, json={"name": "matrix"}, headers=manager)
        assert made.status_code == 201, made.text
        webhook_id = made.json()["id"]
        hook = world.client.post(
            f"{base}/{webhook_id}/hooks", json={"hook_url": HOOK_URL}, headers=manager
        )
        assert hook.status_code == 201, hook.text
        hook_id = hook.json()["id"]
    label = _unique("hook")
    one = f"{base}/{webhook_id}"
    method, path, body = {
        "wh_list": ("GET", base, None),
        "wh_create": ("POST", base, {"name": label}),
        "wh_get": ("GET", one, None),
        "wh_delete": ("DELETE", one, None),
        "wh_create_hook": ("POST", f"{one}/hooks", {"hook_url": f"{HOOK_URL}/{label}"}),
        "wh_update_hook": ("PATCH", f"{one}/hooks/{hook_id}", {"active": False}),
        "wh_delete_hook": ("DELETE", f"{one}/hooks/{hook_id}", None),
        "wh_deliveries": ("GET", f"{one}/hooks/{hook_id}/deliveries", None),
        "wh_test_hook": ("POST", f"{one}/hooks/{hook_id}/test", None),
    }[operation.kind]
    assert method == operation.method

    response = world.client.request(method, path, json=body, headers=headers)

    assert response.status_code == expected, (response.status_code, response.text)
    succeeded = expected < 300
    if not succeeded:
        assert_error(response, expected)
    url = world.database_url
    match operation.kind:
        case "wh_create":
            made = query(url, "SELECT count(*) FROM webhooks WHERE name = :n", n=label)
            assert made == [(1 if succeeded else 0,)]
        case "wh_create_hook":
            made = query(
                url, "SELECT count(*) FROM webhook_hooks WHERE hook_url LIKE :u", u=f"%{label}"
            )
            assert made == [(1 if succeeded else 0,)]
            if succeeded:
                assert response.json()["secret"].startswith("hbi_whsec_")
        case "wh_update_hook":
            active = query(url, "SELECT active FROM webhook_hooks WHERE id = :i", i=hook_id)
            assert [bool(row[0]) for row in active] == [not succeeded]
        case "wh_delete_hook":
            left = query(url, "SELECT count(*) FROM webhook_hooks WHERE id = :i", i=hook_id)
            assert left == [(0 if succeeded else 1,)]
        case "wh_delete":
            left = query(url, "SELECT count(*) FROM webhooks WHERE id = :i", i=webhook_id)
            assert left == [(0 if succeeded else 1,)]
        case "wh_test_hook":
            tests = query(
                url,
                "SELECT count(*) FROM webhook_deliveries WHERE hook_id = :i AND event = 'test'",
                i=hook_id,
            )
            assert tests == [(1 if succeeded else 0,)]
        case "wh_list" | "wh_get" | "wh_deliveries":
            if succeeded:
                assert response.json()
            else:
                assert "results" not in response.json()


def _tag_cell(world: World, name: str, operation: Operation, caller: str, expected: int) -> None:
    """One cell of a tag operation, on a new repository of the owner's (public, or made
    private) pushed with the tag ``latest``, or of the orphans report (administrators'); then
    whether it took effect."""
    target = Target(world.owner.username, _unique(name))
    # The credentials first: a delete token deletes the repository it is made for.
    if caller == "expired_token":
        headers = bearer(world.expired[name][1])
    else:
        headers = _management_credentials(world, caller, target)
    world.ensure(target, exists=True)
    pushed = world.client.put(
        f"/v1/repositories/{target}/",
        json=[{"id": secrets.token_hex(32), "Tag": "latest"}],
        headers={"Authorization": world.owner.basic},
    )
    assert pushed.status_code == 200, pushed.text
    world.share(target, private=operation.private)
    method, path = {
        "tag_list": ("GET", f"/v2/namespaces/{target.namespace}/repositories/{target.name}/tags"),
        "tag_delete": ("DELETE", f"/v2/repositories/{target}/tags/latest/"),
        "orphans": ("GET", "/v2/images/orphans"),
    }[operation.kind]
    assert method == operation.method

    response = world.client.request(method, path, headers=headers)

    assert response.status_code == expected, (response.status_code, response.text)
    succeeded = expected < 300
    if not succeeded:
        assert_error(response, expected)
    left = query(
        world.database_url,
        "SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id"
        " WHERE r.namespace = :n AND r.name = :r",
        n=target.namespace,
        r=target.name,
    )
    match operation.kind:
        case "tag_list":
            assert left == [("latest",)]
            if succeeded:
                assert [tag["name"] for tag in response.json()["results"]] == ["latest"]
        case "tag_delete":
            assert left == ([] if succeeded else [("latest",)])
            if succeeded:
                assert response.content == b""
        case "orphans":
            assert ("results" in response.json()) is succeeded


def _page_cell(world: World, name: str, operation: Operation, caller: str, expected: int) -> None:
    """One cell of a repository page's operation (``pg_*``: its descriptions, deleting it on
    the management API, creating one, starring it) on a new repository of the owner's (public,
    or made private), which the collaborator collaborates on; then whether it took effect."""
    target = Target(world.owner.username, _unique(name))
    # The credentials first: a delete token deletes the repository it is made for.
    if caller == "expired_token":
        headers = bearer(world.expired[name][1])
    else:
        headers = _management_credentials(world, caller, target)
    creates = operation.kind == "pg_create"
    world.ensure(target, exists=not creates)
    if not creates:
        world.share(target, private=operation.private)
    label = _unique("page")
    url = world.database_url
    stars = "SELECT count(*) FROM repository_stars s JOIN repositories r ON r.id = s.repository_id"
    stars += " WHERE r.namespace = :ns AND r.name = :n"
    named = {"ns": target.namespace, "n": target.name}
    if operation.kind == "pg_unstar":  # the caller's own star first, where it may star
        world.client.post(f"/v2/repositories/{target}/stars", headers=headers)
    starred_before = query(url, stars, **named)
    method, path, body = {
        "pg_update": ("PATCH", f"/v2/repositories/{target}/", {"description": label}),
        "pg_delete": ("DELETE", f"/v2/repositories/{target}/", None),
        "pg_create": (
            "POST",
            f"/v2/namespaces/{target.namespace}/repositories",
            {"name": target.name},
        ),
        "pg_star": ("POST", f"/v2/repositories/{target}/stars/", None),
        "pg_unstar": ("DELETE", f"/v2/repositories/{target}/stars/", None),
    }[operation.kind]
    assert method == operation.method

    response = world.client.request(method, path, json=body, headers=headers)

    assert response.status_code == expected, (response.status_code, response.text)
    succeeded = expected < 300
    if not succeeded:
        assert_error(response, expected)
    match operation.kind:
        case "pg_update":
            described = query(
                url,
                "SELECT description FROM repositories WHERE namespace = :ns AND name = :n",
                **named,
            )
            assert described == [(label if succeeded else "",)]
        case "pg_delete":
            assert world.exists(target) is not succeeded
        case "pg_create":
            assert world.exists(target) is succeeded
            if succeeded:
                assert response.json()["permissions"]["admin"] is (caller != "pat_write")
        case "pg_star":
            assert query(url, stars, **named) == [(1 if succeeded else 0,)]
        case "pg_unstar":
            assert query(url, stars, **named) == ([(0,)] if succeeded else starred_before)
