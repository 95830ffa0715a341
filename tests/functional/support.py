"""Small helpers for functional and protocol tests: names, requests and assertions.

Nothing here keeps state: every helper makes what the calling test asks for, on its index.
"""

import base64
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tests.harness import Account, Index

TOKEN = re.compile(
    r"^signature=(?P<signature>[A-Za-z0-9._~+/=-]+),"
    r'repository="(?P<repository>[a-z0-9_]+/[a-z0-9._-]+)",'
    r"access=(?P<access>read|write|delete)$"
)
WANT_TOKEN = {"X-Docker-Token": "true"}
TOKEN_HEADERS = ("X-Docker-Token", "WWW-Authenticate", "X-Docker-Endpoints")
TAKEN = b'"Username or email already exists"'


def image_id() -> str:
    """A fresh v1 image id: 64 lower-case hex digits."""
    return secrets.token_hex(32)


def checksum() -> str:
    return "sha256:" + secrets.token_hex(32)


def repository_name(prefix: str = "repo") -> str:
    """A fresh repository name (no namespace)."""
    return f"{prefix}{secrets.token_hex(4)}"


def basic(username: str, password: str) -> dict[str, str]:
    """``Authorization`` header for HTTP Basic with these credentials."""
    value = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


def as_user(account: Account) -> dict[str, str]:
    return {"Authorization": account.basic}


def with_token(token: str) -> dict[str, str]:
    """``Authorization`` header presenting a token as handed out in ``X-Docker-Token``."""
    return {"Authorization": f"Token {token}"}


# Requests -------------------------------------------------------------------------------------


def create_repository(
    index: Index,
    path: str,
    headers: dict[str, str],
    images: list[dict[str, str]] | None = None,
    *,
    want_token: bool = False,
) -> httpx.Response:
    """``PUT /v1/repositories/{path}/``; ``path`` is ``ns/repo`` or a library ``repo``."""
    extra = WANT_TOKEN if want_token else {}
    return index.client.put(
        f"/v1/repositories/{path}/", json=images or [], headers={**headers, **extra}
    )


def delete_repository(
    index: Index, path: str, headers: dict[str, str], *, want_token: bool = False
) -> httpx.Response:
    extra = WANT_TOKEN if want_token else {}
    return index.client.delete(f"/v1/repositories/{path}/", headers={**headers, **extra})


def get_images(
    index: Index, path: str, headers: dict[str, str] | None = None, *, want_token: bool = False
) -> httpx.Response:
    extra = WANT_TOKEN if want_token else {}
    return index.client.get(f"/v1/repositories/{path}/images", headers={**(headers or {}), **extra})


def put_images(
    index: Index, path: str, headers: dict[str, str], images: list[dict[str, str]]
) -> httpx.Response:
    return index.client.put(f"/v1/repositories/{path}/images", json=images, headers=headers)


def check_token(index: Index, path: str, headers: dict[str, str]) -> httpx.Response:
    """``PUT /v1/repositories/{path}/auth``, as a registry checks a token it was handed."""
    return index.client.put(f"/v1/repositories/{path}/auth", headers=headers)


def search(
    index: Index, headers: dict[str, str] | None = None, **params: str | int
) -> httpx.Response:
    return index.client.get("/v1/search", params=params, headers=headers or {})


@dataclass
class Repository:
    """A repository that exists, with the account that owns it."""

    owner: Account
    name: str
    images: list[str]

    @property
    def path(self) -> str:
        return f"{self.owner.username}/{self.name}"


def next_answer(
    reader: Index, ask: Callable[[], httpx.Response], shows: Callable[[httpx.Response], bool]
) -> httpx.Response:
    """The answer to ``ask`` after another server's write: on SQLite the very next one (a
    commit moves every connection's data_version); on PostgreSQL the first that ``shows`` the
    write within 5 s, since the change feed's announcement arrives usually before the writer's
    commit returns and under load now and then a few ms after (docs/operating.md). The
    deadline only bounds a failing test."""
    response = ask()
    deadline = time.monotonic() + 5
    while reader.database_url.startswith("postgresql") and not shows(response):
        if time.monotonic() > deadline:
            break
        time.sleep(0.001)
        response = ask()
    return response


