"""Form and text bodies (server/http/forms.py): fields typed by their schema, files checked as
files, text in its charset, a multipart body read within the body limit."""

import io
from typing import Any

import pytest
from starlette.datastructures import Headers, UploadFile

from server.errors import InvalidRequest, PayloadTooLarge
from server.http.body_limit import BodyLimitMiddleware, _Counted
from server.http.forms import Field, Form, read_form, text_body
from server.http.parameters import CONVERTERS

FORM = Form(
    [
        Field("count", CONVERTERS["integer"], array=False, file=False),
        Field("urgent", CONVERTERS["boolean"], array=False, file=False),
        Field("tags", None, array=True, file=False),
        Field("file", None, array=False, file=True),
    ]
)


def _upload(name: str = "a.txt") -> UploadFile:
    return UploadFile(io.BytesIO(b"x"), filename=name, headers=Headers({"content-type": "a/b"}))


def test_fields_are_typed_an_array_repeats_and_a_scalar_keeps_its_last_value():
    upload = _upload()
    items = [("count", "1"), ("count", "2"), ("urgent", "TRUE"), ("tags", "a,b"), ("tags", "c")]
    values = FORM.values([*items, ("file", upload), ("other", "kept")])
    assert values == {
        "count": 2,
        "urgent": True,
        "tags": ["a,b", "c"],
        "file": upload,
        "other": "kept",
    }


def test_a_text_that_does_not_convert_stays_text_for_the_schema_to_refuse():
    assert FORM.values([("count", "1_0"), ("urgent", "yes")]) == {"count": "1_0", "urgent": "yes"}


@pytest.mark.parametrize(
    ("items", "refused"),
    [
        ([("count", _upload())], "body.count: must be text, not a file"),
        ([("file", _upload()), ("file", _upload("b"))], "body.file: one file, not 2"),
    ],
)
def test_a_file_where_text_belongs_or_two_files_for_one_are_refused(items: Any, refused: str):
    with pytest.raises(InvalidRequest, match=refused):
        FORM.values(items)


def test_a_file_the_schema_does_not_name_is_left_out():
    assert FORM.values([("stray", _upload())]) == {}


@pytest.mark.parametrize(
    ("raw", "content_type", "text"),
    [
        (b"caf\xc3\xa9", "text/plain", "café"),
        (b"caf\xe9", "text/plain; charset=ISO-8859-1", "café"),
        (b"caf\xe9", 'text/csv; charset="latin-1"', "café"),
    ],
)
def test_a_text_body_is_read_in_its_charset(raw: bytes, content_type: str, text: str):
    assert text_body(raw, content_type) == text


@pytest.mark.parametrize(
    ("raw", "content_type", "refused"),
    [
        (b"caf\xe9", "text/plain", "not valid utf-8"),
        (b"x", "text/plain; charset=klingon", "charset 'klingon' is not known"),
    ],
)
def test_a_text_body_its_charset_cannot_read_is_refused(
    raw: bytes, content_type: str, refused: str
):
    with pytest.raises(InvalidRequest, match=refused):
        text_body(raw, content_type)


MULTIPART = {"type": "http", "headers": [(b"content-type", b"multipart/form-data; boundary=B")]}


def _chunks(parts: list[bytes]) -> Any:
    messages = [{"type": "http.request", "body": p, "more_body": True} for p in parts]
    messages[-1]["more_body"] = False
    given = iter(messages)

    async def receive() -> Any:
        return next(given)

    return receive


@pytest.mark.anyio
async def test_a_multipart_body_past_the_limit_stops_being_read_at_the_limit():
    head = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n'
    parts = [head, *([b"x" * 1024] * 8), b"\r\n--B--\r\n"]
    limit = BodyLimitMiddleware(None, max_bytes=4096)  # type: ignore[arg-type]
    counted = _Counted(limit, _chunks(parts))
    with pytest.raises(PayloadTooLarge):
        await read_form(MULTIPART, counted, multipart=True)
    assert counted.received <= 4096
    form = await read_form(MULTIPART, _chunks(parts), multipart=True)
    file = form["file"]
    assert isinstance(file, UploadFile)
    assert (await file.read()) == b"x" * 8192
    await form.close()


@pytest.mark.anyio
async def test_a_multipart_body_without_a_boundary_is_a_400():
    scope = {"type": "http", "headers": [(b"content-type", b"multipart/form-data")]}
    with pytest.raises(InvalidRequest, match="Missing boundary"):
        await read_form(scope, _chunks([b"x"]), multipart=True)
