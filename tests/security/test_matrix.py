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
"""

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
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
)

# fmt: off
#                      anon  wrong inact other owner admin read  write del   repo2 exp   forge edit
EXPECTED: dict[str, tuple[int, ...]] = {
    "create":         (401,  401,  403,  403,  200,  200,  401,  401,  401,  401,  401,  401,  401),
    "delete":         (401,  401,  403,  403,  202,  202,  401,  401,  401,  401,  401,  401,  401),
    "create_library": (401,  401,  403,  403,  403,  200,  401,  401,  401,  401,  401,  401,  401),
    "delete_library": (401,  401,  403,  403,  403,  202,  401,  401,  401,  401,  401,  401,  401),
    "images":         (401,  401,  403,  403,  204,  204,  403,  204,  403,  403,  401,  401,  401),
    "images_library": (401,  401,  403,  403,  403,  204,  403,  204,  403,  403,  401,  401,  401),
    "update_user":    (401,  401,  403,  403,  204,  204,  401,  401,  401,  401,  401,  401,  401),
    "auth":           (401,  401,  401,  401,  401,  401,  200,  200,  200,  403,  401,  401,  401),
    "auth_library":   (401,  401,  401,  401,  401,  401,  200,  200,  200,  403,  401,  401,  401),
}
# fmt: on
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


@dataclass(frozen=True)
class Operation:
    method: str
    kind: str  # create | delete | images | update_user | auth
    library: bool = False

    @property
    def needs_repository(self) -> bool:
        """Whether the target repository must exist before the request."""
        return self.kind != "create"

    def path(self, target: Target, username: str) -> str:
        if self.kind == "update_user":
            return f"/v1/users/{username}/"
        repository = target.name if self.library else str(target)
        suffix = {"create": "/", "delete": "/", "images": "/images", "auth": "/auth"}[self.kind]
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
}
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
    # operation -> its target, in the state the operation needs, and an expired write token
    expired: dict[str, tuple[Target, str]]

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
        response = self.client.get(f"/v1/repositories/{target}/images")
        assert response.status_code in (200, 404), response.text
        return response.status_code == 200

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

    def token(self, target: Target, access: str) -> str:
        """A genuine token for ``target`` (a delete token deletes it)."""
        self.ensure(target, exists=True)
        if access == "read":
            response = self.client.get(f"/v1/repositories/{target}/images", headers=WANT_TOKEN)
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
    index = Index(module_database_url, mailbox).start()
    short_lived = Index(module_database_url, mailbox, token_ttl_seconds=1).start()
    try:
        world = World(
            index=index,
            database_url=module_database_url,
            owner=index.account(),
            another=index.account(),
            inactive=index.account(active=False),
            admin=index.admin(),
            expired={},
        )
        _mint_expired_tokens(world, short_lived)
        yield world
    finally:
        short_lived.close()
        index.close()


def _mint_expired_tokens(world: World, short_lived: Index) -> None:
    """A write token of ``short_lived`` for each operation's expired_token target, then wait.

    Each token is shown to work before it expires, so that the cells prove expiry, not a bad
    token.
    """
    expires = 0
    for name, operation in OPERATIONS.items():
        target = Target(world.namespace(operation, "expired_token"), _unique(name))
        token = world.create(target, client=short_lived.client).headers["X-Docker-Token"]
        expires = max(expires, int(parse_token(token)["signature"].partition(".")[0]))
        fresh = world.client.get(f"/v1/repositories/{target}/images", headers=with_token(token))
        assert fresh.status_code == 200, fresh.text
        world.ensure(target, exists=operation.needs_repository)
        world.expired[name] = (target, token)
    # The expiry is a whole second, rounded up: up to 2 s away for a 1-second lifetime.
    time.sleep(max(0.0, expires + 0.1 - time.time()))


def _credentials(world: World, caller: str, target: Target) -> dict[str, str]:
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
        case "read_token" | "write_token" | "delete_token":
            return with_token(world.token(target, caller.removesuffix("_token")))
        case "other_repo_token":
            return with_token(world.token(target.sibling(), "write"))
        case "forged_token":
            return with_token(forged_token(str(target), "write"))
        case "edited_token":
            return with_token(edited_token(world.token(target.sibling(), "write"), str(target)))
    raise AssertionError(f"unknown caller {caller}")


@pytest.mark.parametrize(("operation_name", "caller", "expected"), CELLS)
def test_security_matrix(world: World, operation_name: str, caller: str, expected: int):
    operation = OPERATIONS[operation_name]
    if caller == "expired_token":
        target, token = world.expired[operation_name]
        headers = with_token(token)
    else:
        target = Target(world.namespace(operation, caller), _unique(f"{operation_name}-{caller}"))
        headers = _credentials(world, caller, target)
        world.ensure(target, exists=operation.needs_repository)
    username = world.inactive.username if caller == "inactive" else world.owner.username
    new_image = secrets.token_hex(32)
    new_email = f"added.{secrets.token_hex(5)}@example.com"
    body: object = None
    if operation.kind in ("create", "images"):
        body = [{"id": new_image}]
    elif operation.kind == "update_user":
        body = {"email": new_email}

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


def _assert_success_body(operation: Operation, response: httpx.Response) -> None:
    if operation.kind in ("images", "update_user"):
        assert response.content == b""
        return
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == ("OK" if operation.kind == "auth" else "")


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
                listing = world.client.get(f"/v1/repositories/{target}/images")
                assert new_image in listed_ids(listing)
        case "delete":
            assert world.exists(target) is not succeeded
        case "images":
            listing = world.client.get(f"/v1/repositories/{target}/images")
            assert (new_image in listed_ids(listing)) is succeeded
        case "update_user":
            rows = query(
                world.database_url,
                "SELECT u.username FROM emails e JOIN users u ON u.id = e.user_id"
                " WHERE e.address = :address",
                address=new_email,
            )
            assert rows == ([(username,)] if succeeded else [])
        case "auth":
            assert world.exists(target)
