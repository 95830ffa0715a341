"""Refusing an oversized request body before it is read whole.

A chunked body (no ``Content-Length``) is read up to the limit and handed on with its length,
since Connexion's validators take a body without ``Content-Length`` for a missing one.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import PayloadTooLarge
from server.responses import error_response


class BodyLimitMiddleware:
    """413 when ``Content-Length`` says too much; a streamed body is cut off at the limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await error_response(400, "Content-Length is not a number")(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await error_response(413, self._message)(scope, receive, send)
                return
        headers = dict(scope["headers"])
        if declared is None and b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            try:
                body = await self._read_all(receive)
            except PayloadTooLarge:
                await error_response(413, self._message)(scope, receive, send)
                return
            scope = {
                **scope,
                "headers": [
                    *(h for h in scope["headers"] if h[0] != b"transfer-encoding"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
            await self.app(scope, _replay(body, receive), send)
            return
        await self.app(scope, self._counting(receive), send)

    async def _read_all(self, receive: Receive) -> bytes:
        counted = self._counting(receive)
        chunks = []
        while True:
            message = await counted()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @property
    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge(self._message)
            return message

        return counted


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # a disconnect, once the app waits for one
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
