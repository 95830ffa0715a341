"""The probe's handlers (``server.handlers.probes`` in a generated probe checkout): each answers
with the values it was handed, leaving out what is None."""

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
