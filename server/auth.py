"""Who is calling, and what they may do to a repository. Pure: no I/O here."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from server.errors import AuthenticationFailed, NotFound, PermissionDenied

LIBRARY = "library"


class Access(StrEnum):
    READ = "read"
    WRITE = "write"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class RepositoryName:
    namespace: str
    name: str

    @classmethod
    def of(cls, namespace: str | None, name: str) -> "RepositoryName":
        """``namespace/name``; a repository without a namespace is in ``library``."""
        return cls(namespace or LIBRARY, name)

    @classmethod
    def parse(cls, text: str) -> "RepositoryName":
        namespace, slash, name = text.partition("/")
        return cls(namespace, name) if slash else cls(LIBRARY, text)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


class Scope(StrEnum):
    """A personal access token's scope; each allows what those below it allow."""

    PUBLIC_READ = "repo:public_read"
    READ = "repo:read"
    WRITE = "repo:write"
    ADMIN = "repo:admin"

    @property
    def rank(self) -> int:
        return _SCOPE_ORDER.index(self)

    @classmethod
    def highest(cls, scopes: "Iterable[str]") -> "Scope":
        return max((cls(scope) for scope in scopes), key=lambda scope: scope.rank)

    def allows(self, access: Access) -> bool:
        """Reading takes any scope (a private repository ``repo:read``: see
        :attr:`reads_private`); writing (creating a repository, pushing) ``repo:write``;
        deleting ``repo:admin``."""
        needed = {Access.READ: Scope.PUBLIC_READ, Access.WRITE: Scope.WRITE}.get(
            access, Scope.ADMIN
        )
        return self.rank >= needed.rank

    @property
    def reads_private(self) -> bool:
        return self.rank >= Scope.READ.rank


_SCOPE_ORDER = (Scope.PUBLIC_READ, Scope.READ, Scope.WRITE, Scope.ADMIN)


class Level(IntEnum):
    """What a grant allows on a repository: each level allows what those below it allow.
    ``read`` reads it even while private; ``write`` pushes to it; ``admin`` deletes it and
    changes its privacy and collaborators."""

    NONE = 0
    READ = 1
    WRITE = 2
    ADMIN = 3


_NEEDED = {Access.READ: Level.READ, Access.WRITE: Level.WRITE, Access.DELETE: Level.ADMIN}


@dataclass(frozen=True, slots=True)
class Standing:
    """What the access decision needs to know of one repository for one caller (a token: its
    holder), as read in one statement (server.services.permissions)."""

    exists: bool
    is_private: bool
    granted: Level  # the highest level the caller's grants give (owner, administrator, ...)

    @classmethod
    def public(cls, granted: Level = Level.NONE) -> "Standing":
        return cls(True, False, granted)


@dataclass(frozen=True, slots=True)
class Account:
    """A caller who presented a correct password for an active account, a personal access
    token of one (``scope`` and ``token`` then say which), or a signed token got with either."""

    user_id: int
    username: str
    is_admin: bool
    scope: Scope | None = None  # None: the account's password, which may do anything it may
    token: str | None = None  # the personal access token's uuid

    def limit_to_password(self, what: str) -> None:
        """Raise unless the account's own password (not an access token) was presented."""
        if self.scope is not None:
            raise PermissionDenied(f"an access token may not {what}")


@dataclass(frozen=True, slots=True)
class Grant:
    """A caller who presented a valid token: one access to one instance of one repository.

    ``deleted``: a delete token whose repository is gone; it still reads what that repository
    held when it was deleted (its tombstone), and allows nothing else."""

    repository: RepositoryName
    access: Access
    holder: int | None = None  # the account it was handed to (its id), None: to no one
    instance: int = 0  # the repository instance it was issued for (repositories.instance)
    deleted: bool = False
    scope: Scope | None = None  # the scope of the access token the holder presented, if any
    token: str | None = None  # that access token's uuid
    org_token: bool = False  # ``token`` is an organization access token's (no holder)


@dataclass(frozen=True, slots=True)
class OrgToken:
    """A caller who presented an organization access token as the password of its
    organization's name: it may do what the token's resources allow, and nothing else."""

    organization: str
    token: str  # the organization access token's uuid


Identity = Account | Grant | OrgToken | None  # None: anonymous

# The claim under which hubindex's security checkers (server/checkers.py) answer the Identity.
IDENTITY = "identity"


