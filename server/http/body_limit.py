"""Bounding request bodies: each by its size (413), all of a process's together by the memory
they may hold at once (503)."""

import ctypes
import ctypes.util
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import BodiesBufferFull, PayloadTooLarge
from server.http.responses import error_response

# Bodies that held at least this much at once are given back to the system once all are done.
TRIM_AFTER_BYTES = 8 * 1024 * 1024


def _malloc_trim() -> Callable[[], object] | None:
    """glibc's malloc_trim(0): the C allocator keeps memory freed by big bodies (its heap and
    arenas do not shrink by themselves), so that 300 unfinished 4 MB bodies would leave the
    process hundreds of MB larger for good. None elsewhere."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: trim(0)


_TRIM = _malloc_trim()


class BodyLimitMiddleware:
    """413 when ``Content-Length`` says too much; a streamed body is cut off at the limit.

    Reading past the limit raises PayloadTooLarge in whoever reads the body (the dispatcher
    answers it with a 413), so a chunked upload never holds more than the limit in memory.

    The bytes of every body read count against ``buffer_bytes`` until their request is
    answered: a chunk that would pass it raises BodiesBufferFull (503), so that many clients
    sending big bodies slowly hold at most that much memory between them.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, buffer_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.buffer_bytes = max_bytes if buffer_bytes is None else buffer_bytes
        self.buffered = 0  # bytes of bodies read by requests not yet answered
        self.most_buffered = 0  # since memory was last given back

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
        counted = _Counted(self, receive)
        try:
            await self.app(scope, counted, send)
        finally:
            self.buffered -= counted.received
            if self.buffered == 0 and self.most_buffered >= TRIM_AFTER_BYTES:
                self.most_buffered = 0
                if _TRIM is not None:
                    _TRIM()

    @property
    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"


class _Counted:
    """One request's ``receive``, counting its body against the limits."""

    __slots__ = ("limit", "receive", "received")

    def __init__(self, limit: BodyLimitMiddleware, receive: Receive) -> None:
        self.limit = limit
        self.receive = receive
        self.received = 0

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            size = len(message.get("body", b""))
            if size:
                limit = self.limit
                if self.received + size > limit.max_bytes:
                    raise PayloadTooLarge(limit._message)
                if limit.buffered + size > limit.buffer_bytes:
                    raise BodiesBufferFull()
                self.received += size
                limit.buffered += size
                limit.most_buffered = max(limit.most_buffered, limit.buffered)
        return message
