"""Who is calling, and what they may do to a repository. Pure: no I/O here."""

from dataclasses import dataclass
from enum import StrEnum

from server.errors import AuthenticationFailed, PermissionDenied

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


@dataclass(frozen=True, slots=True)
class Account:
    """A caller who presented a correct password for an active account."""

    user_id: int
    username: str
    is_admin: bool


@dataclass(frozen=True, slots=True)
class Grant:
    """A caller who presented a valid token: one access to one repository."""

    repository: RepositoryName
    access: Access
    holder: int | None = None  # the account it was handed to (its id), None: to no one


Identity = Account | Grant | None  # None: anonymous

# The claim under which hubindex's security checkers (server/checkers.py) answer the Identity.
IDENTITY = "identity"


def authorize(identity: Identity, repository: RepositoryName, access: Access) -> None:
    """Raise unless ``identity`` may have ``access`` to ``repository``.

    Everyone may read (every repository is public). An account may write to and delete its
    own namespace; an administrator, any namespace, ``library`` included. A token allows what
    it names, for the repository it names, and any valid token for a repository allows reading
    it (a registry checks tokens that way).
    """
    match identity:
        case None if access is Access.READ:
            return
        case None:
            raise AuthenticationFailed("authentication required")
        case Grant() if identity.repository != repository:
            raise PermissionDenied(f"the token is for {identity.repository}, not {repository}")
        case Grant() if access is not Access.READ and identity.access is not access:
            raise PermissionDenied(f"a {identity.access} token does not allow {access}")
        case Grant():
            return
        case Account() if access is Access.READ or identity.is_admin:
            return
        case Account() if repository.namespace == LIBRARY:
            raise PermissionDenied("only administrators may change library repositories")
        case Account() if repository.namespace != identity.username:
            raise PermissionDenied(f"{identity.username} may not change {repository}")


def authorize_account(identity: Identity, username: str) -> Account:
    """Raise unless ``identity`` is ``username`` itself or an administrator."""
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    if identity.username != username and not identity.is_admin:
        raise PermissionDenied(f"{identity.username} may not change {username}")
    return identity
