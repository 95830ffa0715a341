"""The requests a Docker 1.x client (and its registry) make, spelled as they send them."""

import httpx

from tests.functional.support import WANT_TOKEN, assert_error, parse_token
from tests.harness import Index


def register(index: Index, username: str, password: str, email: str) -> httpx.Response:
    """`docker login` first tries to register, with an empty `auth` field."""
    body = {"username": username, "password": password, "email": email, "auth": ""}
    return index.client.post("/v1/users/", json=body)


def login(index: Index, headers: dict[str, str]) -> httpx.Response:
    """`docker login` falls back to this when the account exists."""
    return index.client.get("/v1/users/", headers=headers)


def start_push(
    index: Index, path: str, headers: dict[str, str], image_ids: list[str]
) -> httpx.Response:
    """`docker push`: create the repository, list its images, ask for a token."""
    return index.client.put(
        f"/v1/repositories/{path}/",
        json=[{"id": image} for image in image_ids],
        headers={**headers, **WANT_TOKEN},
    )


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
