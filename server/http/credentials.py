"""The credentials the authentication service checks, and the parsing of a Docker token's
text. Pure: nothing here checks one. Which header a credential is read from, and how, is the
spec's security schemes' (server/http/security.py, server/checkers.py).
"""

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


@dataclass(frozen=True, slots=True)
class BearerCredential:
    """``Authorization: Bearer <jwt>`` (or ``JWT <jwt>``): a signed token of the management
    API."""

    token: str = field(repr=False)


Credential = BasicCredential | TokenCredential | BearerCredential


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
