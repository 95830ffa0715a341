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
    forged_token,
    get_images,
    image_id,
    listed,
    new_repository,
    next_answer,
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


def test_a_delete_token_checks_after_the_deletion_and_reads_what_was_deleted(index: Index):
    """The registry checks the delete token after the index deleted the repository: it is
    answered the list, so that it knows which layers to remove."""
    repository = new_repository(index, index.account(), images=3)
    held = listed(get_images(index, repository.path))
    token = token_for(index, repository.path, "delete", as_user(repository.owner))

    assert listed(get_images(index, repository.path, with_token(token))) == held
    assert_json(check_token(index, repository.path, with_token(token)), 200, "OK")
    assert_error(get_images(index, repository.path), 404)
    forged = with_token(forged_token(repository.path))
    assert_error(check_token(index, repository.path, forged), 401)


def test_the_tombstone_allows_nothing_but_reading_it(index: Index):
    repository = new_repository(index, index.account())
    owner = as_user(repository.owner)
    token = token_for(index, repository.path, "delete", owner)
    assert_error(put_images(index, repository.path, with_token(token), []), 403)
    # The answer carries no new token: a tombstone hands out nothing.
    answer = get_images(index, repository.path, with_token(token), want_token=True)
    assert answer.status_code == 200, answer.text
    assert_no_token_headers(answer)


def test_a_delete_token_keeps_reading_the_deleted_list_after_the_name_is_taken_again(
    index: Index,
):
    repository = new_repository(index, index.account())
    owner = as_user(repository.owner)
    token = token_for(index, repository.path, "delete", owner)
    fresh = image_id()
    assert create_repository(index, repository.path, owner, [{"id": fresh}]).status_code == 200

    assert set(listed(get_images(index, repository.path, with_token(token)))) == set(
        repository.images
    )
    assert set(listed(get_images(index, repository.path))) == {fresh}
    assert_error(put_images(index, repository.path, with_token(token), []), 403)


def test_a_deleted_repository_without_a_delete_token_leaves_no_tombstone(index: Index):
    repository = new_repository(index, index.account())
    owner = as_user(repository.owner)
    read = token_for(index, repository.path, "read", owner)
    assert delete_repository(index, repository.path, owner).status_code == 202
    assert_error(get_images(index, repository.path, with_token(read)), 404)
    assert_error(check_token(index, repository.path, with_token(read)), 404)


@pytest.mark.parametrize("access", ["read", "write"])
def test_a_token_does_not_work_for_a_later_repository_of_the_same_name(index: Index, access: str):
    repository = new_repository(index, index.account())
    owner = as_user(repository.owner)
    token = token_for(index, repository.path, access, owner)
    assert delete_repository(index, repository.path, owner).status_code == 202
    assert create_repository(index, repository.path, owner).status_code == 200

    headers = with_token(token)
    assert_error(get_images(index, repository.path, headers), 401)
    assert_error(check_token(index, repository.path, headers), 401)
    assert_error(put_images(index, repository.path, headers, [{"id": image_id()}]), 401)
    assert listed(get_images(index, repository.path)) == {}


def test_a_password_change_ends_the_tokens_handed_out_before(index: Index):
    repository = new_repository(index, index.account())
    owner = as_user(repository.owner)
    write = token_for(index, repository.path, "write", owner)
    read = token_for(index, repository.path, "read", owner)
    anonymous = token_for(index, repository.path, "read")
    user = f"/v1/users/{repository.owner.username}/"
    changed = index.client.put(user, json={"password": "another-s3cret"}, headers=owner)
    assert changed.status_code == 204, changed.text

    for token in (write, read):
        assert_error(get_images(index, repository.path, with_token(token)), 401)
        assert_error(check_token(index, repository.path, with_token(token)), 401)
    assert_error(put_images(index, repository.path, with_token(write), []), 401)
    # An anonymous reader's token has no holder whose password could change.
    assert get_images(index, repository.path, with_token(anonymous)).status_code == 200


def test_tokens_name_their_caller(index: Index):
    repository = new_repository(index, index.account())
    stranger = index.account()
    tokens = {
        token_for(index, repository.path, "read"),
        token_for(index, repository.path, "read", as_user(repository.owner)),
        token_for(index, repository.path, "read", as_user(stranger)),
    }
    assert len({parse_token(token)["signature"] for token in tokens}) == 3


def test_a_library_token_says_library(index: Index):
    admin = index.admin()
    name = repository_name()
    response = create_repository(index, name, as_user(admin), want_token=True)
    assert parse_token(response.headers["X-Docker-Token"])["repository"] == f"library/{name}"
    read = token_for(index, f"library/{name}", "read")
    assert parse_token(read)["repository"] == f"library/{name}"


def test_a_revocation_in_one_server_stops_the_token_in_another(
    make_index: Callable[..., Index],
):
    """A write is refused by the other server at once (it checks fresh); a read, within the
    change feed's delay on PostgreSQL (see next_answer), at once on SQLite."""
    issuer, other = make_index(), make_index()
    repository = new_repository(issuer, issuer.account())
    owner = as_user(repository.owner)
    write = token_for(issuer, repository.path, "write", owner)
    headers = with_token(write)
    assert get_images(other, repository.path, headers).status_code == 200  # kept by other
    user = f"/v1/users/{repository.owner.username}/"
    changed = issuer.client.put(user, json={"password": "a-new-s3cret"}, headers=owner)
    assert changed.status_code == 204, changed.text

    assert_error(put_images(other, repository.path, headers, [{"id": image_id()}]), 401)
    answer = next_answer(
        other, lambda: get_images(other, repository.path, headers), lambda r: r.status_code == 401
    )
    assert_error(answer, 401)


def test_a_delete_and_create_in_one_server_stops_the_old_token_in_another(
    make_index: Callable[..., Index],
):
    issuer, other = make_index(), make_index()
    repository = new_repository(issuer, issuer.account())
    owner = as_user(repository.owner)
    write = token_for(issuer, repository.path, "write", owner)
    assert get_images(other, repository.path, with_token(write)).status_code == 200
    deleted = delete_repository(issuer, repository.path, owner, want_token=True)
    assert deleted.status_code == 202
    assert create_repository(issuer, repository.path, owner).status_code == 200

    assert_error(put_images(other, repository.path, with_token(write), []), 401)
    answer = next_answer(
        other,
        lambda: get_images(other, repository.path, with_token(write)),
        lambda r: r.status_code == 401,
    )
    assert_error(answer, 401)
    # The delete token, handed out by the issuer, reads the tombstone through the other.
    tombstone = get_images(other, repository.path, with_token(deleted.headers["X-Docker-Token"]))
    assert set(listed(tombstone)) == set(repository.images)
