"""``ping.*``: whether this is an index, that it is up (liveness), and that it can serve
(readiness)."""

from generated import models
from server.handlers.call import Call, Reply

# Without this header a Docker client takes the server for a standalone registry.
_INDEX_HEADERS = {"X-Docker-Registry-Standalone": "false"}


async def get(_call: Call) -> Reply:
    return Reply(200, models.Ping(True), _INDEX_HEADERS)


async def ready(call: Call) -> Reply:
    readiness = await call.services.readiness.check()
    body = models.Readiness(
        ready=readiness.ready, database=readiness.database, migrations=readiness.migrations
    )
    return Reply(200 if readiness.ready else 503, body)
