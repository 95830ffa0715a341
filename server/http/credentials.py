"""Parsing the ``Authorization`` header into a credential. Pure: nothing here checks one.

Whatever a client sends is either a credential or AuthenticationFailed (401, one line): the
header arrives as latin-1 text, so a Basic value may hold bytes base64 never does, and a
decoded username may hold control characters (a NUL is refused by PostgreSQL's text columns,
which the login throttle writes usernames into).
"""

import base64
import re
from dataclasses import dataclass, field

from server.errors import AuthenticationFailed


@dataclass(frozen=True, slots=True)
class BasicCredential:
    """``Authorization: Basic base64(username:password)``."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class TokenCredential:
    """``Authorization: Token signature=...,repository="ns/repo",access=...``."""

    signature: str = field(repr=False)
    repository: str
    access: str


Credential = BasicCredential | TokenCredential

# The security scheme names of the spec, and the credential each one stands for.
SCHEME_CREDENTIALS: dict[str, type[BasicCredential] | type[TokenCredential]] = {
    "basicAuth": BasicCredential,
    "dockerToken": TokenCredential,
}


def parse_authorization(value: str | None) -> Credential | None:
    """The credential in an ``Authorization`` header; None when there is no header."""
    if value is None:
        return None
    scheme, _, rest = value.strip().partition(" ")
    match scheme.lower():
        case "basic":
            return _parse_basic(rest.strip())
        case "token":
            return parse_token(rest.strip())
        case _:
            raise AuthenticationFailed("unsupported authorization scheme: use Basic or Token")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# No account's username is longer (the spec allows 30): a longer one is counted by the login
# throttle all the same, under its first 255 characters.
_MAX_USERNAME = 255


def _parse_basic(encoded: str) -> BasicCredential:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, a character outside ASCII, UnicodeDecodeError
        raise AuthenticationFailed("malformed Basic credentials") from None
    username, colon, password = decoded.partition(":")
    if not colon or not username:
        raise AuthenticationFailed("malformed Basic credentials")
    if _CONTROL.search(username) or len(username) > _MAX_USERNAME:
        raise AuthenticationFailed("malformed Basic credentials: the username is not one")
    return BasicCredential(username, password)


def parse_token(text: str) -> TokenCredential:
    """``signature=...,repository="ns/repo",access=...``, the form a token is handed out in."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, equals, raw = part.strip().partition("=")
        if not equals or key in fields:
            raise AuthenticationFailed("malformed Token credentials")
        fields[key] = raw.strip().strip('"')
    try:
        return TokenCredential(fields["signature"], fields["repository"], fields["access"])
    except KeyError:
        raise AuthenticationFailed("malformed Token credentials") from None


def presented_credential(
    security: tuple[tuple[str, ...], ...], authorization: str | None
) -> Credential | None:
    """The credential an operation with ``security`` (alternatives of scheme names, as in the
    spec; an empty one: anonymous allowed) is called with; AuthenticationFailed when it needs
    one and has none, or has one of a scheme it does not accept, or a malformed one.

    Pure and cheap, so that it can be asked before the request's body is read: whether the
    credential is right is for the services to say."""
    if not security:
        return None
    credential = parse_authorization(authorization)
    if credential is None:
        if () not in security:
            raise AuthenticationFailed("authentication required")
    elif not any(isinstance(credential, SCHEME_CREDENTIALS[s]) for o in security for s in o):
        kind = type(credential).__name__.removesuffix("Credential")
        raise AuthenticationFailed(f"{kind} credentials are not accepted here")
    return credential
