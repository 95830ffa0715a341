"""The probe's handlers (``server.handlers.probes`` in a generated probe checkout): each answers
with the values it was handed, leaving out what is None; ``record`` answers a record built by
Python names, with None in nullable fields and in one that is not."""

import hashlib
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from generated import models  # the probe's own models
from server.errors import AuthenticationFailed
from server.handlers.call import Call, Reply


def _echo(operation: str, values: dict[str, Any]) -> Any:
    shown = {
        name: value.model_dump(mode="json") if hasattr(value, "model_dump") else value
        for name, value in values.items()
        if value is not None
    }
    return models.Echo(operation=operation, values=shown)


async def read(_call: Call, **values: Any) -> Reply:
    return Reply(200, _echo("read", values))


async def create(_call: Call, **values: Any) -> Reply:
    return Reply(201, _echo("create", values))


async def shape(_call: Call, **values: Any) -> Reply:
    return Reply(200, _echo("shape", values))


async def record(_call: Call, *, probe_id: str, with_null: bool | None = None) -> Reply:
    fields: dict[str, Any] = {
        "created_at": "2026-01-02T03:04:05Z",
        "class_": probe_id,
        "closed_at": None,  # required and nullable: written as null
        "label": None,  # optional, not nullable: left out
        "children": [{"child_id": 1}, {"child_id": 2, "parent_id": None}],
    }
    if with_null:
        fields["note"] = None  # optional and nullable, set: written as null
    return Reply(200, models.Record(**fields))


# --- media: bodies that are not JSON, responses that are not JSON, ranges and default ---


async def _described(file: Any) -> dict[str, Any] | None:
    """An uploaded file as the probe shows it: its name, type, size, digest and first bytes."""
    if file is None:
        return None
    data = await file.read()
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "head": data[:16].decode("latin-1"),
        "on_disk": file.file._rolled,  # past 1 MiB the spooled file has gone to disk
    }


async def media_form(_call: Call, *, body: models.MediaForm) -> Reply:
    return Reply(
        200, _echo("media_form", {"body": body.model_dump(mode="json", exclude_none=True)})
    )


async def media_upload(_call: Call, *, body: models.MediaUpload) -> Reply:
    files = {"file", "attachment", "more"}
    shown = body.model_dump(mode="json", exclude=files, exclude_none=True)
    shown["file"] = await _described(body.file)
    attachment = await _described(body.attachment)
    if attachment is not None:
        shown["attachment"] = attachment
    if body.more is not None:
        shown["more"] = [await _described(file) for file in body.more]
    return Reply(201, _echo("media_upload", {"body": shown}))


async def media_note(_call: Call, *, body: str) -> Reply:
    return Reply(200, _echo("media_note", {"body": body}))


async def _streamed() -> AsyncIterator[bytes]:
    for line in (b"name,count\n", b"a,1\n", b"b,2\n"):
        yield line


async def media_report(_call: Call, *, as_: str) -> Reply:
    if as_ == "csv":
        return Reply(200, "name,count\na,1\nb,2\n", media_type="text/csv")
    if as_ == "missing":
        return Reply(404, models.Error(error="no such report"))  # documented by default
    if as_ == "text":
        return Reply(200, "a report, in words", media_type="text/plain")
    if as_ == "bytes":
        return Reply(200, bytes(range(8)), media_type="application/octet-stream")
    return Reply(200, _streamed(), media_type="text/csv", headers={"X-Streamed": "yes"})


async def media_status(_call: Call, *, code: int) -> Reply:
    if 200 <= code < 300:
        return Reply(code, _echo("media_status", {"code": code}))
    return Reply(code, models.Error(error=f"asked for {code}"))


# --- Parameters and formats: each value as [its Python type, its JSON], a model's by field. ---


def _typed(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {name: _typed(item) for name, item in value if item is not None}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return [type(value).__name__, to_jsonable_python(value)]


def _typed_echo(operation: str, values: dict[str, Any]) -> Any:
    shown = {name: _typed(value) for name, value in values.items() if value is not None}
    return models.Echo(operation=operation, values=shown)


async def objects(_call: Call, **values: Any) -> Reply:
    return Reply(200, _typed_echo("objects", values))


async def required_object(_call: Call, **values: Any) -> Reply:
    return Reply(200, _typed_echo("required_object", values))


async def formats(_call: Call, **values: Any) -> Reply:
    return Reply(200, _typed_echo("formats", values))


async def stamp(_call: Call, **values: Any) -> Reply:
    return Reply(200, _typed_echo("stamp", values))


# --- Security schemes: each answers the claims its operation's checker gave. ---


def _claims(operation: str, call: Call) -> Reply:
    return Reply(200, models.Echo(operation=operation, values={"claims": dict(call.claims)}))


async def bearer(call: Call) -> Reply:
    return _claims("bearer", call)


async def header_key(call: Call) -> Reply:
    return _claims("header_key", call)


async def query_key(call: Call) -> Reply:
    return _claims("query_key", call)


async def cookie_key(call: Call) -> Reply:
    return _claims("cookie_key", call)


async def basic(call: Call) -> Reply:
    return _claims("basic", call)


async def both(call: Call) -> Reply:
    return _claims("both", call)


async def either(call: Call) -> Reply:
    return _claims("either", call)


async def maybe(call: Call) -> Reply:
    return _claims("maybe", call)


async def two_words(call: Call) -> Reply:
    return _claims("two_words", call)


async def insisting(call: Call) -> Reply:
    if not call.claims:
        raise AuthenticationFailed("a key is required here")
    return _claims("insisting", call)


# --- end of the security schemes' block ---
