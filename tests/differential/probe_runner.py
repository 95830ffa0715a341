"""Run inside a generated probe checkout (its directory first on sys.path): read requests as
JSON from stdin, send each to both engines, print what each answered, as JSON.

The input is ``{"requests": [...], "databases": {engine: url}}``: each engine runs on the
migrated database named, or, where none is, on a SQLite file of its own.

A process of its own, since the probe's `generated` and `server.handlers.probes` are not this
checkout's. Self-contained: the checkout holds no tests.
"""

import asyncio
import json
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning)

import httpx  # noqa: E402

from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.storage.migrations import upgrade  # noqa: E402

ENGINES = ("fast", "connexion")


async def answers(engine: str, database_url: str, requests: list[dict[str, Any]]) -> list[Any]:
    app = create_app(Settings(database_url=database_url, engine=engine, validate_responses=True))
    transport = httpx.ASGITransport(app=app)
    found = []
    async with httpx.AsyncClient(transport=transport, base_url="http://probe.test") as client:
        for request in requests:
            content = request.get("content")
            response = await client.request(
                request["method"],
                request["path"],
                headers=request.get("headers", {}),
                content=None if content is None else content.encode(),
            )
            try:
                body = response.json()
            except ValueError:
                body = response.text
            found.append([response.status_code, body])
    return found


def main() -> None:
    given = json.load(sys.stdin)
    requests, databases = given["requests"], given.get("databases", {})
    with tempfile.TemporaryDirectory() as scratch:
        result = {}
        for engine in ENGINES:
            url = databases.get(engine)
            if url is None:
                url = f"sqlite:///{Path(scratch) / engine}.db"
                upgrade(url)
            result[engine] = asyncio.run(answers(engine, url, requests))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
