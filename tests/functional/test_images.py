"""The image list of a repository: listing it and merging into it.

Who may do it, with which credentials, is tabled step by step in `tests/protocol/`.
"""

from collections.abc import Callable
from typing import Any

import pytest

from server.handlers.images import CACHED_CHECKSUMS_MAX
from server.storage.database import Database
from tests.functional.support import (
    as_user,
    assert_error,
    checksum,
    create_repository,
    delete_repository,
    get_images,
    image_id,
    listed,
    new_repository,
    next_answer,
    put_images,
    repository_name,
)
from tests.harness import Index


def _assert_204(response: Any) -> None:
    assert response.status_code == 204, response.text
    assert response.content == b""


@pytest.mark.parametrize("suffix", ["images", "images/"])
def test_the_listing_has_every_id_of_the_push_without_a_checksum_yet(index: Index, suffix: str):
    repository = new_repository(index, index.account(), images=3)

    response = index.client.get(f"/v1/repositories/{repository.path}/{suffix}")

    assert response.headers["Content-Type"] == "application/json"
    assert listed(response) == dict.fromkeys(repository.images)


def test_anyone_may_list_the_images(index: Index):
    repository = new_repository(index, index.account())
    for headers in ({}, as_user(repository.owner), as_user(index.account())):
        assert set(listed(get_images(index, repository.path, headers))) == set(repository.images)


def test_an_unknown_repository_has_no_listing(index: Index):
    owner = index.account()
    assert_error(get_images(index, f"{owner.username}/{repository_name()}"), 404)


@pytest.mark.parametrize("suffix", ["images", "images/"])
def test_a_put_records_checksums_and_adds_new_ids(index: Index, suffix: str):
    repository = new_repository(index, index.account(), images=2)
    first, second = repository.images
    added, first_sum, added_sum = image_id(), checksum(), checksum()
    entries = [{"id": first, "checksum": first_sum}, {"id": added, "checksum": added_sum}]

    response = index.client.put(
        f"/v1/repositories/{repository.path}/{suffix}", json=entries, auth=repository.owner.auth
    )

    _assert_204(response)
    assert listed(get_images(index, repository.path)) == {
        first: first_sum,
        second: None,
        added: added_sum,
    }


def test_an_entry_without_a_checksum_keeps_the_known_one(index: Index):
    repository = new_repository(index, index.account())
    [image] = repository.images
    known = checksum()
    owner = as_user(repository.owner)
    _assert_204(put_images(index, repository.path, owner, [{"id": image, "checksum": known}]))

    _assert_204(put_images(index, repository.path, owner, [{"id": image, "Tag": "latest"}]))

    assert listed(get_images(index, repository.path)) == {image: known}


def test_a_new_checksum_replaces_the_known_one(index: Index):
    repository = new_repository(index, index.account())
    [image] = repository.images
    owner = as_user(repository.owner)
    newer = checksum()
    _assert_204(put_images(index, repository.path, owner, [{"id": image, "checksum": checksum()}]))

    _assert_204(put_images(index, repository.path, owner, [{"id": image, "checksum": newer}]))

    assert listed(get_images(index, repository.path)) == {image: newer}


def test_an_empty_put_changes_nothing(index: Index):
    repository = new_repository(index, index.account(), images=2)
    _assert_204(put_images(index, repository.path, as_user(repository.owner), []))
    assert listed(get_images(index, repository.path)) == dict.fromkeys(repository.images)


def test_ids_of_a_later_push_are_listed_with_the_earlier_ones(index: Index):
    repository = new_repository(index, index.account())
    later = image_id()
    pushed = create_repository(index, repository.path, as_user(repository.owner), [{"id": later}])
    assert pushed.status_code == 200
    assert set(listed(get_images(index, repository.path))) == {*repository.images, later}


def test_images_of_one_repository_are_not_listed_in_another(index: Index):
    owner = index.account()
    first, second = new_repository(index, owner), new_repository(index, owner)
    entries = [{"id": first.images[0], "checksum": checksum()}]
    _assert_204(put_images(index, first.path, as_user(owner), entries))
    assert listed(get_images(index, second.path)) == dict.fromkeys(second.images)


def test_putting_images_of_an_unknown_repository_is_a_404(index: Index):
    owner = index.account()
    path = f"{owner.username}/{repository_name()}"
    assert_error(put_images(index, path, as_user(owner), []), 404)


@pytest.mark.parametrize(
    "entries",
    [
        {"id": "0" * 64},
        [{"id": "G" * 64}],
        [{"id": "0" * 65}],
        [{"Tag": "latest"}],
        [{"id": "0" * 64, "checksum": ""}],
        [{"id": "0" * 64, "checksum": "has space"}],
    ],
    ids=["not a list", "not hex", "too long", "no id", "empty checksum", "bad checksum"],
)
def test_an_invalid_image_list_is_a_400(index: Index, entries: Any):
    repository = new_repository(index, index.account())
    response = index.client.put(
        f"/v1/repositories/{repository.path}/images", json=entries, auth=repository.owner.auth
    )
    assert_error(response, 400)
    assert listed(get_images(index, repository.path)) == dict.fromkeys(repository.images)


def test_a_body_that_is_not_json_is_a_400(index: Index):
    repository = new_repository(index, index.account())
    response = index.client.put(
        f"/v1/repositories/{repository.path}/images",
        content=b"[{",
        headers={**as_user(repository.owner), "Content-Type": "application/json"},
    )
    assert_error(response, 400)


