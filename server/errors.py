"""The errors a client can be told about.

Services raise these; they know nothing of HTTP. ``server.http.responses`` maps each class, along
its MRO, to a status code in one table.

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
    ├── TooManyFailedLogins       too many wrong passwords lately, for an account or an address
    ├── DatabaseBusy              the database's write lock or a connection could not be had in time
    └── NotImplementedYet         the operation has no handler yet
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


class TooManyFailedLogins(HubIndexError):
    """Too many wrong passwords for this account or from this address within the window."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many failed logins: try again in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class DatabaseBusy(HubIndexError):
    """A lock or a connection of the database could not be had in time: SQLite's write lock
    held by another process, every pooled PostgreSQL connection in use. Nothing was changed;
    the same request may be sent again."""

    retry_after_seconds = 1

    def __init__(self) -> None:
        super().__init__(f"the database is busy: try again in {self.retry_after_seconds} s")


class BodiesBufferFull(HubIndexError):
    """Taking this request's body would pass the memory the process gives to request bodies
    at once (the bodies of other requests hold it). Nothing was changed; the same request may
    be sent again."""

    retry_after_seconds = 1

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


class NotImplementedYet(HubIndexError):
    """The operation is in the spec but has no handler yet."""

    def __init__(self) -> None:
        super().__init__("not implemented")
