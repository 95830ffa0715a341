"""Everything lives in the database: a restart, or a second process, sees the same index."""

from collections.abc import Callable

from tests.functional.support import (
    as_user,
    assert_json,
    check_token,
    checksum,
    get_images,
    listed,
    new_repository,
    put_images,
    search,
    token_for,
    with_token,
)
from tests.harness import Index


def test_accounts_repositories_and_images_survive_a_restart(index: Index):
    repository = new_repository(index, index.account(), images=2)
    known = checksum()
    entries = [{"id": repository.images[0], "checksum": known}]
    assert put_images(index, repository.path, as_user(repository.owner), entries).status_code == 204

    index.restart()

    assert_json(index.client.get("/v1/users/", auth=repository.owner.auth), 200, "OK")
    assert listed(get_images(index, repository.path)) == {
        repository.images[0]: known,
        repository.images[1]: None,
    }
    found = search(index, q=repository.name).json()["results"]
    assert [result["name"] for result in found] == [repository.path]


def test_tokens_issued_before_a_restart_still_work(index: Index):
    repository = new_repository(index, index.account())
    read = token_for(index, repository.path, "read")
    write = token_for(index, repository.path, "write", as_user(repository.owner))

    index.restart()

    assert get_images(index, repository.path, with_token(read)).status_code == 200
    assert_json(check_token(index, repository.path, with_token(write)), 200, "OK")
    assert put_images(index, repository.path, with_token(write), []).status_code == 204


def test_a_confirmation_link_mailed_before_a_restart_still_works(index: Index):
    account = index.account(active=False)
    link = index.mailbox.confirmation_link(account.email)

    index.restart()

    assert_json(index.client.get(link), 200, "Email confirmed")
    assert_json(index.client.get("/v1/users/", auth=account.auth), 200, "OK")


def test_two_processes_on_one_database_share_accounts_repositories_and_tokens(
    make_index: Callable[..., Index],
):
    first, second = make_index(), make_index()
    repository = new_repository(first, first.account())
    write = token_for(first, repository.path, "write", as_user(repository.owner))

    assert_json(second.client.get("/v1/users/", auth=repository.owner.auth), 200, "OK")
    assert set(listed(get_images(second, repository.path))) == set(repository.images)
    assert_json(check_token(second, repository.path, with_token(write)), 200, "OK")
    assert put_images(second, repository.path, with_token(write), []).status_code == 204
