"""What ``Operation.respond`` writes for a handler's answer: a response documented by a range or
``default``, and bodies that are not JSON, with the media type the spec declares."""

from typing import Any

import pytest
from pydantic import BaseModel
from starlette.responses import StreamingResponse

from server.engine.operation import Operation
from server.handlers.call import Reply


class Thing(BaseModel):
    name: str


def _operation(
    responses: dict[int | str, Any], media: dict[int | str, tuple[str, ...]]
) -> Operation:
    return Operation("tests.thing", None, (), False, responses, media)


def test_a_range_or_default_documents_the_statuses_it_covers():
    operation = _operation({"2XX": Thing, "4XX": Thing, "default": None}, {})
    assert operation.success_status == 200
    written = operation.respond(Thing(name="a"))
    assert (written.status_code, written.body) == (200, b'{"name":"a"}')
    assert operation.respond(Reply(206, Thing(name="b"))).status_code == 206
    assert operation.respond(Reply(418, Thing(name="c"))).media_type == "application/json"
    assert operation.respond(Reply(503)).status_code == 503  # default, without a body
    with pytest.raises(RuntimeError, match="must answer Thing"):
        operation.respond(Reply(404, None))


def test_an_explicit_status_comes_before_its_range():
    operation = _operation({201: Thing, "2XX": None}, {})
    assert operation.success_status == 201
    assert operation.respond(Reply(204)).status_code == 204
    with pytest.raises(RuntimeError, match="undocumented status 500"):
        operation.respond(Reply(500))


def test_bytes_text_and_streams_go_out_as_the_declared_media_type():
    operation = _operation({200: None, 404: Thing}, {200: ("text/csv",)})
    text = operation.respond("a,b\n")  # the one declared media type
    assert (text.body, text.headers["content-type"]) == (b"a,b\n", "text/csv; charset=utf-8")
    assert operation.respond(b"\x00").body == b"\x00"

    async def lines() -> Any:
        yield b"a\n"

    streamed = operation.respond(Reply(200, lines(), headers={"X-A": "1"}))
    assert isinstance(streamed, StreamingResponse)
    assert streamed.headers["x-a"] == "1"
    with pytest.raises(RuntimeError, match="must answer bytes, str or an iterator"):
        operation.respond(Thing(name="a"))


def test_of_several_media_types_the_reply_names_one():
    media = ("text/plain", "application/octet-stream")
    operation = _operation({200: None}, {200: media})
    sent = operation.respond(Reply(200, b"\x01", media_type="application/octet-stream"))
    assert sent.headers["content-type"] == "application/octet-stream"
    with pytest.raises(RuntimeError, match="declares text/plain, application/octet-stream"):
        operation.respond(b"\x01")
    with pytest.raises(RuntimeError, match="not text/csv"):
        operation.respond(Reply(200, "a", media_type="text/csv"))
