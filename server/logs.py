"""How hubindex and uvicorn write their logs: readable lines, or one JSON object per line.

Every line of a process goes through one ``LineWriter``. The access log
(``server.http.access_log``) hands it finished lines, without a ``LogRecord``, when the
``hubindex.access`` logger writes to a ``LineHandler`` alone (as ``hubindex serve`` sets it
up); a thread of the writer's own writes those out in batches, so a request never waits on a
write to stderr. Records of the standard ``logging`` tree (start-up, errors, shutdown: few) reach
it through ``LineHandler`` and are written at once, after whatever access lines are pending, so
that lines keep their order. What is pending is written when the app shuts down (its lifespan
calls ``flush_all``), and on any normal exit (``logging.shutdown``, ``atexit``): uvicorn ends
a server stopped by SIGTERM or SIGINT by raising the signal again, and that exit runs no
``atexit``.

A record logged while a request is served names its request id (the one its access line
carries and its answer echoes): ``id=...`` at the end of its text line, ``request_id`` in its
JSON object. ``REQUEST_ID`` holds it; the access-log middleware sets it for the request's task,
and the formatters read it, so a request that logs nothing pays one ``ContextVar.set``.
"""

import atexit
import json
import logging
import os
import sys
import threading
import time
import weakref
from collections import deque
from contextvars import ContextVar
from typing import Any, TextIO

ACCESS_LOGGER = "hubindex.access"

# The id of the request being served in this context (its task, and the threads it hands work
# to, which copy the context); None outside any request.
REQUEST_ID: ContextVar[str | None] = ContextVar("hubindex_request_id", default=None)

# How long a line may wait for its batch, and how many lines wake the writer at once.
FLUSH_SECONDS = 0.05
FLUSH_LINES = 512


class Timestamps:
    """RFC 3339 UTC times with milliseconds, the date and time of day formatted once a second."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def format(self, seconds: float) -> str:
        whole = int(seconds)
        if whole != self._second:
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
            self._second = whole
        return f"{self._prefix}.{int((seconds - whole) * 1000):03d}Z"


_writers: "weakref.WeakSet[LineWriter]" = weakref.WeakSet()


def flush_all() -> None:
    """Write what every ``LineWriter`` of this process holds."""
    for writer in list(_writers):
        writer.flush()


@atexit.register
def _close_all() -> None:
    for writer in list(_writers):
        writer.close()


def _after_fork() -> None:
    for writer in list(_writers):
        writer._after_fork()


os.register_at_fork(after_in_child=_after_fork)


class LineWriter:
    """Whole lines to a text stream, written in batches by a thread; thread-safe.

    ``write`` appends to a deque (atomic under the GIL) and returns; the thread writes what is
    pending every ``FLUSH_SECONDS``, or as soon as ``FLUSH_LINES`` are waiting. ``write(line,
    now=True)`` and ``flush`` write what is pending on the calling thread; after ``close`` every
    line is written at once.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._pending: deque[str] = deque()
        self._wake = threading.Event()
        self._lock = threading.RLock()  # one batch at a time, in order
        self._thread: threading.Thread | None = None
        self._closed = False
        _writers.add(self)

    def write(self, line: str, *, now: bool = False) -> None:
        pending = self._pending
        pending.append(line)
        if now or self._closed:
            self.flush()
            return
        if self._thread is None:
            self._start()
        if len(pending) >= FLUSH_LINES:
            self._wake.set()

    def flush(self) -> None:
        with self._lock:
            pending = self._pending
            lines = [pending.popleft() for _ in range(len(pending))]
            if lines:
                self._write_out(lines)

    def close(self) -> None:
        """Write what is pending and stop the thread; later lines are written as they come."""
        self._closed = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self.flush()

    def _write_out(self, lines: list[str]) -> None:
        try:
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass  # stderr closed or gone: nowhere left to say so

    def _start(self) -> None:
        with self._lock:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="hubindex-log-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            self.flush()

    def _after_fork(self) -> None:
        # The thread does not survive a fork; the child starts its own on its first line. What
        # was pending is the parent's to write.
        self._pending = deque()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._thread = None


class TextFormatter(logging.Formatter):
    """``TIME LEVEL LOGGER: MESSAGE``, the time in RFC 3339, UTC, with milliseconds; `` id=ID``
    after the message of a record logged while the request ID is served."""

    def __init__(self) -> None:
        super().__init__()
        self._times = Timestamps()

    def format(self, record: logging.LogRecord) -> str:
        line = f"{self._times.format(record.created)} {record.levelname} {record.name}: "
        line += record.getMessage()
        request_id = REQUEST_ID.get()
        if request_id is not None and not hasattr(record, "request"):  # an access line has it
            line += f" id={request_id}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a request line carries its fields at the top level, any
    other record logged while a request is served its ``request_id``."""

    def __init__(self) -> None:
        super().__init__()
        self._times = Timestamps()

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self._times.format(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        request = getattr(record, "request", None)
        if isinstance(request, dict):
            line.update(request)
        else:
            line["message"] = record.getMessage()
            request_id = REQUEST_ID.get()
            if request_id is not None:
                line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class LineHandler(logging.Handler):
    """A handler that formats records as text or JSON and hands them to a ``LineWriter``."""

    def __init__(self, log_format: str = "text", stream: TextIO | None = None) -> None:
        super().__init__()
        self.json = log_format == "json"
        self.setFormatter(JsonFormatter() if self.json else TextFormatter())
        self.writer = LineWriter(sys.stderr if stream is None else stream)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self.writer.write(line, now=True)

    def flush(self) -> None:
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()
        super().close()


def direct_handler(logger: logging.Logger) -> LineHandler | None:
    """The ``LineHandler`` a logger writes to alone, unfiltered and not propagating: its lines
    may then skip the ``LogRecord`` and go straight to the handler's writer."""
    handlers = logger.handlers
    if logger.propagate or logger.filters or len(handlers) != 1:
        return None
    handler = handlers[0]
    if type(handler) is not LineHandler or handler.filters or handler.level > logging.INFO:
        return None
    return handler


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """A dictConfig for hubindex and uvicorn alike (uvicorn's own access log is off).

    One handler for every logger, so that lines keep their order; the access log writes to it
    directly (see ``direct_handler``).
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"default": {"()": f"{__name__}.LineHandler", "log_format": log_format}},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            ACCESS_LOGGER: {"handlers": ["default"], "propagate": False},
            # Alembic names each of its plugins at INFO when it is imported, which the
            # commands do once the logging is set up: nothing an operator needs.
            "alembic.runtime.plugins": {"level": "WARNING"},
        },
    }
