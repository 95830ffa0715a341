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
    # A 401's WWW-Authenticate challenges, one per field, in order (a success's token header
    # differs between the engines' keys: not kept).
    challenges: tuple[str, ...] = ()
    allow: frozenset[str] = frozenset()  # a 405's Allow, as a set (the engines order it apart)

    @classmethod
    def of(cls, response: httpx.Response) -> "Answer":
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = response.text
        challenges = ()
        if response.status_code == 401:
            challenges = tuple(response.headers.get_list("www-authenticate"))
        allow: frozenset[str] = frozenset()
        if response.status_code == 405:
            allow = frozenset(m.strip() for m in response.headers.get("allow", "").split(","))
        return cls(response.status_code, body, challenges, allow)

    @property
    def success(self) -> bool:
        return 200 <= self.status < 300


def client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://index.test", timeout=30
    )
