"""The probe's handlers (``server.handlers.probes`` in a generated probe checkout): each answers
with the values it was handed, leaving out what is None; ``record`` answers a record built by
Python names, with None in nullable fields and in one that is not."""

from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

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
