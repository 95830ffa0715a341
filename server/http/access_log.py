"""One structured log line per request, and its count in the metrics.

The line names the spec's path template and operation, never a credential:

    GET /v1/repositories/{namespace}/{repository}/images 200 2.4ms op=images.get user=alice
"""

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http.metrics import Metrics

REQUEST_INFO = "hubindex.request"  # a dict in the scope that inner layers fill in

access_log = logging.getLogger("hubindex.access")


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics | None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        info: dict[str, Any] = {"status": 500}
        scope[REQUEST_INFO] = info

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                info["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            self._record(scope, info, time.perf_counter() - started)

    def _record(self, scope: Scope, info: dict[str, Any], seconds: float) -> None:
        operation = info.get("operation", "-")
        status = info["status"]
        if self.metrics is not None:
            self.metrics.observe(operation, status, seconds)
        access_log.info(
            "%s %s %s %.1fms op=%s user=%s",
            scope["method"],
            info.get("route", "-"),
            status,
            seconds * 1000,
            operation,
            info.get("user", "-"),
            extra={
                "request": {
                    "method": scope["method"],
                    "route": info.get("route"),
                    "operation": info.get("operation"),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "user": info.get("user"),
                }
            },
        )