def caller_id(identity: Identity) -> int:
    """The account whose grants count for ``identity`` (a token: its holder); 0: none."""
    match identity:
        case Account():
            return identity.user_id
        case Grant():
            return identity.holder or 0
        case _:
            return 0


def org_token_of(identity: Identity) -> str | None:
    """The uuid of the organization access token whose resources decide for ``identity``."""
    match identity:
        case OrgToken():
            return identity.token
        case Grant() if identity.org_token:
            return identity.token
        case _:
            return None


def scope_of(identity: Identity) -> Scope | None:
    return identity.scope if isinstance(identity, Account | Grant) else None


def reads_private(identity: Identity) -> bool:
    """Whether ``identity`` may read private repositories it is granted (not with a
    ``repo:public_read`` access token)."""
    scope = scope_of(identity)
    return scope is None or scope.reads_private


def authorize(
    identity: Identity, repository: RepositoryName, access: Access, standing: Standing
) -> None:
    """Raise unless ``identity`` may have ``access`` to ``repository``, which stands as
    ``standing`` for it.

    Everyone may read a public repository; a private one only those granted ``read`` on it,
    and to everyone else it is missing: NotFound, as for a repository that does not exist
    (docs/security.md). Writing takes ``write``, deleting ``admin``: the owner of the
    namespace and administrators hold ``admin`` (``library``: administrators only),
    collaborators ``write``. A token allows what it names, for the repository it names, while
    its holder still holds the level it needs, and any valid token for a repository allows
    reading it (a registry checks tokens that way). An access token allows what its scope
    allows of what its account may do; an organization access token (and a token got with
    one) what its resources allow, which ``standing`` gives as the granted level.
    """
    match identity:
        case None if access is not Access.READ:
            raise AuthenticationFailed("authentication required")
        case Grant() if identity.repository != repository:
            raise PermissionDenied(f"the token is for {identity.repository}, not {repository}")
        case Grant() if identity.deleted and access is not Access.READ:
            raise PermissionDenied(f"the token is for a deleted repository {repository}")
        case Grant() if access is not Access.READ and identity.access is not access:
            raise PermissionDenied(f"a {identity.access} token does not allow {access}")
        case Grant() if identity.deleted:
            return  # a delete token reads its repository's tombstone
        case Account() if identity.scope is not None and not identity.scope.allows(access):
            raise PermissionDenied(
                f"an access token of scope {identity.scope} does not allow {access}"
            )
    needed = _NEEDED[access]
    if access is Access.READ:
        if standing.is_private and (standing.granted < needed or not reads_private(identity)):
            raise NotFound(f"repository {repository} not found")
        return
    if standing.granted < needed:
        raise _refusal(identity, repository, access)


def _refusal(identity: Identity, repository: RepositoryName, access: Access) -> PermissionDenied:
    """Why ``identity``, granted too little, may not have ``access`` to ``repository``."""
    match identity:
        case Grant():
            return PermissionDenied(f"the token's holder may no longer {access} {repository}")
        case Account() if repository.namespace == LIBRARY:
            return PermissionDenied("only administrators may change library repositories")
        case Account():
            return PermissionDenied(f"{identity.username} may not change {repository}")
        case _:
            return PermissionDenied(f"the organization access token does not allow {access}")


def authorize_level(identity: Identity, repository: RepositoryName, standing: Standing) -> Account:
    """Raise unless ``identity`` may administer ``repository`` (its privacy, its
    collaborators): an account with its password or a ``repo:admin`` access token, granted
    ``admin``. NotFound for a repository it may not read, or that does not exist."""
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    hidden = standing.is_private and (standing.granted < Level.READ or not reads_private(identity))
    if not standing.exists or hidden:
        raise NotFound(f"repository {repository} not found")
    if identity.scope is not None and identity.scope is not Scope.ADMIN:
        raise PermissionDenied(f"an access token of scope {identity.scope} may not do this")
    if standing.granted < Level.ADMIN:
        raise PermissionDenied(f"{identity.username} may not change {repository}")
    return identity


def authorize_account(identity: Identity, username: str) -> Account:
    """Raise unless ``identity`` is ``username`` itself or an administrator."""
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    if identity.username != username and not identity.is_admin:
        raise PermissionDenied(f"{identity.username} may not change {username}")
    identity.limit_to_password("change an account")
    return identity
