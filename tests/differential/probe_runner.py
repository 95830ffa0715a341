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
            response = await client.send(_built(client, request))
            try:
                body = response.json()
            except ValueError:
                body = response.text
            answer = [response.status_code, body]
            if request.get("media_type"):
                answer.append(response.headers.get("content-type"))
            if request.get("challenges"):
                answer.append(response.headers.get_list("www-authenticate"))
            found.append(answer)
    return found


def _built(client: httpx.AsyncClient, request: dict[str, Any]) -> httpx.Request:
    """The request: ``content`` as text; or a multipart form of ``form`` fields and ``files``
    (field, filename, text, content type, times the text is repeated); ``chunked`` sends the
    body in 64 KiB chunks without a Content-Length."""
    content = request.get("content")
    files = [
        (field, (filename, text.encode() * repeat, content_type))
        for field, filename, text, content_type, repeat in request.get("files") or ()
    ]
    built = client.build_request(
        request["method"],
        request["path"],
        headers=request.get("headers", {}),
        content=None if content is None else content.encode(),
        data=request.get("form"),
        files=files or None,
    )
    if not request.get("chunked"):
        return built
    body = built.read()
    headers = {k: v for k, v in built.headers.items() if k.lower() != "content-length"}

    async def chunks() -> Any:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    return client.build_request(built.method, built.url, headers=headers, content=chunks())


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
