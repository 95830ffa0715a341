"""The probe's handlers (``server.handlers.probes`` in a generated probe checkout): each answers
with the values it was handed, leaving out what is None; ``record`` answers a record built by
Python names, with None in nullable fields and in one that is not."""

from typing import Any

from generated import models  # the probe's own models
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


# --- end of the security schemes' block ---
