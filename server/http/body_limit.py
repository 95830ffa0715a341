"""Refusing an oversized request body: at once when Content-Length says so, else as it is read."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import PayloadTooLarge
from server.http.responses import error_response


class BodyLimitMiddleware:
    """413 when ``Content-Length`` says too much; a streamed body is cut off at the limit.

    Reading past the limit raises PayloadTooLarge in whoever reads the body (the dispatcher
    answers it with a 413), so a chunked upload never holds more than the limit in memory.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None:
            if not declared.isdigit():
                await error_response(400, "Content-Length is not a number")(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await error_response(413, self._message)(scope, receive, send)
                return
        await self.app(scope, self._counting(receive), send)

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
