"""Long lists are built and encoded a slice at a time (so that no single call holds the
interpreter for long), with the same result as in one call."""

import json

import pytest

from generated import models
from server.errors import InvalidRequest
from server.http.body import BUILD_SLICE, parse_body
from server.services.repositories import _encoded


def _entries(count: int) -> list[dict[str, str]]:
    return [{"id": f"{n:064x}", "checksum": f"sha256:{n:064x}"} for n in range(count)]


def test_a_long_root_list_is_built_as_in_one_call():
    body = _entries(3 * BUILD_SLICE + 7)
    assert parse_body(models.ImageList, body) == models.ImageList.model_validate(body)


def test_a_refused_item_past_the_first_slice_is_named_by_its_place_in_the_whole_list():
    body = _entries(3 * BUILD_SLICE)
    body[2 * BUILD_SLICE + 3] = {"id": 5}
    with pytest.raises(InvalidRequest) as refused:
        parse_body(models.ImageList, body)
    assert str(refused.value).startswith(f"body.{2 * BUILD_SLICE + 3}.id: ")


@pytest.mark.parametrize("count", [0, 1, 499, 500, 501, 1234])
def test_a_list_or_object_is_encoded_as_json_dumps_would(count: int):
    ids = [f"{n:064x}" for n in range(count)]
    checksums = {image: (None if n % 3 else f"sha256:{image}") for n, image in enumerate(ids)}
    assert _encoded(ids) == json.dumps(ids)
    assert _encoded(checksums) == json.dumps(checksums)