def test_library_images_are_the_same_under_both_spellings(index: Index):
    admin = index.admin()
    name = repository_name()
    image = image_id()
    assert create_repository(index, name, as_user(admin), [{"id": image}]).status_code == 200
    known = checksum()

    _assert_204(put_images(index, name, as_user(admin), [{"id": image, "checksum": known}]))

    assert listed(get_images(index, name)) == {image: known}
    assert listed(get_images(index, f"library/{name}")) == {image: known}


def test_only_admins_put_library_images(index: Index):
    admin, user = index.admin(), index.account()
    name = repository_name()
    assert create_repository(index, name, as_user(admin)).status_code == 200
    for path in (name, f"library/{name}"):
        assert_error(put_images(index, path, as_user(user), [{"id": image_id()}]), 403)
    assert listed(get_images(index, name)) == {}


def test_a_change_through_another_server_shows_in_its_next_listings(
    make_index: Callable[..., Index],
):
    # Each server keeps the lists it answered; a write on the same database through another
    # server, as another process would make it, must empty that store (see next_answer).
    reader, writer = make_index(), make_index()
    repository = new_repository(writer, writer.account(), images=1)
    path = repository.path
    assert set(listed(get_images(reader, path))) == set(repository.images)  # now kept

    added, added_sum = image_id(), checksum()
    entry = [{"id": added, "checksum": added_sum}]
    _assert_204(put_images(writer, path, as_user(repository.owner), entry))
    shown = next_answer(
        reader, lambda: get_images(reader, path), lambda r: listed(r).get(added) == added_sum
    )
    assert listed(shown)[added] == added_sum

    assert delete_repository(writer, path, as_user(repository.owner)).status_code == 202
    gone = next_answer(reader, lambda: get_images(reader, path), lambda r: r.status_code == 404)
    assert_error(gone, 404)


@pytest.mark.parametrize("size", [2, CACHED_CHECKSUMS_MAX + 1], ids=["kept", "too-long-to-keep"])
def test_a_push_repeated_changes_nothing_and_a_changed_one_is_merged(index: Index, size: int):
    """What a PUT compares with is kept for a short list only; either way it merges alike."""
    repository = new_repository(index, index.account(), images=size)
    owner, first = as_user(repository.owner), repository.images[0]
    pushed = [{"id": image, "checksum": checksum()} for image in repository.images]
    expected = {entry["id"]: entry["checksum"] for entry in pushed}

    for _ in range(2):
        _assert_204(put_images(index, repository.path, owner, pushed))
        assert listed(get_images(index, repository.path)) == expected

    changed = [{"id": first, "checksum": checksum()}, {"id": (added := image_id())}]
    _assert_204(put_images(index, repository.path, owner, changed))
    expected |= {first: changed[0]["checksum"], added: None}
    assert listed(get_images(index, repository.path)) == expected
    _assert_204(put_images(index, repository.path, owner, pushed))  # an older push again
    assert listed(get_images(index, repository.path)) == expected | {first: pushed[0]["checksum"]}


def test_a_push_past_the_repository_limit_is_refused_naming_it_and_writes_nothing(
    make_index: Callable[..., Index],
):
    index = make_index(max_images_per_repository=3)
    repository = new_repository(index, index.account(), images=2)
    owner = as_user(repository.owner)
    more = [{"id": image_id()}, {"id": image_id()}]
    limit = (
        f"repository {repository.path} would hold 4 images: at most 3 are allowed per"
        " repository (HUBINDEX_MAX_IMAGES_PER_REPOSITORY)"
    )

    assert_error(put_images(index, repository.path, owner, more), 409, limit)
    assert_error(create_repository(index, repository.path, owner, more), 409, limit)
    assert set(listed(get_images(index, repository.path))) == set(repository.images)
    _assert_204(put_images(index, repository.path, owner, more[:1]))  # up to the limit
    assert len(listed(get_images(index, repository.path))) == 3


def test_whether_a_put_writes_is_decided_from_the_database_not_from_a_stale_cache(
    make_index: Callable[..., Index], monkeypatch: pytest.MonkeyPatch
):
    """Two servers on one database, each with its caches. On PostgreSQL the change counter is
    held still, as while another process's notice is on the way (SQLite's is read from the
    database at each request, and cannot lag): a checksum flipped back is still written."""
    generation = [1]
    a, b = make_index(), make_index()
    if a.database_url.startswith("postgresql"):
        monkeypatch.setattr(Database, "change_counter", lambda _self: generation[0])
    repository = new_repository(a, a.account(), images=1)
    owner, image = as_user(repository.owner), repository.images[0]
    first, second = checksum(), checksum()

    _assert_204(put_images(a, repository.path, owner, [{"id": image, "checksum": first}]))
    generation[0] = 2  # A has seen its own write
    _assert_204(put_images(a, repository.path, owner, [{"id": image, "checksum": first}]))
    _assert_204(put_images(b, repository.path, owner, [{"id": image, "checksum": second}]))
    # B's write not announced to A yet:
    _assert_204(put_images(a, repository.path, owner, [{"id": image, "checksum": first}]))

    generation[0] = 3
    assert listed(get_images(b, repository.path)) == {image: first}
