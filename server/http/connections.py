"""Bounded connections: uvicorn's httptools protocol with the limits it lacks.

uvicorn's httptools mode has no limit on a request head's size (httptools joins a header's
pieces with ``+=``: a 160 MB line costs 15 s of the event loop), no deadline for a head or a
body (a half-sent request holds its connection and file descriptor for as long as the client
likes) and no cap on connections (its ``limit_concurrency`` answers 503 only once a request's
head has arrived, and counts the connections it refuses). Here, per process:

- a request head (request line and headers) larger than ``max_header_bytes`` is answered 431
  and the connection closed, before the parser sees the bytes past the limit;
- a head must arrive in full within ``header_timeout`` of the connection's opening (first
  request) or of its first byte (later ones); a body within ``body_timeout`` of the head's end,
  not counting time the server itself held the client off (reading paused while the app was
  busy). Past it: 408 when nothing was answered yet, and the connection is closed;
- a connection past ``max_connections``, or past ``max_connections_per_address`` from one
  client address (proxies trusted by ``--forwarded-allow-ips`` excepted: every client comes
  through them), is answered 503 (429 for an address) as soon as it is accepted and closed.

Deadlines are checked by one sweep per ``SWEEP_SECONDS`` over the open connections, so that a
request pays for two assignments, not for timers.
"""

import asyncio
import functools
import ipaddress
import json
import logging
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from server.settings import Settings, load_settings

SWEEP_SECONDS = 0.5
# How long a refused connection is kept to read the request it may already be sending, so that
# the client reads the refusal rather than a reset.
REFUSAL_LINGER_SECONDS = 1.0
# At most this many answered connections linger at once (each holds a file); past it, one is
# closed at once, so that a flood of refused connections cannot pass the open-file limit.
MAX_LINGERING = 128
LOG_EVERY_SECONDS = 1.0

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limits:
    max_header_bytes: int
    header_timeout: float
    body_timeout: float
    max_connections: int
    max_connections_per_address: int  # 0: no limit
    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    trust_all: bool

    @classmethod
    def from_settings(cls, settings: Settings, forwarded_allow_ips: Any = None) -> "Limits":
        trusted, trust_all = _trusted_networks(forwarded_allow_ips)
        return cls(
            max_header_bytes=settings.max_header_bytes,
            header_timeout=settings.header_timeout_seconds,
            body_timeout=settings.body_timeout_seconds,
            max_connections=settings.max_connections,
            max_connections_per_address=settings.max_connections_per_address,
            trusted=trusted,
            trust_all=trust_all,
        )

    def per_address(self, address: str) -> bool:
        """Whether the per-address cap applies to ``address`` (not to a trusted proxy)."""
        if self.max_connections_per_address == 0 or self.trust_all:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:  # a Unix socket's peer
            return False
        return not any(ip in network for network in self.trusted)


def _trusted_networks(
    value: Any,
) -> tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], bool]:
    """uvicorn's ``forwarded_allow_ips`` (a comma-separated string, a list, or None for its
    default) as networks; True when every address is trusted."""
    if value is None:
        value = "127.0.0.1,::1"
    items = value.split(",") if isinstance(value, str) else list(value)
    networks = []
    for item in (i.strip() for i in items):
        if item == "*":
            return (), True
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:  # a host name or socket path: uvicorn matches those literally
            continue
    return tuple(networks), False


@functools.cache
def _process_limits(forwarded_allow_ips: Any) -> Limits:
    return Limits.from_settings(load_settings(), forwarded_allow_ips)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class _Registry:
    """The process's open connections, by address, and the sweep over their deadlines."""

    def __init__(self) -> None:
        self.open: set[BoundedHttpToolsProtocol] = set()
        self.by_address: Counter[str] = Counter()
        self._sweep: asyncio.TimerHandle | None = None
        self._last_sweep = 0.0
        self.lingering = 0
        self._logged_at = float("-inf")
        self._unlogged = 0

    def admit(self, protocol: "BoundedHttpToolsProtocol", address: str) -> tuple[int, str] | None:
        """None, counting the connection; or the status and message to refuse it with."""
        limits = protocol.limits
        if len(self.open) >= limits.max_connections:
            return 503, f"the server holds its limit of {limits.max_connections} connections"
        if limits.per_address(address):
            if self.by_address[address] >= limits.max_connections_per_address:
                return 429, (
                    f"too many connections from {address}: the limit is"
                    f" {limits.max_connections_per_address}"
                )
            self.by_address[address] += 1
            protocol.counted_address = address
        self.open.add(protocol)
        if self._sweep is None:
            self._last_sweep = protocol.loop.time()
            self._sweep = protocol.loop.call_later(SWEEP_SECONDS, self.sweep, protocol.loop)
        return None

    def release(self, protocol: "BoundedHttpToolsProtocol") -> None:
        if protocol not in self.open:
            return
        self.open.discard(protocol)
        address = protocol.counted_address
        if address is not None:
            self.by_address[address] -= 1
            if self.by_address[address] <= 0:
                del self.by_address[address]

    def note(self, loop: asyncio.AbstractEventLoop, event: str) -> None:
        """Logs a refusal or a timeout, at most one line per ``LOG_EVERY_SECONDS`` (the last
        one, and how many there were): an attack must not flood the log."""
        self._unlogged += 1
        now = loop.time()
        if now - self._logged_at >= LOG_EVERY_SECONDS:
            more = (
                f" (and {self._unlogged - 1} more since the last line)"
                if self._unlogged > 1
                else ""
            )
            logger.warning("%s%s", event, more)
            self._logged_at, self._unlogged = now, 0

    def sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        elapsed, self._last_sweep = now - self._last_sweep, now
        try:
            for protocol in list(self.open):
                try:
                    protocol.check_deadline(now, elapsed)
                except Exception:  # one connection's trouble must not end the sweep
                    logger.exception("checking a connection's deadline failed")
                    protocol.transport.abort()
        finally:
            self._sweep = loop.call_later(SWEEP_SECONDS, self.sweep, loop) if self.open else None


