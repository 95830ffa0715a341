"""The errors a client can be told about: a client of the API, or the operator of a command.

Services raise these; they know nothing of HTTP. ``server.http.responses`` maps each class, along
its MRO, to a status code in one table. The ``hubindex`` command reports any of them as one
``hubindex: MESSAGE`` line and exit status 1.

    HubIndexError
    ├── InvalidRequest            the request is malformed or a value is invalid
    │   └── UserExists            registration of a taken username or email
    ├── AuthenticationFailed      credentials missing, malformed or wrong
    ├── PermissionDenied          authenticated, but not allowed to do this
    │   └── AccountInactive       the account has not confirmed its email yet
    ├── NotFound                  the user, repository or confirmation code does not exist
    ├── Conflict                  the change clashes with what exists (an address in use)
    │   └── RepositoryFull        the repository would hold more images than allowed
    ├── PayloadTooLarge           the body is larger than the server accepts
    ├── UnsupportedMediaType      the body is of a media type the operation does not take
    ├── TooManyRequests           too much lately from this client: try again after a while
    │   ├── TooManyFailedLogins   too many wrong passwords lately, for an account or an address
    │   └── TooManyAccountChanges too many registrations or new addresses from an address
    ├── Unavailable               the server cannot answer now: try again after a while
    │   ├── DatabaseBusy          the database's write lock or a connection could not be had in time
    │   ├── DatabaseUnavailable   the database failed (a lost connection, its connection limit)
    │   ├── Overloaded            too much password hashing waiting already
    │   └── BodiesBufferFull      too many request bodies held at once
    ├── BodyIncomplete            the client left before its body arrived in full
    ├── NotImplementedYet         the operation has no handler yet
    └── CommandError              a ``hubindex`` command cannot do what it was asked (never HTTP)
        ├── UsageError            a command-line value or setting does not fit the command
        └── BackupError           a backup or a restore cannot be made as asked

Each TooManyRequests and Unavailable says when to try again (``retry_after_seconds``).
"""


class HubIndexError(Exception):
    """Base of every error whose message a client may read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(HubIndexError):
    """The request is malformed, or a parameter or field is invalid."""


class UserExists(InvalidRequest):
    """The username or an email address is taken."""

    def __init__(self) -> None:
        super().__init__("Username or email already exists")


class AuthenticationFailed(HubIndexError):
    """Credentials are missing, malformed or wrong."""

    # The WWW-Authenticate challenges of the operation that refused, which the engine answering
    # it sets (server/http/challenges.py); none: the default one. Services leave it alone.
    challenges: tuple[str, ...] = ()


class PermissionDenied(HubIndexError):
    """The caller is known but may not do this."""


class AccountInactive(PermissionDenied):
    """The account exists but has not been activated."""

    def __init__(self) -> None:
        super().__init__("Account is not Active")


class NotFound(HubIndexError):
    """The user, repository or confirmation code does not exist."""


class Conflict(HubIndexError):
    """The change clashes with existing data, such as an email address of another account."""


class RepositoryFull(Conflict):
    """The repository would hold more images than the index allows; nothing was written."""

    def __init__(self, repository: object, images: int, limit: int) -> None:
        super().__init__(
            f"repository {repository} would hold {images} images: at most {limit} are allowed"
            " per repository (HUBINDEX_MAX_IMAGES_PER_REPOSITORY)"
        )


class PayloadTooLarge(HubIndexError):
    """The request body is larger than the configured limit."""


class UnsupportedMediaType(HubIndexError):
    """The request body's Content-Type is not one the operation accepts."""


class TooManyRequests(HubIndexError):
    """Too much of something lately from this client; it may try again after a while."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(f"{message}: try again in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class TooManyFailedLogins(TooManyRequests):
    """Too many wrong passwords for this account or from this address within the window."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("too many failed logins", retry_after_seconds)


class TooManyAccountChanges(TooManyRequests):
    """Too many registrations, or new email addresses, from this client address lately."""


class Unavailable(HubIndexError):
    """The server cannot answer this now; the same request may be sent again later."""

    retry_after_seconds = 1


class DatabaseBusy(Unavailable):
    """A lock or a connection of the database could not be had in time: SQLite's write lock
    held by another process, every pooled PostgreSQL connection in use. Nothing was changed;
    the same request may be sent again."""

    def __init__(self) -> None:
        super().__init__(f"the database is busy: try again in {self.retry_after_seconds} s")


class BodiesBufferFull(Unavailable):
    """Taking this request's body would pass the memory the process gives to request bodies
    at once (the bodies of other requests hold it). Nothing was changed; the same request may
    be sent again."""

    def __init__(self) -> None:
        super().__init__(
            "the server is receiving too many request bodies at once: try again in"
            f" {self.retry_after_seconds} s"
        )


class BodyIncomplete(HubIndexError):
    """The client went away (or was timed out) before its request body arrived in full: what
    did arrive is not acted on."""

    def __init__(self) -> None:
        super().__init__("the request body did not arrive in full")


class DatabaseUnavailable(Unavailable):
    """The database failed in a way no request causes: a connection lost (a backend
    terminated, a failover, the server gone) or not opened (its connection limit reached).
    ``retry_safe``: the unit of work that met it only read, or never began its transaction, so
    running the request again cannot repeat a change."""

    def __init__(self, reason: str, *, retry_safe: bool) -> None:
        super().__init__(f"the database is unavailable: try again in {self.retry_after_seconds} s")
        self.reason = reason
        self.retry_safe = retry_safe


class Overloaded(Unavailable):
    """Too much CPU-heavy work (new password hashes) is waiting already."""

    def __init__(self) -> None:
        super().__init__(f"the server is busy: try again in {self.retry_after_seconds} s")


class NotImplementedYet(HubIndexError):
    """The operation is in the spec but has no handler yet."""

    def __init__(self) -> None:
        super().__init__("not implemented")


class CommandError(HubIndexError):
    """A ``hubindex`` command cannot do what it was asked; its operator reads the message."""


class UsageError(CommandError):
    """A command-line value, or a setting, does not fit the command."""


class BackupError(CommandError):
    """A backup or a restore cannot be made as asked."""
