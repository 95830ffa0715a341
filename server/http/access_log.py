"""One access line per request, its request id in the answer, and its count in the metrics.

The text line, here cut in two (JSON carries the same fields, and ``route``, the spec's path
template)::

    2026-12-07T06:14:36.123Z INFO hubindex.access: 203.0.113.9 GET /v1/repositories/alice/app/images
    200 5120B 2.4ms user=alice op=images.get id=4f1c2a9e0b7d6c53

- the time the request arrived (RFC 3339, UTC, milliseconds); the client's address as uvicorn
  resolved it (behind a trusted proxy, the one the proxy names);
- the path as received (``raw_path``), without its query string, which may carry secrets (the
  confirmation code of ``GET /v1/users/confirm?code=``); a byte outside printable ASCII, a space,
  ``"`` or ``\\`` is written ``%HH``, so that no path can break a line or forge one, and the
  path is cut after ``PATH_LIMIT`` bytes (marked ``…``);
- status, bytes of body sent, duration, who called (``-``: anonymous), the operation (``-``:
  none of the spec's), and the request id: the client's ``X-Request-ID`` when it is 1 to 128
  characters of ``A-Z a-z 0-9 . _ : + / = @ -``, else a new one; it is sent back in the
  ``X-Request-ID`` header of every answer.

No credential is ever written: the line has no header but the request id, and no query.

Every other record logged while the request is served names the same id
(``server.logs.REQUEST_ID``).
"""

import logging
import random
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http.metrics import Metrics
from server.http.responses import error_response
from server.logs import ACCESS_LOGGER, REQUEST_ID, Timestamps, direct_handler

REQUEST_INFO = "hubindex.request"  # a dict in the scope that inner layers fill in
REQUEST_ID_HEADER = b"x-request-id"
PATH_LIMIT = 1024  # bytes of the raw path written
SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:+/=@-]{1,128}")

access_log = logging.getLogger(ACCESS_LOGGER)

_UNSAFE_BYTE = re.compile(rb'[^\x21-\x7e]|["\\]')
_SAFE_TEXT = re.compile(r"[!#-\[\]-~]{1,256}")  # printable ASCII but space, " and \
_times = Timestamps()


def shown(raw: bytes, limit: int = PATH_LIMIT) -> str:
    """``raw`` as it may stand in a log line: printable ASCII, ``%HH`` for any other byte, cut
    after ``limit`` bytes (marked ``…``)."""
    cut = len(raw) > limit
    if cut:
        raw = raw[:limit]
    if _UNSAFE_BYTE.search(raw) is not None:
        raw = _UNSAFE_BYTE.sub(lambda match: b"%%%02X" % match[0][0], raw)
    text = raw.decode("ascii")
    return text + "…" if cut else text


def _safe(text: str) -> str:
    if _SAFE_TEXT.fullmatch(text) is not None:
        return text
    return shown(text.encode("utf-8", "surrogateescape"), 256) if text else "-"


def new_request_id() -> str:
    # random is reseeded in every forked or spawned process; the id is no secret.
    return f"{random.getrandbits(64):016x}"


def request_id(scope: Scope) -> str:
    """The client's ``X-Request-ID`` when it is sane, else a new one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            if SANE_REQUEST_ID.fullmatch(value) is not None:
                return value.decode("ascii")
            break
    return new_request_id()


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics | None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = time.time()
        started = time.perf_counter()
        rid = request_id(scope)
        named = REQUEST_ID.set(rid)
        header = (REQUEST_ID_HEADER, rid.encode("ascii"))
        info: dict[str, Any] = {"status": 500, "request_id": rid}
        scope[REQUEST_INFO] = info
        sent = 0
        responding = False

        async def recording(message: Message) -> None:
            nonlocal sent, responding
            if message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            elif message["type"] == "http.response.start":
                responding = True
                info["status"] = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        try:
            await self.app(scope, receive, recording)
        except Exception:
            if not responding:
                # Still an answer with its request id; the error goes on to be logged.
                await error_response(500, "internal server error")(scope, receive, recording)
            # REQUEST_ID stays set: the server logs the error next, in this request's task.
            raise
        else:
            # The server runs each request in a task of its own, whose context ends with it; a
            # caller that awaits the app in its own task (a test's client) gets its value back.
            REQUEST_ID.reset(named)
        finally:
            self._record(scope, info, arrived, time.perf_counter() - started, sent)

    def _record(
        self, scope: Scope, info: dict[str, Any], arrived: float, seconds: float, sent: int
    ) -> None:
        operation = info.get("operation") or "-"
        status = info["status"]
        if self.metrics is not None:
            self.metrics.observe(operation, status, seconds)
        if not access_log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        address = _safe(client[0]) if client else "-"
        method = _safe(scope["method"])
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        if b"?" in raw_path:  # a server that keeps the query in raw_path
            raw_path = raw_path.partition(b"?")[0]
        path = shown(raw_path)
        user = info.get("user") or "-"
        if user != "-":
            user = _safe(user)
        rid = info["request_id"]
        handler = direct_handler(access_log)
        if handler is not None and handler.json:
            handler.writer.write(
                f'{{"time":"{_times.format(arrived)}","level":"info","logger":"{ACCESS_LOGGER}",'
                f'"client":"{address}","method":"{method}","path":"{path}","status":{status},'
                f'"bytes":{sent},"duration_ms":{seconds * 1000:.3f},"user":"{user}",'
                f'"operation":"{operation}","route":"{info.get("route") or "-"}",'
                f'"request_id":"{rid}"}}'
            )
            return
        message = (
            f"{address} {method} {path} {status} {sent}B {seconds * 1000:.1f}ms"
            f" user={user} op={operation} id={rid}"
        )
        if handler is not None:
            handler.writer.write(f"{_times.format(arrived)} INFO {ACCESS_LOGGER}: {message}")
            return
        # Through the logging tree (a set-up of one's own, tests): the same line and fields.
        access_log.info(
            message,
            extra={
                "request": {
                    "time": _times.format(arrived),
                    "client": address,
                    "method": method,
                    "path": path,
                    "status": status,
                    "bytes": sent,
                    "duration_ms": round(seconds * 1000, 3),
                    "user": user,
                    "operation": operation,
                    "route": info.get("route") or "-",
                    "request_id": rid,
                }
            },
        )
