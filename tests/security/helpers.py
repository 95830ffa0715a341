"""Small helpers of the security and robustness suites: credentials, tokens, assertions.

Nothing here keeps state: each helper acts on the index it is given.
"""

import base64
import re
import secrets
import time

import httpx
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from server.storage.engines import sync_engine
from tests.functional.support import basic, image_id  # noqa: F401 - shared with these suites

TOKEN = re.compile(
    r'^signature=(?P<signature>[^,"\s]+),repository="(?P<repository>[^"]+)",'
    r"access=(?P<access>read|write|delete)$"
)
WANT_TOKEN = {"X-Docker-Token": "true"}
TAKEN = b'"Username or email already exists"'


def repository_name(prefix: str = "repo") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def with_token(token: str) -> dict[str, str]:
    """``Authorization`` presenting a token as handed out in ``X-Docker-Token``."""
    return {"Authorization": f"Token {token}"}


def parse_token(token: str) -> dict[str, str]:
    match = TOKEN.match(token)
    assert match, f"not a token of the documented shape: {token!r}"
    return match.groupdict()


def make_token(signature: str, repository: str, access: str) -> str:
    return f'signature={signature},repository="{repository}",access={access}'


def forged_token(repository: str, access: str) -> str:
    """A token this index never signed, in the shape of its own (``<expiry>.<mac>``)."""
    mac = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return make_token(f"{int(time.time()) + 3600}.{mac}", repository, access)


def edited_token(token: str, repository: str) -> str:
    """A genuine token with its repository edited (the signature left as it was)."""
    parts = parse_token(token)
    return make_token(parts["signature"], repository, parts["access"])


def assert_error(response: httpx.Response, status: int) -> str:
    """``status`` with the one error shape ``{"error": "<text>"}``; the text."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers.get("Content-Type") == "application/json", response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) == {"error"}, body
    assert isinstance(body["error"], str), body
    assert body["error"], body
    if status == 401:
        expected = _challenges(response.request)
        assert response.headers.get("WWW-Authenticate") == expected, response.headers
    return body["error"]


def _challenges(request: httpx.Request) -> str:
    """A 401's WWW-Authenticate fields (httpx joins them by ", "): the operation's schemes."""
    path = request.url.path
    basic, token = 'Basic realm="hubindex"', 'Token realm="hubindex"'
    if path.startswith("/v2/"):  # bearerAuth or legacyJwt
        bearer = 'Bearer realm="hubindex"'
        if request.headers.get("Authorization", "").startswith("Bearer "):
            bearer += ', error="invalid_token"'  # presented and refused
        return f'{bearer}, JWT realm="hubindex"'
    if path.endswith(("/auth", "/access")):  # dockerToken only (the token and layer checks)
        return token
    if path.endswith("/images"):  # basicAuth or dockerToken
        return f"{basic}, {token}"
    return basic


def listed_ids(response: httpx.Response) -> set[str]:
    """The ids of an image listing, each entry checked for its shape."""
    assert response.status_code == 200, (response.status_code, response.text[:500])
    entries = response.json()
    assert isinstance(entries, list), entries
    ids = [entry["id"] for entry in entries]
    assert all(set(entry) <= {"id", "checksum"} for entry in entries), entries
    assert len(ids) == len(set(ids)), f"an id is listed twice: {ids}"
    return set(ids)


def query(database_url: str, sql: str, **parameters: object) -> list[tuple]:
    """Rows of one SQL query, on a connection of its own (closed before returning)."""
    engine = sync_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), parameters)]
    finally:
        engine.dispose()
