"""``ping.*``: whether this is an index, and that it is up."""

from generated import models
from server.handlers.call import Call, Reply

# Without this header a Docker client takes the server for a standalone registry.
_INDEX_HEADERS = {"X-Docker-Registry-Standalone": "false"}


async def get(_call: Call) -> Reply:
    return Reply(200, models.Ping(True), _INDEX_HEADERS)
