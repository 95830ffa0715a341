"""Two hubindex apps in one process, one per engine, and what each answered to one request."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

ENGINES = ("fast", "connexion")


@asynccontextmanager
async def lifespan(app: ASGIApp) -> AsyncIterator[None]:
    """Run the app's start-up and shut-down, as a server would around its requests."""
    to_app: asyncio.Queue[Message] = asyncio.Queue()
    from_app: asyncio.Queue[Message] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan"}, to_app.get, from_app.put))
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        await from_app.get()
        await task


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # JSON, or the text when it is not JSON

    @classmethod
    def of(cls, response: httpx.Response) -> "Answer":
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = response.text
        return cls(response.status_code, body)

    @property
    def success(self) -> bool:
        return 200 <= self.status < 300


def client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://index.test", timeout=30
    )
