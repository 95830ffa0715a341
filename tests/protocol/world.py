"""The cast of a protocol test, made on demand, and the credentials the failure tables name.

Tables name repositories as ``alice/repo`` (exists), ``alice/new`` (does not), ``repo`` and
``library/repo`` (a library repository), ``new`` (a library name that does not exist), with
``alice``, ``bob``, ``inactive`` and ``library`` as namespaces. ``World.path`` turns these into
real paths; only the accounts and repositories a row names are made.
"""

from collections.abc import Callable
from functools import cached_property

from tests.functional.support import (
    as_user,
    basic,
    create_repository,
    forged_token,
    repository_name,
    tamper_signature,
    token_for,
    with_access,
    with_repository,
    with_token,
)
from tests.harness import Account, Index

EXISTING = "repo"
MISSING = "new"


class World:
    def __init__(self, index: Index) -> None:
        self.index = index
        self._names = {EXISTING: repository_name("repo"), MISSING: repository_name("new")}
        self._made: set[str] = set()
        self._tokens: dict[tuple[str, str], str] = {}

    @cached_property
    def alice(self) -> Account:
        return self.index.account()

    @cached_property
    def bob(self) -> Account:
        return self.index.account()

    @cached_property
    def inactive(self) -> Account:
        return self.index.account(active=False)

    @cached_property
    def admin(self) -> Account:
        return self.index.admin()

    def account(self, name: str) -> Account:
        assert name in ("alice", "bob", "inactive", "admin"), name
        return getattr(self, name)

    # Repositories -------------------------------------------------------------------------------

    def path(self, target: str) -> str:
        """The request path of ``target``; an existing one is created first."""
        namespace, _, name = target.rpartition("/")
        real_name = self._names[name]
        path = f"{self._namespace(namespace)}/{real_name}" if namespace else real_name
        if name == EXISTING and target not in self._made:
            self._create(namespace or "library", path)
            self._made.add(target)
        return path

    def full_name(self, target: str) -> str:
        """``namespace/repository`` of ``target``, as tokens and search name it."""
        namespace, _, name = target.rpartition("/")
        return f"{self._namespace(namespace or 'library')}/{self._names[name]}"

    def owner(self, target: str) -> Account:
        """Who may write ``target``: its namespace's account, or an admin."""
        namespace = target.rpartition("/")[0] or "library"
        if namespace in ("library", "inactive"):
            return self.admin
        return self.account(namespace)

    def _namespace(self, namespace: str) -> str:
        return "library" if namespace == "library" else self.account(namespace).username

    def _create(self, namespace: str, path: str) -> None:
        creator = self.admin if namespace in ("library", "inactive") else self.account(namespace)
        response = create_repository(self.index, path, as_user(creator), [])
        assert response.status_code == 200, response.text

    # Tokens -------------------------------------------------------------------------------------

    def token(self, target: str, access: str) -> str:
        """A valid token for ``target`` (which exists afterwards, even for ``delete``)."""
        key = (target, access)
        if key not in self._tokens:
            path, owner = self.path(target), as_user(self.owner(target))
            self._tokens[key] = token_for(self.index, path, access, owner)
            if access == "delete":  # the repository of that name exists again
                assert create_repository(self.index, path, owner).status_code == 200
        return self._tokens[key]


Credentials = Callable[[World, str], dict[str, str]]

# What a table row may present, given the world and the row's target.
CREDENTIALS: dict[str, Credentials] = {
    "anonymous": lambda world, target: {},
    "alice": lambda world, target: as_user(world.alice),
    "bob": lambda world, target: as_user(world.bob),
    "inactive": lambda world, target: as_user(world.inactive),
    "admin": lambda world, target: as_user(world.admin),
    "wrong password": lambda world, target: basic(world.alice.username, "wrong-password"),
    "unknown user": lambda world, target: basic("nobody_here", "some-password"),
    "read token": lambda world, target: with_token(world.token(target, "read")),
    "write token": lambda world, target: with_token(world.token(target, "write")),
    "delete token": lambda world, target: with_token(world.token(target, "delete")),
    "token of another repository": lambda world, target: with_token(
        world.token("bob/repo", "write")
    ),
    "forged token": lambda world, target: with_token(forged_token(world.full_name(target))),
    "tampered token": lambda world, target: with_token(
        tamper_signature(world.token(target, "write"))
    ),
    "token with its repository edited": lambda world, target: with_token(
        with_repository(world.token("bob/repo", "write"), world.full_name(target))
    ),
    "read token edited to write": lambda world, target: with_token(
        with_access(world.token(target, "read"), "write")
    ),
    "malformed token": lambda world, target: {"Authorization": "Token not-a-token"},
}


def credentials(world: World, who: str, target: str) -> dict[str, str]:
    return CREDENTIALS[who](world, target)
