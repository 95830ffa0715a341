"""Tokens handed out in `X-Docker-Token`: their shape, their headers, and what each grants."""

from collections.abc import Callable

import httpx
import pytest

from tests.functional.support import (
    as_user,
    assert_error,
    assert_json,
    assert_no_token_headers,
    check_token,
    create_repository,
    delete_repository,
    get_images,
    image_id,
    new_repository,
    parse_token,
    put_images,
    repository_name,
    token_for,
    with_token,
)
from tests.harness import Index, token_header


def _issue(index: Index, access: str, want_token: bool) -> tuple[httpx.Response, str]:
    """Answer of the operation that hands out ``access`` tokens, and the repository path."""
    repository = new_repository(index, index.account())
    owner = as_user(repository.owner)
    if access == "write":
        response = create_repository(index, repository.path, owner, want_token=want_token)
    elif access == "read":
        response = get_images(index, repository.path, want_token=want_token)
    else:
        response = delete_repository(index, repository.path, owner, want_token=want_token)
    return response, repository.path


@pytest.mark.parametrize("access", ["read", "write", "delete"])
def test_a_token_names_its_repository_and_access(index: Index, access: str):
    response, path = _issue(index, access, want_token=True)

    token = response.headers["X-Docker-Token"]
    assert parse_token(token) | {"signature": ""} == {
        "signature": "",
        "repository": path,
        "access": access,
    }
    assert response.headers["WWW-Authenticate"] == f"Token {token}"
    assert token_header(response) == f"Token {token}"


@pytest.mark.parametrize("access", ["read", "write", "delete"])
def test_without_asking_there_are_no_token_headers(index: Index, access: str):
    response, _ = _issue(index, access, want_token=False)
    assert response.status_code in (200, 202)
    assert_no_token_headers(response)


@pytest.mark.parametrize("access", ["read", "write", "delete"])
def test_endpoints_default_to_the_host_of_the_request(index: Index, access: str):
    response, _ = _issue(index, access, want_token=True)
    assert response.headers["X-Docker-Endpoints"] == f"127.0.0.1:{index.port}"


def test_endpoints_come_from_the_configuration(make_index: Callable[..., Index]):
    index = make_index(registry_endpoints=["reg.example:5000", "registry-2.example"])
    response, _ = _issue(index, "read", want_token=True)
    assert response.headers["X-Docker-Endpoints"] == "reg.example:5000,registry-2.example"


def test_the_signature_depends_on_the_access(index: Index):
    repository = new_repository(index, index.account())
    read = token_for(index, repository.path, "read")
    write = token_for(index, repository.path, "write", as_user(repository.owner))
    assert parse_token(read)["signature"] != parse_token(write)["signature"]


@pytest.mark.parametrize("access", ["read", "write"])
def test_the_listing_accepts_a_token_of_this_repository(index: Index, access: str):
    repository = new_repository(index, index.account())
    token = token_for(index, repository.path, access, as_user(repository.owner))
    response = get_images(index, repository.path, with_token(token))
    assert response.status_code == 200, response.text


def test_a_write_token_puts_images(index: Index):
    repository = new_repository(index, index.account())
    token = token_for(index, repository.path, "write", as_user(repository.owner))
    added = image_id()

    response = put_images(index, repository.path, with_token(token), [{"id": added}])

    assert response.status_code == 204, response.text
    assert added in {entry["id"] for entry in get_images(index, repository.path).json()}


@pytest.mark.parametrize("access", ["read", "write"])
def test_the_auth_check_says_ok_for_a_token_of_this_repository(index: Index, access: str):
    repository = new_repository(index, index.account())
    token = token_for(index, repository.path, access, as_user(repository.owner))
    assert_json(check_token(index, repository.path, with_token(token)), 200, "OK")


def test_a_read_token_never_writes(index: Index):
    repository = new_repository(index, index.account())
    token = token_for(index, repository.path, "read", as_user(repository.owner))
    assert_error(put_images(index, repository.path, with_token(token), [{"id": image_id()}]), 403)


def test_a_token_of_another_repository_is_a_403(index: Index):
    owner = index.account()
    mine, other = new_repository(index, owner), new_repository(index, owner)
    token = token_for(index, other.path, "write", as_user(owner))
    headers = with_token(token)

    assert_error(get_images(index, mine.path, headers), 403)
    assert_error(put_images(index, mine.path, headers, []), 403)
    assert_error(check_token(index, mine.path, headers), 403)


def test_the_auth_check_needs_a_token(index: Index):
    repository = new_repository(index, index.account())
    assert_error(check_token(index, repository.path, {}), 401)


def test_the_auth_check_of_a_deleted_repository_is_a_404(index: Index):
    repository = new_repository(index, index.account())
    token = token_for(index, repository.path, "delete", as_user(repository.owner))
    assert_error(check_token(index, repository.path, with_token(token)), 404)


def test_a_delete_token_is_valid_for_the_repository_of_that_name(index: Index):
    """Tokens name a repository: one for a repository deleted and created again still reads."""
    repository = new_repository(index, index.account())
    owner = as_user(repository.owner)
    token = token_for(index, repository.path, "delete", owner)
    assert create_repository(index, repository.path, owner).status_code == 200

    assert get_images(index, repository.path, with_token(token)).status_code == 200
    assert_json(check_token(index, repository.path, with_token(token)), 200, "OK")
    assert_error(put_images(index, repository.path, with_token(token), []), 403)


def test_a_library_token_says_library(index: Index):
    admin = index.admin()
    name = repository_name()
    response = create_repository(index, name, as_user(admin), want_token=True)
    assert parse_token(response.headers["X-Docker-Token"])["repository"] == f"library/{name}"
    read = token_for(index, f"library/{name}", "read")
    assert parse_token(read)["repository"] == f"library/{name}"
