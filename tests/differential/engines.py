"""Two hubindex apps in one process, one per engine, and what each answered to one request."""

import json
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

ENGINES = ("fast", "connexion")


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
