"""A large JSON body is parsed, checked and built on a worker thread, not on the event loop."""

import json
import threading

import fastjsonschema
import pytest

from server.errors import InvalidRequest
from server.http.body import JSON_KIND, LARGE_BODY_BYTES, Body
from server.http.validation import BodyCheck

SCHEMA = {"type": "array", "items": {"type": "object", "required": ["id"]}}


def _body(built_on: list[str]) -> Body:
    def build(value: object) -> object:
        built_on.append(threading.current_thread().name)
        return value

    return Body(
        required=True,
        media_types=("application/json",),
        schema=BodyCheck(fastjsonschema.compile(SCHEMA), SCHEMA),
        build=build,
        kinds={"application/json": JSON_KIND},
    )


def _receive(raw: bytes):
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": raw, "more_body": False}

    return receive


SCOPE = {"type": "http", "headers": [(b"content-type", b"application/json")]}


def _images(count: int) -> bytes:
    return json.dumps([{"id": f"{n:064x}"} for n in range(count)]).encode()


@pytest.mark.anyio
async def test_a_small_body_is_read_on_the_loop_and_a_large_one_on_a_worker():
    built_on: list[str] = []
    body = _body(built_on)
    small, large = _images(10), _images(2_000)
    assert len(small) < LARGE_BODY_BYTES <= len(large)

    assert len(await body.read(SCOPE, _receive(small))) == 10
    assert len(await body.read(SCOPE, _receive(large))) == 2_000

    loop_thread = threading.current_thread().name
    assert built_on[0] == loop_thread
    assert built_on[1].startswith("hubindex-body")


@pytest.mark.anyio
async def test_a_large_body_refused_on_the_worker_is_the_same_400():
    body = _body([])
    bad = _images(2_000).replace(b'"id"', b'"di"', 1)
    with pytest.raises(InvalidRequest, match=r"^body\[0\]: 'id' is a required property$"):
        await body.read(SCOPE, _receive(bad))