# One per event loop (uvicorn runs one per process; tests may run servers in threads).
_REGISTRIES: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Registry]" = (
    weakref.WeakKeyDictionary()
)


def _registry(loop: asyncio.AbstractEventLoop) -> _Registry:
    registry = _REGISTRIES.get(loop)
    if registry is None:
        registry = _REGISTRIES[loop] = _Registry()
    return registry


_HEAD, _BODY = "head", "body"


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """``uvicorn.run(..., http=BoundedHttpToolsProtocol)``: the limits of ``Limits``, read from
    the HUBINDEX_* settings once per process."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = _process_limits(_frozen(config.forwarded_allow_ips))
        self.registry = _registry(self.loop)
        self.counted_address: str | None = None
        self._head_bytes = 0
        self._tail = b""  # the last bytes of the head so far: its blank line may span reads
        self._waiting: str | None = _HEAD  # what the deadline is for
        self._deadline: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else ""
        refusal = self.registry.admit(self, address)
        if refusal is not None:
            self.registry.note(self.loop, f"connection from {address} refused: {refusal[1]}")
            self._refuse(*refusal, {"Retry-After": "1"})
            return
        self._deadline = self.loop.time() + self.limits.header_timeout

    def connection_lost(self, exc: Exception | None) -> None:
        self.registry.release(self)
        self._deadline = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._waiting is None:
            return  # refused or timed out: what the client still sends is dropped
        if self._waiting == _HEAD:
            self._head_bytes += self._head_part(data)
            if self._head_bytes > self.limits.max_header_bytes:
                self._answer_and_close(
                    431,
                    f"the request line and headers are larger than"
                    f" {self.limits.max_header_bytes} bytes",
                )
                return
        super().data_received(data)

    def _head_part(self, data: bytes) -> int:
        """How many bytes of ``data`` belong to the head being read: up to its blank line (the
        rest is a body, or pipelined requests, which the head's limit does not count)."""
        tail = self._tail
        seen = tail + data
        ends = [i + len(blank) for blank in (b"\r\n\r\n", b"\n\n") if (i := seen.find(blank)) >= 0]
        self._tail = seen[-3:]
        return len(data) if not ends else max(min(ends) - len(tail), 0)

    # httptools' callbacks, in the order of a request
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._waiting = _HEAD
        if self._deadline is None:  # a later request on this connection: from its first byte
            self._deadline = self.loop.time() + self.limits.header_timeout

    def on_headers_complete(self) -> None:
        self._waiting, self._head_bytes, self._tail = _BODY, 0, b""
        self._deadline = self.loop.time() + self.limits.body_timeout
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._waiting, self._deadline = _HEAD, None

    def check_deadline(self, now: float, elapsed: float) -> None:
        """Called by the sweep: closes the connection when its head or body is late."""
        if self._deadline is None or self.transport.is_closing():
            return
        if self._waiting == _BODY and self.flow.read_paused:
            self._deadline += elapsed  # the server held the client off: not the client's time
            return
        if now < self._deadline:
            return
        part = "headers" if self._waiting == _HEAD else "body"
        timeout = self.limits.header_timeout if part == "headers" else self.limits.body_timeout
        self._answer_and_close(408, f"the request {part} did not arrive within {timeout:g} s")

    def _answer_and_close(self, status: int, message: str) -> None:
        """Answers ``status`` and closes. When a request is still being answered on this
        connection (its own body is late, or a later request's head is), the app is told the
        client is gone, and the connection is closed without an answer if one was begun or the
        answer would be taken for that request's."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
            if cycle.response_started or self._waiting == _HEAD:
                self._waiting, self._deadline = None, None
                self.transport.close()
                return
        client = self.client[0] if self.client else "-"
        self.registry.note(self.loop, f"{status} to {client}: {message}")
        self._refuse(status, message)

    def _refuse(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        """Writes the answer, then closes: at once its sending side, after a moment the
        connection, reading and dropping what the client still sends meanwhile, so that it
        reads the answer rather than a reset."""
        self._waiting, self._deadline = None, None
        try:
            self.transport.write(_raw_response(status, message, headers))
        except RuntimeError:  # uvloop: the peer is gone, its connection_lost not yet called
            self.transport.abort()
            return
        self._close_softly()

    def _close_softly(self) -> None:
        registry = self.registry
        if registry.lingering < MAX_LINGERING and self.transport.can_write_eof():
            try:
                self.transport.write_eof()
            except RuntimeError:
                self.transport.abort()
                return
            registry.lingering += 1
            self.loop.call_later(REFUSAL_LINGER_SECONDS, self._end_linger)
        else:
            self.transport.close()

    def _end_linger(self) -> None:
        self.registry.lingering -= 1
        self.transport.close()


_REASONS = {
    408: b"Request Timeout",
    429: b"Too Many Requests",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}


def _raw_response(status: int, message: str, headers: dict[str, str] | None = None) -> bytes:
    """An answer written to the socket by the connection itself, in the one error shape."""
    body = json.dumps({"error": message}, separators=(",", ":")).encode()
    lines = [
        b"HTTP/1.1 %d %s" % (status, _REASONS[status]),
        b"content-type: application/json",
        b"content-length: %d" % len(body),
        b"connection: close",
        *(f"{name}: {value}".encode("latin-1") for name, value in (headers or {}).items()),
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
