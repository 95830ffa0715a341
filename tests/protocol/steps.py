"""The requests a Docker 1.x client (and its registry) make, spelled as they send them."""

import json
from dataclasses import dataclass

import httpx

from tests.functional.support import TAKEN, WANT_TOKEN, assert_error, basic, parse_token
from tests.harness import Index


def register(index: Index, username: str, password: str, email: str) -> httpx.Response:
    """`docker login` first tries to register, with an empty `auth` field."""
    body = {"username": username, "password": password, "email": email, "auth": ""}
    return index.client.post("/v1/users/", json=body)


def login(index: Index, headers: dict[str, str]) -> httpx.Response:
    """`docker login` falls back to this when the account exists."""
    return index.client.get("/v1/users/", headers=headers)


def start_push(
    index: Index,
    path: str,
    headers: dict[str, str],
    image_ids: list[str],
    tags: dict[str, list[str]] | None = None,
) -> httpx.Response:
    """`docker push`: create the repository, list its images, ask for a token. ``tags``: the
    tags of each image pushed; the client sends one entry per tag of a tagged image and one
    without ``Tag`` for each other layer (Go's ``omitempty`` drops an empty one)."""
    return index.client.put(
        f"/v1/repositories/{path}/",
        json=image_index(image_ids, tags or {}),
        headers={**headers, **WANT_TOKEN},
    )


def image_index(image_ids: list[str], tags: dict[str, list[str]]) -> list[dict[str, str]]:
    """The image list the 1.x client's push sends (``registry.ImgData`` entries)."""
    entries = []
    for image in image_ids:
        named = tags.get(image, [])
        entries.extend([{"id": image, "Tag": tag} for tag in named] or [{"id": image}])
    return entries


def registry_checks(index: Index, path: str, headers: dict[str, str]) -> httpx.Response:
    """The registry checks the token it was handed by listing the images with it."""
    return index.client.get(f"/v1/repositories/{path}/images", headers=headers)


def registry_authorizes(index: Index, path: str, headers: dict[str, str]) -> httpx.Response:
    """Or by asking the index directly."""
    return index.client.put(f"/v1/repositories/{path}/auth", headers=headers)


def finish_push(
    index: Index, path: str, headers: dict[str, str], images: list[dict[str, str]] | None = None
) -> httpx.Response:
    """The last step of `docker push`: the client sends `[]`."""
    return index.client.put(f"/v1/repositories/{path}/images", json=images or [], headers=headers)


def start_pull(index: Index, path: str, headers: dict[str, str]) -> httpx.Response:
    """`docker pull`: list the images and ask for a read token."""
    return index.client.get(f"/v1/repositories/{path}/images", headers={**headers, **WANT_TOKEN})


def delete(index: Index, path: str, headers: dict[str, str]) -> httpx.Response:
    """Deleting a repository, asking for a token to remove the layers with."""
    return index.client.delete(f"/v1/repositories/{path}/", headers={**headers, **WANT_TOKEN})


def search(index: Index, term: str, **params: int) -> httpx.Response:
    return index.client.get("/v1/search", params={"q": term, **params})


def assert_outcome(response: httpx.Response, status: int) -> None:
    """``status``; an error has the one error shape and hands out no token."""
    if status >= 400:
        assert_error(response, status)
        assert "X-Docker-Token" not in response.headers, response.headers
    else:
        assert response.status_code == status, (response.status_code, response.text)


def assert_token(response: httpx.Response, repository: str, access: str) -> str:
    """The response hands out a token for ``repository`` with ``access``; returns it."""
    token = response.headers["X-Docker-Token"]
    parts = parse_token(token)
    assert (parts["repository"], parts["access"]) == (repository, access)
    assert response.headers["WWW-Authenticate"] == f"Token {token}"
    assert response.headers["X-Docker-Endpoints"]
    return token


# `docker login` as the 1.x clients' own registry package runs it --------------------------------


@dataclass(frozen=True)
class DockerClient:
    """One Docker 1.x release's login (``registry/auth.go``): the headers of its two requests.

    Its ``AuthConfig`` marshals as ``{"username","password","auth","email"}`` (username and
    password omitted when empty, ``serveraddress`` blanked then omitted), with Go's
    ``encoding/json``: no spaces, ``<``, ``>`` and ``&`` escaped.
    """

    version: str
    register_headers: dict[str, str]
    login_headers: dict[str, str]


_GO_HTTP = {"User-Agent": "Go 1.1 package http", "Accept-Encoding": "gzip"}
_DOCKER_1_9_1 = "docker/1.9.1 go/go1.4.3 git-commit/a34a1d5 kernel/4.2.0 os/linux arch/amd64"
_DOCKER_1_3_2 = "docker/1.3.2 go/go1.3.3 git-commit/39fa2fa kernel/3.16.0 os/linux arch/amd64"
_GO_JSON = {"Content-Type": "application/json; charset=utf-8"}

DOCKER_CLIENTS = [
    # 1.9.1 posts through the registry endpoint's client, which adds its User-Agent.
    DockerClient(
        "1.9.1",
        register_headers={**_GO_HTTP, "User-Agent": _DOCKER_1_9_1, **_GO_JSON},
        login_headers={**_GO_HTTP, "User-Agent": _DOCKER_1_9_1},
    ),
    # 1.3.2 posts with Go's plain http.Post; only the fallback GET is made by its factory.
    DockerClient(
        "1.3.2",
        register_headers={**_GO_HTTP, **_GO_JSON},
        login_headers={**_GO_HTTP, "User-Agent": _DOCKER_1_3_2},
    ),
]


@dataclass(frozen=True)
class DockerLogin:
    """What the client saw, step by step, and what it printed."""

    registration: httpx.Response
    login: httpx.Response | None
    outcome: str


def docker_login(
    index: Index, client: DockerClient, username: str, password: str, email: str
) -> DockerLogin:
    """`docker login -u USERNAME -p PASSWORD -e EMAIL` (``-e ""`` as the prompt allows):
    register, and on the exact "already exists" body only, log in with Basic."""
    fields = {"username": username, "password": password, "auth": "", "email": email}
    body = {name: value for name, value in fields.items() if value or name in ("auth", "email")}
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        content = content.replace(char, escape)
    registration = index.client.post(
        "/v1/users/", content=content.encode(), headers=client.register_headers
    )
    if registration.status_code == 201:
        return DockerLogin(registration, None, "Account created")
    if registration.status_code != 400:
        return DockerLogin(
            registration, None, f"Registration: unexpected {registration.status_code}"
        )
    if registration.content != TAKEN:
        return DockerLogin(registration, None, f"Registration: {registration.text}")
    login = index.client.get(
        "/v1/users/", headers={**client.login_headers, **basic(username, password)}
    )
    outcome = {
        200: "Login Succeeded",
        401: "Wrong login/password, please try again",
        403: "Login: Account is not Active",
    }.get(login.status_code, f"Login: {login.text} (Code: {login.status_code})")
    return DockerLogin(registration, login, outcome)