def new_repository(index: Index, owner: Account, images: int = 1) -> Repository:
    """A fresh repository of ``owner`` with ``images`` new image ids."""
    repository = Repository(owner, repository_name(), [image_id() for _ in range(images)])
    response = create_repository(
        index, repository.path, as_user(owner), [{"id": i} for i in repository.images]
    )
    assert response.status_code == 200, response.text
    return repository


def token_for(index: Index, path: str, access: str, headers: dict[str, str] | None = None) -> str:
    """A fresh token for the existing repository ``path`` with this access.

    ``read`` pulls (anonymously unless ``headers``); ``write`` repeats the repository PUT;
    ``delete`` deletes the repository, so it no longer exists afterwards.
    """
    if access == "read":
        response = get_images(index, path, headers, want_token=True)
        expected = 200
    else:
        assert headers is not None, "write and delete tokens need credentials"
        if access == "write":
            response = create_repository(index, path, headers, want_token=True)
            expected = 200
        else:
            response = delete_repository(index, path, headers, want_token=True)
            expected = 202
    assert response.status_code == expected, response.text
    token = response.headers["X-Docker-Token"]
    assert parse_token(token)["access"] == access
    return token


# Tokens ---------------------------------------------------------------------------------------


def parse_token(token: str) -> dict[str, str]:
    match = TOKEN.match(token)
    assert match, f"not a token of the documented shape: {token!r}"
    return match.groupdict()


def make_token(signature: str, repository: str, access: str) -> str:
    return f'signature={signature},repository="{repository}",access={access}'


def tamper_signature(token: str) -> str:
    """The token with one character of its signature changed."""
    parts = parse_token(token)
    signature = parts["signature"]
    middle = len(signature) // 2
    replacement = "A" if signature[middle] != "A" else "B"
    tampered = signature[:middle] + replacement + signature[middle + 1 :]
    return make_token(tampered, parts["repository"], parts["access"])


def with_repository(token: str, repository: str) -> str:
    """The token with its ``repository`` edited (the signature left as it was)."""
    parts = parse_token(token)
    return make_token(parts["signature"], repository, parts["access"])


def with_access(token: str, access: str) -> str:
    """The token with its ``access`` edited (the signature left as it was)."""
    parts = parse_token(token)
    return make_token(parts["signature"], parts["repository"], access)


def forged_token(repository: str, access: str = "write") -> str:
    """A token of the right shape that this index never signed."""
    signature = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return make_token(signature, repository, access)


# Assertions -----------------------------------------------------------------------------------


def assert_error(response: httpx.Response, status: int, message: str | None = None) -> None:
    """``status`` with the one error shape; a 401 also carries a challenge."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"] == "application/json", response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) == {"error"}, body
    assert isinstance(body["error"], str), body
    assert body["error"], body
    if message is not None:
        assert body["error"] == message
    if status == 401:
        assert response.headers.get("WWW-Authenticate"), response.headers


def assert_inactive(response: httpx.Response) -> None:
    assert_error(response, 403, "Account is not Active")


def assert_json(response: httpx.Response, status: int, body: object) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"] == "application/json", response.headers
    assert response.json() == body


def assert_taken(response: httpx.Response) -> None:
    """The registration answer Docker clients compare byte for byte."""
    assert response.status_code == 400, response.text
    assert response.content == TAKEN


def assert_no_token_headers(response: httpx.Response) -> None:
    present = [name for name in TOKEN_HEADERS if name in response.headers]
    assert present == [], present


def listed(response: httpx.Response) -> dict[str, str | None]:
    """An image listing as ``{id: checksum or None}``; checks each entry's shape."""
    assert response.status_code == 200, response.text
    entries = response.json()
    assert isinstance(entries, list), entries
    result: dict[str, str | None] = {}
    for entry in entries:
        assert set(entry) in ({"id"}, {"id", "checksum"}), entry
        assert entry["id"] not in result, f"{entry['id']} listed twice"
        result[entry["id"]] = entry.get("checksum")
    return result
